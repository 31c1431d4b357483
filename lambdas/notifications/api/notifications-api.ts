import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { httpErrors, jsonResponse } from '../../shared/http.ts';
import { createHttpHandler } from '../../shared/http-handler.ts';
import type { Observability } from '../../shared/observability.ts';
import { listNotifications } from '../use-cases/list-notifications.ts';
import type { NotificationStore } from '../use-cases/ports.ts';

/** Everything the notifications API needs; the entry file builds the real ones, tests pass fakes. */
export interface NotificationsApiDeps {
  store: Pick<NotificationStore, 'listByOrder'>;
  observability: Observability;
}

/** The resource this API serves (the infra adds the route with the same string). */
export const NOTIFICATIONS_RESOURCE = '/orders/{orderId}/notifications';

/** Order ids are UUIDs; the same alphabet and size the order API accepts. */
const ORDER_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The notifications API's Lambda handler: `GET /orders/{orderId}/notifications` →
 * `200 { items: [...] }`, oldest first, recipients masked.
 *
 * This service does not know which orders exist, so a well-formed id with no
 * notifications (an order still in progress, or no such order) is `200 { items: [] }`,
 * not a 404; an id no order can have is a 404, as on `GET /orders/{orderId}`.
 */
export function createNotificationsApiHandler(
  deps: NotificationsApiDeps,
): MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { store, observability } = deps;
  return createHttpHandler({
    observability,
    routes: [
      {
        method: 'GET',
        resource: NOTIFICATIONS_RESOURCE,
        handle: async ({ params }) => {
          const orderId = params.orderId;
          if (orderId === undefined || !ORDER_ID.test(orderId)) {
            throw httpErrors.notFound('No order with this id');
          }
          return jsonResponse(200, { items: await listNotifications(orderId, { store }) });
        },
      },
    ],
    timeoutMessage: 'The request took too long; try again',
  });
}
