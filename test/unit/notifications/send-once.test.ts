import { describe, expect, it } from '@jest/globals';
import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import {
  createIdempotentSender,
  SEND_MEMORY_SECONDS,
} from '../../../lambdas/notifications/adapters/send-once.ts';
import { SEND_IDEMPOTENCY_KEY_PREFIX } from '../../../lambdas/notifications/adapters/notifications-table.ts';
import { notificationsFor } from '../../../lambdas/notifications/domain/notification.ts';
import { ProviderError } from '../../../lambdas/notifications/use-cases/ports.ts';
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

const [email, sms] = notificationsFor(orderConfirmed()) as [
  ReturnType<typeof notificationsFor>[0],
  ReturnType<typeof notificationsFor>[0],
];

describe('createIdempotentSender', () => {
  it('sends once per (eventId, channel) and replays the first delivery after that', async () => {
    const { provider, sender } = setup();
    const first = await sender.sendOnce(email);
    const second = await sender.sendOnce(email);
    expect(first).toEqual({ messageId: 'msg-1', sentAt: NOW.toISOString() });
    expect(second).toEqual(first);
    expect(provider.calls).toHaveLength(1);
  });

  it('keys on the event and the channel only: another channel or event is another send', async () => {
    const { provider, sender } = setup();
    await sender.sendOnce(email);
    await sender.sendOnce(sms);
    const [otherEventEmail] = notificationsFor(orderCancelled({ eventId: 'evt-2' }));
    await sender.sendOnce(otherEventEmail!);
    // Same event and channel with different content (e.g. a corrected address): not resent.
    const [sameKeyOtherContent] = notificationsFor(orderConfirmed({ customerEmail: 'b@x.test' }));
    await sender.sendOnce(sameKeyOtherContent!);
    expect(provider.calls.map((m) => m.channel)).toEqual(['email', 'sms', 'email']);
  });

  it('forgets a failed send, so the next call sends, and reports it as a ProviderError', async () => {
    const { provider, persistenceStore, sender } = setup();
    provider.failWhen = () => true;
    const failure = await sender.sendOnce(email).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as Error).message).toBe('email gateway unavailable');
    expect(persistenceStore.records.size).toBe(0);

    provider.failWhen = () => false;
    await expect(sender.sendOnce(email)).resolves.toHaveProperty('messageId', 'msg-1');
    expect(provider.calls).toHaveLength(2);
  });

  it('remembers a send for as long as an event can come back, under its own key prefix', async () => {
    const { persistenceStore, sender } = setup();
    const before = Date.now() / 1000;
    await sender.sendOnce(email);
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
    const first = sender.sendOnce(email);
    await waitUntil(() => provider.calls.length === 1);
    await expect(sender.sendOnce(email)).rejects.toThrow(IdempotencyAlreadyInProgressError);
    release();
    await expect(first).resolves.toHaveProperty('messageId');
    expect(provider.calls).toHaveLength(1);
  });

  it('lets a retry send once the invocation that was sending ran out of time', async () => {
    const { provider, sender } = setup();
    sender.registerLambdaContext(lambdaContext(1));
    provider.beforeAnswer = () => new Promise<void>(() => undefined); // the sandbox "dies"
    void sender.sendOnce(email);
    await waitUntil(() => provider.calls.length === 1);
    const startedAt = Date.now();
    await waitUntil(() => Date.now() > startedAt + 1);

    provider.beforeAnswer = () => Promise.resolve();
    sender.registerLambdaContext(lambdaContext());
    await expect(sender.sendOnce(email)).resolves.toHaveProperty('messageId');
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
