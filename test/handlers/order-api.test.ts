import { describe, expect, it, jest } from '@jest/globals';
import { REPLAYED_HEADER, apiMetrics } from '../../lambdas/orders/api/order-api.ts';
import { MAX_BODY_BYTES } from '../../lambdas/shared/http.ts';
import {
  apiEvent,
  apiUnderTest,
  bodyOf,
  lambdaContext,
  orderBody,
  postOrder,
} from '../unit/orders/api-fixtures.ts';

const errorBody = (code: string, details: unknown = expect.any(Array)) => ({
  error: { code, message: expect.any(String), details },
});

describe('order API handler', () => {
  describe('GET /health', () => {
    it('answers ok', async () => {
      const { call } = apiUnderTest();
      const response = await call(apiEvent({ method: 'GET', resource: '/health' }));
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ status: 'ok' });
    });
  });

  describe('POST /orders', () => {
    it('creates the order and answers 201 with its location and view', async () => {
      const { call, store } = apiUnderTest();
      const response = await call(postOrder(orderBody()));

      expect(response.statusCode).toBe(201);
      const [orderId] = [...store.orders.keys()];
      expect(response.headers).toMatchObject({
        'Content-Type': 'application/json; charset=utf-8',
        Location: `/prod/orders/${orderId}`,
      });
      expect(bodyOf(response)).toEqual({
        orderId,
        status: 'PENDING',
        customerId: 'cust-1001',
        customerEmail: 'a@example.com',
        currency: 'USD',
        items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 12.5 }],
        total: 25,
        saga: { payment: 'NONE', inventory: 'NONE' },
        createdAt: '2026-03-01T12:00:00.000Z',
        updatedAt: '2026-03-01T12:00:00.000Z',
      });
      expect(response.body).not.toContain('tok_visa');
      expect(store.orders.get(orderId!)).toMatchObject({ total: 2500, paymentToken: 'tok_visa' });
      expect(store.outbox.size).toBe(1);
    });

    it('accepts a charset parameter on the content type', async () => {
      const { call } = apiUnderTest();
      const response = await call(
        postOrder(orderBody(), { 'Content-Type': 'application/json; charset=UTF-8' }),
      );
      expect(response.statusCode).toBe(201);
    });

    it('accepts a base64-encoded body', async () => {
      const { call } = apiUnderTest();
      const event = {
        ...postOrder(''),
        body: Buffer.from(JSON.stringify(orderBody())).toString('base64'),
        isBase64Encoded: true,
      };
      expect((await call(event)).statusCode).toBe(201);
    });

    it('counts created orders', async () => {
      const { call, observability } = apiUnderTest();
      const addMetric = jest.spyOn(observability.metrics, 'addMetric');
      await call(postOrder(orderBody()));
      expect(addMetric).toHaveBeenCalledWith(apiMetrics.ordersCreated, 'Count', 1);
    });

    it('answers 400 for malformed JSON and writes nothing', async () => {
      const { call, store } = apiUnderTest();
      const response = await call(postOrder('{"customerId": "c", '));
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual(errorBody('MALFORMED_JSON', []));
      expect(store.createOrderCalls).toBe(0);
    });

    it('answers 400 for a SKU or payment token the saga queues could not carry, and writes nothing', async () => {
      // Accepted, such an order would stay PENDING: no delivery of its OrderCreated succeeds.
      const { call, store } = apiUnderTest();
      for (const body of [
        JSON.stringify(orderBody()).replace('"SKU-1"', '"SKU-1\\uffff"'),
        JSON.stringify({ ...orderBody(), paymentToken: 'tok_\u0007' }),
      ]) {
        const response = await call(postOrder(body));
        expect([response.statusCode, bodyOf(response)]).toEqual([
          400,
          errorBody('MALFORMED_JSON', []),
        ]);
      }
      expect(store.createOrderCalls).toBe(0);
    });

    it('answers 400 for an empty body', async () => {
      const { call } = apiUnderTest();
      const response = await call(postOrder(''));
      expect([
        response.statusCode,
        (bodyOf(response) as { error: { code: string } }).error.code,
      ]).toEqual([400, 'MALFORMED_JSON']);
    });

    const invalidFields: [string, Record<string, unknown>, string][] = [
      ['customerId', { customerId: undefined }, 'is required'],
      [
        'customerId',
        { customerId: 'no spaces allowed' },
        'may contain only letters, digits and . _ : -',
      ],
      ['customerEmail', { customerEmail: 'nope' }, 'must be a valid email address'],
      [
        'currency',
        { currency: 'usd' },
        'must be an ISO 4217 currency code in upper case, e.g. USD',
      ],
      ['items', { items: [] }, 'must contain at least 1 item'],
      ['items[0].sku', { items: [{ sku: '', quantity: 1, unitPrice: 1 }] }, 'must not be empty'],
      [
        'items[0].quantity',
        { items: [{ sku: 'S', quantity: 1001, unitPrice: 1 }] },
        'must be at most 1000',
      ],
      [
        'items[0].unitPrice',
        { items: [{ sku: 'S', quantity: 1, unitPrice: 1.999 }] },
        'must have at most 2 decimal places for USD',
      ],
      [
        'items[0].unitPrice',
        { currency: 'JPY', items: [{ sku: 'S', quantity: 1, unitPrice: 1.5 }] },
        'must be a whole number: JPY has no minor unit',
      ],
      ['paymentToken', { paymentToken: '' }, 'must not be empty'],
      ['coupon', { coupon: 'FREE' }, 'is not a known field'],
    ];
    it.each(invalidFields)(
      'answers 400 naming %s when it is invalid, and writes nothing',
      async (field, change, message) => {
        const { call, store } = apiUnderTest();
        const response = await call(postOrder({ ...orderBody(), ...change }));
        expect(response.statusCode).toBe(400);
        expect(bodyOf(response)).toEqual(errorBody('VALIDATION_FAILED', [{ field, message }]));
        expect(store.createOrderCalls).toBe(0);
      },
    );

    it('answers 413 for a body over 64 KB', async () => {
      const { call, store } = apiUnderTest();
      const big = JSON.stringify({ ...orderBody(), padding: 'x'.repeat(MAX_BODY_BYTES) });
      const response = await call(postOrder(big));
      expect(response.statusCode).toBe(413);
      expect(bodyOf(response)).toEqual(errorBody('PAYLOAD_TOO_LARGE', []));
      expect(store.createOrderCalls).toBe(0);
    });

    it('answers 413 for a base64-encoded body over 64 KB once decoded', async () => {
      const { call } = apiUnderTest();
      const body = Buffer.from(JSON.stringify({ padding: 'x'.repeat(MAX_BODY_BYTES) })).toString(
        'base64',
      );
      const response = await call({ ...postOrder(''), body, isBase64Encoded: true });
      expect(response.statusCode).toBe(413);
    });

    it('answers 415 when the body is not declared JSON', async () => {
      const { call, store } = apiUnderTest();
      for (const headers of [
        {},
        { 'content-type': 'text/plain' },
        { 'Content-Type': 'application/xml' },
      ]) {
        const event = { ...postOrder(orderBody()), headers };
        const response = await call(event);
        expect(response.statusCode).toBe(415);
        expect(bodyOf(response)).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE', []));
      }
      expect(store.createOrderCalls).toBe(0);
    });

    describe('with an Idempotency-Key', () => {
      it('replays the first response for a retry and creates nothing more', async () => {
        const { call, store } = apiUnderTest();
        const first = await call(postOrder(orderBody(), { 'Idempotency-Key': 'key-1' }));
        const retry = await call(postOrder(orderBody(), { 'idempotency-key': 'key-1' }));

        expect(retry.statusCode).toBe(first.statusCode);
        expect(retry.body).toBe(first.body);
        expect(retry.headers).toMatchObject({
          Location: first.headers!.Location,
          [REPLAYED_HEADER]: 'true',
        });
        expect(first.headers).not.toHaveProperty(REPLAYED_HEADER);
        expect(store.orders.size).toBe(1);
        expect(store.outbox.size).toBe(1);
      });

      it('counts a replay as a replay, not as another order created', async () => {
        const { call, observability } = apiUnderTest();
        const addMetric = jest.spyOn(observability.metrics, 'addMetric');
        await call(postOrder(orderBody(), { 'Idempotency-Key': 'key-1' }));
        await call(postOrder(orderBody(), { 'Idempotency-Key': 'key-1' }));

        const counted = addMetric.mock.calls.map(([name]) => name);
        expect(counted.filter((name) => name === apiMetrics.ordersCreated)).toHaveLength(1);
        expect(counted.filter((name) => name === apiMetrics.idempotentReplays)).toHaveLength(1);
      });

      it('answers 409 when the key was used for a different request', async () => {
        const { call, store } = apiUnderTest();
        await call(postOrder(orderBody(), { 'Idempotency-Key': 'key-1' }));
        const response = await call(
          postOrder({ ...orderBody(), paymentToken: 'tok_other' }, { 'Idempotency-Key': 'key-1' }),
        );

        expect(response.statusCode).toBe(409);
        expect(bodyOf(response)).toEqual(errorBody('IDEMPOTENCY_KEY_REUSED', []));
        expect(store.orders.size).toBe(1);
      });

      it('keeps each customer’s keys apart: the same key from another customer places its own order', async () => {
        const { call, store } = apiUnderTest();
        const first = await call(postOrder(orderBody(), { 'Idempotency-Key': 'order-1' }));
        const other = await call(
          postOrder(
            { ...orderBody(), customerId: 'someone-else' },
            { 'Idempotency-Key': 'order-1' },
          ),
        );

        expect([first.statusCode, other.statusCode]).toEqual([201, 201]);
        expect(other.headers).not.toHaveProperty(REPLAYED_HEADER);
        const idOf = (response: typeof first) => (bodyOf(response) as { orderId: string }).orderId;
        expect(idOf(other)).not.toBe(idOf(first));
        expect(store.orders.size).toBe(2);
      });

      it('answers 400 for a key that is empty, too long or not printable', async () => {
        const { call, store } = apiUnderTest();
        for (const key of ['', 'k'.repeat(129), 'tab\there']) {
          const response = await call(postOrder(orderBody(), { 'Idempotency-Key': key }));
          expect(response.statusCode).toBe(400);
          expect(
            (bodyOf(response) as { error: { details: { field: string }[] } }).error.details[0]
              ?.field,
          ).toBe('Idempotency-Key');
        }
        expect(store.createOrderCalls).toBe(0);
        expect(
          (await call(postOrder(orderBody(), { 'Idempotency-Key': 'k'.repeat(128) }))).statusCode,
        ).toBe(201);
      });

      it('answers 503, asking for a retry, when concurrent writes never settle', async () => {
        const { call, store } = apiUnderTest({ maxAttempts: 2 });
        store.conflictsAhead = Number.POSITIVE_INFINITY;
        const response = await call(postOrder(orderBody(), { 'Idempotency-Key': 'key-1' }));
        expect(response.statusCode).toBe(503);
        expect(response.headers).toMatchObject({ 'Retry-After': '1' });
        expect(bodyOf(response)).toEqual(errorBody('SERVICE_UNAVAILABLE', []));
      });
    });
  });

  describe('GET /orders/{orderId}', () => {
    it('answers the order as created', async () => {
      const { call } = apiUnderTest();
      const created = await call(postOrder(orderBody()));
      const { orderId } = bodyOf(created) as { orderId: string };
      const response = await call(
        apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId } }),
      );

      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual(bodyOf(created));
    });

    it('shows the cancellation reason of a cancelled order', async () => {
      const { call, store } = apiUnderTest();
      const { orderId } = bodyOf(await call(postOrder(orderBody()))) as { orderId: string };
      store.orders.set(orderId, {
        ...store.orders.get(orderId)!,
        status: 'CANCELLED',
        cancellationReason: 'payment_failed',
      });
      const response = await call(
        apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId } }),
      );
      expect(bodyOf(response)).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'payment_failed',
      });
    });

    it('answers 404 for an unknown order', async () => {
      const { call } = apiUnderTest();
      const response = await call(
        apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId: 'no-such-order' } }),
      );
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toEqual(errorBody('NOT_FOUND', []));
    });

    it('answers 404 without a lookup for an id that cannot be an order id', async () => {
      const getOrder = jest.fn(() => Promise.reject(new Error('must not be called')));
      const { call, store } = apiUnderTest();
      store.getOrder = getOrder;
      for (const orderId of ['x'.repeat(3000), 'a/b', 'émoji🙂']) {
        const response = await call(
          apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId } }),
        );
        expect(response.statusCode).toBe(404);
      }
      expect(getOrder).not.toHaveBeenCalled();
    });
  });

  describe('GET /orders', () => {
    async function placeThree(call: ReturnType<typeof apiUnderTest>['call']) {
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) {
        ids.push((bodyOf(await call(postOrder(orderBody()))) as { orderId: string }).orderId);
      }
      return ids;
    }

    it('lists the customer’s orders newest first, with a cursor for the next page', async () => {
      const { call } = apiUnderTest();
      const ids = await placeThree(call);
      const first = await call(
        apiEvent({ resource: '/orders', query: { customerId: 'cust-1001', limit: '2' } }),
      );
      expect(first.statusCode).toBe(200);
      const page1 = bodyOf(first) as { items: { orderId: string }[]; nextCursor: string | null };
      expect(page1.items.map((item) => item.orderId)).toEqual([ids[2], ids[1]]);
      expect(page1.nextCursor).toEqual(expect.any(String));

      const second = await call(
        apiEvent({
          resource: '/orders',
          query: { customerId: 'cust-1001', limit: '2', cursor: page1.nextCursor! },
        }),
      );
      expect(bodyOf(second)).toEqual({
        items: [expect.objectContaining({ orderId: ids[0] })],
        nextCursor: null,
      });
    });

    it('defaults to 20 orders per page', async () => {
      const { call, store } = apiUnderTest();
      const list = jest.spyOn(store, 'listOrdersByCustomer');
      await call(apiEvent({ resource: '/orders', query: { customerId: 'cust-1001' } }));
      expect(list).toHaveBeenCalledWith('cust-1001', { limit: 20 });
    });

    const invalidQueries: [string, Record<string, string> | undefined, string][] = [
      ['a missing customerId', undefined, 'customerId'],
      ['an invalid customerId', { customerId: 'a b' }, 'customerId'],
      ['a limit of 0', { customerId: 'c', limit: '0' }, 'limit'],
      ['a limit over 100', { customerId: 'c', limit: '101' }, 'limit'],
      ['a limit that is not a number', { customerId: 'c', limit: 'ten' }, 'limit'],
      ['a tampered cursor', { customerId: 'c', cursor: 'not-a-cursor' }, 'cursor'],
    ];
    it.each(invalidQueries)('answers 400 for %s', async (_case, query, field) => {
      const { call } = apiUnderTest();
      const response = await call(apiEvent({ resource: '/orders', ...(query ? { query } : {}) }));
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual(
        errorBody('VALIDATION_FAILED', [{ field, message: expect.any(String) }]),
      );
    });
  });

  describe('routing', () => {
    it('answers 404 for an unknown route', async () => {
      const { call } = apiUnderTest();
      const response = await call(apiEvent({ resource: '/carts', method: 'GET' }));
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toEqual(errorBody('NOT_FOUND', []));
    });

    it('answers 405 with the allowed methods for a known path and another method', async () => {
      const { call } = apiUnderTest();
      const response = await call(
        apiEvent({
          resource: '/orders/{orderId}',
          method: 'DELETE',
          pathParameters: { orderId: 'x' },
        }),
      );
      expect(response.statusCode).toBe(405);
      expect(response.headers).toMatchObject({ Allow: 'GET' });
      expect(bodyOf(response)).toEqual(errorBody('METHOD_NOT_ALLOWED', []));
    });

    it('routes on the path when the API uses a {proxy+} resource', async () => {
      const { call } = apiUnderTest();
      const { orderId } = bodyOf(await call(postOrder(orderBody()))) as { orderId: string };
      const response = await call(
        apiEvent({
          resource: '/{proxy+}',
          path: `/orders/${orderId}`,
          pathParameters: { proxy: `orders/${orderId}` },
        }),
      );
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({ orderId });
    });
  });

  describe('failures that are ours', () => {
    it('answer 500 with a generic message and log the error', async () => {
      const { call, store, observability } = apiUnderTest();
      const logError = jest.spyOn(observability.logger, 'error');
      const failure = new Error('DynamoDB is having a bad day');
      store.getOrder = () => Promise.reject(failure);
      const response = await call(
        apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId: 'o1' } }),
      );

      expect(response.statusCode).toBe(500);
      expect(bodyOf(response)).toEqual({
        error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side', details: [] },
      });
      expect(response.body).not.toContain('bad day');
      expect(logError).toHaveBeenCalledWith('Request failed', { error: failure });
    });

    it('answer 503 instead of a Lambda timeout when the store hangs', async () => {
      const { call, store } = apiUnderTest();
      store.getOrder = () => new Promise(() => undefined);
      const response = await call(
        apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId: 'o1' } }),
        lambdaContext(50),
      );
      expect(response.statusCode).toBe(503);
    });
  });

  describe('correlation id', () => {
    it('is the caller’s x-correlation-id, on the logs and echoed on the response', async () => {
      const { call, store, observability } = apiUnderTest();
      let seenInLogs: unknown;
      store.getOrder = () => {
        seenInLogs = observability.logger.getCorrelationId();
        return Promise.resolve(undefined);
      };
      const response = await call(
        apiEvent({
          resource: '/orders/{orderId}',
          pathParameters: { orderId: 'o1' },
          headers: { 'X-Correlation-Id': 'caller-42' },
        }),
      );
      expect(seenInLogs).toBe('caller-42');
      expect(response.headers).toMatchObject({ 'x-correlation-id': 'caller-42' });
    });

    it('falls back to the API Gateway request id, ignoring an unsafe header', async () => {
      const { call } = apiUnderTest();
      const response = await call(
        apiEvent({ requestId: 'api-req-7', headers: { 'x-correlation-id': 'bad id\n' } }),
      );
      expect(response.headers).toMatchObject({ 'x-correlation-id': 'api-req-7' });
    });

    it('does not leak into the next invocation', async () => {
      const { call, observability } = apiUnderTest();
      await call(apiEvent({ headers: { 'x-correlation-id': 'first' } }));
      expect(observability.logger.getCorrelationId()).toBeUndefined();
    });
  });
});
