import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { apiMetrics } from '../../lambdas/orders/api/order-api.ts';
import { reactToOrderEvent } from '../../lambdas/orders/use-cases/react-to-order-event.ts';
import {
  apiEvent,
  apiUnderTest,
  bodyOf,
  NOW,
  orderBody,
  postOrder,
} from '../unit/orders/api-fixtures.ts';
import { events } from '../unit/orders/saga-fixtures.ts';

const cancel = (orderId: string, body?: unknown, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'POST',
    resource: '/orders/{orderId}/cancel',
    pathParameters: { orderId },
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  });

const timeline = (orderId: string) =>
  apiEvent({ resource: '/orders/{orderId}/timeline', pathParameters: { orderId } });

const getOrder = (orderId: string) =>
  apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId } });

/** The API with one order placed through it; its timer running as the events consumer would start it. */
async function withPlacedOrder() {
  const api = apiUnderTest();
  const created = await api.call(postOrder(orderBody()));
  const { orderId } = bodyOf(created) as { orderId: string };
  api.timer.running.set(orderId, 'deadline');
  return { ...api, orderId };
}

describe('order API: saga routes', () => {
  describe('POST /orders/{orderId}/cancel', () => {
    it('answers 202 with the cancelled order and stops its timer', async () => {
      const { call, store, timer, orderId, observability } = await withPlacedOrder();
      const addMetric = jest.spyOn(observability.metrics, 'addMetric');
      const response = await call(cancel(orderId, { reason: 'Found it cheaper' }));

      expect(response.statusCode).toBe(202);
      expect(bodyOf(response)).toMatchObject({
        orderId,
        status: 'CANCELLED',
        cancellationReason: 'customer_request',
        cancellationNote: 'Found it cheaper',
        saga: { payment: 'NONE', inventory: 'NONE' },
      });
      expect([...store.outbox.values()].map((event) => event.type)).toEqual([
        'OrderCreated',
        'OrderCancelled',
      ]);
      expect(timer.running.has(orderId)).toBe(false);
      expect(addMetric).toHaveBeenCalledWith(apiMetrics.ordersCancelled, 'Count', 1);
    });

    it('accepts a cancel without a body', async () => {
      const { call, store, orderId } = await withPlacedOrder();
      expect((await call(cancel(orderId))).statusCode).toBe(202);
      expect(store.orders.get(orderId)).not.toHaveProperty('cancellationNote');
    });

    it('accepts a cancel with an empty body and no content type', async () => {
      const { call, store, orderId } = await withPlacedOrder();
      const response = await call(
        apiEvent({
          method: 'POST',
          resource: '/orders/{orderId}/cancel',
          pathParameters: { orderId },
          body: '',
        }),
      );
      expect(response.statusCode).toBe(202);
      expect(store.orders.get(orderId)?.status).toBe('CANCELLED');
    });

    it('answers 409 when the order is already cancelled', async () => {
      const { call, orderId } = await withPlacedOrder();
      await call(cancel(orderId));
      const again = await call(cancel(orderId));
      expect(again.statusCode).toBe(409);
      expect(bodyOf(again)).toEqual({
        error: { code: 'ORDER_ALREADY_CANCELLED', message: expect.any(String), details: [] },
      });
    });

    it('cancels a confirmed order and asks for the refund and the release', async () => {
      const { call, store, timer, orderId } = await withPlacedOrder();
      let ids = 0;
      const deps = { store, timer, now: () => NOW, newId: () => `saga-${++ids}` };
      const forOrder = <T extends { orderId: string }>(event: T) => ({ ...event, orderId });
      await reactToOrderEvent(forOrder(events.paymentCompleted()), deps);
      await reactToOrderEvent(forOrder(events.inventoryReserved()), deps);
      expect(store.orders.get(orderId)?.status).toBe('CONFIRMED');

      const response = await call(cancel(orderId));
      expect(response.statusCode).toBe(202);
      expect(bodyOf(response)).toMatchObject({
        status: 'CANCELLED',
        saga: { payment: 'REFUND_REQUESTED', inventory: 'RELEASE_REQUESTED' },
      });
    });

    it('answers 404 for an unknown order and for an id that cannot be one', async () => {
      const { call } = apiUnderTest();
      expect((await call(cancel('00000000-0000-4000-8000-000000000999'))).statusCode).toBe(404);
      expect((await call(cancel('x'.repeat(300)))).statusCode).toBe(404);
    });

    it('answers 400 for a malformed body even when the id cannot be an order’s', async () => {
      const { call } = apiUnderTest();
      expect((await call(cancel('x'.repeat(300), { reason: '' }))).statusCode).toBe(400);
      expect((await call(cancel('no such id!', '{"reason":'))).statusCode).toBe(400);
    });

    it('answers 400 for a reason that is empty, blank, too long or not a string, or an unknown field', async () => {
      const { call, store, orderId } = await withPlacedOrder();
      for (const body of [
        { reason: '' },
        { reason: '   ' },
        { reason: 'x'.repeat(501) },
        { reason: 42 },
        { reason: 'ok', refund: false },
        [],
      ]) {
        const response = await call(cancel(orderId, body));
        expect({ body, status: response.statusCode }).toEqual({ body, status: 400 });
      }
      expect(store.orders.get(orderId)?.status).toBe('PENDING');
    });

    it('names one problem per bad reason: empty is not also blank', async () => {
      const { call, orderId } = await withPlacedOrder();
      const detailsOf = async (reason: string) =>
        (
          JSON.parse((await call(cancel(orderId, { reason }))).body) as {
            error: { details: { field: string; message: string }[] };
          }
        ).error.details;
      expect(await detailsOf('')).toEqual([{ field: 'reason', message: 'must not be empty' }]);
      expect(await detailsOf('   ')).toEqual([{ field: 'reason', message: 'must not be blank' }]);
    });

    it('accepts a reason of 500 characters', async () => {
      const { call, orderId } = await withPlacedOrder();
      expect((await call(cancel(orderId, { reason: 'x'.repeat(500) }))).statusCode).toBe(202);
    });

    it('answers 400 for malformed JSON and 415 for a body that is not JSON', async () => {
      const { call, orderId } = await withPlacedOrder();
      expect((await call(cancel(orderId, '{"reason":'))).statusCode).toBe(400);
      const text = await call(
        apiEvent({
          method: 'POST',
          resource: '/orders/{orderId}/cancel',
          pathParameters: { orderId },
          headers: { 'Content-Type': 'text/plain' },
          body: 'please cancel',
        }),
      );
      expect(text.statusCode).toBe(415);
    });

    it('still cancels when the timer cannot be stopped', async () => {
      const { call, timer, orderId, observability } = await withPlacedOrder();
      const addMetric = jest.spyOn(observability.metrics, 'addMetric');
      timer.failStops = new Error('ServiceUnavailable');
      expect((await call(cancel(orderId))).statusCode).toBe(202);
      expect(addMetric).toHaveBeenCalledWith(apiMetrics.timerStopFailures, 'Count', 1);
    });

    it('answers 503 when the order keeps conflicting', async () => {
      const { call, store, orderId } = await withPlacedOrder();
      store.transitionConflictsAhead = 100;
      const response = await call(cancel(orderId));
      expect(response.statusCode).toBe(503);
      expect(store.orders.get(orderId)?.status).toBe('PENDING');
    });

    it('answers 405 for another method', async () => {
      const { call, orderId } = await withPlacedOrder();
      const response = await call(
        apiEvent({
          method: 'GET',
          resource: '/orders/{orderId}/cancel',
          pathParameters: { orderId },
        }),
      );
      expect(response.statusCode).toBe(405);
    });
  });

  describe('GET /orders/{orderId}/timeline', () => {
    it('lists the creation and every change in the order they were applied', async () => {
      const { call, orderId } = await withPlacedOrder();
      await call(cancel(orderId));

      const response = await call(timeline(orderId));
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({
        items: [
          {
            at: NOW.toISOString(),
            type: 'OrderPlaced',
            status: 'PENDING',
            payment: 'NONE',
            inventory: 'NONE',
            emitted: ['OrderCreated'],
          },
          {
            at: NOW.toISOString(),
            type: 'CancelRequested',
            status: 'CANCELLED',
            payment: 'NONE',
            inventory: 'NONE',
            emitted: ['OrderCancelled'],
          },
        ],
      });
    });

    it('answers 404 for an unknown order', async () => {
      const { call } = apiUnderTest();
      expect((await call(timeline('00000000-0000-4000-8000-000000000999'))).statusCode).toBe(404);
      expect((await call(timeline('not a valid id'))).statusCode).toBe(404);
    });
  });

  describe('GET /orders/{orderId}', () => {
    it('shows the saga’s progress and the cancellation', async () => {
      const { call, orderId } = await withPlacedOrder();
      await call(cancel(orderId, { reason: 'Wrong size' }));
      const response = await call(getOrder(orderId));
      expect(bodyOf(response)).toMatchObject({
        status: 'CANCELLED',
        saga: { payment: 'NONE', inventory: 'NONE' },
        cancellationReason: 'customer_request',
        cancellationNote: 'Wrong size',
      });
    });
  });

  describe('with generated cancel requests', () => {
    const bodies = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            reason: fc.oneof(fc.string({ maxLength: 600 }), fc.jsonValue()),
            extra: fc.jsonValue(),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
    );
    const contentTypes = fc.option(
      fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', ''),
      { nil: undefined },
    );

    it('never answers 5xx, and leaves the order untouched when it refuses', async () => {
      await fc.assert(
        fc.asyncProperty(bodies, contentTypes, fc.boolean(), async (body, contentType, base64) => {
          const { call, store, orderId } = await withPlacedOrder();
          const response = await call(
            apiEvent({
              method: 'POST',
              resource: '/orders/{orderId}/cancel',
              pathParameters: { orderId },
              headers: contentType === undefined ? {} : { 'Content-Type': contentType },
              body: base64 && body !== null ? Buffer.from(body).toString('base64') : body,
              isBase64Encoded: base64,
            }),
          );
          expect([202, 400, 413, 415]).toContain(response.statusCode);
          const order = store.orders.get(orderId)!;
          if (response.statusCode === 202) {
            expect(order.status).toBe('CANCELLED');
          } else {
            expect(order).toMatchObject({ status: 'PENDING', version: 1 });
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});
