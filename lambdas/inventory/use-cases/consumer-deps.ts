import type { RetryPolicy } from './conflict-retry.ts';
import type { InventoryStore } from './ports.ts';

/** What the event use cases need; the handler entry builds the real ones, tests pass fakes. */
export interface InventoryConsumerDeps {
  store: Pick<InventoryStore, 'reserve' | 'recordFailedReservation' | 'release' | 'getReservation'>;
  now: () => Date;
  /** A new unique id (UUID) for reservations and emitted events. */
  newId: () => string;
  /** How transactions cancelled by concurrent writers are retried. */
  retry?: RetryPolicy;
}
