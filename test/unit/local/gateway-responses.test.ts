import { describe, expect, it } from '@jest/globals';
import {
  gatewayErrorResponse,
  gatewayErrors,
  renderTemplate,
} from '../../../local/apigateway/gateway-responses.ts';
import type { GatewayResponseDefinition } from '../../../local/template/gateway-responses.ts';
import { GATEWAY_ERROR_TEMPLATE } from '../../../lib/constructs/order-api.ts';
import type { ErrorBody } from '../../../lambdas/shared/http.ts';

const context = { requestId: 'req-1', apiId: 'abc123', stage: 'dev' };
const json = (response: { body: Buffer }): unknown => JSON.parse(response.body.toString('utf8'));

const fallbacks = (template: string): GatewayResponseDefinition[] =>
  ['DEFAULT_4XX', 'DEFAULT_5XX'].map((responseType) => ({
    responseType,
    headers: {},
    templates: { 'application/json': template },
  }));

describe('gatewayErrorResponse', () => {
  it("answers as API Gateway does with no gateway responses: the type's status and {message}", () => {
    const response = gatewayErrorResponse(gatewayErrors.missingAuthToken(), [], context);
    expect(response.statusCode).toBe(403);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'x-amzn-errortype': 'MissingAuthenticationTokenException',
      'x-amzn-requestid': 'req-1',
    });
    expect(json(response)).toEqual({ message: 'Missing Authentication Token' });
  });

  it("shapes every local answer with the stack's template as the functions' error body, keeping the status", () => {
    const cases = [
      [gatewayErrors.missingAuthToken(), 403, 'MISSING_AUTHENTICATION_TOKEN'],
      [gatewayErrors.missingApiKey(), 403, 'INVALID_API_KEY'],
      [gatewayErrors.integrationError(), 502, 'DEFAULT_5XX'],
      [gatewayErrors.throttled(), 500, 'DEFAULT_5XX'],
      [gatewayErrors.timeout(), 504, 'INTEGRATION_TIMEOUT'],
    ] as const;
    for (const [error, status, code] of cases) {
      const response = gatewayErrorResponse(error, fallbacks(GATEWAY_ERROR_TEMPLATE), context);
      expect(response.statusCode).toBe(status);
      expect(json(response)).toEqual({
        error: { code, message: error.message, details: [] },
      } satisfies ErrorBody);
    }
  });

  it("prefers the error type's own response, then the fallback of its class, for status and headers", () => {
    const responses: GatewayResponseDefinition[] = [
      {
        responseType: 'MISSING_AUTHENTICATION_TOKEN',
        statusCode: 404,
        headers: { 'cache-control': 'no-store' },
        templates: { 'application/json': '{"notFound":$context.error.messageString}' },
      },
      {
        responseType: 'DEFAULT_5XX',
        statusCode: 503,
        headers: {},
        templates: { 'text/plain': 'down ($context.requestId)' },
      },
    ];
    const notFound = gatewayErrorResponse(gatewayErrors.missingAuthToken(), responses, context);
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers['cache-control']).toBe('no-store');
    expect(json(notFound)).toEqual({ notFound: 'Missing Authentication Token' });

    const failed = gatewayErrorResponse(gatewayErrors.timeout(), responses, context);
    expect(failed.statusCode).toBe(503);
    expect(failed.body.toString()).toBe('down (req-1)');

    const forbidden = gatewayErrorResponse(gatewayErrors.missingApiKey(), responses, context);
    expect(forbidden.statusCode).toBe(403);
    expect(json(forbidden)).toEqual({ message: 'Forbidden' });
  });
});

describe('renderTemplate', () => {
  it('quotes messageString as a JSON string and leaves unknown variables empty', () => {
    const error = { responseType: 'DEFAULT_4XX', statusCode: 400, message: 'say "hi"\\' };
    expect(
      renderTemplate(
        '{"m":$context.error.messageString,"raw":"$context.error.message","s":"$context.stage","x":"$context.nothing.here"}',
        error,
        context,
      ),
    ).toBe('{"m":"say \\"hi\\"\\\\","raw":"say "hi"\\","s":"dev","x":""}');
  });
});
