import { toProductView, type ProductView, type RestockCommand } from '../domain/product.ts';
import { RETRY, retryOnConflict, type RetryPolicy } from './conflict-retry.ts';
import type { InventoryStore } from './ports.ts';

/** What the admin API use cases need; the entry builds the real ones, tests pass fakes. */
export interface ProductsDeps {
  store: Pick<InventoryStore, 'putProduct' | 'getProduct' | 'listProducts'>;
  now: () => Date;
  retry?: RetryPolicy;
}

export type PutProductResult =
  | { kind: 'created' | 'replaced'; product: ProductView }
  /** The quantity asked for is below the units orders hold: nothing changed. */
  | { kind: 'below-reserved'; reserved: number };

/**
 * Creates or replaces a product: name, price and quantity on hand are the command's;
 * units reserved by orders in flight are kept, so `available = quantity − reserved`.
 * A write that collides with a reservation's transaction is retried.
 *
 * @throws {@link WriteContentionError} when the product stays busy.
 */
export async function putProduct(
  command: RestockCommand,
  { store, now, retry }: ProductsDeps,
): Promise<PutProductResult> {
  return retryOnConflict(async () => {
    const result = await store.putProduct(command, now());
    switch (result.outcome) {
      case 'conflict':
        return RETRY;
      case 'below-reserved':
        return { kind: 'below-reserved', reserved: result.reserved };
      case 'created':
      case 'replaced':
        return { kind: result.outcome, product: toProductView(result.product) };
    }
  }, retry);
}

/** The product with this SKU, or undefined. */
export async function getProduct(
  sku: string,
  { store }: Pick<ProductsDeps, 'store'>,
): Promise<ProductView | undefined> {
  const product = await store.getProduct(sku);
  return product && toProductView(product);
}

export interface ProductListPage {
  items: ProductView[];
  /** Pass it back as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}

/**
 * One page of the catalog in SKU order.
 * @throws {@link InvalidCursorError} (from the store) for a cursor not issued by this listing.
 */
export async function listProducts(
  query: { limit: number; cursor?: string },
  { store }: Pick<ProductsDeps, 'store'>,
): Promise<ProductListPage> {
  const page = await store.listProducts(query);
  return { items: page.products.map(toProductView), nextCursor: page.nextCursor ?? null };
}
