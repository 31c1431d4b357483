import { describe, expect, it } from '@jest/globals';
import {
  allEvents,
  contractFor,
  InventoryReserved,
  OrderCancelled,
  OrderCreated,
  parseEventBridgeEvent,
  PaymentCompleted,
  PaymentFailed,
  patternOf,
  toPutEventsEntry,
} from '../../../events/index.ts';

const fields = {
  eventId: 'evt-1',
  occurredAt: '2026-11-23T10:00:00.000Z',
  orderId: 'ord-1',
  correlationId: 'ord-1',
  causationId: 'ord-1',
  sequence: 1,
};

const orderCreated = () =>
  OrderCreated.create(fields, {
    customerId: 'cust-1',
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 1250 }],
    total: 2500,
    deadline: '2026-11-23T10:01:30.000Z',
  });

describe('event catalog', () => {
  it('names every saga event once, with a source, detail-type and version', () => {
    const types = allEvents.map((c) => c.detailType);
    expect(new Set(types).size).toBe(types.length);
    expect(types.sort()).toEqual(
      [
        'InventoryFailed',
        'InventoryReleaseRequested',
        'InventoryReleased',
        'InventoryReserved',
        'OrderCancelled',
        'OrderConfirmed',
        'OrderCreated',
        'PaymentCompleted',
        'PaymentFailed',
        'PaymentRefundRequested',
        'PaymentRefunded',
      ].sort(),
    );
    for (const c of allEvents) {
      expect(c.source).toMatch(/^shop\.(orders|payments|inventory)$/);
      expect(c.version).toBeGreaterThanOrEqual(1);
    }
  });

  it('accepts exactly the four cancellation reasons', () => {
    const base = { customerId: 'c', currency: 'USD', total: 0 };
    for (const reason of [
      'payment_failed',
      'out_of_stock',
      'timeout',
      'customer_request',
    ] as const) {
      expect(OrderCancelled.create(fields, { ...base, reason }).data.reason).toBe(reason);
    }
    expect(() =>
      OrderCancelled.create(fields, { ...base, reason: 'bored' as 'timeout' }),
    ).toThrow();
  });
});

describe('defineEvent().create', () => {
  it('stamps the type and version from the contract onto the envelope', () => {
    const event = orderCreated();
    expect(event).toMatchObject({ ...fields, type: 'OrderCreated', version: 1 });
    expect(event.data.total).toBe(2500);
  });

  it('rejects an envelope missing its correlation id', () => {
    const { correlationId: _omit, ...rest } = fields;
    expect(() =>
      PaymentFailed.create(rest as typeof fields, {
        reason: 'card_declined',
        amount: 1,
        currency: 'USD',
      }),
    ).toThrow(/correlationId/);
  });

  it('rejects fractional money: amounts are integer minor units', () => {
    expect(() =>
      PaymentCompleted.create(fields, {
        paymentId: 'p',
        amount: 12.5,
        currency: 'USD',
        items: [{ sku: 'SKU-1', quantity: 1 }],
      }),
    ).toThrow();
  });
});

describe('patternOf', () => {
  it('matches the sources, detail-types and versions of the given contracts only', () => {
    expect(patternOf(PaymentCompleted, PaymentFailed, InventoryReserved)).toEqual({
      source: ['shop.inventory', 'shop.payments'],
      'detail-type': ['InventoryReserved', 'PaymentCompleted', 'PaymentFailed'],
      detail: { version: [1] },
    });
  });

  it('refuses to build an empty pattern, which would match nothing or everything', () => {
    expect(() => patternOf()).toThrow();
  });
});

describe('toPutEventsEntry', () => {
  it('builds the entry from the contract, not from strings in the envelope', () => {
    const event = orderCreated();
    const entry = toPutEventsEntry(event, 'shop-bus');
    expect(entry).toEqual({
      Source: 'shop.orders',
      DetailType: 'OrderCreated',
      Detail: JSON.stringify(event),
      EventBusName: 'shop-bus',
      Time: new Date(fields.occurredAt),
    });
  });

  it('throws for an unknown event type', () => {
    expect(() => toPutEventsEntry({ ...orderCreated(), type: 'Nope' }, 'bus')).toThrow(
      /Unknown event type/,
    );
  });

  it('throws for an invalid envelope so it never reaches the bus', () => {
    expect(() => toPutEventsEntry({ ...orderCreated(), sequence: 0 }, 'bus')).toThrow();
  });
});

describe('parseEventBridgeEvent', () => {
  it('parses a delivered event into the matching contract envelope', () => {
    const event = orderCreated();
    const parsed = parseEventBridgeEvent(
      { source: 'shop.orders', 'detail-type': 'OrderCreated', detail: event },
      [OrderCreated, PaymentCompleted],
    );
    expect(parsed).toEqual(event);
  });

  it('rejects an event the consumer does not handle', () => {
    expect(() =>
      parseEventBridgeEvent(
        { source: 'shop.orders', 'detail-type': 'OrderCreated', detail: orderCreated() },
        [PaymentCompleted],
      ),
    ).toThrow(/Unexpected event/);
  });

  it('rejects a detail whose type disagrees with its detail-type', () => {
    expect(() =>
      parseEventBridgeEvent(
        { source: 'shop.payments', 'detail-type': 'PaymentCompleted', detail: orderCreated() },
        [PaymentCompleted],
      ),
    ).toThrow();
  });

  it('looks contracts up by detail-type', () => {
    expect(contractFor('InventoryReserved')).toBe(InventoryReserved);
    expect(contractFor('Nope')).toBeUndefined();
  });
});
