import { describe, expect, it } from '@jest/globals';
import { OrderCreated } from '../../../events/index.ts';
import {
  validatePlaceOrderRequest,
  type ValidPlaceOrder,
} from '../../../lambdas/orders/domain/place-order-request.ts';
import {
  IDEMPOTENCY_RETENTION_SECONDS,
  placeOrder,
  WriteContentionError,
  type PlaceOrderDeps,
  type PlaceOrderResult,
} from '../../../lambdas/orders/use-cases/place-order.ts';
import { FakeOrderStore } from './fake-order-store.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

function valid(body: unknown): ValidPlaceOrder {
  const result = validatePlaceOrderRequest(body);
  if (!result.ok) throw new Error(`invalid test body: ${JSON.stringify(result.details)}`);
  return result.value;
}

const requestBody = {
  customerId: 'cust-1001',
  customerEmail: 'a@example.com',
  currency: 'USD',
  items: [
    { sku: 'SKU-1', quantity: 2, unitPrice: 12.5 },
    { sku: 'SKU-2', quantity: 1, unitPrice: 0.29 },
  ],
  paymentToken: 'tok_visa',
};

function setup(overrides: Partial<PlaceOrderDeps> = {}) {
  const store = new FakeOrderStore();
  let counter = 0;
  const sleeps: number[] = [];
  const deps: PlaceOrderDeps = {
    store,
    now: () => NOW,
    newId: () => `id-${++counter}`,
    sagaTimeoutSeconds: 90,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...overrides,
  };
  return { store, deps, sleeps };
}

function placed(result: PlaceOrderResult) {
  if (result.kind !== 'placed') throw new Error(`expected an order, got ${result.kind}`);
  return result;
}

