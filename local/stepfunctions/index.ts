import { randomUUID } from 'node:crypto';
import {
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition as AslDefinition,
} from 'aws-local-stepfunctions';
import type {
  LambdaInvoker,
  LogSink,
  StateMachineDefinition,
  StateMachineStarter,
} from '../ports.ts';
import { type ApiResponse, handleStatesApi } from './api.ts';
import { StepFunctionsApiError } from './errors.ts';
import { type HistoryEvent, historyEventOf, type LibraryEvent } from './history.ts';
import { executionArnOf, validateExecutionName } from './names.ts';
import { findTaskStates, taskHandler } from './tasks.ts';

export { StepFunctionsApiError } from './errors.ts';
export type { HistoryEvent } from './history.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An execution as DescribeExecution shows it. */
export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** An execution as ListExecutions shows it. */
export type ExecutionListItem = Pick<
  ExecutionDescription,
  'executionArn' | 'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate'
>;

export interface LocalStepFunctionsDeps {
  lambda: LambdaInvoker;
  log: LogSink;
}

/** Step Functions refuses execution input over 256 KB. */
const MAX_INPUT_BYTES = 256 * 1024;

interface Machine {
  def: StateMachineDefinition;
  runner: StateMachine;
  createdAt: Date;
}

interface Execution extends ExecutionDescription {
  machine: Machine;
  history: HistoryEvent[];
  /** Set when stopped: task handlers check it so no function runs afterwards. */
  stopped: boolean;
  abort?: () => void;
  /** Settles when the run has ended and its event log is drained. */
  settled: Promise<void>;
}

/**
 * The local Step Functions: runs the synthesized ASL definitions in-process with
 * aws-local-stepfunctions, Lambda tasks through the local Lambda runtime, Wait
 * states in real time (SecondsPath and TimestampPath included), and keeps the
 * executions for Describe/List/Stop as the service does.
 */
export class LocalStepFunctions implements StateMachineStarter {
  private readonly deps: LocalStepFunctionsDeps;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();
  private readonly counter: Record<string, number> = {};
  private stopping = false;

  constructor(deps: LocalStepFunctionsDeps) {
    this.deps = deps;
  }

  /** Adds (or replaces) a state machine; throws if aws-local-stepfunctions finds the definition invalid. */
  addStateMachine(def: StateMachineDefinition): void {
    // ARNs are not checked: resolved local ARNs and service integrations both appear in Resource.
    // The library's validator writes defaults (QueryLanguage) into the definition: give it a copy.
    // A JSON copy, not structuredClone: under jest's vm, structuredClone makes objects of the
    // host realm, which the library's plain-object check (prototype === Object.prototype)
    // rejects, so nested Parameters (`Payload: { "orderId.$": ... }`) went unresolved.
    const runner = new StateMachine(JSON.parse(JSON.stringify(def.definition)) as AslDefinition, {
      validationOptions: { checkArn: false },
    });
    this.machines.set(def.arn, { def, runner, createdAt: new Date() });
    const names = new Map<string, string>();
    for (const task of findTaskStates(def.definition)) {
      const other = names.get(task.name);
      if (other !== undefined && other !== task.resource) {
        this.deps.log(
          `state machine ${def.name}: two Task states are named ${task.name}; both run ${other} locally`,
        );
      }
      names.set(task.name, other ?? task.resource);
    }
  }

  /**
   * StartExecution. Without a name, a UUID. For STANDARD machines a name is
   * unique: the same name and input while that execution runs returns it again
   * (idempotent start); otherwise `ExecutionAlreadyExists`. The run starts after
   * this resolves, as the service's does.
   */
  startExecution(
    stateMachineArn: string,
    input = '{}',
    name?: string,
  ): Promise<{ executionArn: string; startDate: Date }> {
    return new Promise((resolve) => resolve(this.start(stateMachineArn, input, name)));
  }

  /** DescribeExecution. */
  describeExecution(executionArn: string): Promise<ExecutionDescription> {
    return settle(() => describe(this.executionOrThrow(executionArn)));
  }

  /** ListExecutions for one state machine, newest first, optionally only those in `statusFilter`. */
  listExecutions(
    stateMachineArn: string,
    statusFilter?: ExecutionStatus,
  ): Promise<ExecutionListItem[]> {
    return settle(() => this.executionsOf(stateMachineArn, statusFilter));
  }

