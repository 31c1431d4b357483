import type { Order } from '../domain/order.ts';
import type { SagaTimer } from './ports.ts';

/** How stopping an order's timer went; a failure is reported, never thrown. */
export type TimerStopResult =
  | { outcome: 'stopped' | 'not-running' }
  /** Final before the timer-start consumer could look at it: no timer to stop, no call made. */
  | { outcome: 'never-started' }
  | { outcome: 'failed'; error: unknown };

/** What decides whether an order that just became final can have a timer to stop. */
export interface TimerStopDeps {
  timer: Pick<SagaTimer, 'stopTimer'>;
  now: () => Date;
  /**
   * The stage's grace period (`SAGA_TIMER_GRACE_SECONDS`). 0 (the default) means any
   * order may have a timer, so every stop is asked for.
   */
  timerGraceSeconds?: number;
}

/**
 * Allowance for the clocks of Lambda (which stamped `createdAt`) and SQS (which delays
 * OrderCreated from when EventBridge sent it, itself after `createdAt`).
 */
const CLOCK_ALLOWANCE_MS = 1000;

/**
 * Whether the order, final as of `now`, may have a saga timer. The timer-start consumer
 * reads the order no earlier than `createdAt` + the grace period (OrderCreated is sent
 * after the order was written, then delayed by that much) and starts no timer for an
 * order that is final by then. So an order final well before that instant never gets one.
 */
export function mayHaveTimer(
  order: Pick<Order, 'createdAt'>,
  now: Date,
  timerGraceSeconds = 0,
): boolean {
  if (timerGraceSeconds <= 0) return true;
  const firstLook = Date.parse(order.createdAt) + timerGraceSeconds * 1000;
  return now.getTime() >= firstLook - CLOCK_ALLOWANCE_MS;
}

/**
 * Stops the saga timer of an order that just became final, without ever failing the
 * caller: the transition is already committed, and a timer left running only costs its
 * firing (the timeout task does nothing for a final order). The caller logs a failure.
 * An order final within the grace period has no timer and costs no call (nearly every
 * order: the saga takes about a second).
 */
export async function stopTimerBestEffort(
  order: Pick<Order, 'orderId' | 'createdAt'>,
  { timer, now, timerGraceSeconds }: TimerStopDeps,
): Promise<TimerStopResult> {
  if (!mayHaveTimer(order, now(), timerGraceSeconds)) return { outcome: 'never-started' };
  try {
    return { outcome: await timer.stopTimer(order.orderId) };
  } catch (error) {
    return { outcome: 'failed', error };
  }
}
