import * as z from 'zod/mini';

/**
 * The one validated configuration of a stage (dev, test, prod, ...). It is read at
 * synth time from environment variables, optionally overridden by CDK context
 * (`cdk synth -c SAGA_TIMEOUT_SECONDS=30`), and a bad value fails the synth with a
 * message naming the setting, so a typo never reaches a deployment.
 */
export interface StageConfig {
  /** Stage name (`STAGE`): part of the stack name, API stage and metrics namespace. @default 'dev' */
  readonly stage: string;
  /** Seconds before an order that is not final is cancelled (`SAGA_TIMEOUT_SECONDS`). @default 90 */
  readonly sagaTimeoutSeconds: number;
  /**
   * Seconds after an order is placed before the order service decides whether it needs a
   * saga timer (`SAGA_TIMER_GRACE_SECONDS`): OrderCreated reaches it through a queue with
   * this delivery delay, and an order already final by then never starts one. A timer
   * costs a Standard state transition ($25 per million), and most orders finish in about a
   * second. At most 900 (SQS's longest delay) and less than the saga timeout; the timer,
   * when started, still fires at the order's deadline.
   * @default 30, or half the saga timeout (rounded down) when that is shorter
   */
  readonly sagaTimerGraceSeconds: number;
  /**
   * Level of the functions' logs (`LOG_LEVEL`), applied by Powertools; Lambda's
   * application log filter never goes above INFO (see `APPLICATION_LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel: LogLevel;
  /**
   * How callers authenticate to the REST API (`API_AUTH`). `IAM` requires SigV4-signed
   * requests (e.g. `awscurl`); `NONE` leaves the API open, for a public demo only.
   * `GET /health` is always open. The local cloud ignores it.
   * @default 'IAM' (an open order API in someone's account invites abuse and cost)
   */
  readonly apiAuth: ApiAuth;
  /**
   * Create the account-level role API Gateway needs to write logs, and set it in the
   * account's API Gateway settings (`API_CLOUDWATCH_ROLE`). Without a role there, the API
   * stage's access logging fails the deployment. It is one setting per account and
   * region, so the role is kept when the stack is deleted (other APIs may use it); set
   * `false` where the account already has one managed elsewhere.
   * @default true
   */
  readonly apiCloudWatchRole: boolean;
  /** Active X-Ray tracing for functions and the API (`TRACING`). @default true */
  readonly tracing: boolean;
  /**
   * Keep tables (and protect them from deletion) when the stack is deleted (`RETAIN_DATA`).
   * @default false for throwaway stages (`dev`, `test`, `bench`, `local`, `e2e`, `ci`,
   *   and names starting `pr-`, `dev-` or `test-`), so they clean up; true for every other
   *   stage, so a production stage named `production`, `prd` or `live` is not deleted with
   *   its stack by default
   */
  readonly retainData: boolean;
  /** Run the cdk-nag AwsSolutions checks during synth (`CDK_NAG`). @default true */
  readonly nagChecks: boolean;
  /** Settings of the simulated payment processor and notification provider. */
  readonly simulators: {
    /** Share of payments declined at random, 0..1 (`PAYMENT_FAILURE_RATE`). @default 0 */
    readonly paymentFailureRate: number;
    /**
     * Seconds a `tok_slow` payment takes to complete (`SLOW_PAYMENT_SECONDS`). It exists to
     * show the saga timeout, so it must be longer than `SAGA_TIMEOUT_SECONDS`: a value set
     * to less is rejected.
     * @default the larger of 120 and SAGA_TIMEOUT_SECONDS + 30 (timeout + 30 above 90 s)
     */
    readonly slowPaymentSeconds: number;
    /** Share of notifications the provider fails at random, 0..1 (`PROVIDER_FAILURE_RATE`). @default 0 */
    readonly providerFailureRate: number;
  };
}

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const API_AUTH_MODES = ['NONE', 'IAM'] as const;
export type ApiAuth = (typeof API_AUTH_MODES)[number];

/** The settings a stage reads, by the variable (or context key) that sets each. */
export const STAGE_CONFIG_KEYS = [
  'STAGE',
  'SAGA_TIMEOUT_SECONDS',
  'SAGA_TIMER_GRACE_SECONDS',
  'LOG_LEVEL',
  'API_AUTH',
  'API_CLOUDWATCH_ROLE',
  'TRACING',
  'RETAIN_DATA',
  'CDK_NAG',
  'PAYMENT_FAILURE_RATE',
  'SLOW_PAYMENT_SECONDS',
  'PROVIDER_FAILURE_RATE',
] as const;
export type StageConfigKey = (typeof STAGE_CONFIG_KEYS)[number];

/** The values a stage's settings come from; unset and empty values mean "use the default". */
export type StageConfigSource = Partial<Record<StageConfigKey, string | undefined>> &
  Record<string, string | undefined>;

/** Thrown when a stage setting is invalid; the message lists every bad setting. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

/** Stages whose tables go with the stack unless `RETAIN_DATA` says otherwise. */
const THROWAWAY_STAGE = /^(dev|test|bench|local|e2e|ci)$|^(pr|dev|test)-/;

const wholeNumber = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)),
    z.pipe(
      z.transform((text: string) => Number(text)),
      z
        .number()
        .check(
          z.minimum(min, `must be a whole number from ${min} to ${max}`),
          z.maximum(max, `must be a whole number from ${min} to ${max}`),
        ),
    ),
  );

const fraction = z.pipe(
  z.string().check(z.regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'must be a number from 0 to 1')),
  z.transform((text: string) => Number(text)),
);

