/**
 * When and how long to retry, as the AWS SDKs' "standard" retry mode does: 3 attempts,
 * exponential backoff with full jitter (a longer base for throttling), and a retry
 * quota that stops retrying when most calls fail, so a struggling service is not
 * hammered by every container at once.
 */

/** Attempts per call, the first included. */
export const MAX_ATTEMPTS = 3;

/** Base delays and the cap of the SDK's standard mode. */
export const RETRY_DELAYS = { baseMs: 100, throttlingBaseMs: 500, maxMs: 20_000 } as const;

/** Error codes the SDK treats as throttling. */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** Error codes of transient failures (timeouts the service or we reported). */
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** As the SDK's standard mode: other 5xx (501 Not Implemented) would answer the same again. */
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);

/**
 * Node.js socket and name-resolution errors after which the request may be sent again
 * (the SDK's timeout and network lists: a DNS hiccup in a Lambda is retried, not fatal).
 */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Why a failed attempt may be retried; `undefined` when it may not. */
export type RetryKind = 'throttling' | 'transient';

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** Classifies a failed attempt: throttling, transient (5xx, timeouts, network), or final. */
export function retryKind(error: unknown): RetryKind | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { name, code, $metadata, $retryable } = error as ErrorLike;
  const status = $metadata?.httpStatusCode;
  if (
    status === 429 ||
    (typeof name === 'string' && THROTTLING_CODES.has(name)) ||
    $retryable?.throttling
  ) {
    return 'throttling';
  }
  if (
    $retryable ||
    (typeof name === 'string' && TRANSIENT_CODES.has(name)) ||
    (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) ||
    (status !== undefined && TRANSIENT_STATUSES.has(status))
  ) {
    return 'transient';
  }
  return undefined;
}

/**
 * The delay before the next attempt: a random fraction (full jitter) of
 * base × 2^attempts, capped.
 * @param attempts attempts made so far (1 after the first failure)
 * @param random a number in [0, 1), `Math.random` in production
 */
export function retryDelayMs(attempts: number, kind: RetryKind, random: () => number): number {
  const base = kind === 'throttling' ? RETRY_DELAYS.throttlingBaseMs : RETRY_DELAYS.baseMs;
  return Math.floor(Math.min(RETRY_DELAYS.maxMs, random() * 2 ** attempts * base));
}

/**
 * The SDK's retry quota (a token bucket per client): a retry costs 5 tokens (10 after a
 * timeout), a call that succeeds first time gives 1 back, a retried call that succeeds
 * gives its cost back. When the bucket is empty, failures are returned at once instead
 * of retried.
 */
export class RetryQuota {
  static readonly CAPACITY = 500;
  static readonly RETRY_COST = 5;
  static readonly TIMEOUT_RETRY_COST = 10;
  #available = RetryQuota.CAPACITY;

  get available(): number {
    return this.#available;
  }

  /** Takes the cost of a retry; returns it, or `undefined` when the quota is spent. */
  acquire(error: unknown): number | undefined {
    const name = (error as ErrorLike | undefined)?.name;
    const cost = name === 'TimeoutError' ? RetryQuota.TIMEOUT_RETRY_COST : RetryQuota.RETRY_COST;
    if (cost > this.#available) return undefined;
    this.#available -= cost;
    return cost;
  }

  /** Records a successful call: `retryCost` is what its retries took (0 without retries). */
  release(retryCost: number): void {
    this.#available = Math.min(RetryQuota.CAPACITY, this.#available + (retryCost || 1));
  }
}
