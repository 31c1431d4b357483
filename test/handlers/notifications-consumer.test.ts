import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import { createIdempotentSender } from '../../lambdas/notifications/adapters/send-once.ts';
import {
  createNotificationsConsumer,
  notificationMetrics,
} from '../../lambdas/notifications/consumer/notifications-consumer.ts';
import {
  FakeNotificationStore,
  FakeProvider,
  InMemoryPersistenceLayer,
  lambdaContext,
  NOW,
  orderCancelled,
  orderConfirmed,
  quietObservability,
  sqsRecord,
} from '../unit/notifications/fixtures.ts';
import { keysOfLogCall, spyOnLogs } from '../support/lambda-fixtures.ts';

afterEach(() => {
  jest.restoreAllMocks();
});

/** The real consumer (middy chain, batch processor, Powertools idempotency) on in-memory fakes. */
function consumerUnderTest() {
  const provider = new FakeProvider();
  const persistence = new InMemoryPersistenceLayer();
  const store = new FakeNotificationStore();
  const observability = quietObservability();
  const addMetric = jest.spyOn(observability.metrics, 'addMetric');
  const warn = spyOnLogs('warn');
  // One per Lambda container: invocations never overlap within one, so a test of
  // concurrent invocations uses two containers sharing the same table and provider.
  const container = () => {
    const handler = createNotificationsConsumer({
      sender: createIdempotentSender({ provider, persistenceStore: persistence, now: () => NOW }),
      store,
      now: () => NOW,
      observability,
    });
    return (...records: SQSRecord[]) => handler({ Records: records }, lambdaContext());
  };
  const deliver = container();
  const metric = (name: string) =>
    addMetric.mock.calls
      .filter(([metricName]) => metricName === name)
      .reduce((sum, [, , value]) => sum + value, 0);
  return { provider, persistence, store, deliver, container, metric, warn };
}

const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();

