import * as z from 'zod/mini';
import type { Sqs } from './aws/sqs.ts';

/**
 * A queue consumer's own queue (`QUEUE_URL`, which the EventConsumer construct sets): failed
 * messages are brought back early on it, and slow charges pushed back.
 */
export const ownQueueEnv = { QUEUE_URL: z.url() };

/**
 * The longest push-back asked for. SQS keeps a received message hidden for at most 12 hours
 * counted from its receive, and refuses a change that would go beyond; the function runs a
 * little after the receive (at most its 30 s timeout with no batching window), so 10
 * minutes are left for that.
 */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 60 * 60 - 10 * 60;

/** Delays the redelivery of a message this function received. */
export interface MessageDelayer {
  /**
   * Makes the message invisible for `seconds` from now (capped just under 12 h), so that, reported
   * as failed, it comes back only then.
   */
  delay(receiptHandle: string, seconds: number): Promise<void>;
}

/**
 * A {@link MessageDelayer} for the function's own queue, through SQS
 * `ChangeMessageVisibility`.
 *
 * @param sqs - the SQS client of `shared/aws`, created once per container.
 * @param queueUrl - the queue the function's messages come from (`QUEUE_URL`).
 */
export function sqsMessageDelayer(sqs: Sqs, queueUrl: string): MessageDelayer {
  return {
    async delay(receiptHandle, seconds) {
      await sqs.changeMessageVisibility({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.min(
          MAX_VISIBILITY_TIMEOUT_SECONDS,
          Math.max(0, Math.ceil(seconds)),
        ),
      });
    },
  };
}
