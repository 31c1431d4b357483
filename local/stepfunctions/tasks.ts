import { randomUUID } from 'node:crypto';
import type { LambdaInvoker } from '../ports.ts';

/**
 * Task states run through the local Lambda runtime instead of AWS. Two resource
 * forms reach a function: its ARN directly (the state's effective input is the
 * payload, the function's result is the task's result), and the optimized
 * integration `arn:aws:states:::lambda:invoke` (Parameters name `FunctionName`
 * and `Payload`; the result is the Invoke response with the function's result in
 * `Payload`, which is why CDK adds `OutputPath: $.Payload`).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The error a task fails with: `name` is what Retry/Catch match, `message` the Cause. */
export class TaskError extends Error {
  /** Read by aws-local-stepfunctions: `States.Runtime` errors are neither retried nor caught, as in AWS. */
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
    this.isRetryable = error !== 'States.Runtime';
    this.isCatchable = error !== 'States.Runtime';
  }
}

const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke$/;
const LAMBDA_FUNCTION = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;

/**
 * Turns what the Lambda port rejected with into the task failure AWS reports: the
 * function's error type as Error, and as Cause the JSON the Lambda service
 * returns (`errorMessage`, `errorType`, `trace`).
 */
export function taskErrorFromLambda(caught: unknown): TaskError {
  const fields = (caught ?? {}) as {
    name?: unknown;
    message?: unknown;
    errorType?: unknown;
    errorMessage?: unknown;
    stack?: unknown;
  };
  const errorType =
    typeof fields.errorType === 'string'
      ? fields.errorType
      : typeof fields.name === 'string'
        ? fields.name
        : 'Error';
  const errorMessage =
    typeof fields.errorMessage === 'string'
      ? fields.errorMessage
      : typeof fields.message === 'string'
        ? fields.message
        : String(caught);
  const trace =
    typeof fields.stack === 'string'
      ? fields.stack
          .split('\n')
          .slice(1)
          .map((l) => l.trim())
      : [];
  return new TaskError(errorType, JSON.stringify({ errorMessage, errorType, trace }));
}

/** A Task state found anywhere in a definition (Parallel branches and Map processors included). */
export interface TaskStateRef {
  name: string;
  resource: string;
}

/** Every Task state in a definition, recursively. */
export function findTaskStates(definition: unknown): TaskStateRef[] {
  const found: TaskStateRef[] = [];
  const visit = (machine: unknown) => {
    const states =
      (machine as { States?: Record<string, Record<string, unknown>> } | null)?.States ?? {};
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' && typeof state.Resource === 'string')
        found.push({ name, resource: state.Resource });
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) state.Branches.forEach(visit);
      if (state.Type === 'Map') visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(definition);
  return found;
}

/** What a task handler needs from its execution. */
export interface TaskContext {
  lambda: LambdaInvoker;
  /** True once the execution was stopped: no function may run after that. */
  isStopped: () => boolean;
  /** Called before each function invocation (for counters and logs). */
  onInvoke?: (functionArn: string, stateName: string) => void;
}

/** The local handler for one Task state's resource. */
export function taskHandler(
  task: TaskStateRef,
  context: TaskContext,
): (input: Json) => Promise<Json> {
  const invoke = async (functionArn: string, payload: unknown): Promise<unknown> => {
    // A retry that was sleeping when the execution stopped must not reach the function.
    if (context.isStopped()) throw new TaskError('States.Runtime', 'The execution was stopped');
    context.onInvoke?.(functionArn, task.name);
    try {
      return await context.lambda.invoke(functionArn, payload);
    } catch (error) {
      throw taskErrorFromLambda(error);
    }
  };
  if (LAMBDA_INVOKE.test(task.resource)) {
    return async (input) => {
      const parameters = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
      if (typeof parameters.FunctionName !== 'string') {
        throw new TaskError(
          'States.Runtime',
          `Task ${task.name}: lambda:invoke needs Parameters.FunctionName`,
        );
      }
      const result = await invoke(parameters.FunctionName, parameters.Payload ?? {});
      return {
        ExecutedVersion: '$LATEST',
        Payload: (result ?? null) as Json,
        SdkHttpMetadata: { HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: randomUUID() },
        StatusCode: 200,
      };
    };
  }
  if (LAMBDA_FUNCTION.test(task.resource)) {
    return async (input) => ((await invoke(task.resource, input)) ?? null) as Json;
  }
  return () =>
    Promise.reject(
      new TaskError(
        'States.Runtime',
        `Task ${task.name}: the local cloud runs Lambda tasks only, not ${task.resource}`,
      ),
    );
}