const FLAG_VALUES = ['true', 'false', '1', '0'] as const;
const flag = z.pipe(
  z.enum(FLAG_VALUES, `must be one of ${FLAG_VALUES.join(', ')}`),
  z.transform((text: (typeof FLAG_VALUES)[number]) => text === 'true' || text === '1'),
);

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, `must be one of ${values.join(', ')}`);

/** SQS's longest delivery delay: the grace period is one. */
const MAX_TIMER_GRACE_SECONDS = 900;

/** The default grace period, for saga timeouts of a minute or more. */
const DEFAULT_TIMER_GRACE_SECONDS = 30;

const rawSchema = z.object({
  // Lower case and short: it becomes part of resource names and the metrics namespace.
  STAGE: z._default(
    z
      .string()
      .check(
        z.regex(
          /^[a-z][a-z0-9-]{0,19}$/,
          'must start with a lower-case letter and use only a-z, 0-9 and -, at most 20 characters',
        ),
      ),
    'dev',
  ),
  // Step Functions waits up to a year, but a saga that waits more than a day is a bug.
  SAGA_TIMEOUT_SECONDS: z._default(wholeNumber(1, 86_400), 90),
  // No default here: it depends on the saga timeout (see timerGraceSecondsOf).
  SAGA_TIMER_GRACE_SECONDS: z.optional(wholeNumber(0, MAX_TIMER_GRACE_SECONDS)),
  LOG_LEVEL: z._default(oneOf(LOG_LEVELS), 'INFO'),
  API_AUTH: z._default(oneOf(API_AUTH_MODES), 'IAM'),
  API_CLOUDWATCH_ROLE: z._default(flag, true),
  TRACING: z._default(flag, true),
  RETAIN_DATA: z.optional(flag),
  CDK_NAG: z._default(flag, true),
  PAYMENT_FAILURE_RATE: z._default(fraction, 0),
  // No default here: it depends on the saga timeout (see slowPaymentSecondsOf).
  SLOW_PAYMENT_SECONDS: z.optional(wholeNumber(1, 90_000)),
  PROVIDER_FAILURE_RATE: z._default(fraction, 0),
});

/** How much longer than the saga timeout a slow payment takes by default. */
const SLOW_PAYMENT_MARGIN_SECONDS = 30;

/**
 * A `tok_slow` payment's duration: the one set, which must outlast the saga timeout
 * (otherwise the demo of a timed-out order silently becomes a happy path), or a
 * default that does.
 */
function slowPaymentSecondsOf(set: number | undefined, sagaTimeoutSeconds: number): number {
  if (set === undefined) return Math.max(120, sagaTimeoutSeconds + SLOW_PAYMENT_MARGIN_SECONDS);
  if (set <= sagaTimeoutSeconds) {
    throw new StageConfigError(
      `Invalid stage configuration:\n  - SLOW_PAYMENT_SECONDS="${set}": must be more than SAGA_TIMEOUT_SECONDS (${sagaTimeoutSeconds}), so that a tok_slow payment outlasts the saga timeout`,
    );
  }
  return set;
}

/**
 * The timer's grace period: the one set, which must end before the saga timeout (the
 * timer could otherwise start after the deadline it exists to enforce), or a default that
 * leaves at least half the timeout.
 */
function timerGraceSecondsOf(set: number | undefined, sagaTimeoutSeconds: number): number {
  if (set === undefined)
    return Math.min(DEFAULT_TIMER_GRACE_SECONDS, Math.floor(sagaTimeoutSeconds / 2));
  if (set >= sagaTimeoutSeconds) {
    throw new StageConfigError(
      `Invalid stage configuration:\n  - SAGA_TIMER_GRACE_SECONDS="${set}": must be less than SAGA_TIMEOUT_SECONDS (${sagaTimeoutSeconds}), so that the timer starts before the order's deadline`,
    );
  }
  return set;
}

/**
 * Validates a stage's settings and applies the defaults. Pure: pass `process.env`
 * (merged with CDK context) in the app, a plain object in tests.
 * @throws StageConfigError naming every invalid setting and the value it had
 */
export function loadStageConfig(source: StageConfigSource): StageConfig {
  const values: Record<string, string> = {};
  for (const key of STAGE_CONFIG_KEYS) {
    const value = source[key]?.trim();
    if (value) values[key] = value;
  }
  const result = z.safeParse(rawSchema, values);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return `  - ${key}=${JSON.stringify(values[key])}: ${issue.message}`;
    });
    throw new StageConfigError(`Invalid stage configuration:\n${problems.join('\n')}`);
  }
  const raw = result.data;
  return {
    stage: raw.STAGE,
    sagaTimeoutSeconds: raw.SAGA_TIMEOUT_SECONDS,
    sagaTimerGraceSeconds: timerGraceSecondsOf(
      raw.SAGA_TIMER_GRACE_SECONDS,
      raw.SAGA_TIMEOUT_SECONDS,
    ),
    logLevel: raw.LOG_LEVEL,
    apiAuth: raw.API_AUTH,
    apiCloudWatchRole: raw.API_CLOUDWATCH_ROLE,
    tracing: raw.TRACING,
    retainData: raw.RETAIN_DATA ?? !THROWAWAY_STAGE.test(raw.STAGE),
    nagChecks: raw.CDK_NAG,
    simulators: {
      paymentFailureRate: raw.PAYMENT_FAILURE_RATE,
      slowPaymentSeconds: slowPaymentSecondsOf(raw.SLOW_PAYMENT_SECONDS, raw.SAGA_TIMEOUT_SECONDS),
      providerFailureRate: raw.PROVIDER_FAILURE_RATE,
    },
  };
}
