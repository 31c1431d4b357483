import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isExactDecimal } from './money.ts';

/**
 * HTTP plumbing for API Gateway REST (Lambda proxy integration, payload format 1.0):
 * JSON responses, the one error shape every endpoint answers with, and request body
 * reading that turns every malformed input into a 4xx.
 */

/** One problem with one input field, e.g. `{ field: 'items[0].quantity', message: '…' }`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/** Largest request body accepted, in bytes (after base64 decoding). */
export const MAX_BODY_BYTES = 64 * 1024;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * An error that is the client's to fix (or a deliberate 5xx such as a timeout):
 * thrown anywhere below the handler and turned into a response by {@link errorResponse}.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly statusCode: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

/** The errors every endpoint can answer with, named by HTTP meaning. */
export const httpErrors = {
  validation: (details: ErrorDetail[], message = 'The request is invalid') =>
    new HttpError(400, 'VALIDATION_FAILED', message, { details }),
  malformedJson: (message: string) => new HttpError(400, 'MALFORMED_JSON', message),
  notFound: (message: string) => new HttpError(404, 'NOT_FOUND', message),
  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    new HttpError(405, 'METHOD_NOT_ALLOWED', `Method ${method} is not allowed here`, {
      headers: { Allow: allowed.join(', ') },
    }),
  conflict: (code: string, message: string) => new HttpError(409, code, message),
  payloadTooLarge: (limit: number) =>
    new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body must not exceed ${limit} bytes`),
  unsupportedMediaType: () =>
    new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'The request body must be JSON in UTF-8 (Content-Type: application/json, with no charset or charset=utf-8)',
    ),
  serviceUnavailable: (message: string) =>
    new HttpError(503, 'SERVICE_UNAVAILABLE', message, { headers: { 'Retry-After': '1' } }),
};

/**
 * The `Location` of a resource of this API, as the client must ask for it: `path` (of
 * the API, e.g. `/orders/<id>`) behind the prefix the request came through. On the
 * default endpoint that is the stage (`/dev/orders/<id>`); behind a custom domain, its
 * base path, if any. A bare `/orders/<id>` would drop the stage and reach API Gateway's
 * 403 "Missing Authentication Token".
 *
 * The prefix is what `requestContext.path` (the path as requested) has before the
 * route's own path (`resource` with the path parameters filled in); when the two cannot
 * be matched, `path` is returned as it is.
 */
export function locationOf(
  event: Pick<APIGatewayProxyEvent, 'resource' | 'pathParameters' | 'requestContext'>,
  path: string,
): string {
  const requested = event.requestContext?.path;
  if (typeof requested !== 'string' || typeof event.resource !== 'string') return path;
  const parameters = event.pathParameters ?? {};
  const route = event.resource.replace(/\{([^}+]+)\+?\}/g, (_, name: string) =>
    encodeURIComponent(parameters[name] ?? ''),
  );
  return requested.endsWith(route) ? `${requested.slice(0, -route.length)}${path}` : path;
}

/** A JSON response with `body` serialized. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return rawJsonResponse(statusCode, JSON.stringify(body), headers);
}

/** A response whose body is already serialized JSON (e.g. a stored response being replayed). */
export function rawJsonResponse(
  statusCode: number,
  json: string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    // Order data is personal and changes as the saga moves: no shared caches.
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'Cache-Control': 'no-store', ...headers },
    body: json,
  };
}

/** The response for an {@link HttpError}. */
export function errorResponse(
  error: HttpError,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, details: error.details },
  };
  return jsonResponse(error.statusCode, body, { ...error.headers, ...headers });
}

/** The generic answer to a failure that is ours, not the client's: it reveals nothing. */
export function internalErrorResponse(headers: Record<string, string> = {}): APIGatewayProxyResult {
  return errorResponse(
    new HttpError(500, 'INTERNAL_ERROR', 'Something went wrong on our side'),
    headers,
  );
}

/** A request header by name, case-insensitively (clients and proxies vary the case). */
export function getHeader(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  name: string,
): string | undefined {
  const headers = event.headers as Record<string, string | undefined> | null | undefined;
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/** True for `application/json` with no parameter other than a UTF-8 charset. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [mediaType = '', ...parameters] = contentType
    .split(';')
    .map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every((parameter) => {
    if (parameter === '') return true;
    const [name, value = ''] = parameter.split('=').map((part) => part.trim());
    // JSON is UTF-8 (RFC 8259); any other declared charset would be decoded wrongly.
    return name !== 'charset' || ['utf-8', 'utf8', '"utf-8"'].includes(value);
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON request body: 415 unless it is declared JSON, 413 when it is larger
 * than `maxBytes` (measured in bytes, after base64 decoding when API Gateway encoded
 * it), 400 when it is empty, not UTF-8 or not JSON. Returns the parsed value, which
 * is still untrusted: validate it next.
 */
export function readJsonBody(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
  maxBytes: number = MAX_BODY_BYTES,
): unknown {
  if (!isJsonContentType(getHeader(event, 'content-type'))) throw httpErrors.unsupportedMediaType();
  const body = event.body ?? '';
  const size = event.isBase64Encoded
    ? Buffer.byteLength(body, 'base64')
    : Buffer.byteLength(body, 'utf8');
  if (size > maxBytes) throw httpErrors.payloadTooLarge(maxBytes);
  let text: string;
  try {
    text = event.isBase64Encoded ? strictUtf8.decode(Buffer.from(body, 'base64')) : body;
  } catch {
    throw httpErrors.malformedJson('The request body is not valid UTF-8');
  }
  // A UTF-8 byte order mark is no part of the JSON text: RFC 8259 lets a parser ignore it,
  // and JSON.parse would refuse it with a message showing an invisible character. (The
  // decoder above drops it from a base64 body; API Gateway leaves it in a text one.)
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '')
    throw httpErrors.malformedJson('The request body is empty; a JSON object is required');
  try {
    return JSON.parse(text, exactValues) as unknown;
  } catch (error) {
    if (error instanceof IllFormedTextError) {
      throw httpErrors.malformedJson(
        'The request body has text that is not valid Unicode (a lone surrogate such as \\ud800)',
      );
    }
    if (error instanceof UncarriableCharacterError) {
      throw httpErrors.malformedJson(
        `The request body has a character the order's messages cannot carry (${error.codePoint}): control characters other than tab, line feed and carriage return, U+FFFE and U+FFFF are refused`,
      );
    }
    if (error instanceof InexactNumberError) {
      throw httpErrors.malformedJson(
        `The number ${error.source} cannot be read exactly (it would become ${error.value}); send at most 15 significant digits`,
      );
    }
    // The checks above run in a reviver, which recurses: valid JSON nested a few
    // thousand deep overflows the stack. No request of these APIs nests past 3.
    if (error instanceof RangeError) {
      throw httpErrors.malformedJson(
        'The request body nests arrays and objects too deeply to be read',
      );
    }
    const reason = error instanceof SyntaxError ? `: ${error.message}` : '';
    throw httpErrors.malformedJson(`The request body is not valid JSON${reason}`);
  }
}

