/**
 * `npm run bench`: bundle sizes, cold starts, warm API latency, the whole saga under
 * load, and the cost of a million orders, each next to a naive baseline measured in
 * the same run. Writes bench/results.json, bench/RESULTS.md and the charts; exits
 * non-zero if an order was lost or a measurement failed (a slow machine is not a
 * failure: targets missed are reported, not fatal).
 *
 *   node bench/run.ts [--orders 1000] [--concurrency 8] [--requests 1000] [--runs 21]
 *                     [--naive-log-orders 100] [--rate 0] [--only bundles,cold,latency,pipeline]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { synthesizeCdkApp, PROJECT_ROOT } from '../local/synth.ts';
import { selectStack } from '../local/template/manifest.ts';
import { buildModel, type CloudModel } from '../local/template/model.ts';
import { matchesPattern } from '../local/eventbridge/index.ts';
import { capacityFromCounters } from '../local/endpoint/consumed-capacity.ts';
import type { LocalCloud } from '../local/cloud.ts';
import {
  HANDLER_ENTRIES,
  PROBED_IMPORTS,
  bundleComposition,
  dependencyBytes,
  bundleFileIn,
  buildImportProbe,
  buildNaiveBundle,
  functionOf,
  isInstalled,
  measureBundle,
  ratio,
} from './bundles.ts';
import { costBarsSvg, latencyHistogramSvg } from './chart.ts';
import { cpuPerOrder, snapshotCpu } from './cpu-time.ts';
import { coldStartEvent } from './cold-start-events.ts';
import { lambdaEnvironment, measureColdStarts } from './cold-start.ts';
import {
  NAIVE_CONFIGURATION,
  OUR_CONFIGURATION,
  costPerMillionOrders,
  naiveUsage,
  type FunctionTrigger,
} from './cost-model.ts';
import { dynamoDbWindowUsage } from './dynamodb-usage.ts';
import { startFakeAws } from './fake-aws.ts';
import { PRICES_TAKEN_ON } from './prices.ts';
import { consoleReport, markdownReport } from './report.ts';
import type { BenchOptions, BenchResults } from './results.ts';
import {
  measureWarmLatency,
  runPipeline,
  seedInventory,
  startBenchCloud,
  waitForQuiet,
  type BenchCloud,
} from './saga-run.ts';
import { percentile, summarize } from './stats.ts';
import { evaluateTargets } from './targets.ts';
import {
  counterDelta,
  measuredUsage,
  recordsByFunction,
  type Routing,
  type StackFunction,
} from './usage.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const SECTIONS = ['bundles', 'cold', 'latency', 'pipeline'] as const;

function options(): BenchOptions {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      requests: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '21' },
      'naive-log-orders': { type: 'string', default: '100' },
      rate: { type: 'string', default: '0' },
      only: { type: 'string', default: SECTIONS.join(',') },
    },
  });
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number ≥ ${min}`);
    return n;
  };
  const only = values.only.split(',').map((s) => s.trim());
  for (const s of only)
    if (!(SECTIONS as readonly string[]).includes(s))
      throw new Error(`--only takes ${SECTIONS.join(', ')}; got ${s}`);
  return {
    orders: whole('orders', values.orders, 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    requests: whole('requests', values.requests, 1),
    coldStartRuns: whole('runs', values.runs, 1),
    naiveLogOrders: whole('naive-log-orders', values['naive-log-orders'], 0),
    rate: whole('rate', values.rate, 0),
    only,
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function environment(): BenchResults['environment'] {
  return {
    date: new Date().toISOString(),
    gitCommit: git(['rev-parse', 'HEAD']) || 'unknown',
    // Documentation and the bench's own outputs from an earlier run do not make the
    // measured code differ.
    gitDirty:
      git([
        'status',
        '--porcelain',
        '--untracked-files=no',
        '--',
        '.',
        ':!*.md',
        ':!bench/results.json',
        ':!bench/*.svg',
      ]) !== '',
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    loadAverage: loadavg(),
  };
}

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function synth(outdir: string, settings: Record<string, string>): Promise<CloudModel> {
  await synthesizeCdkApp({
    outdir,
    // BENCH_SYNTH_LOGS=1 shows cdk's output when a synth fails.
    stdio: process.env.BENCH_SYNTH_LOGS === '1' ? 'inherit' : 'ignore',
    env: { ...process.env, CDK_NAG: 'false', STAGE: 'bench', ...settings },
  });
  return buildModel(selectStack(outdir), {
    region: 'us-east-1',
    accountId: '000000000000',
    partition: 'aws',
    queueUrlBase: 'http://127.0.0.1:4566',
  });
}

async function measureBundles(model: CloudModel, naiveDir: string, results: BenchResults) {
  results.bundles = [];
  for (const entry of HANDLER_ENTRIES) {
    const fn = functionOf(entry, model.functions);
    if (!fn) {
      results.errors.push(`bundles: no function in the stack runs ${entry.entry}`);
      continue;
    }
    const ours = measureBundle(bundleFileIn(fn.codeDir, fn.handler));
    const naive = measureBundle(await buildNaiveBundle(entry, naiveDir));
    const composition = await bundleComposition(entry);
    const dependencies = dependencyBytes(composition, await bundleComposition(entry, 'naive'));
    results.bundles.push({
      handler: entry.name,
      kind: entry.kind,
      ours: { rawBytes: ours.rawBytes, zippedBytes: ours.zippedBytes },
      naive: { rawBytes: naive.rawBytes, zippedBytes: naive.zippedBytes },
      ratio: ratio(ours.rawBytes, naive.rawBytes),
      composition: composition.slice(0, 12).map(({ module, bytes }) => ({ module, bytes })),
      dependencies,
    });
    say(
      `bundle ${entry.name}: ours ${(ours.rawBytes / 1024).toFixed(0)} KB, naive ${(naive.rawBytes / 1024).toFixed(0)} KB`,
    );
  }
}

async function measureColdStartsOfAll(
  model: CloudModel,
  naiveDir: string,
  runs: number,
  results: BenchResults,
) {
  const fake = await startFakeAws();
  results.coldStarts = [];
  try {
    for (const entry of HANDLER_ENTRIES) {
      const fn = functionOf(entry, model.functions);
      if (!fn) continue;
      try {
        const env = lambdaEnvironment(fn, fake.url);
        const event = coldStartEvent(entry);
        const naiveFile = await buildNaiveBundle(entry, naiveDir);
        // Alternate ours and naive so that machine load hits both alike.
        const ours: Awaited<ReturnType<typeof measureColdStarts>> = [];
        const naive: typeof ours = [];
        for (let i = 0; i < runs; i++) {
          ours.push(
            ...(await measureColdStarts(bundleFileIn(fn.codeDir, fn.handler), event, env, 1)),
          );
          naive.push(...(await measureColdStarts(naiveFile, event, env, 1)));
        }
        const median = (xs: number[]) => percentile(xs, 50);
        const oursMedian = median(ours.map((s) => s.totalMs));
        const naiveMedian = median(naive.map((s) => s.totalMs));
        results.coldStarts.push({
          handler: entry.name,
          kind: entry.kind,
          runs,
          ours: {
            median: oursMedian,
            p95: percentile(
              ours.map((s) => s.totalMs),
              95,
            ),
            processMedian: median(ours.map((s) => s.processMs)),
          },
          naive: {
            median: naiveMedian,
            p95: percentile(
              naive.map((s) => s.totalMs),
              95,
            ),
            processMedian: median(naive.map((s) => s.processMs)),
            loadedFromNodeModulesBytes: naive[0]?.loadedFromNodeModules ?? 0,
          },
          ratio: ratio(oursMedian, naiveMedian),
        });
        say(
          `cold start ${entry.name}: ours ${oursMedian.toFixed(0)} ms, naive ${naiveMedian.toFixed(0)} ms (median of ${runs})`,
        );
      } catch (error) {
        results.errors.push(`cold start ${entry.name}: ${(error as Error).message}`);
      }
    }
    // What each dependency costs by itself.
    results.imports = [];
    const relay = model.functions.find((f) => f.logicalId.startsWith('OrdersRelay'));
    for (const specifier of PROBED_IMPORTS.filter(isInstalled)) {
      try {
        const probe = await buildImportProbe(specifier, join(naiveDir, 'probes'));
        const env = relay ? lambdaEnvironment(relay, fake.url) : { PATH: process.env.PATH ?? '' };
        const samples = await measureColdStarts(probe, {}, env, Math.min(runs, 11));
        results.imports.push({
          specifier,
          bytes: measureBundle(probe).rawBytes,
          importMedianMs: percentile(
            samples.map((s) => s.importMs),
            50,
          ),
          runs: samples.length,
        });
      } catch (error) {
        results.errors.push(`import probe ${specifier}: ${(error as Error).message}`);
      }
    }
    say('import probes done');
  } finally {
    await fake.close();
  }
}

/** The stack's functions with what triggers each, and how events reach them. */
function stackShape(cloud: LocalCloud): { functions: StackFunction[]; routing: Routing } {
  const model = cloud.model;
  const apiTargets = new Set(
    model.apis.flatMap((a) =>
      a.routes.flatMap((r) =>
        r.integration.type === 'AWS_PROXY' ? [r.integration.functionArn] : [],
      ),
    ),
  );
  const triggerOf = (arn: string): FunctionTrigger => {
    const esm = model.eventSourceMappings.find((m) => m.functionArn === arn);
    if (esm) return esm.kind === 'dynamodb' ? 'stream' : 'queue';
    return apiTargets.has(arn) ? 'api' : 'task';
  };
  const nameOf = (arn: string) => model.functions.find((f) => f.arn === arn)?.name;
  const queueConsumers = new Map<string, string>();
  const relays = new Map<string, string>();
  for (const esm of model.eventSourceMappings) {
    const name = nameOf(esm.functionArn);
    if (!name) continue;
    if (esm.kind === 'sqs') queueConsumers.set(esm.sourceArn, name);
    else {
      // OrdersTable… → shop.orders: each service's table holds its own events' outbox.
      const service = (esm.sourceLogicalId ?? '').replace(/Table.*$/, '').toLowerCase();
      relays.set(`shop.${service}`, name);
    }
  }
  return {
    functions: model.functions.map((f) => ({
      name: f.name,
      memoryMb: f.memoryMb,
      trigger: triggerOf(f.arn),
    })),
    routing: {
      rules: model.rules.map((rule) => ({
        matches: (event: unknown) => matchesPattern(rule.eventPattern, event),
        queueArns: rule.targets.map((t) => t.arn),
      })),
      queueConsumers,
      relays,
    },
  };
}

