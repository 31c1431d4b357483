import { randomUUID } from 'node:crypto';
import type { CloudModel } from '../template/model.ts';
import type { LambdaInvoker, LogSink, QueueSender } from '../ports.ts';
import type { Counters } from '../util.ts';
import { sleep } from '../util.ts';
import { FunctionRuntime, ThrottledError, type FunctionRuntimeDeps } from './function-runtime.ts';
import type { InvocationOutcome, SerializedError } from './sandbox.ts';

/** A function error surfaced to a caller of {@link LambdaService.invoke} (the port). */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: string[];
  constructor(error: SerializedError) {
    super(error.errorMessage);
    this.name = error.errorType;
    this.errorType = error.errorType;
    this.errorMessage = error.errorMessage;
    this.trace = error.trace;
  }
}

/** Raised for a function that does not exist (or cannot run locally). */
export class FunctionNotFoundError extends Error {
  override name = 'ResourceNotFoundException';
}

export interface LambdaServiceOptions extends FunctionRuntimeDeps {
  /** Where failed async invocations go (on-failure destinations, DLQs). */
  queues: QueueSender;
  /**
   * Delays before async retries. AWS waits 1 and 2 minutes; locally they are
   * compressed to seconds by default so that failures surface while you watch.
   */
  asyncRetryDelaysMs?: number[];
}

/**
 * The local Lambda service: every function of the stack, looked up by name or
 * ARN (qualifiers ignored: everything is `$LATEST`), invoked synchronously or
 * asynchronously with AWS retry semantics.
 */
export class LambdaService implements LambdaInvoker {
  private readonly runtimes: FunctionRuntime[];
  private readonly unsupported: CloudModel['unsupportedFunctions'];
  private readonly options: LambdaServiceOptions;
  private readonly asyncInFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly log: LogSink;
  private readonly counters: Counters;

  constructor(
    model: Pick<CloudModel, 'functions' | 'unsupportedFunctions'>,
    options: LambdaServiceOptions,
  ) {
    this.options = options;
    this.log = options.log;
    this.counters = options.counters;
    this.unsupported = model.unsupportedFunctions;
    this.runtimes = model.functions.map((f) => new FunctionRuntime(f, options));
  }

  /** The runtime of a function by name, ARN (with or without qualifier) or logical id. */
  find(nameOrArn: string): FunctionRuntime | undefined {
    const match = /^arn:[^:]+:lambda:[^:]+:[^:]+:function:([^:]+)(?::.+)?$/.exec(nameOrArn);
    const name = match?.[1] ?? nameOrArn.split(':')[0] ?? nameOrArn;
    return this.runtimes.find(
      (r) =>
        r.definition.name === name ||
        r.definition.logicalId === name ||
        r.definition.arn === nameOrArn,
    );
  }

  /** Every function runtime. */
  all(): readonly FunctionRuntime[] {
    return this.runtimes;
  }

  /** Invokes and reports the raw outcome (function errors included); throws when not found or throttled. */
  async invokeRaw(nameOrArn: string, payload: string): Promise<InvocationOutcome> {
    const runtime = this.find(nameOrArn);
    if (!runtime) {
      const known = this.unsupported.find((u) => nameOrArn.includes(u.logicalId));
      throw new FunctionNotFoundError(
        `Function not found: ${nameOrArn}${known ? ` (not run locally: ${known.reason})` : ''}`,
      );
    }
    return runtime.invoke(payload);
  }

  /** RequestResponse (the port): the handler's result, or rejects with its error. */
  async invoke(functionArn: string, payload: unknown): Promise<unknown> {
    const outcome = await this.invokeRaw(functionArn, JSON.stringify(payload ?? null));
    if (!outcome.ok) throw new LambdaFunctionError(outcome.error);
    return JSON.parse(outcome.payload) as unknown;
  }

  /**
   * Event invocation (the port): accepted at once; runs in the background with
   * the function's retry settings (MaximumRetryAttempts, MaximumEventAgeInSeconds),
   * throttles retried, and a final failure sent to the on-failure destination or DLQ.
   */
  invokeAsync(functionArn: string, payload: unknown): Promise<void> {
    const runtime = this.find(functionArn);
    if (!runtime) {
      return Promise.reject(new FunctionNotFoundError(`Function not found: ${functionArn}`));
    }
    this.counters.add('lambda.asyncInvocations');
    const run: Promise<void> = this.runAsync(runtime, payload)
      .catch((error: Error) =>
        this.log(`[${runtime.definition.name}] async invocation failed: ${error.message}`),
      )
      .finally(() => this.asyncInFlight.delete(run));
    this.asyncInFlight.add(run);
    return Promise.resolve();
  }

  /**
   * Starts sandboxes for the listed functions (`count` each, default 1; a function
   * listed twice gets the larger count). Resolves once they are initialized.
   */
  prewarm(functions: Iterable<string | { arn: string; count: number }>): Promise<void> {
    const counts = new Map<FunctionRuntime, number>();
    for (const entry of functions) {
      const { arn, count } = typeof entry === 'string' ? { arn: entry, count: 1 } : entry;
      const runtime = this.find(arn);
      if (runtime) counts.set(runtime, Math.max(count, counts.get(runtime) ?? 0));
    }
    return Promise.all([...counts].map(([runtime, count]) => runtime.prewarm(count))).then(
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.runtimes.map((r) => r.stop()));
    await Promise.allSettled([...this.asyncInFlight]);
  }

  private async runAsync(runtime: FunctionRuntime, payload: unknown): Promise<void> {
    const def = runtime.definition;
    const requestId = randomUUID();
    const started = Date.now();
    const delays = this.options.asyncRetryDelaysMs ?? [1000, 2000];
    const body = JSON.stringify(payload ?? null);
    let attempts = 0;
    let last: InvocationOutcome | undefined;
    while (!this.stopped) {
      if (Date.now() - started > def.async.maximumEventAgeSeconds * 1000) break;
      let outcome: InvocationOutcome;
      try {
        outcome = await runtime.invoke(body);
      } catch (error) {
        if (!(error instanceof ThrottledError)) throw error;
        // Throttled events stay queued and are retried (they do not use up retries).
        await sleep(500);
        continue;
      }
      attempts++;
      last = outcome;
      if (outcome.ok) return;
      if (attempts > def.async.maximumRetryAttempts) break;
      await sleep(delays[Math.min(attempts - 1, delays.length - 1)] ?? 1000);
    }
    if (this.stopped) return;
    const condition = last ? 'RetriesExhausted' : 'EventAgeExceeded';
    this.log(
      `[${def.name}] async invocation ${requestId} failed (${condition}) after ${attempts} attempt(s)`,
    );
    const destination = def.async.onFailureArn ?? def.deadLetterArn;
    if (!destination) return;
    // A DLQ receives the event itself; an on-failure destination the invocation record.
    const message = def.async.onFailureArn
      ? JSON.stringify({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: {
            requestId,
            functionArn: `${def.arn}:$LATEST`,
            condition,
            approximateInvokeCount: attempts,
          },
          requestPayload: payload,
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            functionError: 'Unhandled',
          },
          responsePayload: last && !last.ok ? last.error : null,
        })
      : body;
    if (destination.split(':')[2] !== 'sqs') {
      this.log(
        `[${def.name}] failure destination ${destination} is not supported locally (SQS only)`,
      );
      return;
    }
    await this.options.queues.sendMessage(destination, message).catch((error: Error) => {
      this.log(
        `[${def.name}] could not send to failure destination ${destination}: ${error.message}`,
      );
    });
  }
}
