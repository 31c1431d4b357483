import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteTableCommand,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPaymentStore } from '../../lambdas/payments/adapters/payment-store.ts';
import {
  paymentKey,
  paymentsTableKeys,
  toPaymentItem,
} from '../../lambdas/payments/adapters/payments-table.ts';
import {
  chargePayment,
  type ChargePaymentDeps,
} from '../../lambdas/payments/use-cases/charge-payment.ts';
import type { PaymentStore } from '../../lambdas/payments/use-cases/ports.ts';
import { refundPayment } from '../../lambdas/payments/use-cases/refund-payment.ts';
import { voidPayment } from '../../lambdas/payments/use-cases/void-payment.ts';
import { outboxItem } from '../../lambdas/shared/outbox.ts';
import {
  deadlineIn,
  FakeClock,
  orderCancelled,
  orderCreated,
  refundRequested,
} from '../unit/payments/fakes.ts';
import { dynamoDbEndpoint, localDocumentDb, sdkDocumentClient } from './orders-table-fixture.ts';
import { createTable } from './create-table.ts';

// DynamoDB Local is a JVM on a busy 2-core machine: be generous.
const TIMEOUT = 60_000;

let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let tableName: string;
let store: PaymentStore;

beforeAll(async () => {
  const endpoint = dynamoDbEndpoint();
  raw = new DynamoDBClient({ endpoint });
  client = sdkDocumentClient();
  tableName = `payments-it-${randomUUID()}`;
  const { partitionKey, sortKey } = paymentsTableKeys;
  await createTable(raw, tableName, { partitionKey, sortKey, stream: 'NEW_AND_OLD_IMAGES' });
  store = createPaymentStore(localDocumentDb(), tableName);
}, TIMEOUT);

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  raw?.destroy();
  client?.destroy();
}, TIMEOUT);

/**
 * Every item of one order's saga in the table: its payment and outbox events, and any
 * processed marker in the table (the service writes none: the payment is the record).
 */
async function itemsOf(orderId: string) {
  const found: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    found.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const payments = found.filter((item) => item.pk === paymentKey(orderId).pk);
  const outbox = found
    .filter((item) => item.entityType === 'OUTBOX')
    .map((item) => JSON.parse(item.event as string) as { orderId: string; type: string })
    .filter((event) => event.orderId === orderId);
  const markers = found.filter((item) => String(item.pk).startsWith('PROCESSED#'));
  return { payments, outbox, markers };
}

/**
 * The store, except that the first `deliveries` reads all wait for one another: every
 * delivery then decides on the same "no payment yet" state and the commits race, so only
 * the transaction conditions can keep the charge single. Counts commit outcomes.
 */
function racingStore(deliveries: number) {
  const outcomes: string[] = [];
  let waiting = 0;
  let release: () => void = () => undefined;
  const allRead = new Promise<void>((resolve) => (release = resolve));
  const racing: PaymentStore = {
    async getPayment(orderId) {
      const payment = await store.getPayment(orderId);
      if (waiting < deliveries) {
        waiting += 1;
        if (waiting === deliveries) release();
        await allRead;
      }
      return payment;
    },
    async commit(change) {
      const outcome = await store.commit(change);
      outcomes.push(outcome);
      return outcome;
    },
  };
  return { racing, outcomes };
}

function deps(overrides: Partial<ChargePaymentDeps> = {}): ChargePaymentDeps {
  return {
    store,
    now: () => new Date(),
    newId: randomUUID,
    random: Math.random,
    failureRate: 0,
    slowPaymentSeconds: 120,
    ...overrides,
  };
}

/** A new order's OrderCreated, due in 90 s unless told otherwise (the real clock runs here). */
const newOrder = (paymentToken?: string, deadline = deadlineIn(90)) => {
  const orderId = `ord-${randomUUID()}`;
  return orderCreated({ orderId, eventId: `evt-${randomUUID()}`, paymentToken, deadline });
};

const cancelOf = (orderId: string) =>
  orderCancelled({ orderId, eventId: `evt-${randomUUID()}`, reason: 'customer_request' });

