import { describe, expect, it } from '@jest/globals';
import {
  InvalidEventPatternError,
  type EventBridgeEvent,
} from '../../../local/eventbridge/index.ts';
import type { RuleDefinition, TargetDefinition } from '../../../local/ports.ts';
import {
  BUS,
  BUS_ARN,
  busWithFakes,
  DLQ_ARN,
  entry,
  FIFO_QUEUE_ARN,
  FUNCTION_ARN,
  QUEUE_ARN,
  STATE_MACHINE_ARN,
} from './fakes.ts';

const orderCreated = { source: ['shop.orders'], 'detail-type': ['OrderCreated'] };

const rule = (
  name: string,
  targets: TargetDefinition[],
  overrides: Partial<RuleDefinition> = {},
): RuleDefinition => ({
  logicalId: name,
  name,
  eventBusName: BUS,
  eventPattern: orderCreated,
  state: 'ENABLED',
  targets,
  ...overrides,
});

describe('LocalEventBridge routing', () => {
  it('sends a matching event to an SQS target as the event JSON', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('ToPayments', [{ id: 'q', arn: QUEUE_ARN }]));
    const { Entries } = await bridge.putEvents([entry({ orderId: 'o-1' })]);
    await bridge.idle();
    expect(sqs).toHaveLength(1);
    expect(sqs[0]!.queueArn).toBe(QUEUE_ARN);
    expect(sqs[0]!.options).toBeUndefined();
    const body = JSON.parse(sqs[0]!.body) as EventBridgeEvent;
    expect(body).toMatchObject({
      id: Entries![0]!.EventId,
      source: 'shop.orders',
      detail: { orderId: 'o-1' },
    });
  });

  it('delivers after PutEvents has answered, not during it', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('ToPayments', [{ id: 'q', arn: QUEUE_ARN }]));
    await bridge.putEvents([entry()]);
    expect(sqs).toHaveLength(0);
    await bridge.idle();
    expect(sqs).toHaveLength(1);
  });

  it('sends to a FIFO queue with the message group from sqsParameters and the event id as deduplication id', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(
      rule('ToFifo', [
        { id: 'f', arn: FIFO_QUEUE_ARN, sqsParameters: { messageGroupId: 'orders' } },
      ]),
    );
    const { Entries } = await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(sqs[0]!.options).toEqual({
      messageGroupId: 'orders',
      messageDeduplicationId: Entries![0]!.EventId,
    });
  });

  it('invokes a Lambda target asynchronously with the event object', async () => {
    const { bridge, lambda } = busWithFakes();
    bridge.addRule(rule('ToNotify', [{ id: 'l', arn: FUNCTION_ARN }]));
    await bridge.putEvents([entry({ orderId: 'o-9' })]);
    await bridge.idle();
    expect(lambda).toEqual([
      {
        functionArn: FUNCTION_ARN,
        payload: expect.objectContaining({ detail: { orderId: 'o-9' } }),
      },
    ]);
  });

  it('starts a Step Functions execution with the event JSON as input', async () => {
    const { bridge, executions } = busWithFakes();
    bridge.addRule(rule('ToTimer', [{ id: 's', arn: STATE_MACHINE_ARN }]));
    await bridge.putEvents([entry({ orderId: 'o-3' })]);
    await bridge.idle();
    expect(executions).toHaveLength(1);
    expect(executions[0]!.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(JSON.parse(executions[0]!.input)).toMatchObject({
      'detail-type': 'OrderCreated',
      detail: { orderId: 'o-3' },
    });
  });

  it('fans out to every target of every matching rule, and to no rule that does not match', async () => {
    const { bridge, sqs, lambda, executions } = busWithFakes();
    bridge.addRule(
      rule('A', [
        { id: 'q', arn: QUEUE_ARN },
        { id: 'l', arn: FUNCTION_ARN },
      ]),
    );
    bridge.addRule(
      rule('B', [{ id: 's', arn: STATE_MACHINE_ARN }], {
        eventPattern: { detail: { orderId: ['o-1'] } },
      }),
    );
    bridge.addRule(
      rule('C', [{ id: 'q2', arn: QUEUE_ARN }], { eventPattern: { source: ['shop.payments'] } }),
    );
    await bridge.putEvents([entry({ orderId: 'o-1' })]);
    await bridge.idle();
    expect([sqs.length, lambda.length, executions.length]).toEqual([1, 1, 1]);
    expect(bridge.counters()).toMatchObject({
      matchedRules: 2,
      matchedTargets: 3,
      'deliveries.sqs': 1,
      'deliveries.lambda': 1,
      'deliveries.stepFunctions': 1,
    });
  });

  it('does not fire a DISABLED rule', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('Off', [{ id: 'q', arn: QUEUE_ARN }], { state: 'DISABLED' }));
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(sqs).toHaveLength(0);
    expect(bridge.counters().matchedTargets ?? 0).toBe(0);
  });

  it('only routes events to the rules of their own bus', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('OnDefault', [{ id: 'q', arn: QUEUE_ARN }], { eventBusName: 'default' }));
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(sqs).toHaveLength(0);
    await bridge.putEvents([entry({}, { EventBusName: 'default' })]);
    await bridge.idle();
    expect(sqs).toHaveLength(1);
  });

  it('accepts a rule whose bus is given by ARN', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('ByArn', [{ id: 'q', arn: QUEUE_ARN }], { eventBusName: BUS_ARN }));
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(sqs).toHaveLength(1);
  });

  it('refuses a rule with a malformed pattern, naming the rule', () => {
    const { bridge } = busWithFakes();
    expect(() =>
      bridge.addRule(rule('Bad', [], { eventPattern: { source: 'shop.orders' } })),
    ).toThrow(InvalidEventPatternError);
    expect(() =>
      bridge.addRule(rule('Bad', [], { eventPattern: { source: 'shop.orders' } })),
    ).toThrow(/rule Bad/);
  });

  it('forwards to an event-bus target once, where that bus routes it', async () => {
    const { bridge, sqs } = busWithFakes();
    const seen: string[] = [];
    bridge.onEvent((bus) => seen.push(bus));
    const defaultArn = 'arn:aws:events:us-east-1:000000000000:event-bus/default';
    bridge.addRule(rule('ToDefault', [{ id: 'b', arn: defaultArn }]));
    bridge.addRule(rule('BackToShop', [{ id: 'b', arn: BUS_ARN }], { eventBusName: 'default' }));
    bridge.addRule(rule('OnDefault', [{ id: 'q', arn: QUEUE_ARN }], { eventBusName: 'default' }));
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(seen).toEqual([BUS, 'default']);
    expect(sqs).toHaveLength(1);
  });
});

