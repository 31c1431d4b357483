import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  httpErrors,
  jsonResponse,
  locationOf,
  rawJsonResponse,
  readJsonBody,
} from '../../shared/http.ts';
import type { Observability } from '../../shared/observability.ts';
import { validatePlaceOrderRequest } from '../domain/place-order-request.ts';
import { cancelOrder } from '../use-cases/cancel-order.ts';
import { getOrder } from '../use-cases/get-order.ts';
import { getTimeline } from '../use-cases/get-timeline.ts';
import { listOrders } from '../use-cases/list-orders.ts';
import { toOrderView } from '../use-cases/order-view.ts';
import { placeOrder, WriteContentionError, type PlaceOrderDeps } from '../use-cases/place-order.ts';
import { InvalidCursorError, type OrderStore } from '../use-cases/ports.ts';
import type { TimerStopDeps } from '../use-cases/saga-timer.ts';
import {
  parseCancelRequest,
  parseIdempotencyKey,
  parseListOrdersQuery,
  parseOrderId,
} from './request-parsers.ts';
import { correlationIdOf } from '../../shared/correlation.ts';
import { createHttpHandler, httpMetrics } from '../../shared/http-handler.ts';
import type { Route } from '../../shared/router.ts';

/** Everything the order API needs; the entry file builds the real ones, tests pass fakes. */
/** The timer is stopped (best effort) when a customer cancels a pending order. */
export interface OrderApiDeps extends Omit<PlaceOrderDeps, 'store'>, TimerStopDeps {
  store: OrderStore;
  observability: Observability;
}

/** Header set on a response that repeats an earlier one for the same `Idempotency-Key`. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Metric names the API emits (EMF, namespace from POWERTOOLS_METRICS_NAMESPACE). */
export const apiMetrics = {
  ...httpMetrics,
  ordersCreated: 'OrdersCreated',
  idempotentReplays: 'IdempotentReplays',
  idempotencyConflicts: 'IdempotencyKeyConflicts',
  ordersCancelled: 'OrdersCancelledByCustomer',
  timerStopFailures: 'SagaTimerStopFailures',
} as const;

/**
 * The order API's Lambda handler: routes, the use cases behind them, and the mapping of
 * every outcome to HTTP, inside the shared middy chain (logs, metrics, tracing).
 *
 * Routes: `GET /health`, `POST /orders`, `GET /orders?customerId=&limit=&cursor=`,
 * `GET /orders/{orderId}`, `POST /orders/{orderId}/cancel`, `GET /orders/{orderId}/timeline`.
 * Every error is `{ error: { code, message, details } }`.
 * A client's input only ever yields a 4xx; a 5xx means our failure and is logged.
 */
export function createApiHandler(
  deps: OrderApiDeps,
): MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { store, observability } = deps;
  const { logger, metrics } = observability;

  const routes: Route[] = [
    {
      method: 'GET',
      resource: '/health',
      handle: () => Promise.resolve(jsonResponse(200, { status: 'ok' })),
    },
    {
      method: 'POST',
      resource: '/orders',
      handle: async ({ event }) => {
        const idempotencyKey = parseIdempotencyKey(event);
        const validation = validatePlaceOrderRequest(readJsonBody(event));
        if (!validation.ok) throw httpErrors.validation(validation.details);
        const result = await placeOrder(
          { order: validation.value, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) },
          deps,
        );
        if (result.kind === 'idempotency-key-reused') {
          metrics.addMetric(apiMetrics.idempotencyConflicts, MetricUnit.Count, 1);
          throw httpErrors.conflict(
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was already used with a different request; use a new key for a new order',
          );
        }
        metrics.addMetric(
          result.replayed ? apiMetrics.idempotentReplays : apiMetrics.ordersCreated,
          MetricUnit.Count,
          1,
        );
        logger.info(result.replayed ? 'Order request replayed' : 'Order placed', {
          orderId: result.orderId,
        });
        return rawJsonResponse(result.statusCode, result.body, {
          Location: locationOf(event, `/orders/${encodeURIComponent(result.orderId)}`),
          ...(result.replayed ? { [REPLAYED_HEADER]: 'true' } : {}),
        });
      },
    },
    {
      method: 'GET',
      resource: '/orders',
      handle: async ({ event }) =>
        jsonResponse(200, await listOrders(parseListOrdersQuery(event), { store })),
    },
    {
      method: 'GET',
      resource: '/orders/{orderId}',
      handle: async ({ params }) => {
        const orderId = parseOrderId(params);
        const order = orderId === undefined ? undefined : await getOrder(orderId, { store });
        if (!order) throw httpErrors.notFound('No order with this id');
        return jsonResponse(200, order);
      },
    },
    {
      method: 'POST',
      resource: '/orders/{orderId}/cancel',
      handle: async ({ event, context, params }) => {
        const orderId = parseOrderId(params);
        // The body is checked even for an unknown order: a malformed request is a 400 first.
        const { reason } = parseCancelRequest(event);
        if (orderId === undefined) throw httpErrors.notFound('No order with this id');
        const result = await cancelOrder(
          {
            orderId,
            ...(reason === undefined ? {} : { reason }),
            requestId: correlationIdOf(event, context.awsRequestId),
          },
          deps,
        );
        switch (result.kind) {
          case 'not-found':
            throw httpErrors.notFound('No order with this id');
          case 'already-cancelled':
            throw httpErrors.conflict('ORDER_ALREADY_CANCELLED', 'The order is already cancelled');
          case 'cancelled':
            metrics.addMetric(apiMetrics.ordersCancelled, MetricUnit.Count, 1);
            if (result.timerStop?.outcome === 'failed') {
              metrics.addMetric(apiMetrics.timerStopFailures, MetricUnit.Count, 1);
              logger.warn('Saga timer could not be stopped; it will fire and do nothing', {
                orderId,
                error: result.timerStop.error,
              });
            }
            logger.info('Order cancelled by the customer', { orderId });
            // 202: the order is cancelled, but refunds and releases are still on their way.
            return jsonResponse(202, toOrderView(result.order), {
              Location: locationOf(event, `/orders/${encodeURIComponent(orderId)}`),
            });
        }
      },
    },
    {
      method: 'GET',
      resource: '/orders/{orderId}/timeline',
      handle: async ({ params }) => {
        const orderId = parseOrderId(params);
        const timeline = orderId === undefined ? undefined : await getTimeline(orderId, { store });
        if (!timeline) throw httpErrors.notFound('No order with this id');
        return jsonResponse(200, timeline);
      },
    },
  ];
  return createHttpHandler({
    routes,
    observability,
    knownFailure: (error) => {
      if (error instanceof InvalidCursorError) {
        return httpErrors.validation([{ field: 'cursor', message: error.message }]);
      }
      if (error instanceof WriteContentionError) {
        logger.warn('Order write kept conflicting', { error });
        return httpErrors.serviceUnavailable(
          'The order could not be saved right now; retry (with the same Idempotency-Key for a new order)',
        );
      }
      return undefined;
    },
    timeoutMessage: 'The request took too long; retry with the same Idempotency-Key',
  });
}
