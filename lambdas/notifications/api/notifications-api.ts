import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import {
  errorResponse,
  HttpError,
  httpErrors,
  internalErrorResponse,
  jsonResponse,
} from '../../shared/http.ts';
import { withObservability, type Observability } from '../../shared/observability.ts';
import { correlationIdOf } from '../../shared/correlation.ts';
import { createRouter } from '../../shared/router.ts';
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
  const { logger } = observability;

  const route = createRouter([
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
  ]);

  async function handle(
    event: APIGatewayProxyEvent,
    context: Context,
  ): Promise<APIGatewayProxyResult> {
    try {
      return await route(event, context);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      logger.error('Request failed', { error });
      return internalErrorResponse();
    }
  }

  return withObservability(handle, observability, {
    correlationId: (event, context) => correlationIdOf(event, context.awsRequestId),
    timeoutResponse: () =>
      errorResponse(httpErrors.serviceUnavailable('The request took too long; try again')),
  });
}
