import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { MiddyfiedHandler } from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { httpErrors, jsonResponse, locationOf, readJsonBody } from '../../shared/http.ts';
import { createHttpHandler, httpMetrics } from '../../shared/http-handler.ts';
import type { Observability } from '../../shared/observability.ts';
import type { Route } from '../../shared/router.ts';
import { WriteContentionError } from '../use-cases/conflict-retry.ts';
import { InvalidCursorError } from '../use-cases/ports.ts';
import { getProduct, listProducts, putProduct, type ProductsDeps } from '../use-cases/products.ts';
import { parseListProductsQuery, parseSku, validatePutProduct } from './request-parsers.ts';

/** Everything the inventory admin API needs; the entry file builds the real ones, tests pass fakes. */
export interface InventoryApiDeps extends ProductsDeps {
  observability: Observability;
}

/** Metric names the API emits (EMF, namespace from POWERTOOLS_METRICS_NAMESPACE). */
export const inventoryApiMetrics = {
  ...httpMetrics,
  productsWritten: 'ProductsWritten',
} as const;

/**
 * The inventory admin API's Lambda handler (API Gateway REST, proxy integration), inside
 * the shared middy chain (logs, metrics, tracing).
 *
 * Routes: `PUT /inventory/{sku}` `{ name, quantity, unitPrice, currency? }` creates (201)
 * or replaces (200) a product, where `quantity` is the new quantity on hand and units
 * reserved by orders in flight are kept (409 when `quantity` is below them);
 * `GET /inventory/{sku}`; `GET /inventory?limit=&cursor=` lists in SKU order.
 * Every error is `{ error: { code, message, details } }`; client input only ever yields a 4xx.
 */
export function createInventoryApiHandler(
  deps: InventoryApiDeps,
): MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { store, observability } = deps;
  const { logger, metrics } = observability;

  const routes: Route[] = [
    {
      method: 'PUT',
      resource: '/inventory/{sku}',
      handle: async ({ event, params }) => {
        const sku = parseSku(params);
        if (sku === undefined) {
          throw httpErrors.validation([
            {
              field: 'sku',
              message:
                'must be 1 to 64 printable ASCII characters, without leading or trailing spaces',
            },
          ]);
        }
        const validation = validatePutProduct(sku, readJsonBody(event));
        if (!validation.ok) throw httpErrors.validation(validation.details);
        const result = await putProduct(validation.value, deps);
        if (result.kind === 'below-reserved') {
          throw httpErrors.conflict(
            'QUANTITY_BELOW_RESERVED',
            `${result.reserved} units of ${sku} are reserved by orders in progress; ` +
              `the quantity on hand must be at least ${result.reserved}`,
          );
        }
        metrics.addMetric(inventoryApiMetrics.productsWritten, MetricUnit.Count, 1);
        logger.info(result.kind === 'created' ? 'Product created' : 'Product replaced', {
          sku,
          quantity: result.product.quantity,
          reserved: result.product.reserved,
        });
        return result.kind === 'created'
          ? jsonResponse(201, result.product, {
              Location: locationOf(event, `/inventory/${encodeURIComponent(sku)}`),
            })
          : jsonResponse(200, result.product);
      },
    },
    {
      method: 'GET',
      resource: '/inventory/{sku}',
      handle: async ({ params }) => {
        const sku = parseSku(params);
        const product = sku === undefined ? undefined : await getProduct(sku, { store });
        if (!product) throw httpErrors.notFound('No product with this SKU');
        return jsonResponse(200, product);
      },
    },
    {
      method: 'GET',
      resource: '/inventory',
      handle: async ({ event }) =>
        jsonResponse(200, await listProducts(parseListProductsQuery(event), { store })),
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
        logger.warn('Product write kept conflicting with reservations', { error });
        return httpErrors.serviceUnavailable('The product is busy right now; retry the request');
      }
      return undefined;
    },
    timeoutMessage: 'The request took too long; retry the request',
  });
}
