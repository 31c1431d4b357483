/**
 * Entry point of the inventory admin API Lambda (API Gateway REST, proxy integration:
 * `PUT/GET /inventory/{sku}`, `GET /inventory`). Runs once per container: the environment
 * is validated and the clients are created and reused. No endpoint plumbing: the clients
 * of `shared/aws` read `AWS_ENDPOINT_URL*` themselves.
 */
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { createInventoryStore } from './adapters/inventory-store.ts';
import { createInventoryApiHandler } from './api/inventory-api.ts';
import { inventoryEnv } from './env.ts';

const env = loadEnv(inventoryEnv);
const observability = createObservability('inventory');
const db = createDocumentDb();

export const handler = createInventoryApiHandler({
  store: createInventoryStore(db, env.TABLE_NAME),
  now: () => new Date(),
  observability,
});
