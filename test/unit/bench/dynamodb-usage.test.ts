import { describe, expect, it } from '@jest/globals';
import { dynamoDbWindowUsage } from '../../../bench/dynamodb-usage.ts';
import type { MeteredCapacity } from '../../../bench/dynamodb-meter.ts';
import {
  capacityFromCounters,
  countConsumedCapacity,
  countFailedRequest,
} from '../../../local/endpoint/consumed-capacity.ts';
import { Counters } from '../../../local/util.ts';

const ORDERS = 'OrderSaga-bench-OrdersTable1F8332C7';
const PAYMENTS = 'OrderSaga-bench-PaymentsTableAB12CD34';

const metered = (
  readUnits: number,
  writeUnits: number,
  requests: number,
  failed = { readUnits: 0, writeUnits: 0, requests: 0 },
): MeteredCapacity => ({ readUnits, writeUnits, requests, failed });

/** Ten orders: each a 4-unit transaction on the orders table and a 1-unit read, plus the watcher's reads. */
function window() {
  const counters = new Counters();
  for (let i = 0; i < 10; i++) {
    countConsumedCapacity(counters, 'TransactWriteItems', [
      { TableName: ORDERS, CapacityUnits: 4 },
    ]);
    countConsumedCapacity(counters, 'GetItem', [{ TableName: PAYMENTS, CapacityUnits: 1 }]);
  }
  for (let i = 0; i < 3; i++)
    countConsumedCapacity(counters, 'BatchGetItem', [{ TableName: ORDERS, CapacityUnits: 2.5 }]);
  // Two conditional updates failed: DynamoDB Local answered them without capacity.
  countFailedRequest(counters, 'UpdateItem', [ORDERS]);
  countFailedRequest(counters, 'UpdateItem', [ORDERS]);
  return capacityFromCounters(counters.snapshot());
}

describe('dynamoDbWindowUsage', () => {
  const input = {
    orders: 10,
    measured: window(),
    own: [{ operation: 'BatchGetItem', table: ORDERS, requests: 3, readUnits: 7.5 }],
    estimated: metered(10, 47, 22, { readUnits: 0, writeUnits: 2, requests: 2 }),
    estimatedByOperation: new Map([
      ['TransactWriteItems OrdersTable', metered(0, 45, 10)],
      ['GetItem PaymentsTable', metered(10, 0, 10)],
      ['UpdateItem OrdersTable', metered(0, 2, 2, { readUnits: 0, writeUnits: 2, requests: 2 })],
    ]),
  };

  it('charges what DynamoDB Local reported, without the bench’s own reads, plus the failed requests at their estimate', () => {
    const usage = dynamoDbWindowUsage({ ...input, misreported: new Set() });
    expect(usage.writeUnits).toBe(40 + 2);
    expect(usage.readUnits).toBe(10);
    expect(usage.reported).toEqual({ readUnits: 10, writeUnits: 40 });
    expect(usage.failed).toEqual({ readUnits: 0, writeUnits: 2, requests: 2 });
    expect(usage.failedAtEndpoint).toBe(2);
  });

  it('charges an operation DynamoDB Local misreports (TransactWriteItems by default) at its estimate', () => {
    const usage = dynamoDbWindowUsage(input);
    expect(usage.writeUnits).toBe(45 + 2);
    expect(usage.reported.writeUnits).toBe(40);
  });

  it('keeps the size-based estimate apart as a cross-check', () => {
    expect(dynamoDbWindowUsage(input).estimatedFromItemSizes).toEqual({
      readUnits: 10,
      writeUnits: 47,
    });
  });

  it('lists charged, reported and estimated units per request and table per order, largest writes first, without the watcher', () => {
    expect(dynamoDbWindowUsage(input).byOperation).toEqual([
      {
        operation: 'TransactWriteItems OrdersTable',
        requestsPerOrder: 1,
        writeUnitsPerOrder: 4.5,
        readUnitsPerOrder: 0,
        charged: 'estimated',
        reportedWriteUnitsPerOrder: 4,
        reportedReadUnitsPerOrder: 0,
        estimatedWriteUnitsPerOrder: 4.5,
        estimatedReadUnitsPerOrder: 0,
        failedRequestsPerOrder: 0,
      },
      {
        operation: 'UpdateItem OrdersTable',
        requestsPerOrder: 0.2,
        writeUnitsPerOrder: 0.2,
        readUnitsPerOrder: 0,
        charged: 'reported',
        reportedWriteUnitsPerOrder: 0,
        reportedReadUnitsPerOrder: 0,
        estimatedWriteUnitsPerOrder: 0.2,
        estimatedReadUnitsPerOrder: 0,
        failedRequestsPerOrder: 0.2,
      },
      {
        operation: 'GetItem PaymentsTable',
        requestsPerOrder: 1,
        writeUnitsPerOrder: 0,
        readUnitsPerOrder: 1,
        charged: 'reported',
        reportedWriteUnitsPerOrder: 0,
        reportedReadUnitsPerOrder: 1,
        estimatedWriteUnitsPerOrder: 0,
        estimatedReadUnitsPerOrder: 1,
        failedRequestsPerOrder: 0,
      },
    ]);
  });
});
