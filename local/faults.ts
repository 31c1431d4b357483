import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import type { CloudModel } from './template/model.ts';

/**
 * Faults on demand, so resilience (retries, DLQs, idempotency, compensations) can
 * be exercised locally. Configure with `LOCAL_FAULTS` (JSON), `LOCAL_FAULTS_FILE`
 * (path to the same JSON) or at runtime through `cloud.faults.set(...)`.
 *
 * Every fault takes `rate` (probability 0..1 per occurrence) and/or `count` (at
 * most this many occurrences, then the fault is spent). With only `count`, the
 * first `count` occurrences fault; with only `rate`, each occurrence faults with
 * that probability; with both, occurrences fault with probability `rate` until
 * `count` have. A target is a logical id or its beginning (CDK appends a hash to the
 * construct path: `PaymentRequestsHandler` names `PaymentRequestsHandlerFunction89BD7336`),
 * a physical name or an ARN; `*` is any. Once the cloud has told the faults its resources
 * (`setResources`), a target that matches none of them is refused.
 *
 * ```json
 * {
 *   "functions": [{ "function": "PaymentRequestsHandler", "effect": "error", "rate": 0.2 },
 *                 { "function": "*", "effect": "timeout", "count": 1 }],
 *   "putEvents": { "rate": 0.1 },
 *   "duplicateDeliveries": [{ "queue": "PaymentRequestsQueue", "rate": 0.5 }],
 *   "dynamodbThrottling": [{ "table": "OrdersTable", "count": 3 }]
 * }
 * ```
 */

const rate = z.optional(z.number().check(z.gte(0), z.lte(1)));
const count = z.optional(z.int().check(z.gte(0)));

// Strict objects: a misspelled key (`putEvent`, `count` as `cout`) would otherwise leave a
// fault silently unset.
const functionFault = z.strictObject({
  function: z.string().check(z.minLength(1)),
  /** `error`: the invocation fails with an injected error; `timeout`: it times out (sandbox killed). */
  effect: z._default(z.enum(['error', 'timeout']), 'error'),
  message: z.optional(z.string()),
  rate,
  count,
});

export const faultConfigSchema = z.strictObject({
  functions: z.optional(z.array(functionFault)),
  putEvents: z.optional(z.strictObject({ rate, count })),
  duplicateDeliveries: z.optional(
    z.array(z.strictObject({ queue: z.string().check(z.minLength(1)), rate, count })),
  ),
  dynamodbThrottling: z.optional(
    z.array(z.strictObject({ table: z.optional(z.string()), rate, count })),
  ),
});

export type FaultConfig = z.input<typeof faultConfigSchema>;
type ParsedConfig = z.output<typeof faultConfigSchema>;

