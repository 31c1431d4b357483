/**
 * `npm start`: synthesizes the CDK app and runs it on this machine until Ctrl-C.
 *
 * Settings (environment variables):
 * - anything the CDK app reads (stage settings, e.g. `SAGA_TIMEOUT_SECONDS=5 npm start`)
 *   is passed through to `cdk synth`;
 * - `LOCAL_API_PORT` (default 3000), `LOCAL_ENDPOINT_PORT` (default 4566);
 * - `LOCAL_STACK`: the stack to run when the app has several;
 * - `LOCAL_SKIP_SYNTH=1`: run what is already in `LOCAL_CDK_OUT` (default `cdk.out`);
 * - `LOCAL_FAULTS` / `LOCAL_FAULTS_FILE`: faults to inject (see local/faults.ts);
 * - `LOCAL_QUIET=1`: no function logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCloud, type LocalCloud } from './cloud.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cdkOut = resolve(root, process.env.LOCAL_CDK_OUT ?? 'cdk.out');
const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} must be a port number`);
  return value;
};

let synth: ChildProcess | undefined;
let cloud: LocalCloud | undefined;
let stopping = false;

/** Runs `cdk synth --quiet` with this Node first on PATH (the app runs as TypeScript). */
function synthesize(): Promise<void> {
  const started = Date.now();
  console.log('Synthesizing the CDK app (cdk synth)...');
  return new Promise((resolvePromise, reject) => {
    synth = spawn(
      join(root, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--output', cdkOut],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      },
    );
    synth.once('error', reject);
    synth.once('exit', (code, signal) => {
      synth = undefined;
      if (code === 0) {
        console.log(`Synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolvePromise();
      } else reject(new Error(`cdk synth failed (${signal ?? `exit code ${String(code)}`})`));
    });
  });
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    console.log('Forced exit.');
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud...`);
  synth?.kill('SIGTERM');
  await cloud?.stop();
  console.log('Stopped.');
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

async function main(): Promise<void> {
  if (process.env.LOCAL_SKIP_SYNTH !== '1') await synthesize();
  if (stopping) return;
  const started = Date.now();
  cloud = await startLocalCloud({
    cdkOut,
    ...(process.env.LOCAL_STACK ? { stackName: process.env.LOCAL_STACK } : {}),
    apiPort: port('LOCAL_API_PORT', 3000),
    endpointPort: port('LOCAL_ENDPOINT_PORT', 4566),
    functionLogs: process.env.LOCAL_QUIET !== '1',
  });
  if (process.env.LOCAL_QUIET === '1') console.log('(LOCAL_QUIET=1: function logs hidden)');
  const stage = cloud.model.apis[0]?.stageName;
  const lines = [
    '',
    `Local cloud ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  API:           ${cloud.apiUrl}${stage ? `   (also ${cloud.apiUrl}/${stage}/...)` : ''}`,
    `  AWS endpoint:  ${cloud.endpoint}   (region ${cloud.region}, any credentials)`,
    `                 e.g. AWS_ENDPOINT_URL=${cloud.endpoint} AWS_REGION=${cloud.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws dynamodb list-tables`,
    '  Stop:          Ctrl-C',
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch(async (error: Error) => {
  console.error(`\nThe local cloud could not start: ${error.message}`);
  await cloud?.stop();
  process.exit(1);
});
