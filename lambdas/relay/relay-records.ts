import type { DynamoDBBatchItemFailure, DynamoDBRecord } from 'aws-lambda';
import type { PutEventsEntry } from '../../events/index.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { chunkInOrder, putEventsEntrySize } from './chunk.ts';
import { readOutboxRecord, type OutboxRecord } from './outbox-record.ts';
import { failedEntryIndexes, type PutEventsResult } from './put-events-result.ts';

/** The port to EventBridge: one PutEvents call. */
export interface EventPublisher {
  /** Sends the entries in one call; rejects only when the call itself fails. */
  putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult>;
}

export interface RelayDeps {
  readonly publisher: EventPublisher;
  readonly eventBusName: string;
  /**
   * PutEvents attempts per chunk: the first send plus retries of only the failed entries.
   * @default 3
   */
  readonly maxAttempts?: number;
  /** @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffPolicy;
  /** @default a setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** Why the relay stopped before the end of the batch. */
export type RelayStop =
  | { reason: 'poison'; sequenceNumber: string; detail: string }
  | {
      reason: 'publish_failed';
      sequenceNumber: string;
      eventId: string;
      /** The error code of the last attempt (PutEvents entry error or the call's error name). */
      errorCode: string;
      errorMessage: string;
    };

export interface RelayOutcome {
  /** What the stream mapping must retry: every record from the first one not published. */
  readonly batchItemFailures: DynamoDBBatchItemFailure[];
  /** Events PutEvents accepted in this invocation. */
  readonly published: number;
  /** Records skipped because they are not new outbox items. */
  readonly ignored: number;
  /** Entries that failed an attempt and were sent again. */
  readonly retriedEntries: number;
  /** Set when the relay stopped early. */
  readonly stop?: RelayStop;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type EventRecord = Extract<OutboxRecord, { kind: 'event' }>;

/**
 * Publishes the outbox events of a batch of stream records, in stream order.
 *
 * A stream mapping resumes from the lowest sequence number reported as failed and
 * resends everything after it, so the relay stops at the first record it cannot
 * publish (a poison record, or an event PutEvents keeps refusing) and reports that
 * record and all after it: nothing after the stop is published now, so nothing is
 * published twice by the retry, beyond events that shared a PutEvents call with the
 * failed one (consumers dedupe by eventId). A poison record is reported too, so the
 * next batch starts with it; there {@link mustSplitBatch} has the invocation fail, and the
 * mapping's bisection and retry limit take it out to the failure destination alone.
 */
export async function relayRecords(
  records: readonly DynamoDBRecord[],
  deps: RelayDeps,
): Promise<RelayOutcome> {
  // Read everything first: a record without a sequence number fails the whole batch
  // before anything is published.
  const read = records.map((record) => readOutboxRecord(record, deps.eventBusName));
  const poisonAt = read.findIndex((record) => record.kind === 'poison');
  const publishable = poisonAt === -1 ? read : read.slice(0, poisonAt);
  const events = publishable.filter((record): record is EventRecord => record.kind === 'event');
  const ignored = publishable.length - events.length;

  let published = 0;
  let retriedEntries = 0;
  for (const chunk of chunkInOrder(events, (record) => putEventsEntrySize(record.entry))) {
    const result = await publishChunk(chunk, deps);
    published += chunk.length - result.failed.length;
    retriedEntries += result.retriedEntries;
    const firstFailed = result.failed[0];
    if (firstFailed) {
      return {
        batchItemFailures: failuresFrom(read, read.indexOf(firstFailed)),
        published,
        ignored,
        retriedEntries,
        stop: {
          reason: 'publish_failed',
          sequenceNumber: firstFailed.sequenceNumber,
          eventId: firstFailed.eventId,
          errorCode: result.lastError.code,
          errorMessage: result.lastError.message,
        },
      };
    }
  }

  const poison = read[poisonAt];
  if (poison?.kind === 'poison') {
    return {
      batchItemFailures: failuresFrom(read, poisonAt),
      published,
      ignored,
      retriedEntries,
      stop: { reason: 'poison', sequenceNumber: poison.sequenceNumber, detail: poison.reason },
    };
  }
  return { batchItemFailures: [], published, ignored, retriedEntries };
}

/**
 * Whether the invocation must fail instead of answering with batch item failures: when a
 * poison record heads a batch of several.
 *
 * With ReportBatchItemFailures and BisectBatchOnFunctionError both on, Lambda does not
 * split a batch that reports failures: it retries from the first reported record with
 * every record after it. A poison record at the head of that retry fails it every time,
 * and when the retries run out every record behind it goes to the failure destination
 * unpublished. A failed invocation is what Lambda splits in two, so failing it isolates
 * the poison record (alone in its batch, it is reported as usual and set aside) while the
 * other half is published. Nothing is published before a poison record at the head, so
 * failing the invocation publishes nothing twice.
 */
export function mustSplitBatch(outcome: RelayOutcome, batchSize: number): boolean {
  return (
    outcome.stop?.reason === 'poison' &&
    batchSize > 1 &&
    outcome.batchItemFailures.length === batchSize
  );
}

/** The batch item failures that make the mapping resume at `index`: it and every later record. */
export function failuresFrom(
  records: readonly OutboxRecord[],
  index: number,
): DynamoDBBatchItemFailure[] {
  return records.slice(index).map((record) => ({ itemIdentifier: record.sequenceNumber }));
}

interface ChunkResult {
  /** Records still not accepted after the last attempt, in stream order. */
  failed: EventRecord[];
  lastError: { code: string; message: string };
  retriedEntries: number;
}

/** Sends a chunk, then resends only its failed entries, with backoff, a bounded number of times. */
async function publishChunk(chunk: readonly EventRecord[], deps: RelayDeps): Promise<ChunkResult> {
  const maxAttempts = deps.maxAttempts ?? 3;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  let pending = [...chunk];
  let lastError: ChunkResult['lastError'];
  let retriedEntries = 0;
  for (let attempt = 1; ; attempt++) {
    let failed: number[];
    try {
      const result = await deps.publisher.putEvents(pending.map((record) => record.entry));
      failed = failedEntryIndexes(result, pending.length);
      const firstError = result.Entries?.find((entry) => entry.ErrorCode);
      lastError = {
        code: firstError?.ErrorCode ?? 'UnknownFailure',
        message: firstError?.ErrorMessage ?? 'PutEvents reported failures it did not detail',
      };
    } catch (error) {
      // The client already retried what it could; count every entry of the call as failed.
      failed = pending.map((_, index) => index);
      lastError = {
        code: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : String(error),
      };
    }
    pending = failed.flatMap((index) => pending[index] ?? []);
    if (pending.length === 0 || attempt >= maxAttempts) {
      return { failed: pending, lastError, retriedEntries };
    }
    retriedEntries += pending.length;
    await sleep(backoffDelay(attempt, random, deps.backoff ?? DEFAULT_BACKOFF));
  }
}
