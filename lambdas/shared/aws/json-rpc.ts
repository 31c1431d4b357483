import { credentialsFromEnv } from './credentials.ts';
import { resolveEndpoint, type AwsService, type ResolvedEndpoint } from './endpoint.ts';
import { parseErrorResponse } from './errors.ts';
import { nodeHttpTransport, type HttpTransport } from './http-transport.ts';
import { MAX_ATTEMPTS, RetryQuota, retryDelayMs, retryKind } from './retry.ts';
import { signRequest } from './sigv4.ts';

/** How to reach one JSON-protocol service (DynamoDB, EventBridge, Step Functions, SQS). */
export interface JsonRpcClientOptions {
  service: AwsService;
  /** The `X-Amz-Target` prefix, e.g. `DynamoDB_20120810`; the target is `<prefix>.<Operation>`. */
  targetPrefix: string;
  /** `1.0` (DynamoDB, Step Functions, SQS) or `1.1` (EventBridge). */
  jsonVersion: '1.0' | '1.1';
  /**
   * Where the endpoint, region and credentials are read.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /** @default nodeHttpTransport */
  transport?: HttpTransport;
  /**
   * Deadline of each attempt.
   * @default 5000 ms (well under the functions' timeouts, so a hung connection is retried)
   */
  timeoutMs?: number;
  /** @default MAX_ATTEMPTS (3) */
  maxAttempts?: number;
  /** @default () => new Date() */
  clock?: () => Date;
  /** @default a setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  random?: () => number;
}

/** A client of one JSON-protocol AWS service: signed POSTs with retries. */
export interface JsonRpcClient {
  /**
   * Calls `operation` with `input` and returns the parsed answer.
   * @throws {AwsServiceError} the service's error (name = error code), after the retries
   *   it deserves; a network error or `TimeoutError` after the retries, with `$metadata`.
   */
  call<Output>(operation: string, input: object): Promise<Output>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Creates a {@link JsonRpcClient}: once per container, at module scope. */
export function createJsonRpcClient(options: JsonRpcClientOptions): JsonRpcClient {
  const env = options.env ?? process.env;
  const transport = options.transport ?? nodeHttpTransport;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const quota = new RetryQuota();
  // Resolved on the first call, like the SDK, so that merely importing a module that
  // creates a client needs no AWS environment (unit tests of handlers).
  let endpoint: ResolvedEndpoint | undefined;

  async function attempt(operation: string, body: string) {
    endpoint ??= resolveEndpoint(options.service, env);
    const { url, region, signingName } = endpoint;
    const headers = signRequest(
      {
        method: 'POST',
        host: url.host,
        path: url.pathname,
        headers: {
          'content-type': contentType,
          'content-length': String(Buffer.byteLength(body, 'utf8')),
          'x-amz-target': `${options.targetPrefix}.${operation}`,
        },
        body,
      },
      { credentials: credentialsFromEnv(env), region, service: signingName, date: clock() },
    );
    return transport({ url, method: 'POST', headers, body, timeoutMs });
  }

  return {
    async call<Output>(operation: string, input: object): Promise<Output> {
      const body = JSON.stringify(input);
      let retryCost = 0;
      let totalRetryDelay = 0;
      for (let attempts = 1; ; attempts++) {
        let error: unknown;
        try {
          const response = await attempt(operation, body);
          if (response.status >= 200 && response.status < 300) {
            quota.release(retryCost);
            return (response.body ? JSON.parse(response.body) : {}) as Output;
          }
          error = parseErrorResponse(response);
        } catch (thrown) {
          error = thrown;
        }
        const kind = retryKind(error);
        const cost = kind && attempts < maxAttempts ? quota.acquire(error) : undefined;
        if (kind === undefined || cost === undefined) {
          throw withMetadata(error, attempts, totalRetryDelay);
        }
        retryCost += cost;
        const delay = retryDelayMs(attempts, kind, random);
        totalRetryDelay += delay;
        await sleep(delay);
      }
    },
  };
}

/** Records the attempts and the time waited on the error, as the SDK's `$metadata` does. */
function withMetadata(error: unknown, attempts: number, totalRetryDelay: number): unknown {
  if (!(error instanceof Error)) return error;
  const target = error as Error & { $metadata?: Record<string, unknown> };
  target.$metadata = { ...target.$metadata, attempts, totalRetryDelay };
  return error;
}
