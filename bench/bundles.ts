import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import type { FunctionDefinition } from '../local/template/model.ts';
import { lambdaEntry } from '../lib/paths.ts';

/**
 * Bundle sizes: the bundles the CDK app synthesizes (what would be deployed) next to
 * the same entries bundled the naive way (CDK's defaults for NodejsFunction: CommonJS,
 * not minified, `@aws-sdk/*` left to the runtime).
 */

/** A handler entry and the functions of the stack that run it. */
export interface HandlerEntry {
  /** Short name used in tables (e.g. `orders-api`). */
  name: string;
  /** Entry file under `lambdas/`. */
  entry: string;
  /** Start of the logical ids of the functions built from it. */
  logicalIdPrefixes: string[];
  /** Which cold-start target applies. */
  kind: 'api' | 'relay' | 'consumer';
}

/** Every handler entry of the stack. */
export const HANDLER_ENTRIES: HandlerEntry[] = [
  {
    name: 'orders-api',
    entry: 'orders/api-handler.ts',
    logicalIdPrefixes: ['OrdersApiFunction'],
    kind: 'api',
  },
  {
    name: 'relay',
    entry: 'relay/handler.ts',
    logicalIdPrefixes: ['OrdersRelay', 'PaymentsRelay', 'InventoryRelay'],
    kind: 'relay',
  },
  {
    name: 'payments',
    entry: 'payments/handler.ts',
    logicalIdPrefixes: ['PaymentRequestsHandler'],
    kind: 'consumer',
  },
  {
    name: 'inventory',
    entry: 'inventory/handler.ts',
    logicalIdPrefixes: ['InventoryRequestsHandler'],
    kind: 'consumer',
  },
  {
    name: 'order-events',
    entry: 'orders/events-handler.ts',
    logicalIdPrefixes: ['OrderEventsHandler'],
    kind: 'consumer',
  },
  {
    name: 'saga-timer-start',
    entry: 'orders/timer-start-handler.ts',
    logicalIdPrefixes: ['SagaTimerStartsHandler'],
    kind: 'consumer',
  },
  {
    name: 'notifications',
    entry: 'notifications/handler.ts',
    logicalIdPrefixes: ['NotificationsHandler'],
    kind: 'consumer',
  },
  {
    name: 'saga-timeout',
    entry: 'orders/timeout-handler.ts',
    logicalIdPrefixes: ['SagaTimerTimeoutHandler'],
    kind: 'consumer',
  },
  {
    name: 'inventory-api',
    entry: 'inventory/api-handler.ts',
    logicalIdPrefixes: ['InventoryApiFunction'],
    kind: 'api',
  },
  {
    name: 'notifications-api',
    entry: 'notifications/api-handler.ts',
    logicalIdPrefixes: ['NotificationsApiFunction'],
    kind: 'api',
  },
];

/** The first function of the stack built from `entry`. */
export function functionOf(
  entry: HandlerEntry,
  functions: readonly FunctionDefinition[],
): FunctionDefinition | undefined {
  return functions.find((f) => entry.logicalIdPrefixes.some((p) => f.logicalId.startsWith(p)));
}

/** Raw and deflate-compressed (as in the deployment zip) bytes of a bundle directory. */
export interface BundleSize {
  path: string;
  rawBytes: number;
  zippedBytes: number;
}

export function measureBundle(file: string): BundleSize {
  const content = readFileSync(file);
  return {
    path: file,
    rawBytes: content.length,
    zippedBytes: deflateRawSync(content, { level: 9 }).length,
  };
}

/** The one JavaScript file of a synthesized asset directory. */
export function bundleFileIn(codeDir: string, handler: string): string {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  const candidates = readdirSync(codeDir).filter(
    (f) =>
      f.startsWith(`${base}.`) && /\.(mjs|cjs|js)$/.test(f) && statSync(join(codeDir, f)).isFile(),
  );
  const file = candidates[0];
  if (!file) throw new Error(`No ${base}.{mjs,js} in ${codeDir}`);
  return join(codeDir, file);
}

/** esbuild as CDK's `NodejsFunction` runs it by default: CommonJS, not minified, SDK v3 external. */
const NAIVE_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  minify: false,
  external: ['@aws-sdk/*'],
};

