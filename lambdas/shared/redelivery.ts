import { isTransactionCanceled } from './aws/document-db.ts';

/**
 * Exactly-once effects on at-least-once delivery: what the consumers share.
 *
 * The services write no marker item per consumed event: each one's aggregate
 * already makes a redelivery detectable by a conditional write (the order's version and
 * forward-only transitions, the payment and the reservation keyed by order with the event
 * that created them), and a marker in the same transaction cost two write units for
 * nothing more. What remains shared is how long "already done" must be remembered where a
 * record is kept for it (the notifications' send-once records), and how to read which item
 * of a cancelled transaction failed its condition.
 */

/**
 * How long a consumer must remember that it handled an event. It must outlive every
 * redelivery path: SQS retention (4 days by default, 14 at most) and the stream relay's
 * retries (at most 24 h).
 */
export const REDELIVERY_WINDOW_SECONDS = 14 * 24 * 60 * 60;

/**
 * Whether `error` is a cancelled transaction whose item at `index` failed its condition
 * (e.g. a payment that is no longer in the state the change was decided from).
 */
export function failedConditionAt(error: unknown, index: number): boolean {
  return (
    isTransactionCanceled(error) &&
    error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}
