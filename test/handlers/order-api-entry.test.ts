import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { toOrderItem } from '../../lambdas/orders/adapters/orders-table.ts';
import { newOrder } from '../unit/saga/fixtures.ts';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { apiEvent, lambdaContext, orderBody, postOrder } from '../unit/orders/api-fixtures.ts';

// The entry module reads its environment at load, so it is imported only after the
// environment is set; the query string gives each import its own module instance.
type Entry = {
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
};
const importEntry = (tag: string) =>
  import(`../../lambdas/orders/api-handler.ts?${tag}`) as Promise<Entry>;

const TIMER_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:saga-timer';
const saved = { ...process.env };
const dynamo = mockClient(DynamoDBDocumentClient);

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_REGION = 'us-east-1';
});

afterAll(() => {
  process.env = saved;
  dynamo.restore();
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
    dynamo.on(TransactWriteCommand).resolves({});
    const { handler } = await importEntry('configured');

    expect((await handler(apiEvent({ resource: '/health' }), lambdaContext())).statusCode).toBe(
      200,
    );

    const created = await handler(postOrder(orderBody()), lambdaContext());
    expect(created.statusCode).toBe(201);
    const transaction = dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input;
    const orderItem = transaction.TransactItems![0]!.Put!;
    expect(orderItem.TableName).toBe('orders-table');
    const { createdAt, deadline } = orderItem.Item as { createdAt: string; deadline: string };
    expect(Date.parse(deadline) - Date.parse(createdAt)).toBe(30_000);
    expect((orderItem.Item as { orderId: string }).orderId).toMatch(/^[0-9a-f-]{36}$/);

    dynamo.on(GetCommand).resolves({});
    const missing = await handler(
      apiEvent({ resource: '/orders/{orderId}', pathParameters: { orderId: 'nope' } }),
      lambdaContext(),
    );
    expect(missing.statusCode).toBe(404);
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input.TableName).toBe('orders-table');
  });

  it('stops the order’s saga timer through Step Functions when a pending order is cancelled', async () => {
    process.env.TABLE_NAME = 'orders-table';
    process.env.TIMER_STATE_MACHINE_ARN = TIMER_ARN;
    const sfn = mockClient(SFNClient);
    try {
      sfn.on(StopExecutionCommand).resolves({});
      dynamo.reset();
      dynamo.on(GetCommand).resolves({ Item: toOrderItem(newOrder({ orderId: 'ord-1' })) });
      dynamo.on(TransactWriteCommand).resolves({});
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
      expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input.executionArn).toBe(
        'arn:aws:states:us-east-1:123456789012:execution:saga-timer:ord-1',
      );
    } finally {
      sfn.restore();
    }
  });
});
