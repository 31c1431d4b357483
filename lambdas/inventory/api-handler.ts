/**
 * Entry point of the inventory admin API Lambda (API Gateway REST, proxy integration:
 * `PUT/GET /inventory/{sku}`, `GET /inventory`). Runs once per container: the environment
 * is validated and the clients are created and reused. No endpoint plumbing: the SDK
 * reads `AWS_ENDPOINT_URL*` itself.
 */
import { createDocumentClient } from '../shared/dynamo.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { createInventoryStore } from './adapters/inventory-store.ts';
import { createInventoryApiHandler } from './api/inventory-api.ts';
import { inventoryEnv } from './env.ts';

const env = loadEnv(inventoryEnv);
const observability = createObservability('inventory');
const documentClient = createDocumentClient();

export const handler = createInventoryApiHandler({
  store: createInventoryStore(documentClient, env.TABLE_NAME),
  now: () => new Date(),
  observability,
});
