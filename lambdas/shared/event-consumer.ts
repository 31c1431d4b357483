import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  parseEventBridgeEvent,
  type AnyEventContract,
  type EventBridgeEvent,
} from '../../events/index.ts';
import { withObservability, type Observability } from './observability.ts';

/** What a consumer's use case gets for each message: the validated event and its SQS record. */
export interface ConsumedEvent<C extends AnyEventContract> {
  event: ReturnType<C['parse']>;
  record: SQSRecord;
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
 * An SQS-triggered handler for EventBridge events: each message is parsed and handed
 * to `handle`; messages whose handling throws are reported as batch item failures
 * (the event source mapping must have `ReportBatchItemFailures`), so one bad message
 * never makes the good ones of its batch run again. Messages are handled in order, one
 * at a time.
 */
export function createEventConsumer<C extends AnyEventContract>(options: {
  contracts: readonly C[];
  handle: (consumed: ConsumedEvent<C>, context: Context) => Promise<void>;
  observability: Observability;
}): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { contracts, handle, observability } = options;
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord, context: Context) => {
    const { logger } = observability;
    let event: ReturnType<C['parse']>;
    try {
      event = parseQueuedEvent(record, contracts);
    } catch (error) {
      // The batch processor only reports the message id back to SQS; say here why a
      // message will end in the DLQ, with enough to find it there.
      logger.error('Unprocessable message', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error,
      });
      throw error;
    }
    logger.appendKeys({
      orderId: event.orderId,
      eventId: event.eventId,
      eventType: event.type,
      correlation_id: event.correlationId,
    });
    try {
      await handle({ event, record }, context);
    } catch (error) {
      logger.warn('Message failed; the queue will redeliver it', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error,
      });
      throw error;
    } finally {
      logger.removeKeys(['orderId', 'eventId', 'eventType', 'correlation_id']);
    }
  };
  return withObservability(
    (event: SQSEvent, context: Context) =>
      processPartialResponse(
        event,
        (record: SQSRecord) => recordHandler(record, context),
        processor,
        {
          context,
          // One message at a time: the log keys above belong to one record, and two
          // events for the same order in one batch would otherwise race for its version.
          processInParallel: false,
          // A batch where every message failed is still answered with the list, not an
          // exception, so the mapping retries exactly those messages.
          throwOnFullBatchFailure: false,
        },
      ),
    observability,
  );
}
