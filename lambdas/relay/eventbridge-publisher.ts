import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from './relay-records.ts';

/** The {@link EventPublisher} port over the EventBridge SDK client. */
export function eventBridgePublisher(client: EventBridgeClient): EventPublisher {
  return {
    putEvents: (entries) => client.send(new PutEventsCommand({ Entries: [...entries] })),
  };
}
