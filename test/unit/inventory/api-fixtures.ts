import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  createInventoryApiHandler,
  type InventoryApiDeps,
} from '../../../lambdas/inventory/api/inventory-api.ts';
import { apiEvent, lambdaContext, quietObservability } from '../../support/lambda-fixtures.ts';
import { FakeInventoryStore } from './fake-inventory-store.ts';
import { NOW } from './fixtures.ts';

/** Helpers for tests of the inventory admin API handler. */

export { apiEvent, bodyOf, lambdaContext } from '../../support/lambda-fixtures.ts';

/** `PUT /inventory/{sku}` with a JSON body. */
export const putProductEvent = (
  sku: string,
  body: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
) =>
  apiEvent({
    method: 'PUT',
    resource: '/inventory/{sku}',
    pathParameters: { sku },
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The handler wired to an in-memory store and a fixed clock. */
export function inventoryApiUnderTest(overrides: Partial<InventoryApiDeps> = {}) {
  const store = new FakeInventoryStore();
  const observability = quietObservability();
  const handler = createInventoryApiHandler({
    store,
    now: () => NOW,
    retry: { sleep: () => Promise.resolve() },
    observability,
    ...overrides,
  });
  const call = (
    event: APIGatewayProxyEvent,
    context: Context = lambdaContext(),
  ): Promise<APIGatewayProxyResult> => handler(event, context);
  return { store, observability, call };
}
