/** HTTP and retry facts about a failed call, shaped like the SDK's `$metadata`. */
export interface AwsErrorMetadata {
  httpStatusCode?: number;
  requestId?: string;
  /** Attempts made, retries included. */
  attempts: number;
  /** Time spent waiting between attempts. */
  totalRetryDelay: number;
}

/**
 * An error answered by an AWS service (or a transport failure after the retries), shaped
 * like the SDK's service exceptions so callers test `error.name`, never a class from the
 * SDK: `name` is the error code (`ConditionalCheckFailedException`,
 * `TransactionCanceledException`, …), and the body's other fields (e.g.
 * `CancellationReasons`, `Item`) are set on the error as they came.
 */
export class AwsServiceError extends Error {
  /** `client`: the request was refused (4xx); `server`: the service failed (5xx). */
  readonly $fault: 'client' | 'server';
  readonly $metadata: AwsErrorMetadata;
  /** Set when the service marks the error retryable (throttling or transient). */
  readonly $retryable?: { throttling: boolean };
  /** The response body's fields other than the code and the message. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(options: {
    code: string;
    message: string;
    status: number;
    requestId?: string;
    details?: Record<string, unknown>;
    retryable?: { throttling: boolean };
  }) {
    super(options.message);
    this.name = options.code;
    this.$fault = options.status >= 500 ? 'server' : 'client';
    this.$metadata = {
      httpStatusCode: options.status,
      ...(options.requestId ? { requestId: options.requestId } : {}),
      attempts: 1,
      totalRetryDelay: 0,
    };
    if (options.retryable) this.$retryable = options.retryable;
    this.details = options.details ?? {};
    // As the SDK does, so `error.CancellationReasons` reads the same as before.
    for (const [field, value] of Object.entries(this.details)) {
      if (!(field in this)) Object.defineProperty(this, field, { value, enumerable: true });
    }
  }
}

/** Whether `error` is a service error with the code `name`. */
export function isAwsError(error: unknown, name: string): error is AwsServiceError {
  return error instanceof Error && error.name === name;
}

/**
 * The error code as the SDK reads it: the `x-amzn-errortype` header, else the body's
 * `code` or `__type`, without a `namespace#` prefix or a `:…` suffix
 * (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` →
 * `ConditionalCheckFailedException`).
 */
export function errorCode(
  headerValue: string | undefined,
  body: Record<string, unknown>,
): string | undefined {
  const raw = headerValue ?? stringField(body, 'code') ?? stringField(body, '__type');
  if (raw === undefined) return undefined;
  const withoutSuffix = raw.split(':')[0] ?? raw;
  const hash = withoutSuffix.lastIndexOf('#');
  const code = hash === -1 ? withoutSuffix : withoutSuffix.slice(hash + 1);
  return code || undefined;
}

function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** The parts of an HTTP error answer that {@link parseErrorResponse} reads. */
export interface ErrorResponse {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

/** Builds the {@link AwsServiceError} of an HTTP error answer of a JSON-protocol service. */
export function parseErrorResponse(response: ErrorResponse): AwsServiceError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = response.body ? JSON.parse(response.body) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (e.g. a proxy's HTML page): the status alone says what happened.
  }
  const code =
    errorCode(response.headers['x-amzn-errortype'], body) ??
    (response.status >= 500 ? 'InternalFailure' : 'UnknownError');
  const message =
    stringField(body, 'message') ??
    stringField(body, 'Message') ??
    `${code} (HTTP ${response.status})`;
  const details = Object.fromEntries(
    Object.entries(body).filter(
      ([field]) => !['__type', 'code', 'message', 'Message'].includes(field),
    ),
  );
  return new AwsServiceError({
    code,
    message,
    status: response.status,
    requestId: response.headers['x-amzn-requestid'] ?? response.headers['x-amz-request-id'],
    details,
  });
}
