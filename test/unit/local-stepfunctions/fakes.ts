import type { LambdaInvoker } from '../../../local/ports.ts';
import { LocalStepFunctions } from '../../../local/stepfunctions/index.ts';

export const TIMEOUT_FN = 'arn:aws:lambda:us-east-1:000000000000:function:saga-timeout';
export const machineArn = (name: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

/** A function error as the local Lambda runtime reports it. */
export class FunctionError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A recording Lambda port: `handlers` decide what each function returns (or
 * throws); every call is kept with the time it happened.
 */
export function fakeLambda() {
  const calls: { functionArn: string; payload: unknown; at: number }[] = [];
  const handlers = new Map<string, (payload: unknown) => unknown>();
  const lambda: LambdaInvoker = {
    invoke: (functionArn, payload) => {
      calls.push({ functionArn, payload, at: Date.now() });
      const handler = handlers.get(functionArn);
      // A throwing handler becomes a rejection, as a failing function does.
      return new Promise((resolve) => resolve(handler ? handler(payload) : { handled: payload }));
    },
    invokeAsync: () => Promise.reject(new Error('Step Functions invokes synchronously')),
  };
  return { lambda, calls, handlers };
}

/** An emulator with one state machine per definition given, over a fake Lambda port. */
export function stepFunctionsWith(
  definitions: Record<string, object>,
  type: 'STANDARD' | 'EXPRESS' = 'STANDARD',
) {
  const fake = fakeLambda();
  const logs: string[] = [];
  const sfn = new LocalStepFunctions({ lambda: fake.lambda, log: (line) => logs.push(line) });
  for (const [name, definition] of Object.entries(definitions)) {
    sfn.addStateMachine({ logicalId: name, name, arn: machineArn(name), type, definition });
  }
  return { sfn, logs, ...fake };
}

/** Polls `read` until `done` holds or the deadline passes; returns the last value read. */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = await read();
  }
  return value;
}

/** The saga timer as CDK synthesizes it: wait until the deadline, then invoke the timeout function. */
export const sagaTimer = (wait: Record<string, unknown>) => ({
  StartAt: 'WaitUntilDeadline',
  States: {
    WaitUntilDeadline: { Type: 'Wait', ...wait, Next: 'Timeout' },
    Timeout: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: TIMEOUT_FN, 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: [
        {
          ErrorEquals: [
            'Lambda.ClientExecutionTimeoutException',
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
          ],
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
        },
      ],
      End: true,
    },
  },
});