/** Parses and validates a fault configuration (an object or its JSON text). */
export function parseFaultConfig(input: unknown, source = 'fault config'): ParsedConfig {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (error) {
      throw new Error(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const result = z.safeParse(faultConfigSchema, value);
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${describeIssue(i)}`)
      .join('; ');
    throw new Error(`Invalid ${source}: ${issues}`);
  }
  return result.data;
}

/** An issue in words (zod/mini, without a locale, says only "Invalid input"). */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const known = keysAt(issue.path).join(', ');
  const unknown = issue.keys.map((k) => `"${k}"`).join(', ');
  return `unknown key${issue.keys.length > 1 ? 's' : ''} ${unknown} (known: ${known})`;
}

/** The keys the object at this path of a configuration takes. */
function keysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = faultConfigSchema;
  const unwrap = () => {
    for (;;) {
      const def = schema._zod.def;
      if (def.type === 'optional' || def.type === 'default') {
        schema = (def as z.core.$ZodOptionalDef).innerType;
      } else if (def.type === 'array') {
        schema = (def as z.core.$ZodArrayDef).element;
      } else return;
    }
  };
  for (const key of path) {
    unwrap();
    if (typeof key === 'number') continue;
    const shape = (schema._zod.def as z.core.$ZodObjectDef).shape as Record<
      PropertyKey,
      z.core.$ZodType
    >;
    const next = shape[key];
    if (!next) return [];
    schema = next;
  }
  unwrap();
  return schema._zod.def.type === 'object'
    ? Object.keys((schema._zod.def as z.core.$ZodObjectDef).shape)
    : [];
}

/** A fault configuration and the setting it came from (for messages). */
export interface FaultSetting {
  config: ParsedConfig;
  source: string;
}

/** The fault configuration from `LOCAL_FAULTS` or `LOCAL_FAULTS_FILE`, if any. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultSetting | undefined {
  if (env.LOCAL_FAULTS) {
    return { config: parseFaultConfig(env.LOCAL_FAULTS, 'LOCAL_FAULTS'), source: 'LOCAL_FAULTS' };
  }
  if (env.LOCAL_FAULTS_FILE) {
    const source = `LOCAL_FAULTS_FILE ${env.LOCAL_FAULTS_FILE}`;
    return {
      config: parseFaultConfig(readFileSync(env.LOCAL_FAULTS_FILE, 'utf8'), source),
      source,
    };
  }
  return undefined;
}

/** How a resource can be named in a fault target. */
export interface FaultTarget {
  logicalId?: string;
  name?: string;
  arn?: string;
}

/** A target: `*`, a logical id or its beginning, a physical name or an ARN. */
function matches(pattern: string | undefined, target: FaultTarget): boolean {
  if (pattern === undefined || pattern === '*') return true;
  return (
    pattern === target.name ||
    pattern === target.arn ||
    (target.logicalId?.startsWith(pattern) ?? false)
  );
}

/** The resources of a running cloud that fault targets can name. */
export interface FaultResources {
  /** The functions that run. */
  functions: readonly FaultTarget[];
  /** The queues an SQS event source mapping reads: only their deliveries can be duplicated. */
  queues: readonly FaultTarget[];
  tables: readonly FaultTarget[];
}

/** The resources of a template model that fault targets can name. */
export function faultResourcesOf(
  model: Pick<CloudModel, 'functions' | 'queues' | 'tables' | 'eventSourceMappings'>,
): FaultResources {
  const polled = new Set(
    model.eventSourceMappings.filter((m) => m.enabled && m.kind === 'sqs').map((m) => m.sourceArn),
  );
  return {
    functions: model.functions,
    queues: model.queues.filter((q) => polled.has(q.arn)),
    tables: model.tables,
  };
}

/** What one target of a configuration names. */
export interface TargetMatch {
  /** Where the target is in the configuration, e.g. `functions.0.function`. */
  setting: string;
  target: string;
  /** The logical ids (else names) of the resources it names; empty for `*`. */
  matched: string[];
}

const KINDS = {
  functions: 'function',
  queues: 'queue an SQS event source mapping reads',
  tables: 'table',
} as const;

/** The resources each target names; throws, listing what there is, when one names none. */
function resolveTargets(
  config: ParsedConfig,
  resources: FaultResources,
  source: string,
): TargetMatch[] {
  const targets: { setting: string; target: string; kind: keyof FaultResources }[] = [
    ...(config.functions ?? []).map((f, i) => ({
      setting: `functions.${i}.function`,
      target: f.function,
      kind: 'functions' as const,
    })),
    ...(config.duplicateDeliveries ?? []).map((d, i) => ({
      setting: `duplicateDeliveries.${i}.queue`,
      target: d.queue,
      kind: 'queues' as const,
    })),
    ...(config.dynamodbThrottling ?? []).flatMap((t, i) =>
      t.table === undefined
        ? []
        : [{ setting: `dynamodbThrottling.${i}.table`, target: t.table, kind: 'tables' as const }],
    ),
  ];
  const problems: string[] = [];
  const resolved = targets.map(({ setting, target, kind }) => {
    if (target === '*') return { setting, target, matched: [] };
    const matched = resources[kind]
      .filter((r) => matches(target, r))
      .map((r) => r.logicalId ?? r.name ?? r.arn ?? '?');
    if (matched.length === 0) {
      const there = resources[kind].map((r) => r.logicalId ?? r.name ?? r.arn).join(', ');
      problems.push(
        `  ${setting} "${target}" matches no ${KINDS[kind]}; ` +
          (there ? `there are ${there}` : 'there is none'),
      );
    }
    return { setting, target, matched };
  });
  if (problems.length > 0) {
    throw new Error(
      `Invalid ${source}: ${problems.length > 1 ? 'targets match' : 'a target matches'} nothing ` +
        `(a target is a logical id or its beginning, a physical name, an ARN, or *):\n` +
        problems.join('\n'),
    );
  }
  return resolved;
}

/** One line that says what each target of a configuration names. */
export function describeTargets(matches: readonly TargetMatch[]): string {
  return matches
    .map((m) => `${m.setting} "${m.target}": ${m.target === '*' ? 'all' : m.matched.join(', ')}`)
    .join('; ');
}

/** The line the cloud logs when faults go on: their source, when, and what they name. */
export function faultsOnLine(source: string, matches: readonly TargetMatch[], when = ''): string {
  return `Faults (${source}) on${when}${matches.length > 0 ? `: ${describeTargets(matches)}` : ''}`;
}

/** A fault rule with its remaining budget. */
class Trigger {
  private remaining: number | undefined;
  private readonly rate: number | undefined;
  constructor(rule: { rate?: number | undefined; count?: number | undefined }) {
    this.rate = rule.rate;
    this.remaining = rule.count;
  }
  fire(random: () => number): boolean {
    if (this.remaining !== undefined && this.remaining <= 0) return false;
    const probability = this.rate ?? (this.remaining !== undefined ? 1 : 0);
    if (random() >= probability) return false;
    if (this.remaining !== undefined) this.remaining--;
    return true;
  }
}

/** An injected function fault. */
export interface FunctionFault {
  effect: 'error' | 'timeout';
  message: string;
}

/**
 * The live fault settings the emulators consult. `set` replaces the whole
 * configuration (and resets counts); `clear` removes every fault.
 */
export class Faults {
  private functions: { pattern: string; fault: FunctionFault; trigger: Trigger }[] = [];
  private putEvents: Trigger | undefined;
  private duplicates: { pattern: string; trigger: Trigger }[] = [];
  private throttles: { pattern: string | undefined; trigger: Trigger }[] = [];
  private readonly random: () => number;
  private readonly injected: Record<string, number> = {};
  private resources: FaultResources | undefined;

  constructor(config?: FaultConfig, random: () => number = Math.random) {
    this.random = random;
    if (config) this.set(config);
  }

  /**
   * The cloud's resources: from now on, `set` refuses a configuration with a target
   * that names none of them.
   */
  setResources(resources: FaultResources): void {
    this.resources = resources;
  }

  /**
   * Replaces the fault configuration (validated; throws on an invalid one, naming
   * `source`). Returns what each target names (once the resources are known).
   */
  set(config: FaultConfig | string, source = 'fault config'): TargetMatch[] {
    const parsed = parseFaultConfig(config, source);
    const resolved = this.resources ? resolveTargets(parsed, this.resources, source) : [];
    this.functions = (parsed.functions ?? []).map((f) => ({
      pattern: f.function,
      fault: {
        effect: f.effect,
        message: f.message ?? `Injected fault (LOCAL_FAULTS) in ${f.function}`,
      },
      trigger: new Trigger(f),
    }));
    this.putEvents = parsed.putEvents ? new Trigger(parsed.putEvents) : undefined;
    this.duplicates = (parsed.duplicateDeliveries ?? []).map((d) => ({
      pattern: d.queue,
      trigger: new Trigger(d),
    }));
    this.throttles = (parsed.dynamodbThrottling ?? []).map((t) => ({
      pattern: t.table,
      trigger: new Trigger(t),
    }));
    return resolved;
  }

  /** Removes every fault. */
  clear(): void {
    this.set({});
  }

  /** The fault to inject into this invocation of a function, if any. */
  functionFault(fn: FaultTarget): FunctionFault | undefined {
    for (const rule of this.functions) {
      if (matches(rule.pattern, fn) && rule.trigger.fire(this.random)) {
        this.count(`function.${rule.fault.effect}`);
        return rule.fault;
      }
    }
    return undefined;
  }

  /** Whether EventBridge rejects this PutEvents entry (passed to LocalEventBridge). */
  rejectPutEventsEntry(): boolean {
    const fire = this.putEvents?.fire(this.random) ?? false;
    if (fire) this.count('putEvents.rejected');
    return fire;
  }

  /** Whether the SQS event source mapping delivers this message twice. */
  duplicateDelivery(queue: FaultTarget): boolean {
    const fire = this.duplicates.some(
      (d) => matches(d.pattern, queue) && d.trigger.fire(this.random),
    );
    if (fire) this.count('sqs.duplicated');
    return fire;
  }

  /** Whether any DynamoDB throttling is configured (the endpoint then reads each request's tables). */
  get throttlesDynamoDb(): boolean {
    return this.throttles.length > 0;
  }

  /** Whether a DynamoDB request (on this table, when known) is throttled. */
  throttleDynamoDb(table: FaultTarget | undefined): boolean {
    const fire = this.throttles.some(
      (t) =>
        (t.pattern === undefined || (table !== undefined && matches(t.pattern, table))) &&
        t.trigger.fire(this.random),
    );
    if (fire) this.count('dynamodb.throttled');
    return fire;
  }

  /** How many faults of each kind were injected so far. */
  injectedCounts(): Record<string, number> {
    return { ...this.injected };
  }

  private count(key: string): void {
    this.injected[key] = (this.injected[key] ?? 0) + 1;
  }
}
