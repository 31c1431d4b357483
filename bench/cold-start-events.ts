import { randomUUID } from 'node:crypto';
import {
  OrderConfirmed,
  OrderCreated,
  PaymentCompleted,
  type AnyEventContract,
} from '../events/index.ts';
import { outboxItem } from '../lambdas/shared/outbox.ts';
import type { HandlerEntry } from './bundles.ts';

/**
 * One representative event per handler for the cold-start measurement: what the
 * function gets in the happy path of an order (an API request, an outbox stream record,
 * an EventBridge event in an SQS message, the timer's task input).
 */

const now = () => new Date().toISOString();

function envelope(contract: AnyEventContract, orderId: string, data: unknown) {
  return {
    eventId: randomUUID(),
    type: contract.detailType,
    version: contract.version,
    occurredAt: now(),
    orderId,
    correlationId: orderId,
    causationId: orderId,
    sequence: 1,
    data,
  };
}

function orderCreated(orderId: string) {
  return envelope(OrderCreated, orderId, {
    customerId: 'cold-start',
    customerEmail: 'cold-start@example.com',
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 999 }],
    total: 999,
    deadline: new Date(Date.now() + 90_000).toISOString(),
  });
}

function paymentCompleted(orderId: string) {
  return envelope(PaymentCompleted, orderId, {
    paymentId: randomUUID(),
    amount: 999,
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 1 }],
  });
}

function apiEvent(
  method: string,
  resource: string,
  path: string,
  body?: unknown,
  pathParameters?: Record<string, string>,
) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      stage: 'bench',
      requestId: randomUUID(),
      resourcePath: resource,
      httpMethod: method,
      path: `/bench${path}`,
      identity: { sourceIp: '127.0.0.1', userAgent: 'bench' },
    },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** An SQS event with one message: an EventBridge event carrying `detail`. */
function sqsEvent(contract: AnyEventContract, detail: unknown) {
  const body = {
    version: '0',
    id: randomUUID(),
    'detail-type': contract.detailType,
    source: contract.source,
    account: '000000000000',
    time: now(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'cold-start',
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'events.amazonaws.com',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench-queue',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** A DynamoDB stream event with one new outbox item. */
function streamEvent(orderId: string) {
  const item = outboxItem(orderCreated(orderId));
  return {
    Records: [
      {
        eventID: randomUUID(),
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: { pk: { S: item.pk }, sk: { S: item.sk } },
          NewImage: {
            pk: { S: item.pk },
            sk: { S: item.sk },
            entityType: { S: item.entityType },
            event: { S: item.event },
            expiresAt: { N: String(item.expiresAt) },
          },
          SequenceNumber: '100000000000000000001',
          SizeBytes: 512,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN:
          'arn:aws:dynamodb:us-east-1:000000000000:table/bench/stream/2026-01-01T00:00:00.000',
      },
    ],
  };
}

/** The first event `entry`'s handler gets in the cold-start run. */
export function coldStartEvent(entry: HandlerEntry): unknown {
  const orderId = randomUUID();
  switch (entry.name) {
    case 'orders-api':
      return apiEvent('POST', '/orders', '/orders', {
        customerId: 'cold-start',
        customerEmail: 'cold-start@example.com',
        currency: 'USD',
        items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 9.99 }],
      });
    case 'relay':
      return streamEvent(orderId);
    case 'payments':
    case 'saga-timer-start':
      return sqsEvent(OrderCreated, orderCreated(orderId));
    case 'inventory':
    case 'order-events':
      return sqsEvent(PaymentCompleted, paymentCompleted(orderId));
    case 'notifications':
      return sqsEvent(
        OrderConfirmed,
        envelope(OrderConfirmed, orderId, {
          customerId: 'cold-start',
          customerEmail: 'cold-start@example.com',
          currency: 'USD',
          total: 999,
        }),
      );
    case 'saga-timeout':
      return { orderId };
    case 'inventory-api':
      return apiEvent('GET', '/inventory/{sku}', '/inventory/SKU-1', undefined, { sku: 'SKU-1' });
    case 'notifications-api':
      return apiEvent(
        'GET',
        '/orders/{orderId}/notifications',
        `/orders/${orderId}/notifications`,
        undefined,
        {
          orderId,
        },
      );
    default:
      throw new Error(`No cold-start event for ${entry.name}`);
  }
}
