import type { EventSourceMappingDefinition } from '../../../local/template/model.ts';
import type { InvocationOutcome } from '../../../local/lambda/sandbox.ts';
import type { StreamRecord, StreamSource } from '../../../local/esm/stream-mapping.ts';

/** A mapping definition with AWS defaults and fast local settings, overridable per test. */
export function mappingDefinition(
  overrides: Partial<EventSourceMappingDefinition> = {},
): EventSourceMappingDefinition {
  return {
    logicalId: 'Mapping',
    uuid: 'uuid',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    sourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
    kind: 'dynamodb',
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    filters: [],
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeSeconds: -1,
    reportBatchItemFailures: false,
    parallelizationFactor: 1,
    enabled: true,
    ...overrides,
  };
}

export const succeeded = (result: unknown = null): InvocationOutcome => ({
  ok: true,
  payload: JSON.stringify(result),
  durationMs: 1,
});

export const failed = (message = 'boom'): InvocationOutcome => ({
  ok: false,
  error: { errorType: 'Error', errorMessage: message, trace: [] },
  durationMs: 1,
});

/** A stream record for key `key` at sequence number `seq`. */
export function streamRecord(
  seq: number,
  key: string,
  options: { eventName?: string; createdAt?: number } = {},
): StreamRecord {
  return {
    eventID: `e${seq}`,
    eventName: options.eventName ?? 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: String(seq).padStart(21, '0'),
      ApproximateCreationDateTime: (options.createdAt ?? Date.now()) / 1000,
      Keys: { pk: { S: key } },
      NewImage: { pk: { S: key } },
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** One open shard holding `records` (more can be appended while the mapping runs). */
export function fakeStream(records: StreamRecord[]): StreamSource & { records: StreamRecord[] } {
  return {
    records,
    listShards: () => Promise.resolve([{ shardId: 'shard-1' }]),
    getIterator: (_shard, type) =>
      Promise.resolve(type === 'LATEST' ? String(records.length) : '0'),
    getRecords: (iterator, limit) => {
      const from = Number(iterator);
      const page = records.slice(from, from + limit);
      return Promise.resolve({ records: page, nextIterator: String(from + page.length) });
    },
  };
}

/** Polls a condition (a deadline, never a fixed sleep). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The keys of the records in an invocation payload. */
export function keysOf(payload: string): string[] {
  const event = JSON.parse(payload) as { Records: StreamRecord[] };
  return event.Records.map((r) => String((r.dynamodb.Keys as { pk: { S: string } }).pk.S));
}
