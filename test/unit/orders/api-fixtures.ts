import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createApiHandler, type OrderApiDeps } from '../../../lambdas/orders/api/order-api.ts';
import { apiEvent, lambdaContext, quietObservability } from '../../support/lambda-fixtures.ts';
import { FakeOrderStore } from './fake-order-store.ts';
import { FakeSagaTimer } from './fake-saga-timer.ts';

export {
  apiEvent,
  bodyOf,
  lambdaContext,
  quietObservability,
} from '../../support/lambda-fixtures.ts';
export type { ApiEventOptions } from '../../support/lambda-fixtures.ts';

/** Helpers for tests of the order API handler (shared by test/handlers/order-api*.test.ts). */

export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** A valid `POST /orders` body. */
export const orderBody = () => ({
  customerId: 'cust-1001',
  customerEmail: 'a@example.com',
  currency: 'USD',
  items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 12.5 }],
  paymentToken: 'tok_visa',
});

/** `POST /orders` with a JSON body. */
export const postOrder = (body: unknown, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'POST',
    resource: '/orders',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The handler wired to an in-memory store, a fixed clock and counting ids. */
export function apiUnderTest(overrides: Partial<OrderApiDeps> = {}) {
  const store = new FakeOrderStore();
  const timer = new FakeSagaTimer();
  let counter = 0;
  const observability = quietObservability();
  const handler = createApiHandler({
    store,
    timer,
    now: () => NOW,
    newId: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    sagaTimeoutSeconds: 90,
    sleep: () => Promise.resolve(),
    observability,
    ...overrides,
  });
  const call = (
    event: APIGatewayProxyEvent,
    context: Context = lambdaContext(),
  ): Promise<APIGatewayProxyResult> => handler(event, context);
  return { store, timer, observability, handler, call };
}
