import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OrderCreated } from '../../events/index.ts';
import { deadlineIn, orderCreated } from '../unit/payments/fakes.ts';
import { lambdaContext, QUEUE_URL, queued } from '../unit/payments/sqs-fixtures.ts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  startAwsStandIn,
  transactionWrites,
  type AwsStandIn,
} from '../unit/shared/aws/aws-stand-in.ts';
import { useStandInAwsEnvironment, type ConsumerEntry as Entry } from '../support/entry-modules.ts';

// The entry module reads its environment at load, so it is imported only after the
// environment is set; the query string gives each import its own module instance.
const importEntry = (tag: string) =>
  import(`../../lambdas/payments/handler.ts?${tag}`) as Promise<Entry>;

const saved = { ...process.env };
// DynamoDB and SQS stand-in, reached through AWS_ENDPOINT_URL as in a deployment.
let aws: AwsStandIn;

beforeAll(async () => {
  aws = await startAwsStandIn();
  useStandInAwsEnvironment(aws.url);
});

beforeEach(() => {
  aws.reset();
  delete process.env.PAYMENT_FAILURE_RATE;
  delete process.env.SLOW_PAYMENT_SECONDS;
  process.env.TABLE_NAME = 'payments-table';
  process.env.QUEUE_URL = QUEUE_URL;
});

afterAll(async () => {
  process.env = saved;
  await aws.close();
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
    const { handler } = await importEntry('configured');

    const order = orderCreated({ paymentToken: 'tok_slow', deadline: deadlineIn(3600) });
    const response = await handler(
      { Records: [queued('m1', OrderCreated, order)] },
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(aws.sent('GetItem')[0]).toMatchObject({ TableName: 'payments-table' });
    const put = aws.sent('PutItem')[0]!;
    expect(put).toMatchObject({ TableName: 'payments-table' });
    const { createdAt, settlesAt } = unmarshall(put.Item as never) as {
      createdAt: string;
      settlesAt: string;
    };
    expect(Date.parse(settlesAt) - Date.parse(createdAt)).toBe(45_000);
    expect(aws.sent('ChangeMessageVisibility')[0]).toMatchObject({
      QueueUrl: QUEUE_URL,
      VisibilityTimeout: 45,
    });
  });

  it('defaults to no random declines', async () => {
    const { handler } = await importEntry('defaults');
    for (let n = 0; n < 20; n += 1)
      await handler(
        {
          Records: [
            queued(
              `m${n}`,
              OrderCreated,
              orderCreated({ orderId: `ord-${n}`, deadline: deadlineIn(3600) }),
            ),
          ],
        },
        lambdaContext(),
      );
    const statuses = aws
      .sent('TransactWriteItems')
      .map((body) => transactionWrites(body)[0]!.item.status);
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 'COMPLETED'));
  });
});
