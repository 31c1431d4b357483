import { describe, expect, it } from '@jest/globals';
import type { Notification } from '../../../lambdas/notifications/domain/notification.ts';
import {
  MAX_ERROR_LENGTH,
  NotificationDeliveryError,
  notifyCustomer,
  type NotifyCustomerDeps,
} from '../../../lambdas/notifications/use-cases/notify-customer.ts';
import {
  ProviderError,
  type Delivery,
  type SendOnce,
} from '../../../lambdas/notifications/use-cases/ports.ts';
import { FakeNotificationStore, NOW, orderCancelled, orderConfirmed } from './fixtures.ts';

/**
 * A SendOnce with the idempotency contract, in a map: a send is remembered per
 * (eventId, channel) with whether its `onAccepted` succeeded, failures are not; `fail`
 * scripts failures per channel, and `loseCompletion` sends on those channels (and runs
 * `onAccepted`) but then fails to remember the send, as when its completion write fails.
 */
function fakeSendOnce() {
  const remembered = new Map<string, { delivery: Delivery; recorded: boolean }>();
  const provided: Notification[] = [];
  const fail = new Map<string, Error>();
  const loseCompletion = new Map<string, Error>();
  let counter = 0;
  const sendOnce: SendOnce = async (notification, onAccepted) => {
    const { channel } = notification.message;
    const key = `${notification.eventId}#${channel}`;
    const known = remembered.get(key);
    if (known) return { ...known, sentNow: false };
    const failure = fail.get(channel);
    if (failure) throw failure;
    provided.push(notification);
    const delivery = { messageId: `msg-${++counter}`, sentAt: NOW.toISOString() };
    const recorded = await onAccepted(delivery).then(
      () => true,
      () => false,
    );
    const lost = loseCompletion.get(channel);
    if (lost) throw lost;
    remembered.set(key, { delivery, recorded });
    return { delivery, sentNow: true, recorded };
  };
  return { sendOnce, provided, fail, loseCompletion, remembered };
}

function setup() {
  const sender = fakeSendOnce();
  const store = new FakeNotificationStore();
  const deps: NotifyCustomerDeps = { sendOnce: sender.sendOnce, store, now: () => NOW };
  return { sender, store, deps };
}

