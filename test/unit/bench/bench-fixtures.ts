import type { BenchResults } from '../../../bench/results.ts';

/** The machine a fixture run claims: the report and target tests do not look at it. */
export const benchEnvironment: BenchResults['environment'] = {
  date: '2026-11-23T00:00:00.000Z',
  gitCommit: 'abc',
  gitDirty: false,
  node: 'v24',
  platform: 'linux',
  cpu: 'cpu',
  cpus: 2,
  memoryGb: 8,
  loadAverage: [0, 0, 0],
};
