import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';

/**
 * Faults on demand, so resilience (retries, DLQs, idempotency, compensations) can
 * be exercised locally. Configure with `LOCAL_FAULTS` (JSON), `LOCAL_FAULTS_FILE`
 * (path to the same JSON) or at runtime through `cloud.faults.set(...)`.
 *
 * Every fault takes `rate` (probability 0..1 per occurrence) and/or `count` (at
 * most this many occurrences, then the fault is spent). With only `count`, the
 * first `count` occurrences fault; with only `rate`, each occurrence faults with
 * that probability; with both, occurrences fault with probability `rate` until
 * `count` have. Targets match a logical id, a physical name or an ARN; `*` is any.
 *
 * ```json
 * {
 *   "functions": [{ "function": "PaymentFn", "effect": "error", "rate": 0.2 },
 *                 { "function": "*", "effect": "timeout", "count": 1 }],
 *   "putEvents": { "rate": 0.1 },
 *   "duplicateDeliveries": [{ "queue": "PaymentsQueue", "rate": 0.5 }],
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

/** The fault configuration from `LOCAL_FAULTS` or `LOCAL_FAULTS_FILE`, if any. */
export function faultConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ParsedConfig | undefined {
  if (env.LOCAL_FAULTS) return parseFaultConfig(env.LOCAL_FAULTS, 'LOCAL_FAULTS');
  if (env.LOCAL_FAULTS_FILE) {
    return parseFaultConfig(
      readFileSync(env.LOCAL_FAULTS_FILE, 'utf8'),
      `LOCAL_FAULTS_FILE ${env.LOCAL_FAULTS_FILE}`,
    );
  }
  return undefined;
}

/** How a resource can be named in a fault target. */
export interface FaultTarget {
  logicalId?: string;
  name?: string;
  arn?: string;
}

function matches(pattern: string | undefined, target: FaultTarget): boolean {
  if (pattern === undefined || pattern === '*') return true;
  return pattern === target.logicalId || pattern === target.name || pattern === target.arn;
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

  constructor(config?: FaultConfig, random: () => number = Math.random) {
    this.random = random;
    if (config) this.set(config);
  }

  /** Replaces the fault configuration (validated; throws on an invalid one). */
  set(config: FaultConfig | string): void {
    const parsed = parseFaultConfig(config);
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
