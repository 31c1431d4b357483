import { allEvents } from './catalog.ts';
import type { AnyEventContract } from './define-event.ts';
import type { Envelope } from './envelope.ts';

/** An EventBridge event pattern (structurally what `aws-events` Rule accepts). */
export interface EventPattern {
  source: string[];
  'detail-type': string[];
  detail: { version: number[] };
}

/**
 * The rule pattern that matches exactly these events (and their versions), so a
 * rule is never written with hand-typed strings.
 */
export function patternOf(...contracts: readonly AnyEventContract[]): EventPattern {
  if (contracts.length === 0) throw new Error('patternOf needs at least one event contract');
  const unique = <T>(values: T[]) => [...new Set(values)];
  return {
    source: unique(contracts.map((c) => c.source)).sort(),
    'detail-type': unique(contracts.map((c) => c.detailType)).sort(),
    detail: { version: unique(contracts.map((c) => c.version)).sort((a, b) => a - b) },
  };
}

/** A PutEvents request entry (structurally `PutEventsRequestEntry` of the SDK). */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  Time: Date;
}

const byType = new Map<string, AnyEventContract>(allEvents.map((c) => [c.detailType, c]));

/** The contract for a detail-type, or undefined when the catalog has no such event. */
export function contractFor(detailType: string): AnyEventContract | undefined {
  return byType.get(detailType);
}

/**
 * Validates an envelope against its contract and turns it into a PutEvents entry.
 * Throws for an unknown type or an invalid envelope: such an event must never reach the bus.
 */
export function toPutEventsEntry(envelope: unknown, eventBusName: string): PutEventsEntry {
  const type = (envelope as { type?: unknown } | null)?.type;
  const contract = typeof type === 'string' ? contractFor(type) : undefined;
  if (!contract) throw new Error(`Unknown event type: ${String(type)}`);
  const event = contract.parse(envelope);
  return {
    Source: contract.source,
    DetailType: contract.detailType,
    Detail: JSON.stringify(event),
    EventBusName: eventBusName,
    Time: new Date(event.occurredAt),
  };
}

/** The part of an EventBridge event (as delivered to SQS or Lambda) consumers look at. */
export interface EventBridgeEvent {
  source: string;
  'detail-type': string;
  detail: unknown;
}

/**
 * Parses an EventBridge event into one of the expected contracts' envelopes.
 * Throws when it is none of them or fails validation.
 */
export function parseEventBridgeEvent<C extends AnyEventContract>(
  event: EventBridgeEvent,
  expected: readonly C[],
): ReturnType<C['parse']> {
  const contract = expected.find(
    (c) => c.source === event.source && c.detailType === event['detail-type'],
  );
  if (!contract) {
    throw new Error(`Unexpected event ${event.source}/${event['detail-type']}`);
  }
  return contract.parse(event.detail) as ReturnType<C['parse']>;
}

export type { Envelope };
