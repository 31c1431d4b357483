import { MISREPORTED_BY_DYNAMODB_LOCAL } from './dynamodb-usage.ts';
import { PRICES, PRICES_TAKEN_ON, PRICE_REGION } from './prices.ts';
import type { BenchResults } from './results.ts';
import type { MeasuredUsage } from './cost-model.ts';
import type { PipelineCpu } from './cpu-time.ts';

/** Text of the bench's outputs: the console table and `bench/RESULTS.md`. Pure. */

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;
const usd = (n: number) => `$${n.toFixed(2)}`;

function table(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The sections shared by the console output and RESULTS.md, as Markdown tables. */
function sections(r: BenchResults): string[] {
  const out: string[] = [];
  if (r.bundles?.length) {
    out.push(
      '## 1. Bundles',
      '',
      'Ours: the synthesized asset (minified ESM; AWS calls through `lambdas/shared/aws`, no SDK client). Naive: CDK defaults (CommonJS, not minified, `@aws-sdk/*` external, i.e. loaded from the runtime at cold start). Zipped = deflate level 9, as in the deployment zip. "dependencies alone": ours / naive of the third-party code only (all but `lambdas/` and `events/`), the best ratio the bundle could reach with no code of this repo in it, since our own code (mostly names and messages) shrinks about 1.9× when minified and the libraries 2–3.5×.',
      '',
      table(
        [
          'handler',
          'ours raw',
          'ours zipped',
          'naive raw',
          'naive zipped',
          'ours / naive',
          'dependencies alone',
          'largest parts of ours',
        ],
        r.bundles.map((b) => [
          b.handler,
          kb(b.ours.rawBytes),
          kb(b.ours.zippedBytes),
          kb(b.naive.rawBytes),
          kb(b.naive.zippedBytes),
          b.ratio.toFixed(2),
          b.dependencies && b.dependencies.oursBytes > 0
            ? (b.dependencies.oursBytes / b.dependencies.naiveBytes).toFixed(2)
            : '-',
          b.composition
            .slice(0, 5)
            .map((c) => `${c.module} ${(c.bytes / 1024).toFixed(0)}K`)
            .join(', '),
        ]),
      ),
      '',
    );
  }
  if (r.coldStarts?.length) {
    const runs = r.coldStarts[0]?.runs ?? 0;
    out.push(
      '## 2. Cold start',
      '',
      `Import of the bundle + first invocation (representative event, AWS answered by a local stub at once), each in a fresh \`node\` ${r.environment.node} process, ${runs} runs. "process" = spawn to exit (Node's own start-up included). The naive bundle loads the AWS SDK from node_modules, as it would from the runtime.`,
      '',
      table(
        [
          'handler',
          'ours median',
          'ours p95',
          'naive median',
          'naive p95',
          'ours / naive',
          'ours process median',
          'naive process median',
          'naive: SDK loaded from node_modules',
        ],
        r.coldStarts.map((c) => [
          c.handler,
          ms(c.ours.median),
          ms(c.ours.p95),
          ms(c.naive.median),
          ms(c.naive.p95),
          c.ratio.toFixed(2),
          ms(c.ours.processMedian),
          ms(c.naive.processMedian),
          kb(c.naive.loadedFromNodeModulesBytes),
        ]),
      ),
      '',
    );
  }
  if (r.imports?.length) {
    out.push(
      '### What each dependency costs alone',
      '',
      'The package bundled by itself like the app bundles it (minified ESM, every export kept), imported cold in a fresh process: median of the runs. Imports share code (the SDK core, smithy), so the figures do not add up to a handler.',
      '',
      table(
        ['import', 'minified', 'cold import median'],
        r.imports.map((i) => [`\`${i.specifier}\``, kb(i.bytes), ms(i.importMedianMs)]),
      ),
      '',
    );
  }
  if (r.warmLatency) {
    const w = r.warmLatency;
    out.push(
      '## 3. Warm latency (order API through the local cloud)',
      '',
      `${w.post.count} requests of each at concurrency ${w.concurrency}; GETs measured on final orders with nothing else running, POSTs while their own sagas run.`,
      '',
      table(
        ['request', 'p50', 'p95', 'p99', 'max'],
        [
          ['POST /orders', ms(w.post.p50), ms(w.post.p95), ms(w.post.p99), ms(w.post.max)],
          ['GET /orders/{id}', ms(w.get.p50), ms(w.get.p95), ms(w.get.p99), ms(w.get.max)],
          ...(w.lightLoadConfirm
            ? [
                [
                  `saga at light load: 201 → CONFIRMED (${w.lightLoadConfirm.count} orders at once, idle system)`,
                  ms(w.lightLoadConfirm.p50),
                  ms(w.lightLoadConfirm.p95),
                  ms(w.lightLoadConfirm.p99),
                  ms(w.lightLoadConfirm.max),
                ],
              ]
            : []),
        ],
      ),
      '',
    );
  }
  if (r.pipeline) {
    const p = r.pipeline;
    const l = p.createdToConfirmed;
    out.push(
      '## 4. Pipeline (whole saga, local cloud)',
      '',
      `${p.orders} orders posted at concurrency ${p.concurrency}${r.options.rate ? `, at most ${r.options.rate} per second` : ' as fast as the API answers'}; each watched in the orders table until final. Sustained = orders final / (first POST → last order final). When the API takes orders faster than the saga finishes them, the latency includes the backlog: compare with the light-load latency in section 3, or run with \`--rate\`.`,
      '',
      table(
        [
          'orders/s sustained',
          'posted/s',
          '201 → CONFIRMED p50',
          'p95',
          'p99',
          'final states',
          'lost',
        ],
        [
          [
            p.ordersPerSecond.toFixed(1),
            p.postsPerSecond.toFixed(1),
            l ? ms(l.p50) : '-',
            l ? ms(l.p95) : '-',
            l ? ms(l.p99) : '-',
            Object.entries(p.statuses)
              .map(([k, v]) => `${k} ${v}`)
              .join(', '),
            p.lost,
          ],
        ],
      ),
      '',
    );
    if (p.cpu) out.push(pipelineCpuLine(p.cpu), '');
  }
  if (r.cost) {
    const c = r.cost;
    const d = c.usage.dynamoDb;
    const perOrder = (n: number) => (n / c.usage.orders).toFixed(2);
    const dynamoDbSource =
      d.method === 'consumed'
        ? `as DynamoDB Local reported them (\`ReturnConsumedCapacity\`, counted by the local cloud's endpoint), except ${[...MISREPORTED_BY_DYNAMODB_LOCAL].join(', ')}, charged at the size-based estimate because DynamoDB Local counts the items of a transaction that consume the same units once per table (two 1 KB puts: 2 units, AWS charges 4)${d.failedConditionalRequests?.requests ? `, plus ${perOrder(d.failedConditionalRequests.requests)} failed conditional requests per order at their size-based estimate (DynamoDB Local reports no capacity with an error; AWS charges them)` : ''}`
        : 'estimated from the item sizes on the wire (see bench/dynamodb-capacity.ts)';
    const naive = new Map(c.naive.lines.map((l) => [l.component.replace(/ \(.*\)$/, ''), l]));
    out.push(
      '## 5. Cost per 1,000,000 orders',
      '',
      `List prices ${PRICE_REGION}, taken ${c.pricesTakenOn}; quantities per order as counted in the pipeline run. DynamoDB units are ${dynamoDbSource}. Naive = batch size 1, no batching window, x86, LOG_LEVEL=DEBUG (log bytes ${c.naiveLogBytesPerOrder.measured ? `measured over ${c.naiveLogBytesPerOrder.orders} orders` : 'assumed equal to ours'}), every invocation traced.`,
      '',
      table(
        ['component', 'per order (ours)', 'unit', 'ours', 'naive'],
        c.ours.lines.map((l) => {
          const key = l.component.replace(/ \(.*\)$/, '');
          return [
            l.component,
            l.quantityPerOrder < 0.01
              ? l.quantityPerOrder.toExponential(2)
              : l.quantityPerOrder.toFixed(2),
            l.unit,
            usd(l.usdPerMillionOrders),
            usd(naive.get(key)?.usdPerMillionOrders ?? 0),
          ];
        }),
      ),
      '',
      `**Total: ours ${usd(c.ours.totalUsdPerMillionOrders)}, naive ${usd(c.naive.totalUsdPerMillionOrders)} per million orders.**`,
      '',
      table(
        [
          'function',
          'invocations / order',
          'records / invocation',
          'billed ms / invocation',
          'memory',
        ],
        c.usage.functions
          .filter((f) => f.invocations > 0)
          .map((f) => [
            f.name,
            (f.invocations / c.usage.orders).toFixed(2),
            (f.records / f.invocations).toFixed(2),
            (f.billedMs / f.invocations).toFixed(1),
            `${f.memoryMb} MB`,
          ]),
      ),
      '',
      ...sqsByActionLine(c.usage),
      'DynamoDB capacity by request, per order:',
      '',
      ...(d.method === 'consumed' && d.estimatedFromItemSizes
        ? [
            `Charged: ${perOrder(d.writeUnits)} write units and ${perOrder(d.readUnits)} read units per order. Reported by DynamoDB Local: ${d.reportedByDynamoDbLocal ? `${perOrder(d.reportedByDynamoDbLocal.writeUnits)} and ${perOrder(d.reportedByDynamoDbLocal.readUnits)}` : '-'}. Estimated from item sizes (cross-check, bench/dynamodb-capacity.ts): ${perOrder(d.estimatedFromItemSizes.writeUnits)} and ${perOrder(d.estimatedFromItemSizes.readUnits)}.${c.dynamoDbFailedAtEndpoint ? ` Requests that failed at DynamoDB Local: ${perOrder(c.dynamoDbFailedAtEndpoint)} per order.` : ''}`,
            '',
          ]
        : []),
      table(
        [
          'request',
          'requests / order',
          'write units / order',
          'read units / order',
          'charged from',
          'write / read units reported by DynamoDB Local',
          'write / read units estimated from item sizes',
          'failed conditional requests / order',
        ],
        c.dynamoDbByOperation.map((o) => [
          o.operation,
          o.requestsPerOrder.toFixed(2),
          o.writeUnitsPerOrder.toFixed(2),
          o.readUnitsPerOrder.toFixed(2),
          o.charged === 'reported' ? 'DynamoDB Local' : 'item sizes',
          `${o.reportedWriteUnitsPerOrder.toFixed(2)} / ${o.reportedReadUnitsPerOrder.toFixed(2)}`,
          `${o.estimatedWriteUnitsPerOrder.toFixed(2)} / ${o.estimatedReadUnitsPerOrder.toFixed(2)}`,
          o.failedRequestsPerOrder.toFixed(2),
        ]),
      ),
      '',
    );
  }
  if (r.targets.length) {
    out.push(
      '## Targets',
      '',
      table(
        ['target', 'measured', 'met', 'gap'],
        r.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : '**NO**', t.gap ?? '']),
      ),
      '',
    );
  }
  if (r.errors.length) out.push('## Errors', '', ...r.errors.map((e) => `- ${e}`), '');
  return out;
}

