import type { Order } from '../../../lambdas/orders/domain/order.ts';
import {
  applySagaInput,
  type Emitted,
  type SagaInput,
  type SagaResult,
} from '../../../lambdas/orders/domain/saga.ts';

/** When every example order was created; transitions happen at later instants. */
export const CREATED_AT = '2026-11-23T10:00:00.000Z';

/** The instant of the n-th transition after creation (one second apart). */
export const at = (n: number): string => new Date(Date.parse(CREATED_AT) + n * 1000).toISOString();

/** A freshly created order: PENDING, nothing known of payment or stock, OrderCreated emitted. */
export function newOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'ord-1',
    customerId: 'cust-1',
    customerEmail: 'ada@example.com',
    currency: 'USD',
    items: [
      { sku: 'SKU-1', quantity: 2, unitPrice: 1000 },
      { sku: 'SKU-2', quantity: 1, unitPrice: 500 },
    ],
    total: 2500,
    status: 'PENDING',
    saga: { payment: 'NONE', inventory: 'NONE' },
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    deadline: '2026-11-23T10:01:30.000Z',
    sequence: 1,
    version: 1,
    ...overrides,
  };
}

/** Inputs as the handlers would build them, with ids that default to "the" payment and reservation. */
export const inputs = {
  paymentCompleted: (paymentId = 'pay-1', amount = 2500): SagaInput => ({
    kind: 'PaymentCompleted',
    eventId: `evt-completed-${paymentId}`,
    paymentId,
    amount,
    currency: 'USD',
  }),
  paymentFailed: (): SagaInput => ({
    kind: 'PaymentFailed',
    eventId: 'evt-payment-failed',
    reason: 'card_declined',
  }),
  paymentRefunded: (paymentId = 'pay-1'): SagaInput => ({
    kind: 'PaymentRefunded',
    eventId: `evt-refunded-${paymentId}`,
    paymentId,
  }),
  inventoryReserved: (reservationId = 'res-1'): SagaInput => ({
    kind: 'InventoryReserved',
    eventId: `evt-reserved-${reservationId}`,
    reservationId,
  }),
  inventoryFailed: (reason: 'out_of_stock' | 'unknown_sku' = 'out_of_stock'): SagaInput => ({
    kind: 'InventoryFailed',
    eventId: 'evt-inventory-failed',
    reason,
  }),
  inventoryReleased: (reservationId = 'res-1'): SagaInput => ({
    kind: 'InventoryReleased',
    eventId: `evt-released-${reservationId}`,
    reservationId,
  }),
  timedOut: (): SagaInput => ({ kind: 'SagaTimedOut' }),
  cancelRequested: (reason?: string): SagaInput =>
    reason === undefined ? { kind: 'CancelRequested' } : { kind: 'CancelRequested', reason },
};

/** The outcome of playing inputs one after the other, as a handler would (only `applied` is kept). */
export interface Played {
  order: Order;
  results: SagaResult[];
  /** Every event emitted along the way, in order. */
  emitted: Emitted[];
}

export function play(order: Order, ...sequence: SagaInput[]): Played {
  const results: SagaResult[] = [];
  const emitted: Emitted[] = [];
  let current = order;
  sequence.forEach((input, index) => {
    const result = applySagaInput(current, input, at(index + 1));
    results.push(result);
    emitted.push(...result.emit);
    if (result.outcome === 'applied') current = result.order;
  });
  return { order: current, results, emitted };
}

/** The detail-types of emitted events, for compact assertions. */
export const typesOf = (emitted: readonly Emitted[]): string[] => emitted.map((e) => e.type);

/** Freezes an object graph so that any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
