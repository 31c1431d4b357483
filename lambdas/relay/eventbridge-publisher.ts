import type { EventBridge } from '../shared/aws/event-bridge.ts';
import type { EventPublisher } from './relay-records.ts';

/** The {@link EventPublisher} port over the EventBridge client of `shared/aws`. */
export function eventBridgePublisher(eventBridge: EventBridge): EventPublisher {
  return {
    putEvents: (entries) => eventBridge.putEvents({ Entries: [...entries] }),
  };
}
