import type { CancellationReason } from '../../../events/index.ts';
import { currencyExponent, fromMinorUnits } from '../../shared/money.ts';
import type { InventoryState, Order, OrderStatus, PaymentState } from '../domain/order.ts';

/**
 * An order as the API shows it: amounts back in decimal major units, and only what the
 * customer may see. The payment token and the saga's internal ids never leave the
 * service.
 */
export interface OrderView {
  orderId: string;
  status: OrderStatus;
  customerId: string;
  customerEmail?: string;
  currency: string;
  items: { sku: string; quantity: number; unitPrice: number }[];
  total: number;
  saga: { payment: PaymentState; inventory: InventoryState };
  cancellationReason?: CancellationReason;
  /** The customer's own words when they cancelled. */
  cancellationNote?: string;
  createdAt: string;
  updatedAt: string;
}

/** The {@link OrderView} of an order (fields are picked, never spread, so nothing leaks). */
export function toOrderView(order: Order): OrderView {
  const exponent = currencyExponent(order.currency);
  return {
    orderId: order.orderId,
    status: order.status,
    customerId: order.customerId,
    ...(order.customerEmail === undefined ? {} : { customerEmail: order.customerEmail }),
    currency: order.currency,
    items: order.items.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: fromMinorUnits(line.unitPrice, exponent),
    })),
    total: fromMinorUnits(order.total, exponent),
    saga: { payment: order.saga.payment, inventory: order.saga.inventory },
    ...(order.cancellationReason === undefined
      ? {}
      : { cancellationReason: order.cancellationReason }),
    ...(order.cancellationNote === undefined ? {} : { cancellationNote: order.cancellationNote }),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
