import type { Capacity } from './dynamodb-capacity.ts';
import { PRICES, type PriceTable } from './prices.ts';

/**
 * The cost model: what the local cloud counted during the pipeline run, per order,
 * multiplied by list prices. Pure: the bench measures, this prices.
 */

/** How a function is triggered, which decides what batching changes for it. */
export type FunctionTrigger = 'api' | 'stream' | 'queue' | 'task';

/** What one function did during the measured window. */
export interface FunctionUsage {
  name: string;
  trigger: FunctionTrigger;
  memoryMb: number;
  invocations: number;
  billedMs: number;
  /**
   * Stream records or queue messages it was given (for `api` and `task`, its
   * invocations): with batch size 1 each one is an invocation of its own.
   */
  records: number;
}

/** Everything the local cloud counted during the measured window. */
export interface MeasuredUsage {
  /** Orders that went through the saga in the window. */
  orders: number;
  functions: FunctionUsage[];
  dynamoDb: {
    readUnits: number;
    writeUnits: number;
    /** `consumed`: summed from what DynamoDB reported; `estimated`: computed from item sizes. */
    method: 'consumed' | 'estimated';
    /** With `consumed`: the same window estimated from item sizes, as a cross-check. */
    estimatedFromItemSizes?: Capacity;
    /**
     * With `consumed`: what DynamoDB Local reported, all of it (the units above take the
     * estimate where it is known to misreport: `bench/dynamodb-usage.ts`).
     */
    reportedByDynamoDbLocal?: Capacity;
    /**
     * With `consumed`: conditional requests that failed (DynamoDB Local reports no capacity
     * for them; AWS charges them), included in the units above at their estimate.
     */
    failedConditionalRequests?: Capacity & { requests: number };
  };
  putEventsEntries: number;
  sqsRequests: number;
  /** The SQS requests by action (SendMessage, ReceiveMessage, …), where they were counted. */
  sqsRequestsByAction?: Record<string, number>;
  stateTransitions: number;
  apiRequests: number;
  /** Bytes the functions wrote to their logs (application lines only). */
  logBytes: number;
}

/** The deployment settings that change what the same work costs. */
export interface CostConfiguration {
  name: string;
  architecture: 'arm64' | 'x86_64';
  /** Share of invocations X-Ray records a trace for. */
  traceSampling: number;
}

/**
 * This app's settings: arm64, active tracing with X-Ray's default sampling rule
 * (1 request per second, then 5 %: at a million orders a month, about 5 %).
 */
export const OUR_CONFIGURATION: CostConfiguration = {
  name: 'this app',
  architecture: 'arm64',
  traceSampling: 0.05,
};

/** The naive deployment: x86, every invocation traced (batch size and log level change the usage). */
export const NAIVE_CONFIGURATION: CostConfiguration = {
  name: 'naive',
  architecture: 'x86_64',
  traceSampling: 1,
};

/**
 * Lambda's own lines per invocation in CloudWatch Logs (JSON `platform.start` and
 * `platform.report`, about 150 and 300 bytes); the local cloud does not print them.
 */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 450;

/** One line of the cost breakdown. */
export interface CostLine {
  component: string;
  /** How much of the billed quantity one order uses. */
  quantityPerOrder: number;
  unit: string;
  /** USD per 1,000,000 orders. */
  usdPerMillionOrders: number;
}

export interface CostBreakdown {
  configuration: string;
  lines: CostLine[];
  totalUsdPerMillionOrders: number;
}

/** GB-seconds of a function: billed milliseconds at its memory size. */
export function gbSeconds(billedMs: number, memoryMb: number): number {
  return (billedMs / 1000) * (memoryMb / 1024);
}

/**
 * The cost of a million orders: per-order quantities from `usage` times `prices`,
 * one line per billed component, largest first.
 */
export function costPerMillionOrders(
  usage: MeasuredUsage,
  configuration: CostConfiguration,
  prices: PriceTable = PRICES,
): CostBreakdown {
  if (usage.orders <= 0) throw new Error('the usage covers no orders');
  const perOrder = (n: number) => n / usage.orders;
  const invocations = usage.functions.reduce((sum, f) => sum + f.invocations, 0);
  const gbs = usage.functions.reduce((sum, f) => sum + gbSeconds(f.billedMs, f.memoryMb), 0);
  const logGb = (usage.logBytes + invocations * PLATFORM_LOG_BYTES_PER_INVOCATION) / 1024 ** 3;
  const durationPrice =
    configuration.architecture === 'arm64' ? prices.lambdaArmGbSecond : prices.lambdaX86GbSecond;

  const line = (
    component: string,
    total: number,
    price: { usd: number; unit: string },
  ): CostLine => ({
    component,
    quantityPerOrder: perOrder(total),
    unit: price.unit,
    usdPerMillionOrders: perOrder(total) * price.usd * 1e6,
  });

  const lines = [
    line('Lambda requests', invocations, prices.lambdaRequest),
    line(`Lambda duration (${configuration.architecture})`, gbs, durationPrice),
    line('DynamoDB writes', usage.dynamoDb.writeUnits, prices.dynamoDbWriteRequestUnit),
    line('DynamoDB reads', usage.dynamoDb.readUnits, prices.dynamoDbReadRequestUnit),
    line('EventBridge events', usage.putEventsEntries, prices.eventBridgeCustomEvent),
    line('SQS requests', usage.sqsRequests, prices.sqsStandardRequest),
    line('Step Functions transitions', usage.stateTransitions, prices.stepFunctionsStateTransition),
    line('API Gateway requests', usage.apiRequests, prices.apiGatewayRestRequest),
    line('CloudWatch Logs ingestion', logGb, prices.cloudWatchLogsIngestedGb),
    line('X-Ray traces', invocations * configuration.traceSampling, prices.xRayTraceRecorded),
  ].sort((a, b) => b.usdPerMillionOrders - a.usdPerMillionOrders);

  return {
    configuration: configuration.name,
    lines,
    totalUsdPerMillionOrders: lines.reduce((sum, l) => sum + l.usdPerMillionOrders, 0),
  };
}

/**
 * The same work on the naive deployment (batch size 1, no batching window, DEBUG logs):
 * - every stream record and queue message is an invocation of its own (Lambda requests);
 * - the billed duration stays this run's: the same work, split into more invocations.
 *   That understates the naive cost (each invocation has its own fixed overhead and
 *   rounds up to the millisecond), so the saving shown is a lower bound;
 * - each extra queue invocation costs one more ReceiveMessage and one more DeleteMessage;
 * - log bytes are those measured with LOG_LEVEL=DEBUG when given (`debugLogBytesPerOrder`),
 *   else this run's.
 */
export function naiveUsage(usage: MeasuredUsage, debugLogBytesPerOrder?: number): MeasuredUsage {
  let extraSqsRequests = 0;
  const functions = usage.functions.map((f): FunctionUsage => {
    if (f.trigger === 'api' || f.trigger === 'task' || f.invocations === 0) return f;
    const invocations = Math.max(f.invocations, f.records);
    if (f.trigger === 'queue') extraSqsRequests += 2 * (invocations - f.invocations);
    return { ...f, invocations };
  });
  return {
    ...usage,
    functions,
    sqsRequests: usage.sqsRequests + extraSqsRequests,
    logBytes:
      debugLogBytesPerOrder === undefined ? usage.logBytes : debugLogBytesPerOrder * usage.orders,
  };
}