  /**
   * StopExecution: a running execution becomes ABORTED at once; a Wait under way
   * is cancelled and no further state (no Lambda task) runs. Stopping an
   * execution that has ended changes nothing.
   */
  stopExecution(executionArn: string, error?: string, cause?: string): Promise<{ stopDate: Date }> {
    return settle(() => this.stopNow(this.executionOrThrow(executionArn), error, cause));
  }

  /** GetExecutionHistory (a subset of the service's event types and details), oldest first. */
  getExecutionHistory(executionArn: string): Promise<HistoryEvent[]> {
    return settle(() => [...this.executionOrThrow(executionArn).history]);
  }

  /** Resolves when the execution has ended (or at once if it has): handy in tests. */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    const execution = this.executionOrThrow(executionArn);
    await execution.settled;
    return describe(execution);
  }

  /** Serves an `AWSStepFunctions.<action>` request (AWS JSON 1.0). */
  handleApiRequest(action: string, body: unknown): Promise<ApiResponse> {
    return handleStatesApi(
      {
        startExecution: (arn, input, name) => this.startExecution(arn, input, name),
        describeExecution: (arn) => this.describeExecution(arn),
        listExecutions: (arn, status) => this.listExecutions(arn, status),
        stopExecution: (arn, error, cause) => this.stopExecution(arn, error, cause),
        getExecutionHistory: (arn) => this.getExecutionHistory(arn),
        stateMachine: (arn) => {
          const machine = this.machineOrThrow(arn);
          return { def: machine.def, createdAt: machine.createdAt };
        },
        stateMachines: () =>
          [...this.machines.values()].map((m) => ({ def: m.def, createdAt: m.createdAt })),
      },
      action,
      body,
    );
  }

  /**
   * Counters for tests and the cost benchmark: `executionsStarted`,
   * `stateTransitions` (every state entered, retries included, as AWS bills
   * standard workflows), `lambdaInvocations`, `executions<Status>` by outcome,
   * and each of these also per state machine as `<counter>.<machine name>`.
   */
  counters(): Record<string, number> {
    return { ...this.counter };
  }

  /** Aborts running executions and cancels their timers, so the process can exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const execution of running)
      this.stopNow(execution, 'LocalCloud.Stopped', 'The local cloud stopped');
    // A task whose function is still running settles when the function returns; do not wait for it forever.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 2000);
      timer.unref();
    });
    await Promise.race([Promise.allSettled(running.map((e) => e.settled)), grace]);
    clearTimeout(timer);
  }

  // ---- internals ----------------------------------------------------------------

  private count(key: string, machine: string, by = 1): void {
    for (const k of [key, `${key}.${machine}`]) this.counter[k] = (this.counter[k] ?? 0) + by;
  }

  private executionsOf(
    stateMachineArn: string,
    statusFilter?: ExecutionStatus,
  ): ExecutionListItem[] {
    this.machineOrThrow(stateMachineArn);
    return [...this.executions.values()]
      .filter(
        (e) =>
          e.stateMachineArn === stateMachineArn && (!statusFilter || e.status === statusFilter),
      )
      .reverse()
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())
      .map(({ executionArn, name, status, startDate, stopDate }) => ({
        executionArn,
        stateMachineArn,
        name,
        status,
        startDate,
        ...(stopDate && { stopDate }),
      }));
  }

  private stopNow(execution: Execution, error?: string, cause?: string): { stopDate: Date } {
    if (execution.status === 'RUNNING') {
      this.finish(execution, 'ABORTED', { error, cause });
      execution.stopped = true;
      execution.abort?.();
    }
    return { stopDate: execution.stopDate ?? new Date() };
  }

  private machineOrThrow(arn: string): Machine {
    const machine = this.machines.get(arn);
    if (!machine)
      throw new StepFunctionsApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${arn}'`,
      );
    return machine;
  }

  private executionOrThrow(arn: string): Execution {
    const execution = this.executions.get(arn);
    if (!execution)
      throw new StepFunctionsApiError(
        'ExecutionDoesNotExist',
        `Execution Does Not Exist: '${arn}'`,
      );
    return execution;
  }

  private start(stateMachineArn: string, input: string, name: string | undefined) {
    if (this.stopping)
      throw new StepFunctionsApiError(
        'ServiceUnavailable',
        'The local Step Functions has stopped',
        503,
      );
    const machine = this.machineOrThrow(stateMachineArn);
    const parsedInput = parseInput(input);
    const executionName = name ?? randomUUID();
    validateExecutionName(executionName);
    const type = machine.def.type;
    const executionArn = executionArnOf(stateMachineArn, type, executionName, randomUUID());
    const existing = this.executions.get(executionArn);
    if (existing && type === 'STANDARD') {
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new StepFunctionsApiError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name: executionName,
      status: 'RUNNING',
      startDate: new Date(),
      input,
      machine,
      history: [],
      stopped: false,
      settled: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    this.count('executionsStarted', machine.def.name);
    execution.settled = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(execution, parsedInput))
      .catch((error: unknown) => {
        // The library refused to run (it validates input paths, for one): the execution fails.
        if (execution.status === 'RUNNING') this.finish(execution, 'FAILED', failureOf(error));
        this.deps.log(
          `execution ${execution.name} of ${machine.def.name} could not run: ${String(error)}`,
        );
      });
    return { executionArn, startDate: execution.startDate };
  }

  private async run(execution: Execution, input: unknown): Promise<void> {
    if (execution.stopped) return;
    const { machine } = execution;
    const machineName = machine.def.name;
    const handlers = Object.fromEntries(
      findTaskStates(machine.def.definition).map((task) => [
        task.name,
        taskHandler(task, {
          lambda: this.deps.lambda,
          isStopped: () => execution.stopped,
          onInvoke: () => this.count('lambdaInvocations', machineName),
        }),
      ]),
    );
    const { result, abort, eventLogs } = machine.runner.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: execution.executionArn, Name: execution.name },
        StateMachine: { Id: execution.stateMachineArn, Name: machineName },
      },
    });
    execution.abort = abort;

    const drained = (async () => {
      let id = 0;
      for await (const event of eventLogs as AsyncGenerator<LibraryEvent>) {
        if (event.type === 'StateEntered' || event.type === 'StateRetried')
          this.count('stateTransitions', machineName);
        const mapped = historyEventOf(event, ++id);
        if (mapped) execution.history.push(mapped);
      }
    })();

    let outcome: { status: ExecutionStatus; output?: string; error?: string; cause?: string };
    try {
      const output = await result;
      outcome = { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) };
    } catch (error) {
      outcome = failureOf(error);
    }
    await drained;
    if (execution.status !== 'RUNNING') return; // stopped meanwhile: ABORTED stands
    this.finish(execution, outcome.status, outcome);
    if (outcome.status !== 'SUCCEEDED') {
      this.deps.log(
        `execution ${execution.name} of ${machineName} ${outcome.status}: ${outcome.error ?? ''} ${outcome.cause ?? ''}`.trim(),
      );
    }
  }

  private finish(
    execution: Execution,
    status: ExecutionStatus,
    details: {
      output?: string | undefined;
      error?: string | undefined;
      cause?: string | undefined;
    },
  ): void {
    execution.status = status;
    execution.stopDate = new Date();
    if (details.output !== undefined) execution.output = details.output;
    if (details.error !== undefined) execution.error = details.error;
    if (details.cause !== undefined) execution.cause = details.cause;
    const label = {
      SUCCEEDED: 'Succeeded',
      FAILED: 'Failed',
      TIMED_OUT: 'TimedOut',
      ABORTED: 'Aborted',
      RUNNING: 'Running',
    }[status];
    this.count(`executions${label}`, execution.machine.def.name);
  }
}

/** Runs `fn` now; its result or throw becomes the promise's outcome (API methods are async, as in the SDK). */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

