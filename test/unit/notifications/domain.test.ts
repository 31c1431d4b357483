import { describe, expect, it } from '@jest/globals';
import { maskEmail, maskIdentifier } from '../../../lambdas/notifications/domain/masking.ts';
import {
  maskRecipient,
  notificationsFor,
} from '../../../lambdas/notifications/domain/notification.ts';
import { orderCancelled, orderConfirmed } from './fixtures.ts';

describe('maskEmail', () => {
  it('keeps the first letter of the local part and the whole domain', () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('a@example.com')).toBe('a***@example.com');
  });

  it('masks something that is not an address like an identifier, hiding it', () => {
    expect(maskEmail('no-at-sign-here')).toBe('no-***re');
    expect(maskEmail('@example.com')).not.toContain('example');
    expect(maskEmail('bob@')).toBe('***b@');
  });
});

describe('maskIdentifier', () => {
  it('keeps a letters-only namespace and the last two characters', () => {
    expect(maskIdentifier('cust-1001')).toBe('cust-***01');
    expect(maskIdentifier('user_abcdef')).toBe('user_***ef');
  });

  it('shows no tail when it would leave fewer hidden characters than shown', () => {
    expect(maskIdentifier('cust-123')).toBe('cust-***');
    expect(maskIdentifier('abc')).toBe('***');
  });

  it('does not treat the first block of a UUID as a namespace', () => {
    expect(maskIdentifier('123e4567-e89b-12d3-a456-426614174000')).toBe('***00');
  });
});

describe('notificationsFor', () => {
  it('sends an email and an SMS when the order carries an address', () => {
    const [email, sms, ...rest] = notificationsFor(orderConfirmed());
    expect(rest).toEqual([]);
    expect(email).toEqual({
      orderId: 'ord-1',
      eventId: 'evt-1',
      eventType: 'OrderConfirmed',
      maskedRecipient: 'a***@example.com',
      message: {
        channel: 'email',
        recipient: 'alice@example.com',
        template: 'order_confirmed',
        variables: { orderId: 'ord-1', total: 2500, currency: 'USD' },
      },
    });
    expect(sms?.message).toMatchObject({ channel: 'sms', recipient: 'cust-1001' });
    expect(sms?.maskedRecipient).toBe('cust-***01');
  });

  it('sends only the SMS, addressed by customer id, when there is no address', () => {
    for (const customerEmail of [null, '  ']) {
      const notifications = notificationsFor(orderConfirmed({ customerEmail }));
      expect(notifications.map((n) => n.message.channel)).toEqual(['sms']);
      expect(notifications[0]?.message.recipient).toBe('cust-1001');
    }
  });

  it('tells the cancellation reason with the order_cancelled template', () => {
    const notifications = notificationsFor(orderCancelled({ reason: 'payment_failed' }));
    for (const { message, eventType } of notifications) {
      expect(eventType).toBe('OrderCancelled');
      expect(message.template).toBe('order_cancelled');
      expect(message.variables).toEqual({
        orderId: 'ord-1',
        total: 2500,
        currency: 'USD',
        reason: 'payment_failed',
      });
    }
  });
});

describe('maskRecipient', () => {
  it('masks by channel', () => {
    expect(maskRecipient({ channel: 'email', recipient: 'zoe@shop.test' })).toBe('z***@shop.test');
    expect(maskRecipient({ channel: 'sms', recipient: 'cust-987654' })).toBe('cust-***54');
  });
});
