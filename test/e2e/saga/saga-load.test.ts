import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalCloud } from '../../../local/cloud.ts';
import type { OrderView } from '../../../lambdas/orders/use-cases/order-view.ts';
import { api, eventually, startProductCloud } from '../product/product-cloud.ts';
import {
  isFinal,
  mapWithConcurrency,
  placeOrder,
  seedProduct,
  stockOf,
  uniqueId,
  type Stock,
} from './saga-helpers.ts';

// The saga under load, with the stage's default settings: many orders at once race for
// stock, and a burst of orders all reach a final state (none lost on the way through
// streams, relays, the bus, queues and four services).

let cloud: LocalCloud;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ cloud, dispose } = await startProductCloud());
}, 120_000);

afterAll(async () => {
  await dispose?.();
}, 60_000);

/** Every order of a customer, through `GET /orders?customerId=` page by page. */
async function ordersOf(customerId: string): Promise<OrderView[]> {
  const orders: OrderView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `customerId=${customerId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api(cloud, 'GET', `/orders?${query}`);
    if (page.status !== 200) throw new Error(`GET /orders: ${page.status}`);
    orders.push(...(page.json.items as OrderView[]));
    cursor = page.json.nextCursor as string | null;
  } while (cursor);
  return orders;
}

/**
 * Waits until every one of `orderIds` is listed for the customer and `accept`s it (by
 * default: is final), and returns them in `orderIds` order; on timeout the error counts
 * the orders not there yet.
 */
async function waitForAll(
  customerId: string,
  orderIds: readonly string[],
  {
    timeoutMs,
    accept = isFinal,
    what = 'final',
  }: {
    timeoutMs: number;
    accept?: (order: OrderView) => boolean;
    what?: string;
  },
): Promise<OrderView[]> {
  let missing = orderIds.length;
  try {
    return await eventually(
      async () => {
        const byId = new Map((await ordersOf(customerId)).map((order) => [order.orderId, order]));
        const found = orderIds.map((id) => byId.get(id));
        missing = found.filter((order) => !order || !accept(order)).length;
        return missing === 0 ? (found as OrderView[]) : undefined;
      },
      { timeoutMs, intervalMs: 1_000, what: `${orderIds.length} orders to be ${what}` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${missing} are not`, { cause: error });
  }
}

/** How many orders end in each `status/cancellationReason`. */
function countByOutcome(orders: readonly OrderView[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const order of orders) {
    const key = order.cancellationReason
      ? `${order.status}/${order.cancellationReason}`
      : order.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('orders racing for the last units', () => {
  it('confirms exactly as many orders as there are units, cancels and refunds the rest, and never oversells', async () => {
    const sku = uniqueId('SKU-race');
    const customerId = uniqueId('cust-race');
    await seedProduct(cloud, sku, 5);

    // Sample the stock while the orders race: it must never go below zero.
    const samples: Stock[] = [];
    let racing = true;
    const sampler = (async () => {
      while (racing) {
        samples.push(await stockOf(cloud, sku));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    try {
      const orderIds = await Promise.all(
        Array.from({ length: 20 }, () => placeOrder(cloud, customerId, { sku, quantity: 1 })),
      );
      // Out-of-stock orders are cancelled first and refunded after: wait for the refunds.
      const settled = await waitForAll(customerId, orderIds, {
        timeoutMs: 90_000,
        accept: (o) => o.status === 'CONFIRMED' || o.saga.payment === 'REFUNDED',
        what: 'confirmed, or cancelled and refunded',
      });

      expect(countByOutcome(settled)).toEqual({ CONFIRMED: 5, 'CANCELLED/out_of_stock': 15 });
      for (const order of settled) {
        expect(order.saga).toEqual(
          order.status === 'CONFIRMED'
            ? { payment: 'COMPLETED', inventory: 'RESERVED' }
            : { payment: 'REFUNDED', inventory: 'FAILED' },
        );
      }
      expect(await stockOf(cloud, sku)).toMatchObject({ quantity: 5, available: 0, reserved: 5 });
    } finally {
      racing = false;
      await sampler;
    }
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.available).toBeGreaterThanOrEqual(0);
      expect(sample.available + sample.reserved).toBe(5);
    }
  }, 150_000);
});

describe('a burst of orders', () => {
  it('brings every one of 200 orders (20 in flight) to a final state, none lost', async () => {
    const customerId = uniqueId('cust-burst');
    const skus = [uniqueId('SKU-burst'), uniqueId('SKU-burst')];
    for (const sku of skus) await seedProduct(cloud, sku, 1_000);
    // Every tenth order is declined: the burst exercises both the happy and a failing path.
    const orders = Array.from({ length: 200 }, (_, index) => ({
      sku: skus[index % skus.length]!,
      quantity: 1 + (index % 3),
      ...(index % 10 === 9 ? { paymentToken: 'tok_declined' } : {}),
    }));

    const startedAt = Date.now();
    const orderIds = await mapWithConcurrency(orders, 20, (order) =>
      placeOrder(cloud, customerId, order),
    );
    expect(new Set(orderIds).size).toBe(200);

    const settled = await waitForAll(customerId, orderIds, { timeoutMs: 150_000 });
    const elapsedS = (Date.now() - startedAt) / 1000;
    const counts = countByOutcome(settled);
    console.log(`200 orders final in ${elapsedS.toFixed(1)} s:`, counts);

    expect(counts).toEqual({ CONFIRMED: 180, 'CANCELLED/payment_failed': 20 });
    // Confirmed orders hold their units; declined ones never reached the inventory.
    for (const sku of skus) {
      const reserved = orders
        .filter((order) => order.sku === sku && !order.paymentToken)
        .reduce((sum, order) => sum + order.quantity, 0);
      expect(await stockOf(cloud, sku)).toMatchObject({
        quantity: 1_000,
        reserved,
        available: 1_000 - reserved,
      });
    }
  }, 240_000);
});
