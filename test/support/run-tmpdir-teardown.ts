import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { RUN_TMPDIR_ENV } from './run-tmpdir-setup.ts';

/**
 * Removes the run's temporary directory (see run-tmpdir-setup.ts) and everything in it,
 * and points `TMPDIR` back at its parent, so that the next run of a `--watch` session
 * does not create its directory inside a removed one.
 */
export default function runTmpdirTeardown(): void {
  const dir = process.env[RUN_TMPDIR_ENV];
  if (!dir) return;
  rmSync(dir, { recursive: true, force: true });
  process.env.TMPDIR = dirname(dir);
  delete process.env[RUN_TMPDIR_ENV];
}
