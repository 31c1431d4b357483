import type {
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import { createJsonRpcClient, type JsonRpcClientOptions } from './json-rpc.ts';

/** Step Functions, for the saga timer's calls. */
export interface StepFunctions {
  /** @throws {AwsServiceError} e.g. `ExecutionAlreadyExists` for a name reused with another input */
  startExecution(input: StartExecutionInput): Promise<StartExecutionOutput>;
  /** @throws {AwsServiceError} e.g. `ExecutionDoesNotExist` */
  stopExecution(input: StopExecutionInput): Promise<StopExecutionOutput>;
}

/** Options of {@link createStepFunctions}: those of the JSON client but the service's own. */
export type StepFunctionsOptions = Omit<
  JsonRpcClientOptions,
  'service' | 'targetPrefix' | 'jsonVersion'
>;

/** Timestamps come as epoch seconds; the SDK's types (and callers) expect `Date`s. */
const toDate = (seconds: unknown) =>
  typeof seconds === 'number' ? new Date(Math.round(seconds * 1000)) : undefined;

/** Creates a {@link StepFunctions} (once per container, at module scope). */
export function createStepFunctions(options: StepFunctionsOptions = {}): StepFunctions {
  const client = createJsonRpcClient({
    ...options,
    service: 'sfn',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
  });
  return {
    async startExecution(input) {
      const output = await client.call<{ executionArn?: string; startDate?: number }>(
        'StartExecution',
        input,
      );
      return { executionArn: output.executionArn, startDate: toDate(output.startDate) };
    },
    async stopExecution(input) {
      const output = await client.call<{ stopDate?: number }>('StopExecution', input);
      return { stopDate: toDate(output.stopDate) };
    },
  };
}
