import { describe, expect, it } from '@jest/globals';
import {
  createSimulatedProvider,
  SimulatedProviderFailure,
} from '../../../lambdas/notifications/adapters/simulated-provider.ts';
import type { OutgoingMessage } from '../../../lambdas/notifications/domain/notification.ts';

const message: OutgoingMessage = {
  channel: 'email',
  recipient: 'alice@example.com',
  template: 'order_confirmed',
  variables: { orderId: 'ord-1', total: 2500, currency: 'USD' },
};

function provider(failureRate: number, randoms: number[]) {
  const logged: { message: string; extra: Record<string, unknown> }[] = [];
  let next = 0;
  const simulated = createSimulatedProvider({
    failureRate,
    random: () => randoms[next++ % randoms.length]!,
    newId: () => `id-${next}`,
    log: { info: (text, extra) => logged.push({ message: text, extra }) },
  });
  return { simulated, logged };
}

describe('createSimulatedProvider', () => {
  it('logs the message with the recipient masked and returns a message id', async () => {
    const { simulated, logged } = provider(0, [0]);
    await expect(simulated.send(message)).resolves.toEqual({ messageId: 'sim-id-1' });
    expect(logged).toEqual([
      {
        message: 'Notification sent (simulated provider)',
        extra: {
          messageId: 'sim-id-1',
          channel: 'email',
          recipient: 'a***@example.com',
          template: 'order_confirmed',
          variables: message.variables,
        },
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain('alice@');
  });

  it('fails the sends whose random draw falls below the failure rate', async () => {
    const { simulated, logged } = provider(0.3, [0.29, 0.3, 0.9]);
    await expect(simulated.send(message)).rejects.toThrow(SimulatedProviderFailure);
    await expect(simulated.send(message)).resolves.toHaveProperty('messageId');
    await expect(simulated.send(message)).resolves.toHaveProperty('messageId');
    expect(logged).toHaveLength(2);
  });

  it('never fails at rate 0 and always fails at rate 1', async () => {
    await expect(provider(0, [0]).simulated.send(message)).resolves.toBeDefined();
    await expect(provider(1, [0.999999]).simulated.send(message)).rejects.toThrow(
      'PROVIDER_FAILURE_RATE=1',
    );
  });
});
