import type { LambdaInvoker, QueueSender, StateMachineStarter } from '../../../local/ports.ts';
import { LocalEventBridge, type LocalEventBridgeDeps } from '../../../local/eventbridge/index.ts';

export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:payments';
export const FIFO_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:orders.fifo';
export const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:payments-target-dlq';
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:notify';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:saga-timer';
export const BUS = 'shop';
export const BUS_ARN = `arn:aws:events:us-east-1:000000000000:event-bus/${BUS}`;

/**
 * Recording fakes for the ports the bus calls out through. An ARN in `failing`
 * makes calls to it reject (`failures` counts the rejections).
 */
export function fakePorts() {
  const sqs: {
    queueArn: string;
    body: string;
    options?: { messageGroupId?: string; messageDeduplicationId?: string };
  }[] = [];
  const lambda: { functionArn: string; payload: unknown }[] = [];
  const executions: { stateMachineArn: string; input: string; name?: string }[] = [];
  const failing = new Set<string>();
  const failures: string[] = [];
  const logs: string[] = [];
  const maybeFail = (arn: string) => {
    if (failing.has(arn)) {
      failures.push(arn);
      throw new Error(`${arn} is unavailable`);
    }
  };
  const queueSender: QueueSender = {
    sendMessage: (queueArn, body, options) => {
      maybeFail(queueArn);
      sqs.push({ queueArn, body, ...(options && { options }) });
      return Promise.resolve();
    },
  };
  const invoker: LambdaInvoker = {
    invoke: () => Promise.reject(new Error('the bus invokes asynchronously')),
    invokeAsync: (functionArn, payload) => {
      maybeFail(functionArn);
      lambda.push({ functionArn, payload });
      return Promise.resolve();
    },
  };
  const starter: StateMachineStarter = {
    startExecution: (stateMachineArn, input, name) => {
      maybeFail(stateMachineArn);
      executions.push({ stateMachineArn, input, ...(name && { name }) });
      return Promise.resolve({ executionArn: `${stateMachineArn}:x`, startDate: new Date() });
    },
  };
  return {
    sqs,
    lambda,
    executions,
    failing,
    failures,
    logs,
    deps: {
      sqs: queueSender,
      lambda: invoker,
      stepFunctions: starter,
      log: (line: string) => logs.push(line),
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    } satisfies LocalEventBridgeDeps,
  };
}

/** A bus named `shop` (with an archive of everything) over fresh fakes. */
export function busWithFakes(extra: Partial<LocalEventBridgeDeps> = {}) {
  const ports = fakePorts();
  const bridge = new LocalEventBridge({ ...ports.deps, ...extra });
  bridge.addBus({
    logicalId: 'ShopBus',
    name: BUS,
    arn: BUS_ARN,
    archives: [{ name: 'everything' }],
  });
  return { bridge, ...ports };
}

/** A valid PutEvents entry for the `shop` bus. */
export const entry = (
  detail: Record<string, unknown> = { orderId: 'o-1' },
  overrides: Record<string, unknown> = {},
) => ({
  Source: 'shop.orders',
  DetailType: 'OrderCreated',
  Detail: JSON.stringify(detail),
  EventBusName: BUS,
  ...overrides,
});
