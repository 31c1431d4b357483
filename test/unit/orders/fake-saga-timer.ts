import type { SagaTimer } from '../../../lambdas/orders/use-cases/ports.ts';

/**
 * An in-memory saga timer with Step Functions' naming semantics: one timer per order,
 * starting it again answers `already-started`, stopping one that is not running answers
 * `not-running`. Set `failStops` / `failStarts` to script an unavailable service.
 */
export class FakeSagaTimer implements SagaTimer {
  /** Running timers: orderId → deadline. */
  readonly running = new Map<string, string>();
  /** Every start and stop call, in order, e.g. `start:ord-1`. */
  readonly calls: string[] = [];
  private readonly everStarted = new Set<string>();
  failStops: Error | undefined;
  failStarts: Error | undefined;

  startTimer(orderId: string, deadline: string): Promise<'started' | 'already-started'> {
    this.calls.push(`start:${orderId}`);
    if (this.failStarts) return Promise.reject(this.failStarts);
    if (this.everStarted.has(orderId)) return Promise.resolve('already-started');
    this.everStarted.add(orderId);
    this.running.set(orderId, deadline);
    return Promise.resolve('started');
  }

  stopTimer(orderId: string): Promise<'stopped' | 'not-running'> {
    this.calls.push(`stop:${orderId}`);
    if (this.failStops) return Promise.reject(this.failStops);
    return Promise.resolve(this.running.delete(orderId) ? 'stopped' : 'not-running');
  }
}
