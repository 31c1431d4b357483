/**
 * Entry point of the notifications API Lambda (`GET /orders/{orderId}/notifications`,
 * API Gateway REST proxy integration). Environment validated and clients created once
 * per container; the client finds its endpoint in the environment.
 */
import { createDocumentDb } from '../shared/aws/document-db.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { createNotificationStore } from './adapters/notification-store.ts';
import { createNotificationsApiHandler } from './api/notifications-api.ts';
import { notificationsApiEnv } from './env.ts';

const env = loadEnv(notificationsApiEnv);
const observability = createObservability('notifications');
const db = createDocumentDb();

export const handler = createNotificationsApiHandler({
  store: createNotificationStore(db, env.TABLE_NAME),
  observability,
});
