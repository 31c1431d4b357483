import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  createNotificationStore,
  NOTIFICATION_RETENTION_SECONDS,
} from '../../../lambdas/notifications/adapters/notification-store.ts';
import { notificationsFor } from '../../../lambdas/notifications/domain/notification.ts';
import { conditionalCheckFailed, FakeDocumentDb } from '../shared/aws/fake-document-db.ts';
import { NOW, orderConfirmed } from './fixtures.ts';

let dynamo: FakeDocumentDb;
let store: ReturnType<typeof createNotificationStore>;
const [email] = notificationsFor(orderConfirmed()) as [ReturnType<typeof notificationsFor>[0]];

beforeEach(() => {
  dynamo = new FakeDocumentDb();
  store = createNotificationStore(dynamo, 'notifications');
});

describe('notification store (against a fake DynamoDB)', () => {
  it('records a send on the (order, event, channel) item, adding one attempt, once per message id', async () => {
    await expect(
      store.recordSent(email, { messageId: 'msg-1', sentAt: NOW.toISOString() }, NOW),
    ).resolves.toBe('recorded');
    const input = dynamo.inputs('update')[0]!;
    expect(input.TableName).toBe('notifications');
    expect(input.Key).toEqual({ pk: 'ORDER#ord-1', sk: 'NOTIFICATION#evt-1#email' });
    expect(input.UpdateExpression).toContain('ADD #attempts :one');
    expect(input.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :now)');
    // Every accepted message's id is kept, and each is counted once.
    expect(input.UpdateExpression).toContain(
      '#providerMessageIds = list_append(if_not_exists(#providerMessageIds, :noValues), :providerMessageIds)',
    );
    expect(input.ConditionExpression).toBe(
      'attribute_not_exists(#providerMessageId) OR (#providerMessageId <> :providerMessageId AND NOT contains(#providerMessageIds, :providerMessageId))',
    );
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':status': 'SENT',
      ':providerMessageId': 'msg-1',
      ':providerMessageIds': ['msg-1'],
      ':noValues': [],
      ':recipient': 'a***@example.com',
      ':expiresAt': Math.floor(NOW.getTime() / 1000) + NOTIFICATION_RETENTION_SECONDS,
    });
    expect(JSON.stringify(input)).not.toContain('alice@example.com');
  });

  it('answers unchanged when the condition fails (already recorded, or already sent)', async () => {
    dynamo.on('update', () => {
      throw conditionalCheckFailed();
    });
    await expect(
      store.recordSent(email, { messageId: 'msg-1', sentAt: NOW.toISOString() }, NOW),
    ).resolves.toBe('unchanged');
    await expect(store.recordFailed(email, 'down', NOW)).resolves.toBe('unchanged');
    const failedInput = dynamo.inputs('update')[1]!;
    expect(failedInput.ConditionExpression).toBe(
      'attribute_not_exists(#status) OR #status <> :sent',
    );
    expect(failedInput.ExpressionAttributeValues).toMatchObject({
      ':status': 'FAILED',
      ':lastError': 'down',
      ':sent': 'SENT',
    });
  });

  it('notes a cancellation on the order, and reads it back consistently (it may be a moment old)', async () => {
    await store.noteCancellation('ord-1', 'evt-cancel', NOW);
    expect(dynamo.inputs('put')[0]).toMatchObject({
      TableName: 'notifications',
      Item: {
        pk: 'ORDER#ord-1',
        sk: 'CANCELLATION',
        eventId: 'evt-cancel',
        expiresAt: Math.floor(NOW.getTime() / 1000) + NOTIFICATION_RETENTION_SECONDS,
      },
    });

    dynamo.on(
      'get',
      () => ({ Item: { pk: 'ORDER#ord-1' } }),
      () => ({}),
    );
    await expect(store.wasCancelled('ord-1')).resolves.toBe(true);
    await expect(store.wasCancelled('ord-2')).resolves.toBe(false);
    const [read] = dynamo.inputs('get');
    expect(read).toMatchObject({
      TableName: 'notifications',
      Key: { pk: 'ORDER#ord-1', sk: 'CANCELLATION' },
      ConsistentRead: true,
    });
  });

  it('lets any other DynamoDB error through', async () => {
    dynamo.on('update', () => {
      throw new Error('ProvisionedThroughputExceeded');
    });
    await expect(store.recordFailed(email, 'down', NOW)).rejects.toThrow(
      'ProvisionedThroughputExceeded',
    );
  });

  it('lists an order’s notification items across pages, without the keys', async () => {
    const item = (channel: string) => ({
      pk: 'ORDER#ord-1',
      sk: `NOTIFICATION#evt-1#${channel}`,
      entityType: 'NOTIFICATION',
      orderId: 'ord-1',
      eventId: 'evt-1',
      eventType: 'OrderConfirmed',
      channel,
      recipient: 'x',
      template: 'order_confirmed',
      status: 'SENT',
      attempts: 1,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      expiresAt: 1,
    });
    dynamo.on(
      'query',
      () => ({ Items: [item('email')], LastEvaluatedKey: { pk: 'p', sk: 's' } }),
      () => ({ Items: [item('sms')] }),
    );
    const records = await store.listByOrder('ord-1');
    expect(records.map((r) => r.channel)).toEqual(['email', 'sms']);
    expect(records[0]).not.toHaveProperty('pk');
    expect(records[0]).not.toHaveProperty('expiresAt');
    expect(records[0]).not.toHaveProperty('earlierProviderMessageIds');
    const [first, second] = dynamo.inputs('query');
    expect(first?.ExpressionAttributeValues).toEqual({
      ':pk': 'ORDER#ord-1',
      ':prefix': 'NOTIFICATION#',
    });
    expect(second?.ExclusiveStartKey).toEqual({ pk: 'p', sk: 's' });
  });

  it('lists the messages sent before the latest one, when a notification was sent again', async () => {
    const item = (providerMessageIds: string[] | undefined) => ({
      pk: 'ORDER#ord-1',
      sk: 'NOTIFICATION#evt-1#sms',
      orderId: 'ord-1',
      eventId: 'evt-1',
      eventType: 'OrderConfirmed',
      channel: 'sms',
      recipient: 'x',
      template: 'order_confirmed',
      status: 'SENT',
      attempts: 2,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      providerMessageId: 'msg-2',
      ...(providerMessageIds ? { providerMessageIds } : {}),
    });
    dynamo.on(
      'query',
      () => ({ Items: [item(['msg-1', 'msg-2'])] }),
      () => ({ Items: [item(['msg-2'])] }),
      () => ({ Items: [item(undefined)] }),
    );
    const [resent] = await store.listByOrder('ord-1');
    expect(resent).toMatchObject({
      providerMessageId: 'msg-2',
      earlierProviderMessageIds: ['msg-1'],
    });
    expect(resent).not.toHaveProperty('providerMessageIds');
    // Sent once, or recorded before the list was kept: no history to show.
    for (const record of [
      ...(await store.listByOrder('ord-1')),
      ...(await store.listByOrder('ord-1')),
    ]) {
      expect(record).not.toHaveProperty('earlierProviderMessageIds');
    }
  });
});
