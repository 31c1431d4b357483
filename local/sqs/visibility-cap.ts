import type { QueueDefinition } from '../template/model.ts';

/** SQS's visibility timeout when a queue sets none. */
const SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * The queues with their visibility timeout lowered to at most `maxSeconds`, for tests
 * that must see a failing message come back (and reach its DLQ) in seconds rather than
 * after the deployed timeout: a consumer queue's is 6 × its function's timeout (3 min),
 * so five failed receives take 15 minutes. Everything else about the queues is kept.
 * Without a cap the queues are returned as the template defines them.
 */
export function capVisibilityTimeouts(
  queues: readonly QueueDefinition[],
  maxSeconds: number | undefined,
): QueueDefinition[] {
  if (maxSeconds === undefined) return [...queues];
  if (!Number.isInteger(maxSeconds) || maxSeconds < 0) {
    throw new Error(`maxVisibilityTimeoutSeconds must be a whole number >= 0, got ${maxSeconds}`);
  }
  return queues.map((queue) => {
    const set = queue.attributes.VisibilityTimeout;
    const seconds = set === undefined ? SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS : Number(set);
    if (seconds <= maxSeconds) return queue;
    return { ...queue, attributes: { ...queue.attributes, VisibilityTimeout: String(maxSeconds) } };
  });
}
