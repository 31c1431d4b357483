import type { Envelope } from '../../../events/index.ts';
import type { Order } from '../domain/order.ts';
import {
  applySagaInput,
  isFinal,
  toEmittedEnvelopes,
  type IgnoredReason,
  type RejectedReason,
  type SagaInput,
} from '../domain/saga.ts';
import { timelineEntry } from '../domain/timeline.ts';
import { WriteContentionError } from './place-order.ts';
import type { OrderStore } from './ports.ts';

/** What {@link applyToOrder} needs; tests pass fakes. */
export interface ApplyToOrderDeps {
  store: Pick<OrderStore, 'getOrder' | 'commitTransition'>;
  now: () => Date;
  /** A new unique id (UUID) for each emitted event. */
  newId: () => string;
  /** Waits between attempts after a conflict. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Load-apply-commit attempts when concurrent writers conflict. @default 5 */
  maxAttempts?: number;
}

/** One input to apply to one order. */
export interface ApplyToOrderRequest {
  orderId: string;
  input: SagaInput;
  /** The causation id of the events the transition emits (the consumed eventId, or the command's id). */
  causationId: string;
}

/** How applying an input ended. Only `applied` wrote anything. */
export type ApplyToOrderResult =
  | { kind: 'not-found' }
  | {
      kind: 'applied';
      /** The order the transition was computed from. */
      before: Order;
      /** The order as committed. */
      order: Order;
      /** The events written to the outbox with it. */
      events: Envelope[];
    }
  | { kind: 'ignored'; order: Order; reason: IgnoredReason; detail: string }
  | { kind: 'rejected'; order: Order; reason: RejectedReason; detail: string };

const BASE_BACKOFF_MS = 25;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies a saga input to an order and persists the result: loads the order (strongly
 * consistent), runs the pure transition ({@link applySagaInput}) and, when it applies,
 * commits in ONE transaction the new order (conditional on the version it was computed
 * from) with its timeline entry, and the emitted events as outbox items.
 *
 * Exactly once on at-least-once delivery without a processed marker: a redelivered input
 * reloads the order, which already reflects it, so the transition ignores it (`duplicate`);
 * two deliveries racing cannot both commit, since both are conditioned on the same version.
 *
 * A concurrent change of the same order (version conflict, or DynamoDB's
 * TransactionConflict) is resolved by reloading and reapplying, with jittered exponential
 * backoff; the input is decided again on the newer order, so no update is ever lost.
 *
 * @throws {@link WriteContentionError} when every attempt conflicted (nothing was written;
 *   the caller's retry, e.g. the queue's redelivery, tries again later).
 */
export async function applyToOrder(
  request: ApplyToOrderRequest,
  deps: ApplyToOrderDeps,
): Promise<ApplyToOrderResult> {
  const { store, now, newId } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const maxAttempts = deps.maxAttempts ?? 5;
  const { orderId, input, causationId } = request;

  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const before = await store.getOrder(orderId);
    if (!before) return { kind: 'not-found' };
    const at = now();
    const result = applySagaInput(before, input, at.toISOString());
    if (result.outcome === 'ignored' || result.outcome === 'rejected') {
      const { outcome, order, reason, detail } = result;
      return outcome === 'ignored'
        ? { kind: 'ignored', order, reason, detail }
        : { kind: 'rejected', order, reason, detail };
    }
    const events = toEmittedEnvelopes(before, result.emit, {
      occurredAt: result.order.updatedAt,
      causationId,
      newEventId: newId,
    });
    const committed = await store.commitTransition({
      order: result.order,
      expectedVersion: before.version,
      events,
      timeline: timelineEntry(
        result.order,
        { type: input.kind, ...('eventId' in input ? { eventId: input.eventId } : {}) },
        events,
      ),
      now: at,
    });
    switch (committed.outcome) {
      case 'committed':
        return { kind: 'applied', before, order: result.order, events };
      case 'version-conflict':
      case 'write-conflict':
        if (attempt < maxAttempts) {
          // Full jitter: concurrent writers of one order spread out instead of colliding again.
          await sleep(Math.floor(random() * BASE_BACKOFF_MS * 2 ** (attempt - 1)));
        }
        break;
    }
  }
  throw new WriteContentionError(
    `Order ${orderId} could not be updated after ${maxAttempts} attempts of conflicting writes`,
  );
}

/** Whether a committed transition made a pending order final (its saga timer no longer matters). */
export function becameFinal(result: Extract<ApplyToOrderResult, { kind: 'applied' }>): boolean {
  return !isFinal(result.before) && isFinal(result.order);
}
