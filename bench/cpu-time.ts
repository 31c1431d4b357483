import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time spent during the pipeline run, per order and by process, read from Linux's
 * /proc. The run is CPU-bound on 2 cores, so orders/s moves with the machine; CPU per
 * order is what the saga costs and moves far less (a slower run has smaller batches, so a
 * little more per order), so it tells whether a slower run is the code or the machine.
 * Elsewhere than Linux there is no /proc and the figures are left out.
 */

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux of note). */
const TICKS_PER_SECOND = 100;

/** Where a process's CPU time is counted. */
export type CpuShare = 'dynamoDbLocal' | 'benchProcess' | 'functions' | 'other';

/** CPU ticks so far: the machine's, and each live process's with its share. */
export interface CpuSnapshot {
  /** Ticks the machine's cores spent busy (user, nice, system, irq, softirq). */
  busy: number;
  /** Ticks of every kind, idle included (busy + idle + iowait + steal). */
  total: number;
  processes: Map<number, { ticks: number; share: CpuShare }>;
}

/** Milliseconds of CPU per order, by share; `busyShare` of the cores during the run. */
export interface PipelineCpu {
  machineMsPerOrder: number;
  byShareMsPerOrder: Record<CpuShare, number>;
  /** Busy time / all time of all cores while orders were in flight (1 = saturated). */
  busyShare: number;
}

/** Busy and total ticks from the first (`cpu`) line of /proc/stat. */
export function parseMachineTicks(procStat: string): { busy: number; total: number } {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('No aggregate cpu line in /proc/stat');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user! + nice! + system! + irq! + softirq!;
  return { busy, total: busy + idle! + iowait! + (steal ?? 0) };
}

/** Pid, parent pid and user + system ticks from /proc/<pid>/stat. */
export function parseProcessTicks(stat: string): { pid: number; ppid: number; ticks: number } {
  // The command name (2nd field) is in parentheses and may hold spaces or parentheses.
  const end = stat.lastIndexOf(')');
  const fields = stat.slice(end + 2).split(' ');
  // After the name: state (3), ppid (4), ... utime (14), stime (15), numbered from 1.
  return {
    pid: Number(stat.slice(0, stat.indexOf(' '))),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

/** Which share a process belongs to, from its command line and parent. */
export function shareOf(
  process: { pid: number; ppid: number; commandLine: string },
  benchPid: number,
): CpuShare {
  if (process.pid === benchPid) return 'benchProcess';
  if (process.commandLine.includes('DynamoDBLocal')) return 'dynamoDbLocal';
  // The local cloud forks each function sandbox from the bench process.
  if (process.ppid === benchPid) return 'functions';
  return 'other';
}

/** The machine's and every process's CPU ticks now; undefined without /proc. */
export function snapshotCpu(benchPid = process.pid): CpuSnapshot | undefined {
  let machine: { busy: number; total: number };
  try {
    machine = parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
  const processes = new Map<number, { ticks: number; share: CpuShare }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { pid, ppid, ticks } = parseProcessTicks(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      processes.set(pid, { ticks, share: shareOf({ pid, ppid, commandLine }, benchPid) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return { ...machine, processes };
}

/**
 * CPU per order between `start` and `end` (the run and its tail), and how busy the cores
 * were between `start` and `loaded` (while orders were in flight). Processes that ended
 * in between count in the machine's total only: `other` takes what no live process
 * accounts for, so the shares add up to the machine.
 */
export function cpuPerOrder(
  start: CpuSnapshot,
  loaded: CpuSnapshot,
  end: CpuSnapshot,
  orders: number,
): PipelineCpu {
  const toMsPerOrder = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND / orders;
  const byShare: Record<CpuShare, number> = {
    dynamoDbLocal: 0,
    benchProcess: 0,
    functions: 0,
    other: 0,
  };
  for (const [pid, { ticks, share }] of end.processes) {
    if (share === 'other') continue;
    byShare[share] += ticks - (start.processes.get(pid)?.ticks ?? 0);
  }
  const machine = end.busy - start.busy;
  byShare.other = Math.max(
    0,
    machine - byShare.dynamoDbLocal - byShare.benchProcess - byShare.functions,
  );
  const loadedTotal = loaded.total - start.total;
  return {
    machineMsPerOrder: toMsPerOrder(machine),
    byShareMsPerOrder: {
      dynamoDbLocal: toMsPerOrder(byShare.dynamoDbLocal),
      benchProcess: toMsPerOrder(byShare.benchProcess),
      functions: toMsPerOrder(byShare.functions),
      other: toMsPerOrder(byShare.other),
    },
    busyShare: loadedTotal > 0 ? (loaded.busy - start.busy) / loadedTotal : 0,
  };
}