describe('notifications consumer', () => {
  it('emails and texts the customer for a confirmed order and records both as sent', async () => {
    const { provider, store, deliver, metric } = consumerUnderTest();
    const response = await deliver(sqsRecord('m1', orderConfirmed()));
    expect(response.batchItemFailures).toEqual([]);
    expect(provider.sent).toEqual([
      expect.objectContaining({ channel: 'email', recipient: 'alice@example.com' }),
      expect.objectContaining({ channel: 'sms', recipient: 'cust-1001' }),
    ]);
    expect(store.get('ord-1', 'evt-1', 'email')).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(metric(notificationMetrics.sent)).toBe(2);
  });

  it('sends no email when the order has no address, only the SMS', async () => {
    const { provider, store, deliver } = consumerUnderTest();
    await deliver(sqsRecord('m1', orderCancelled({ customerEmail: null, reason: 'timeout' })));
    expect(provider.sent.map((m) => [m.channel, m.template, m.variables.reason])).toEqual([
      ['sms', 'order_cancelled', 'timeout'],
    ]);
    expect(store.get('ord-1', 'evt-1', 'email')).toBeUndefined();
  });

  it('acknowledges a confirmation that arrives after the cancellation without sending it', async () => {
    const { provider, deliver, metric } = consumerUnderTest();
    await deliver(sqsRecord('m1', orderCancelled({ eventId: 'evt-cancel' })));
    const late = await deliver(sqsRecord('m2', orderConfirmed({ eventId: 'evt-confirm' })));
    expect(late.batchItemFailures).toEqual([]);
    expect(provider.sent.map((m) => m.template)).toEqual(['order_cancelled', 'order_cancelled']);
    expect(metric(notificationMetrics.superseded)).toBe(1);
  });

  it('sends nothing twice for a duplicated event delivered again later', async () => {
    const { provider, store, deliver, metric } = consumerUnderTest();
    const event = orderConfirmed();
    const first = await deliver(sqsRecord('m1', event));
    const again = await deliver(sqsRecord('m2', event));
    expect([...first.batchItemFailures, ...again.batchItemFailures]).toEqual([]);
    expect(provider.calls).toHaveLength(2);
    expect(store.get('ord-1', 'evt-1', 'email')?.attempts).toBe(1);
    expect(metric(notificationMetrics.sent)).toBe(2);
    expect(metric(notificationMetrics.duplicates)).toBe(2);
  });

  it('sends nothing twice for two copies in one batch: a copy still in flight is retried, then acknowledged', async () => {
    const { provider, deliver } = consumerUnderTest();
    const event = orderConfirmed();
    const batch = await deliver(sqsRecord('m1', event), sqsRecord('m2', event));
    // The batch's records run concurrently: a copy that found the send in progress is
    // reported for retry (never acknowledged blindly: the first send could still fail).
    for (const { itemIdentifier } of batch.batchItemFailures) {
      const retried = await deliver(sqsRecord(itemIdentifier, event));
      expect(retried.batchItemFailures).toEqual([]);
    }
    expect(provider.calls).toHaveLength(2);
  });

  it('reports a provider failure as a failed message; the retry sends only the missing channel', async () => {
    const { provider, store, deliver, metric, warn } = consumerUnderTest();
    provider.failWhen = (message) => message.channel === 'sms';
    const event = orderConfirmed();

    const firstTry = await deliver(sqsRecord('m1', event));
    expect(failedIds(firstTry)).toEqual(['m1']);
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastError: 'sms gateway unavailable',
    });
    expect(metric(notificationMetrics.providerFailures)).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('will be retried'), {
      failures: [
        { channel: 'sms', providerFailed: true, error: 'ProviderError: sms gateway unavailable' },
      ],
    });
    // Logged through the message's own logger: the line names the order and the event.
    const retried = warn.mock.calls.findIndex(
      ([message]) => typeof message === 'string' && message.includes('will be retried'),
    );
    expect(keysOfLogCall(warn, retried)).toMatchObject({ orderId: 'ord-1', eventId: 'evt-1' });

    provider.failWhen = () => false;
    const retry = await deliver(sqsRecord('m1', event));
    expect(retry.batchItemFailures).toEqual([]);
    expect(provider.sent.map((m) => `${m.channel}:${m.recipient}`)).toEqual([
      'email:alice@example.com',
      'sms:cust-1001',
    ]);
    expect(store.get('ord-1', 'evt-1', 'email')).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({ status: 'SENT', attempts: 2 });
  });

  it('reports a poison message (not JSON, unknown event, invalid event) and handles the rest', async () => {
    const { provider, deliver } = consumerUnderTest();
    const valid = orderConfirmed({ customerEmail: null });
    const invalid = { ...orderConfirmed({ eventId: 'evt-x' }), data: { customerId: 42 } };
    const response = await deliver(
      sqsRecord('not-json', '{oops'),
      sqsRecord('unknown', JSON.stringify({ 'detail-type': 'PaymentCompleted', detail: valid })),
      sqsRecord('invalid', invalid as unknown as ReturnType<typeof orderConfirmed>),
      sqsRecord('good', valid),
    );
    expect(failedIds(response)).toEqual(['invalid', 'not-json', 'unknown']);
    expect(provider.sent).toHaveLength(1);
  });

  it('reports the message for a retry when the idempotency table cannot be written, sending nothing', async () => {
    const { provider, persistence, store, deliver, metric } = consumerUnderTest();
    persistence.failWrites = new Error('ProvisionedThroughputExceededException');
    const response = await deliver(sqsRecord('m1', orderConfirmed()));
    expect(failedIds(response)).toEqual(['m1']);
    expect(provider.calls).toEqual([]);
    expect(store.records.size).toBe(0);
    expect(metric(notificationMetrics.otherFailures)).toBe(2);
  });

  it('counts both sends when the write completing the first is throttled and the event is sent again', async () => {
    const { provider, persistence, store, deliver, metric } = consumerUnderTest();
    const event = orderConfirmed({ customerEmail: null });
    persistence.failCompletions = new Error('ProvisionedThroughputExceededException');
    const throttled = await deliver(sqsRecord('m1', event));
    expect(failedIds(throttled)).toEqual(['m1']);
    // The provider accepted it: on record before the idempotency record was to say so.
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'SENT',
      attempts: 1,
      providerMessageId: 'msg-1',
    });
    persistence.failCompletions = undefined;

    // The early retry (5 s later) finds the send still in progress: nothing is sent.
    const startedAt = Date.now();
    const now = jest.spyOn(Date, 'now').mockReturnValue(startedAt + 5_000);
    expect(failedIds(await deliver(sqsRecord('m1', event)))).toEqual(['m1']);
    expect(provider.calls).toHaveLength(1);

    // After the visibility timeout the in-progress record has expired (it lasts as long
    // as the invocation could): the known limit, the customer is texted again.
    now.mockReturnValue(startedAt + 180_000);
    expect((await deliver(sqsRecord('m1', event))).batchItemFailures).toEqual([]);
    expect(provider.sent).toHaveLength(2);
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'SENT',
      attempts: 2,
      providerMessageId: 'msg-2',
      earlierProviderMessageIds: ['msg-1'],
    });

    // A later copy of the event is a replay: neither sent nor counted again.
    expect((await deliver(sqsRecord('m2', event))).batchItemFailures).toEqual([]);
    expect(provider.calls).toHaveLength(2);
    expect(store.get('ord-1', 'evt-1', 'sms')?.attempts).toBe(2);
    expect(metric(notificationMetrics.sent)).toBe(1);
    expect(metric(notificationMetrics.duplicates)).toBe(1);
  });

  it('reports the message when the same event is being sent by another invocation right now', async () => {
    const { provider, deliver, container } = consumerUnderTest();
    const otherContainer = container();
    let release!: () => void;
    provider.beforeAnswer = () => new Promise<void>((resolve) => (release = resolve));
    const event = orderConfirmed({ customerEmail: null });
    const inFlight = deliver(sqsRecord('m1', event));
    const deadline = Date.now() + 5_000;
    while (provider.calls.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    provider.beforeAnswer = () => Promise.resolve();
    const duplicate = await otherContainer(sqsRecord('m2', event));
    expect(failedIds(duplicate)).toEqual(['m2']);
    release();
    expect((await inFlight).batchItemFailures).toEqual([]);
    expect(provider.calls).toHaveLength(1);
    // Redelivered after the first send completed: acknowledged without sending.
    expect((await otherContainer(sqsRecord('m2', event))).batchItemFailures).toEqual([]);
    expect(provider.calls).toHaveLength(1);
  });
});