describe('payment store on DynamoDB Local: charging', () => {
  it(
    'commits the payment and its PaymentCompleted outbox item together, with no marker',
    async () => {
      const event = newOrder('tok_visa');
      const result = await chargePayment(event, deps());
      expect(result.kind).toBe('completed');

      const { payments, outbox, markers } = await itemsOf(event.orderId);
      expect(payments).toEqual([
        expect.objectContaining({ status: 'COMPLETED', amount: 2500, sequence: 1 }),
      ]);
      expect(outbox).toEqual([
        expect.objectContaining({ type: 'PaymentCompleted', causationId: event.eventId }),
      ]);
      expect(markers).toHaveLength(0);
      expect(await store.getPayment(event.orderId)).toMatchObject({ status: 'COMPLETED' });
    },
    TIMEOUT,
  );

  it(
    'writes nothing for a duplicate delivery',
    async () => {
      const event = newOrder('tok_declined');
      await chargePayment(event, deps());
      const before = await itemsOf(event.orderId);
      expect(await chargePayment(event, deps())).toMatchObject({ kind: 'duplicate' });
      expect(await itemsOf(event.orderId)).toEqual(before);
      expect(before.outbox.map((e) => e.type)).toEqual(['PaymentFailed']);
    },
    TIMEOUT,
  );

  it(
    'charges an order once for 10 concurrent deliveries of its OrderCreated',
    async () => {
      const event = newOrder('tok_visa');
      const { racing, outcomes } = racingStore(10);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => chargePayment(event, deps({ store: racing }))),
      );
      // Every delivery tried to write the charge; the conditions let exactly one commit.
      expect(outcomes.length).toBeGreaterThanOrEqual(10);
      expect(outcomes.filter((o) => o === 'committed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'completed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(9);
      const { payments, outbox, markers } = await itemsOf(event.orderId);
      expect(payments).toHaveLength(1);
      expect(outbox).toHaveLength(1);
      expect(markers).toHaveLength(0);
    },
    TIMEOUT,
  );

  it(
    'charges an order once for 10 concurrent OrderCreated events with different eventIds',
    async () => {
      const first = newOrder('tok_visa');
      const events = Array.from({ length: 10 }, () => ({
        ...first,
        eventId: `evt-${randomUUID()}`,
      }));
      const { racing, outcomes } = racingStore(10);
      const results = await Promise.all(
        events.map((event) => chargePayment(event, deps({ store: racing }))),
      );
      expect(outcomes.filter((o) => o === 'committed')).toHaveLength(1);
      expect(outcomes.length).toBeGreaterThanOrEqual(10);
      expect(results.filter((r) => r.kind === 'completed')).toHaveLength(1);
      const { payments, outbox, markers } = await itemsOf(first.orderId);
      expect(payments).toHaveLength(1);
      expect(outbox).toHaveLength(1);
      expect(markers).toHaveLength(0);
    },
    TIMEOUT,
  );

  it(
    'writes no payment when the outbox item cannot be written',
    async () => {
      const event = newOrder('tok_visa');
      // An outbox item already holds the id the new event gets: its condition fails.
      const takenId = `evt-${randomUUID()}`;
      await client.send(
        new PutCommand({ TableName: tableName, Item: outboxItem({ ...event, eventId: takenId }) }),
      );
      await expect(chargePayment(event, deps({ newId: () => takenId }))).rejects.toBeInstanceOf(
        TransactionCanceledException,
      );
      const { payments, markers } = await itemsOf(event.orderId);
      expect(payments).toHaveLength(0);
      expect(markers).toHaveLength(0);
    },
    TIMEOUT,
  );

  it(
    'reports a payment that moved on as changed, writing nothing',
    async () => {
      const event = newOrder('tok_visa');
      await chargePayment(event, deps());
      const payment = (await store.getPayment(event.orderId))!;
      const outcome = await store.commit({
        payment: { next: { ...payment, status: 'COMPLETED' }, expected: 'PROCESSING' },
        events: [],
        now: new Date(),
      });
      expect(outcome).toBe('payment-changed');
      expect((await itemsOf(event.orderId)).payments).toEqual([
        expect.objectContaining(toPaymentItem(payment)),
      ]);
    },
    TIMEOUT,
  );
});

