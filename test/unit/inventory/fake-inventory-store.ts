import type { Envelope } from '../../../events/index.ts';
import {
  restock,
  type Product,
  type RestockCommand,
} from '../../../lambdas/inventory/domain/product.ts';
import type { Reservation } from '../../../lambdas/inventory/domain/reservation.ts';
import {
  InvalidCursorError,
  type FailedReservationWrite,
  type InventoryStore,
  type ProductPage,
  type RecordFailureOutcome,
  type ReleaseOutcome,
  type ReleaseWrite,
  type ReserveOutcome,
  type ReserveWrite,
} from '../../../lambdas/inventory/use-cases/ports.ts';

type Method = 'reserve' | 'recordFailedReservation' | 'release' | 'putProduct';

/**
 * An in-memory {@link InventoryStore} with the DynamoDB store's semantics: each write is
 * all-or-nothing, one reservation per order (a taken one is a duplicate when made for the
 * same PaymentCompleted), and never lets stock go negative. Tests can
 * queue `conflict` answers per method to exercise retries.
 */
export class FakeInventoryStore implements InventoryStore {
  readonly products = new Map<string, Product>();
  readonly reservations = new Map<string, Reservation>();
  readonly outbox: Envelope[] = [];
  /** Number of upcoming calls of a method that answer `conflict` and write nothing. */
  readonly conflicts: Partial<Record<Method, number>> = {};
  readonly calls: Record<Method, number> = {
    reserve: 0,
    recordFailedReservation: 0,
    release: 0,
    putProduct: 0,
  };

  /** A product with this stock (test setup). */
  addProduct(sku: string, available: number, reserved = 0): Product {
    const product: Product = {
      sku,
      name: `Product ${sku}`,
      unitPrice: 1999,
      currency: 'USD',
      available,
      reserved,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    this.products.set(sku, product);
    return product;
  }

  private conflicted(method: Method): boolean {
    this.calls[method] += 1;
    const pending = this.conflicts[method] ?? 0;
    if (pending <= 0) return false;
    this.conflicts[method] = pending - 1;
    return true;
  }

  /** What the conditional write of a new reservation finds when the order has one. */
  private existing(reservation: Reservation) {
    const stored = this.reservations.get(reservation.orderId);
    if (!stored) return undefined;
    return stored.paymentEventId === reservation.paymentEventId
      ? ({ outcome: 'duplicate' } as const)
      : ({ outcome: 'reservation-exists' } as const);
  }

  reserve({ reservation, event }: ReserveWrite): Promise<ReserveOutcome> {
    if (this.conflicted('reserve')) return Promise.resolve({ outcome: 'conflict' });
    const existing = this.existing(reservation);
    if (existing) return Promise.resolve(existing);
    const failed = reservation.items
      .filter(({ sku, quantity }) => (this.products.get(sku)?.available ?? -1) < quantity)
      .map(({ sku }) => ({ sku, productExists: this.products.has(sku) }));
    if (failed.length > 0) return Promise.resolve({ outcome: 'insufficient', failed });
    for (const { sku, quantity } of reservation.items) {
      const product = this.products.get(sku)!;
      this.products.set(sku, {
        ...product,
        available: product.available - quantity,
        reserved: product.reserved + quantity,
      });
    }
    this.commit(reservation, event);
    return Promise.resolve({ outcome: 'reserved' });
  }

  recordFailedReservation({
    reservation,
    event,
  }: FailedReservationWrite): Promise<RecordFailureOutcome> {
    if (this.conflicted('recordFailedReservation')) return Promise.resolve({ outcome: 'conflict' });
    const existing = this.existing(reservation);
    if (existing) return Promise.resolve(existing);
    this.commit(reservation, event);
    return Promise.resolve({ outcome: 'recorded' });
  }

  release({ previous, next, event }: ReleaseWrite): Promise<ReleaseOutcome> {
    if (this.conflicted('release')) return Promise.resolve({ outcome: 'conflict' });
    const current = this.reservations.get(previous.orderId);
    if (current?.status !== 'RESERVED' || current.sequence !== previous.sequence)
      return Promise.resolve({ outcome: 'stale' });
    for (const { sku, quantity } of previous.items) {
      const product = this.products.get(sku);
      if (!product || product.reserved < quantity)
        return Promise.reject(new Error(`cannot release ${sku}`));
    }
    for (const { sku, quantity } of previous.items) {
      const product = this.products.get(sku)!;
      this.products.set(sku, {
        ...product,
        available: product.available + quantity,
        reserved: product.reserved - quantity,
      });
    }
    this.commit(next, event);
    return Promise.resolve({ outcome: 'released' });
  }

  getReservation(orderId: string): Promise<Reservation | undefined> {
    return Promise.resolve(this.reservations.get(orderId));
  }

  putProduct(command: RestockCommand, now: Date) {
    if (this.conflicted('putProduct')) return Promise.resolve({ outcome: 'conflict' } as const);
    const result = restock(this.products.get(command.sku), command, now);
    if (result.outcome !== 'below-reserved') this.products.set(command.sku, result.product);
    return Promise.resolve(result);
  }

  getProduct(sku: string): Promise<Product | undefined> {
    return Promise.resolve(this.products.get(sku));
  }

  /** Cursors are the last SKU of the page, prefixed so a foreign string is refused. */
  listProducts({ limit, cursor }: { limit: number; cursor?: string }): Promise<ProductPage> {
    if (cursor !== undefined && !cursor.startsWith('after:'))
      return Promise.reject(new InvalidCursorError());
    const after = cursor?.slice('after:'.length);
    const sorted = [...this.products.values()]
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
      .filter((product) => after === undefined || product.sku > after);
    const products = sorted.slice(0, limit);
    const last = products.at(-1);
    return Promise.resolve({
      products,
      ...(sorted.length > limit && last ? { nextCursor: `after:${last.sku}` } : {}),
    });
  }

  private commit(reservation: Reservation, event: Envelope) {
    this.reservations.set(reservation.orderId, reservation);
    this.outbox.push(event);
  }
}
