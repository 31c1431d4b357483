import { describe, expect, it } from '@jest/globals';
import {
  NAIVE_CONFIGURATION,
  OUR_CONFIGURATION,
  PLATFORM_LOG_BYTES_PER_INVOCATION,
  costPerMillionOrders,
  gbSeconds,
  naiveUsage,
  type MeasuredUsage,
} from '../../../bench/cost-model.ts';
import { PRICES } from '../../../bench/prices.ts';

/** 100 orders: an API call each, one batch of 10 messages per 10 orders on a queue consumer. */
function usage(overrides: Partial<MeasuredUsage> = {}): MeasuredUsage {
  return {
    orders: 100,
    functions: [
      {
        name: 'api',
        trigger: 'api',
        memoryMb: 512,
        invocations: 100,
        billedMs: 2000,
        records: 100,
      },
      {
        name: 'consumer',
        trigger: 'queue',
        memoryMb: 1024,
        invocations: 10,
        billedMs: 1000,
        records: 100,
      },
      {
        name: 'relay',
        trigger: 'stream',
        memoryMb: 256,
        invocations: 5,
        billedMs: 500,
        records: 200,
      },
    ],
    dynamoDb: { readUnits: 400, writeUnits: 1000, method: 'estimated' },
    putEventsEntries: 400,
    sqsRequests: 300,
    stateTransitions: 100,
    apiRequests: 100,
    logBytes: 0,
    ...overrides,
  };
}

const line = (breakdown: ReturnType<typeof costPerMillionOrders>, prefix: string) => {
  const found = breakdown.lines.find((l) => l.component.startsWith(prefix));
  if (!found) throw new Error(`no line ${prefix}`);
  return found;
};

describe('gbSeconds', () => {
  it('is billed seconds times memory in GB', () => {
    expect(gbSeconds(1500, 512)).toBe(0.75);
  });
});

describe('costPerMillionOrders', () => {
  it('multiplies each per-order quantity by its list price, per million orders', () => {
    const cost = costPerMillionOrders(usage(), OUR_CONFIGURATION);
    // 10 WRU per order at $0.625 per million units → $6.25 per million orders.
    expect(line(cost, 'DynamoDB writes').usdPerMillionOrders).toBeCloseTo(6.25, 6);
    expect(line(cost, 'DynamoDB reads').quantityPerOrder).toBe(4);
    expect(line(cost, 'Step Functions').usdPerMillionOrders).toBeCloseTo(25, 6);
    expect(line(cost, 'API Gateway').usdPerMillionOrders).toBeCloseTo(3.5, 6);
    expect(line(cost, 'EventBridge').usdPerMillionOrders).toBeCloseTo(4, 6);
    expect(line(cost, 'SQS').usdPerMillionOrders).toBeCloseTo(1.2, 6);
    expect(line(cost, 'Lambda requests').quantityPerOrder).toBeCloseTo(1.15, 10);
  });

  it('prices duration by architecture from GB-seconds of every function', () => {
    const gbs = (gbSeconds(2000, 512) + gbSeconds(1000, 1024) + gbSeconds(500, 256)) / 100;
    const arm = line(costPerMillionOrders(usage(), OUR_CONFIGURATION), 'Lambda duration');
    const x86 = line(costPerMillionOrders(usage(), NAIVE_CONFIGURATION), 'Lambda duration');
    expect(arm.quantityPerOrder).toBeCloseTo(gbs, 10);
    expect(arm.usdPerMillionOrders).toBeCloseTo(gbs * PRICES.lambdaArmGbSecond.usd * 1e6, 6);
    expect(x86.usdPerMillionOrders).toBeCloseTo(gbs * PRICES.lambdaX86GbSecond.usd * 1e6, 6);
  });

  it('adds Lambda platform lines to the measured log bytes', () => {
    const cost = costPerMillionOrders(usage({ logBytes: 1024 ** 3 }), OUR_CONFIGURATION);
    const platformGb = (115 * PLATFORM_LOG_BYTES_PER_INVOCATION) / 1024 ** 3;
    expect(line(cost, 'CloudWatch Logs').quantityPerOrder).toBeCloseTo((1 + platformGb) / 100, 12);
  });

  it('records traces for the sampled share of invocations', () => {
    const ours = line(costPerMillionOrders(usage(), OUR_CONFIGURATION), 'X-Ray');
    const naive = line(costPerMillionOrders(usage(), NAIVE_CONFIGURATION), 'X-Ray');
    expect(ours.quantityPerOrder).toBeCloseTo(1.15 * 0.05, 10);
    expect(naive.quantityPerOrder).toBeCloseTo(1.15, 10);
  });

  it('totals the lines and lists the largest first', () => {
    const cost = costPerMillionOrders(usage(), OUR_CONFIGURATION);
    const sum = cost.lines.reduce((s, l) => s + l.usdPerMillionOrders, 0);
    expect(cost.totalUsdPerMillionOrders).toBeCloseTo(sum, 10);
    const amounts = cost.lines.map((l) => l.usdPerMillionOrders);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
  });

  it('refuses a usage without orders', () => {
    expect(() => costPerMillionOrders(usage({ orders: 0 }), OUR_CONFIGURATION)).toThrow(
      'no orders',
    );
  });
});

describe('naiveUsage', () => {
  it('makes every queue message and stream record an invocation of its own', () => {
    const naive = naiveUsage(usage());
    const byName = new Map(naive.functions.map((f) => [f.name, f]));
    expect(byName.get('consumer')?.invocations).toBe(100);
    expect(byName.get('relay')?.invocations).toBe(200);
    expect(byName.get('api')?.invocations).toBe(100);
  });

  it('keeps the billed duration (the same work), so the saving it shows is a lower bound', () => {
    const naive = naiveUsage(usage());
    expect(naive.functions.map((f) => f.billedMs)).toEqual([2000, 1000, 500]);
  });

  it('adds a ReceiveMessage and a DeleteMessage per extra queue invocation', () => {
    expect(naiveUsage(usage()).sqsRequests).toBe(300 + 2 * (100 - 10));
  });

  it('uses the DEBUG log volume when measured', () => {
    expect(naiveUsage(usage({ logBytes: 10 }), 500).logBytes).toBe(50_000);
    expect(naiveUsage(usage({ logBytes: 10 })).logBytes).toBe(10);
  });

  it('costs more than this app for the same measured work', () => {
    const ours = costPerMillionOrders(usage({ logBytes: 100_000 }), OUR_CONFIGURATION);
    const naive = costPerMillionOrders(
      naiveUsage(usage({ logBytes: 100_000 }), 3000),
      NAIVE_CONFIGURATION,
    );
    expect(naive.totalUsdPerMillionOrders).toBeGreaterThan(ours.totalUsdPerMillionOrders);
  });
});
