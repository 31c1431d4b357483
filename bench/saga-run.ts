import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalCloud, type LocalCloud } from '../local/cloud.ts';
import { orderKey } from '../lambdas/orders/adapters/orders-table.ts';
import type { IndexKeys, TableKeys } from './dynamodb-capacity.ts';
import type { OwnReads } from './dynamodb-usage.ts';
import { BENCH_USER_AGENT, startDynamoDbMeter, type DynamoDbMeter } from './dynamodb-meter.ts';
import { pollUntil, runWithConcurrency, timedJson } from './load.ts';

/**
 * The local cloud as the bench drives it: random ports, function output counted (bytes
 * per function, as CloudWatch Logs would ingest it) instead of printed, DynamoDB
 * capacity metered by the cloud as DynamoDB reports it (`meterDynamoDbCapacity`) and,
 * as a cross-check, estimated from item sizes (`meter`).
 */
export interface BenchCloud {
  cloud: LocalCloud;
  meter: DynamoDbMeter;
  /** Bytes of log lines per function name since the start. */
  logBytes(): Map<string, number>;
  stop(): Promise<void>;
}

const FUNCTION_LINE = /^\[([^\]\s]+)\] /;

/** A global secondary index of the synthesized template, as the capacity model needs it. */
function indexKeysOf(index: {
  IndexName: string;
  KeySchema: object[];
  Projection: object;
}): IndexKeys {
  const keySchema = index.KeySchema as { AttributeName: string; KeyType: string }[];
  const keyNamed = (type: string) => keySchema.find((k) => k.KeyType === type)?.AttributeName;
  const partitionKey = keyNamed('HASH');
  if (partitionKey === undefined) throw new Error(`Index ${index.IndexName} has no partition key`);
  const sortKey = keyNamed('RANGE');
  const projection = index.Projection as { ProjectionType?: string; NonKeyAttributes?: string[] };
  return {
    name: index.IndexName,
    partitionKey,
    ...(sortKey === undefined ? {} : { sortKey }),
    // The template's default, as CloudFormation's, is ALL.
    projection:
      projection.ProjectionType === 'KEYS_ONLY'
        ? { type: 'KEYS_ONLY' }
        : projection.ProjectionType === 'INCLUDE'
          ? { type: 'INCLUDE', nonKeyAttributes: projection.NonKeyAttributes ?? [] }
          : { type: 'ALL' },
  };
}

export async function startBenchCloud(cdkOut: string): Promise<BenchCloud> {
  const logBytes = new Map<string, number>();
  const cloud = await startLocalCloud({
    cdkOut,
    apiPort: 0,
    endpointPort: 0,
    // Not quiet: every line comes to this sink, which counts function lines and prints nothing.
    quiet: false,
    log: (line) => {
      const name = FUNCTION_LINE.exec(line)?.[1];
      if (name === undefined) return;
      // What the function wrote, plus the newline, without the local cloud's prefix.
      const bytes = Buffer.byteLength(line, 'utf8') - name.length - 3 + 1;
      logBytes.set(name, (logBytes.get(name) ?? 0) + bytes);
    },
    ttlSweepIntervalMs: 0,
    meterDynamoDbCapacity: true,
  });
  const tables: TableKeys[] = cloud.model.tables.map((t) => ({
    name: t.name,
    keyAttributes: t.keySchema.map((k) => k.AttributeName),
    indexes: t.globalSecondaryIndexes.map((index) => indexKeysOf(index)),
  }));
  const meter = startDynamoDbMeter(tables);
  return {
    cloud,
    meter,
    logBytes: () => new Map(logBytes),
    stop: async () => {
      meter.stop();
      await cloud.stop();
    },
  };
}

/** The SKU every bench order buys; seeded with more stock than any run uses. */
export const BENCH_SKU = 'BENCH-SKU-1';

export async function seedInventory(cloud: LocalCloud, quantity = 100_000_000): Promise<void> {
  const result = await timedJson(`${cloud.apiUrl}/inventory/${BENCH_SKU}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench widget', quantity, unitPrice: 9.99 }),
  });
  if (result.status !== 200 && result.status !== 201)
    throw new Error(`Seeding inventory failed: ${result.status} ${JSON.stringify(result.json)}`);
}

/** Places one order; returns its id and when the 201 arrived (epoch ms). */
export async function placeOrder(
  cloud: LocalCloud,
): Promise<{ orderId: string; ms: number; createdAt: number }> {
  const customerId = `bench-${randomUUID()}`;
  const result = await timedJson(`${cloud.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      customerId,
      customerEmail: `${customerId}@example.com`,
      currency: 'USD',
      items: [{ sku: BENCH_SKU, quantity: 1, unitPrice: 9.99 }],
    }),
  });
  const orderId = result.json.orderId;
  if (result.status !== 201 || typeof orderId !== 'string')
    throw new Error(`POST /orders answered ${result.status}: ${JSON.stringify(result.json)}`);
  return { orderId, ms: result.ms, createdAt: Date.now() };
}

