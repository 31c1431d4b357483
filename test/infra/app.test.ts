import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../lib/paths.ts';

/** Runs the CDK app as `cdk synth` would (the stage settings are checked before any bundling). */
function runApp(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['bin/app.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('bin/app.ts', () => {
  it('fails with a message naming a bad setting from the environment', () => {
    const { status, stderr } = runApp({ SAGA_TIMEOUT_SECONDS: 'soon' });
    expect(status).not.toBe(0);
    expect(stderr).toContain('SAGA_TIMEOUT_SECONDS="soon"');
  }, 60_000);

  it('lets CDK context override the environment', () => {
    const { status, stderr } = runApp({
      LOG_LEVEL: 'INFO',
      CDK_CONTEXT_JSON: JSON.stringify({ LOG_LEVEL: 'CHATTY' }),
    });
    expect(status).not.toBe(0);
    expect(stderr).toContain('LOG_LEVEL="CHATTY"');
  }, 60_000);
});
