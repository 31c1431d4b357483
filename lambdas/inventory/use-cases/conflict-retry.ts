/** How a use case retries a transaction that concurrent writers cancelled. */
export interface RetryPolicy {
  /** Transaction attempts before giving up. @default 6 */
  maxAttempts?: number;
  /** Waits between attempts. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Concurrent writers kept cancelling the transaction and it never committed. Nothing was
 * written; thrown from a consumer it makes the queue redeliver the message later, when
 * the contention has likely passed.
 */
export class WriteContentionError extends Error {
  override name = 'WriteContentionError';
}

/** What an attempt returns to ask for another one. */
export const RETRY = Symbol('retry');

const BASE_DELAY_MS = 20;
const MAX_DELAY_MS = 1_000;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it returns something other than {@link RETRY}, sleeping a "full
 * jitter" exponential backoff between attempts so that writers racing for the same
 * items (the last units of a SKU) spread out instead of colliding again in lockstep.
 *
 * @throws {@link WriteContentionError} after `maxAttempts` attempts asked to retry.
 */
export async function retryOnConflict<T>(
  attempt: (attemptNumber: number) => Promise<T | typeof RETRY>,
  policy: RetryPolicy = {},
): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? 6;
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;
  for (let attemptNumber = 1; attemptNumber <= maxAttempts; attemptNumber += 1) {
    const result = await attempt(attemptNumber);
    if (result !== RETRY) return result;
    if (attemptNumber < maxAttempts) {
      const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attemptNumber - 1));
      await sleep(Math.floor(random() * ceiling));
    }
  }
  throw new WriteContentionError(
    `The transaction was cancelled by concurrent writes ${maxAttempts} times`,
  );
}