describe('LocalEventBridge target input', () => {
  it('sends a constant input', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('Const', [{ id: 'q', arn: QUEUE_ARN, input: '{"ping":true}' }]));
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(sqs[0]!.body).toBe('{"ping":true}');
  });

  it('sends the part of the event an inputPath selects', async () => {
    const { bridge, sqs, lambda } = busWithFakes();
    bridge.addRule(
      rule('Path', [
        { id: 'q', arn: QUEUE_ARN, inputPath: '$.detail' },
        { id: 'l', arn: FUNCTION_ARN, inputPath: '$.detail.orderId' },
      ]),
    );
    await bridge.putEvents([entry({ orderId: 'o-7', total: 5 })]);
    await bridge.idle();
    expect(JSON.parse(sqs[0]!.body)).toEqual({ orderId: 'o-7', total: 5 });
    expect(lambda[0]!.payload).toBe('o-7');
  });

  it('sends what an inputTransformer renders, with the rule name and original event available', async () => {
    const { bridge, executions } = busWithFakes();
    bridge.addRule(
      rule('StartTimer', [
        {
          id: 's',
          arn: STATE_MACHINE_ARN,
          inputTransformer: {
            inputPathsMap: { order: '$.detail.orderId', deadline: '$.detail.deadline' },
            inputTemplate:
              '{"orderId": <order>, "deadline": <deadline>, "rule": "<aws.events.rule-name>", "event": <aws.events.event>}',
          },
        },
      ]),
    );
    await bridge.putEvents([entry({ orderId: 'o-5', deadline: '2030-01-01T00:00:00Z' })]);
    await bridge.idle();
    const input = JSON.parse(executions[0]!.input) as Record<string, unknown>;
    expect(input).toMatchObject({
      orderId: 'o-5',
      deadline: '2030-01-01T00:00:00Z',
      rule: 'StartTimer',
    });
    expect(input.event).toMatchObject({ source: 'shop.orders', detail: { orderId: 'o-5' } });
  });

  it('refuses a target with an unsupported inputPath when the rule is added', () => {
    const { bridge } = busWithFakes();
    expect(() =>
      bridge.addRule(rule('Bad', [{ id: 'q', arn: QUEUE_ARN, inputPath: 'detail' }])),
    ).toThrow(/\$/);
  });
});

