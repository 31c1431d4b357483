/** Delays between PutEvents attempts for the entries that failed. */
export interface BackoffPolicy {
  /** Upper bound of the first delay, doubled on every further attempt. */
  readonly baseMs: number;
  /** Upper bound of any delay. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 2_000 };

/**
 * Exponential backoff with full jitter: a random delay up to base * 2^(attempt-1),
 * capped, so that relays retrying after the same throttling spread out.
 * @param attempt the attempt that just failed, from 1
 * @param random a number in [0, 1), `Math.random` in production
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