/** A string or name in a request body with a lone surrogate: no UTF-8 can carry it. */
class IllFormedTextError extends Error {}

/**
 * Characters SQS refuses in a message (it takes tab, line feed, carriage return,
 * U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF). Request text travels on in events
 * that EventBridge delivers to the saga's queues: one of these would make every delivery
 * of the event fail, and leave the order pending with no timer to cancel it.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNCARRIABLE_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** A string or name in a request body with a character SQS cannot carry. */
class UncarriableCharacterError extends Error {
  /** The character, as `U+XXXX`. */
  readonly codePoint: string;

  constructor(text: string) {
    const match = UNCARRIABLE_CHARACTER.exec(text);
    const code = match ? match[0].charCodeAt(0) : 0;
    const codePoint = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    super(`Uncarriable character ${codePoint}`);
    this.codePoint = codePoint;
  }
}

/** A number in a request body that a double cannot hold as written. */
class InexactNumberError extends Error {
  readonly source: string;
  readonly value: number;

  constructor(source: string, value: number) {
    super(`Inexact number ${source}`);
    this.source = source;
    this.value = value;
  }
}

/**
 * `JSON.parse` reviver that refuses text no UTF-8 or SQS message can carry, and a number
 * the parse would round (`19.999999999999999999` is 20, `1e-400` is 0): a price is never
 * silently changed. Node.js gives revivers the number's source text; without it (older
 * runtimes) numbers pass unchecked.
 */
function exactValues(
  this: unknown,
  key: string,
  value: unknown,
  context?: { source?: string },
): unknown {
  // JSON's \u escapes can spell a lone surrogate, which DynamoDB and EventBridge (UTF-8)
  // would refuse further on, as a 500: refuse it here, as the client's error.
  if (!key.isWellFormed() || (typeof value === 'string' && !value.isWellFormed())) {
    throw new IllFormedTextError();
  }
  if (UNCARRIABLE_CHARACTER.test(key)) throw new UncarriableCharacterError(key);
  if (typeof value === 'string' && UNCARRIABLE_CHARACTER.test(value)) {
    throw new UncarriableCharacterError(value);
  }
  const source = context?.source;
  if (typeof value === 'number' && source !== undefined && !isExactDecimal(source, value)) {
    // Shown in the answer: keep it short.
    throw new InexactNumberError(source.length > 40 ? `${source.slice(0, 40)}…` : source, value);
  }
  return value;
}
