import { afterEach, describe, expect, it } from '@jest/globals';
import { LocalEventBridge } from '../../../local/eventbridge/index.ts';
import type { QueueSender } from '../../../local/ports.ts';
import { LocalStepFunctions } from '../../../local/stepfunctions/index.ts';
import { fakeLambda, machineArn, pollUntil, sagaTimer, TIMEOUT_FN } from './fakes.ts';

// The two emulators wired as the core wires them: a rule on the bus starts the
// saga timer, whose task invokes the timeout function.
const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((x) => x.stop()));
});

describe('LocalEventBridge with LocalStepFunctions', () => {
  it('an OrderCreated event starts the saga timer, which fires the timeout function after the deadline', async () => {
    const fake = fakeLambda();
    const noQueues: QueueSender = {
      sendMessage: () => Promise.reject(new Error('no queues here')),
    };
    const sfn = new LocalStepFunctions({ lambda: fake.lambda, log: () => undefined });
    const bridge = new LocalEventBridge({
      lambda: fake.lambda,
      sqs: noQueues,
      stepFunctions: sfn,
      log: () => undefined,
    });
    running.push(bridge, sfn);
    sfn.addStateMachine({
      logicalId: 'SagaTimer',
      name: 'saga-timer',
      arn: machineArn('saga-timer'),
      type: 'STANDARD',
      definition: sagaTimer({ TimestampPath: '$.deadline' }),
    });
    bridge.addBus({
      logicalId: 'Bus',
      name: 'shop',
      arn: 'arn:aws:events:us-east-1:000000000000:event-bus/shop',
      archives: [],
    });
    bridge.addRule({
      logicalId: 'StartTimer',
      name: 'StartTimer',
      eventBusName: 'shop',
      eventPattern: { source: ['shop.orders'], 'detail-type': ['OrderCreated'] },
      state: 'ENABLED',
      targets: [
        {
          id: 'Timer',
          arn: machineArn('saga-timer'),
          inputTransformer: {
            inputPathsMap: { orderId: '$.detail.orderId', deadline: '$.detail.deadline' },
            inputTemplate: '{"orderId": <orderId>, "deadline": <deadline>}',
          },
        },
      ],
    });

    const deadline = new Date(Date.now() + 300).toISOString();
    await bridge.putEvents([
      {
        Source: 'shop.orders',
        DetailType: 'OrderCreated',
        EventBusName: 'shop',
        Detail: JSON.stringify({ orderId: 'o-1', deadline }),
      },
    ]);

    const executions = await pollUntil(
      () => sfn.listExecutions(machineArn('saga-timer'), 'SUCCEEDED'),
      (list) => list.length === 1,
    );
    expect(executions).toHaveLength(1);
    expect(fake.calls.map((c) => [c.functionArn, c.payload])).toEqual([
      [TIMEOUT_FN, { orderId: 'o-1', deadline }],
    ]);
    expect(bridge.counters()['deliveries.stepFunctions']).toBe(1);
    expect(sfn.counters()['stateTransitions.saga-timer']).toBe(2);
  }, 20_000);
});
