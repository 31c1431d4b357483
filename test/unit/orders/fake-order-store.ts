import type { Envelope } from '../../../events/index.ts';
import type { Order } from '../../../lambdas/orders/domain/order.ts';
import type { TimelineEntry } from '../../../lambdas/orders/domain/timeline.ts';
import {
  InvalidCursorError,
  type CreateOrderOutcome,
  type IdempotencyRecord,
  type NewOrderWrite,
  type OrderHistory,
  type OrderPage,
  type OrderStore,
  type TransitionOutcome,
  type TransitionWrite,
} from '../../../lambdas/orders/use-cases/ports.ts';

/**
 * An in-memory {@link OrderStore} with the transaction semantics the use cases rely on
 * (all or nothing, `attribute_not_exists` on every item, expired idempotency records
 * free their key, a transition only replaces the version it was computed from), plus knobs to script the failures DynamoDB can
 * produce.
 */
export class FakeOrderStore implements OrderStore {
  readonly orders = new Map<string, Order>();
  /** Every outbox event, by eventId, in the order written. */
  readonly outbox = new Map<string, Envelope>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  /** Timeline entries per order, keyed by the version they record. */
  readonly timelines = new Map<string, Map<number, TimelineEntry>>();
  /** The next commitTransition calls answer TransactionConflict, one per entry. */
  transitionConflictsAhead = 0;
  /** Runs before each commitTransition decides, e.g. to let a "concurrent" writer commit first. */
  beforeCommit: ((write: TransitionWrite) => void) | undefined;
  commitTransitionCalls = 0;
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
    const { order, event, idempotency, timeline, now } = write;
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
    this.timelines.set(order.orderId, new Map([[order.version, structuredClone(timeline)]]));
    return Promise.resolve({ outcome: 'created' });
  }

  commitTransition(write: TransitionWrite): Promise<TransitionOutcome> {
    this.commitTransitionCalls += 1;
    this.beforeCommit?.(write);
    if (this.transitionConflictsAhead > 0) {
      this.transitionConflictsAhead -= 1;
      return Promise.resolve({ outcome: 'write-conflict' });
    }
    const { order, expectedVersion, events, timeline } = write;
    if (this.orders.get(order.orderId)?.version !== expectedVersion)
      return Promise.resolve({ outcome: 'version-conflict' });
    if (events.some((event) => this.outbox.has(event.eventId)))
      throw new Error('An outbox item with this eventId already exists');
    this.orders.set(order.orderId, structuredClone(order));
    for (const event of events) this.outbox.set(event.eventId, structuredClone(event));
    const entries = this.timelines.get(order.orderId) ?? new Map<number, TimelineEntry>();
    entries.set(order.version, structuredClone(timeline));
    this.timelines.set(order.orderId, entries);
    return Promise.resolve({ outcome: 'committed' });
  }

  getOrderHistory(orderId: string): Promise<OrderHistory | undefined> {
    const order = this.orders.get(orderId);
    if (!order) return Promise.resolve(undefined);
    const entries = [...(this.timelines.get(orderId) ?? new Map<number, TimelineEntry>())]
      .sort(([a], [b]) => a - b)
      .map(([, entry]) => structuredClone(entry));
    return Promise.resolve({ order: structuredClone(order), timeline: entries });
  }

  /** Puts an order as it would be after earlier transitions (no timeline, no events). */
  seed(order: Order): void {
    this.orders.set(order.orderId, structuredClone(order));
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
