import type { SQSEvent, SQSRecord } from 'aws-lambda';
import {
  InventoryFailed,
  InventoryReleased,
  InventoryReserved,
  OrderCreated,
  PaymentCompleted,
  PaymentFailed,
  PaymentRefunded,
  type AnyEventContract,
  type Envelope,
} from '../../../events/index.ts';
import type { ApplyToOrderDeps } from '../../../lambdas/orders/use-cases/apply-to-order.ts';
import { newOrder } from '../saga/fixtures.ts';
import { FakeOrderStore } from './fake-order-store.ts';
import { FakeSagaTimer } from './fake-saga-timer.ts';

/** Helpers for the order service's saga-side tests: events as other services publish them. */

export const ORDER_ID = 'ord-1';
export const NOW = new Date('2026-11-23T10:00:30.000Z');

let eventCounter = 0;
const fields = (eventId?: string) => ({
  eventId: eventId ?? `evt-${++eventCounter}`,
  occurredAt: '2026-11-23T10:00:10.000Z',
  orderId: ORDER_ID,
  correlationId: ORDER_ID,
  causationId: 'evt-cause',
  sequence: 1,
});

/** Envelopes of the events the order service consumes, for the order {@link ORDER_ID}. */
export const events = {
  orderCreated: (eventId?: string) =>
    OrderCreated.create(fields(eventId), {
      customerId: 'cust-1',
      currency: 'USD',
      items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 1000 }],
      total: 2500,
      deadline: '2026-11-23T10:01:30.000Z',
    }),
  paymentCompleted: (eventId?: string, paymentId = 'pay-1') =>
    PaymentCompleted.create(fields(eventId), {
      paymentId,
      amount: 2500,
      currency: 'USD',
      items: [{ sku: 'SKU-1', quantity: 2 }],
    }),
  paymentFailed: (eventId?: string) =>
    PaymentFailed.create(fields(eventId), {
      reason: 'card_declined',
      amount: 2500,
      currency: 'USD',
    }),
  paymentRefunded: (eventId?: string, paymentId = 'pay-1') =>
    PaymentRefunded.create(fields(eventId), { paymentId, amount: 2500, currency: 'USD' }),
  inventoryReserved: (eventId?: string, reservationId = 'res-1') =>
    InventoryReserved.create(fields(eventId), {
      reservationId,
      items: [{ sku: 'SKU-1', quantity: 2 }],
    }),
  inventoryFailed: (eventId?: string) =>
    InventoryFailed.create(fields(eventId), { reason: 'out_of_stock', skus: ['SKU-1'] }),
  inventoryReleased: (eventId?: string, reservationId = 'res-1') =>
    InventoryReleased.create(fields(eventId), {
      reservationId,
      items: [{ sku: 'SKU-1', quantity: 2 }],
    }),
};

const contractsByType = new Map<string, AnyEventContract>(
  [
    OrderCreated,
    PaymentCompleted,
    PaymentFailed,
    PaymentRefunded,
    InventoryReserved,
    InventoryFailed,
    InventoryReleased,
  ].map((contract) => [contract.detailType, contract]),
);

/** The SQS message an EventBridge rule delivers for an envelope (or a raw body). */
export function sqsRecord(messageId: string, envelope: Envelope | string): SQSRecord {
  let body: string;
  if (typeof envelope === 'string') {
    body = envelope;
  } else {
    const contract = contractsByType.get(envelope.type);
    if (!contract) throw new Error(`No contract for ${envelope.type}`);
    body = JSON.stringify({
      version: '0',
      id: `eb-${messageId}`,
      source: contract.source,
      'detail-type': contract.detailType,
      detail: envelope,
    });
  }
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:order-events',
    awsRegion: 'us-east-1',
  } as SQSRecord;
}

/** An SQS batch of the given envelopes, message ids m1, m2… */
export const sqsBatch = (...envelopes: (Envelope | string)[]): SQSEvent => ({
  Records: envelopes.map((envelope, index) => sqsRecord(`m${index + 1}`, envelope)),
});

/** A store holding a pending order {@link ORDER_ID}, a timer, and deps with a fixed clock and counting ids. */
export function sagaSetup() {
  const store = new FakeOrderStore();
  store.seed(newOrder({ orderId: ORDER_ID }));
  const timer = new FakeSagaTimer();
  let ids = 0;
  const sleeps: number[] = [];
  const deps: ApplyToOrderDeps & { timer: FakeSagaTimer } = {
    store,
    timer,
    now: () => NOW,
    newId: () => `new-${++ids}`,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  };
  return { store, timer, deps, sleeps };
}
