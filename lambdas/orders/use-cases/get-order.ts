import type { OrderStore } from './ports.ts';
import { toOrderView, type OrderView } from './order-view.ts';

export interface GetOrderDeps {
  store: Pick<OrderStore, 'getOrder'>;
}

/** The order's view, or `undefined` when there is no such order. */
export async function getOrder(
  orderId: string,
  { store }: GetOrderDeps,
): Promise<OrderView | undefined> {
  const order = await store.getOrder(orderId);
  return order && toOrderView(order);
}
