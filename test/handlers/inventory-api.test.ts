import { describe, expect, it, jest } from '@jest/globals';
import { inventoryApiMetrics } from '../../lambdas/inventory/api/inventory-api.ts';
import { MAX_BODY_BYTES } from '../../lambdas/shared/http.ts';
import {
  apiEvent,
  bodyOf,
  inventoryApiUnderTest,
  putProductEvent,
} from '../unit/inventory/api-fixtures.ts';
import { NOW } from '../unit/inventory/fixtures.ts';

const errorBody = (code: string, details: unknown = expect.any(Array)) => ({
  error: { code, message: expect.any(String), details },
});
const mug = { name: 'Mug', quantity: 10, unitPrice: 12.5 };

describe('inventory API handler', () => {
  describe('PUT /inventory/{sku}', () => {
    it('creates a product: 201 with its location and view', async () => {
      const { call, store } = inventoryApiUnderTest();
      const response = await call(putProductEvent('MUG-1', mug));

      expect(response.statusCode).toBe(201);
      expect(response.headers).toMatchObject({ Location: '/prod/inventory/MUG-1' });
      expect(bodyOf(response)).toEqual({
        sku: 'MUG-1',
        name: 'Mug',
        quantity: 10,
        reserved: 0,
        available: 10,
        unitPrice: 12.5,
        currency: 'USD',
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
      });
      expect(store.products.get('MUG-1')).toMatchObject({ unitPrice: 1250, available: 10 });
    });

    it('replaces a product: 200, keeping the units orders hold', async () => {
      const { call, store } = inventoryApiUnderTest();
      store.addProduct('MUG-1', 2, 3);
      const response = await call(putProductEvent('MUG-1', { ...mug, quantity: 8 }));
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({ quantity: 8, reserved: 3, available: 5 });
    });

    it('answers 409 with a clear message when the quantity is below the reserved units', async () => {
      const { call, store } = inventoryApiUnderTest();
      store.addProduct('MUG-1', 2, 3);
      const response = await call(putProductEvent('MUG-1', { ...mug, quantity: 2 }));
      expect(response.statusCode).toBe(409);
      expect(bodyOf(response)).toEqual(errorBody('QUANTITY_BELOW_RESERVED', []));
      expect((bodyOf(response) as { error: { message: string } }).error.message).toContain(
        'at least 3',
      );
      expect(store.products.get('MUG-1')).toMatchObject({ available: 2, reserved: 3 });
    });

    it('answers 400 naming every invalid field, and writes nothing', async () => {
      const { call, store } = inventoryApiUnderTest();
      const response = await call(
        putProductEvent('MUG-1', { name: '', quantity: -1, unitPrice: 1.9999, colour: 'red' }),
      );
      expect(response.statusCode).toBe(400);
      const fields = (bodyOf(response) as { error: { details: { field: string }[] } }).error.details
        .map((detail) => detail.field)
        .sort();
      expect(fields).toEqual(['colour', 'name', 'quantity', 'unitPrice']);
      expect(store.products.size).toBe(0);
    });

    it('answers 400 for a SKU it cannot store', async () => {
      const { call } = inventoryApiUnderTest();
      const response = await call(putProductEvent(' padded ', mug));
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual(
        errorBody('VALIDATION_FAILED', [{ field: 'sku', message: expect.any(String) }]),
      );
    });

    it('answers 415 for a body that is not declared JSON', async () => {
      const { call } = inventoryApiUnderTest();
      const response = await call(putProductEvent('MUG-1', mug, { 'Content-Type': 'text/plain' }));
      expect(response.statusCode).toBe(415);
      expect(bodyOf(response)).toEqual(errorBody('UNSUPPORTED_MEDIA_TYPE'));
    });

    it('answers 413 for a body over the size limit', async () => {
      const { call } = inventoryApiUnderTest();
      const response = await call(
        putProductEvent('MUG-1', JSON.stringify({ ...mug, name: 'x'.repeat(MAX_BODY_BYTES) })),
      );
      expect(response.statusCode).toBe(413);
    });

    it('answers 400 for malformed JSON', async () => {
      const { call } = inventoryApiUnderTest();
      const response = await call(putProductEvent('MUG-1', '{"name":'));
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual(errorBody('MALFORMED_JSON'));
    });

    it('answers 503 with Retry-After when the product stays busy', async () => {
      const { call, store } = inventoryApiUnderTest();
      store.conflicts.putProduct = 100;
      const response = await call(putProductEvent('MUG-1', mug));
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'Retry-After': '1' });
    });

    it('counts written products', async () => {
      const { call, observability } = inventoryApiUnderTest();
      const addMetric = jest.spyOn(observability.metrics, 'addMetric');
      await call(putProductEvent('MUG-1', mug));
      expect(addMetric).toHaveBeenCalledWith(inventoryApiMetrics.productsWritten, 'Count', 1);
    });
  });

  describe('GET /inventory/{sku}', () => {
    it('shows the product', async () => {
      const { call, store } = inventoryApiUnderTest();
      store.addProduct('MUG-1', 4, 1);
      const response = await call(
        apiEvent({ resource: '/inventory/{sku}', pathParameters: { sku: 'MUG-1' } }),
      );
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toMatchObject({
        sku: 'MUG-1',
        quantity: 5,
        reserved: 1,
        available: 4,
        unitPrice: 19.99,
      });
    });

    it.each(['NOPE', 'x'.repeat(300)])(
      'answers 404 for an unknown or impossible SKU',
      async (sku) => {
        const { call } = inventoryApiUnderTest();
        const response = await call(
          apiEvent({ resource: '/inventory/{sku}', pathParameters: { sku } }),
        );
        expect(response.statusCode).toBe(404);
        expect(bodyOf(response)).toEqual(errorBody('NOT_FOUND', []));
      },
    );

    it('answers 500 without details when the store fails, and logs it', async () => {
      const { call, store, observability } = inventoryApiUnderTest();
      store.getProduct = () => Promise.reject(new Error('DynamoDB is down'));
      const logged = jest.spyOn(observability.logger, 'error');
      const response = await call(
        apiEvent({ resource: '/inventory/{sku}', pathParameters: { sku: 'MUG-1' } }),
      );
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('DynamoDB');
      expect(logged).toHaveBeenCalled();
    });
  });

  describe('GET /inventory', () => {
    it('lists products page by page', async () => {
      const { call, store } = inventoryApiUnderTest();
      for (const sku of ['B', 'A', 'C']) store.addProduct(sku, 1);
      const first = bodyOf(
        await call(apiEvent({ resource: '/inventory', query: { limit: '2' } })),
      ) as { items: { sku: string }[]; nextCursor: string };
      expect(first.items.map((item) => item.sku)).toEqual(['A', 'B']);
      const second = bodyOf(
        await call(
          apiEvent({ resource: '/inventory', query: { limit: '2', cursor: first.nextCursor } }),
        ),
      );
      expect(second).toMatchObject({ items: [{ sku: 'C' }], nextCursor: null });
    });

    it('answers 400 for a bad limit or a cursor it did not issue', async () => {
      const { call } = inventoryApiUnderTest();
      const badLimit = await call(apiEvent({ resource: '/inventory', query: { limit: '0' } }));
      expect(badLimit.statusCode).toBe(400);
      expect(bodyOf(badLimit)).toEqual(
        errorBody('VALIDATION_FAILED', [{ field: 'limit', message: expect.any(String) }]),
      );
      const badCursor = await call(
        apiEvent({ resource: '/inventory', query: { cursor: 'forged' } }),
      );
      expect(bodyOf(badCursor)).toEqual(
        errorBody('VALIDATION_FAILED', [{ field: 'cursor', message: expect.any(String) }]),
      );
    });
  });

  describe('routing', () => {
    it('answers 405 with Allow for a method a resource does not support', async () => {
      const { call } = inventoryApiUnderTest();
      const response = await call(
        apiEvent({ method: 'DELETE', resource: '/inventory/{sku}', pathParameters: { sku: 'A' } }),
      );
      expect(response.statusCode).toBe(405);
      expect(response.headers).toMatchObject({ Allow: 'PUT, GET' });
    });

    it('echoes the caller correlation id', async () => {
      const { call } = inventoryApiUnderTest();
      const response = await call(
        apiEvent({ resource: '/inventory', headers: { 'x-correlation-id': 'corr-1' } }),
      );
      expect(response.headers).toMatchObject({ 'x-correlation-id': 'corr-1' });
    });
  });
});
