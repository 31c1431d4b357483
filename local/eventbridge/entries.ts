import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { type EventBridgeEvent, eventTime } from './event.ts';

/**
 * PutEvents request validation and event construction, as pure functions. The
 * request as a whole can be refused (too many entries, too large); otherwise each
 * entry gets its own outcome, so one bad entry never fails its neighbours.
 */

/** PutEvents takes 1 to 10 entries. */
export const MAX_ENTRIES = 10;
/** PutEvents refuses requests whose entries total more than 256 KB. */
export const MAX_REQUEST_BYTES = 256 * 1024;

/** A request-level refusal, named like the AWS error (HTTP 400). */
export class EventBridgeApiError extends Error {
  readonly statusCode: number;
  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.name = type;
    this.statusCode = statusCode;
  }
}

/** An entry's outcome: the event to route, or the error AWS would report for it. */
export type EntryOutcome =
  | { ok: true; event: EventBridgeEvent; busName: string }
  | { ok: false; errorCode: string; errorMessage: string };

/** An entry as it may arrive: SDK shape (Time a Date) or wire shape (Time in epoch seconds). */
export type IncomingEntry = Omit<PutEventsRequestEntry, 'Time'> & { Time?: Date | number | string };

const utf8Bytes = (text: string | undefined) =>
  text === undefined ? 0 : Buffer.byteLength(text, 'utf8');

/**
 * The size EventBridge counts for an entry ("Calculating PutEvents event entry
 * size"): 14 bytes for Time if set, plus the UTF-8 bytes of Source, DetailType,
 * Detail and each resource.
 */
export function entrySize(entry: IncomingEntry): number {
  return (
    (entry.Time === undefined ? 0 : 14) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    utf8Bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + utf8Bytes(r), 0)
  );
}

/** Throws an {@link EventBridgeApiError} when the request as a whole is invalid. */
export function validateRequest(entries: unknown): asserts entries is IncomingEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new EventBridgeApiError(
      'ValidationException',
      "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (entries.length > MAX_ENTRIES) {
    throw new EventBridgeApiError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  if (!entries.every((e) => typeof e === 'object' && e !== null)) {
    throw new EventBridgeApiError('ValidationException', 'Every entry must be an object');
  }
  const total = (entries as IncomingEntry[]).reduce((sum, e) => sum + entrySize(e), 0);
  if (total > MAX_REQUEST_BYTES) {
    throw new EventBridgeApiError(
      'ValidationException',
      `Total size of the entries in the request is over the limit (${total} > ${MAX_REQUEST_BYTES} bytes).`,
    );
  }
}

const invalid = (field: string, reason: string): EntryOutcome => ({
  ok: false,
  errorCode: 'InvalidArgument',
  errorMessage: `Parameter ${field} is not valid. Reason: ${reason}`,
});

function parseTime(time: IncomingEntry['Time'], now: Date): Date | undefined {
  if (time === undefined) return now;
  // The JSON protocol sends timestamps as epoch seconds.
  const date =
    time instanceof Date ? time : typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** What building an event needs besides the entry. */
export interface EventContext {
  id: string;
  now: Date;
  account: string;
  region: string;
  /** The bus name for an entry's EventBusName (name or ARN; undefined = default), if that bus exists. */
  resolveBus: (nameOrArn: string | undefined) => string | undefined;
}

/** Validates one entry and builds the event EventBridge would route for it. */
export function buildEvent(entry: IncomingEntry, context: EventContext): EntryOutcome {
  if (typeof entry.Source !== 'string' || entry.Source === '') {
    return invalid('Source', 'Source is a required argument.');
  }
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '') {
    return invalid('DetailType', 'DetailType is a required argument.');
  }
  if (typeof entry.Detail !== 'string' || entry.Detail === '') {
    return invalid('Detail', 'Detail is a required argument.');
  }
  // Only AWS services may publish aws.* sources.
  if (entry.Source.startsWith('aws.')) {
    return {
      ok: false,
      errorCode: 'NotAuthorizedForSourceException',
      errorMessage: 'Not authorized for the source.',
    };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  const resources = entry.Resources ?? [];
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) {
    return invalid('Resources', 'Resources must be a list of strings.');
  }
  const time = parseTime(entry.Time, context.now);
  if (!time) return invalid('Time', 'Time is not a valid timestamp.');
  const busName = context.resolveBus(entry.EventBusName ?? undefined);
  if (busName === undefined) {
    // AWS accepts events for a missing bus and silently drops them; locally a typo
    // in a bus name should be loud, so the entry fails.
    return {
      ok: false,
      errorCode: 'ResourceNotFoundException',
      errorMessage: `Event bus ${entry.EventBusName} does not exist.`,
    };
  }
  return {
    ok: true,
    busName,
    event: {
      version: '0',
      id: context.id,
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: context.account,
      time: eventTime(time),
      region: context.region,
      resources: [...resources],
      detail: detail as Record<string, unknown>,
    },
  };
}
