import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  parseEventBridgeEvent,
  type AnyEventContract,
  type EventBridgeEvent,
} from '../../events/index.ts';
import type { MessageDelayer } from './message-delay.ts';
import { withObservability, type Observability } from './observability.ts';

/** What a consumer's use case gets for each message: the validated event and its SQS record. */
export interface ConsumedEvent<C extends AnyEventContract> {
  event: ReturnType<C['parse']>;
  record: SQSRecord;
  /**
   * The function's logger with this message's keys (`orderId`, `eventId`, `eventType`,
   * `correlation_id`). Log through this one: messages of different orders are handled
   * concurrently, so the shared logger cannot carry one message's keys.
   */
  logger: Logger;
}

/**
 * Seconds until a failed message comes back, by the receive that failed: the first retry
 * soon, since most failures are transient (a throttled call, a conflict); later ones after
 * the queue's own visibility timeout (3 minutes), which a lasting outage needs anyway.
 * Left to the visibility timeout alone, one throttled call made an order wait 3 minutes,
 * past a 90 s saga deadline, and cancelled orders that were paid and reserved. A message
 * that keeps failing then reaches the dead-letter queue about 12 minutes after its first
 * receive (5 s, then 3 minutes after each of the other four) instead of 15.
 */
export const RETRY_DELAYS_SECONDS: readonly number[] = [5];

/**
 * Metrics every consumer emits per message, beside its own: each invocation has at least
 * one (Powertools otherwise warns of an empty flush on every such invocation), and the
 * failures of a consumer can be read without its logs. A deferred message is neither.
 */
export const consumerMetrics = {
  handled: 'MessagesHandled',
  failed: 'MessagesFailed',
} as const;

/** What every consumer built on {@link createEventConsumer} gets besides its use case's dependencies. */
export interface EventConsumerDeps {
  observability: Observability;
  /**
   * Brings a failed message back after {@link RETRY_DELAYS_SECONDS} on the function's own
   * queue. Without it (tests), a failed message waits out the queue's visibility timeout.
   */
  retries?: MessageDelayer;
}

/**
 * Thrown by a use case that has already chosen when its message comes back (a slow
 * charge pushed back until it settles): reported as failed, its visibility left alone.
 */
export class DeferredMessageError extends Error {
  override name = 'DeferredMessageError';
}

/**
 * Parses one SQS message delivered by an EventBridge rule into one of the expected
 * contracts. A message that is not JSON, not one of these events, or invalid throws:
 * it is reported as a batch item failure and, after the queue's maxReceiveCount,
 * lands in the DLQ for a human to look at, instead of being silently dropped.
 */
export function parseQueuedEvent<C extends AnyEventContract>(
  record: SQSRecord,
  contracts: readonly C[],
): ReturnType<C['parse']> {
  const body = JSON.parse(record.body) as EventBridgeEvent;
  return parseEventBridgeEvent(body, contracts);
}

/**
 * Runs tasks so that tasks with the same key run one after another, in the order they
 * were given, while tasks with different keys run concurrently. A task starts once the
 * previous task of its key has settled, whether it succeeded or failed (each message is
 * reported on its own).
 */
export function createKeyedSequencer(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    tails.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  };
}

/**
 * An SQS-triggered handler for EventBridge events: each message is parsed and handed
 * to `handle`; messages whose handling throws are reported as batch item failures
 * (the event source mapping must have `ReportBatchItemFailures`), so one bad message
 * never makes the good ones of its batch run again.
 *
 * Messages of different orders are handled concurrently (their time is mostly spent
 * waiting for DynamoDB, so a batch takes about as long as its longest order instead of
 * the sum of its messages); the messages of one order are handled one at a time, in
 * their order in the batch, so two events of an order never race for its version.
 */
