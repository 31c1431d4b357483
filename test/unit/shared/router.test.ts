import { describe, expect, it } from '@jest/globals';
import { createRouter, type RouteRequest } from '../../../lambdas/shared/router.ts';
import { HttpError } from '../../../lambdas/shared/http.ts';
import { apiEvent, lambdaContext } from '../orders/api-fixtures.ts';

const seen: { route: string; params: Record<string, string> }[] = [];
const answer =
  (route: string) =>
  ({ params }: RouteRequest) => {
    seen.push({ route, params });
    return Promise.resolve({ statusCode: 200, body: route });
  };

const route = createRouter([
  { method: 'GET', resource: '/orders', handle: answer('list') },
  { method: 'POST', resource: '/orders', handle: answer('create') },
  { method: 'GET', resource: '/orders/{orderId}', handle: answer('get') },
  { method: 'POST', resource: '/orders/{orderId}/cancel', handle: answer('cancel') },
]);

async function routed(event: Parameters<typeof route>[0]) {
  seen.length = 0;
  const response = await route(event, lambdaContext());
  return { name: response.body, params: seen[0]?.params };
}

async function rejection(event: Parameters<typeof route>[0]): Promise<HttpError> {
  try {
    await route(event, lambdaContext());
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected the router to refuse the request');
}

describe('createRouter', () => {
  it('routes on resource and method, with API Gateway’s path parameters', async () => {
    expect(await routed(apiEvent({ method: 'POST', resource: '/orders' }))).toEqual({
      name: 'create',
      params: {},
    });
    expect(
      await routed(
        apiEvent({
          method: 'POST',
          resource: '/orders/{orderId}/cancel',
          pathParameters: { orderId: 'o1' },
        }),
      ),
    ).toEqual({ name: 'cancel', params: { orderId: 'o1' } });
  });

  it('matches the concrete path when the resource is not one of its routes', async () => {
    expect(await routed(apiEvent({ resource: '/{proxy+}', path: '/orders/a%20b' }))).toEqual({
      name: 'get',
      params: { orderId: 'a b' },
    });
    expect(await routed(apiEvent({ resource: '/{proxy+}', path: '/orders/' }))).toEqual({
      name: 'list',
      params: {},
    });
  });

  it('answers 404 for a path it does not know or cannot decode', async () => {
    for (const path of ['/carts', '/orders/o1/refund', '/orders/%E0%A4%A', '']) {
      expect((await rejection(apiEvent({ resource: '/{proxy+}', path }))).statusCode).toBe(404);
    }
  });

  it('answers 405 listing the methods the resource has', async () => {
    const error = await rejection(apiEvent({ method: 'PUT', resource: '/orders' }));
    expect(error.statusCode).toBe(405);
    expect(error.headers).toEqual({ Allow: 'GET, POST' });
  });
});
