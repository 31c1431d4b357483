import { describe, expect, it } from '@jest/globals';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
} from '@aws-lambda-powertools/idempotency';
import {
  createIdempotentSender,
  SEND_MEMORY_SECONDS,
} from '../../../lambdas/notifications/adapters/send-once.ts';
import { SEND_IDEMPOTENCY_KEY_PREFIX } from '../../../lambdas/notifications/adapters/notifications-table.ts';
import { notificationsFor } from '../../../lambdas/notifications/domain/notification.ts';
import { ProviderError, type Delivery } from '../../../lambdas/notifications/use-cases/ports.ts';
import {
  FakeProvider,
  InMemoryPersistenceLayer,
  lambdaContext,
  NOW,
  orderCancelled,
  orderConfirmed,
} from './fixtures.ts';

function setup() {
  const provider = new FakeProvider();
  const persistenceStore = new InMemoryPersistenceLayer();
  const sender = createIdempotentSender({ provider, persistenceStore, now: () => NOW });
  sender.registerLambdaContext(lambdaContext());
  return { provider, persistenceStore, sender };
}

/** An `onAccepted` that succeeds, remembering what it was given. */
function accepted() {
  const deliveries: Delivery[] = [];
  const onAccepted = (delivery: Delivery) => {
    deliveries.push(delivery);
    return Promise.resolve();
  };
  return Object.assign(onAccepted, { deliveries });
}

const ok = () => Promise.resolve();

const [email, sms] = notificationsFor(orderConfirmed()) as [
  ReturnType<typeof notificationsFor>[0],
  ReturnType<typeof notificationsFor>[0],
];

