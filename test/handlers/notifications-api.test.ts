import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  createNotificationsApiHandler,
  NOTIFICATIONS_RESOURCE,
} from '../../lambdas/notifications/api/notifications-api.ts';
import type { NotificationRecord } from '../../lambdas/notifications/use-cases/ports.ts';
import { lambdaContext, quietObservability } from '../unit/notifications/fixtures.ts';

function apiEvent(orderId: string, method = 'GET'): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource: NOTIFICATIONS_RESOURCE,
    path: `/orders/${encodeURIComponent(orderId)}/notifications`,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { orderId },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'api-1' } as APIGatewayProxyEvent['requestContext'],
  };
}

const record = (overrides: Partial<NotificationRecord>): NotificationRecord => ({
  orderId: 'ord-1',
  eventId: 'evt-1',
  eventType: 'OrderConfirmed',
  channel: 'email',
  recipient: 'a***@example.com',
  template: 'order_confirmed',
  status: 'SENT',
  attempts: 1,
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
  ...overrides,
});

function apiWith(listByOrder: (orderId: string) => Promise<NotificationRecord[]>) {
  const asked: string[] = [];
  const handler = createNotificationsApiHandler({
    store: {
      listByOrder: (orderId) => {
        asked.push(orderId);
        return listByOrder(orderId);
      },
    },
    observability: quietObservability(),
  });
  return { asked, call: (event: APIGatewayProxyEvent) => handler(event, lambdaContext()) };
}

describe('notifications API', () => {
  it('answers 200 with the order’s notifications, oldest first', async () => {
    const { call, asked } = apiWith(() =>
      Promise.resolve([
        record({ channel: 'sms', createdAt: '2026-03-01T12:00:01.000Z', status: 'FAILED' }),
        record({ channel: 'email' }),
      ]),
    );
    const response = await call(apiEvent('ord-1'));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json; charset=utf-8' });
    const body = JSON.parse(response.body) as { items: NotificationRecord[] };
    expect(body.items.map((item) => item.channel)).toEqual(['email', 'sms']);
    expect(asked).toEqual(['ord-1']);
  });

  it('answers 200 with an empty list for an order without notifications', async () => {
    const { call } = apiWith(() => Promise.resolve([]));
    const response = await call(apiEvent('0b7c3f1e-8d1a-4a57-9a43-5f2d8e6c1b00'));
    expect([response.statusCode, JSON.parse(response.body)]).toEqual([200, { items: [] }]);
  });

  it('answers 404 for an id no order can have, without reading the table', async () => {
    const { call, asked } = apiWith(() => Promise.resolve([]));
    for (const orderId of ['has space', 'x'.repeat(65), 'a/b']) {
      const response = await call(apiEvent(orderId));
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    expect(asked).toEqual([]);
  });

  it('answers 405 with Allow for another method', async () => {
    const { call } = apiWith(() => Promise.resolve([]));
    const response = await call(apiEvent('ord-1', 'POST'));
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ Allow: 'GET' });
  });

  it('answers a generic 500 when the table cannot be read, revealing nothing', async () => {
    const { call } = apiWith(() => Promise.reject(new Error('AccessDenied on arn:aws:dynamodb:…')));
    const response = await call(apiEvent('ord-1'));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('AccessDenied');
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
  });
});
