import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { histogram, percentile, summarize } from '../../../bench/stats.ts';

describe('percentile', () => {
  it('interpolates between the two nearest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
  });

  it('gives the minimum at p0 and the maximum at p100, whatever the input order', () => {
    expect(percentile([5, 1, 9, 3], 0)).toBe(1);
    expect(percentile([5, 1, 9, 3], 100)).toBe(9);
  });

  it('never falls outside the samples and grows with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 99 }),
        (samples, p) => {
          const low = percentile(samples, p);
          const high = percentile(samples, p + 1);
          expect(low).toBeGreaterThanOrEqual(Math.min(...samples));
          expect(high).toBeLessThanOrEqual(Math.max(...samples));
          expect(high).toBeGreaterThanOrEqual(low);
        },
      ),
    );
  });

  it('refuses an empty sample and a p outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow('empty');
    expect(() => percentile([1], 101)).toThrow('0..100');
  });
});

describe('summarize', () => {
  it('reports count, extremes, mean and p50/p95/p99 rounded to 0.1 ms', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(samples)).toEqual({
      count: 100,
      min: 1,
      p50: 50.5,
      p95: 95.1,
      p99: 99,
      max: 100,
      mean: 50.5,
    });
  });
});

describe('histogram', () => {
  it('counts samples per bucket and puts everything beyond the cap in the last one', () => {
    expect(histogram([0, 5, 10, 19, 250], 10, 30)).toEqual([
      { from: 0, to: 10, count: 2 },
      { from: 10, to: 20, count: 2 },
      { from: 20, to: 30, count: 1 },
    ]);
  });

  it('keeps every sample', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(5000)), (samples) => {
        const total = histogram(samples, 7, 1000).reduce((sum, b) => sum + b.count, 0);
        expect(total).toBe(samples.length);
      }),
    );
  });
});
