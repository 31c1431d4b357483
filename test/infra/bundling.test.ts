import { beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { ServiceFunction } from '../../lib/constructs/service-function.ts';
import { lambdaEntry } from '../../lib/paths.ts';
import { SYNTH_TIMEOUT_MS } from './synth.ts';

// What ServiceFunction's bundling puts in a deployed bundle, read from the synthesized
// asset of a stack that has only that one function.
let bundle: string;

beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'Bundling');
  new ServiceFunction(stack, 'Relay', {
    entry: lambdaEntry('relay/handler.ts'),
    serviceName: 'relay',
    observability: { logLevel: 'INFO', tracing: false, metricsNamespace: 'Test' },
  });
  const { directory } = app.synth();
  const assets = readdirSync(directory).filter((name) => name.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  bundle = readFileSync(join(directory, assets[0]!, 'index.mjs'), 'utf8');
}, SYNTH_TIMEOUT_MS);

describe('ServiceFunction bundles', () => {
  it('are ES modules with their AWS client inside, not left to the runtime', () => {
    expect(bundle).toMatch(/\bexport\s*\{/);
    // The EventBridge protocol prefix and the SigV4 algorithm: the light client is in.
    expect(bundle).toContain('AWSEvents');
    expect(bundle).toContain('AWS4-HMAC-SHA256');
  });

  it('are minified', () => {
    // esbuild's minified output is a handful of long lines; unminified, thousands.
    expect(bundle.split('\n').length).toBeLessThan(50);
  });

  it('hold none of the AWS SDK client stack', () => {
    // Headers and markers only the SDK's middleware stack and smithy runtime produce.
    expect(bundle).not.toContain('amz-sdk-invocation-id');
    expect(bundle).not.toContain('smithy');
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it('take credentials from the environment only, without the SSO/STS clients of the default chain', () => {
    expect(bundle).toContain('AWS_SECRET_ACCESS_KEY');
    expect(bundle).not.toContain('AssumeRoleWithWebIdentity');
    expect(bundle).not.toContain('GetRoleCredentials');
  });
});
