import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import {
  capacityOf,
  type Capacity,
  type ItemSizeCache,
  type TableKeys,
} from './dynamodb-capacity.ts';

/**
 * Estimates, from item sizes, the DynamoDB capacity the functions consume in the local
 * cloud: the cross-check of the capacity DynamoDB Local reports (which the cost model
 * charges), and the estimate of failed conditional requests, which it reports none for.
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

/** Capacity estimated for a set of requests, and of it what the failed ones (conditions that did not hold) account for. */
export type MeteredCapacity = Capacity & {
  requests: number;
  failed: Capacity & { requests: number };
};

export interface DynamoDbMeter {
  /** Capacity and requests counted since the last reset. */
  totals(): MeteredCapacity & { unparsed: number };
  /** Capacity and requests by `<operation> <table>` (e.g. `TransactWriteItems OrdersTable`). */
  byOperation(): Map<string, MeteredCapacity>;
  reset(): void;
  stop(): void;
}

export function startDynamoDbMeter(tables: readonly TableKeys[]): DynamoDbMeter {
  const cache: ItemSizeCache = new Map();
  const empty = (): MeteredCapacity => ({
    readUnits: 0,
    writeUnits: 0,
    requests: 0,
    failed: { readUnits: 0, writeUnits: 0, requests: 0 },
  });
  let totals = { ...empty(), unparsed: 0 };
  let byOperation = new Map<string, MeteredCapacity>();
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
        const key = `${entry.operation} ${tableLabel(req)}`;
        const row = byOperation.get(key) ?? empty();
        byOperation.set(key, row);
        for (const sum of failed ? [totals, row, totals.failed, row.failed] : [totals, row]) {
          sum.readUnits += capacity.readUnits;
          sum.writeUnits += capacity.writeUnits;
          sum.requests += 1;
        }
      } catch {
        totals.unparsed += 1;
      }
    });
  };

  diagnosticsChannel.subscribe('http.client.request.created', onRequest);
  diagnosticsChannel.subscribe('http.client.response.finish', onResponse);
  return {
    totals: () => ({ ...totals, failed: { ...totals.failed } }),
    byOperation: () =>
      new Map([...byOperation].map(([k, v]) => [k, { ...v, failed: { ...v.failed } }])),
    reset: () => {
      totals = { ...empty(), unparsed: 0 };
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
  return logicalTableName(name);
}

/** A table's name without the stack prefix and CloudFormation's hash (`OrderSaga-bench-OrdersTable1F8332C7` → `OrdersTable`). */
export function logicalTableName(name: string): string {
  const logical = name.split('-').pop() ?? name;
  return logical.replace(/[0-9A-F]{8}$/, '');
}