describe('placeOrder', () => {
  it('creates a PENDING order priced in minor units, with its deadline', async () => {
    const { store, deps } = setup({ sagaTimeoutSeconds: 120 });
    const result = placed(await placeOrder({ order: valid(requestBody) }, deps));

    expect(result).toMatchObject({ orderId: 'id-1', statusCode: 201, replayed: false });
    expect(store.orders.get('id-1')).toEqual({
      orderId: 'id-1',
      customerId: 'cust-1001',
      customerEmail: 'a@example.com',
      currency: 'USD',
      items: [
        { sku: 'SKU-1', quantity: 2, unitPrice: 1250 },
        { sku: 'SKU-2', quantity: 1, unitPrice: 29 },
      ],
      total: 2529,
      paymentToken: 'tok_visa',
      status: 'PENDING',
      saga: { payment: 'NONE', inventory: 'NONE' },
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
      deadline: '2026-03-01T12:02:00.000Z',
      sequence: 1,
      version: 1,
    });
  });

  it('writes the OrderCreated event with the order, as the saga expects it', async () => {
    const { store, deps } = setup();
    await placeOrder({ order: valid(requestBody) }, deps);

    const [event] = [...store.outbox.values()];
    expect(() => OrderCreated.parse(event)).not.toThrow();
    expect(event).toEqual({
      eventId: 'id-2',
      type: 'OrderCreated',
      version: 1,
      occurredAt: '2026-03-01T12:00:00.000Z',
      orderId: 'id-1',
      correlationId: 'id-1',
      causationId: 'id-1',
      sequence: 1,
      data: expect.objectContaining({
        customerId: 'cust-1001',
        customerEmail: 'a@example.com',
        currency: 'USD',
        items: [
          { sku: 'SKU-1', quantity: 2, unitPrice: 1250 },
          { sku: 'SKU-2', quantity: 1, unitPrice: 29 },
        ],
        total: 2529,
        paymentToken: 'tok_visa',
        deadline: '2026-03-01T12:01:30.000Z',
      }),
    });
  });

  it('answers with the order in decimals and never the payment token', async () => {
    const { deps } = setup();
    const result = placed(await placeOrder({ order: valid(requestBody) }, deps));

    expect(JSON.parse(result.body)).toEqual({
      orderId: 'id-1',
      status: 'PENDING',
      customerId: 'cust-1001',
      customerEmail: 'a@example.com',
      currency: 'USD',
      items: [
        { sku: 'SKU-1', quantity: 2, unitPrice: 12.5 },
        { sku: 'SKU-2', quantity: 1, unitPrice: 0.29 },
      ],
      total: 25.29,
      saga: { payment: 'NONE', inventory: 'NONE' },
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(result.body).not.toContain('tok_visa');
  });

  it('creates a new order for every request without an idempotency key', async () => {
    const { store, deps } = setup();
    await placeOrder({ order: valid(requestBody) }, deps);
    await placeOrder({ order: valid(requestBody) }, deps);
    expect(store.orders.size).toBe(2);
    expect(store.idempotency.size).toBe(0);
  });

  describe('with an idempotency key', () => {
    it('remembers the key with the request fingerprint and the response for 24 hours', async () => {
      const { store, deps } = setup();
      const result = placed(
        await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps),
      );

      // Scoped to the customer: another customer's "key-1" is another key.
      expect(store.idempotency.get('cust-1001#key-1')).toEqual({
        key: 'cust-1001#key-1',
        requestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        orderId: 'id-1',
        statusCode: 201,
        responseBody: result.body,
        createdAt: NOW.toISOString(),
        expiresAt: NOW.getTime() / 1000 + IDEMPOTENCY_RETENTION_SECONDS,
      });
      expect(IDEMPOTENCY_RETENTION_SECONDS).toBe(24 * 60 * 60);
    });

    it('replays the first response for the same request and creates nothing', async () => {
      const { store, deps } = setup();
      const first = placed(
        await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps),
      );
      const again = placed(
        await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps),
      );

      expect(again).toEqual({ ...first, replayed: true });
      expect(store.orders.size).toBe(1);
      expect(store.outbox.size).toBe(1);
    });

    it('treats the same request written differently as the same request', async () => {
      const { store, deps } = setup();
      await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);
      const { currency: _default, ...withoutCurrency } = requestBody;
      const reordered = Object.fromEntries(Object.entries(withoutCurrency).reverse());
      const again = await placeOrder({ order: valid(reordered), idempotencyKey: 'key-1' }, deps);

      expect(again).toMatchObject({ kind: 'placed', orderId: 'id-1', replayed: true });
      expect(store.orders.size).toBe(1);
    });

    it('refuses the key for a different request and writes nothing', async () => {
      const { store, deps } = setup();
      await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);
      const other = { ...requestBody, items: [{ sku: 'SKU-1', quantity: 3, unitPrice: 12.5 }] };
      const result = await placeOrder({ order: valid(other), idempotencyKey: 'key-1' }, deps);

      expect(result).toEqual({ kind: 'idempotency-key-reused' });
      expect(store.orders.size).toBe(1);
      expect(store.outbox.size).toBe(1);
    });

    it('reads the record when the store could not return it with the failed condition', async () => {
      const { store, deps } = setup();
      await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);
      store.returnsExistingRecord = false;
      const again = await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);

      expect(again).toMatchObject({ kind: 'placed', orderId: 'id-1', replayed: true });
      expect(store.recordReads).toBe(1);
    });

    it('uses the record the store returned without reading it again', async () => {
      const { store, deps } = setup();
      await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);
      await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);
      expect(store.recordReads).toBe(0);
    });

    it('places the order when the key’s record expired between the failed condition and the read', async () => {
      const { store, deps } = setup();
      // The condition failed on a record that TTL-expired before it could be read: the
      // store returned no record, and reading it finds none (the key is free again).
      const createOrder = store.createOrder.bind(store);
      let taken = true;
      store.createOrder = (write) => {
        if (!taken) return createOrder(write);
        taken = false;
        return Promise.resolve({ outcome: 'idempotency-key-taken' });
      };
      const result = await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);

      expect(result).toMatchObject({ kind: 'placed', replayed: false, statusCode: 201 });
      expect(store.recordReads).toBe(1);
      expect(store.orders.size).toBe(1);
      expect(store.idempotency.has('cust-1001#key-1')).toBe(true);
    });

    it('forgets a key after 24 hours', async () => {
      let now = NOW;
      const { store, deps } = setup({ now: () => now });
      await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);
      now = new Date(NOW.getTime() + (IDEMPOTENCY_RETENTION_SECONDS + 1) * 1000);
      const later = await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);

      expect(later).toMatchObject({ kind: 'placed', replayed: false });
      expect(store.orders.size).toBe(2);
    });
  });

  describe('when concurrent writes conflict', () => {
    it('retries with growing, jittered pauses until the write goes through', async () => {
      const { store, deps, sleeps } = setup({ random: () => 0.5 });
      store.conflictsAhead = 3;
      const result = await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);

      expect(result).toMatchObject({ kind: 'placed', replayed: false });
      expect(store.createOrderCalls).toBe(4);
      expect(sleeps).toEqual([12, 25, 50]);
      expect(store.orders.size).toBe(1);
    });

    it('spreads the pauses with the random source (full jitter)', async () => {
      const { store, deps, sleeps } = setup({ random: () => 0 });
      store.conflictsAhead = 2;
      await placeOrder({ order: valid(requestBody) }, deps);
      expect(sleeps).toEqual([0, 0]);
    });

    it('answers with the winner’s order when the conflicting request commits first', async () => {
      const { store, deps } = setup();
      // The concurrent request: same key and body, placed by another "Lambda" with its own ids.
      const winner = setup();
      const winnerResult = placed(
        await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, winner.deps),
      );
      store.conflictsAhead = 1;
      store.beforeCreate = () => {
        if (store.conflictsAhead === 0 && !store.idempotency.has('key-1')) {
          for (const [key, value] of winner.store.idempotency) store.idempotency.set(key, value);
          for (const [key, value] of winner.store.orders) store.orders.set(key, value);
        }
      };
      const result = await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);

      expect(result).toEqual({ ...winnerResult, replayed: true });
      expect(store.orders.size).toBe(1);
      expect(store.outbox.size).toBe(0);
    });

    it('reads the key’s record after the last attempt and replays it if another request committed', async () => {
      const { store, deps } = setup({ maxAttempts: 3 });
      const winner = setup();
      await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, winner.deps);
      store.conflictsAhead = Number.POSITIVE_INFINITY;
      store.beforeCreate = () => {
        for (const [key, value] of winner.store.idempotency) store.idempotency.set(key, value);
      };
      const result = await placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps);

      expect(store.createOrderCalls).toBe(3);
      expect(store.recordReads).toBe(1);
      expect(result).toMatchObject({ kind: 'placed', replayed: true });
    });

    it('gives up with a contention error when no attempt committed, having written nothing', async () => {
      const { store, deps, sleeps } = setup({ maxAttempts: 4 });
      store.conflictsAhead = Number.POSITIVE_INFINITY;

      await expect(
        placeOrder({ order: valid(requestBody), idempotencyKey: 'key-1' }, deps),
      ).rejects.toThrow(WriteContentionError);
      expect(store.createOrderCalls).toBe(4);
      expect(sleeps).toHaveLength(3);
      expect(store.orders.size).toBe(0);
    });
  });

  it('fails loudly when the order id is already taken (a broken id generator)', async () => {
    const { store, deps } = setup({ newId: () => 'always-the-same' });
    await placeOrder({ order: valid(requestBody) }, deps);
    await expect(placeOrder({ order: valid(requestBody) }, deps)).rejects.toThrow(
      'An order item for order always-the-same already exists',
    );
    expect(store.orders.size).toBe(1);
    expect(store.createOrderCalls).toBe(2);
  });
});
