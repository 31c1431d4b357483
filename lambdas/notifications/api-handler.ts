/**
 * Entry point of the notifications API Lambda (`GET /orders/{orderId}/notifications`,
 * API Gateway REST proxy integration). Environment validated and clients created once
 * per container; the SDK finds its endpoint in the environment.
 */
import { createDocumentClient } from '../shared/dynamo.ts';
import { loadEnv } from '../shared/env.ts';
import { createObservability } from '../shared/observability.ts';
import { createNotificationStore } from './adapters/notification-store.ts';
import { createNotificationsApiHandler } from './api/notifications-api.ts';
import { notificationsApiEnv } from './env.ts';

const env = loadEnv(notificationsApiEnv);
const observability = createObservability('notifications');
const documentClient = createDocumentClient();

export const handler = createNotificationsApiHandler({
  store: createNotificationStore(documentClient, env.TABLE_NAME),
  observability,
});
