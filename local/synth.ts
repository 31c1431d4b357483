import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where `cdk.json` is). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `cdk synth --quiet` for the project's CDK app into `outdir`, with `env` (stage
 * settings are environment variables) and this Node first on PATH, since the app runs
 * as TypeScript. `onChild` receives the process (to stop it on Ctrl-C).
 */
export function synthesizeCdkApp(options: {
  outdir: string;
  env?: NodeJS.ProcessEnv;
  /** Where cdk's own output goes. @default 'inherit' */
  stdio?: 'inherit' | 'ignore';
  onChild?: (child: ChildProcess) => void;
}): Promise<void> {
  const env = options.env ?? process.env;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--output', options.outdir],
      {
        cwd: PROJECT_ROOT,
        stdio: options.stdio ?? 'inherit',
        env: { ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}` },
      },
    );
    options.onChild?.(child);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`cdk synth failed (${signal ?? `exit code ${String(code)}`})`));
    });
  });
}
