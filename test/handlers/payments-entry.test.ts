import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { OrderCreated } from '../../events/index.ts';
import { orderCreated } from '../unit/payments/fakes.ts';
import { lambdaContext, QUEUE_URL, queued } from '../unit/payments/sqs-fixtures.ts';

// The entry module reads its environment at load, so it is imported only after the
// environment is set; the query string gives each import its own module instance.
type Entry = { handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> };
const importEntry = (tag: string) =>
  import(`../../lambdas/payments/handler.ts?${tag}`) as Promise<Entry>;

const saved = { ...process.env };
const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = 'us-east-1';
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
  delete process.env.PAYMENT_FAILURE_RATE;
  delete process.env.SLOW_PAYMENT_SECONDS;
  process.env.TABLE_NAME = 'payments-table';
  process.env.QUEUE_URL = QUEUE_URL;
});

afterAll(() => {
  process.env = saved;
  dynamo.restore();
  sqs.restore();
});

describe('payments handler entry module', () => {
  it('fails at load when TABLE_NAME or QUEUE_URL is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importEntry('no-table')).rejects.toThrow('TABLE_NAME is required');
    process.env.TABLE_NAME = 'payments-table';
    delete process.env.QUEUE_URL;
    await expect(importEntry('no-queue')).rejects.toThrow('QUEUE_URL is required');
  });

  it('fails at load when PAYMENT_FAILURE_RATE is not between 0 and 1', async () => {
    process.env.PAYMENT_FAILURE_RATE = '1.5';
    await expect(importEntry('bad-rate')).rejects.toThrow('PAYMENT_FAILURE_RATE');
  });

  it('fails at load when SLOW_PAYMENT_SECONDS needs more receives than the queue allows', async () => {
    process.env.SLOW_PAYMENT_SECONDS = String(36 * 60 * 60 + 1);
    await expect(importEntry('bad-slow')).rejects.toThrow('SLOW_PAYMENT_SECONDS');
  });

  it('wires the handler to the configured table, queue and settlement delay', async () => {
    process.env.SLOW_PAYMENT_SECONDS = '45';
    dynamo.on(GetCommand).resolves({});
    dynamo.on(TransactWriteCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const { handler } = await importEntry('configured');

    const response = await handler(
      { Records: [queued('m1', OrderCreated, orderCreated({ paymentToken: 'tok_slow' }))] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input.TableName).toBe('payments-table');
    const put = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!;
    expect(put.TableName).toBe('payments-table');
    const { createdAt, settlesAt } = put.Item as { createdAt: string; settlesAt: string };
    expect(Date.parse(settlesAt) - Date.parse(createdAt)).toBe(45_000);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toMatchObject({
      QueueUrl: QUEUE_URL,
      VisibilityTimeout: 45,
    });
  });

  it('defaults to no random declines', async () => {
    dynamo.on(GetCommand).resolves({});
    dynamo.on(TransactWriteCommand).resolves({});
    const { handler } = await importEntry('defaults');
    for (let n = 0; n < 20; n += 1)
      await handler(
        { Records: [queued(`m${n}`, OrderCreated, orderCreated({ orderId: `ord-${n}` }))] },
        lambdaContext(),
      );
    const statuses = dynamo
      .commandCalls(TransactWriteCommand)
      .map(
        (call) => (call.args[0].input.TransactItems![0]!.Put!.Item as { status: string }).status,
      );
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 'COMPLETED'));
  });
});
