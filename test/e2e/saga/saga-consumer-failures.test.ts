import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LocalCloud } from '../../../local/cloud.ts';
import { OrderConfirmed, PaymentCompleted } from '../../../events/index.ts';
import { eventually, resourceNamed, startProductCloud } from '../product/product-cloud.ts';
import {
  busEvents,
  isFinal,
  notificationsOf,
  placeOrder,
  seedProduct,
  uniqueId,
  waitForOrder,
} from './saga-helpers.ts';

// What the product's consumer queues do when a consumer fails: redelivery after the
// visibility timeout, and the DLQ after maxReceiveCount receives. The deployed timeout is
// 3 minutes (6 × the function timeout), so the local cloud caps it at 2 s here; the
// queues, redrive policies, handlers and rules are the synthesized ones. The notification
// provider fails every send in this stack (PROVIDER_FAILURE_RATE=1).

const VISIBILITY_TIMEOUT_SECONDS = 2;

let cloud: LocalCloud;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ cloud, dispose } = await startProductCloud(
    { PROVIDER_FAILURE_RATE: '1' },
    { maxVisibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS },
  ));
}, 120_000);

afterAll(async () => {
  cloud?.faults.clear();
  await dispose?.();
}, 60_000);

/** The queue's `maxReceiveCount`, as synthesized. */
function maxReceiveCountOf(queueLogicalPrefix: string): number {
  const { logicalId } = resourceNamed(cloud, 'queues', queueLogicalPrefix);
  const queue = cloud.model.queues.find((q) => q.logicalId === logicalId)!;
  const policy = JSON.parse(queue.attributes.RedrivePolicy ?? '{}') as { maxReceiveCount?: number };
  return Number(policy.maxReceiveCount);
}

describe('a consumer that fails, then recovers', () => {
  it('gets the event again from its queue and the saga completes, with the payment made once', async () => {
    const sku = uniqueId('SKU-crash');
    await seedProduct(cloud, sku, 5);
    const payments = resourceNamed(cloud, 'functions', 'PaymentRequestsHandler').logicalId;
    const injectedBefore = cloud.counters()['faults.function.error'] ?? 0;
    cloud.faults.set({ functions: [{ function: payments, effect: 'error', count: 2 }] });
    try {
      const orderId = await placeOrder(cloud, uniqueId('cust-crash'), { sku, quantity: 1 });
      // Two failed invocations: the PaymentRequested message is received three times,
      // a visibility timeout apart.
      const order = await waitForOrder(cloud, orderId, isFinal, {
        timeoutMs: 40_000,
        what: 'a final state',
      });
      expect(order).toMatchObject({
        status: 'CONFIRMED',
        saga: { payment: 'COMPLETED', inventory: 'RESERVED' },
      });
      expect((cloud.counters()['faults.function.error'] ?? 0) - injectedBefore).toBe(2);
      expect(busEvents(cloud, PaymentCompleted.detailType, orderId)).toHaveLength(1);
    } finally {
      cloud.faults.clear();
    }
  }, 60_000);
});

describe('a consumer that keeps failing', () => {
  it('leaves the saga alone, records every attempt, and parks the event in its DLQ after maxReceiveCount receives', async () => {
    const sku = uniqueId('SKU-outage');
    await seedProduct(cloud, sku, 5);
    const orderId = await placeOrder(cloud, uniqueId('cust-outage'), { sku, quantity: 2 });

    // The provider outage does not hold up the order: notifications come after it is final.
    const order = await waitForOrder(cloud, orderId, isFinal, { what: 'a final state' });
    expect(order.status).toBe('CONFIRMED');

    const queue = resourceNamed(cloud, 'queues', 'NotificationsQueue').name;
    const dlq = cloud.queues.deadLetterQueueOf(queue)!;
    const parked = await eventually(
      async () => {
        const { ready } = await cloud.queues.peek(dlq);
        return ready.find(
          (m) => (JSON.parse(m.body) as { detail: { orderId: string } }).detail.orderId === orderId,
        );
      },
      { timeoutMs: 45_000, intervalMs: 250, what: `the OrderConfirmed of ${orderId} in ${dlq}` },
    );
    // The DLQ holds the EventBridge event as the rule delivered it, so a redrive to the
    // queue replays it unchanged.
    const event = JSON.parse(parked.body) as Record<string, unknown>;
    expect(event).toMatchObject({
      'detail-type': OrderConfirmed.detailType,
      source: OrderConfirmed.source,
      detail: { orderId, type: OrderConfirmed.detailType },
    });

    // One provider attempt per receive, each recorded, none sent.
    const attempts = maxReceiveCountOf('NotificationsQueue');
    expect(attempts).toBe(5);
    const notifications = await notificationsOf(cloud, orderId);
    expect(notifications.length).toBeGreaterThan(0);
    for (const notification of notifications) {
      expect(notification).toMatchObject({
        eventType: OrderConfirmed.detailType,
        status: 'FAILED',
        attempts,
        lastError: expect.stringContaining('provider failure') as unknown,
      });
      expect(notification.sentAt).toBeUndefined();
    }
    // Nothing of it is left in the source queue to be tried again.
    const left = await cloud.queues.peek(queue);
    const ofOrder = (m: { body: string }) => m.body.includes(orderId);
    expect([...left.ready, ...left.inflight, ...left.delayed].filter(ofOrder)).toEqual([]);
  }, 60_000);
});