/** What `npm run bench` prints. */
export function consoleReport(r: BenchResults): string {
  return sections(r).join('\n');
}

/** `bench/RESULTS.md`: the environment, every section, the charts and the price table. */
export function markdownReport(
  r: BenchResults,
  charts: { latency?: string; cost?: string },
): string {
  const e = r.environment;
  const priceRows = Object.entries(PRICES).map(([key, p]) => [
    key,
    `$${p.usd < 0.001 ? p.usd.toExponential(4) : p.usd} per ${p.unit}`,
    p.source,
    p.verified,
  ]);
  return [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`node bench/run.ts`); the raw figures are in [results.json](results.json). Do not edit by hand. How each figure is measured, and what they say: [README.md](README.md).',
    '',
    table(
      ['date', 'git commit', 'Node.js', 'machine', 'load average (1/5/15 min) at start', 'at end'],
      [
        [
          e.date,
          `${e.gitCommit.slice(0, 12)}${e.gitDirty ? ' (with local changes)' : ''}`,
          e.node,
          `${e.cpu}, ${e.cpus} cores, ${e.memoryGb} GB, ${e.platform}`,
          e.loadAverage.map((n) => n.toFixed(2)).join(' / '),
          (e.loadAverageAtEnd ?? []).map((n) => n.toFixed(2)).join(' / '),
        ],
      ],
    ),
    '',
    `Options: ${JSON.stringify(r.options)}`,
    '',
    ...sections(r),
    ...(charts.latency || charts.cost
      ? [
          '## Charts',
          '',
          ...(charts.latency ? [`![201 → CONFIRMED latency](${charts.latency})`, ''] : []),
          ...(charts.cost ? [`![Cost per million orders by component](${charts.cost})`, ''] : []),
        ]
      : []),
    `## Price table (${PRICE_REGION}, taken ${PRICES_TAKEN_ON}; bench/prices.ts)`,
    '',
    table(['price', 'USD', 'source', 'verified'], priceRows),
    '',
  ].join('\n');
}

