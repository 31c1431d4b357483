import { describe, expect, it } from '@jest/globals';
import { AwsServiceError } from '../../../../lambdas/shared/aws/errors.ts';
import { RetryQuota, retryDelayMs, retryKind } from '../../../../lambdas/shared/aws/retry.ts';

const serviceError = (code: string, status: number) =>
  new AwsServiceError({ code, message: code, status });
const networkError = (code: string) => Object.assign(new Error(code), { code });

describe('retryKind', () => {
  it.each([
    'ThrottlingException',
    'ProvisionedThroughputExceededException',
    'TooManyRequestsException',
    'RequestLimitExceeded',
  ])('treats %s as throttling', (code) => {
    expect(retryKind(serviceError(code, 400))).toBe('throttling');
  });

  it('treats any 429 as throttling', () => {
    expect(retryKind(serviceError('Whatever', 429))).toBe('throttling');
  });

  it.each([500, 502, 503, 504])('treats HTTP %i as transient', (status) => {
    expect(retryKind(serviceError('InternalServerError', status))).toBe('transient');
  });

  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
  ])('treats the network error %s as transient', (code) => {
    expect(retryKind(networkError(code))).toBe('transient');
  });

  it('treats a timeout as transient', () => {
    expect(retryKind(Object.assign(new Error('late'), { name: 'TimeoutError' }))).toBe('transient');
  });

  it.each([
    ['ConditionalCheckFailedException', 400],
    ['TransactionCanceledException', 400],
    ['ValidationException', 400],
    ['ExecutionAlreadyExists', 400],
    ['AccessDeniedException', 403],
    ['InternalFailure', 501],
  ])('never retries %s (HTTP %i): the answer would be the same', (code, status) => {
    expect(retryKind(serviceError(code, status))).toBeUndefined();
  });

  it('never retries what is not an error object', () => {
    expect(retryKind('ECONNRESET')).toBeUndefined();
    expect(retryKind(undefined)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('waits a random part of 100 ms × 2^attempts (full jitter)', () => {
    expect(retryDelayMs(1, 'transient', () => 0.999)).toBe(199);
    expect(retryDelayMs(2, 'transient', () => 0.5)).toBe(200);
    expect(retryDelayMs(1, 'transient', () => 0)).toBe(0);
  });

  it('backs off from 500 ms after throttling', () => {
    expect(retryDelayMs(1, 'throttling', () => 0.5)).toBe(500);
    expect(retryDelayMs(2, 'throttling', () => 0.5)).toBe(1000);
  });

  it('never waits more than 20 s', () => {
    expect(retryDelayMs(30, 'throttling', () => 0.999)).toBe(20_000);
  });
});

describe('RetryQuota', () => {
  it('charges 5 tokens per retry and 10 per retry after a timeout', () => {
    const quota = new RetryQuota();
    expect(quota.acquire(serviceError('ThrottlingException', 400))).toBe(5);
    expect(quota.acquire(Object.assign(new Error(), { name: 'TimeoutError' }))).toBe(10);
    expect(quota.available).toBe(485);
  });

  it('refuses retries once the tokens are spent, until successes refill it', () => {
    const quota = new RetryQuota();
    const error = serviceError('InternalServerError', 500);
    for (let i = 0; i < 100; i++) expect(quota.acquire(error)).toBe(5);
    expect(quota.acquire(error)).toBeUndefined();
    for (let i = 0; i < 5; i++) quota.release(0);
    expect(quota.acquire(error)).toBe(5);
  });

  it('gives a retried call its cost back when it succeeds, up to the capacity', () => {
    const quota = new RetryQuota();
    quota.acquire(serviceError('InternalServerError', 500));
    quota.release(5);
    expect(quota.available).toBe(RetryQuota.CAPACITY);
    quota.release(0);
    expect(quota.available).toBe(RetryQuota.CAPACITY);
  });
});
