import { currencyExponent, fromMinorUnits } from '../../shared/money.ts';

/**
 * A product in stock. Quantities are whole units: `available` can be reserved by new
 * orders, `reserved` is held by orders in flight, and their sum is the quantity on hand.
 * The unit price is stored in integer minor units of `currency` (cents of USD), like
 * every amount in the saga; the admin API speaks decimals and converts at its edge.
 */
export interface Product {
  sku: string;
  name: string;
  /** Price of one unit in minor units of {@link Product.currency}. */
  unitPrice: number;
  currency: string;
  available: number;
  reserved: number;
  createdAt: string;
  updatedAt: string;
}

/** What `PUT /inventory/{sku}` asks for, validated and priced in minor units. */
export interface RestockCommand {
  sku: string;
  name: string;
  /** The new quantity on hand (available + reserved). */
  quantity: number;
  /** Minor units of `currency`. */
  unitPrice: number;
  currency: string;
}

/** How a create-or-replace of a product ends. */
export type RestockResult =
  | { outcome: 'created' | 'replaced'; product: Product }
  /** The new quantity on hand would not cover the units orders hold: nothing changed. */
  | { outcome: 'below-reserved'; reserved: number };

/**
 * The product after a create-or-replace: the name, price and quantity on hand are the
 * command's, and units reserved by orders in flight are kept (they are promised), so
 * `available = quantity − reserved`. A quantity below `reserved` is refused.
 *
 * This is the rule the DynamoDB store applies atomically in one conditional update
 * (see `inventory-store.ts`); the store uses this function to describe the result.
 */
export function restock(
  existing: Product | undefined,
  command: RestockCommand,
  now: Date,
): RestockResult {
  const reserved = existing?.reserved ?? 0;
  if (command.quantity < reserved) return { outcome: 'below-reserved', reserved };
  const at = now.toISOString();
  return {
    outcome: existing ? 'replaced' : 'created',
    product: {
      sku: command.sku,
      name: command.name,
      unitPrice: command.unitPrice,
      currency: command.currency,
      available: command.quantity - reserved,
      reserved,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    },
  };
}

/** A product as the admin API shows it: amounts in decimal major units. */
export interface ProductView {
  sku: string;
  name: string;
  /** Units on hand: available + reserved. */
  quantity: number;
  reserved: number;
  available: number;
  unitPrice: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
}

/** The {@link ProductView} of a product (fields are picked, so storage attributes never leak). */
export function toProductView(product: Product): ProductView {
  return {
    sku: product.sku,
    name: product.name,
    quantity: product.available + product.reserved,
    reserved: product.reserved,
    available: product.available,
    unitPrice: fromMinorUnits(product.unitPrice, currencyExponent(product.currency)),
    currency: product.currency,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
  };
}
