import {
  OrderCancelled,
  OrderCreated,
  PaymentRefundRequested,
  type CancellationReason,
  type Envelope,
} from '../../../events/index.ts';
import type { Payment } from '../../../lambdas/payments/domain/payment.ts';
import type {
  CommitOutcome,
  PaymentCommit,
  PaymentStore,
} from '../../../lambdas/payments/use-cases/ports.ts';

/**
 * An in-memory {@link PaymentStore} with the transaction semantics the use cases rely on
 * (all or nothing; the payment's expected state as the condition),
 * plus knobs to script the races DynamoDB can produce.
 */
export class FakePaymentStore implements PaymentStore {
  readonly payments = new Map<string, Payment>();
  readonly outbox: Envelope[] = [];
  /** The next commits answer TransactionConflict, one per unit, before really writing. */
  conflictsAhead = 0;
  /** Runs before each commit decides, e.g. to let a "concurrent" delivery commit first. */
  beforeCommit: (() => void) | undefined;
  commits: PaymentCommit[] = [];
  reads = 0;

  getPayment(orderId: string): Promise<Payment | undefined> {
    this.reads += 1;
    const payment = this.payments.get(orderId);
    return Promise.resolve(payment && structuredClone(payment));
  }

  commit(change: PaymentCommit): Promise<CommitOutcome> {
    this.commits.push(change);
    const hook = this.beforeCommit;
    this.beforeCommit = undefined;
    hook?.();
    if (this.conflictsAhead > 0) {
      this.conflictsAhead -= 1;
      return Promise.resolve('conflict');
    }
    const { payment, events } = change;
    if (payment) {
      const current = this.payments.get(payment.next.orderId);
      const state = current?.status ?? 'ABSENT';
      if (state !== payment.expected) return Promise.resolve('payment-changed');
    }
    if (payment) this.payments.set(payment.next.orderId, structuredClone(payment.next));
    this.outbox.push(...events);
    return Promise.resolve('committed');
  }
}

/** A clock tests move by hand. */
export class FakeClock {
  private current: Date;
  constructor(start: Date = new Date('2026-11-23T10:00:00.000Z')) {
    this.current = start;
  }
  now = (): Date => new Date(this.current);
  advanceSeconds(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Sequential ids: `id-1`, `id-2`, … */
export function sequentialIds(prefix = 'id'): () => string {
  let next = 0;
  return () => `${prefix}-${++next}`;
}

export const ORDER_ID = 'ord-1';

/** The deadline of {@link orderCreated}'s order: 90 s after the {@link FakeClock}'s start. */
export const DEADLINE = '2026-11-23T10:01:30.000Z';

/**
 * An OrderCreated envelope for `ORDER_ID` (two items, total 2500 USD minor units), due by
 * {@link DEADLINE} unless told otherwise (tests on the real clock need a later one).
 */
export function orderCreated(
  overrides: { eventId?: string; orderId?: string; paymentToken?: string; deadline?: string } = {},
) {
  const orderId = overrides.orderId ?? ORDER_ID;
  return OrderCreated.create(
    {
      eventId: overrides.eventId ?? 'evt-created-1',
      occurredAt: '2026-11-23T09:59:59.000Z',
      orderId,
      correlationId: orderId,
      causationId: orderId,
      sequence: 1,
    },
    {
      customerId: 'cust-1',
      currency: 'USD',
      items: [
        { sku: 'SKU-A', quantity: 2, unitPrice: 1000 },
        { sku: 'SKU-B', quantity: 1, unitPrice: 500 },
      ],
      total: 2500,
      deadline: overrides.deadline ?? DEADLINE,
      ...(overrides.paymentToken === undefined ? {} : { paymentToken: overrides.paymentToken }),
    },
  );
}

/** A PaymentRefundRequested envelope for `ORDER_ID`. */
export function refundRequested(
  paymentId: string,
  overrides: { eventId?: string; amount?: number; currency?: string } = {},
) {
  return PaymentRefundRequested.create(
    {
      eventId: overrides.eventId ?? 'evt-refund-1',
      occurredAt: '2026-11-23T10:00:30.000Z',
      orderId: ORDER_ID,
      correlationId: ORDER_ID,
      causationId: 'evt-inventory-failed',
      sequence: 3,
    },
    {
      paymentId,
      amount: overrides.amount ?? 2500,
      currency: overrides.currency ?? 'USD',
      reason: 'out_of_stock',
    },
  );
}

/** An OrderCancelled envelope for `ORDER_ID` (total 2500 USD), by default a customer's cancel. */
export function orderCancelled(
  overrides: { eventId?: string; orderId?: string; reason?: CancellationReason } = {},
) {
  const orderId = overrides.orderId ?? ORDER_ID;
  return OrderCancelled.create(
    {
      eventId: overrides.eventId ?? 'evt-cancelled-1',
      occurredAt: '2026-11-23T10:00:01.000Z',
      orderId,
      correlationId: orderId,
      causationId: orderId,
      sequence: 2,
    },
    {
      customerId: 'cust-1',
      currency: 'USD',
      total: 2500,
      reason: overrides.reason ?? 'customer_request',
    },
  );
}

/** A deadline `seconds` from now on the real clock (tests against DynamoDB Local, entry modules). */
export const deadlineIn = (seconds: number): string =>
  new Date(Date.now() + seconds * 1000).toISOString();
