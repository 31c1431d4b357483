import type {
  LambdaInvoker,
  LogSink,
  QueueSender,
  StateMachineStarter,
  TargetDefinition,
} from '../ports.ts';
import type { EventBridgeEvent } from './event.ts';
import { type DeliveryFacts, targetInput } from './target-input.ts';

/**
 * Delivery of one event to one rule target, with EventBridge's failure handling:
 * retries with exponential backoff until `retryPolicy` runs out (attempts or event
 * age), then the target's dead-letter queue if it has one, and a log line always.
 */

/** What kind of resource a target ARN names (the ARN's service field). */
export type TargetKind = 'sqs' | 'lambda' | 'stepFunctions' | 'eventBus';

/** The target kind for an ARN, or undefined when the local cloud cannot deliver to it. */
export function targetKind(arn: string): TargetKind | undefined {
  const service = arn.split(':')[2];
  if (service === 'sqs') return 'sqs';
  if (service === 'lambda') return 'lambda';
  if (service === 'states') return 'stepFunctions';
  if (service === 'events' && arn.includes(':event-bus/')) return 'eventBus';
  return undefined;
}

/** EventBridge's defaults when a target sets no retry policy. */
export const DEFAULT_MAX_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;

/** Backoff between attempts: `baseDelayMs * 2^n`, capped. Short locally so failures surface fast. */
export interface RetrySettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A failure that retrying cannot fix (a misconfigured target): straight to the DLQ. */
class PermanentDeliveryError extends Error {}

/** One event for one target of one matched rule. */
export interface DeliveryJob {
  event: EventBridgeEvent;
  target: TargetDefinition;
  facts: DeliveryFacts;
  /** When the bus accepted the event (ms since epoch), for `maximumEventAgeInSeconds`. */
  acceptedAt: number;
  /** Set on events that already crossed from one bus to another: they cross only once. */
  forwarded: boolean;
}

/** Timers that `stop()` can cancel all at once, so the process can exit. */
export class CancellableTimers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;

  /** Resolves true after `ms`, or false at once if (or when) the timers are stopped. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, ms);
      this.pending.set(timer, () => resolve(false));
    });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const [timer, cancel] of this.pending) {
      clearTimeout(timer);
      cancel();
    }
    this.pending.clear();
  }
}

/** Named counters (flat keys such as `deliveries.sqs`). */
export class Counters {
  private readonly values: Record<string, number> = {};
  inc(key: string, by = 1): void {
    this.values[key] = (this.values[key] ?? 0) + by;
  }
  snapshot(): Record<string, number> {
    return { ...this.values };
  }
}

export interface DeliveryDeps {
  lambda: LambdaInvoker;
  sqs: QueueSender;
  stepFunctions: StateMachineStarter;
  /** Puts an event on another local bus (event-bus targets). */
  forwardToBus: (busArn: string, event: EventBridgeEvent) => void;
  log: LogSink;
  counters: Counters;
  timers: CancellableTimers;
  retry: RetrySettings;
  now: () => number;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function isJsonText(payload: string): boolean {
  try {
    JSON.parse(payload);
    return true;
  } catch {
    return false;
  }
}

/** Parses the payload for targets that take JSON; plain text stays a string. */
const asJson = (payload: string): unknown =>
  isJsonText(payload) ? (JSON.parse(payload) as unknown) : payload;

/** Sends jobs to their targets; see the module comment for the failure handling. */
export class TargetDelivery {
  private readonly deps: DeliveryDeps;

  constructor(deps: DeliveryDeps) {
    this.deps = deps;
  }

  /** Resolves once the job is delivered, dead-lettered or given up (never rejects). */
  async deliver(job: DeliveryJob): Promise<void> {
    const { target } = job;
    const maxRetries = target.retryPolicy?.maximumRetryAttempts ?? DEFAULT_MAX_RETRY_ATTEMPTS;
    const maxAgeMs =
      (target.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS) * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(job);
        return;
      } catch (error) {
        const delay = Math.min(
          this.deps.retry.baseDelayMs * 2 ** (attempt - 1),
          this.deps.retry.maxDelayMs,
        );
        const tooOld = this.deps.now() + delay - job.acceptedAt > maxAgeMs;
        if (error instanceof PermanentDeliveryError || attempt > maxRetries || tooOld) {
          await this.giveUp(job, error, attempt);
          return;
        }
        this.deps.counters.inc('deliveryRetries');
        this.deps.log(
          `rule ${job.facts.ruleName} target ${target.id}: delivery attempt ${attempt} failed (${messageOf(error)}); retrying in ${delay} ms`,
        );
        if (!(await this.deps.timers.sleep(delay))) return;
      }
    }
  }

  private async send(job: DeliveryJob): Promise<void> {
    const { target, event } = job;
    const kind = targetKind(target.arn);
    if (!kind) throw new PermanentDeliveryError(`unsupported target ARN ${target.arn}`);
    const payload = targetInput(target, event, job.facts);
    switch (kind) {
      case 'sqs': {
        const fifo = target.arn.endsWith('.fifo');
        const groupId = target.sqsParameters?.messageGroupId;
        if (fifo && !groupId)
          throw new PermanentDeliveryError(
            'a FIFO queue target needs sqsParameters.messageGroupId',
          );
        await this.deps.sqs.sendMessage(
          target.arn,
          payload,
          fifo ? { messageGroupId: groupId!, messageDeduplicationId: event.id } : undefined,
        );
        break;
      }
      case 'lambda':
        await this.deps.lambda.invokeAsync(target.arn, asJson(payload));
        break;
      case 'stepFunctions': {
        // An execution's input must be JSON: plain text goes in as a JSON string.
        await this.deps.stepFunctions.startExecution(
          target.arn,
          isJsonText(payload) ? payload : JSON.stringify(payload),
        );
        break;
      }
      case 'eventBus':
        // As in AWS, an event crosses from one bus to another once, not along a chain.
        if (job.forwarded) return;
        this.deps.forwardToBus(target.arn, event);
        break;
    }
    this.deps.counters.inc(`deliveries.${kind}`);
  }

  private async giveUp(job: DeliveryJob, error: unknown, attempts: number): Promise<void> {
    const { target, facts, event } = job;
    this.deps.counters.inc('failedDeliveries');
    const where = `rule ${facts.ruleName} target ${target.id} (${target.arn})`;
    const reason = `${messageOf(error)} after ${attempts} attempt(s)`;
    if (!target.deadLetterArn) {
      this.deps.log(
        `event ${event.id} could not be delivered to ${where}: ${reason}; no dead-letter queue, event dropped`,
      );
      return;
    }
    try {
      // The DLQ receives the original event, whatever the target's input settings.
      await this.deps.sqs.sendMessage(target.deadLetterArn, JSON.stringify(event));
      this.deps.counters.inc('deadLettered');
      this.deps.log(
        `event ${event.id} could not be delivered to ${where}: ${reason}; sent to ${target.deadLetterArn}`,
      );
    } catch (dlqError) {
      this.deps.log(
        `event ${event.id} could not be delivered to ${where}: ${reason}; the dead-letter queue ${target.deadLetterArn} failed too (${messageOf(dlqError)}), event dropped`,
      );
    }
  }
}
