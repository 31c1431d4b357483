import { describe, expect, it } from '@jest/globals';
import type { Notification } from '../../../lambdas/notifications/domain/notification.ts';
import {
  MAX_ERROR_LENGTH,
  NotificationDeliveryError,
  notifyCustomer,
  type NotifyCustomerDeps,
} from '../../../lambdas/notifications/use-cases/notify-customer.ts';
import { ProviderError, type Delivery } from '../../../lambdas/notifications/use-cases/ports.ts';
import { FakeNotificationStore, NOW, orderCancelled, orderConfirmed } from './fixtures.ts';

/**
 * A SendOnce with the idempotency contract, in a map: a delivery is remembered per
 * (eventId, channel), failures are not; `fail` scripts failures per channel.
 */
function fakeSendOnce() {
  const remembered = new Map<string, Delivery>();
  const provided: Notification[] = [];
  const fail = new Map<string, Error>();
  let counter = 0;
  const sendOnce = (notification: Notification): Promise<Delivery> => {
    const key = `${notification.eventId}#${notification.message.channel}`;
    const known = remembered.get(key);
    if (known) return Promise.resolve(known);
    const failure = fail.get(notification.message.channel);
    if (failure) return Promise.reject(failure);
    provided.push(notification);
    const delivery = { messageId: `msg-${++counter}`, sentAt: NOW.toISOString() };
    remembered.set(key, delivery);
    return Promise.resolve(delivery);
  };
  return { sendOnce, provided, fail, remembered };
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
    const again = await notifyCustomer(orderCancelled(), deps);
    expect(again).toEqual({ sent: [], alreadySent: ['email', 'sms'], superseded: false });
    expect(sender.provided).toHaveLength(2);
    expect(store.get('ord-1', 'evt-1', 'email')?.attempts).toBe(1);
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
