/**
 * The relay's metrics (namespace of the stage, dimension `service` = `<service>-relay`),
 * named once for the function that emits them and the alarms that read them.
 */
export const relayMetrics = {
  /** Events put on the bus by one invocation (0 when its first chunk failed). */
  published: 'EventsPublished',
  /** PutEvents entries sent again after a partial failure. */
  entriesRetried: 'EventEntriesRetried',
  /** Records reported back to the mapping to be retried. */
  recordsLeftForRetry: 'RecordsLeftForRetry',
  /** Outbox records that can never be published (set aside after the mapping's retries). */
  poisonRecords: 'PoisonRecords',
} as const;
