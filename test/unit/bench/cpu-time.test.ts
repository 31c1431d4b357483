import { describe, expect, it } from '@jest/globals';
import {
  cpuPerOrder,
  parseMachineTicks,
  parseProcessTicks,
  shareOf,
  snapshotCpu,
  type CpuShare,
  type CpuSnapshot,
} from '../../../bench/cpu-time.ts';
import { pipelineCpuLine } from '../../../bench/report.ts';

describe('parseMachineTicks', () => {
  it('counts user, nice, system, irq and softirq as busy, and idle, iowait and steal on top in the total', () => {
    const procStat = [
      'cpu  1000 20 300 5000 40 6 70 8 0 0',
      'cpu0 500 10 150 2500 20 3 35 4 0 0',
      'intr 12345',
    ].join('\n');
    expect(parseMachineTicks(procStat)).toEqual({
      busy: 1000 + 20 + 300 + 6 + 70,
      total: 1000 + 20 + 300 + 6 + 70 + 5000 + 40 + 8,
    });
  });

  it('refuses a text without the aggregate line', () => {
    expect(() => parseMachineTicks('cpu0 1 2 3 4 5 6 7 8')).toThrow(/aggregate/);
  });
});

describe('parseProcessTicks', () => {
  it('reads pid, parent pid and user + system ticks, whatever the command name holds', () => {
    // The name field may contain spaces and parentheses: fields are counted after the last ')'.
    const stat =
      '4242 (node (x) y) S 4000 4242 4000 0 -1 4194560 100 0 0 0 731 129 5 6 20 0 11 0 999 1 2';
    expect(parseProcessTicks(stat)).toEqual({ pid: 4242, ppid: 4000, ticks: 731 + 129 });
  });
});

describe('shareOf', () => {
  const bench = 100;
  it('tells the bench process, DynamoDB Local, the sandboxes it forked and the rest apart', () => {
    expect(shareOf({ pid: 100, ppid: 1, commandLine: 'node\0bench/run.ts' }, bench)).toBe(
      'benchProcess',
    );
    const java = 'java\0-jar\0/x/DynamoDBLocal.jar\0-inMemory';
    expect(shareOf({ pid: 102, ppid: 101, commandLine: java }, bench)).toBe('dynamoDbLocal');
    // Its sh guard is a child of the bench process too, and counts with Java.
    expect(shareOf({ pid: 101, ppid: 100, commandLine: `sh\0-c\0…\0${java}` }, bench)).toBe(
      'dynamoDbLocal',
    );
    expect(shareOf({ pid: 103, ppid: 100, commandLine: 'node\0bootstrap.mjs' }, bench)).toBe(
      'functions',
    );
    expect(shareOf({ pid: 104, ppid: 1, commandLine: 'sshd' }, bench)).toBe('other');
  });
});

const snapshot = (
  busy: number,
  total: number,
  processes: [number, number, CpuShare][],
): CpuSnapshot => ({
  busy,
  total,
  processes: new Map(processes.map(([pid, ticks, share]) => [pid, { ticks, share }])),
});

describe('cpuPerOrder', () => {
  it('gives ms per order by share, new processes counted from zero, and what no live process accounts for as other', () => {
    const start = snapshot(1_000, 10_000, [
      [1, 500, 'dynamoDbLocal'],
      [2, 300, 'benchProcess'],
      [3, 10, 'functions'],
      [9, 50, 'other'],
    ]);
    const loaded = snapshot(1_900, 11_000, []);
    const end = snapshot(3_000, 12_500, [
      [1, 1_400, 'dynamoDbLocal'], // +900 ticks
      [2, 600, 'benchProcess'], // +300
      [3, 210, 'functions'], // +200
      [4, 100, 'functions'], // started during the run: +100
      [9, 80, 'other'],
    ]);
    // 100 orders, 100 ticks per second: 1 tick = 10 ms, per order 0.1 ms.
    const cpu = cpuPerOrder(start, loaded, end, 100);
    expect(cpu.machineMsPerOrder).toBeCloseTo(200); // 2,000 busy ticks
    expect(cpu.byShareMsPerOrder).toEqual({
      dynamoDbLocal: 90,
      benchProcess: 30,
      functions: 30,
      // 2,000 − 900 − 300 − 300: sandboxes that exited, the sh guard, other processes.
      other: 50,
    });
    // Busy 900 of 1,000 ticks between the start and the last order final.
    expect(cpu.busyShare).toBeCloseTo(0.9);
  });
});

describe('snapshotCpu', () => {
  it('on Linux, sees this process as the bench process, with the CPU it has used', () => {
    const now = snapshotCpu();
    if (process.platform !== 'linux') {
      expect(now).toBeUndefined();
      return;
    }
    expect(now).toBeDefined();
    const self = now!.processes.get(process.pid);
    expect(self?.share).toBe('benchProcess');
    expect(self!.ticks).toBeGreaterThan(0);
    expect(now!.total).toBeGreaterThan(now!.busy);
  });
});

describe('pipelineCpuLine', () => {
  const cpu = {
    machineMsPerOrder: 38.04,
    byShareMsPerOrder: { dynamoDbLocal: 17.5, benchProcess: 7.4, functions: 12.9, other: 0.24 },
    busyShare: 0.97,
  };
  it('states CPU per order by process and, when the cores were saturated, that the run was CPU-bound', () => {
    const line = pipelineCpuLine(cpu);
    expect(line).toContain('38.0 ms');
    expect(line).toContain('DynamoDB Local 17.5 ms');
    expect(line).toContain('the function sandboxes 12.9 ms');
    expect(line).toContain('7.4 ms');
    expect(line).toContain('other 0.2 ms');
    expect(line).toContain('97 % busy');
    expect(line).toContain('CPU-bound');
  });
  it('does not call a run with idle cores CPU-bound', () => {
    expect(pipelineCpuLine({ ...cpu, busyShare: 0.6 })).not.toContain('CPU-bound');
  });
});
