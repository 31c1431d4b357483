/** An event as EventBridge delivers it to targets (and as patterns see it). */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 without milliseconds, as AWS writes it (`2017-12-22T18:43:48Z`). */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  /** Set on events re-sent from an archive by a replay. */
  'replay-name'?: string;
}

/** The account and region the local cloud pretends to be. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** Formats a date as EventBridge's `time` field: second precision, UTC. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