const sumValues = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);

/** Runs `orders` orders through a started cloud and returns its usage for the window. */
async function pipelineWindow(bench: BenchCloud, orders: number, concurrency: number, rate = 0) {
  const { cloud } = bench;
  await waitForQuiet(cloud);
  const seenBefore = new Set(cloud.events.received().map((e) => e.event.id));
  const countersBefore = cloud.counters();
  const logsBefore = sumValues(bench.logBytes());
  bench.meter.reset();
  const cpuAtStart = snapshotCpu();
  const result = await runPipeline(cloud, { orders, concurrency, deadlineMs: 150_000, rate });
  const cpuAllFinal = snapshotCpu();
  await waitForQuiet(cloud);
  const cpuAtEnd = snapshotCpu();
  const cpu =
    cpuAtStart && cpuAllFinal && cpuAtEnd
      ? cpuPerOrder(cpuAtStart, cpuAllFinal, cpuAtEnd, orders)
      : undefined;
  const counters = counterDelta(countersBefore, cloud.counters());
  const windowEvents = cloud.events
    .received()
    .map((e) => e.event)
    .filter((e) => !seenBefore.has(e.id));
  const shape = stackShape(cloud);
  let records = recordsByFunction(windowEvents, shape.routing);
  // The event tap keeps the last 10,000 events: scale up if the window's were cut.
  const published = counters['events.putEventsEntries'] ?? 0;
  if (windowEvents.length > 0 && windowEvents.length < published) {
    const scale = published / windowEvents.length;
    records = new Map([...records].map(([k, v]) => [k, Math.round(v * scale)]));
  }
  const meter = bench.meter.totals();
  // Units as DynamoDB reported them to the endpoint; failed conditional requests (which
  // DynamoDB Local answers without capacity) at their size-based estimate.
  const dynamoDb = dynamoDbWindowUsage({
    orders,
    measured: capacityFromCounters(counters),
    own: [result.ownReads],
    estimated: meter,
    estimatedByOperation: bench.meter.byOperation(),
  });
  const usage = measuredUsage({
    orders,
    counters,
    functions: shape.functions,
    records,
    dynamoDb: {
      readUnits: dynamoDb.readUnits,
      writeUnits: dynamoDb.writeUnits,
      method: 'consumed',
      estimatedFromItemSizes: dynamoDb.estimatedFromItemSizes,
      reportedByDynamoDbLocal: dynamoDb.reported,
      failedConditionalRequests: dynamoDb.failed,
    },
    logBytes: sumValues(bench.logBytes()) - logsBefore,
  });
  return {
    result,
    cpu,
    usage,
    meterUnparsed: meter.unparsed,
    dynamoDbByOperation: dynamoDb.byOperation,
    dynamoDbFailedAtEndpoint: dynamoDb.failedAtEndpoint,
  };
}

