import { describe, expect, it } from '@jest/globals';
import {
  NAIVE_CONFIGURATION,
  OUR_CONFIGURATION,
  costPerMillionOrders,
  type MeasuredUsage,
} from '../../../bench/cost-model.ts';
import { consoleReport } from '../../../bench/report.ts';
import type { BenchResults } from '../../../bench/results.ts';
import { benchEnvironment } from './bench-fixtures.ts';

function results(
  dynamoDb: MeasuredUsage['dynamoDb'],
  sqsRequestsByAction?: Record<string, number>,
): BenchResults {
  const usage: MeasuredUsage = {
    orders: 100,
    functions: [],
    dynamoDb,
    putEventsEntries: 400,
    sqsRequests: 300,
    ...(sqsRequestsByAction ? { sqsRequestsByAction } : {}),
    stateTransitions: 100,
    apiRequests: 100,
    logBytes: 0,
  };
  return {
    environment: benchEnvironment,
    options: {
      orders: 100,
      concurrency: 8,
      requests: 10,
      coldStartRuns: 1,
      naiveLogOrders: 0,
      rate: 0,
      only: ['pipeline'],
    },
    cost: {
      usage,
      naiveUsage: usage,
      naiveLogBytesPerOrder: { value: 0, measured: false, orders: 0 },
      dynamoDbByOperation: [
        {
          operation: 'TransactWriteItems OrdersTable',
          requestsPerOrder: 2,
          writeUnitsPerOrder: 9,
          readUnitsPerOrder: 0,
          charged: 'estimated',
          reportedWriteUnitsPerOrder: 8,
          reportedReadUnitsPerOrder: 0,
          estimatedWriteUnitsPerOrder: 9,
          estimatedReadUnitsPerOrder: 0,
          failedRequestsPerOrder: 0.04,
        },
      ],
      dynamoDbFailedAtEndpoint: 4,
      ours: costPerMillionOrders(usage, OUR_CONFIGURATION),
      naive: costPerMillionOrders(usage, NAIVE_CONFIGURATION),
      pricesTakenOn: '2026-11-23',
    },
    targets: [],
    errors: [],
  };
}

describe('the cost section of the report', () => {
  it('says the DynamoDB units are as DynamoDB reported them, with the size-based estimate beside them', () => {
    const text = consoleReport(
      results({
        readUnits: 400,
        writeUnits: 2600,
        method: 'consumed',
        estimatedFromItemSizes: { readUnits: 404, writeUnits: 2604 },
        reportedByDynamoDbLocal: { readUnits: 400, writeUnits: 2300 },
        failedConditionalRequests: { readUnits: 0, writeUnits: 4, requests: 4 },
      }),
    );
    expect(text).toContain('DynamoDB units are as DynamoDB Local reported them');
    expect(text).toContain('plus 0.04 failed conditional requests per order');
    expect(text).toContain('except TransactWriteItems, charged at the size-based estimate');
    expect(text).toContain(
      'Charged: 26.00 write units and 4.00 read units per order. Reported by DynamoDB Local: 23.00 and 4.00. Estimated from item sizes (cross-check, bench/dynamodb-capacity.ts): 26.04 and 4.04.',
    );
    expect(text).toContain(
      '| TransactWriteItems OrdersTable | 2.00 | 9.00 | 0.00 | item sizes | 8.00 / 0.00 | 9.00 / 0.00 | 0.04 |',
    );
    expect(text).not.toContain('estimated from the item sizes on the wire');
  });

  it('says when the units are only estimated', () => {
    const text = consoleReport(results({ readUnits: 400, writeUnits: 2600, method: 'estimated' }));
    expect(text).toContain('DynamoDB units are estimated from the item sizes on the wire');
    expect(text).not.toContain('cross-check');
  });

  it('breaks the SQS requests down by action, most first, when the run counted them', () => {
    const dynamoDb = { readUnits: 400, writeUnits: 2600, method: 'estimated' } as const;
    expect(
      consoleReport(
        results(dynamoDb, { ReceiveMessage: 120, SendMessage: 150, DeleteMessageBatch: 30 }),
      ),
    ).toContain(
      'SQS requests by action, per order: SendMessage 1.50, ReceiveMessage 1.20, DeleteMessageBatch 0.30.',
    );
    expect(consoleReport(results(dynamoDb))).not.toContain('SQS requests by action');
  });
});

describe('the bundles section of the report', () => {
  it('shows the ratio of the dependencies alone next to that of the whole bundle', () => {
    const r = results({ readUnits: 0, writeUnits: 0, method: 'estimated' });
    const text = consoleReport({
      ...r,
      bundles: [
        {
          handler: 'relay',
          kind: 'relay',
          ours: { rawBytes: 80 * 1024, zippedBytes: 26 * 1024 },
          naive: { rawBytes: 200 * 1024, zippedBytes: 50 * 1024 },
          ratio: 0.4,
          composition: [{ module: 'zod', bytes: 22 * 1024 }],
          dependencies: { oursBytes: 60 * 1024, naiveBytes: 174 * 1024 },
        },
      ],
    });
    expect(text).toContain(
      '| relay | 80.0 KB | 26.0 KB | 200.0 KB | 50.0 KB | 0.40 | 0.34 | zod 22K |',
    );
  });
});

describe('the pipeline section of the report', () => {
  const pipeline: NonNullable<BenchResults['pipeline']> = {
    orders: 100,
    concurrency: 8,
    durationMs: 2000,
    ordersPerSecond: 50,
    postsPerSecond: 51,
    createdToConfirmed: null,
    statuses: { CONFIRMED: 100 },
    lost: 0,
    lostIds: [],
  };
  const withPipeline = (p: NonNullable<BenchResults['pipeline']>): BenchResults => {
    const { cost: _cost, ...rest } = results({ readUnits: 0, writeUnits: 0, method: 'consumed' });
    return { ...rest, pipeline: p };
  };

  it('gives the CPU per order under the throughput when the run measured it', () => {
    const text = consoleReport(
      withPipeline({
        ...pipeline,
        cpu: {
          machineMsPerOrder: 38,
          byShareMsPerOrder: { dynamoDbLocal: 17, benchProcess: 8, functions: 13, other: 0 },
          busyShare: 0.95,
        },
      }),
    );
    expect(text).toContain('CPU per order (run and its tail, all processes): 38.0 ms');
  });

  it('leaves it out where it could not be measured (no /proc)', () => {
    expect(consoleReport(withPipeline(pipeline))).not.toContain('CPU per order');
  });
});
