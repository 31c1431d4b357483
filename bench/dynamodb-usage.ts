import type { CapacitySummary } from '../local/endpoint/consumed-capacity.ts';
import type { Capacity } from './dynamodb-capacity.ts';
import { logicalTableName, type MeteredCapacity } from './dynamodb-meter.ts';

/**
 * The DynamoDB units of a pipeline window, put together from two sources. Pure.
 *
 * - Measured: what DynamoDB Local reported with `ReturnConsumedCapacity`, counted by the
 *   local cloud's endpoint (`meterDynamoDbCapacity`), less the bench's own reads.
 * - Failed conditional writes: DynamoDB Local reports no capacity with an error, but AWS
 *   charges a write whose condition fails (and a cancelled transaction); those requests
 *   are added at their size-based estimate.
 * - Estimated from item sizes (`dynamodb-capacity.ts`): kept as a cross-check.
 */

/**
 * Operations whose capacity DynamoDB Local misreports, charged at the size-based estimate
 * instead. TransactWriteItems: per table, DynamoDB Local adds up the distinct unit counts of
 * the items, not every item's (two 1 KB puts in one table report 2 units, AWS charges 4;
 * 1, 1 and 2 KB report 6 for AWS's 8), checked against DynamoDB Local 2.x. Every
 * transaction of this app writes an aggregate and its outbox item to one table.
 */
export const MISREPORTED_BY_DYNAMODB_LOCAL: ReadonlySet<string> = new Set(['TransactWriteItems']);

/** One `<operation> <table>` row of the per-request table, per order. */
export interface DynamoDbOperationRow {
  operation: string;
  requestsPerOrder: number;
  /** What the cost model charges. */
  readUnitsPerOrder: number;
  writeUnitsPerOrder: number;
  /** Where the charged units come from (see {@link MISREPORTED_BY_DYNAMODB_LOCAL}). */
  charged: 'reported' | 'estimated';
  /** As DynamoDB Local reported them (failed requests have none). */
  reportedReadUnitsPerOrder: number;
  reportedWriteUnitsPerOrder: number;
  /** The whole row estimated from item sizes. */
  estimatedReadUnitsPerOrder: number;
  estimatedWriteUnitsPerOrder: number;
  /** Failed conditional requests (no capacity reported; charged at their estimate). */
  failedRequestsPerOrder: number;
}

/** The window's DynamoDB usage, totals for the window and rows per order. */
export interface DynamoDbWindowUsage {
  /** What the cost model charges: the rows' charged units. */
  readUnits: number;
  writeUnits: number;
  /** What DynamoDB Local reported, without the bench's own reads. */
  reported: Capacity;
  estimatedFromItemSizes: Capacity;
  /** Failed conditional requests, and their estimated units (charged). */
  failed: Capacity & { requests: number };
  /** Failed requests the endpoint saw (all errors, throttles and validation included). */
  failedAtEndpoint: number;
  byOperation: DynamoDbOperationRow[];
}

/** The bench's own reads through the endpoint (the order watcher), by physical table. */
export interface OwnReads {
  operation: string;
  table: string;
  requests: number;
  readUnits: number;
}

/**
 * Combines the endpoint's counters (a window's delta, read with `capacityFromCounters`),
 * the bench's own reads to leave out, and the size-based meter's totals and rows: each
 * row is charged what DynamoDB Local reported plus the estimate of its failed conditional
 * requests, or, for an operation DynamoDB Local misreports, its whole estimate.
 */
export function dynamoDbWindowUsage(input: {
  orders: number;
  measured: CapacitySummary;
  own: readonly OwnReads[];
  estimated: MeteredCapacity;
  estimatedByOperation: ReadonlyMap<string, MeteredCapacity>;
  misreported?: ReadonlySet<string>;
}): DynamoDbWindowUsage {
  const { orders, estimated } = input;
  const misreported = input.misreported ?? MISREPORTED_BY_DYNAMODB_LOCAL;
  type Row = Capacity & { requests: number };
  const rows = new Map<string, Row & { operation: string }>();
  let failedAtEndpoint = 0;
  for (const row of input.measured.byOperation.values()) {
    const key = `${row.operation} ${logicalTableName(row.table)}`;
    const sum = rows.get(key) ?? {
      operation: row.operation,
      readUnits: 0,
      writeUnits: 0,
      requests: 0,
    };
    sum.readUnits += row.readUnits;
    sum.writeUnits += row.writeUnits;
    sum.requests += row.requests;
    failedAtEndpoint += row.failed;
    rows.set(key, sum);
  }
  for (const own of input.own) {
    const key = `${own.operation} ${logicalTableName(own.table)}`;
    const row = rows.get(key);
    if (!row) continue;
    row.readUnits -= own.readUnits;
    row.requests -= own.requests;
    if (row.requests <= 0 && row.readUnits <= 0 && row.writeUnits <= 0) rows.delete(key);
  }
  const zero: MeteredCapacity = {
    readUnits: 0,
    writeUnits: 0,
    requests: 0,
    failed: { readUnits: 0, writeUnits: 0, requests: 0 },
  };
  const perOrder = (n: number) => n / orders;
  const totals = { readUnits: 0, writeUnits: 0, reported: { readUnits: 0, writeUnits: 0 } };
  const labels = new Set([...rows.keys(), ...input.estimatedByOperation.keys()]);
  const byOperation = [...labels]
    .map((label): DynamoDbOperationRow => {
      const e = input.estimatedByOperation.get(label) ?? zero;
      const operation = rows.get(label)?.operation ?? label.split(' ')[0] ?? label;
      const m = rows.get(label) ?? { readUnits: 0, writeUnits: 0, requests: 0 };
      const byEstimate = misreported.has(operation);
      // The endpoint's request count leaves out failed requests (they report no capacity).
      const charged = byEstimate
        ? { readUnits: e.readUnits, writeUnits: e.writeUnits, requests: e.requests }
        : {
            readUnits: m.readUnits + e.failed.readUnits,
            writeUnits: m.writeUnits + e.failed.writeUnits,
            requests: m.requests + e.failed.requests,
          };
      totals.readUnits += charged.readUnits;
      totals.writeUnits += charged.writeUnits;
      totals.reported.readUnits += m.readUnits;
      totals.reported.writeUnits += m.writeUnits;
      return {
        operation: label,
        requestsPerOrder: perOrder(charged.requests),
        readUnitsPerOrder: perOrder(charged.readUnits),
        writeUnitsPerOrder: perOrder(charged.writeUnits),
        charged: byEstimate ? 'estimated' : 'reported',
        reportedReadUnitsPerOrder: perOrder(m.readUnits),
        reportedWriteUnitsPerOrder: perOrder(m.writeUnits),
        estimatedReadUnitsPerOrder: perOrder(e.readUnits),
        estimatedWriteUnitsPerOrder: perOrder(e.writeUnits),
        failedRequestsPerOrder: perOrder(e.failed.requests),
      };
    })
    .sort(
      (a, b) =>
        b.writeUnitsPerOrder - a.writeUnitsPerOrder || b.readUnitsPerOrder - a.readUnitsPerOrder,
    );
  return {
    readUnits: totals.readUnits,
    writeUnits: totals.writeUnits,
    reported: totals.reported,
    estimatedFromItemSizes: { readUnits: estimated.readUnits, writeUnits: estimated.writeUnits },
    failed: { ...estimated.failed },
    failedAtEndpoint,
    byOperation,
  };
}