/** "SQS requests by action, per order: …", most first, when the run counted them. */
function sqsByActionLine(usage: MeasuredUsage): string[] {
  const byAction = Object.entries(usage.sqsRequestsByAction ?? {}).sort(([, a], [, b]) => b - a);
  if (byAction.length === 0) return [];
  const parts = byAction.map(([action, n]) => `${action} ${(n / usage.orders).toFixed(2)}`);
  return [`SQS requests by action, per order: ${parts.join(', ')}.`, ''];
}

/** Busy share of the cores above which a run counts as CPU-bound. */
const CPU_BOUND_SHARE = 0.9;

/**
 * CPU per order during the pipeline run, by process: what the saga costs this machine,
 * which does not move with the machine's speed the way orders/s does.
 */
export function pipelineCpuLine(cpu: PipelineCpu): string {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const { dynamoDbLocal, benchProcess, functions, other } = cpu.byShareMsPerOrder;
  return (
    `CPU per order (run and its tail, all processes): ${ms(cpu.machineMsPerOrder)}: ` +
    `DynamoDB Local ${ms(dynamoDbLocal)}, the function sandboxes ${ms(functions)}, ` +
    `the bench process (the local cloud's emulators, the load and the watcher) ${ms(benchProcess)}, ` +
    `other ${ms(other)}. The cores were ${Math.round(cpu.busyShare * 100)} % busy while orders were in flight` +
    (cpu.busyShare >= CPU_BOUND_SHARE
      ? ': the run was CPU-bound, so orders/s follows the speed of the machine, and code is best compared by CPU per order.'
      : '.')
  );
}
