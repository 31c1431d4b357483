import type { SagaTimer } from './ports.ts';

/** How stopping an order's timer went; a failure is reported, never thrown. */
export type TimerStopResult =
  { outcome: 'stopped' | 'not-running' } | { outcome: 'failed'; error: unknown };

/**
 * Stops the order's saga timer without ever failing the caller: the transition that made
 * the order final is already committed, and a timer left running only costs its firing
 * (the timeout task does nothing for a final order). The caller logs a failure.
 */
export async function stopTimerBestEffort(
  timer: Pick<SagaTimer, 'stopTimer'>,
  orderId: string,
): Promise<TimerStopResult> {
  try {
    return { outcome: await timer.stopTimer(orderId) };
  } catch (error) {
    return { outcome: 'failed', error };
  }
}
