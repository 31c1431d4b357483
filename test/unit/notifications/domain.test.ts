import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
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

describe('masking (properties)', () => {
  it('never shows more than the namespace and two characters, nor more than half of the rest', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (id) => {
        const masked = maskIdentifier(id);
        const namespace = /^[A-Za-z]{1,8}[-_]/.exec(id)?.[0] ?? '';
        const rest = id.slice(namespace.length);
        const shown = masked.slice(namespace.length + 3);
        expect(masked.startsWith(`${namespace}***`)).toBe(true);
        expect(shown.length).toBeLessThanOrEqual(2);
        expect(shown.length * 2).toBeLessThanOrEqual(rest.length);
        expect(rest.endsWith(shown)).toBe(true);
      }),
    );
  });

  it('never shows more of an address’s local part than its first character', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const [local = ''] = email.split('@');
        const masked = maskEmail(email);
        expect(masked).toBe(`${local.slice(0, 1)}***${email.slice(email.lastIndexOf('@'))}`);
      }),
    );
  });
});
