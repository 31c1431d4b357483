import { randomUUID } from 'node:crypto';

/**
 * The Lambda proxy integration contract of API Gateway REST APIs (payload format
 * 1.0): building the event from an HTTP request and reading the function's result.
 */

/** What the server knows about an incoming request. */
export interface HttpRequest {
  method: string;
  /** Path after the stage prefix, without the query string, e.g. `/orders/42`. */
  path: string;
  /** The path as received (with the stage prefix, if any). */
  fullPath: string;
  /** `[name, value]` pairs as received (original case, repeated names kept). */
  rawHeaders: [string, string][];
  /** The query string without `?`. */
  query: string;
  body: Buffer;
  sourceIp: string;
}

export interface ApiContext {
  restApiId: string;
  stageName: string;
  accountId: string;
  resourcePath: string;
  resourceId: string;
  binaryMediaTypes: readonly string[];
  pathParameters: Record<string, string>;
  domainName: string;
  now?: Date;
  requestId?: string;
}

/** The API Gateway v1 proxy event (the shape of `APIGatewayProxyEvent`). */
export interface ProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: Record<string, unknown>;
  body: string | null;
  isBase64Encoded: boolean;
}

const nullIfEmpty = <T extends object>(o: T): T | null => (Object.keys(o).length === 0 ? null : o);

/** The map as an object (own properties, even for "__proto__"), or null when empty. */
const objectOrNull = <V>(map: Map<string, V>): Record<string, V> | null =>
  map.size === 0 ? null : Object.fromEntries(map);

/** Whether a content type is binary for this API (`binaryMediaTypes`, with `*` wildcards). */
export function isBinary(
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    const p = pattern.toLowerCase().replace('~1', '/');
    if (p === '*/*') return true;
    const [pMain, pSub] = p.split('/');
    const [tMain, tSub] = type.split('/');
    return (pMain === '*' || pMain === tMain) && (pSub === '*' || pSub === tSub);
  });
}

/** `dd/MMM/yyyy:HH:mm:ss +0000`, as API Gateway writes `requestTime`. */
function requestTime(date: Date): string {
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** Builds the proxy event. Single-value maps keep the last value, as API Gateway does. */
export function buildProxyEvent(request: HttpRequest, api: ApiContext): ProxyEvent {
  const now = api.now ?? new Date();
  // Grouped in Maps and turned into objects at the end: indexing a plain object by a
  // client-chosen name would find Object.prototype's members ("?constructor=1").
  const headers = new Map<string, string>();
  const multiValueHeaders = new Map<string, string[]>();
  for (const [name, value] of request.rawHeaders) {
    headers.set(name, value);
    multiValueHeaders.set(name, [...(multiValueHeaders.get(name) ?? []), value]);
  }
  const queryStringParameters = new Map<string, string>();
  const multiValueQueryStringParameters = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(request.query)) {
    queryStringParameters.set(name, value);
    multiValueQueryStringParameters.set(name, [
      ...(multiValueQueryStringParameters.get(name) ?? []),
      value,
    ]);
  }
  const header = (name: string) =>
    request.rawHeaders
      .filter(([n]) => n.toLowerCase() === name)
      .map(([, v]) => v)
      .pop();
  const binary = isBinary(header('content-type'), api.binaryMediaTypes);
  const hasBody = request.body.length > 0;
  const requestId = api.requestId ?? randomUUID();
  return {
    resource: api.resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers: objectOrNull(headers),
    multiValueHeaders: objectOrNull(multiValueHeaders),
    queryStringParameters: objectOrNull(queryStringParameters),
    multiValueQueryStringParameters: objectOrNull(multiValueQueryStringParameters),
    pathParameters: nullIfEmpty(api.pathParameters),
    stageVariables: null,
    requestContext: {
      accountId: api.accountId,
      apiId: api.restApiId,
      domainName: api.domainName,
      domainPrefix: api.domainName.split('.')[0],
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: header('user-agent') ?? null,
        userArn: null,
      },
      path: `/${api.stageName}${request.path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: api.resourceId,
      resourcePath: api.resourcePath,
      stage: api.stageName,
    },
    body: hasBody
      ? binary
        ? request.body.toString('base64')
        : request.body.toString('utf8')
      : null,
    isBase64Encoded: hasBody && binary,
  };
}

/** What goes back to the HTTP client. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Reads the function's proxy result. Anything but an object with a numeric
 * `statusCode` (and string body, if any) is a malformed response: API Gateway
 * answers 502 for those.
 */
export function readProxyResult(payload: unknown): HttpResponse | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const result = payload as Record<string, unknown>;
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string')
    return undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries((result.headers ?? {}) as Record<string, unknown>)) {
    headers[name.toLowerCase()] = String(value);
  }
  for (const [name, values] of Object.entries(
    (result.multiValueHeaders ?? {}) as Record<string, unknown>,
  )) {
    if (Array.isArray(values)) headers[name.toLowerCase()] = values.map(String);
  }
  const body = typeof result.body === 'string' ? result.body : '';
  return {
    statusCode,
    headers,
    body: result.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
  };
}
