import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FromSandbox, SerializedError, ToSandbox } from './sandbox-protocol.ts';

export type { SerializedError } from './sandbox-protocol.ts';

const BOOTSTRAP = fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));

/** The outcome of one invocation, as the Lambda service reports it. */
export type InvocationOutcome =
  | { ok: true; payload: string; durationMs: number }
  | { ok: false; error: SerializedError; durationMs: number };

/**
 * The V8 flags the Lambda Node.js runtime starts `node` with for a memory size: a tenth
 * of the memory for the young generation (split into two semi-spaces), the rest for the
 * old one. The larger semi-space (25 MB at 512 MB, where Node's default is a few MB)
 * also means fewer scavenges per invocation than a plain `node` would run.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

export interface SandboxOptions {
  codeDir: string;
  env: Record<string, string>;
  memoryMb: number;
  /** Called with each line the function writes to stdout/stderr. */
  onLog: (line: string) => void;
}

/**
 * One execution environment: a child Node process with the function's bundle
 * loaded, running one invocation at a time. A sandbox that times out, crashes or
 * fails its init is dead and must be replaced (as Lambda does).
 */
export class Sandbox {
  readonly id = randomUUID().slice(0, 8);
  private readonly child: ChildProcess;
  private readonly readyPromise: Promise<void>;
  private pending:
    { id: string; resolve: (o: InvocationOutcome) => void; started: number } | undefined;
  private deadReason: SerializedError | undefined;
  private readonly exited: Promise<void>;

  constructor(options: SandboxOptions) {
    this.child = fork(BOOTSTRAP, [], {
      cwd: options.codeDir,
      env: options.env,
      // No inherited flags (jest runs with --experimental-vm-modules); the heap as Lambda sizes it.
      execArgv: lambdaNodeFlags(Math.max(options.memoryMb, 128)),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', options.onLog);
    }
    // Errors (e.g. sending to a process that just died) surface through 'exit'.
    this.child.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.readyPromise = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromSandbox) => {
        if (message.type === 'ready') {
          resolve();
        } else if (message.type === 'initError') {
          this.deadReason = message.error;
          reject(
            Object.assign(new Error(message.error.errorMessage), { lambdaError: message.error }),
          );
        } else if (message.type === 'result' || message.type === 'error') {
          this.settle(
            message.id,
            message.type === 'result'
              ? { ok: true, payload: message.payload, durationMs: 0 }
              : { ok: false, error: message.error, durationMs: 0 },
          );
        }
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code, signal) => {
        const error: SerializedError = this.deadReason ?? {
          errorType: 'Runtime.ExitError',
          errorMessage: `Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${String(code)}`}`,
          trace: [],
        };
        this.deadReason = error;
        reject(Object.assign(new Error(error.errorMessage), { lambdaError: error }));
        if (this.pending) this.settle(this.pending.id, { ok: false, error, durationMs: 0 });
      });
    });
    // A failed init is reported through the first invocation, not as an unhandled rejection.
    this.readyPromise.catch(() => undefined);
  }

  /** Resolves once the init phase (module load) is done; rejects on an init error. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  get alive(): boolean {
    return this.deadReason === undefined;
  }

  /**
   * Runs one invocation. Resolves with the function's result or error, or a
   * timeout error once `timeoutMs` pass (the sandbox is then killed).
   */
  async invoke(
    event: string,
    options: { requestId: string; timeoutMs: number; traceId: string; hang?: boolean },
  ): Promise<InvocationOutcome> {
    try {
      await this.readyPromise;
    } catch (error) {
      return {
        ok: false,
        error: (error as { lambdaError: SerializedError }).lambdaError,
        durationMs: 0,
      };
    }
    const started = performance.now();
    const deadlineMs = Date.now() + options.timeoutMs;
    const outcome = new Promise<InvocationOutcome>((resolve) => {
      this.pending = { id: options.requestId, resolve, started };
    });
    const timer = setTimeout(() => {
      const seconds = (options.timeoutMs / 1000).toFixed(2);
      const error: SerializedError = {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${options.requestId} Error: Task timed out after ${seconds} seconds`,
        trace: [],
      };
      this.deadReason = error;
      this.settle(options.requestId, { ok: false, error, durationMs: 0 });
      this.child.kill('SIGKILL');
    }, options.timeoutMs);
    const message: ToSandbox = {
      type: 'invoke',
      id: options.requestId,
      event,
      requestId: options.requestId,
      deadlineMs,
      traceId: options.traceId,
      ...(options.hang ? { hang: true } : {}),
    };
    if (this.deadReason || !this.child.connected) {
      clearTimeout(timer);
      const error = this.deadReason ?? {
        errorType: 'Runtime.ExitError',
        errorMessage: 'Runtime exited',
        trace: [],
      };
      this.pending = undefined;
      return { ok: false, error, durationMs: 0 };
    }
    this.child.send(message);
    const result = await outcome;
    clearTimeout(timer);
    return result;
  }

  private settle(id: string, outcome: InvocationOutcome): void {
    const pending = this.pending;
    if (!pending || pending.id !== id) return;
    this.pending = undefined;
    pending.resolve({ ...outcome, durationMs: performance.now() - pending.started });
  }

  /** Stops the process (politely, then by force). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'shutdown' } satisfies ToSandbox);
    const force = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await this.exited;
    clearTimeout(force);
  }
}
