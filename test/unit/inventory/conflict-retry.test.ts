import { describe, expect, it } from '@jest/globals';
import {
  RETRY,
  retryOnConflict,
  WriteContentionError,
} from '../../../lambdas/inventory/use-cases/conflict-retry.ts';

describe('retryOnConflict', () => {
  it('returns the first answer that is not a retry, sleeping a jittered backoff in between', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await retryOnConflict(() => Promise.resolve(++calls < 4 ? RETRY : 'done'), {
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
      random: () => 0.5,
    });
    expect(result).toBe('done');
    expect(calls).toBe(4);
    // Half (random 0.5) of a ceiling that doubles: 20, 40, 80 ms.
    expect(sleeps).toEqual([10, 20, 40]);
  });

  it('caps the backoff at one second', async () => {
    const sleeps: number[] = [];
    await expect(
      retryOnConflict(() => Promise.resolve(RETRY), {
        maxAttempts: 10,
        sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
        random: () => 0.999,
      }),
    ).rejects.toBeInstanceOf(WriteContentionError);
    expect(Math.max(...sleeps)).toBeLessThan(1000);
    expect(sleeps).toHaveLength(9);
  });

  it('gives up after the last attempt with a WriteContentionError', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(
        () => {
          calls += 1;
          return Promise.resolve(RETRY);
        },
        { maxAttempts: 3, sleep: () => Promise.resolve() },
      ),
    ).rejects.toThrow(WriteContentionError);
    expect(calls).toBe(3);
  });

  it('lets other errors through at once', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(() => {
        calls += 1;
        return Promise.reject(new Error('boom'));
      }),
    ).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });
});
