import { describe, expect, it } from '@jest/globals';
import {
  InventoryFailed,
  InventoryReleased,
  InventoryReserved,
  OrderCancelled,
  OrderConfirmed,
  parseEventBridgeEvent,
  patternOf,
  PaymentCompleted,
  PaymentFailed,
  PaymentRefunded,
} from '../../../events/index.ts';
import {
  applySagaInput,
  sagaEventContracts,
  sagaInputFromEvent,
  toEmittedEnvelopes,
  type Emitted,
} from '../../../lambdas/orders/domain/saga.ts';
import { at, inputs, newOrder } from './fixtures.ts';

const fields = {
  eventId: 'evt-9',
  occurredAt: '2026-11-23T10:00:05.000Z',
  orderId: 'ord-1',
  correlationId: 'ord-1',
  causationId: 'evt-1',
  sequence: 1,
};
const items = [{ sku: 'SKU-1', quantity: 2 }];

describe('sagaInputFromEvent', () => {
  it('maps each event the order service consumes to its saga input', () => {
    const cases = [
      [
        PaymentCompleted.create(fields, {
          paymentId: 'pay-1',
          amount: 2500,
          currency: 'USD',
          items,
        }),
        { kind: 'PaymentCompleted', paymentId: 'pay-1', amount: 2500, currency: 'USD' },
      ],
      [
        PaymentFailed.create(fields, { reason: 'card_declined', amount: 2500, currency: 'USD' }),
        { kind: 'PaymentFailed', reason: 'card_declined' },
      ],
      [
        PaymentRefunded.create(fields, { paymentId: 'pay-1', amount: 2500, currency: 'USD' }),
        { kind: 'PaymentRefunded', paymentId: 'pay-1' },
      ],
      [
        InventoryReserved.create(fields, { reservationId: 'res-1', items }),
        { kind: 'InventoryReserved', reservationId: 'res-1' },
      ],
      [
        InventoryFailed.create(fields, { reason: 'unknown_sku', skus: ['SKU-1'] }),
        { kind: 'InventoryFailed', reason: 'unknown_sku' },
      ],
      [
        InventoryReleased.create(fields, { reservationId: 'res-1', items }),
        { kind: 'InventoryReleased', reservationId: 'res-1' },
      ],
    ] as const;
    for (const [event, expected] of cases) {
      expect(sagaInputFromEvent(event)).toEqual({ ...expected, eventId: 'evt-9' });
    }
    expect(cases.map(([event]) => event.type).sort()).toEqual(
      sagaEventContracts.map((c) => c.detailType).sort(),
    );
  });

  it('works on what the order service’s rule routes and its consumer parses', () => {
    const detail = PaymentFailed.create(fields, {
      reason: 'insufficient_funds',
      amount: 2500,
      currency: 'USD',
    });
    const delivered = { source: 'shop.payments', 'detail-type': 'PaymentFailed', detail };
    expect(patternOf(...sagaEventContracts)['detail-type']).toContain('PaymentFailed');
    const input = sagaInputFromEvent(parseEventBridgeEvent(delivered, sagaEventContracts));
    expect(input).toEqual({
      kind: 'PaymentFailed',
      eventId: 'evt-9',
      reason: 'insufficient_funds',
    });
  });

  it('leaves the order service’s own events out of what it consumes', () => {
    expect(sagaEventContracts.map((c) => c.source)).not.toContain(OrderCancelled.source);
  });
});

describe('toEmittedEnvelopes', () => {
  const context = (ids: string[]) => ({
    occurredAt: at(3),
    causationId: 'evt-cause',
    newEventId: () => ids.shift()!,
  });

  it('numbers the events after the order’s last sequence, up to the new order’s sequence', () => {
    const paid = applySagaInput(newOrder({ sequence: 4 }), inputs.paymentCompleted(), at(1));
    const result = applySagaInput(paid.order, inputs.timedOut(), at(3));
    const envelopes = toEmittedEnvelopes(paid.order, result.emit, context(['e-1', 'e-2']));
    expect(envelopes.map((e) => [e.type, e.sequence, e.eventId])).toEqual([
      ['OrderCancelled', 5, 'e-1'],
      ['PaymentRefundRequested', 6, 'e-2'],
    ]);
    expect(result.order.sequence).toBe(6);
  });

  it('fills the envelope: the order is the saga, the input is the cause', () => {
    const [envelope] = toEmittedEnvelopes(
      newOrder(),
      [
        {
          type: 'OrderConfirmed',
          data: { customerId: 'cust-1', currency: 'USD', total: 2500 },
        },
      ],
      context(['e-1']),
    );
    expect(envelope).toEqual({
      eventId: 'e-1',
      type: 'OrderConfirmed',
      version: OrderConfirmed.version,
      occurredAt: at(3),
      orderId: 'ord-1',
      correlationId: 'ord-1',
      causationId: 'evt-cause',
      sequence: 2,
      data: { customerId: 'cust-1', currency: 'USD', total: 2500 },
    });
  });

  it('refuses an event that breaks its contract, so it never reaches the outbox', () => {
    const bad = {
      type: 'InventoryReleaseRequested',
      data: { reservationId: 'res-1', items: [], reason: 'timeout' },
    } as Emitted;
    expect(() => toEmittedEnvelopes(newOrder(), [bad], context(['e-1']))).toThrow();
  });
});
