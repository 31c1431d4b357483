import type { IncomingHttpHeaders } from 'node:http';
import { FunctionNotFoundError, type LambdaService } from '../lambda/lambda-service.ts';
import { ThrottledError } from '../lambda/function-runtime.ts';

/** The part of the Lambda service the Invoke API needs. */
export type LambdaApi = Pick<LambdaService, 'invokeRaw' | 'invokeAsync' | 'find'>;

interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

const error = (statusCode: number, type: string, message: string, extra: object = {}): Reply => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
  body: Buffer.from(JSON.stringify({ Type: 'User', message, ...extra })),
});

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`):
 * `RequestResponse` (200 with the result, or the error and `X-Amz-Function-Error`),
 * `Event` (202, run asynchronously with retries) and `DryRun` (204).
 * Other Lambda APIs are not emulated (501). `X-Amz-Log-Type: Tail` is accepted but
 * no log tail is returned (the logs are on the local cloud's console).
 */
export async function handleLambdaApi(
  lambda: LambdaApi,
  request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer },
): Promise<Reply> {
  const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations(?:\?.*)?$/.exec(request.url);
  if (!match || request.method !== 'POST') {
    return error(
      501,
      'NotImplemented',
      `Lambda API ${request.method} ${request.url.split('?')[0]} is not emulated locally`,
    );
  }
  const name = decodeURIComponent(match[1]!);
  const runtime = lambda.find(name);
  if (!runtime) {
    return error(404, 'ResourceNotFoundException', `Function not found: ${name}`);
  }
  const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const payloadText = request.body.length > 0 ? request.body.toString('utf8') : '{}';
  try {
    JSON.parse(payloadText);
  } catch {
    return error(400, 'InvalidRequestContentException', 'Could not parse request body into json');
  }
  const version = { 'x-amz-executed-version': '$LATEST' };
  if (type === 'DryRun') return { statusCode: 204, headers: version, body: Buffer.alloc(0) };
  if (type === 'Event') {
    await lambda.invokeAsync(runtime.definition.arn, JSON.parse(payloadText) as unknown);
    return { statusCode: 202, headers: {}, body: Buffer.alloc(0) };
  }
  try {
    const outcome = await lambda.invokeRaw(runtime.definition.arn, payloadText);
    if (outcome.ok) {
      return {
        statusCode: 200,
        headers: { ...version, 'content-type': 'application/json' },
        body: Buffer.from(outcome.payload),
      };
    }
    return {
      statusCode: 200,
      headers: {
        ...version,
        'content-type': 'application/json',
        'x-amz-function-error': 'Unhandled',
      },
      body: Buffer.from(JSON.stringify(outcome.error)),
    };
  } catch (e) {
    if (e instanceof ThrottledError) {
      return error(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: e.reason });
    }
    if (e instanceof FunctionNotFoundError)
      return error(404, 'ResourceNotFoundException', e.message);
    throw e;
  }
}
