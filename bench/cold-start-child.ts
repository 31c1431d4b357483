/**
 * Runs in a fresh Node.js process per cold start: imports one bundle, invokes its
 * handler once with the event in the file given, and prints the timings as one JSON
 * line. The clock starts before the import, as Lambda's init phase does once the
 * runtime is up; the process's own start-up is measured by the parent.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const started = performance.now();
const [bundle, eventFile] = process.argv.slice(2);
if (!bundle || !eventFile) throw new Error('usage: cold-start-child.ts <bundle> <event.json>');
const event = JSON.parse(readFileSync(eventFile, 'utf8')) as unknown;

const beforeImport = performance.now();
const module = (await import(pathToFileURL(bundle).href)) as {
  handler?: (event: unknown, context: unknown) => Promise<unknown>;
  default?: { handler?: (event: unknown, context: unknown) => Promise<unknown> };
};
const handler = module.handler ?? module.default?.handler;
if (typeof handler !== 'function') throw new Error(`${bundle} exports no handler`);
const imported = performance.now();

const deadline = Date.now() + 10_000;
const context = {
  awsRequestId: crypto.randomUUID(),
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench'}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const result = await handler(event, context);
const invoked = performance.now();

// Code the process loaded from node_modules (the naive bundle's runtime-provided SDK).
const require = createRequire(import.meta.url);
const loadedFromNodeModules = Object.keys(require.cache)
  .filter((file) => file.includes('/node_modules/'))
  .reduce((sum, file) => sum + statSync(file).size, 0);

process.stdout.write(
  `${JSON.stringify({
    importMs: imported - beforeImport,
    invokeMs: invoked - imported,
    totalMs: invoked - beforeImport,
    setupMs: beforeImport - started,
    loadedFromNodeModules,
    result: JSON.stringify(result ?? null).slice(0, 300),
  })}\n`,
);
process.exit(0);
