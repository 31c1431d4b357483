import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { httpErrors, jsonResponse } from '../../lambdas/shared/http.ts';
import { createHttpHandler, httpMetrics } from '../../lambdas/shared/http-handler.ts';
import type { Route } from '../../lambdas/shared/router.ts';
import { apiEvent, lambdaContext, quietObservability } from '../support/lambda-fixtures.ts';

class BusyError extends Error {}

afterEach(() => {
  jest.restoreAllMocks();
});

/** An API with one route per outcome, built like the app's three APIs. */
function apiUnderTest() {
  const observability = quietObservability();
  const addMetric = jest.spyOn(observability.metrics, 'addMetric');
  const error = jest.spyOn(observability.logger, 'error');
  const routes: Route[] = [
    { method: 'GET', resource: '/ok', handle: () => Promise.resolve(jsonResponse(200, {})) },
    {
      method: 'GET',
      resource: '/bad',
      handle: () => Promise.reject(httpErrors.notFound('No such thing')),
    },
    { method: 'GET', resource: '/busy', handle: () => Promise.reject(new BusyError('busy')) },
    {
      method: 'GET',
      resource: '/bug',
      handle: () => Promise.reject(new TypeError('x is undefined')),
    },
    { method: 'GET', resource: '/slow', handle: () => new Promise(() => undefined) },
  ];
  const handler = createHttpHandler({
    routes,
    observability,
    knownFailure: (failure) =>
      failure instanceof BusyError ? httpErrors.serviceUnavailable('Busy; retry') : undefined,
    timeoutMessage: 'Too slow; retry',
  });
  const call = (resource: string, options: { remainingMs?: number; correlationId?: string } = {}) =>
    handler(
      apiEvent({
        resource,
        headers: options.correlationId ? { 'x-correlation-id': options.correlationId } : {},
      }),
      lambdaContext(options.remainingMs),
    );
  const counted = () => addMetric.mock.calls.map(([name]) => name);
  return { call, counted, error };
}

describe('createHttpHandler', () => {
  it("answers the route's response, counts the request and echoes the caller's correlation id", async () => {
    const { call, counted } = apiUnderTest();
    const response = await call('/ok', { correlationId: 'corr-123' });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'x-correlation-id': 'corr-123' });
    expect(counted()).toEqual([httpMetrics.requests]);
  });

  it('answers an HttpError with its status and body, counted as a client error', async () => {
    const { call, counted, error } = apiUnderTest();
    const response = await call('/bad');
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ error: { message: 'No such thing' } });
    expect(counted()).toEqual([httpMetrics.requests, httpMetrics.clientErrors]);
    expect(error).not.toHaveBeenCalled();
  });

  it('maps a failure the API knows to the answer it chose, without logging it as a bug', async () => {
    const { call, counted, error } = apiUnderTest();
    const response = await call('/busy');
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: { message: 'Busy; retry' } });
    expect(counted()).toEqual([httpMetrics.requests, httpMetrics.serverErrors]);
    expect(error).not.toHaveBeenCalled();
  });

  it('answers any other failure with a generic 500 that leaks nothing, and logs it', async () => {
    const { call, counted, error } = apiUnderTest();
    const response = await call('/bug');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('x is undefined');
    expect(counted()).toEqual([httpMetrics.requests, httpMetrics.serverErrors]);
    expect(error).toHaveBeenCalledWith('Request failed', { error: expect.any(TypeError) });
  });

  it('answers 503 with the timeout message before Lambda would kill the function', async () => {
    const { call, counted } = apiUnderTest();
    const response = await call('/slow', { remainingMs: 50 });
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: { message: 'Too slow; retry' } });
    expect(counted()).toEqual([httpMetrics.serverErrors]);
  });

  it('answers an unknown route with a 4xx, never a 5xx', async () => {
    const { call, counted } = apiUnderTest();
    const response = await call('/nowhere');
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(counted()).toEqual([httpMetrics.requests, httpMetrics.clientErrors]);
  });
});
