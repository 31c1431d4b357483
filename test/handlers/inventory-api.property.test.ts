import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { apiEvent, inventoryApiUnderTest } from '../unit/inventory/api-fixtures.ts';

// Each run builds a fresh handler and store, so a failure shrinks to one request.
const RUNS = 300;

const methods = fc.oneof(
  fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'put', 'HEAD'),
  fc.string(),
);
const resources = fc.oneof(
  fc.constantFrom('/inventory', '/inventory/{sku}', '/{proxy+}'),
  fc.string(),
);
const paths = fc.oneof(
  fc.constantFrom('/inventory', '/inventory/MUG-1', '/inventory/%E0%A4%A', '/inventory/a/b'),
  fc.string(),
);
const skus = fc.oneof(
  fc.constantFrom('MUG-1', ' MUG', 'x'.repeat(65)),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary' }),
);

/** A valid product with fields replaced by arbitrary JSON or removed. */
const mutatedProducts = fc
  .record({
    name: fc.oneof(fc.constant('Mug'), fc.string(), fc.jsonValue(), fc.constant(undefined)),
    quantity: fc.oneof(
      fc.integer({ min: -5, max: 2_000_000_000 }),
      fc.double(),
      fc.jsonValue(),
      fc.constant(undefined),
    ),
    unitPrice: fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer(),
      fc.constantFrom(0.1, 12.5, 1e8, 1e9, 1e-7),
      fc.jsonValue(),
      fc.constant(undefined),
    ),
    currency: fc.oneof(
      fc.constantFrom('USD', 'JPY', 'BHD', 'usd', 'XXX'),
      fc.jsonValue(),
      fc.constant(undefined),
    ),
    extra: fc.option(fc.jsonValue(), { nil: undefined }),
  })
  .map((body) => JSON.stringify(body));

const bodies = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  mutatedProducts,
);

const events = fc
  .record({
    method: methods,
    resource: resources,
    path: paths,
    headers: fc.dictionary(
      fc.oneof(fc.constantFrom('Content-Type', 'content-type', 'x-correlation-id'), fc.string()),
      fc.oneof(
        fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain'),
        fc.string(),
      ),
      { maxKeys: 4 },
    ),
    query: fc.option(
      fc.dictionary(
        fc.oneof(fc.constantFrom('limit', 'cursor'), fc.string()),
        fc.oneof(fc.string(), fc.constantFrom('0', '1', '100', '101', 'eyJwayI6MX0')),
      ),
      { nil: undefined },
    ),
    sku: fc.option(skus, { nil: undefined }),
    body: bodies,
    isBase64Encoded: fc.boolean(),
  })
  .map(({ body, isBase64Encoded, sku, query, ...rest }) =>
    apiEvent({
      ...rest,
      ...(sku === undefined ? {} : { pathParameters: { sku } }),
      ...(query ? { query } : {}),
      body: isBase64Encoded && body !== null ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded,
    }),
  );

function expectClientAnswer(response: { statusCode: number; body: string }) {
  expect(response.statusCode).toBeLessThan(500);
  const body = JSON.parse(response.body) as unknown;
  if (response.statusCode >= 400) {
    expect(body).toEqual({
      error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) },
    });
  }
}

describe('inventory API handler, with generated requests', () => {
  it('never answers 5xx to any client input, and writes nothing when it rejects it', async () => {
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const { call, store } = inventoryApiUnderTest();
        const response = await call(event);
        expectClientAnswer(response);
        if (response.statusCode >= 400) expect(store.products.size).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers PUT bodies close to valid ones with 200/201 or a 400/409, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedProducts, fc.nat({ max: 5 }), async (body, reserved) => {
        const { call, store } = inventoryApiUnderTest();
        store.addProduct('MUG-1', 0, reserved);
        const response = await call(
          apiEvent({
            method: 'PUT',
            resource: '/inventory/{sku}',
            pathParameters: { sku: 'MUG-1' },
            headers: { 'Content-Type': 'application/json' },
            body,
          }),
        );
        expect([200, 400, 409]).toContain(response.statusCode);
        expectClientAnswer(response);
        const product = store.products.get('MUG-1')!;
        // Whatever happened, the units orders hold were kept and stock is never negative.
        expect(product.reserved).toBe(reserved);
        expect(product.available).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: RUNS },
    );
  });
});
