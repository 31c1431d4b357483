import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  InventoryReleased,
  InventoryReserved,
  InventoryReleaseRequested,
  PaymentCompleted,
  type EventOf,
} from '../../events/index.ts';
import {
  createInventoryStore,
  InventoryInconsistencyError,
} from '../../lambdas/inventory/adapters/inventory-store.ts';
import { inventoryTableKeys } from '../../lambdas/inventory/adapters/inventory-table.ts';
import type { StockLine } from '../../lambdas/inventory/domain/reservation.ts';
import type { InventoryConsumerDeps } from '../../lambdas/inventory/use-cases/consumer-deps.ts';
import {
  InvalidCursorError,
  type InventoryStore,
} from '../../lambdas/inventory/use-cases/ports.ts';
import { releaseStock } from '../../lambdas/inventory/use-cases/release-stock.ts';
import { reserveStock } from '../../lambdas/inventory/use-cases/reserve-stock.ts';
import { dynamoDbEndpoint, localDocumentDb, sdkDocumentClient } from './orders-table-fixture.ts';
import { createTable } from './create-table.ts';

// DynamoDB Local is a JVM on a busy 2-core machine: be generous.
const TIMEOUT = 120_000;

let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let tableName: string;
let store: InventoryStore;

/** The deployed layout (keys, products index, TTL) from `inventoryTableKeys`. */
async function createInventoryTable(): Promise<string> {
  const name = `inventory-it-${randomUUID()}`;
  const { partitionKey, sortKey, productsIndex, timeToLiveAttribute } = inventoryTableKeys;
  await createTable(raw, name, {
    partitionKey,
    sortKey,
    index: productsIndex,
    timeToLiveAttribute,
    stream: 'NEW_IMAGE',
  });
  return name;
}

beforeAll(async () => {
  const endpoint = dynamoDbEndpoint();
  raw = new DynamoDBClient({ endpoint });
  client = sdkDocumentClient();
  tableName = await createInventoryTable();
  store = createInventoryStore(localDocumentDb(), tableName);
}, TIMEOUT);

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  raw?.destroy();
  client?.destroy();
}, TIMEOUT);

/** Every item of the table (consistent scan). */
async function allItems(): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    found.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return found;
}

/** The events in the outbox for an order, parsed, in sequence order. */
async function outboxOf(
  orderId: string,
): Promise<{ type: string; sequence: number; data: unknown }[]> {
  return (await allItems())
    .filter((item) => item.entityType === 'OUTBOX')
    .map(
      (item) =>
        JSON.parse(item.event as string) as {
          type: string;
          orderId: string;
          sequence: number;
          data: unknown;
        },
    )
    .filter((event) => event.orderId === orderId)
    .sort((a, b) => a.sequence - b.sequence);
}

const NOW = new Date('2026-03-01T12:00:00.000Z');
const deps = (): InventoryConsumerDeps => ({ store, now: () => NOW, newId: randomUUID });

/** A fresh SKU with this much stock, so every test owns its products. */
async function newProduct(quantity: number, prefix = 'SKU'): Promise<string> {
  const sku = `${prefix}-${randomUUID()}`;
  const result = await store.putProduct(
    { sku, name: `Product ${sku}`, quantity, unitPrice: 1999, currency: 'USD' },
    NOW,
  );
  expect(result.outcome).toBe('created');
  return sku;
}

function paymentCompleted(items: StockLine[], orderId = randomUUID(), eventId = randomUUID()) {
  return PaymentCompleted.create(
    {
      eventId,
      occurredAt: NOW.toISOString(),
      orderId,
      correlationId: orderId,
      causationId: randomUUID(),
      sequence: 1,
    },
    { paymentId: `pay-${orderId}`, amount: 100, currency: 'USD', items },
  );
}

