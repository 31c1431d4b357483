import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { toOrderItem } from '../../lambdas/orders/adapters/orders-table.ts';
import type { TimeoutResult } from '../../lambdas/orders/use-cases/time-out-order.ts';
import { lambdaContext } from '../unit/orders/api-fixtures.ts';
import { events, ORDER_ID, sqsBatch } from '../unit/orders/saga-fixtures.ts';
import { newOrder } from '../unit/saga/fixtures.ts';
import {
  startAwsStandIn,
  transactionWrites,
  wireItem,
  type AwsStandIn,
} from '../unit/shared/aws/aws-stand-in.ts';
import {
  useStandInAwsEnvironment,
  type ConsumerEntry as EventsEntry,
} from '../support/entry-modules.ts';

// The entry modules read their environment at load, so they are imported only after it is
// set; the query string gives each import its own module instance.
type TimeoutEntry = { handler: (event: unknown, context: Context) => Promise<TimeoutResult> };
const importEvents = (tag: string) =>
  import(`../../lambdas/orders/events-handler.ts?${tag}`) as Promise<EventsEntry>;
const importTimerStart = (tag: string) =>
  import(`../../lambdas/orders/timer-start-handler.ts?${tag}`) as Promise<EventsEntry>;
const importTimeout = (tag: string) =>
  import(`../../lambdas/orders/timeout-handler.ts?${tag}`) as Promise<TimeoutEntry>;

const TIMER_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:saga-timer';
const saved = { ...process.env };
// DynamoDB and Step Functions stand-in, reached through AWS_ENDPOINT_URL as in a deployment.
let aws: AwsStandIn;

beforeAll(async () => {
  aws = await startAwsStandIn();
  useStandInAwsEnvironment(aws.url);
});

beforeEach(() => {
  aws.reset();
  process.env.TABLE_NAME = 'orders-table';
  process.env.TIMER_STATE_MACHINE_ARN = TIMER_ARN;
  process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/consumer-queue';
});

afterAll(async () => {
  process.env = saved;
  await aws.close();
});

describe('events-handler entry module', () => {
  it('fails at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importEvents('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('fails at load without its own queue, where it brings failed messages back early', async () => {
    delete process.env.QUEUE_URL;
    await expect(importEvents('no-queue')).rejects.toThrow('QUEUE_URL is required');
    await expect(importTimerStart('no-queue')).rejects.toThrow('QUEUE_URL is required');
  });

  it('fails at load when TIMER_STATE_MACHINE_ARN is missing or not a state machine ARN', async () => {
    delete process.env.TIMER_STATE_MACHINE_ARN;
    await expect(importEvents('no-arn')).rejects.toThrow('TIMER_STATE_MACHINE_ARN is required');
    process.env.TIMER_STATE_MACHINE_ARN = 'saga-timer';
    await expect(importEvents('bad-arn')).rejects.toThrow('TIMER_STATE_MACHINE_ARN');
  });

  it('applies events to the configured table and stops timers of the configured state machine', async () => {
    aws.on('GetItem', () => ({ Item: wireItem(toOrderItem(newOrder({ orderId: ORDER_ID }))) }));
    aws.on('TransactWriteItems', () => ({}));
    aws.on('StopExecution', () => ({ stopDate: 1 }));
    const { handler } = await importEvents('configured');

    const response = await handler(sqsBatch(events.paymentFailed()), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    const [write] = aws.sent('TransactWriteItems');
    expect(transactionWrites(write!)[0]).toMatchObject({ TableName: 'orders-table' });
    expect(aws.sent('StopExecution')[0]).toMatchObject({
      executionArn: `${TIMER_ARN.replace(':stateMachine:', ':execution:')}:${ORDER_ID}`,
    });
  });
});

describe('events-handler entry module with a grace period', () => {
  afterEach(() => {
    delete process.env.SAGA_TIMER_GRACE_SECONDS;
  });

  it('fails at load when SAGA_TIMER_GRACE_SECONDS is not a whole number of seconds up to 900', async () => {
    process.env.SAGA_TIMER_GRACE_SECONDS = 'soon';
    await expect(importEvents('bad-grace')).rejects.toThrow('SAGA_TIMER_GRACE_SECONDS');
    process.env.SAGA_TIMER_GRACE_SECONDS = '901';
    await expect(importEvents('long-grace')).rejects.toThrow('SAGA_TIMER_GRACE_SECONDS');
  });

  it('asks for no StopExecution when the order became final within the configured grace period', async () => {
    process.env.SAGA_TIMER_GRACE_SECONDS = '30';
    const justCreated = newOrder({ orderId: ORDER_ID, createdAt: new Date().toISOString() });
    aws.on('GetItem', () => ({ Item: wireItem(toOrderItem(justCreated)) }));
    aws.on('TransactWriteItems', () => ({}));
    const { handler } = await importEvents('graceful');

    expect(await handler(sqsBatch(events.paymentFailed()), lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    expect(aws.sent('TransactWriteItems')).toHaveLength(1);
    expect(aws.sent('StopExecution')).toEqual([]);
  });
});

describe('timer-start-handler entry module', () => {
  it('fails at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importTimerStart('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('fails at load when TIMER_STATE_MACHINE_ARN is not a state machine ARN', async () => {
    process.env.TIMER_STATE_MACHINE_ARN = 'saga-timer';
    await expect(importTimerStart('bad-arn')).rejects.toThrow('TIMER_STATE_MACHINE_ARN');
  });

  it('starts the timer on the configured state machine after a consistent read of the configured table', async () => {
    aws.on('GetItem', () => ({ Item: wireItem(toOrderItem(newOrder({ orderId: ORDER_ID }))) }));
    const { handler } = await importTimerStart('configured');

    const response = await handler(sqsBatch(events.orderCreated()), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(aws.sent('GetItem')[0]).toMatchObject({
      TableName: 'orders-table',
      ConsistentRead: true,
    });
    expect(aws.sent('StartExecution')[0]).toMatchObject({
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
    aws.on('GetItem', () => ({ Item: wireItem(toOrderItem(newOrder({ orderId: ORDER_ID }))) }));
    const { handler } = await importTimeout('configured');

    expect(await handler({ orderId: ORDER_ID }, lambdaContext())).toEqual({
      orderId: ORDER_ID,
      outcome: 'applied',
      status: 'CANCELLED',
    });
    const [write] = aws.sent('TransactWriteItems');
    expect(transactionWrites(write!)[0]).toMatchObject({
      kind: 'Update',
      TableName: 'orders-table',
    });
  });
});
