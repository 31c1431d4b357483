import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionDefinition } from '../local/template/model.ts';

const CHILD = fileURLToPath(new URL('./cold-start-child.ts', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));

/** One cold start: in-process timings from the child and the whole process's wall time. */
export interface ColdStartSample {
  importMs: number;
  invokeMs: number;
  /** Import + first invocation: the figure the targets are about. */
  totalMs: number;
  /** Spawn to exit, Node's own start-up included. */
  processMs: number;
  loadedFromNodeModules: number;
}

/** Lambda's environment for `fn`, pointed at `endpoint` (the fake AWS). */
export function lambdaEnvironment(
  fn: FunctionDefinition,
  endpoint: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    ...fn.environment,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: 'test',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    _X_AMZN_TRACE_ID: 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0',
    // The naive bundle requires the AWS SDK the Lambda runtime provides: here, the repo's.
    NODE_PATH: NODE_MODULES,
  };
}

/** Runs the bundle `runs` times, each in a fresh process, one after the other. */
export async function measureColdStarts(
  bundle: string,
  event: unknown,
  env: Record<string, string>,
  runs: number,
): Promise<ColdStartSample[]> {
  const dir = mkdtempSync(join(tmpdir(), 'order-saga-cold-'));
  const eventFile = join(dir, 'event.json');
  writeFileSync(eventFile, JSON.stringify(event));
  try {
    const samples: ColdStartSample[] = [];
    for (let i = 0; i < runs; i++) samples.push(await runOnce(bundle, eventFile, env));
    return samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runOnce(
  bundle: string,
  eventFile: string,
  env: Record<string, string>,
): Promise<ColdStartSample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', CHILD, bundle, eventFile],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const processMs = performance.now() - started;
      const line = stdout
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{"importMs"'));
      if (code !== 0 || !line) {
        reject(
          new Error(
            `cold start of ${bundle} failed (exit ${String(code)}): ${stderr.slice(-800) || stdout.slice(-800)}`,
          ),
        );
        return;
      }
      const parsed = JSON.parse(line) as Omit<ColdStartSample, 'processMs'>;
      resolve({
        importMs: parsed.importMs,
        invokeMs: parsed.invokeMs,
        totalMs: parsed.totalMs,
        processMs,
        loadedFromNodeModules: parsed.loadedFromNodeModules,
      });
    });
  });
}