/** esbuild as this app builds its handlers: minified ESM, `module` fields first. */
const OUR_BUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
};

/**
 * Builds the naive bundle of `entry` into `outDir/<name>/index.js`: esbuild as CDK runs
 * it by default (bundle, platform node, CommonJS, no minification, AWS SDK v3 external).
 */
export async function buildNaiveBundle(entry: HandlerEntry, outDir: string): Promise<string> {
  const dir = join(outDir, entry.name);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.js');
  await build({
    entryPoints: [lambdaEntry(entry.entry)],
    outfile,
    ...NAIVE_BUILD,
    sourcemap: false,
    logLevel: 'error',
  });
  return outfile;
}

/** Ratio `ours / naive`, rounded to 0.01. */
export const ratio = (ours: number, naive: number): number =>
  Math.round((ours / naive) * 100) / 100;

/** Bytes a package (or a folder of this repo) contributes to a bundle. */
export interface BundleShare {
  module: string;
  bytes: number;
  /** Code of this repo (`lambdas/`, `events/`) rather than a dependency. */
  own: boolean;
}

/**
 * What a bundle is made of: the entry built again with esbuild's metafile, bytes grouped
 * by package (`zod`, `@aws-lambda-powertools/logger`, ...) or by repo folder
 * (`lambdas/orders`), largest first. `ours` builds it as the app does (minified ESM, `module`
 * fields first), `naive` as `buildNaiveBundle` does. Tells the code owners which import
 * costs what, and how much of the naive/ours factor the dependencies alone allow.
 */
export async function bundleComposition(
  entry: HandlerEntry,
  how: 'ours' | 'naive' = 'ours',
): Promise<BundleShare[]> {
  const result = await build({
    entryPoints: [lambdaEntry(entry.entry)],
    outfile: 'composition.js',
    ...(how === 'ours' ? OUR_BUILD : NAIVE_BUILD),
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const shares = new Map<string, BundleShare>();
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const module = moduleOf(file);
    const share = shares.get(module) ?? { module, bytes: 0, own: !file.includes('node_modules/') };
    share.bytes += bytesInOutput;
    shares.set(module, share);
  }
  return [...shares.values()].sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bytes of the dependencies (everything not `own`) in our bundle and in the naive one:
 * their quotient is the factor the bundle would reach with no code of this repo at all,
 * since our own code shrinks less under minification than the libraries do.
 */
export function dependencyBytes(
  ours: BundleShare[],
  naive: BundleShare[],
): { oursBytes: number; naiveBytes: number } {
  const sum = (shares: BundleShare[]) =>
    shares.filter((s) => !s.own).reduce((total, s) => total + s.bytes, 0);
  return { oursBytes: sum(ours), naiveBytes: sum(naive) };
}

/** The package of a bundled file (`@scope/name` or `name`), or its repo folder (two levels). */
export function moduleOf(file: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (match) return match[1]!;
  return file.split('/').slice(0, 2).join('/');
}

/** The dependencies the handlers import, probed one by one for their size and import time. */
export const PROBED_IMPORTS = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-sqs',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/metrics',
  '@aws-lambda-powertools/batch',
  '@aws-lambda-powertools/idempotency',
  '@middy/core',
  'zod/mini',
  'zod',
] as const;

/** Whether `specifier` resolves from the handlers' code (a dependency removed is not probed). */
export function isInstalled(specifier: string): boolean {
  try {
    import.meta.resolve(specifier, pathToFileURL(lambdaEntry('index.ts')).href);
    return true;
  } catch {
    return false;
  }
}

/**
 * A bundle of one package alone, built like the app's bundles (minified ESM, its
 * dependencies inlined), with every export kept and a handler that touches them: what
 * importing that package costs by itself.
 */
export async function buildImportProbe(specifier: string, outDir: string): Promise<string> {
  const dir = join(outDir, specifier.replaceAll('/', '__').replace('@', ''));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  await build({
    stdin: {
      contents: `import * as probed from '${specifier}';\nexport const handler = async () => Object.keys(probed).length;\n`,
      resolveDir: lambdaEntry('.'),
      loader: 'js',
    },
    outfile,
    ...OUR_BUILD,
    banner: {
      js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
}
