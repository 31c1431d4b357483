import type { Envelope } from '../../../events/index.ts';
import type { Payment, PaymentStatus } from '../domain/payment.ts';

/**
 * What the payment use cases need from the outside world. The DynamoDB adapter
 * (`adapters/payment-store.ts`) implements {@link PaymentStore}; tests pass plain fakes.
 */

/** Everything one step of a use case writes, all or nothing. */
export interface PaymentCommit {
  /**
   * The payment's new state, written only if the stored payment is still in `expected`
   * (`ABSENT`: there is none yet). This condition is what makes one payment per order
   * and a single transition out of each state.
   */
  payment?: { next: Payment; expected: PaymentStatus | 'ABSENT' };
  /** Events to publish, through the outbox, with this change. */
  events: readonly Envelope[];
  /** When outbox items expire is counted from it. */
  now: Date;
}

/**
 * How a commit ended. Nothing was written unless `committed`.
 * - `payment-changed`: the payment is not in the expected state any more (another
 *   delivery moved it first): read it again and decide again;
 * - `conflict`: a concurrent transaction touched the same items: retry after a pause.
 */
export type CommitOutcome = 'committed' | 'payment-changed' | 'conflict';

export interface PaymentStore {
  /** The order's payment, read strongly consistently, or undefined when there is none. */
  getPayment(orderId: string): Promise<Payment | undefined>;
  /**
   * Writes a {@link PaymentCommit} all or nothing: one transaction, or one conditional
   * write when it is the payment alone.
   */
  commit(change: PaymentCommit): Promise<CommitOutcome>;
}
