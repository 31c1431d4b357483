import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import {
  capacityOf,
  type Capacity,
  type ItemSizeCache,
  type TableKeys,
} from './dynamodb-capacity.ts';

/**
 * Meters the DynamoDB capacity the functions consume in the local cloud.
 *
 * The local cloud's AWS endpoint forwards every DynamoDB request of the functions to
 * DynamoDB Local over HTTP, in this process. Node publishes each outgoing HTTP request
 * on the `http.client.*` diagnostics channels (`request.created` comes before the body is written), so the bench can read those request and
 * response bodies without touching the local cloud's code, and size what each request
 * would consume on AWS (see `dynamodb-capacity.ts`). Requests of the local cloud's own
 * plumbing (table creation, stream polling, signed `Credential=local/`) and of the bench
 * itself (user agent {@link BENCH_USER_AGENT}) are not counted.
 */

/** Added to the user agent of the bench's own SDK clients, so the meter skips them. */
export const BENCH_USER_AGENT = 'order-saga-bench';

export interface DynamoDbMeter {
  /** Capacity and requests counted since the last reset. */
  totals(): Capacity & { requests: number; unparsed: number };
  /** Capacity and requests by `<operation> <table>` (e.g. `TransactWriteItems OrdersTable`). */
  byOperation(): Map<string, Capacity & { requests: number }>;
  reset(): void;
  stop(): void;
}

export function startDynamoDbMeter(tables: readonly TableKeys[]): DynamoDbMeter {
  const cache: ItemSizeCache = new Map();
  let totals = { readUnits: 0, writeUnits: 0, requests: 0, unparsed: 0 };
  let byOperation = new Map<string, Capacity & { requests: number }>();
  const pending = new WeakMap<ClientRequest, { operation: string; chunks: Buffer[] }>();

  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const target = String(request.getHeader('x-amz-target') ?? '');
    if (!target.startsWith('DynamoDB_20120810.')) return;
    if (String(request.getHeader('authorization') ?? '').includes('Credential=local/')) return;
    const agent = `${String(request.getHeader('user-agent') ?? '')} ${String(request.getHeader('x-amz-user-agent') ?? '')}`;
    if (agent.includes(BENCH_USER_AGENT)) return;
    const entry = { operation: target.slice(target.indexOf('.') + 1), chunks: [] as Buffer[] };
    pending.set(request, entry);
    // Keep a copy of what is written; the request itself is unchanged.
    const capture = (chunk: unknown) => {
      if (typeof chunk === 'string') entry.chunks.push(Buffer.from(chunk));
      else if (chunk instanceof Uint8Array) entry.chunks.push(Buffer.from(chunk));
    };
    const write = request.write.bind(request) as (...args: unknown[]) => boolean;
    const end = request.end.bind(request) as (...args: unknown[]) => ClientRequest;
    request.write = ((chunk: unknown, ...rest: unknown[]) => {
      capture(chunk);
      return write(chunk, ...rest);
    }) as ClientRequest['write'];
    request.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') capture(chunk);
      return end(chunk, ...rest);
    }) as ClientRequest['end'];
  };

  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const entry = pending.get(request);
    if (!entry) return;
    pending.delete(request);
    const body: Buffer[] = [];
    // A second 'data' listener sees the same chunks as the pipe that forwards them.
    response.on('data', (chunk: Buffer) => body.push(chunk));
    response.on('end', () => {
      try {
        const req = JSON.parse(Buffer.concat(entry.chunks).toString('utf8')) as Record<
          string,
          unknown
        >;
        const res = JSON.parse(Buffer.concat(body).toString('utf8') || '{}') as Record<
          string,
          unknown
        >;
        const failed = (response.statusCode ?? 500) >= 400;
        const type = typeof res.__type === 'string' ? res.__type : '';
        // Failed conditions still consume write capacity; throttles and validation errors do not.
        if (failed && !/ConditionalCheckFailed|TransactionCanceled/.test(type)) return;
        const capacity = capacityOf(entry.operation, req, failed ? {} : res, tables, cache);
        totals.readUnits += capacity.readUnits;
        totals.writeUnits += capacity.writeUnits;
        totals.requests += 1;
        const key = `${entry.operation} ${tableLabel(req)}`;
        const row = byOperation.get(key) ?? { readUnits: 0, writeUnits: 0, requests: 0 };
        row.readUnits += capacity.readUnits;
        row.writeUnits += capacity.writeUnits;
        row.requests += 1;
        byOperation.set(key, row);
      } catch {
        totals.unparsed += 1;
      }
    });
  };

  diagnosticsChannel.subscribe('http.client.request.created', onRequest);
  diagnosticsChannel.subscribe('http.client.response.finish', onResponse);
  return {
    totals: () => ({ ...totals }),
    byOperation: () => new Map([...byOperation].map(([k, v]) => [k, { ...v }])),
    reset: () => {
      totals = { readUnits: 0, writeUnits: 0, requests: 0, unparsed: 0 };
      byOperation = new Map();
    },
    stop: () => {
      diagnosticsChannel.unsubscribe('http.client.request.created', onRequest);
      diagnosticsChannel.unsubscribe('http.client.response.finish', onResponse);
    },
  };
}

/**
 * The table a request is about, without the stack prefix and CloudFormation's hash
 * (`OrderSaga-bench-OrdersTable1F8332C7` → `OrdersTable`); the first one for
 * transactions and batches.
 */
export function tableLabel(request: Record<string, unknown>): string {
  const actions =
    (request.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? [];
  const name =
    (typeof request.TableName === 'string' ? request.TableName : undefined) ??
    actions.map((a) => Object.values(a)[0]?.TableName).find((n) => n !== undefined) ??
    Object.keys((request.RequestItems as object | undefined) ?? {})[0] ??
    '?';
  const logical = name.split('-').pop() ?? name;
  return logical.replace(/[0-9A-F]{8}$/, '');
}