/** Writes a text file as the repo's Prettier settings format it, so `npm run lint` stays clean. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const config = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...config, filepath: file }));
}

async function main() {
  const opts = options();
  const results: BenchResults = {
    environment: environment(),
    options: opts,
    targets: [],
    errors: [],
  };
  const work = mkdtempSync(join(tmpdir(), 'order-saga-bench-'));
  const naiveDir = join(work, 'naive');
  const stops: (() => Promise<void>)[] = [];
  const onSignal = () => {
    void Promise.all(stops.map((s) => s())).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let pipelineSvg: string | undefined;
  let costSvg: string | undefined;
  try {
    say(`synthesizing the app (stage bench) into ${work}`);
    const cdkOut = join(work, 'cdk.out');
    const model = await synth(cdkOut, {});
    if (opts.only.includes('bundles')) await measureBundles(model, naiveDir, results);
    if (opts.only.includes('cold'))
      await measureColdStartsOfAll(model, naiveDir, opts.coldStartRuns, results);

    if (opts.only.includes('latency') || opts.only.includes('pipeline')) {
      say('starting the local cloud');
      const bench = await startBenchCloud(cdkOut);
      stops.push(() => bench.stop());
      try {
        await seedInventory(bench.cloud);
        if (opts.only.includes('latency')) {
          say(
            `warm latency: ${opts.requests} GET and ${opts.requests} POST at concurrency ${opts.concurrency}`,
          );
          const warm = await measureWarmLatency(bench.cloud, {
            requests: opts.requests,
            concurrency: opts.concurrency,
          });
          results.warmLatency = {
            concurrency: warm.concurrency,
            post: summarize(warm.post),
            get: summarize(warm.get),
            lightLoadConfirm: warm.lightLoadConfirm.length
              ? summarize(warm.lightLoadConfirm)
              : null,
          };
        }
        if (opts.only.includes('pipeline')) {
          say(
            `pipeline: ${opts.orders} orders at concurrency ${opts.concurrency}${opts.rate ? `, at most ${opts.rate}/s` : ''}`,
          );
          const {
            result,
            cpu,
            usage,
            meterUnparsed,
            dynamoDbByOperation,
            dynamoDbFailedAtEndpoint,
          } = await pipelineWindow(bench, opts.orders, opts.concurrency, opts.rate);
          if (meterUnparsed > 0)
            results.errors.push(`DynamoDB meter could not read ${meterUnparsed} requests`);
          results.pipeline = {
            orders: result.orders,
            concurrency: result.concurrency,
            durationMs: result.durationMs,
            ordersPerSecond: (result.orders - result.lost.length) / (result.durationMs / 1000),
            postsPerSecond: result.orders / (result.postingMs / 1000),
            createdToConfirmed: result.confirmedLatencies.length
              ? summarize(result.confirmedLatencies)
              : null,
            statuses: result.statuses,
            lost: result.lost.length,
            lostIds: result.lost.slice(0, 20),
            ...(cpu ? { cpu } : {}),
          };
          if (result.lost.length > 0)
            results.errors.push(
              `${result.lost.length} of ${result.orders} orders never became final (first: ${result.lost.slice(0, 5).join(', ')})`,
            );
          pipelineSvg = latencyHistogramSvg(
            result.confirmedLatencies,
            `201 → CONFIRMED, ${result.confirmedLatencies.length} orders at concurrency ${result.concurrency}`,
          );

          // Naive log volume: the same saga with LOG_LEVEL=DEBUG, a smaller run.
          let naiveLog = { value: usage.logBytes / usage.orders, measured: false, orders: 0 };
          await bench.stop();
          stops.pop();
          if (opts.naiveLogOrders > 0) {
            say(`naive log volume: ${opts.naiveLogOrders} orders with LOG_LEVEL=DEBUG`);
            const debugOut = join(work, 'cdk.out.debug');
            await synth(debugOut, { LOG_LEVEL: 'DEBUG' });
            const debugCloud = await startBenchCloud(debugOut);
            stops.push(() => debugCloud.stop());
            try {
              await seedInventory(debugCloud.cloud);
              const debug = await pipelineWindow(debugCloud, opts.naiveLogOrders, opts.concurrency);
              naiveLog = {
                value: debug.usage.logBytes / debug.usage.orders,
                measured: true,
                orders: debug.usage.orders,
              };
            } finally {
              await debugCloud.stop();
              stops.pop();
            }
          }
          const naive = naiveUsage(usage, naiveLog.value);
          results.cost = {
            usage,
            naiveUsage: naive,
            naiveLogBytesPerOrder: naiveLog,
            dynamoDbByOperation,
            dynamoDbFailedAtEndpoint,
            ours: costPerMillionOrders(usage, OUR_CONFIGURATION),
            naive: costPerMillionOrders(naive, NAIVE_CONFIGURATION),
            pricesTakenOn: PRICES_TAKEN_ON,
          };
          costSvg = costBarsSvg(
            [results.cost.ours, results.cost.naive],
            'Cost per 1,000,000 orders (USD, us-east-1 list prices)',
          );
        }
      } finally {
        if (stops.length > 0) {
          await bench.stop().catch(() => undefined);
          stops.length = 0;
        }
      }
    }
  } catch (error) {
    results.errors.push(`bench failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  results.environment.loadAverageAtEnd = loadavg();
  // Only a run of every section replaces the published figures; a partial one goes to bench/out/.
  const complete = SECTIONS.every((s) => opts.only.includes(s));
  const outDir = complete ? BENCH_DIR : join(BENCH_DIR, 'out');
  mkdirSync(outDir, { recursive: true });
  results.targets = evaluateTargets(results);
  const charts: { latency?: string; cost?: string } = {};
  if (pipelineSvg) {
    writeFileSync(join(outDir, 'latency.svg'), pipelineSvg);
    charts.latency = 'latency.svg';
  }
  if (costSvg) {
    writeFileSync(join(outDir, 'cost.svg'), costSvg);
    charts.cost = 'cost.svg';
  }
  await writeFormatted(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  await writeFormatted(join(outDir, 'RESULTS.md'), markdownReport(results, charts));
  process.stdout.write(`${consoleReport(results)}\n`);
  say(`wrote results.json, RESULTS.md and the charts in ${outDir}`);
  if (results.errors.length > 0) {
    for (const e of results.errors) say(`ERROR: ${e}`);
    process.exitCode = 1;
  }
}

await main();
