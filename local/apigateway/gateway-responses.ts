import type { GatewayResponseDefinition } from '../template/gateway-responses.ts';
import type { HttpResponse } from './event.ts';

/** An answer API Gateway gives itself, before any gateway response customizes it. */
export interface GatewayError {
  /** The gateway response type it belongs to. */
  responseType: string;
  statusCode: number;
  message: string;
  /** `x-amzn-ErrorType`, where API Gateway sends one. */
  errorType?: string;
}

/** The answers the local API Gateway gives itself, with AWS's status codes and messages. */
export const gatewayErrors = {
  /** No resource matches the path, or it has no such method. */
  missingAuthToken: (): GatewayError => ({
    responseType: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  }),
  /** An `ApiKeyRequired` method called without a key. */
  missingApiKey: (): GatewayError => ({
    responseType: 'INVALID_API_KEY',
    statusCode: 403,
    message: 'Forbidden',
    errorType: 'ForbiddenException',
  }),
  /** The function failed, or its result is not a proxy result: no type of its own. */
  integrationError: (): GatewayError => ({
    responseType: 'DEFAULT_5XX',
    statusCode: 502,
    message: 'Internal server error',
  }),
  /** The function was throttled. */
  throttled: (): GatewayError => ({
    responseType: 'DEFAULT_5XX',
    statusCode: 500,
    message: 'Internal server error',
  }),
  /** The function did not answer within the 29 s integration timeout. */
  timeout: (): GatewayError => ({
    responseType: 'INTEGRATION_TIMEOUT',
    statusCode: 504,
    message: 'Endpoint request timed out',
  }),
};

/** What a gateway response template may refer to, besides the error. */
export interface GatewayContext {
  requestId: string;
  apiId?: string;
  stage?: string;
}

/** API Gateway's body when no gateway response sets a template. */
const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/**
 * The HTTP answer for `error`, shaped by the API's gateway responses as API Gateway
 * does: the response of the error's own type if the API has one, else the
 * `DEFAULT_4XX`/`DEFAULT_5XX` fallback of its status class. A status code set on
 * the fallback replaces that of every type it covers. The body is the
 * `application/json` template (or the only one) with `$context` variables replaced.
 */
export function gatewayErrorResponse(
  error: GatewayError,
  responses: readonly GatewayResponseDefinition[],
  context: GatewayContext,
): HttpResponse {
  const fallbackType = error.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX';
  const own = responses.find((r) => r.responseType === error.responseType);
  const fallback = responses.find((r) => r.responseType === fallbackType);
  const response = own ?? fallback;
  const template =
    response?.templates['application/json'] ??
    Object.values(response?.templates ?? {})[0] ??
    DEFAULT_TEMPLATE;
  return {
    statusCode: own?.statusCode ?? fallback?.statusCode ?? error.statusCode,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': context.requestId,
      ...(error.errorType ? { 'x-amzn-errortype': error.errorType } : {}),
      ...response?.headers,
    },
    body: Buffer.from(renderTemplate(template, error, context)),
  };
}

/**
 * Replaces the `$context.…` variables of a gateway response template. These
 * templates are plain substitution, not VTL; a variable with no value here becomes
 * empty, as on AWS.
 */
export function renderTemplate(
  template: string,
  error: GatewayError,
  context: GatewayContext,
): string {
  const values: Record<string, string> = {
    'error.message': error.message,
    'error.messageString': JSON.stringify(error.message),
    'error.responseType': error.responseType,
    'error.validationErrorString': '',
    requestId: context.requestId,
    extendedRequestId: context.requestId,
    apiId: context.apiId ?? '',
    stage: context.stage ?? '',
  };
  return template.replace(
    /\$context\.([A-Za-z]\w*(?:\.[A-Za-z]\w*)*)/g,
    (_, name: string) => values[name] ?? '',
  );
}
