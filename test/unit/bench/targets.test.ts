import { describe, expect, it } from '@jest/globals';
import type { BenchResults, BundleResult } from '../../../bench/results.ts';
import { evaluateTargets } from '../../../bench/targets.ts';
import { benchEnvironment } from './bench-fixtures.ts';

const base: Omit<BenchResults, 'targets'> = {
  environment: benchEnvironment,
  options: {
    orders: 1,
    concurrency: 1,
    requests: 1,
    coldStartRuns: 1,
    naiveLogOrders: 0,
    rate: 0,
    only: [],
  },
  errors: [],
};

/** A relay bundle of 200 KB against a naive one of 500 KB (2.5×). */
const relayBundle = (extra: Partial<BundleResult> = {}): BundleResult => ({
  handler: 'relay',
  kind: 'relay',
  ours: { rawBytes: 200 * 1024, zippedBytes: 1 },
  naive: { rawBytes: 500 * 1024, zippedBytes: 1 },
  ratio: 0.4,
  composition: [],
  ...extra,
});

describe('evaluateTargets', () => {
  it('checks bundle size against 250 KB and 3× under naive', () => {
    const targets = evaluateTargets({ ...base, bundles: [relayBundle()] });
    expect(targets.map((t) => [t.target, t.met])).toEqual([
      ['relay: bundle ≤ 250 KB minified', true],
      ['relay: bundle ≥ 3× smaller than naive', false],
    ]);
    expect(targets[1]?.gap).toBe('needs ≤ 167 KB');
  });

  it('says when the dependencies alone cannot reach 3×', () => {
    const dependencies = { oursBytes: 100 * 1024, naiveBytes: 270 * 1024 };
    const [, factor] = evaluateTargets({ ...base, bundles: [relayBundle({ dependencies })] });
    expect(factor?.gap).toBe('needs ≤ 167 KB; its dependencies alone shrink 2.70×');
  });

  it('holds the API handler to 80 ms and the others to 60 ms', () => {
    const cold = (handler: string, kind: 'api' | 'consumer', median: number) => ({
      handler,
      kind,
      runs: 21,
      ours: { median, p95: median, processMedian: median },
      naive: { median, p95: median, processMedian: median, loadedFromNodeModulesBytes: 0 },
      ratio: 1,
    });
    const targets = evaluateTargets({
      ...base,
      coldStarts: [cold('orders-api', 'api', 70), cold('payments', 'consumer', 70)],
    });
    expect(targets.map((t) => t.met)).toEqual([true, false]);
    expect(targets[1]?.gap).toBe('10 ms over');
  });

  it('fails the pipeline on throughput, median latency and any lost order', () => {
    const targets = evaluateTargets({
      ...base,
      pipeline: {
        orders: 100,
        concurrency: 8,
        durationMs: 1000,
        ordersPerSecond: 60,
        postsPerSecond: 100,
        createdToConfirmed: { count: 99, min: 1, p50: 1200, p95: 2, p99: 3, max: 4, mean: 5 },
        statuses: { CONFIRMED: 99, LOST: 1 },
        lost: 1,
        lostIds: ['x'],
      },
    });
    expect(targets.map((t) => t.met)).toEqual([true, false, false]);
  });
});
