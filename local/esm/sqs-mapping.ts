import type { EventSourceMappingDefinition } from '../template/model.ts';
import type { InvocationOutcome } from '../lambda/sandbox.ts';
import { ThrottledError } from '../lambda/function-runtime.ts';
import type { SqsMessage } from '../sqs/sqs-service.ts';
import type { LogSink } from '../ports.ts';
import { interpretBatchResponse } from './batch-response.ts';

/**
 * An SQS event source mapping with Lambda's semantics:
 * - a few concurrent pollers, long polling; at most `ScalingConfig.MaximumConcurrency`
 *   and the function's reserved concurrency;
 * - batches of up to `BatchSize`, gathered for up to `MaximumBatchingWindowInSeconds`;
 * - messages that match no filter are deleted without invoking the function;
 * - success deletes the batch; a failure (error, timeout, throttle, malformed partial
 *   response) deletes nothing: the messages come back after the queue's visibility
 *   timeout, and SQS moves them to the DLQ after `maxReceiveCount` receives;
 * - `ReportBatchItemFailures`: only the reported messages stay, the others are deleted.
 */

export interface QueueSource {
  receive(max: number, waitSeconds: number): Promise<SqsMessage[]>;
  deleteMessages(receiptHandles: string[]): Promise<void>;
}

export interface SqsMappingDeps {
  source: QueueSource;
  invoke: (payload: string) => Promise<InvocationOutcome>;
  matches: (pattern: object, event: unknown) => boolean;
  log: LogSink;
  queueArn: string;
  region: string;
  /** Pollers to run (before the caps of the mapping and the function). */
  pollers: number;
  /** Fault: deliver this message a second time. */
  duplicate?: () => boolean;
  /** Long-poll wait (SQS maximum, 20 s, as Lambda uses). */
  waitSeconds?: number;
  /** Pause after a throttled or failed batch before polling again. */
  backoffMs?: number;
}

/** The Lambda SQS event record for a received message. */
export function toSqsEventRecord(
  message: SqsMessage,
  queueArn: string,
  region: string,
): Record<string, unknown> {
  const attributes: Record<string, string> = {};
  const names = [
    'ApproximateReceiveCount',
    'SentTimestamp',
    'SenderId',
    'ApproximateFirstReceiveTimestamp',
    'SequenceNumber',
    'MessageGroupId',
    'MessageDeduplicationId',
    'AWSTraceHeader',
  ];
  for (const name of names) {
    const value = message.Attributes?.[name];
    if (value !== undefined) attributes[name] = value;
  }
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes
      ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
      : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** The record as filter criteria see it: `body` parsed when it is JSON. */
function filterView(record: Record<string, unknown>): Record<string, unknown> {
  const body = record.body;
  if (typeof body !== 'string') return record;
  try {
    return { ...record, body: JSON.parse(body) as unknown };
  } catch {
    return record;
  }
}

export class SqsMapping {
  private readonly definition: EventSourceMappingDefinition;
  private readonly deps: SqsMappingDeps;
  private readonly pollers: Promise<void>[] = [];
  private stopped = false;

  constructor(definition: EventSourceMappingDefinition, deps: SqsMappingDeps) {
    this.definition = definition;
    this.deps = deps;
  }

  /** Number of concurrent pollers, after the mapping's MaximumConcurrency cap. */
  get pollerCount(): number {
    return Math.max(1, Math.min(this.deps.pollers, this.definition.maximumConcurrency ?? Infinity));
  }

  start(): void {
    for (let i = 0; i < this.pollerCount; i++) {
      this.pollers.push(
        this.poll().catch((error: Error) => {
          if (!this.stopped)
            this.deps.log(`${this.definition.logicalId}: poller stopped: ${error.message}`);
        }),
      );
    }
  }

  /** Stops polling; in-flight batches finish (the caller stops the queue to end long polls). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.pollers);
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const messages = await this.collect();
      if (messages.length === 0 || this.stopped) continue;
      try {
        await this.handle(messages);
      } catch (error) {
        if (this.stopped) return;
        this.deps.log(`${this.definition.logicalId}: ${(error as Error).message}`);
        await this.backoff();
      }
    }
  }

  /** Gathers a batch: up to BatchSize messages, waiting at most the batching window once one arrived. */
  private async collect(): Promise<SqsMessage[]> {
    const def = this.definition;
    const wait = this.deps.waitSeconds ?? 20;
    const batch = await this.deps.source.receive(Math.min(10, def.batchSize), wait);
    if (batch.length === 0 || def.maximumBatchingWindowSeconds <= 0) return batch;
    const deadline = Date.now() + def.maximumBatchingWindowSeconds * 1000;
    while (batch.length < def.batchSize && !this.stopped) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) break;
      const more = await this.deps.source.receive(
        Math.min(10, def.batchSize - batch.length),
        Math.min(wait, Math.max(0, Math.floor(remainingMs / 1000))),
      );
      batch.push(...more);
      if (more.length === 0 && remainingMs < 1000) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(remainingMs, 100)));
      }
    }
    return batch;
  }

  private async handle(messages: SqsMessage[]): Promise<void> {
    const def = this.definition;
    const records = messages.map((m) => toSqsEventRecord(m, this.deps.queueArn, this.deps.region));
    const selected = records.filter(
      (r) =>
        def.filters.length === 0 || def.filters.some((p) => this.deps.matches(p, filterView(r))),
    );
    const filteredOut = records.filter((r) => !selected.includes(r));
    // Lambda deletes messages that match no filter.
    if (filteredOut.length > 0)
      await this.deps.source.deleteMessages(filteredOut.map((r) => String(r.receiptHandle)));
    if (selected.length === 0) return;

    let outcome: InvocationOutcome;
    try {
      outcome = await this.deps.invoke(JSON.stringify({ Records: selected }));
    } catch (error) {
      if (!(error instanceof ThrottledError)) throw error;
      // Throttled: the messages become visible again after the visibility timeout.
      await this.backoff();
      return;
    }
    const ids = selected.map((r) => String(r.messageId));
    const verdict = interpretBatchResponse(outcome, ids, def.reportBatchItemFailures);

    // Fault injection: redeliver some messages (SQS is at least once).
    const duplicates = selected.filter(() => this.deps.duplicate?.() ?? false);
    if (duplicates.length > 0) {
      await this.deps.invoke(JSON.stringify({ Records: duplicates })).catch(() => undefined);
    }

    if (verdict.kind === 'success') {
      await this.deps.source.deleteMessages(selected.map((r) => String(r.receiptHandle)));
    } else if (verdict.kind === 'partial') {
      const done = selected.filter((r) => !verdict.failedIds.has(String(r.messageId)));
      if (done.length > 0)
        await this.deps.source.deleteMessages(done.map((r) => String(r.receiptHandle)));
    } else {
      this.deps.log(
        `${def.logicalId}: batch of ${selected.length} failed (${verdict.reason}); messages return after the visibility timeout`,
      );
    }
  }

  private async backoff(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.deps.backoffMs ?? 500));
  }
}
