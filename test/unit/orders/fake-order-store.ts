import type { Order } from '../../../lambdas/orders/domain/order.ts';
import {
  InvalidCursorError,
  type CreateOrderOutcome,
  type IdempotencyRecord,
  type NewOrderWrite,
  type OrderCreatedEvent,
  type OrderPage,
  type OrderStore,
} from '../../../lambdas/orders/use-cases/ports.ts';

/**
 * An in-memory {@link OrderStore} with the transaction semantics the use cases rely on
 * (all or nothing, `attribute_not_exists` on every item, expired idempotency records
 * free their key), plus knobs to script the failures DynamoDB can produce.
 */
export class FakeOrderStore implements OrderStore {
  readonly orders = new Map<string, Order>();
  readonly outbox = new Map<string, OrderCreatedEvent>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  /** The next createOrder calls answer TransactionConflict, one per entry, before the real write. */
  conflictsAhead = 0;
  /** When false, a taken key is reported without the record (as when ALL_OLD is not returned). */
  returnsExistingRecord = true;
  /** Runs before each createOrder decides, e.g. to let a "concurrent" request commit first. */
  beforeCreate: (() => void) | undefined;
  createOrderCalls = 0;
  recordReads = 0;

  createOrder(write: NewOrderWrite): Promise<CreateOrderOutcome> {
    this.createOrderCalls += 1;
    this.beforeCreate?.();
    if (this.conflictsAhead > 0) {
      this.conflictsAhead -= 1;
      return Promise.resolve({ outcome: 'write-conflict' });
    }
    const { order, event, idempotency, now } = write;
    if (idempotency) {
      const existing = this.idempotency.get(idempotency.key);
      if (existing && existing.expiresAt >= Math.floor(now.getTime() / 1000)) {
        return Promise.resolve({
          outcome: 'idempotency-key-taken',
          ...(this.returnsExistingRecord ? { existing: structuredClone(existing) } : {}),
        });
      }
    }
    if (this.orders.has(order.orderId))
      return Promise.resolve({ outcome: 'already-exists', item: 'order' });
    if (this.outbox.has(event.eventId))
      return Promise.resolve({ outcome: 'already-exists', item: 'outbox' });
    this.orders.set(order.orderId, structuredClone(order));
    this.outbox.set(event.eventId, structuredClone(event));
    if (idempotency) this.idempotency.set(idempotency.key, structuredClone(idempotency));
    return Promise.resolve({ outcome: 'created' });
  }

  getIdempotencyRecord(key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    this.recordReads += 1;
    const record = this.idempotency.get(key);
    const live = record && record.expiresAt >= Math.floor(now.getTime() / 1000);
    return Promise.resolve(live ? structuredClone(record) : undefined);
  }

  getOrder(orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return Promise.resolve(order && structuredClone(order));
  }

  listOrdersByCustomer(
    customerId: string,
    page: { limit: number; cursor?: string },
  ): Promise<OrderPage> {
    const sortKey = (order: Order) => `${order.createdAt}#${order.orderId}`;
    const all = [...this.orders.values()]
      .filter((order) => order.customerId === customerId)
      .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1));
    let start = 0;
    if (page.cursor !== undefined) {
      const [owner, after] = Buffer.from(page.cursor, 'base64url').toString().split('|');
      if (owner !== customerId || after === undefined)
        return Promise.reject(new InvalidCursorError());
      start = all.findIndex((order) => sortKey(order) < after);
      if (start < 0) start = all.length;
    }
    const orders = all.slice(start, start + page.limit);
    const last = orders.at(-1);
    const more = start + page.limit < all.length;
    return Promise.resolve({
      orders: structuredClone(orders),
      ...(more && last
        ? { nextCursor: Buffer.from(`${customerId}|${sortKey(last)}`).toString('base64url') }
        : {}),
    });
  }
}
