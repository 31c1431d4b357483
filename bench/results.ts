import type { CostBreakdown, MeasuredUsage } from './cost-model.ts';
import type { PipelineCpu } from './cpu-time.ts';
import type { DynamoDbOperationRow } from './dynamodb-usage.ts';
import type { LatencySummary } from './stats.ts';

/** Everything one `npm run bench` measured: the content of `bench/results.json`. */
export interface BenchResults {
  environment: {
    date: string;
    gitCommit: string;
    gitDirty: boolean;
    node: string;
    platform: string;
    cpu: string;
    cpus: number;
    memoryGb: number;
    loadAverage: number[];
    /** At the end of the run: other work on the machine skews every timing. */
    loadAverageAtEnd?: number[];
  };
  options: BenchOptions;
  bundles?: BundleResult[];
  coldStarts?: ColdStartResult[];
  /** Each dependency bundled alone: minified size and cold import time. */
  imports?: { specifier: string; bytes: number; importMedianMs: number; runs: number }[];
  warmLatency?: {
    concurrency: number;
    post: LatencySummary;
    get: LatencySummary;
    /** 201 → CONFIRMED of 40 orders posted at once into an idle saga. */
    lightLoadConfirm: LatencySummary | null;
  };
  pipeline?: {
    orders: number;
    concurrency: number;
    durationMs: number;
    ordersPerSecond: number;
    postsPerSecond: number;
    createdToConfirmed: LatencySummary | null;
    statuses: Record<string, number>;
    lost: number;
    lostIds: string[];
    /** CPU per order on this machine, by process (Linux only). */
    cpu?: PipelineCpu;
  };
  cost?: {
    usage: MeasuredUsage;
    naiveUsage: MeasuredUsage;
    naiveLogBytesPerOrder: { value: number; measured: boolean; orders: number };
    /** Where the DynamoDB units go, per order: measured, and estimated from item sizes. */
    dynamoDbByOperation: DynamoDbOperationRow[];
    /** Requests the endpoint saw fail (any error; DynamoDB Local reports no capacity for them). */
    dynamoDbFailedAtEndpoint?: number;
    ours: CostBreakdown;
    naive: CostBreakdown;
    pricesTakenOn: string;
  };
  targets: TargetResult[];
  errors: string[];
}

export interface BenchOptions {
  orders: number;
  concurrency: number;
  requests: number;
  coldStartRuns: number;
  naiveLogOrders: number;
  /** Pipeline orders per second at most (0: as fast as the clients go). */
  rate: number;
  only: string[];
}

export interface BundleResult {
  handler: string;
  kind: 'api' | 'relay' | 'consumer';
  ours: { rawBytes: number; zippedBytes: number };
  naive: { rawBytes: number; zippedBytes: number };
  /** ours / naive of the raw size. */
  ratio: number;
  /** Largest contributors to our minified bundle. */
  composition: { module: string; bytes: number }[];
  /**
   * The third-party part alone (all but `lambdas/` and `events/`), in our bundle and in
   * the naive one: naiveBytes / oursBytes is the best factor reachable with no own code.
   */
  dependencies?: { oursBytes: number; naiveBytes: number };
}

export interface ColdStartResult {
  handler: string;
  kind: 'api' | 'relay' | 'consumer';
  runs: number;
  ours: { median: number; p95: number; processMedian: number };
  naive: { median: number; p95: number; processMedian: number; loadedFromNodeModulesBytes: number };
  /** ours / naive of the median. */
  ratio: number;
}

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean;
  /** How far off when missed, in words. */
  gap?: string;
}