describe('notifyCustomer', () => {
  it('sends the email and the SMS and records each as sent after one attempt', async () => {
    const { sender, store, deps } = setup();
    const result = await notifyCustomer(orderConfirmed(), deps);
    expect(result).toEqual({ sent: ['email', 'sms'], alreadySent: [], superseded: false });
    expect(sender.provided.map((n) => n.message.channel)).toEqual(['email', 'sms']);
    expect(store.get('ord-1', 'evt-1', 'email')).toMatchObject({
      status: 'SENT',
      attempts: 1,
      recipient: 'a***@example.com',
      template: 'order_confirmed',
      sentAt: NOW.toISOString(),
      providerMessageId: 'msg-1',
    });
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'SENT',
      attempts: 1,
      recipient: 'cust-***01',
    });
  });

  it('sends nothing again for a duplicate event and reports both channels as already sent', async () => {
    const { sender, store, deps } = setup();
    await notifyCustomer(orderCancelled(), deps);
    const writes = store.attemptWrites;
    const again = await notifyCustomer(orderCancelled(), deps);
    expect(again).toEqual({ sent: [], alreadySent: ['email', 'sms'], superseded: false });
    expect(sender.provided).toHaveLength(2);
    expect(store.get('ord-1', 'evt-1', 'email')?.attempts).toBe(1);
    // Both sends were recorded when made: the duplicate writes nothing.
    expect(store.attemptWrites).toBe(writes);
  });

  it('counts a send whose completion was lost and the send after it as two attempts, keeping both ids', async () => {
    const { sender, store, deps } = setup();
    const event = orderConfirmed({ customerEmail: null });
    sender.loseCompletion.set('sms', new Error('Failed to update success record'));
    await expect(notifyCustomer(event, deps)).rejects.toThrow(NotificationDeliveryError);
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'SENT',
      attempts: 1,
      providerMessageId: 'msg-1',
    });

    sender.loseCompletion.clear();
    // The event comes back; the send was never remembered as done, so it is sent again.
    await expect(notifyCustomer(event, deps)).resolves.toEqual({
      sent: ['sms'],
      alreadySent: [],
      superseded: false,
    });
    // And once more: replayed, neither sent nor counted again.
    await expect(notifyCustomer(event, deps)).resolves.toMatchObject({ alreadySent: ['sms'] });
    expect(sender.provided).toHaveLength(2);
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'SENT',
      attempts: 2,
      providerMessageId: 'msg-2',
      earlierProviderMessageIds: ['msg-1'],
    });
  });

  it('records a send right away when its record could not be written inside the send', async () => {
    const { sender, store, deps } = setup();
    const recordSent = store.recordSent.bind(store);
    let failures = 1;
    store.recordSent = (...args) =>
      failures-- > 0 ? Promise.reject(new Error('DynamoDB throttled')) : recordSent(...args);
    const result = await notifyCustomer(orderConfirmed({ customerEmail: null }), deps);
    expect(result).toEqual({ sent: ['sms'], alreadySent: [], superseded: false });
    expect(sender.provided).toHaveLength(1);
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({ status: 'SENT', attempts: 1 });
  });

  it('records a provider failure, still tries the other channel, then throws', async () => {
    const { sender, store, deps } = setup();
    sender.fail.set('email', new ProviderError('mailbox service down'));
    const failure = await notifyCustomer(orderConfirmed(), deps).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotificationDeliveryError);
    expect((failure as NotificationDeliveryError).failures).toEqual([
      { channel: 'email', providerFailed: true, error: expect.any(ProviderError) },
    ]);
    expect((failure as Error).message).toContain('mailbox service down');
    expect(store.get('ord-1', 'evt-1', 'email')).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastError: 'mailbox service down',
    });
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({ status: 'SENT', attempts: 1 });
  });

  it('on the retry sends only the channel that failed, and counts its attempts', async () => {
    const { sender, store, deps } = setup();
    sender.fail.set('sms', new ProviderError('sms gateway timeout'));
    await expect(notifyCustomer(orderConfirmed(), deps)).rejects.toThrow(NotificationDeliveryError);
    await expect(notifyCustomer(orderConfirmed(), deps)).rejects.toThrow('sms gateway timeout');
    sender.fail.clear();

    const retried = await notifyCustomer(orderConfirmed(), deps);
    expect(retried).toEqual({ sent: ['sms'], alreadySent: ['email'], superseded: false });
    expect(sender.provided.map((n) => n.message.channel)).toEqual(['email', 'sms']);
    expect(store.get('ord-1', 'evt-1', 'email')?.attempts).toBe(1);
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'SENT',
      attempts: 3,
      lastError: 'sms gateway timeout',
    });
  });

  it('does not count an attempt when nothing was sent (e.g. the same send in progress elsewhere)', async () => {
    const { sender, store, deps } = setup();
    const inProgress = Object.assign(new Error('already in progress'), {
      name: 'IdempotencyAlreadyInProgressError',
    });
    sender.fail.set('sms', inProgress);
    const failure = (await notifyCustomer(orderConfirmed(), deps).catch(
      (error: unknown) => error,
    )) as NotificationDeliveryError;
    expect(failure.failures).toEqual([
      { channel: 'sms', providerFailed: false, error: inProgress },
    ]);
    expect(store.get('ord-1', 'evt-1', 'sms')).toBeUndefined();
  });

  it('records a send whose record was lost, when the event comes back, with its original time', async () => {
    const { sender, store, deps } = setup();
    store.failWrites = new Error('DynamoDB throttled');
    await expect(notifyCustomer(orderConfirmed({ customerEmail: null }), deps)).rejects.toThrow(
      'DynamoDB throttled',
    );
    store.failWrites = undefined;
    const later = new Date(NOW.getTime() + 60_000);
    const retried = await notifyCustomer(orderConfirmed({ customerEmail: null }), {
      ...deps,
      now: () => later,
    });
    expect(retried).toEqual({ sent: ['sms'], alreadySent: [], superseded: false });
    expect(sender.provided).toHaveLength(1);
    expect(store.get('ord-1', 'evt-1', 'sms')).toMatchObject({
      status: 'SENT',
      attempts: 1,
      sentAt: NOW.toISOString(),
      updatedAt: later.toISOString(),
    });
  });

  it('does not send a confirmation once the order’s cancellation was handled', async () => {
    const { sender, store, deps } = setup();
    await notifyCustomer(orderCancelled({ eventId: 'evt-cancel' }), deps);

    // The confirmation arrives late (a retry after a provider failure, a redelivery).
    const late = await notifyCustomer(orderConfirmed({ eventId: 'evt-confirm' }), deps);

    expect(late).toEqual({ sent: [], alreadySent: [], superseded: true });
    expect(sender.provided.map((n) => n.message.template)).toEqual([
      'order_cancelled',
      'order_cancelled',
    ]);
    expect((await store.listByOrder('ord-1')).map((r) => r.eventId)).toEqual([
      'evt-cancel',
      'evt-cancel',
    ]);
  });

  it('still sends a cancellation after the confirmation (an order cancelled once confirmed)', async () => {
    const { sender, deps } = setup();
    await notifyCustomer(orderConfirmed({ eventId: 'evt-confirm' }), deps);
    const cancelled = await notifyCustomer(orderCancelled({ eventId: 'evt-cancel' }), deps);

    expect(cancelled).toEqual({ sent: ['email', 'sms'], alreadySent: [], superseded: false });
    expect(sender.provided.map((n) => n.message.template)).toEqual([
      'order_confirmed',
      'order_confirmed',
      'order_cancelled',
      'order_cancelled',
    ]);
  });

  it('notes the cancellation before sending it, so a failed send still supersedes a confirmation', async () => {
    const { sender, store, deps } = setup();
    sender.fail.set('email', new ProviderError('down'));
    sender.fail.set('sms', new ProviderError('down'));
    await expect(notifyCustomer(orderCancelled(), deps)).rejects.toThrow(NotificationDeliveryError);
    expect(store.cancelled.has('ord-1')).toBe(true);
  });

  it('keeps a stored error message short', async () => {
    const { sender, store, deps } = setup();
    sender.fail.set('sms', new ProviderError('x'.repeat(5000)));
    await expect(notifyCustomer(orderConfirmed({ customerEmail: null }), deps)).rejects.toThrow();
    expect(store.get('ord-1', 'evt-1', 'sms')?.lastError).toHaveLength(MAX_ERROR_LENGTH);
  });
});
