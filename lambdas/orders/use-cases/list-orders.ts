import type { OrderStore } from './ports.ts';
import { toOrderView, type OrderView } from './order-view.ts';

export interface ListOrdersDeps {
  store: Pick<OrderStore, 'listOrdersByCustomer'>;
}

export interface ListOrdersQuery {
  customerId: string;
  /** Page size, 1–100. */
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface OrderListPage {
  items: OrderView[];
  /** Pass it back as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}

/**
 * One page of a customer's orders, newest first.
 * @throws {@link InvalidCursorError} (from the store) for a cursor not issued for this listing.
 */
export async function listOrders(
  query: ListOrdersQuery,
  { store }: ListOrdersDeps,
): Promise<OrderListPage> {
  const page = await store.listOrdersByCustomer(query.customerId, {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  return { items: page.orders.map(toOrderView), nextCursor: page.nextCursor ?? null };
}