describe('payment store on DynamoDB Local: slow charges', () => {
  it(
    'keeps a slow charge PROCESSING until it settles, then completes it once for concurrent redeliveries',
    async () => {
      const clock = new FakeClock(new Date());
      // Due after the charge settles (the test's clock jumps 120 s ahead).
      const event = newOrder('tok_slow', deadlineIn(600));
      const slowDeps = deps({ now: clock.now });

      expect(await chargePayment(event, slowDeps)).toMatchObject({
        kind: 'pending',
        retryAfterSeconds: 120,
      });
      let items = await itemsOf(event.orderId);
      expect(items.payments).toEqual([expect.objectContaining({ status: 'PROCESSING' })]);
      expect(items.outbox).toHaveLength(0);
      expect(items.markers).toHaveLength(0);

      clock.advanceSeconds(60);
      expect(await chargePayment(event, slowDeps)).toMatchObject({
        kind: 'pending',
        retryAfterSeconds: 60,
      });

      clock.advanceSeconds(60);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => chargePayment(event, slowDeps)),
      );
      expect(results.filter((r) => r.kind === 'completed')).toHaveLength(1);
      items = await itemsOf(event.orderId);
      expect(items.payments).toEqual([
        expect.objectContaining({ status: 'COMPLETED', sequence: 1 }),
      ]);
      expect(items.outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
      expect(items.markers).toHaveLength(0);
    },
    TIMEOUT,
  );
});

describe('payment store on DynamoDB Local: voids', () => {
  it(
    'records a VOIDED payment for an order cancelled first, with one conditional put and no event, and never charges it',
    async () => {
      const event = newOrder('tok_visa');
      const cancel = cancelOf(event.orderId);
      expect(await voidPayment(cancel, deps())).toMatchObject({ kind: 'voided' });
      expect(await voidPayment(cancel, deps())).toMatchObject({ kind: 'duplicate' });
      expect(await chargePayment(event, deps())).toMatchObject({ kind: 'not-charged' });

      const { payments, outbox, markers } = await itemsOf(event.orderId);
      expect(payments).toEqual([
        expect.objectContaining({
          status: 'VOIDED',
          voidReason: 'cancelled',
          voidEventId: cancel.eventId,
          sequence: 0,
        }),
      ]);
      expect(payments[0]).not.toHaveProperty('chargeEventId');
      expect(outbox).toHaveLength(0);
      expect(markers).toHaveLength(0);
      expect(await store.getPayment(event.orderId)).toMatchObject({ status: 'VOIDED' });
    },
    TIMEOUT,
  );

  it(
    'lets exactly one of racing OrderCreated and OrderCancelled deliveries win: charged (then left for a refund) or voided, never both',
    async () => {
      const event = newOrder('tok_visa');
      const cancel = cancelOf(event.orderId);
      const { racing, outcomes } = racingStore(10);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          n % 2 === 0
            ? chargePayment(event, deps({ store: racing }))
            : voidPayment(cancel, deps({ store: racing })),
        ),
      );
      expect(outcomes.filter((o) => o === 'committed')).toHaveLength(1);
      const { payments, outbox } = await itemsOf(event.orderId);
      expect(payments).toHaveLength(1);
      const kinds = results.map((r) => r.kind);
      if (payments[0]!.status === 'VOIDED') {
        expect(outbox).toHaveLength(0);
        expect(kinds.filter((k) => k === 'voided')).toHaveLength(1);
        expect(kinds).not.toContain('completed');
      } else {
        expect(payments[0]).toMatchObject({ status: 'COMPLETED' });
        expect(outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
        expect(kinds.filter((k) => k === 'completed')).toHaveLength(1);
        expect(kinds).not.toContain('voided');
      }
    },
    TIMEOUT,
  );

  it(
    'voids a slow charge or settles it, never both, when cancels race its settling redeliveries',
    async () => {
      const clock = new FakeClock(new Date());
      const event = newOrder('tok_slow');
      const slowDeps = deps({ now: clock.now, slowPaymentSeconds: 60 });
      expect(await chargePayment(event, slowDeps)).toMatchObject({ kind: 'pending' });

      clock.advanceSeconds(60);
      const cancel = cancelOf(event.orderId);
      const { racing, outcomes } = racingStore(6);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, n) =>
          n % 2 === 0
            ? chargePayment(event, { ...slowDeps, store: racing })
            : voidPayment(cancel, { ...slowDeps, store: racing }),
        ),
      );
      expect(outcomes.filter((o) => o === 'committed')).toHaveLength(1);
      const { payments, outbox } = await itemsOf(event.orderId);
      const won = results.filter((r) => r.kind === 'completed' || r.kind === 'voided');
      expect(won).toHaveLength(1);
      if (won[0]!.kind === 'voided') {
        expect(payments).toEqual([expect.objectContaining({ status: 'VOIDED' })]);
        expect(outbox).toHaveLength(0);
      } else {
        expect(payments).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
        expect(outbox.map((e) => e.type)).toEqual(['PaymentCompleted']);
      }
    },
    TIMEOUT,
  );

  it(
    'voids an OrderCreated that arrives after its deadline, and its redeliveries write nothing',
    async () => {
      const event = newOrder('tok_visa', deadlineIn(-1));
      const results = await Promise.all(
        Array.from({ length: 3 }, () => chargePayment(event, deps())),
      );
      expect(results.filter((r) => r.kind === 'voided')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'not-charged')).toHaveLength(2);
      const { payments, outbox } = await itemsOf(event.orderId);
      expect(payments).toEqual([
        expect.objectContaining({
          status: 'VOIDED',
          voidReason: 'expired',
          chargeEventId: event.eventId,
        }),
      ]);
      expect(outbox).toHaveLength(0);
    },
    TIMEOUT,
  );

  it(
    'reports a lone payment put whose condition fails as changed, writing nothing',
    async () => {
      const event = newOrder('tok_slow');
      await chargePayment(event, deps());
      const payment = (await store.getPayment(event.orderId))!;
      const outcome = await store.commit({
        payment: { next: { ...payment, status: 'VOIDED' }, expected: 'COMPLETED' },
        events: [],
        now: new Date(),
      });
      expect(outcome).toBe('payment-changed');
      expect((await itemsOf(event.orderId)).payments).toEqual([
        expect.objectContaining({ status: 'PROCESSING' }),
      ]);
    },
    TIMEOUT,
  );
});

