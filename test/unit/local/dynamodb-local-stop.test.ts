import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../../../local/dynamodb/dynamodb-local.ts';

/**
 * Stopping DynamoDB Local when Java does not exit on SIGTERM (seen with a flight
 * recording attached): the JVM must not be left running as an orphan. A stand-in `java`
 * (found through JAVA_HOME) answers HTTP on the `-port` it is given and ignores SIGTERM.
 */

let javaHome: string;
let savedJavaHome: string | undefined;

/** The stand-in JVM: writes its pid to `pidFile`, serves `-port`, ignores SIGTERM. */
const fakeServer = (pidFile: string) => `
const { createServer } = require('node:http');
const { writeFileSync } = require('node:fs');
const port = Number(process.argv[process.argv.indexOf('-port') + 1]);
process.on('SIGTERM', () => {});
writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
createServer((req, res) => { req.resume(); res.statusCode = 400; res.end('{}'); }).listen(port, '127.0.0.1');
`;

beforeEach(() => {
  savedJavaHome = process.env.JAVA_HOME;
  javaHome = mkdtempSync(join(tmpdir(), 'fake-java-'));
  mkdirSync(join(javaHome, 'bin'));
  writeFileSync(join(javaHome, 'server.cjs'), fakeServer(join(javaHome, 'pid')));
  const java = join(javaHome, 'bin', 'java');
  writeFileSync(
    java,
    `#!/bin/sh\n[ "$1" = "-version" ] && exit 0\nexec "${process.execPath}" "${join(javaHome, 'server.cjs')}" "$@"\n`,
  );
  chmodSync(java, 0o755);
  // Read by the module under test (not by its children, which get the real environment).
  process.env.JAVA_HOME = javaHome;
});

afterEach(() => {
  if (savedJavaHome === undefined) delete process.env.JAVA_HOME;
  else process.env.JAVA_HOME = savedJavaHome;
  rmSync(javaHome, { recursive: true, force: true });
});

/** Alive and not a zombie waiting to be reaped (on Linux, where /proc says so). */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
};

/** Polls until `pid` is gone or `ms` pass; returns whether it is still running (then kills it). */
async function survives(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const survived = isRunning(pid);
  if (survived) process.kill(pid, 'SIGKILL');
  return survived;
}

describe('startDynamoDbLocal stop()', () => {
  it('kills a Java that ignores SIGTERM once the grace period is over, leaving no orphan', async () => {
    const local = await startDynamoDbLocal({ log: () => {}, stopGraceMs: 1000 });
    const pid = Number(readFileSync(join(javaHome, 'pid'), 'utf8'));
    expect(isRunning(pid)).toBe(true);

    await local.stop();

    // Killed 1 s after the TERM; the rest of the margin is for the kernel to reap.
    expect(await survives(pid, 3000)).toBe(false);
  }, 15_000);

  it('kills it too when the process that started it is killed with SIGKILL', async () => {
    const module = fileURLToPath(
      new URL('../../../local/dynamodb/dynamodb-local.ts', import.meta.url),
    );
    const parent = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { startDynamoDbLocal } = await import(${JSON.stringify(module)});
         await startDynamoDbLocal({ log: () => {}, stopGraceMs: 1000 });
         console.log('ready');
         setInterval(() => {}, 1000);`,
      ],
      { env: { ...process.env, JAVA_HOME: javaHome }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      parent.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    const pid = Number(readFileSync(join(javaHome, 'pid'), 'utf8'));
    expect(isRunning(pid)).toBe(true);

    parent.kill('SIGKILL');

    // The guard sees its pipe close, sends TERM (ignored), and its watchdog kills after 1 s.
    expect(await survives(pid, 4000)).toBe(false);
  }, 15_000);
});
