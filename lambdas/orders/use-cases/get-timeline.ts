import type { TimelineEntry } from '../domain/timeline.ts';
import type { OrderStore } from './ports.ts';

export interface GetTimelineDeps {
  store: Pick<OrderStore, 'getOrderHistory'>;
}

/** The order's timeline, oldest first, or `undefined` when there is no such order. */
export async function getTimeline(
  orderId: string,
  { store }: GetTimelineDeps,
): Promise<{ items: TimelineEntry[] } | undefined> {
  const history = await store.getOrderHistory(orderId);
  return history && { items: history.timeline };
}
