import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { toOrderItem } from '../../lambdas/orders/adapters/orders-table.ts';
import type { TimeoutResult } from '../../lambdas/orders/use-cases/time-out-order.ts';
import { lambdaContext } from '../unit/orders/api-fixtures.ts';
import { events, ORDER_ID, sqsBatch } from '../unit/orders/saga-fixtures.ts';
import { newOrder } from '../unit/saga/fixtures.ts';

// The entry modules read their environment at load, so they are imported only after it is
// set; the query string gives each import its own module instance.
type EventsEntry = { handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> };
type TimeoutEntry = { handler: (event: unknown, context: Context) => Promise<TimeoutResult> };
const importEvents = (tag: string) =>
  import(`../../lambdas/orders/events-handler.ts?${tag}`) as Promise<EventsEntry>;
const importTimeout = (tag: string) =>
  import(`../../lambdas/orders/timeout-handler.ts?${tag}`) as Promise<TimeoutEntry>;

const TIMER_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:saga-timer';
const saved = { ...process.env };
const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = 'us-east-1';
});

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  process.env.TABLE_NAME = 'orders-table';
  process.env.TIMER_STATE_MACHINE_ARN = TIMER_ARN;
});

afterAll(() => {
  process.env = saved;
  dynamo.restore();
  sfn.restore();
});

describe('events-handler entry module', () => {
  it('fails at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importEvents('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('fails at load when TIMER_STATE_MACHINE_ARN is missing or not a state machine ARN', async () => {
    delete process.env.TIMER_STATE_MACHINE_ARN;
    await expect(importEvents('no-arn')).rejects.toThrow('TIMER_STATE_MACHINE_ARN is required');
    process.env.TIMER_STATE_MACHINE_ARN = 'saga-timer';
    await expect(importEvents('bad-arn')).rejects.toThrow('TIMER_STATE_MACHINE_ARN');
  });

  it('starts the timer on the configured state machine and reads the configured table', async () => {
    dynamo.on(GetCommand).resolves({ Item: toOrderItem(newOrder({ orderId: ORDER_ID })) });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const { handler } = await importEvents('configured');

    const response = await handler(sqsBatch(events.orderCreated()), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'orders-table',
      ConsistentRead: true,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({
      stateMachineArn: TIMER_ARN,
      name: ORDER_ID,
    });
  });
});

describe('timeout-handler entry module', () => {
  it('fails at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importTimeout('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('times out the order in the configured table', async () => {
    dynamo.on(GetCommand).resolves({ Item: toOrderItem(newOrder({ orderId: ORDER_ID })) });
    dynamo.on(TransactWriteCommand).resolves({});
    const { handler } = await importTimeout('configured');

    expect(await handler({ orderId: ORDER_ID }, lambdaContext())).toEqual({
      orderId: ORDER_ID,
      outcome: 'applied',
      status: 'CANCELLED',
    });
    const [write] = dynamo.commandCalls(TransactWriteCommand);
    expect(write!.args[0].input.TransactItems![0]!.Update!.TableName).toBe('orders-table');
  });
});
