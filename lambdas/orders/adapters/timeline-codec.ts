import type { InventoryState, OrderStatus, PaymentState } from '../domain/order.ts';
import type { TimelineEntry, TimelineEntryType } from '../domain/timeline.ts';

/**
 * The compact form of timeline entries stored on the order item itself (attribute
 * `timeline`, a list of strings appended by each transition in the same write as the
 * change). Why on the order and why this small: a separate item per entry cost two write
 * units per transaction, and the order item must stay under 1 KB (a DynamoDB write unit)
 * so that every write of it costs one unit. A typical order's entries take about 50 bytes
 * each instead of about 300 as a map.
 *
 * One entry: `<ms after createdAt>|<type><status><payment><inventory>|<emitted codes>|<eventId>`,
 * e.g. `1834|pPCN||5f0c…` (PaymentCompleted, PENDING, COMPLETED, NONE, emitted nothing).
 * The eventId is last, so whatever characters it holds, the split is unambiguous.
 *
 * The codes are stored data: never change or reuse one; add new values with new codes.
 */

const typeCodes: Record<TimelineEntryType, string> = {
  OrderPlaced: 'o',
  PaymentCompleted: 'p',
  PaymentFailed: 'f',
  PaymentRefunded: 'r',
  InventoryReserved: 'i',
  InventoryFailed: 'j',
  InventoryReleased: 'l',
  SagaTimedOut: 't',
  CancelRequested: 'c',
};

const statusCodes: Record<OrderStatus, string> = { PENDING: 'P', CONFIRMED: 'C', CANCELLED: 'X' };

const paymentCodes: Record<PaymentState, string> = {
  NONE: 'N',
  COMPLETED: 'C',
  FAILED: 'F',
  REFUND_REQUESTED: 'Q',
  REFUNDED: 'R',
};

const inventoryCodes: Record<InventoryState, string> = {
  NONE: 'N',
  RESERVED: 'S',
  FAILED: 'F',
  RELEASE_REQUESTED: 'Q',
  RELEASED: 'L',
};

/** Detail-types the order service emits; an unknown one is stored by name, in brackets. */
const emittedCodes: Record<string, string> = {
  OrderCreated: 'a',
  OrderConfirmed: 'b',
  OrderCancelled: 'x',
  PaymentRefundRequested: 'r',
  InventoryReleaseRequested: 'l',
};

const invert = <T extends string>(codes: Record<T, string>): Map<string, T> =>
  new Map(Object.entries(codes).map(([name, code]) => [code as string, name as T]));

const typeNames = invert(typeCodes);
const statusNames = invert(statusCodes);
const paymentNames = invert(paymentCodes);
const inventoryNames = invert(inventoryCodes);
const emittedNames = invert(emittedCodes);

/** A stored entry that is not in the format above: the item is corrupt. */
export class CorruptTimelineError extends Error {
  override name = 'CorruptTimelineError';
}

// A Map, not an index into emittedCodes: a name such as "constructor" would find
// Object.prototype's member there and be stored as its source text.
const emittedCodeOf = new Map(Object.entries(emittedCodes));

function encodeEmitted(types: readonly string[]): string {
  return types
    .map((type) => {
      const code = emittedCodeOf.get(type);
      if (code !== undefined) return code;
      // Detail-types are identifiers; a bracket or bar would make the entry unreadable.
      if (/[[\]|]/.test(type)) throw new Error(`Cannot store emitted type "${type}"`);
      return `[${type}]`;
    })
    .join('');
}

function decodeEmitted(codes: string, stored: string): string[] {
  const types: string[] = [];
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes.charAt(i);
    if (code === '[') {
      const end = codes.indexOf(']', i);
      if (end < 0) throw new CorruptTimelineError(`Unterminated emitted type in "${stored}"`);
      types.push(codes.slice(i + 1, end));
      i = end;
      continue;
    }
    const type = emittedNames.get(code);
    if (type === undefined)
      throw new CorruptTimelineError(`Unknown emitted code "${code}" in "${stored}"`);
    types.push(type);
  }
  return types;
}

/** The stored form of `entry` of an order created at `createdAt` (ISO 8601). */
export function encodeTimelineEntry(entry: TimelineEntry, createdAt: string): string {
  const offset = Date.parse(entry.at) - Date.parse(createdAt);
  const codes =
    typeCodes[entry.type] +
    statusCodes[entry.status] +
    paymentCodes[entry.payment] +
    inventoryCodes[entry.inventory];
  return `${offset}|${codes}|${encodeEmitted(entry.emitted)}|${entry.eventId ?? ''}`;
}

/**
 * The entry in a stored string of an order created at `createdAt`.
 * @throws {@link CorruptTimelineError} when the string is not an encoded entry.
 */
export function decodeTimelineEntry(stored: string, createdAt: string): TimelineEntry {
  const [offset, codes = '', emitted = ''] = stored.split('|', 3);
  const eventIdStart = (offset?.length ?? 0) + codes.length + emitted.length + 3;
  const eventId = stored.slice(eventIdStart);
  const type = typeNames.get(codes.charAt(0));
  const status = statusNames.get(codes.charAt(1));
  const payment = paymentNames.get(codes.charAt(2));
  const inventory = inventoryNames.get(codes.charAt(3));
  const at = Date.parse(createdAt) + Number(offset);
  if (
    !/^-?\d+$/.test(offset ?? '') ||
    codes.length !== 4 ||
    eventIdStart > stored.length ||
    type === undefined ||
    status === undefined ||
    payment === undefined ||
    inventory === undefined ||
    !Number.isFinite(at)
  )
    throw new CorruptTimelineError(`Invalid timeline entry "${stored}"`);
  return {
    at: new Date(at).toISOString(),
    type,
    ...(eventId === '' ? {} : { eventId }),
    status,
    payment,
    inventory,
    emitted: decodeEmitted(emitted, stored),
  };
}
