import { Channels } from '../domain/notification.ts';
import type { NotificationRecord, NotificationStore } from './ports.ts';

/** Oldest first; an event's email before its SMS; then by event id, so the order is total. */
function byTime(a: NotificationRecord, b: NotificationRecord): number {
  return (
    a.createdAt.localeCompare(b.createdAt) ||
    a.eventId.localeCompare(b.eventId) ||
    Channels.indexOf(a.channel) - Channels.indexOf(b.channel)
  );
}

/**
 * An order's notifications, oldest first (by first attempt). An order has a handful at
 * most (one or two per final event), so they are read in one go and sorted here.
 *
 * The service does not know which orders exist: an order with no notifications, or no
 * order at all, gives an empty list rather than a 404.
 */
export async function listNotifications(
  orderId: string,
  deps: { store: Pick<NotificationStore, 'listByOrder'> },
): Promise<NotificationRecord[]> {
  const records = await deps.store.listByOrder(orderId);
  return [...records].sort(byTime);
}
