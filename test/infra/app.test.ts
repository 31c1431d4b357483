import { afterAll, describe, expect, it, jest } from '@jest/globals';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrderSagaApp } from '../../lib/app.ts';
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

describe('createOrderSagaApp', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** The app as `cdk synth` builds it, into a fresh cloud assembly directory, no bundling. */
  function appFor(environment: NodeJS.ProcessEnv, context: Record<string, unknown> = {}) {
    const outdir = mkdtempSync(join(tmpdir(), 'order-saga-app-'));
    outdirs.push(outdir);
    return createOrderSagaApp(environment, {
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], ...context },
    });
  }

  /** The app with a queue added that cdk-nag must report (no DLQ, no TLS-only policy). */
  function appWithFinding(environment: NodeJS.ProcessEnv) {
    const built = appFor(environment);
    new sqs.Queue(built.stack, 'UnacknowledgedQueue');
    return built;
  }

  it('reads numbers and booleans of cdk.json context as settings too', () => {
    expect(() => appFor({}, { SAGA_TIMEOUT_SECONDS: 0 })).toThrow('SAGA_TIMEOUT_SECONDS="0"');
    expect(() => appFor({}, { API_AUTH: true })).toThrow('API_AUTH="true"');
  });

  it('fails the synth on a cdk-nag finding nobody acknowledged, with a report naming it', () => {
    const { app } = appWithFinding({});
    const silenced = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let failure: Error | undefined;
    try {
      app.synth();
    } catch (error) {
      failure = error as Error;
    } finally {
      silenced.mockRestore();
    }
    const report = /found in: (\S+\.json)/.exec(failure?.message ?? '')?.[1];
    expect(report).toBeDefined();
    expect(readFileSync(report!, 'utf8')).toContain('AwsSolutions-SQS4');
  });

  it('skips cdk-nag with CDK_NAG=false', () => {
    const { app } = appWithFinding({ CDK_NAG: 'false' });
    expect(() => app.synth()).not.toThrow();
  });

  it('names the stack after the stage and tags its resources with the app and the stage', () => {
    const { app } = appFor({ STAGE: 'qa', CDK_NAG: 'false' });
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['OrderSaga-qa']);
    const resources = Object.values(
      (assembly.stacks[0]!.template as { Resources: Record<string, CfnResourceJson> }).Resources,
    );
    const tables = resources.filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      expect(table.Properties?.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'app', Value: 'order-saga' },
          { Key: 'stage', Value: 'qa' },
        ]),
      );
    }
  });
});

interface CfnResourceJson {
  Type: string;
  Properties?: { Tags?: unknown };
}
