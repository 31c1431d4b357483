import { randomBytes, randomUUID } from 'node:crypto';
import type { FunctionDefinition } from '../template/model.ts';
import type { Faults } from '../faults.ts';
import type { Counters } from '../util.ts';
import type { LogSink } from '../ports.ts';
import { Sandbox, type InvocationOutcome } from './sandbox.ts';
import { functionAccessKeyId } from '../iam/authorizer.ts';

/** Raised when reserved concurrency is exhausted (HTTP 429 from the Invoke API). */
export class ThrottledError extends Error {
  override name = 'TooManyRequestsException';
  readonly reason = 'ReservedFunctionConcurrentInvocationLimitExceeded';
  constructor() {
    super('Rate Exceeded.');
  }
}

export interface FunctionRuntimeDeps {
  /** AWS_ENDPOINT_URL given to the function. */
  endpointUrl: string;
  region: string;
  log: LogSink;
  faults: Faults;
  counters: Counters;
  /** Concurrency cap for functions without reserved concurrency (local machine capacity). */
  defaultConcurrency: number;
  /** Print the function's own output (console.log, Powertools logs). */
  showFunctionLogs: boolean;
}

/** An X-Ray trace header, unsampled so that nothing tries to reach an X-Ray daemon. */
function traceHeader(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

/**
 * One function's execution environments: warm sandboxes are reused, new ones are
 * started up to the concurrency limit. With `ReservedConcurrentExecutions`, an
 * invocation beyond it is throttled (as in AWS); without, it waits for a sandbox
 * (the limit then only protects this machine).
 */
export class FunctionRuntime {
  readonly definition: FunctionDefinition;
  private readonly deps: FunctionRuntimeDeps;
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly waiters: (() => void)[] = [];
  private busy = 0;
  private peak = 0;
  private stopped = false;

  constructor(definition: FunctionDefinition, deps: FunctionRuntimeDeps) {
    this.definition = definition;
    this.deps = deps;
  }

  /** At most this many invocations run at once. */
  get concurrencyLimit(): number {
    return this.definition.reservedConcurrency ?? this.deps.defaultConcurrency;
  }

  /** Invocations running now. */
  get running(): number {
    return this.busy;
  }

  /** The most invocations that ran at once so far. */
  get peakConcurrency(): number {
    return this.peak;
  }

  /** Whether an invocation could start now without throttling or waiting. */
  hasCapacity(): boolean {
    return this.busy < this.concurrencyLimit;
  }

  /**
   * Starts sandboxes until `count` exist (at most the concurrency limit), so that the
   * first invocations, up to that many at once, find one warm. Resolves once their init
   * is done (a failed init is discarded and reported by the next invocation); never rejects.
   */
  prewarm(count = 1): Promise<void> {
    const starting: Promise<void>[] = [];
    const target = Math.min(count, this.concurrencyLimit);
    while (this.all.size < target && !this.stopped) {
      const sandbox = this.spawn();
      this.idle.push(sandbox);
      starting.push(sandbox.ready().catch(() => this.discard(sandbox)));
    }
    return Promise.all(starting).then(() => undefined);
  }

  /**
   * Invokes the function with a JSON payload. Throws {@link ThrottledError} when
   * reserved concurrency is exhausted; function errors and timeouts are outcomes.
   */
  async invoke(payload: string): Promise<InvocationOutcome> {
    const name = this.definition.name;
    const reserved = this.definition.reservedConcurrency;
    if (reserved !== undefined && this.busy >= reserved) {
      this.deps.counters.add(`lambda.${name}.throttles`);
      throw new ThrottledError();
    }
    await this.acquireSlot();
    const requestId = randomUUID();
    try {
      this.deps.counters.add(`lambda.${name}.invocations`);
      this.deps.counters.add('lambda.invocations');
      const fault = this.deps.faults.functionFault(this.definition);
      if (fault?.effect === 'error') {
        this.deps.counters.add(`lambda.${name}.billedMs`, 1);
        return this.report(requestId, {
          ok: false,
          error: { errorType: 'LocalFaultInjected', errorMessage: fault.message, trace: [] },
          durationMs: 0,
        });
      }
      const sandbox = this.takeSandbox();
      let outcome: InvocationOutcome;
      try {
        outcome = await sandbox.invoke(payload, {
          requestId,
          timeoutMs: this.definition.timeoutSeconds * 1000,
          traceId: traceHeader(),
          ...(fault?.effect === 'timeout' ? { hang: true } : {}),
        });
      } finally {
        if (sandbox.alive && !this.stopped) this.idle.push(sandbox);
        else this.discard(sandbox);
      }
      // Lambda bills each invocation rounded up to the millisecond.
      const billed = Math.max(1, Math.ceil(outcome.durationMs));
      this.deps.counters.add(`lambda.${name}.billedMs`, billed);
      this.deps.counters.add('lambda.billedMs', billed);
      return this.report(requestId, outcome);
    } finally {
      this.releaseSlot();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all([...this.all].map((s) => s.stop()));
    this.all.clear();
    this.idle.length = 0;
  }

  private report(requestId: string, outcome: InvocationOutcome): InvocationOutcome {
    if (!outcome.ok) {
      this.deps.counters.add(`lambda.${this.definition.name}.errors`);
      this.deps.log(
        `[${this.definition.name}] ${requestId} ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
      );
    }
    return outcome;
  }

  private async acquireSlot(): Promise<void> {
    while (this.busy >= this.concurrencyLimit && !this.stopped) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.stopped) throw new Error(`Function ${this.definition.name} is stopped`);
    this.busy++;
    this.peak = Math.max(this.peak, this.busy);
  }

  private releaseSlot(): void {
    this.busy--;
    this.waiters.shift()?.();
  }

  private takeSandbox(): Sandbox {
    for (;;) {
      const warm = this.idle.pop();
      if (!warm) break;
      if (warm.alive) return warm;
      this.discard(warm);
    }
    return this.spawn();
  }

  private spawn(): Sandbox {
    const def = this.definition;
    this.deps.counters.add(`lambda.${def.name}.coldStarts`);
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const sandbox: Sandbox = new Sandbox({
      codeDir: def.codeDir,
      memoryMb: def.memoryMb,
      env: this.environment(`${day}/[$LATEST]${randomBytes(16).toString('hex')}`),
      onLog: (line) => {
        if (this.deps.showFunctionLogs) this.deps.log(`[${def.name}] ${line}`);
      },
    });
    this.all.add(sandbox);
    return sandbox;
  }

  private discard(sandbox: Sandbox): void {
    this.all.delete(sandbox);
    const at = this.idle.indexOf(sandbox);
    if (at >= 0) this.idle.splice(at, 1);
    void sandbox.stop();
  }

  /** The template's variables plus what the Lambda service sets in every environment. */
  private environment(logStream: string): Record<string, string> {
    const def = this.definition;
    const { region, endpointUrl } = this.deps;
    return {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      ...def.environment,
      AWS_ENDPOINT_URL: endpointUrl,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      // Its own key, as Lambda gives each function its role's credentials: the endpoint
      // checks what it asks for against that role (local/iam).
      AWS_ACCESS_KEY_ID: functionAccessKeyId(def.arn),
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: 'test',
      AWS_EXECUTION_ENV: `AWS_Lambda_${def.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: def.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: def.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
      LAMBDA_TASK_ROOT: def.codeDir,
      LAMBDA_RUNTIME_DIR: def.codeDir,
      _HANDLER: def.handler,
      LOCAL_LAMBDA_FUNCTION_ARN: def.arn,
    };
  }
}
