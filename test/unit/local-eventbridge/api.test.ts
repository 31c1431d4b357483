import { describe, expect, it } from '@jest/globals';
import { BUS, BUS_ARN, busWithFakes, DLQ_ARN, entry, QUEUE_ARN } from './fakes.ts';

/** A bus with one rule and a fully configured target. */
function withRule() {
  const setup = busWithFakes();
  setup.bridge.addRule({
    logicalId: 'ToPaymentsRule',
    name: 'ToPayments',
    eventBusName: BUS,
    eventPattern: { source: ['shop.orders'] },
    state: 'ENABLED',
    targets: [
      {
        id: 'Target0',
        arn: QUEUE_ARN,
        inputTransformer: {
          inputPathsMap: { id: '$.detail.orderId' },
          inputTemplate: '{"id": <id>}',
        },
        deadLetterArn: DLQ_ARN,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 600 },
      },
    ],
  });
  setup.bridge.addRule({
    logicalId: 'AuditRule',
    name: 'Audit',
    eventBusName: BUS,
    eventPattern: { source: [{ prefix: 'shop.' }] },
    state: 'DISABLED',
    targets: [],
  });
  return setup;
}

describe('LocalEventBridge.handleApiRequest', () => {
  it('PutEvents answers in the SDK shape, per entry', async () => {
    const { bridge } = withRule();
    const response = await bridge.handleApiRequest('PutEvents', {
      Entries: [entry(), entry({}, { Detail: '"text"' })],
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      FailedEntryCount: 1,
      Entries: [
        { EventId: expect.any(String) },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      ],
    });
  });

  it('PutEvents with too many entries is a 400 ValidationException', async () => {
    const { bridge } = withRule();
    const response = await bridge.handleApiRequest('PutEvents', {
      Entries: Array.from({ length: 11 }, () => entry()),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({
      __type: 'ValidationException',
      message: expect.stringMatching(/10/),
    });
  });

  it('ListRules lists the rules of a bus with their patterns as JSON text', async () => {
    const { bridge } = withRule();
    const response = await bridge.handleApiRequest('ListRules', { EventBusName: BUS });
    expect(response).toEqual({
      statusCode: 200,
      body: {
        Rules: [
          {
            Name: 'Audit',
            Arn: 'arn:aws:events:us-east-1:000000000000:rule/shop/Audit',
            EventPattern: '{"source":[{"prefix":"shop."}]}',
            State: 'DISABLED',
            EventBusName: BUS,
          },
          {
            Name: 'ToPayments',
            Arn: 'arn:aws:events:us-east-1:000000000000:rule/shop/ToPayments',
            EventPattern: '{"source":["shop.orders"]}',
            State: 'ENABLED',
            EventBusName: BUS,
          },
        ],
      },
    });
  });

  it('ListRules filters by prefix and pages with NextToken', async () => {
    const { bridge } = withRule();
    const prefixed = await bridge.handleApiRequest('ListRules', {
      EventBusName: BUS,
      NamePrefix: 'To',
    });
    expect((prefixed.body as { Rules: { Name: string }[] }).Rules.map((r) => r.Name)).toEqual([
      'ToPayments',
    ]);
    const first = (await bridge.handleApiRequest('ListRules', { EventBusName: BUS, Limit: 1 }))
      .body as {
      Rules: { Name: string }[];
      NextToken?: string;
    };
    expect(first.Rules.map((r) => r.Name)).toEqual(['Audit']);
    const second = (
      await bridge.handleApiRequest('ListRules', {
        EventBusName: BUS,
        Limit: 1,
        NextToken: first.NextToken,
      })
    ).body as { Rules: { Name: string }[]; NextToken?: string };
    expect(second.Rules.map((r) => r.Name)).toEqual(['ToPayments']);
    expect(second.NextToken).toBeUndefined();
  });

  it('DescribeRule describes one rule, on a bus given by name or ARN', async () => {
    const { bridge } = withRule();
    const response = await bridge.handleApiRequest('DescribeRule', {
      Name: 'ToPayments',
      EventBusName: BUS_ARN,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      Name: 'ToPayments',
      State: 'ENABLED',
      EventBusName: BUS,
      CreatedBy: '000000000000',
    });
  });

  it('DescribeRule of an unknown rule is a 400 ResourceNotFoundException', async () => {
    const { bridge } = withRule();
    const response = await bridge.handleApiRequest('DescribeRule', {
      Name: 'Nope',
      EventBusName: BUS,
    });
    expect(response).toEqual({
      statusCode: 400,
      body: {
        __type: 'ResourceNotFoundException',
        message: `Rule Nope does not exist on EventBus ${BUS}.`,
      },
    });
  });

  it('ListTargetsByRule returns targets in the API shape', async () => {
    const { bridge } = withRule();
    const response = await bridge.handleApiRequest('ListTargetsByRule', {
      Rule: 'ToPayments',
      EventBusName: BUS,
    });
    expect(response.body).toEqual({
      Targets: [
        {
          Id: 'Target0',
          Arn: QUEUE_ARN,
          InputTransformer: {
            InputPathsMap: { id: '$.detail.orderId' },
            InputTemplate: '{"id": <id>}',
          },
          DeadLetterConfig: { Arn: DLQ_ARN },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
        },
      ],
    });
  });

  it('DescribeEventBus and ListEventBuses show the buses, default included', async () => {
    const { bridge } = withRule();
    expect((await bridge.handleApiRequest('DescribeEventBus', { Name: BUS })).body).toEqual({
      Name: BUS,
      Arn: BUS_ARN,
    });
    expect((await bridge.handleApiRequest('DescribeEventBus', {})).body).toMatchObject({
      Name: 'default',
    });
    const list = await bridge.handleApiRequest('ListEventBuses', {});
    expect((list.body as { EventBuses: { Name: string }[] }).EventBuses.map((b) => b.Name)).toEqual(
      ['default', BUS],
    );
  });

  it('DescribeEventBus of an unknown bus is a 400 ResourceNotFoundException', async () => {
    const { bridge } = withRule();
    const response = await bridge.handleApiRequest('DescribeEventBus', { Name: 'nope' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ __type: 'ResourceNotFoundException' });
  });

  it('rejects unknown actions, missing required fields and non-object bodies', async () => {
    const { bridge } = withRule();
    expect((await bridge.handleApiRequest('CreateEventBus', {})).body).toMatchObject({
      __type: 'UnknownOperationException',
    });
    expect((await bridge.handleApiRequest('DescribeRule', {})).body).toMatchObject({
      __type: 'ValidationException',
    });
    expect((await bridge.handleApiRequest('ListRules', [])).body).toMatchObject({
      __type: 'SerializationException',
    });
  });
});
