import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentials } from './credentials.ts';

/**
 * AWS Signature Version 4 for the requests this client makes (header signing, no
 * presigning, no chunked payloads): the canonical request, the string to sign and the
 * signing key, as specified in the IAM user guide ("Create a signed AWS API request").
 */

/** What is signed: everything the server will see and check. */
export interface SignableRequest {
  method: string;
  /** `Host` header value: host name, plus `:port` when not the scheme's default. */
  host: string;
  /** The path as sent (already URL-encoded, e.g. `/`). */
  path: string;
  /** Query parameters, unencoded. */
  query?: Readonly<Record<string, string>>;
  /** Headers to send and sign (any case); `host` is added from {@link SignableRequest.host}. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** Who signs, for which service and region, at which time. */
export interface SigningContext {
  credentials: AwsCredentials;
  region: string;
  /** The signing name, e.g. `dynamodb`, `events`, `states`, `sqs`. */
  service: string;
  /** The request time (only its second is used). */
  date: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * Headers that proxies and the runtime may change, so the SDK never signs them and
 * neither do we (a changed signed header fails the signature).
 */
const UNSIGNABLE_HEADERS = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/** `20150830T123600Z`: the ISO 8601 basic format SigV4 uses. */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding: `encodeURIComponent` leaves `!'()*` alone, SigV4 does not. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical URI of every service but S3: each path segment (decoded, then
 * encoded, then encoded again, as the spec asks of non-S3 services).
 */
function canonicalPath(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => uriEncode(uriEncode(decodeURIComponent(segment))))
    .join('/');
}

function canonicalQuery(query: Readonly<Record<string, string>> = {}): string {
  return Object.entries(query)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** Header names lower-cased and sorted, values trimmed with inner runs of spaces collapsed. */
function canonicalHeaders(headers: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(headers)
    .map(
      ([name, value]) =>
        [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as [string, string],
    )
    .filter(([name]) => !UNSIGNABLE_HEADERS.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The canonical request (task 1 of the spec); exported for tests against the spec's examples. */
export function canonicalRequest(request: SignableRequest, payloadHash: string): string {
  const headers = canonicalHeaders({ ...request.headers, host: request.host });
  return [
    request.method.toUpperCase(),
    canonicalPath(request.path),
    canonicalQuery(request.query),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    headers.map(([name]) => name).join(';'),
    payloadHash,
  ].join('\n');
}

// A signing key is valid for a day, a region and a service: derive it once per
// container and day instead of four HMACs per request. Keyed by the secret too, so
// rotated credentials get their own key.
const signingKeys = new Map<string, Buffer>();
const MAX_CACHED_KEYS = 50;

/** The signing key (task 3 of the spec) for a day (`YYYYMMDD`), region and service. */
export function signingKey(
  secretAccessKey: string,
  day: string,
  region: string,
  service: string,
): Buffer {
  const cacheKey = `${day}\n${region}\n${service}\n${secretAccessKey}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service),
    'aws4_request',
  );
  if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}

/**
 * Signs a request: returns its headers plus `host`, `x-amz-date`, `x-amz-security-token`
 * (with temporary credentials) and `authorization`, every one of them but
 * `authorization` (and the unsignable ones) signed.
 */
export function signRequest(
  request: SignableRequest,
  context: SigningContext,
): Record<string, string> {
  const { credentials, region, service } = context;
  const timestamp = amzDate(context.date);
  const day = timestamp.slice(0, 8);
  // Lower-cased first, so a caller's `X-Amz-Date` cannot end up next to ours.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers['x-amz-date'] = timestamp;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const payloadHash = sha256Hex(request.body);
  const canonical = canonicalRequest({ ...request, headers }, payloadHash);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, timestamp, scope, sha256Hex(canonical)].join('\n');
  const signature = createHmac(
    'sha256',
    signingKey(credentials.secretAccessKey, day, region, service),
  )
    .update(stringToSign, 'utf8')
    .digest('hex');
  const signedHeaders = canonicalHeaders({ ...headers, host: request.host })
    .map(([name]) => name)
    .join(';');

  return {
    ...headers,
    host: request.host,
    authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
