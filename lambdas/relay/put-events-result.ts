/** The part of a PutEvents response the relay reads (structurally the SDK's output). */
export interface PutEventsResult {
  FailedEntryCount?: number;
  /** One result per request entry, in request order; failed ones carry an ErrorCode. */
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/**
 * Positions (in the request) of the entries PutEvents did not accept. When the
 * response reports failures but cannot say which, every entry counts as failed:
 * sending an event twice is harmless (consumers dedupe by eventId), losing one is not.
 */
export function failedEntryIndexes(result: PutEventsResult, sentCount: number): number[] {
  if (!result.FailedEntryCount) return [];
  const everything = Array.from({ length: sentCount }, (_, index) => index);
  const entries = result.Entries;
  if (!entries || entries.length !== sentCount) return everything;
  const failed = entries.flatMap((entry, index) => (entry.ErrorCode ? [index] : []));
  return failed.length > 0 ? failed : everything;
}
