/** How a use case retries a step whose commit lost a race. */
export interface RetryDeps {
  /** Waits between retries of a conflicting write. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Steps tried before giving up (conflicts and state changes both count). @default 6 */
  maxAttempts?: number;
}

/** What one step of a use case ended with: a result, or a reason to run the step again. */
export type StepOutcome<T> =
  | { done: T }
  /** Another writer moved the payment on: read it again at once and decide again. */
  | { retry: 'changed' }
  /** DynamoDB TransactionConflict: another transaction was writing the same items. */
  | { retry: 'conflict' };

/**
 * The writes kept conflicting: nothing was written. Thrown so the message is reported as
 * failed and the queue redelivers it later, when the concurrent writers are done.
 */
export class PaymentContentionError extends Error {
  override name = 'PaymentContentionError';
}

const BASE_BACKOFF_MS = 25;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `step` until it is done. A conflict is retried after a random pause up to
 * 25 ms × 2^(attempt-1) (full jitter: concurrent deliveries spread out instead of
 * colliding again in lockstep); a state change is retried at once, since the payment
 * only moves forward and the next read sees where it is.
 *
 * @throws {@link PaymentContentionError} after `maxAttempts` steps without a result.
 */
export async function runWithRetries<T>(
  step: () => Promise<StepOutcome<T>>,
  deps: RetryDeps,
): Promise<T> {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const maxAttempts = deps.maxAttempts ?? 6;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const outcome = await step();
    if ('done' in outcome) return outcome.done;
    if (outcome.retry === 'conflict' && attempt < maxAttempts)
      await sleep(Math.floor(random() * BASE_BACKOFF_MS * 2 ** (attempt - 1)));
  }
  throw new PaymentContentionError(
    `The payment could not be written after ${maxAttempts} attempts of concurrent writes`,
  );
}