function describe(execution: Execution): ExecutionDescription {
  const {
    executionArn,
    stateMachineArn,
    name,
    status,
    startDate,
    stopDate,
    input,
    output,
    error,
    cause,
  } = execution;
  return {
    executionArn,
    stateMachineArn,
    name,
    status,
    startDate,
    input,
    ...(stopDate && { stopDate }),
    ...(output !== undefined && { output }),
    ...(error !== undefined && { error }),
    ...(cause !== undefined && { cause }),
  };
}

function parseInput(input: string): unknown {
  if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
    throw new StepFunctionsApiError(
      'InvalidExecutionInput',
      'Execution input exceeds the maximum size of 256 KB',
    );
  }
  try {
    return JSON.parse(input) as unknown;
  } catch {
    throw new StepFunctionsApiError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${input}'`,
    );
  }
}

/** The status, error and cause for a run that did not succeed. */
function failureOf(error: unknown): { status: ExecutionStatus; error: string; cause: string } {
  if (error instanceof ExecutionTimeoutError) {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution exceeded its TimeoutSeconds',
    };
  }
  // ExecutionError wraps the state's error: its name is the ASL error, its message the cause.
  const inner =
    error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (inner instanceof Error) return { status: 'FAILED', error: inner.name, cause: inner.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(inner) };
}