describe('createIdempotentSender', () => {
  it('sends once per (eventId, channel) and replays the first delivery after that', async () => {
    const { provider, sender } = setup();
    const onAccepted = accepted();
    const first = await sender.sendOnce(email, onAccepted);
    const second = await sender.sendOnce(email, onAccepted);
    const delivery = { messageId: 'msg-1', sentAt: NOW.toISOString() };
    expect(first).toEqual({ delivery, sentNow: true, recorded: true });
    expect(second).toEqual({ delivery, sentNow: false, recorded: true });
    expect(provider.calls).toHaveLength(1);
    expect(onAccepted.deliveries).toEqual([delivery]);
  });

  it('hands the accepted delivery to onAccepted before the send is remembered as done', async () => {
    const { persistenceStore, sender } = setup();
    const statusesSeen: string[] = [];
    await sender.sendOnce(email, () => {
      statusesSeen.push(...[...persistenceStore.records.values()].map((r) => r.getStatus()));
      return Promise.resolve();
    });
    expect(statusesSeen).toEqual(['INPROGRESS']);
    expect([...persistenceStore.records.values()][0]?.getStatus()).toBe('COMPLETED');
  });

  it('remembers a send whose onAccepted failed as sent but not recorded, and replays it so', async () => {
    const { provider, persistenceStore, sender } = setup();
    const outcome = await sender.sendOnce(email, () => Promise.reject(new Error('throttled')));
    expect(outcome).toMatchObject({ sentNow: true, recorded: false });
    expect([...persistenceStore.records.values()][0]?.getStatus()).toBe('COMPLETED');
    await expect(sender.sendOnce(email, ok)).resolves.toMatchObject({
      sentNow: false,
      recorded: false,
    });
    expect(provider.calls).toHaveLength(1);
  });

  it('replays a send remembered before `recorded` existed as not known to be recorded', async () => {
    const { persistenceStore, sender } = setup();
    await sender.sendOnce(email, ok);
    const [record] = [...persistenceStore.records.values()];
    record!.responseData = { messageId: 'msg-old', sentAt: NOW.toISOString() };
    await expect(sender.sendOnce(email, ok)).resolves.toEqual({
      delivery: { messageId: 'msg-old', sentAt: NOW.toISOString() },
      sentNow: false,
      recorded: false,
    });
  });

  it('when the write completing a send fails, keeps it in progress, and the retry once it expired sends again', async () => {
    const { provider, persistenceStore, sender } = setup();
    sender.registerLambdaContext(lambdaContext(1));
    persistenceStore.failCompletions = new Error('ProvisionedThroughputExceededException');
    const onAccepted = accepted();
    const failure = await sender.sendOnce(email, onAccepted).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IdempotencyPersistenceLayerError);
    // The provider accepted it and onAccepted heard of it, so it can be put on record.
    expect(onAccepted.deliveries).toEqual([{ messageId: 'msg-1', sentAt: NOW.toISOString() }]);
    expect([...persistenceStore.records.values()][0]?.getStatus()).toBe('INPROGRESS');

    persistenceStore.failCompletions = undefined;
    const startedAt = Date.now();
    await waitUntil(() => Date.now() > startedAt + 1);
    sender.registerLambdaContext(lambdaContext());
    await expect(sender.sendOnce(email, onAccepted)).resolves.toMatchObject({
      delivery: { messageId: 'msg-2' },
      sentNow: true,
    });
    expect(provider.sent).toHaveLength(2);
    expect(onAccepted.deliveries.map((d) => d.messageId)).toEqual(['msg-1', 'msg-2']);
  });

  it('keys on the event and the channel only: another channel or event is another send', async () => {
    const { provider, sender } = setup();
    await sender.sendOnce(email, ok);
    await sender.sendOnce(sms, ok);
    const [otherEventEmail] = notificationsFor(orderCancelled({ eventId: 'evt-2' }));
    await sender.sendOnce(otherEventEmail!, ok);
    // Same event and channel with different content (e.g. a corrected address): not resent.
    const [sameKeyOtherContent] = notificationsFor(orderConfirmed({ customerEmail: 'b@x.test' }));
    await sender.sendOnce(sameKeyOtherContent!, ok);
    expect(provider.calls.map((m) => m.channel)).toEqual(['email', 'sms', 'email']);
  });

  it('forgets a failed send, so the next call sends, and reports it as a ProviderError', async () => {
    const { provider, persistenceStore, sender } = setup();
    provider.failWhen = () => true;
    const onAccepted = accepted();
    const failure = await sender.sendOnce(email, onAccepted).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(onAccepted.deliveries).toEqual([]);
    expect((failure as Error).message).toBe('email gateway unavailable');
    expect(persistenceStore.records.size).toBe(0);

    provider.failWhen = () => false;
    await expect(sender.sendOnce(email, ok)).resolves.toHaveProperty('delivery.messageId', 'msg-1');
    expect(provider.calls).toHaveLength(2);
  });

  it('remembers a send for as long as an event can come back, under its own key prefix', async () => {
    const { persistenceStore, sender } = setup();
    const before = Date.now() / 1000;
    await sender.sendOnce(email, ok);
    const [entry] = [...persistenceStore.records.entries()];
    const [key, record] = entry!;
    expect(key.startsWith(`${SEND_IDEMPOTENCY_KEY_PREFIX}#`)).toBe(true);
    expect(record.getStatus()).toBe('COMPLETED');
    expect(record.expiryTimestamp).toBeGreaterThanOrEqual(Math.floor(before + SEND_MEMORY_SECONDS));
    expect(SEND_MEMORY_SECONDS).toBeGreaterThanOrEqual(14 * 24 * 60 * 60);
  });

  it('refuses a duplicate while the first send is in flight, without calling the provider', async () => {
    const { provider, sender } = setup();
    let release!: () => void;
    provider.beforeAnswer = () => new Promise<void>((resolve) => (release = resolve));
    const first = sender.sendOnce(email, ok);
    await waitUntil(() => provider.calls.length === 1);
    await expect(sender.sendOnce(email, ok)).rejects.toThrow(IdempotencyAlreadyInProgressError);
    release();
    await expect(first).resolves.toHaveProperty('delivery.messageId');
    expect(provider.calls).toHaveLength(1);
  });

  it('lets a retry send once the invocation that was sending ran out of time', async () => {
    const { provider, sender } = setup();
    sender.registerLambdaContext(lambdaContext(1));
    provider.beforeAnswer = () => new Promise<void>(() => undefined); // the sandbox "dies"
    void sender.sendOnce(email, ok);
    await waitUntil(() => provider.calls.length === 1);
    const startedAt = Date.now();
    await waitUntil(() => Date.now() > startedAt + 1);

    provider.beforeAnswer = () => Promise.resolve();
    sender.registerLambdaContext(lambdaContext());
    await expect(sender.sendOnce(email, ok)).resolves.toHaveProperty('delivery.messageId');
    expect(provider.sent).toHaveLength(1);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