function releaseRequested(
  orderId: string,
  reservationId: string,
  items: StockLine[],
  eventId = randomUUID(),
): EventOf<typeof InventoryReleaseRequested> {
  return InventoryReleaseRequested.create(
    {
      eventId,
      occurredAt: NOW.toISOString(),
      orderId,
      correlationId: orderId,
      causationId: randomUUID(),
      sequence: 3,
    },
    { reservationId, items, reason: 'timeout' },
  );
}

const stockOf = async (sku: string) => {
  const product = await store.getProduct(sku);
  return { available: product?.available, reserved: product?.reserved };
};

/** Runs `work` again whenever it throws, as the queue would redeliver, until a deadline. */
async function untilItSucceeds<T>(work: () => Promise<T>, deadlineMs = 90_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('inventory store on DynamoDB Local', () => {
  describe('reserving stock for PaymentCompleted', () => {
    it(
      'lets exactly 5 of 20 concurrent one-unit orders reserve a SKU with 5 available, never going negative',
      async () => {
        const sku = await newProduct(5);
        const orders = Array.from({ length: 20 }, () => paymentCompleted([{ sku, quantity: 1 }]));
        const results = await Promise.all(
          orders.map((event) => untilItSucceeds(() => reserveStock(event, deps()))),
        );

        const kinds = results.map((result) => result.kind);
        expect(kinds.filter((kind) => kind === 'reserved')).toHaveLength(5);
        expect(kinds.filter((kind) => kind === 'failed')).toHaveLength(15);
        expect(await stockOf(sku)).toEqual({ available: 0, reserved: 5 });
        for (const result of results) {
          if (result.kind === 'failed') {
            expect(result.shortage).toEqual({ reason: 'out_of_stock', skus: [sku] });
          }
        }
        // Each order got exactly one event, matching its outcome.
        const events = (await Promise.all(orders.map((event) => outboxOf(event.orderId)))).map(
          (outbox) => outbox.map((event) => event.type),
        );
        expect(events.filter((types) => types.join() === 'InventoryReserved')).toHaveLength(5);
        expect(events.filter((types) => types.join() === 'InventoryFailed')).toHaveLength(15);
      },
      TIMEOUT,
    );

    it(
      'reserves nothing for a multi-item order when one SKU is short, and says which',
      async () => {
        const plenty = await newProduct(10);
        const short = await newProduct(1);
        const event = paymentCompleted([
          { sku: plenty, quantity: 2 },
          { sku: short, quantity: 1 },
          { sku: short, quantity: 1 },
        ]);

        const result = await reserveStock(event, deps());

        expect(result).toMatchObject({
          kind: 'failed',
          shortage: { reason: 'out_of_stock', skus: [short] },
        });
        expect(await stockOf(plenty)).toEqual({ available: 10, reserved: 0 });
        expect(await stockOf(short)).toEqual({ available: 1, reserved: 0 });
        expect(await store.getReservation(event.orderId)).toMatchObject({
          status: 'FAILED',
          failure: { reason: 'out_of_stock', skus: [short] },
        });
        const outbox = await outboxOf(event.orderId);
        expect(outbox).toEqual([
          expect.objectContaining({
            type: 'InventoryFailed',
            sequence: 1,
            data: { reason: 'out_of_stock', skus: [short] },
          }),
        ]);
      },
      TIMEOUT,
    );

    it(
      'fails with unknown_sku for a SKU that does not exist, and creates no product for it',
      async () => {
        const known = await newProduct(3);
        const unknown = `NOPE-${randomUUID()}`;
        const event = paymentCompleted([
          { sku: known, quantity: 1 },
          { sku: unknown, quantity: 1 },
        ]);

        const result = await reserveStock(event, deps());

        expect(result).toMatchObject({
          kind: 'failed',
          shortage: { reason: 'unknown_sku', skus: [unknown] },
        });
        expect(await store.getProduct(unknown)).toBeUndefined();
        expect(await stockOf(known)).toEqual({ available: 3, reserved: 0 });
        expect((await allItems()).some((item) => item.pk === `PRODUCT#${unknown}`)).toBe(false);
      },
      TIMEOUT,
    );

    it(
      'names every short SKU when several are short',
      async () => {
        const first = await newProduct(1);
        const second = await newProduct(0);
        const event = paymentCompleted([
          { sku: first, quantity: 2 },
          { sku: second, quantity: 1 },
        ]);

        const result = await reserveStock(event, deps());

        expect(result).toMatchObject({ kind: 'failed', shortage: { reason: 'out_of_stock' } });
        if (result.kind !== 'failed') throw new Error('expected a failure');
        expect([...result.shortage.skus].sort()).toEqual([first, second].sort());
      },
      TIMEOUT,
    );

    it(
      'tells a redelivery from another event for the same order by the reservation DynamoDB returns',
      async () => {
        const sku = await newProduct(5);
        const event = paymentCompleted([{ sku, quantity: 1 }]);
        expect((await reserveStock(event, deps())).kind).toBe('reserved');

        // Straight to the store, so the outcome comes from the transaction, not from a read.
        const again = {
          reservation: { ...(await store.getReservation(event.orderId))!, reservationId: 'r-2' },
          event: InventoryReserved.create(
            {
              eventId: randomUUID(),
              occurredAt: NOW.toISOString(),
              orderId: event.orderId,
              correlationId: event.orderId,
              causationId: event.eventId,
              sequence: 1,
            },
            { reservationId: 'r-2', items: [{ sku, quantity: 1 }] },
          ),
          now: NOW,
        };
        expect(await store.reserve(again)).toEqual({ outcome: 'duplicate' });
        expect(
          await store.reserve({
            ...again,
            reservation: { ...again.reservation, paymentEventId: randomUUID() },
          }),
        ).toEqual({ outcome: 'reservation-exists' });

        expect(await stockOf(sku)).toEqual({ available: 4, reserved: 1 });
        expect(await outboxOf(event.orderId)).toHaveLength(1);
      },
      TIMEOUT,
    );

    it(
      'commits the decrements, the reservation and its event together, with no marker',
      async () => {
        const a = await newProduct(4);
        const b = await newProduct(4);
        const event = paymentCompleted([
          { sku: a, quantity: 1 },
          { sku: b, quantity: 3 },
          { sku: a, quantity: 2 },
        ]);

        const result = await reserveStock(event, deps());

        expect(result.kind).toBe('reserved');
        expect(await stockOf(a)).toEqual({ available: 1, reserved: 3 });
        expect(await stockOf(b)).toEqual({ available: 1, reserved: 3 });
        const reservation = await store.getReservation(event.orderId);
        expect(reservation).toMatchObject({
          status: 'RESERVED',
          items: [
            { sku: a, quantity: 3 },
            { sku: b, quantity: 3 },
          ],
          sequence: 1,
        });
        const [reserved, ...others] = await outboxOf(event.orderId);
        expect(others).toEqual([]);
        expect(reserved).toMatchObject({
          type: 'InventoryReserved',
          sequence: 1,
          correlationId: event.correlationId,
          causationId: event.eventId,
          data: { reservationId: reservation!.reservationId, items: reservation!.items },
        });
        const markers = (await allItems()).filter((item) =>
          String(item.pk).startsWith('PROCESSED#'),
        );
        expect(markers).toHaveLength(0);
      },
      TIMEOUT,
    );

    it(
      'applies a duplicate PaymentCompleted once: one reservation, one event, stock taken once',
      async () => {
        const sku = await newProduct(5);
        const event = paymentCompleted([{ sku, quantity: 2 }]);

        const [first, second] = await Promise.all([
          untilItSucceeds(() => reserveStock(event, deps())),
          untilItSucceeds(() => reserveStock(event, deps())),
        ]);
        const third = await reserveStock(event, deps());

        expect([first.kind, second.kind].sort()).toEqual(['duplicate', 'reserved']);
        expect(third.kind).toBe('duplicate');
        expect(await stockOf(sku)).toEqual({ available: 3, reserved: 2 });
        expect((await outboxOf(event.orderId)).map((e) => e.type)).toEqual(['InventoryReserved']);
      },
      TIMEOUT,
    );

    it(
      'ignores a second PaymentCompleted (another event) for an order that already has a reservation',
      async () => {
        const sku = await newProduct(5);
        const orderId = randomUUID();
        await reserveStock(paymentCompleted([{ sku, quantity: 1 }], orderId), deps());

        const again = await reserveStock(paymentCompleted([{ sku, quantity: 1 }], orderId), deps());

        expect(again.kind).toBe('reservation-exists');
        expect(await stockOf(sku)).toEqual({ available: 4, reserved: 1 });
      },
      TIMEOUT,
    );
  });

  describe('releasing stock for InventoryReleaseRequested', () => {
    it(
      'returns the stock once even when the request is delivered twice',
      async () => {
        const sku = await newProduct(5);
        const payment = paymentCompleted([{ sku, quantity: 2 }]);
        const reserved = await reserveStock(payment, deps());
        if (reserved.kind !== 'reserved')
          throw new Error(`expected a reservation: ${reserved.kind}`);
        const request = releaseRequested(payment.orderId, reserved.reservationId, [
          { sku, quantity: 2 },
        ]);

        const [first, second] = await Promise.all([
          untilItSucceeds(() => releaseStock(request, deps())),
          untilItSucceeds(() => releaseStock(request, deps())),
        ]);
        const third = await releaseStock(request, deps());
        // Another request for the same reservation (new eventId): nothing left to release.
        const another = await releaseStock(
          releaseRequested(payment.orderId, reserved.reservationId, [{ sku, quantity: 2 }]),
          deps(),
        );

        expect([first.kind, second.kind]).toContain('released');
        expect(['duplicate', 'already-released']).toContain(
          [first, second].find((result) => result.kind !== 'released')!.kind,
        );
        expect(['duplicate', 'already-released']).toContain(third.kind);
        expect(another.kind).toBe('already-released');
        expect(await stockOf(sku)).toEqual({ available: 5, reserved: 0 });
        const outbox = await outboxOf(payment.orderId);
        expect(outbox.map((event) => [event.type, event.sequence])).toEqual([
          ['InventoryReserved', 1],
          ['InventoryReleased', 2],
        ]);
        expect(await store.getReservation(payment.orderId)).toMatchObject({
          status: 'RELEASED',
          releaseReason: 'timeout',
          sequence: 2,
        });
      },
      TIMEOUT,
    );

    it(
      'acknowledges a release of an unknown reservation, writing nothing, however often delivered',
      async () => {
        const request = releaseRequested(randomUUID(), randomUUID(), [{ sku: 'X', quantity: 1 }]);

        expect(await releaseStock(request, deps())).toEqual({
          kind: 'nothing-to-release',
          found: 'none',
        });
        expect(await releaseStock(request, deps())).toEqual({
          kind: 'nothing-to-release',
          found: 'none',
        });
        const items = await allItems();
        expect(items.filter((item) => String(item.pk).startsWith('PROCESSED#'))).toHaveLength(0);
        expect(await outboxOf(request.orderId)).toEqual([]);
      },
      TIMEOUT,
    );

    it(
      'refuses to release into a product that does not hold the reserved units, writing nothing',
      async () => {
        const sku = await newProduct(2);
        const payment = paymentCompleted([{ sku, quantity: 2 }]);
        const reserved = await reserveStock(payment, deps());
        if (reserved.kind !== 'reserved') throw new Error('expected a reservation');
        const previous = (await store.getReservation(payment.orderId))!;
        const tampered = { ...previous, items: [{ sku, quantity: 3 }] };

        await expect(
          store.release({
            previous: tampered,
            next: { ...tampered, status: 'RELEASED', sequence: 2 },
            event: InventoryReleased.create(
              {
                eventId: randomUUID(),
                occurredAt: NOW.toISOString(),
                orderId: payment.orderId,
                correlationId: payment.orderId,
                causationId: randomUUID(),
                sequence: 2,
              },
              { reservationId: previous.reservationId, items: tampered.items },
            ),
            now: NOW,
          }),
        ).rejects.toBeInstanceOf(InventoryInconsistencyError);
        expect(await stockOf(sku)).toEqual({ available: 0, reserved: 2 });
        expect((await store.getReservation(payment.orderId))?.status).toBe('RESERVED');
      },
      TIMEOUT,
    );
  });

  describe('products', () => {
    it(
      'creates, then replaces a product keeping its reserved units, and refuses a quantity below them',
      async () => {
        const sku = await newProduct(5);
        await reserveStock(paymentCompleted([{ sku, quantity: 3 }]), deps());

        const later = new Date(NOW.getTime() + 60_000);
        const replaced = await store.putProduct(
          { sku, name: 'Renamed', quantity: 10, unitPrice: 2500, currency: 'USD' },
          later,
        );
        expect(replaced).toEqual({
          outcome: 'replaced',
          product: {
            sku,
            name: 'Renamed',
            unitPrice: 2500,
            currency: 'USD',
            available: 7,
            reserved: 3,
            createdAt: NOW.toISOString(),
            updatedAt: later.toISOString(),
          },
        });
        expect(await store.getProduct(sku)).toEqual(
          replaced.outcome === 'replaced' ? replaced.product : undefined,
        );

        const refused = await store.putProduct(
          { sku, name: 'Renamed', quantity: 2, unitPrice: 2500, currency: 'USD' },
          later,
        );
        expect(refused).toEqual({ outcome: 'below-reserved', reserved: 3 });
        expect(await stockOf(sku)).toEqual({ available: 7, reserved: 3 });

        // Exactly the reserved units is enough: nothing is left available.
        const exact = await store.putProduct(
          { sku, name: 'Renamed', quantity: 3, unitPrice: 2500, currency: 'USD' },
          later,
        );
        expect(exact).toMatchObject({
          outcome: 'replaced',
          product: { available: 0, reserved: 3 },
        });
        expect(await stockOf(sku)).toEqual({ available: 0, reserved: 3 });
      },
      TIMEOUT,
    );

    it(
      'lists products in SKU order, page by page, with opaque cursors',
      async () => {
        // A table of its own, so other tests' products do not interleave.
        const listingTable = await createInventoryTable();
        const listing = createInventoryStore(localDocumentDb(), listingTable);
        try {
          const skus = ['A-1', 'B-2', 'C-3', 'D-4', 'E-5'];
          for (const sku of [...skus].reverse()) {
            await listing.putProduct(
              { sku, name: sku, quantity: 1, unitPrice: 100, currency: 'USD' },
              NOW,
            );
          }
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await listing.listProducts({ limit: 2, ...(cursor ? { cursor } : {}) });
            seen.push(...page.products.map((product) => product.sku));
            cursor = page.nextCursor;
            pages += 1;
          } while (cursor && pages < 10);
          expect(seen).toEqual(skus);
          // The index holds keys only: the listing reads each product itself.
          const [first] = (await listing.listProducts({ limit: 1 })).products;
          expect(first).toMatchObject({ sku: 'A-1', name: 'A-1', available: 1, reserved: 0 });
          await expect(
            listing.listProducts({ limit: 2, cursor: 'bm90LWEtY3Vyc29y' }),
          ).rejects.toBeInstanceOf(InvalidCursorError);
        } finally {
          await raw.send(new DeleteTableCommand({ TableName: listingTable }));
        }
      },
      TIMEOUT,
    );
  });
});
