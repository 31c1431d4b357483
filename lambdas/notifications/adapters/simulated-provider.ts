import { maskRecipient, type OutgoingMessage } from '../domain/notification.ts';
import type { NotificationProvider, ProviderReceipt } from '../use-cases/ports.ts';

/** The part of a logger the simulator writes to (Powertools' Logger fits). */
export interface MessageLog {
  info(message: string, extra: Record<string, unknown>): void;
}

export interface SimulatedProviderOptions {
  /** Fraction of sends that fail, from 0 (none) to 1 (all): `PROVIDER_FAILURE_RATE`. */
  failureRate: number;
  /** A number in [0, 1); a send fails when it is below `failureRate`. */
  random: () => number;
  /** A unique id per accepted message. */
  newId: () => string;
  log: MessageLog;
}

/** Thrown by the simulator for a send it decided to fail. */
export class SimulatedProviderFailure extends Error {
  override name = 'SimulatedProviderFailure';
}

/**
 * A stand-in for an email/SMS provider: it "sends" by writing the message to the log
 * (recipient masked: logs are not a place for addresses) and fails a fraction of sends
 * at random, so the retry and DLQ paths can be watched in a demo.
 */
export function createSimulatedProvider(options: SimulatedProviderOptions): NotificationProvider {
  const { failureRate, random, newId, log } = options;
  return {
    send(message: OutgoingMessage): Promise<ProviderReceipt> {
      if (random() < failureRate) {
        return Promise.reject(
          new SimulatedProviderFailure(
            `Simulated ${message.channel} provider failure (PROVIDER_FAILURE_RATE=${failureRate})`,
          ),
        );
      }
      const messageId = `sim-${newId()}`;
      log.info('Notification sent (simulated provider)', {
        messageId,
        channel: message.channel,
        recipient: maskRecipient(message),
        template: message.template,
        variables: message.variables,
      });
      return Promise.resolve({ messageId });
    },
  };
}
