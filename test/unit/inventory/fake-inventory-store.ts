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
import type { ProcessedMarker } from '../../../lambdas/shared/processed-marker.ts';

type Method = 'reserve' | 'recordFailedReservation' | 'release' | 'markProcessed' | 'putProduct';

/**
 * An in-memory {@link InventoryStore} with the DynamoDB store's semantics: each write is
 * all-or-nothing, checks the marker first, and never lets stock go negative. Tests can
 * queue `conflict` answers per method to exercise retries.
 */
export class FakeInventoryStore implements InventoryStore {
  readonly products = new Map<string, Product>();
  readonly reservations = new Map<string, Reservation>();
  readonly markers = new Map<string, ProcessedMarker>();
  readonly outbox: Envelope[] = [];
  /** Number of upcoming calls of a method that answer `conflict` and write nothing. */
  readonly conflicts: Partial<Record<Method, number>> = {};
  readonly calls: Record<Method, number> = {
    reserve: 0,
    recordFailedReservation: 0,
    release: 0,
    markProcessed: 0,
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

  reserve({ reservation, event, marker }: ReserveWrite): Promise<ReserveOutcome> {
    if (this.conflicted('reserve')) return Promise.resolve({ outcome: 'conflict' });
    if (this.markers.has(marker.pk)) return Promise.resolve({ outcome: 'duplicate' });
    if (this.reservations.has(reservation.orderId))
      return Promise.resolve({ outcome: 'reservation-exists' });
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
    this.commit(reservation, event, marker);
    return Promise.resolve({ outcome: 'reserved' });
  }

  recordFailedReservation({
    reservation,
    event,
    marker,
  }: FailedReservationWrite): Promise<RecordFailureOutcome> {
    if (this.conflicted('recordFailedReservation')) return Promise.resolve({ outcome: 'conflict' });
    if (this.markers.has(marker.pk)) return Promise.resolve({ outcome: 'duplicate' });
    if (this.reservations.has(reservation.orderId))
      return Promise.resolve({ outcome: 'reservation-exists' });
    this.commit(reservation, event, marker);
    return Promise.resolve({ outcome: 'recorded' });
  }

  release({ previous, next, event, marker }: ReleaseWrite): Promise<ReleaseOutcome> {
    if (this.conflicted('release')) return Promise.resolve({ outcome: 'conflict' });
    if (this.markers.has(marker.pk)) return Promise.resolve({ outcome: 'duplicate' });
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
    this.commit(next, event, marker);
    return Promise.resolve({ outcome: 'released' });
  }

  markProcessed(marker: ProcessedMarker) {
    if (this.conflicted('markProcessed')) return Promise.resolve({ outcome: 'conflict' } as const);
    if (this.markers.has(marker.pk)) return Promise.resolve({ outcome: 'duplicate' } as const);
    this.markers.set(marker.pk, marker);
    return Promise.resolve({ outcome: 'recorded' } as const);
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

  private commit(reservation: Reservation, event: Envelope, marker: ProcessedMarker) {
    this.reservations.set(reservation.orderId, reservation);
    this.outbox.push(event);
    this.markers.set(marker.pk, marker);
  }
}
