import { randomUUID } from 'node:crypto';
import type { EventSourceMappingDefinition } from '../template/model.ts';
import type { InvocationOutcome } from '../lambda/sandbox.ts';
import { ThrottledError } from '../lambda/function-runtime.ts';
import type { LogSink } from '../ports.ts';
import { interpretBatchResponse } from './batch-response.ts';

/**
 * A DynamoDB Streams event source mapping with Lambda's semantics:
 * - one worker per shard: records in order, never two batches of a shard at once,
 *   parent shards finished before their children;
 * - filter criteria applied first (records that match no filter count as processed);
 * - batches of up to `BatchSize`, gathered for up to `MaximumBatchingWindowInSeconds`;
 * - on error: retried until `MaximumRetryAttempts` retries or `MaximumRecordAgeInSeconds`
 *   (both -1 = until the record expires), then discarded, with an invocation record
 *   sent to the on-failure destination;
 * - `BisectBatchOnFunctionError`: a failed batch is split in two and each half retried
 *   (splitting does not use up retries, so a poison record ends up alone);
 * - `ReportBatchItemFailures`: the checkpoint moves to the lowest reported sequence
 *   number; only that record and those after it are retried.
 */

/** A stream record as GetRecords returns it (the Lambda event's record shape). */
export interface StreamRecord {
  eventID?: string;
  eventName?: string;
  dynamodb: {
    SequenceNumber: string;
    ApproximateCreationDateTime?: number;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ShardInfo {
  shardId: string;
  parentShardId?: string | undefined;
}

/** Reading the stream (DynamoDB Streams API, or a fake in tests). */
export interface StreamSource {
  listShards(): Promise<ShardInfo[]>;
  /** An iterator for a shard: at its end, its start, or after a sequence number. */
  getIterator(
    shardId: string,
    type: 'LATEST' | 'TRIM_HORIZON' | 'AFTER_SEQUENCE_NUMBER',
    sequenceNumber?: string,
  ): Promise<string>;
  /** Records after the iterator; `nextIterator` undefined once a closed shard is fully read. */
  getRecords(
    iterator: string,
    limit: number,
  ): Promise<{ records: StreamRecord[]; nextIterator: string | undefined }>;
}

export interface StreamMappingDeps {
  source: StreamSource;
  /** Invokes the function with a serialized event (throws ThrottledError when throttled). */
  invoke: (payload: string) => Promise<InvocationOutcome>;
  /** Sends an on-failure record to the destination ARN. */
  sendToDestination: (arn: string, message: string) => Promise<void>;
  /** The filter pattern matcher (the EventBridge pattern language). */
  matches: (pattern: object, event: unknown) => boolean;
  log: LogSink;
  now?: () => number;
  /** Delay between polls of an idle shard (AWS polls 4 times a second). */
  pollIntervalMs?: number;
  /** Delay before retrying a failed batch. */
  retryDelayMs?: number;
  /** Region and stream ARN as the records should show them. */
  region: string;
  streamArn: string;
}

/** The outcome of one GetRecords: a page, or the error (handled where the page is used). */
type ShardPage = { records: StreamRecord[]; nextIterator: string | undefined };
type ShardRead = { page: ShardPage } | { error: unknown };

interface Pending {
  record: StreamRecord;
  /** When the record was read, if it carries no creation time. */
  readAt: number;
}

/** One batch being worked on, with the attempts it has used. */
interface Batch {
  items: Pending[];
  attempts: number;
}

export class StreamMapping {
  private readonly definition: EventSourceMappingDefinition;
  private readonly deps: StreamMappingDeps;
  private readonly workers = new Map<string, Promise<void>>();
  private readonly finishedShards = new Set<string>();
  private stopped = false;
  private discovery: Promise<void> | undefined;
  private readonly wake = new Set<() => void>();

  constructor(definition: EventSourceMappingDefinition, deps: StreamMappingDeps) {
    this.definition = definition;
    this.deps = deps;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Starts polling: shards existing now start at the mapping's starting position. */
  async start(): Promise<void> {
    const initial = await this.deps.source.listShards();
    for (const shard of initial)
      this.startWorker(
        shard,
        this.definition.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
      );
    this.discovery = this.discoverShards();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wake) wake();
    await Promise.allSettled([this.discovery, ...this.workers.values()]);
  }

  /** New shards (DynamoDB rolls shards over) are read from their start. */
  private async discoverShards(): Promise<void> {
    while (!this.stopped) {
      await this.pause(5000);
      if (this.stopped) break;
      try {
        for (const shard of await this.deps.source.listShards()) {
          if (!this.workers.has(shard.shardId)) this.startWorker(shard, 'TRIM_HORIZON');
        }
      } catch (error) {
        this.deps.log(
          `${this.definition.logicalId}: listing shards failed: ${(error as Error).message}`,
        );
      }
    }
  }

  private startWorker(shard: ShardInfo, position: 'LATEST' | 'TRIM_HORIZON'): void {
    const worker = this.runShard(shard, position).catch((error: Error) => {
      this.deps.log(
        `${this.definition.logicalId}: shard ${shard.shardId} stopped: ${error.message}`,
      );
    });
    this.workers.set(shard.shardId, worker);
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }

  private async runShard(shard: ShardInfo, position: 'LATEST' | 'TRIM_HORIZON'): Promise<void> {
    // Parent first: a child shard holds later changes to the same keys.
    while (
      shard.parentShardId &&
      this.workers.has(shard.parentShardId) &&
      !this.finishedShards.has(shard.parentShardId)
    ) {
      if (this.stopped) return;
      await this.pause(200);
    }
    const def = this.definition;
    let iterator: string | undefined = await this.deps.source.getIterator(shard.shardId, position);
    let lastRead: string | undefined;
    const buffer: Pending[] = [];
    let windowStart: number | undefined;
    const read = (from: string): Promise<ShardRead> =>
      this.deps.source.getRecords(from, Math.min(1000, def.batchSize)).then(
        (page) => ({ page }),
        (error: unknown) => ({ error }),
      );
    // The next page, read while the function works on the current batch.
    let readAhead: Promise<ShardRead> | undefined;
    while (!this.stopped) {
      if (iterator && buffer.length < def.batchSize) {
        const wasReadAhead = readAhead !== undefined;
        const result: ShardRead = await (readAhead ?? read(iterator));
        readAhead = undefined;
        if ('error' in result) {
          const error = result.error;
          // Iterators expire, and DynamoDB Local sometimes calls an idle iterator
          // trimmed: continue after the last record read (the stream keeps its order).
          const code = (error as { code?: string }).code ?? '';
          if (!/ExpiredIterator|TrimmedDataAccess/.test(code)) {
            this.deps.log(
              `${def.logicalId}: reading shard ${shard.shardId} failed: ${(error as Error).message}`,
            );
          }
          await this.pause(this.deps.pollIntervalMs ?? 200);
          if (this.stopped) break;
          iterator = lastRead
            ? await this.deps.source.getIterator(shard.shardId, 'AFTER_SEQUENCE_NUMBER', lastRead)
            : // Nothing read yet: from the start (the local tables start empty, so this
              // replays nothing the mapping was not meant to see).
              await this.deps.source.getIterator(shard.shardId, 'TRIM_HORIZON');
          continue;
        }
        const page: ShardPage = result.page;
        iterator = page.nextIterator;
        const readAt = this.now();
        for (const record of page.records) {
          lastRead = record.dynamodb.SequenceNumber;
          if (this.passesFilters(record)) buffer.push({ record, readAt });
        }
        // The read ahead started with the last batch: records written while that batch ran
        // are read now rather than a poll interval later.
        if (wasReadAhead && page.records.length === 0) continue;
      }
      if (buffer.length === 0) {
        windowStart = undefined;
        if (!iterator) break; // closed shard, fully processed
        await this.pause(this.deps.pollIntervalMs ?? 200);
        continue;
      }
      windowStart ??= this.now();
      const windowOpen = this.now() - windowStart < def.maximumBatchingWindowSeconds * 1000;
      if (buffer.length < def.batchSize && windowOpen && iterator) {
        await this.pause(Math.min(this.deps.pollIntervalMs ?? 200, 250));
        continue;
      }
      const items = buffer.splice(0, def.batchSize);
      windowStart = undefined;
      // Still one batch of the shard at a time, in order: only the reading of the next
      // records overlaps the invocation, so DynamoDB Local's GetRecords latency is not
      // added to every batch.
      if (iterator && buffer.length < def.batchSize) readAhead = read(iterator);
      await this.processBatch(shard.shardId, { items, attempts: 0 });
    }
    this.finishedShards.add(shard.shardId);
  }

  private passesFilters(record: StreamRecord): boolean {
    const filters = this.definition.filters;
    return (
      filters.length === 0 ||
      filters.some((pattern) => this.deps.matches(pattern, this.toEventRecord(record)))
    );
  }

  private toEventRecord(record: StreamRecord): StreamRecord {
    return { ...record, awsRegion: this.deps.region, eventSourceARN: this.deps.streamArn };
  }

  private ageMs(item: Pending): number {
    const created = item.record.dynamodb.ApproximateCreationDateTime;
    const at = typeof created === 'number' ? Math.min(created * 1000, item.readAt) : item.readAt;
    return this.now() - at;
  }

  /**
   * Works a batch until every record in it is processed or discarded. Batches split
   * by bisection or partial failure are worked in order, first half first.
   */
  private async processBatch(shardId: string, first: Batch): Promise<void> {
    const def = this.definition;
    const queue: Batch[] = [first];
    while (queue.length > 0 && !this.stopped) {
      const batch = queue.shift()!;
      // Records past their maximum age are discarded before any (re)try.
      if (def.maximumRecordAgeSeconds >= 0) {
        const expired = batch.items.filter(
          (i) => this.ageMs(i) > def.maximumRecordAgeSeconds * 1000,
        );
        if (expired.length > 0) {
          await this.discard(shardId, expired, 'RecordAgeExceeded', batch.attempts);
          batch.items = batch.items.filter((i) => !expired.includes(i));
          if (batch.items.length === 0) continue;
        }
      }
      const records = batch.items.map((i) => this.toEventRecord(i.record));
      let outcome: InvocationOutcome;
      try {
        outcome = await this.deps.invoke(JSON.stringify({ Records: records }));
      } catch (error) {
        if (!(error instanceof ThrottledError)) throw error;
        // Throttled: the same batch is retried later; it does not use up retries.
        queue.unshift(batch);
        await this.pause(this.deps.retryDelayMs ?? 500);
        continue;
      }
      const ids = batch.items.map((i) => i.record.dynamodb.SequenceNumber);
      const verdict = interpretBatchResponse(outcome, ids, def.reportBatchItemFailures);
      if (verdict.kind === 'success') continue;
      // Partial: everything before the lowest failed sequence number is done.
      let remaining = batch.items;
      if (verdict.kind === 'partial') {
        const lowest = batch.items.findIndex((i) =>
          verdict.failedIds.has(i.record.dynamodb.SequenceNumber),
        );
        remaining = batch.items.slice(lowest);
      } else {
        this.deps.log(`${def.logicalId}: batch of ${batch.items.length} failed: ${verdict.reason}`);
      }
      const attempts = batch.attempts + 1;
      const retriesLeft = def.maximumRetryAttempts < 0 || attempts <= def.maximumRetryAttempts;
      // AWS splits in two only a batch whose invocation failed. A partial response is
      // "bisected at the returned sequence number": the retry is the whole remainder, so a
      // record that keeps failing at its start takes every record after it to the
      // on-failure destination when the retries run out.
      if (def.bisectBatchOnFunctionError && verdict.kind !== 'partial' && remaining.length > 1) {
        const half = Math.ceil(remaining.length / 2);
        queue.unshift(
          { items: remaining.slice(0, half), attempts: 0 },
          { items: remaining.slice(half), attempts: 0 },
        );
        continue;
      }
      if (!retriesLeft) {
        await this.discard(shardId, remaining, 'RetryAttemptsExhausted', attempts);
        continue;
      }
      queue.unshift({ items: remaining, attempts });
      await this.pause(this.deps.retryDelayMs ?? 500);
    }
  }

  /** Skips records and reports them to the on-failure destination (if any). */
  private async discard(
    shardId: string,
    items: Pending[],
    condition: string,
    attempts: number,
  ): Promise<void> {
    const def = this.definition;
    const first = items[0]!.record;
    const last = items[items.length - 1]!.record;
    this.deps.log(
      `${def.logicalId}: discarding ${items.length} record(s) ${first.dynamodb.SequenceNumber}..${last.dynamodb.SequenceNumber} (${condition})`,
    );
    if (!def.onFailureArn) return;
    const arrival = (r: StreamRecord) =>
      new Date((r.dynamodb.ApproximateCreationDateTime ?? this.now() / 1000) * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
    const message = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: def.functionArn,
        condition,
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date(this.now()).toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first.dynamodb.SequenceNumber,
        endSequenceNumber: last.dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(last),
        batchSize: items.length,
        streamArn: this.deps.streamArn,
      },
    };
    await this.deps
      .sendToDestination(def.onFailureArn, JSON.stringify(message))
      .catch((error: Error) => {
        this.deps.log(
          `${def.logicalId}: could not send to on-failure destination: ${error.message}`,
        );
      });
  }
}
