import type * as z from 'zod/mini';
import {
  InventoryReleaseRequested,
  OrderCancelled,
  OrderConfirmed,
  PaymentRefundRequested,
  type AnyEventContract,
  type Envelope,
} from '../../../events/index.ts';
import type { Order } from './order.ts';

/** The events the saga's transitions emit, keyed by detail-type. */
export const sagaEmittedContracts = {
  OrderConfirmed,
  OrderCancelled,
  PaymentRefundRequested,
  InventoryReleaseRequested,
} as const;

type EmittedContracts = typeof sagaEmittedContracts;

/**
 * An event the saga decided to emit: its detail-type and its `data`, shaped exactly like
 * the contract's input so it can be wrapped in an envelope ({@link toEmittedEnvelopes}).
 */
export type Emitted = {
  [K in keyof EmittedContracts]: { type: K; data: z.input<EmittedContracts[K]['data']> };
}[keyof EmittedContracts];

/** Envelope fields that are the same for every event emitted by one transition. */
export interface EmitContext {
  /** When the transition was committed (the `now` given to `applySagaInput`). */
  occurredAt: string;
  /** The eventId of the input event, or an id for the command (timer execution, API request). */
  causationId: string;
  /** A fresh unique id per emitted event (e.g. `randomUUID`), passed in to keep this pure. */
  newEventId: () => string;
}

/**
 * Wraps the events of one transition in validated envelopes, numbered after `before`'s
 * last sequence in the order they were emitted, so the last one carries the `sequence` of
 * the order the transition returned. The saga is the order: correlationId is the orderId.
 * Throws if an event does not satisfy its contract (a bug: it must never reach the outbox).
 */
export function toEmittedEnvelopes(
  before: Pick<Order, 'orderId' | 'sequence'>,
  emitted: readonly Emitted[],
  context: EmitContext,
): Envelope[] {
  return emitted.map((event, index) => {
    // The mapped type ties each `type` to its data; indexing the record loses that link.
    const contract: AnyEventContract = sagaEmittedContracts[event.type];
    return contract.create(
      {
        eventId: context.newEventId(),
        occurredAt: context.occurredAt,
        orderId: before.orderId,
        correlationId: before.orderId,
        causationId: context.causationId,
        sequence: before.sequence + index + 1,
      },
      event.data,
    );
  });
}
