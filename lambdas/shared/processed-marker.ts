import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * Exactly-once effects on at-least-once delivery. A consumer writes this marker, keyed
 * by (consumer, eventId) with `attribute_not_exists(pk)`, in the SAME TransactWriteItems
 * as its effect and its outbox events. A redelivered event then cancels the whole
 * transaction on the marker's condition: the consumer acknowledges it and moves on.
 */

/**
 * How long a marker is kept. It must outlive every redelivery path: SQS retention
 * (4 days by default, 14 at most) and the stream relay's retries (at most 24 h).
 */
export const MARKER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface ProcessedMarker {
  pk: string;
  sk: 'PROCESSED';
  entityType: 'PROCESSED';
  consumer: string;
  eventId: string;
  processedAt: string;
  expiresAt: number;
}

/** The marker item saying `consumer` has applied the event `eventId`. */
export function processedMarker(consumer: string, eventId: string, now: Date): ProcessedMarker {
  return {
    pk: `PROCESSED#${consumer}#${eventId}`,
    sk: 'PROCESSED',
    entityType: 'PROCESSED',
    consumer,
    eventId,
    processedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + MARKER_RETENTION_SECONDS,
  };
}

/** The condition a marker Put needs so a second write of it cancels the transaction. */
export const MARKER_CONDITION = 'attribute_not_exists(pk)';

/**
 * Whether `error` is a cancelled transaction whose item at `index` failed its condition,
 * e.g. the marker: the event was already processed.
 */
export function failedConditionAt(error: unknown, index: number): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}
