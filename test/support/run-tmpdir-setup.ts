import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where global teardown finds the directory to remove (both run in jest's main process). */
export const RUN_TMPDIR_ENV = 'ORDER_SAGA_TEST_RUN_TMPDIR';

/**
 * Gives the test run a temporary directory of its own, as `TMPDIR`, which the test
 * workers (started after global setup) inherit and global teardown removes. A CDK `App`
 * built without an `outdir` synthesizes into a fresh `cdk.out*` directory under the
 * system's temp directory and never removes it: the infra tests leave 13 of them
 * (4.5 MB, bundled assets included) behind on every `npm test` otherwise.
 */
export default function runTmpdirSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'order-saga-test-run-'));
  process.env[RUN_TMPDIR_ENV] = dir;
  process.env.TMPDIR = dir;
}
