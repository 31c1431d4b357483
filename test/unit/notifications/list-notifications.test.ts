import { describe, expect, it } from '@jest/globals';
import { listNotifications } from '../../../lambdas/notifications/use-cases/list-notifications.ts';
import type { NotificationRecord } from '../../../lambdas/notifications/use-cases/ports.ts';

const record = (overrides: Partial<NotificationRecord>): NotificationRecord => ({
  orderId: 'ord-1',
  eventId: 'evt-1',
  eventType: 'OrderConfirmed',
  channel: 'email',
  recipient: 'a***@example.com',
  template: 'order_confirmed',
  status: 'SENT',
  attempts: 1,
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
  ...overrides,
});

describe('listNotifications', () => {
  it('lists oldest first, and an event’s email before its SMS', async () => {
    const stored = [
      record({ eventId: 'evt-b', channel: 'sms', createdAt: '2026-03-01T12:05:00.000Z' }),
      record({ eventId: 'evt-a', channel: 'sms' }),
      record({ eventId: 'evt-b', channel: 'email', createdAt: '2026-03-01T12:05:00.000Z' }),
      record({ eventId: 'evt-a', channel: 'email' }),
    ];
    const listed = await listNotifications('ord-1', {
      store: { listByOrder: () => Promise.resolve(stored) },
    });
    expect(listed.map((r) => `${r.eventId}/${r.channel}`)).toEqual([
      'evt-a/email',
      'evt-a/sms',
      'evt-b/email',
      'evt-b/sms',
    ]);
  });

  it('gives an empty list for an order without notifications', async () => {
    const asked: string[] = [];
    const listed = await listNotifications('ord-unknown', {
      store: {
        listByOrder: (orderId) => {
          asked.push(orderId);
          return Promise.resolve([]);
        },
      },
    });
    expect(listed).toEqual([]);
    expect(asked).toEqual(['ord-unknown']);
  });
});
