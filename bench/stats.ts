/**
 * Summary statistics of latency samples. Pure functions: the bench's timing code
 * collects numbers, these turn them into the figures it prints.
 */

/**
 * The p-th percentile (0..100) of `samples` by linear interpolation between the two
 * nearest ranks (the method of numpy's default and most load tools), so p50 of an even
 * number of samples is the mean of the middle two. Throws on an empty list: a
 * percentile of nothing is a bug in the caller, not zero.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of an empty sample');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower]!;
  const high = sorted[upper]!;
  return low + (high - low) * (rank - lower);
}

/** The figures printed for a set of latency samples (milliseconds). */
export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Count, extremes, mean and p50/p95/p99 of `samples`, rounded to 0.1 ms. */
export function summarize(samples: readonly number[]): LatencySummary {
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    count: samples.length,
    min: round(Math.min(...samples)),
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    max: round(Math.max(...samples)),
    mean: round(samples.reduce((sum, n) => sum + n, 0) / samples.length),
  };
}

/**
 * Counts of samples per bucket of width `bucketMs` from 0 (for the latency chart);
 * everything at or beyond `capMs` lands in the last bucket so a few outliers do not
 * flatten the chart.
 */
export function histogram(
  samples: readonly number[],
  bucketMs: number,
  capMs: number,
): { from: number; to: number; count: number }[] {
  if (bucketMs <= 0 || capMs <= 0) throw new Error('bucket width and cap must be positive');
  const buckets = Math.max(1, Math.ceil(capMs / bucketMs));
  const counts = new Array<number>(buckets).fill(0);
  for (const sample of samples) {
    const index = Math.min(buckets - 1, Math.max(0, Math.floor(sample / bucketMs)));
    counts[index] = counts[index]! + 1;
  }
  return counts.map((count, i) => ({ from: i * bucketMs, to: (i + 1) * bucketMs, count }));
}