describe('payment store on DynamoDB Local: refunds', () => {
  it(
    'refunds once for concurrent deliveries of a request and a second request',
    async () => {
      const charge = newOrder('tok_visa');
      await chargePayment(charge, deps());
      const { paymentId } = (await store.getPayment(charge.orderId))!;
      const request = { ...refundRequested(paymentId), orderId: charge.orderId };
      const other = { ...request, eventId: `evt-${randomUUID()}` };
      const refundDeps = { store, now: () => new Date(), newId: randomUUID };

      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => refundPayment(request, refundDeps)),
        refundPayment(other, refundDeps),
      ]);
      expect(results.filter((r) => r.kind === 'refunded')).toHaveLength(1);
      const { payments, outbox } = await itemsOf(charge.orderId);
      expect(payments).toEqual([expect.objectContaining({ status: 'REFUNDED', sequence: 2 })]);
      expect(outbox.map((e) => e.type).sort()).toEqual(['PaymentCompleted', 'PaymentRefunded']);
    },
    TIMEOUT,
  );

  it(
    'writes nothing for a refund request for an unknown payment, however often delivered',
    async () => {
      const orderId = `ord-${randomUUID()}`;
      const request = {
        ...refundRequested('pay-unknown'),
        orderId,
        eventId: `evt-${randomUUID()}`,
      };
      const refundDeps = { store, now: () => new Date(), newId: randomUUID };
      expect(await refundPayment(request, refundDeps)).toMatchObject({ kind: 'ignored' });
      expect(await refundPayment(request, refundDeps)).toMatchObject({ kind: 'ignored' });
      const { payments, outbox, markers } = await itemsOf(orderId);
      expect(payments).toHaveLength(0);
      expect(outbox).toHaveLength(0);
      expect(markers).toHaveLength(0);
    },
    TIMEOUT,
  );
});
