import * as z from 'zod/mini';

/**
 * Fields every event carries, whatever its type. Consumers rely on them for
 * idempotency (eventId), tracing a saga (correlationId, causationId) and ordering
 * one producer's events for an order (sequence).
 */
export const envelopeShape = {
  /** Unique per event; the key of every consumer's exactly-once marker. */
  eventId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The event's detail-type, repeated so a stored event is self-describing. */
  type: z.string().check(z.minLength(1)),
  /** Schema version of `data`; a breaking change is a new version. */
  version: z.number().check(z.int(), z.minimum(1)),
  /** When the state change that produced the event was committed (ISO 8601, UTC). */
  occurredAt: z.iso.datetime(),
  orderId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The saga this event belongs to: the id of the OrderCreated event's order. */
  correlationId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The eventId of the event that caused this one (the order id for OrderCreated). */
  causationId: z.string().check(z.minLength(1), z.maxLength(128)),
  /** Monotonic per order within the producing service, starting at 1. */
  sequence: z.number().check(z.int(), z.minimum(1)),
};

/** An event as it travels in an EventBridge `detail`: the envelope plus typed data. */
export interface Envelope<TType extends string = string, TData = unknown> {
  eventId: string;
  type: TType;
  version: number;
  occurredAt: string;
  orderId: string;
  correlationId: string;
  causationId: string;
  sequence: number;
  data: TData;
}

/** The envelope fields a producer chooses; `type` and `version` come from the contract. */
export type EnvelopeFields = Omit<Envelope, 'type' | 'version' | 'data'>;
