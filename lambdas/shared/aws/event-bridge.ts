import type {
  PutEventsRequest,
  PutEventsRequestEntry,
  PutEventsResponse,
} from '@aws-sdk/client-eventbridge';
import { createJsonRpcClient, type JsonRpcClientOptions } from './json-rpc.ts';

/** EventBridge, for the one call the relays make. */
export interface EventBridge {
  /**
   * Sends up to 10 entries in one call. Resolves even when some entries failed: check
   * `FailedEntryCount` and each entry's `ErrorCode`.
   */
  putEvents(input: PutEventsRequest): Promise<PutEventsResponse>;
}

/** Options of {@link createEventBridge}: those of the JSON client but the service's own. */
export type EventBridgeOptions = Omit<
  JsonRpcClientOptions,
  'service' | 'targetPrefix' | 'jsonVersion'
>;

/** An entry as the wire wants it: `Time` in epoch seconds, as the SDK sends it. */
function wireEntry({ Time, ...entry }: PutEventsRequestEntry) {
  return Time === undefined ? entry : { ...entry, Time: Time.getTime() / 1000 };
}

/** Creates an {@link EventBridge} (once per container, at module scope). */
export function createEventBridge(options: EventBridgeOptions = {}): EventBridge {
  const client = createJsonRpcClient({
    ...options,
    service: 'eventbridge',
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
  });
  return {
    putEvents: (input) =>
      client.call<PutEventsResponse>('PutEvents', {
        ...input,
        Entries: input.Entries?.map(wireEntry),
      }),
  };
}
