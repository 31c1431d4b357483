/**
 * Which local service an AWS API request is for: by the SigV4 credential scope
 * (`Credential=<key>/<date>/<region>/<service>/aws4_request`, in the Authorization
 * header or a presigned URL), then by `X-Amz-Target`, then by the Lambda path.
 */

export type ServiceName = 'dynamodb' | 'sqs' | 'events' | 'states' | 'lambda';

const TARGET_PREFIXES: [string, ServiceName][] = [
  ['DynamoDB_', 'dynamodb'],
  ['DynamoDBStreams_', 'dynamodb'],
  ['AmazonSQS.', 'sqs'],
  ['AWSEvents.', 'events'],
  ['AWSStepFunctions.', 'states'],
];

const KNOWN: Record<string, ServiceName> = {
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  events: 'events',
  states: 'states',
  lambda: 'lambda',
};

/**
 * The SigV4 credential of a signed request, from the Authorization header or a presigned
 * URL: `[accessKeyId, date, region, service, 'aws4_request']`.
 */
function signingCredential(authorization: string | undefined, url: string): string[] | undefined {
  const fromHeader = authorization
    ? /Credential=([^/,\s]+\/[^/]+\/[^/]+\/[^/]+\/aws4_request)/.exec(authorization)
    : null;
  if (fromHeader) return fromHeader[1]!.split('/');
  const query = url.includes('?')
    ? new URLSearchParams(url.slice(url.indexOf('?') + 1))
    : undefined;
  return query?.get('X-Amz-Credential')?.split('/');
}

/** The credential scope's service name, if the request is signed. */
export function credentialScopeService(
  authorization: string | undefined,
  url: string,
): string | undefined {
  return signingCredential(authorization, url)?.[3];
}

/** The access key id a request is signed with (who asks, for the IAM check). */
export function accessKeyIdOf(authorization: string | undefined, url: string): string | undefined {
  return signingCredential(authorization, url)?.[0];
}

/** Routes a request; `{ unknown }` names what was asked for when no local service matches. */
export function routeRequest(request: {
  url: string;
  authorization?: string | undefined;
  target?: string | undefined;
}): { service: ServiceName } | { unknown: string } {
  const scope = credentialScopeService(request.authorization, request.url);
  if (scope && KNOWN[scope]) return { service: KNOWN[scope] };
  const target = request.target ?? '';
  for (const [prefix, service] of TARGET_PREFIXES)
    if (target.startsWith(prefix)) return { service };
  if (/^\/2015-03-31\/functions\//.test(request.url)) return { service: 'lambda' };
  return { unknown: scope ?? (target || request.url) };
}

/** The action of an `X-Amz-Target` header (`AWSEvents.PutEvents` → `PutEvents`). */
export function targetAction(target: string | undefined): string {
  return (target ?? '').split('.').pop() ?? '';
}

/** Tables a DynamoDB request touches (for per-table throttling faults). */
export function tablesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as Record<string, unknown>;
  const tables = new Set<string>();
  if (typeof b.TableName === 'string') tables.add(b.TableName);
  if (typeof b.RequestItems === 'object' && b.RequestItems !== null) {
    for (const name of Object.keys(b.RequestItems)) tables.add(name);
  }
  if (Array.isArray(b.TransactItems)) {
    for (const item of b.TransactItems as Record<string, { TableName?: unknown } | undefined>[]) {
      for (const op of Object.values(item))
        if (typeof op?.TableName === 'string') tables.add(op.TableName);
    }
  }
  return [...tables];
}