export function createEventConsumer<C extends AnyEventContract>(
  options: EventConsumerDeps & {
    contracts: readonly C[];
    handle: (consumed: ConsumedEvent<C>, context: Context) => Promise<void>;
  },
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { contracts, handle, observability, retries } = options;
  const { logger, metrics } = observability;
  const processor = new BatchProcessor(EventType.SQS);
  const count = (name: string) => metrics.addMetric(name, MetricUnit.Count, 1);

  const handleRecord = async (
    event: ReturnType<C['parse']>,
    record: SQSRecord,
    context: Context,
  ): Promise<void> => {
    // Persistent on a child that lives for this message only: every line it writes (the
    // use case's and the failure line below), whatever the use case does with temporary
    // keys, names the message; the shared logger carries no message's keys, since other
    // messages are being handled meanwhile.
    const recordLogger = logger.createChild();
    recordLogger.appendPersistentKeys({
      orderId: event.orderId,
      eventId: event.eventId,
      eventType: event.type,
      correlation_id: event.correlationId,
    });
    try {
      await handle({ event, record, logger: recordLogger }, context);
      count(consumerMetrics.handled);
    } catch (error) {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      if (error instanceof DeferredMessageError) {
        // Expected (a slow charge settling), not a failure: an operator reading warnings
        // for failed messages should not find one, with a stack trace, for every deferral.
        recordLogger.info('Message deferred; the queue will deliver it again when due', {
          messageId: record.messageId,
          receiveCount,
          reason: error.message,
        });
        throw error;
      }
      count(consumerMetrics.failed);
      const retryInSeconds = retries ? RETRY_DELAYS_SECONDS[receiveCount - 1] : undefined;
      recordLogger.warn('Message failed; the queue will redeliver it', {
        messageId: record.messageId,
        receiveCount,
        ...(retryInSeconds === undefined ? {} : { retryInSeconds }),
        error,
      });
      if (retries && retryInSeconds !== undefined) {
        // Best effort: if this fails, the message comes back after the visibility timeout.
        await retries.delay(record.receiptHandle, retryInSeconds).catch((delayError: unknown) => {
          recordLogger.warn('Could not bring the failed message back early', {
            messageId: record.messageId,
            error: delayError,
          });
        });
      }
      throw error;
    }
  };

  // The invocation running now (Lambda runs one at a time per environment): what the
  // answer given just before a timeout needs to know.
  let current: { records: readonly SQSRecord[]; handled: Set<string> } | undefined;

  return withObservability(
    (event: SQSEvent, context: Context) => {
      // One sequencer per invocation: ordering only matters within a batch (SQS standard
      // queues do not order messages across batches anyway).
      const inOrderOf = createKeyedSequencer();
      const invocation = { records: event.Records, handled: new Set<string>() };
      current = invocation;
      return processPartialResponse(
        event,
        // The batch processor calls this for every record at once, in the batch's order,
        // so each order's messages are queued in that order before any of them runs.
        (record: SQSRecord) => {
          let parsed: ReturnType<C['parse']>;
          try {
            parsed = parseQueuedEvent(record, contracts);
          } catch (error) {
            // The batch processor only reports the message id back to SQS; say here why a
            // message will end in the DLQ, with enough to find it there.
            count(consumerMetrics.failed);
            logger.error('Unprocessable message', {
              messageId: record.messageId,
              receiveCount: record.attributes.ApproximateReceiveCount,
              error,
            });
            return Promise.reject(error instanceof Error ? error : new Error(String(error)));
          }
          return inOrderOf(parsed.orderId, async () => {
            await handleRecord(parsed, record, context);
            invocation.handled.add(record.messageId);
          });
        },
        processor,
        {
          context,
          processInParallel: true,
          // A batch where every message failed is still answered with the list, not an
          // exception, so the mapping retries exactly those messages.
          throwOnFullBatchFailure: false,
        },
      );
    },
    observability,
    {
      // Just before the function would time out, answer with every message not handled
      // yet as failed. A timed-out invocation has no partial answer: the whole batch would
      // come back, the messages already handled included, each spending a receive.
      timeoutResponse: (): SQSBatchResponse => ({
        batchItemFailures: (current?.records ?? [])
          .filter((record) => !current?.handled.has(record.messageId))
          .map((record) => ({ itemIdentifier: record.messageId })),
      }),
    },
  );
}
