import { describe, expect, it } from '@jest/globals';
import { mayHaveTimer, stopTimerBestEffort } from '../../../lambdas/orders/use-cases/saga-timer.ts';
import { FakeSagaTimer } from './fake-saga-timer.ts';

const order = { orderId: 'ord-1', createdAt: '2026-11-23T10:00:00.000Z' };
const at = (iso: string) => new Date(iso);

describe('mayHaveTimer', () => {
  it('is false while the timer-start consumer cannot have looked yet (grace minus 1 s for the clocks)', () => {
    expect(mayHaveTimer(order, at('2026-11-23T10:00:01.000Z'), 30)).toBe(false);
    expect(mayHaveTimer(order, at('2026-11-23T10:00:28.999Z'), 30)).toBe(false);
  });

  it('is true from then on', () => {
    expect(mayHaveTimer(order, at('2026-11-23T10:00:29.000Z'), 30)).toBe(true);
    expect(mayHaveTimer(order, at('2026-11-23T10:05:00.000Z'), 30)).toBe(true);
  });

  it('is always true without a grace period', () => {
    expect(mayHaveTimer(order, at('2026-11-23T10:00:00.000Z'), 0)).toBe(true);
    expect(mayHaveTimer(order, at('2026-11-23T09:59:00.000Z'))).toBe(true);
  });
});

describe('stopTimerBestEffort', () => {
  it('makes no call for an order final within the grace period', async () => {
    const timer = new FakeSagaTimer();
    const now = () => at('2026-11-23T10:00:02.000Z');
    expect(await stopTimerBestEffort(order, { timer, now, timerGraceSeconds: 30 })).toEqual({
      outcome: 'never-started',
    });
    expect(timer.calls).toEqual([]);
  });

  it('stops the timer of an order final after the grace period', async () => {
    const timer = new FakeSagaTimer();
    await timer.startTimer('ord-1', '2026-11-23T10:01:30.000Z');
    const now = () => at('2026-11-23T10:00:45.000Z');
    expect(await stopTimerBestEffort(order, { timer, now, timerGraceSeconds: 30 })).toEqual({
      outcome: 'stopped',
    });
    expect(timer.running.size).toBe(0);
  });

  it('reports a failed stop instead of throwing', async () => {
    const timer = new FakeSagaTimer();
    timer.failStops = new Error('ServiceUnavailable');
    const now = () => at('2026-11-23T10:00:45.000Z');
    expect(await stopTimerBestEffort(order, { timer, now })).toEqual({
      outcome: 'failed',
      error: timer.failStops,
    });
  });
});