describe('LocalEventBridge delivery failures', () => {
  it('retries a failing target per its retryPolicy, then sends the original event to its DLQ', async () => {
    const { bridge, sqs, failing, failures, logs } = busWithFakes();
    failing.add(QUEUE_ARN);
    bridge.addRule(
      rule('ToPayments', [
        {
          id: 'q',
          arn: QUEUE_ARN,
          inputPath: '$.detail',
          deadLetterArn: DLQ_ARN,
          retryPolicy: { maximumRetryAttempts: 2 },
        },
      ]),
    );
    const { Entries } = await bridge.putEvents([entry({ orderId: 'o-1' })]);
    await bridge.idle();
    expect(failures).toEqual([QUEUE_ARN, QUEUE_ARN, QUEUE_ARN]);
    expect(sqs).toHaveLength(1);
    expect(sqs[0]!.queueArn).toBe(DLQ_ARN);
    expect(JSON.parse(sqs[0]!.body)).toMatchObject({
      id: Entries![0]!.EventId,
      detail: { orderId: 'o-1' },
    });
    expect(bridge.counters()).toMatchObject({
      deliveryRetries: 2,
      failedDeliveries: 1,
      deadLettered: 1,
    });
    expect(logs.join('\n')).toMatch(
      /ToPayments.*after 3 attempt\(s\).*sent to .*payments-target-dlq/,
    );
  });

  it('delivers on a retry when the target recovers', async () => {
    const { bridge, lambda, failing, failures } = busWithFakes();
    failing.add(FUNCTION_ARN);
    bridge.addRule(
      rule('ToNotify', [{ id: 'l', arn: FUNCTION_ARN, retryPolicy: { maximumRetryAttempts: 5 } }]),
    );
    await bridge.putEvents([entry()]);
    const deadline = Date.now() + 5000;
    while (failures.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 1));
    failing.delete(FUNCTION_ARN);
    await bridge.idle();
    expect(lambda).toHaveLength(1);
    expect(bridge.counters().failedDeliveries ?? 0).toBe(0);
  });

  it('logs and drops the event when there is no DLQ', async () => {
    const { bridge, sqs, failing, logs } = busWithFakes();
    failing.add(QUEUE_ARN);
    bridge.addRule(
      rule('NoDlq', [{ id: 'q', arn: QUEUE_ARN, retryPolicy: { maximumRetryAttempts: 0 } }]),
    );
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(sqs).toHaveLength(0);
    expect(logs.join('\n')).toMatch(/no dead-letter queue, event dropped/);
  });

  it('does not retry a misconfigured target (FIFO queue without a message group)', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('Fifo', [{ id: 'f', arn: FIFO_QUEUE_ARN, deadLetterArn: DLQ_ARN }]));
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(sqs.map((m) => m.queueArn)).toEqual([DLQ_ARN]);
    expect(bridge.counters().deliveryRetries ?? 0).toBe(0);
  });

  it('gives up when the next retry would exceed maximumEventAgeInSeconds', async () => {
    const { bridge, failing, failures } = busWithFakes({
      retry: { baseDelayMs: 2000, maxDelayMs: 2000 },
    });
    failing.add(QUEUE_ARN);
    bridge.addRule(
      rule('Young', [{ id: 'q', arn: QUEUE_ARN, retryPolicy: { maximumEventAgeInSeconds: 1 } }]),
    );
    await bridge.putEvents([entry()]);
    await bridge.idle();
    expect(failures).toHaveLength(1);
    expect(bridge.counters().failedDeliveries).toBe(1);
  });

  it('stop() cancels pending retries', async () => {
    const { bridge, failing, failures } = busWithFakes({
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    failing.add(QUEUE_ARN);
    bridge.addRule(rule('Slow', [{ id: 'q', arn: QUEUE_ARN }]));
    await bridge.putEvents([entry()]);
    const deadline = Date.now() + 5000;
    while (failures.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 1));
    const started = Date.now();
    await bridge.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(failures).toHaveLength(1);
  });
});

describe('LocalEventBridge archives', () => {
  it('keeps every event in an archive without a pattern, and matching ones in one with a pattern', async () => {
    const { bridge } = busWithFakes();
    bridge.addBus({
      logicalId: 'ShopBus',
      name: BUS,
      arn: BUS_ARN,
      archives: [
        { name: 'everything' },
        { name: 'payments', eventPattern: { source: ['shop.payments'] } },
      ],
    });
    await bridge.putEvents([
      entry({ n: 1 }),
      entry({ n: 2 }, { Source: 'shop.payments' }),
      entry({ n: 3 }, { Detail: 'x' }),
    ]);
    expect(
      bridge
        .archived(BUS)
        .filter((e) => e.source === 'shop.orders')
        .map((e) => e.detail),
    ).toEqual([{ n: 1 }]);
    expect(bridge.archived(BUS, 'everything').map((e) => e.detail)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(bridge.archived(BUS, 'payments').map((e) => e.detail)).toEqual([{ n: 2 }]);
    expect(bridge.archived('default')).toEqual([]);
  });

  it('replays archived events to the rules, marked with replay-name and not archived again', async () => {
    const { bridge, sqs } = busWithFakes();
    bridge.addRule(rule('ToPayments', [{ id: 'q', arn: QUEUE_ARN }]));
    await bridge.putEvents([entry({ n: 1 }), entry({ n: 2 })]);
    await bridge.idle();
    const replayed = bridge.replay('everything', { replayName: 'r1' });
    await bridge.idle();
    expect(replayed).toBe(2);
    const bodies = sqs.map((m) => JSON.parse(m.body) as EventBridgeEvent);
    expect(bodies.map((b) => [b.detail.n, b['replay-name']])).toEqual([
      [1, undefined],
      [2, undefined],
      [1, 'r1'],
      [2, 'r1'],
    ]);
    expect(bridge.archived(BUS)).toHaveLength(2);
  });

  it('refuses to replay an unknown archive', () => {
    const { bridge } = busWithFakes();
    expect(() => bridge.replay('nope')).toThrow(/nope/);
  });
});
