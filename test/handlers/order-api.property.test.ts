import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiEvent, apiUnderTest, orderBody } from '../unit/orders/api-fixtures.ts';

// Each run builds a fresh handler and store, so a failure shrinks to one request.
const RUNS = 300;

const methods = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'post'),
  fc.string(),
);
const resources = fc.oneof(
  fc.constantFrom('/health', '/orders', '/orders/{orderId}', '/{proxy+}'),
  fc.string(),
);
const paths = fc.oneof(
  fc.constantFrom('/health', '/orders', '/orders/abc', '/orders/%E0%A4%A', '/orders/a/b', '/'),
  fc.string(),
);
const headerNames = fc.oneof(
  fc.constantFrom(
    'Content-Type',
    'content-type',
    'Idempotency-Key',
    'idempotency-key',
    'x-correlation-id',
  ),
  fc.string(),
);
const headerValues = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    '',
  ),
  fc.string(),
  fc.string({ minLength: 100, maxLength: 200 }),
);
const queries = fc.option(
  fc.dictionary(
    fc.oneof(fc.constantFrom('customerId', 'limit', 'cursor'), fc.string()),
    fc.oneof(
      fc.string(),
      fc.constantFrom('cust-1001', '0', '1', '100', '101', '-1', '1e2', 'eyJwayI6MX0'),
    ),
  ),
  { nil: undefined },
);

/** A valid order with some fields replaced by arbitrary JSON or removed. */
const mutatedOrders = fc
  .record({
    customerId: fc.oneof(
      fc.constant(orderBody().customerId),
      fc.jsonValue(),
      fc.constant(undefined),
    ),
    customerEmail: fc.oneof(
      fc.constant(orderBody().customerEmail),
      fc.jsonValue(),
      fc.constant(undefined),
    ),
    currency: fc.oneof(
      fc.constantFrom('USD', 'JPY', 'BHD', 'usd', 'XXX'),
      fc.jsonValue(),
      fc.constant(undefined),
    ),
    items: fc.oneof(
      fc.array(
        fc.record({
          sku: fc.oneof(fc.constant('SKU-1'), fc.jsonValue()),
          quantity: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.double(), fc.jsonValue()),
          unitPrice: fc.oneof(
            fc.double({ noNaN: true }),
            fc.integer(),
            fc.constantFrom(0.1, 12.5, 1e8, 1e9),
            fc.jsonValue(),
          ),
        }),
        { maxLength: 60 },
      ),
      fc.jsonValue(),
    ),
    paymentToken: fc.oneof(fc.constant('tok_visa'), fc.jsonValue(), fc.constant(undefined)),
    extra: fc.option(fc.jsonValue(), { nil: undefined }),
  })
  .map((body) => JSON.stringify(body));

const bodies = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  mutatedOrders,
);

const events = fc
  .record({
    method: methods,
    resource: resources,
    path: paths,
    headers: fc.dictionary(headerNames, headerValues, { maxKeys: 5 }),
    query: queries,
    pathParameters: fc.option(
      fc.record({
        orderId: fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary' })),
      }),
      { nil: undefined },
    ),
    body: bodies,
    isBase64Encoded: fc.boolean(),
  })
  .map(({ body, isBase64Encoded, ...rest }) =>
    apiEvent({
      ...rest,
      ...(rest.pathParameters ? { pathParameters: rest.pathParameters } : {}),
      ...(rest.query ? { query: rest.query } : {}),
      body: isBase64Encoded && body !== null ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded,
    }),
  );

function expectNoServerErrorAndNothingWrittenOnRejection(
  response: { statusCode: number; body: string },
  writes: number,
) {
  expect(response.statusCode).toBeLessThan(500);
  expect(() => JSON.parse(response.body) as unknown).not.toThrow();
  if (response.statusCode >= 400) {
    expect(JSON.parse(response.body)).toEqual({
      error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
    });
    expect(writes).toBe(0);
  }
}

describe('order API handler, with generated requests', () => {
  it('never answers 5xx to any client input, and writes nothing when it rejects it', async () => {
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const { call, store } = apiUnderTest();
        const response = await call(event);
        expectNoServerErrorAndNothingWrittenOnRejection(
          response,
          store.orders.size + store.outbox.size,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('never answers 5xx to POST /orders with JSON bodies close to valid ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        mutatedOrders,
        fc.option(fc.string(), { nil: undefined }),
        async (body, key) => {
          const { call, store } = apiUnderTest();
          const event: APIGatewayProxyEvent = apiEvent({
            method: 'POST',
            resource: '/orders',
            headers: {
              'Content-Type': 'application/json',
              ...(key === undefined ? {} : { 'Idempotency-Key': key }),
            },
            body,
          });
          const response = await call(event);
          expect([201, 400]).toContain(response.statusCode);
          expectNoServerErrorAndNothingWrittenOnRejection(
            response,
            store.orders.size + store.outbox.size,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('prices every valid order exactly, in minor units', async () => {
    const lines = fc.array(
      fc.record({
        sku: fc.string({ minLength: 1, maxLength: 64 }),
        quantity: fc.integer({ min: 1, max: 1000 }),
        cents: fc.integer({ min: 0, max: 10_000_000_000 }),
      }),
      { minLength: 1, maxLength: 50 },
    );
    await fc.assert(
      fc.asyncProperty(lines, async (generated) => {
        const { call, store } = apiUnderTest();
        // The decimal text a client would write for a whole number of cents, e.g. 1999 → 19.99.
        const items = generated.map(({ sku, quantity, cents }) => ({
          sku,
          quantity,
          unitPrice: JSON.parse(
            `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
          ) as number,
        }));
        const response = await call(
          apiEvent({
            method: 'POST',
            resource: '/orders',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ customerId: 'c', items }),
          }),
        );
        expect(response.statusCode).toBe(201);
        const [stored] = [...store.orders.values()];
        expect(stored?.items.map((line) => line.unitPrice)).toEqual(
          generated.map((line) => line.cents),
        );
        expect(stored?.total).toBe(
          generated.reduce((sum, line) => sum + line.quantity * line.cents, 0),
        );
      }),
      { numRuns: 100 },
    );
  });
});