/** Final state of an order as stored, read straight from the orders table. */
export interface FinalState {
  status: 'CONFIRMED' | 'CANCELLED';
  cancellationReason?: string;
  /** When the order became final (its `updatedAt`, epoch ms). */
  finalAt: number;
}

/**
 * Watches orders until they are final, reading the orders table in batches of 100
 * (through the endpoint, with the bench's user agent so the size-based meter does not
 * count it, and asking for the consumed capacity so that the bench can take its own
 * reads out of what the cloud metered); polling the API instead would add API, Lambda
 * and DynamoDB usage the cost model would then charge to the orders.
 */
export class OrderWatcher {
  private readonly pending = new Set<string>();
  readonly finals = new Map<string, FinalState>();
  /** The watcher's own reads, as DynamoDB reported them. */
  readonly ownReads: OwnReads;
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(cloud: LocalCloud) {
    this.client = new DynamoDBClient({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      customUserAgent: BENCH_USER_AGENT,
    });
    const table = cloud.model.tables.find((t) => t.logicalId.startsWith('OrdersTable'));
    if (!table) throw new Error('The stack has no OrdersTable');
    this.tableName = table.name;
    this.ownReads = { operation: 'BatchGetItem', table: table.name, requests: 0, readUnits: 0 };
  }

  watch(orderId: string): void {
    this.pending.add(orderId);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  pendingIds(): string[] {
    return [...this.pending];
  }

  /** Reads every pending order once and moves the final ones to `finals`. */
  async poll(): Promise<void> {
    const ids = [...this.pending];
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      let keys = chunk.map((id) => {
        const key = orderKey(id);
        return { pk: { S: key.pk }, sk: { S: key.sk } };
      });
      while (keys.length > 0) {
        const answer = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: 'orderId, #s, updatedAt, cancellationReason',
                ExpressionAttributeNames: { '#s': 'status' },
              },
            },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        this.ownReads.requests += 1;
        for (const consumed of answer.ConsumedCapacity ?? [])
          this.ownReads.readUnits += consumed.CapacityUnits ?? 0;
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const status = item.status?.S;
          const orderId = item.orderId?.S;
          if (!orderId || (status !== 'CONFIRMED' && status !== 'CANCELLED')) continue;
          this.pending.delete(orderId);
          this.finals.set(orderId, {
            status,
            finalAt: Date.parse(item.updatedAt?.S ?? ''),
            ...(item.cancellationReason?.S
              ? { cancellationReason: item.cancellationReason.S }
              : {}),
          });
        }
        keys = (answer.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
      }
    }
  }

  /** Polls until nothing is pending or the deadline passes; returns whether all are final. */
  async waitForAll(timeoutMs: number): Promise<boolean> {
    return pollUntil(
      async () => {
        await this.poll();
        return this.pending.size === 0;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  close(): void {
    this.client.destroy();
  }
}

/**
 * Waits until the saga's tail (notifications, timer stops, relays' last batches, and the
 * OrderCreated messages that wait out the timer's grace period on their delayed queue) is
 * done: every queue a function drains is empty, delayed messages included, and then no
 * Lambda invocation for `quietMs`; or `timeoutMs` passed. Without the queue check, the
 * delayed timer decisions of one phase would be counted in the next.
 */
export async function waitForQuiet(cloud: LocalCloud, quietMs = 2500, timeoutMs = 120_000) {
  const started = Date.now();
  const drained = cloud.model.eventSourceMappings
    .filter((m) => m.kind === 'sqs')
    .map((m) => m.sourceArn);
  await pollUntil(
    async () => {
      for (const queue of drained) {
        const { visible, inFlight, delayed } = await cloud.queues.count(queue);
        if (visible + inFlight + delayed > 0) return false;
      }
      return true;
    },
    { timeoutMs, intervalMs: 250 },
  );
  let last = -1;
  let since = Date.now();
  await pollUntil(
    () => {
      const now = cloud.counters()['lambda.invocations'] ?? 0;
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= quietMs;
    },
    { timeoutMs: Math.max(quietMs, timeoutMs - (Date.now() - started)), intervalMs: 250 },
  );
}

/** Warm latency samples of the order API (ms from request to full response body). */
export interface WarmLatency {
  post: number[];
  get: number[];
  concurrency: number;
  /** 201 → CONFIRMED of the 40 warm-up orders: the saga's latency at light load. */
  lightLoadConfirm: number[];
}

/**
 * `POST /orders` and `GET /orders/{id}`, `requests` of each at `concurrency`, after a
 * short warm-up. The GETs run first, on warm-up orders that are already final, so they
 * are measured without saga work in the background; the POSTs then start real sagas,
 * which is the load a real POST meets.
 */
export async function measureWarmLatency(
  cloud: LocalCloud,
  { requests, concurrency }: { requests: number; concurrency: number },
): Promise<WarmLatency> {
  const watcher = new OrderWatcher(cloud);
  try {
    const warmUp = await runWithConcurrency(40, concurrency, () => placeOrder(cloud));
    for (const order of warmUp) watcher.watch(order.orderId);
    if (!(await watcher.waitForAll(120_000)))
      throw new Error(`${watcher.pendingCount} warm-up orders never became final`);
    const ids = warmUp.map((o) => o.orderId);
    const get = await runWithConcurrency(requests, concurrency, async (i) => {
      const result = await timedJson(`${cloud.apiUrl}/orders/${ids[i % ids.length]!}`);
      if (result.status !== 200) throw new Error(`GET /orders/{id} answered ${result.status}`);
      return result.ms;
    });
    const posted = await runWithConcurrency(requests, concurrency, () => placeOrder(cloud));
    for (const order of posted) watcher.watch(order.orderId);
    if (!(await watcher.waitForAll(180_000)))
      throw new Error(`${watcher.pendingCount} orders of the latency run never became final`);
    const lightLoadConfirm = warmUp.flatMap((o) => {
      const final = watcher.finals.get(o.orderId);
      return final?.status === 'CONFIRMED' ? [Math.max(0, final.finalAt - o.createdAt)] : [];
    });
    return { post: posted.map((o) => o.ms), get, concurrency, lightLoadConfirm };
  } finally {
    watcher.close();
  }
}

/** What the pipeline run observed. */
export interface PipelineResult {
  orders: number;
  concurrency: number;
  /** From the first POST to the last order becoming final. */
  durationMs: number;
  /** From the first POST to the last 201. */
  postingMs: number;
  /** Milliseconds from each order's 201 to its final state, for CONFIRMED orders. */
  confirmedLatencies: number[];
  statuses: Record<string, number>;
  /** Orders not final by the deadline. */
  lost: string[];
  orderIds: string[];
  /** The watcher's reads of the orders table, to leave out of the metered capacity. */
  ownReads: OwnReads;
}

/**
 * Places `orders` orders at `concurrency` (each worker posts its next order when the
 * previous one is answered, no faster than `rate` per second when given), watches every one until final, and fails loudly (lists
 * them) if any is not final `deadlineMs` after the last 201.
 */
export async function runPipeline(
  cloud: LocalCloud,
  {
    orders,
    concurrency,
    deadlineMs,
    rate = 0,
  }: {
    orders: number;
    concurrency: number;
    deadlineMs: number;
    /** Orders per second at most (0: as fast as `concurrency` clients go). */
    rate?: number;
  },
): Promise<PipelineResult> {
  const watcher = new OrderWatcher(cloud);
  const createdAt = new Map<string, number>();
  const started = Date.now();
  let posting = true;
  // Poll while posting, so finals are seen as they happen (their time is updatedAt anyway).
  const polling = (async () => {
    while (posting) {
      await watcher.poll();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  try {
    await runWithConcurrency(orders, concurrency, async (index) => {
      // With a rate, order i is posted no earlier than i / rate seconds after the start.
      const due = rate > 0 ? started + (index * 1000) / rate - Date.now() : 0;
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      const order = await placeOrder(cloud);
      createdAt.set(order.orderId, order.createdAt);
      watcher.watch(order.orderId);
    });
    const postingMs = Date.now() - started;
    posting = false;
    await polling;
    await watcher.waitForAll(deadlineMs);

    const statuses: Record<string, number> = {};
    const confirmedLatencies: number[] = [];
    let lastFinal = started;
    for (const [orderId, final] of watcher.finals) {
      const key =
        final.status === 'CANCELLED'
          ? `CANCELLED(${final.cancellationReason ?? '?'})`
          : final.status;
      statuses[key] = (statuses[key] ?? 0) + 1;
      lastFinal = Math.max(lastFinal, final.finalAt);
      if (final.status === 'CONFIRMED')
        confirmedLatencies.push(Math.max(0, final.finalAt - createdAt.get(orderId)!));
    }
    const lost = watcher.pendingIds();
    if (lost.length > 0) statuses.LOST = lost.length;
    return {
      orders,
      concurrency,
      durationMs: lastFinal - started,
      postingMs,
      confirmedLatencies,
      statuses,
      lost,
      orderIds: [...createdAt.keys()],
      ownReads: { ...watcher.ownReads },
    };
  } finally {
    posting = false;
    await polling.catch(() => undefined);
    watcher.close();
  }
}
