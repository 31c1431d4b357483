import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { toOrderItem } from '../../lambdas/orders/adapters/orders-table.ts';
import { newOrder } from '../unit/saga/fixtures.ts';
import { apiEvent, lambdaContext, orderBody, postOrder } from '../unit/orders/api-fixtures.ts';
import { startAwsStandIn, wireItem, type AwsStandIn } from '../unit/shared/aws/aws-stand-in.ts';
import { useStandInAwsEnvironment, type ApiEntry as Entry } from '../support/entry-modules.ts';

// The entry module reads its environment at load, so it is imported only after the
// environment is set; the query string gives each import its own module instance.
const importEntry = (tag: string) =>
  import(`../../lambdas/orders/api-handler.ts?${tag}`) as Promise<Entry>;

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
});

afterAll(async () => {
  process.env = saved;
  await aws.close();
});

describe('api-handler entry module', () => {
  it('fails at load when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    await expect(importEntry('no-table')).rejects.toThrow('TABLE_NAME is required');
  });

  it('fails at load when SAGA_TIMEOUT_SECONDS is not a whole number', async () => {
    process.env.TABLE_NAME = 'orders-table';
    process.env.SAGA_TIMEOUT_SECONDS = 'soon';
    await expect(importEntry('bad-timeout')).rejects.toThrow('SAGA_TIMEOUT_SECONDS');
  });

  it('fails at load when TIMER_STATE_MACHINE_ARN is not a state machine ARN', async () => {
    process.env.TABLE_NAME = 'orders-table';
    process.env.SAGA_TIMEOUT_SECONDS = '30';
    process.env.TIMER_STATE_MACHINE_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:timer';
    await expect(importEntry('bad-arn')).rejects.toThrow('TIMER_STATE_MACHINE_ARN');
  });

  it('wires the handler to the configured table and saga timeout', async () => {
    process.env.TABLE_NAME = 'orders-table';
    process.env.SAGA_TIMEOUT_SECONDS = '30';
    process.env.TIMER_STATE_MACHINE_ARN = TIMER_ARN;
    const { handler } = await importEntry('configured');

    expect((await handler(apiEvent({ resource: '/health' }), lambdaContext())).statusCode).toBe(
      200,
    );

    const created = await handler(postOrder(orderBody()), lambdaContext());
    expect(created.statusCode).toBe(201);
    const [transaction] = aws.sent('TransactWriteItems') as {
      TransactItems: { Put: { TableName: string; Item: Parameters<typeof unmarshall>[0] } }[];
    }[];
    const orderPut = transaction!.TransactItems[0]!.Put;
    expect(orderPut.TableName).toBe('orders-table');
    const orderItem = unmarshall(orderPut.Item) as {
      createdAt: string;
      deadline: string;
      orderId: string;
    };
    expect(Date.parse(orderItem.deadline) - Date.parse(orderItem.createdAt)).toBe(30_000);
    expect(orderItem.orderId).toMatch(/^[0-9a-f-]{36}$/);

    const missing = await handler(
      apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId: 'nope' } }),
      lambdaContext(),
    );
    expect(missing.statusCode).toBe(404);
    expect(aws.sent('GetItem')[0]).toMatchObject({ TableName: 'orders-table' });
  });

  it('stops the order’s saga timer through Step Functions when a pending order is cancelled', async () => {
    process.env.TABLE_NAME = 'orders-table';
    process.env.TIMER_STATE_MACHINE_ARN = TIMER_ARN;
    aws.on('GetItem', () => ({ Item: wireItem(toOrderItem(newOrder({ orderId: 'ord-1' }))) }));
    const { handler } = await importEntry('cancel');

    const response = await handler(
      apiEvent({
        method: 'POST',
        resource: '/orders/{orderId}/cancel',
        pathParameters: { orderId: 'ord-1' },
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(202);
    expect(aws.sent('StopExecution')[0]).toMatchObject({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:saga-timer:ord-1',
    });
  });
});
