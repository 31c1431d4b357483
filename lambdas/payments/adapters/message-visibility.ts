import type { Sqs } from '../../shared/aws/sqs.ts';

/** The longest visibility timeout SQS accepts for a received message: 12 hours. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 60 * 60;

/** Delays the redelivery of a message this function received. */
export interface MessageDelayer {
  /**
   * Makes the message invisible for `seconds` from now (capped at 12 h), so that, reported
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
