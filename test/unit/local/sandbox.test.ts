import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from '../../../local/lambda/sandbox.ts';

/**
 * The local Lambda runtime (local/lambda/bootstrap.mjs behind the Sandbox class) run
 * against tiny handler modules: how it loads a handler, answers, reports errors with
 * the runtime's error types, and when it dies.
 */

const root = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
const sandboxes: Sandbox[] = [];

afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });
});

let dirs = 0;
function sandboxFor(
  files: Record<string, string>,
  handler = 'index.handler',
  env: Record<string, string> = {},
): Sandbox {
  const codeDir = join(root, String(dirs++));
  mkdirSync(codeDir);
  for (const [name, source] of Object.entries(files)) writeFileSync(join(codeDir, name), source);
  const sandbox = new Sandbox({
    codeDir,
    env: { PATH: process.env.PATH ?? '', _HANDLER: handler, ...env },
    memoryMb: 128,
    onLog: () => undefined,
  });
  sandboxes.push(sandbox);
  return sandbox;
}

let requests = 0;
const invoke = (sandbox: Sandbox, event: unknown, timeoutMs = 5_000) =>
  sandbox.invoke(JSON.stringify(event), {
    requestId: `request-${++requests}`,
    timeoutMs,
    traceId: 'Root=1-00000000-000000000000000000000000',
  });

describe('local Lambda sandbox', () => {
  it('runs an async handler with the event, a Lambda context and the function environment', async () => {
    const sandbox = sandboxFor(
      {
        'index.mjs': `export const handler = async (event, context) => ({
          doubled: event.n * 2,
          requestId: context.awsRequestId,
          remaining: context.getRemainingTimeInMillis() > 0,
          stage: process.env.STAGE,
          trace: process.env._X_AMZN_TRACE_ID,
        });`,
      },
      'index.handler',
      { STAGE: 'test' },
    );
    await sandbox.ready();
    const outcome = await invoke(sandbox, { n: 21 });
    expect(outcome).toMatchObject({ ok: true });
    expect(JSON.parse((outcome as { payload: string }).payload)).toEqual({
      doubled: 42,
      requestId: `request-${requests}`,
      remaining: true,
      stage: 'test',
      trace: 'Root=1-00000000-000000000000000000000000',
    });
  });

  it('supports callback-style handlers in CommonJS modules', async () => {
    const sandbox = sandboxFor(
      {
        'app.cjs': `exports.callback = (event, context, done) => setTimeout(() => done(null, event.n + 1), 1);`,
      },
      'app.callback',
    );
    expect(await invoke(sandbox, { n: 1 })).toMatchObject({ ok: true, payload: '2' });
  });

  it('answers undefined as null, as the runtime serializes it', async () => {
    const sandbox = sandboxFor({ 'index.js': `export const handler = async () => undefined;` });
    expect(await invoke(sandbox, {})).toMatchObject({ ok: true, payload: 'null' });
  });

  it('reports an error thrown by the handler by its name and stays alive for the next invocation', async () => {
    const sandbox = sandboxFor({
      'index.mjs': `export const handler = async (event) => {
        if (event.fail) throw Object.assign(new Error('card declined'), { name: 'DeclinedError' });
        return 'fine';
      };`,
    });
    const failed = await invoke(sandbox, { fail: true });
    expect(failed).toMatchObject({
      ok: false,
      error: { errorType: 'DeclinedError', errorMessage: 'card declined' },
    });
    expect(sandbox.alive).toBe(true);
    expect(await invoke(sandbox, {})).toMatchObject({ ok: true, payload: '"fine"' });
  });

  it('fails init with Runtime.HandlerNotFound when the export is missing', async () => {
    const sandbox = sandboxFor({ 'index.mjs': `export const other = async () => 1;` });
    await expect(sandbox.ready()).rejects.toThrow('index.handler is undefined or not exported');
    expect(await invoke(sandbox, {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.HandlerNotFound' },
    });
    expect(sandbox.alive).toBe(false);
  });

  it('fails init with Runtime.ImportModuleError when the module does not exist', async () => {
    const sandbox = sandboxFor({}, 'missing.handler');
    expect(await invoke(sandbox, {})).toMatchObject({
      ok: false,
      error: {
        errorType: 'Runtime.ImportModuleError',
        errorMessage: "Cannot find module 'missing'",
      },
    });
  });

  it('fails init with Runtime.MalformedHandlerName for a handler setting without a dot', async () => {
    const sandbox = sandboxFor({ 'index.mjs': `export const handler = async () => 1;` }, 'handler');
    expect(await invoke(sandbox, {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.MalformedHandlerName' },
    });
  });

  it('reports an error thrown while the module loads as the init error', async () => {
    const sandbox = sandboxFor({
      'index.mjs': `throw Object.assign(new Error('TABLE_NAME is required'), { name: 'EnvironmentError' });`,
    });
    expect(await invoke(sandbox, {})).toMatchObject({
      ok: false,
      error: { errorType: 'EnvironmentError', errorMessage: 'TABLE_NAME is required' },
    });
  });

  it('fails the invocation and recycles the environment when a rejection escapes the handler', async () => {
    const sandbox = sandboxFor({
      'index.mjs': `export const handler = async () => {
        void Promise.reject(new Error('forgotten'));
        await new Promise((resolve) => setTimeout(resolve, 1000));
      };`,
    });
    expect(await invoke(sandbox, {})).toMatchObject({
      ok: false,
      error: { errorType: 'Error', errorMessage: 'forgotten' },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sandbox.alive).toBe(false);
  });

  it('times out a handler that never answers, and the sandbox is dead afterwards', async () => {
    const sandbox = sandboxFor({
      'index.mjs': `export const handler = () => new Promise(() => {});`,
    });
    await sandbox.ready();
    const outcome = await invoke(sandbox, {}, 300);
    expect(outcome).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    expect((outcome as { error: { errorMessage: string } }).error.errorMessage).toContain(
      'Task timed out after 0.30 seconds',
    );
    expect(sandbox.alive).toBe(false);
  });
});
