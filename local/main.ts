/**
 * `npm start`: synthesizes the CDK app and runs it on this machine until Ctrl-C.
 *
 * Settings (environment variables):
 * - anything the CDK app reads (stage settings, e.g. `SAGA_TIMEOUT_SECONDS=5 npm start`)
 *   is passed through to `cdk synth`;
 * - `LOCAL_API_PORT` (default 3000), `LOCAL_ENDPOINT_PORT` (default 4566);
 * - `LOCAL_STACK`: the stack to run when the app has several;
 * - `LOCAL_SKIP_SYNTH=1`: run what is already in `LOCAL_CDK_OUT` (default `cdk.out`);
 * - `LOCAL_FAULTS` / `LOCAL_FAULTS_FILE`: faults to inject once the demo products are
 *   seeded (see local/faults.ts);
 * - `LOCAL_QUIET=1`: no function logs;
 * - `LOCAL_SEED=0`: do not put the demo products (SKU-1..3) in stock.
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startLocalCloud, type LocalCloud } from './cloud.ts';
import { faultsFromEnv } from './faults.ts';
import { prepareCloud, startBanner } from './startup.ts';
import { PROJECT_ROOT, synthesizeCdkApp } from './synth.ts';

const cdkOut = resolve(PROJECT_ROOT, process.env.LOCAL_CDK_OUT ?? 'cdk.out');
const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} must be a port number`);
  return value;
};

let synth: ChildProcess | undefined;
let cloud: LocalCloud | undefined;
let stopping = false;

async function synthesize(): Promise<void> {
  const started = Date.now();
  console.log('Synthesizing the CDK app (cdk synth)...');
  await synthesizeCdkApp({ outdir: cdkOut, onChild: (child) => (synth = child) });
  synth = undefined;
  console.log(`Synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
  // Read now, so a malformed configuration stops before the synth; applied after seeding.
  const faults = faultsFromEnv();
  if (process.env.LOCAL_SKIP_SYNTH !== '1') await synthesize();
  if (stopping) return;
  const started = Date.now();
  cloud = await startLocalCloud({
    cdkOut,
    ...(process.env.LOCAL_STACK ? { stackName: process.env.LOCAL_STACK } : {}),
    apiPort: port('LOCAL_API_PORT', 3000),
    endpointPort: port('LOCAL_ENDPOINT_PORT', 4566),
    functionLogs: process.env.LOCAL_QUIET !== '1',
    faults: {},
  });
  if (process.env.LOCAL_QUIET === '1') console.log('(LOCAL_QUIET=1: function logs hidden)');
  await prepareCloud(cloud, { seed: process.env.LOCAL_SEED !== '0', faults }, console.log);
  console.log(startBanner(cloud, Date.now() - started));
}

main().catch(async (error: Error) => {
  console.error(`\nThe local cloud could not start: ${error.message}`);
  await cloud?.stop();
  process.exit(1);
});
