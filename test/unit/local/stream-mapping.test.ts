import { afterEach, describe, expect, it } from '@jest/globals';
import { StreamMapping, type StreamMappingDeps } from '../../../local/esm/stream-mapping.ts';
import { matchesPattern } from '../../../local/eventbridge/index.ts';
import { ThrottledError } from '../../../local/lambda/function-runtime.ts';
import type { InvocationOutcome } from '../../../local/lambda/sandbox.ts';
import type { EventSourceMappingDefinition } from '../../../local/template/model.ts';
import {
  failed,
  fakeStream,
  keysOf,
  mappingDefinition,
  streamRecord,
  succeeded,
  until,
} from './fakes.ts';

let running: StreamMapping | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

interface Harness {
  invocations: string[][];
  destination: { arn: string; message: Record<string, unknown> }[];
  stream: ReturnType<typeof fakeStream>;
}

/** Starts a mapping over `keys` whose function answers with `behaviour(keys of the batch, attempt)`. */
async function run(
  keys: string[],
  overrides: Partial<EventSourceMappingDefinition>,
  behaviour: (batch: string[]) => InvocationOutcome | Promise<InvocationOutcome>,
  deps: Partial<StreamMappingDeps> = {},
): Promise<Harness> {
  const harness: Harness = {
    invocations: [],
    destination: [],
    stream: fakeStream(keys.map((k, i) => streamRecord(i + 1, k))),
  };
  running = new StreamMapping(mappingDefinition(overrides), {
    source: harness.stream,
    invoke: (payload) => {
      const batch = keysOf(payload);
      harness.invocations.push(batch);
      return Promise.resolve(behaviour(batch));
    },
    sendToDestination: (arn, message) => {
      harness.destination.push({ arn, message: JSON.parse(message) as Record<string, unknown> });
      return Promise.resolve();
    },
    matches: matchesPattern,
    log: () => undefined,
    region: 'us-east-1',
    streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
    pollIntervalMs: 5,
    retryDelayMs: 1,
    ...deps,
  });
  await running.start();
  return harness;
}

const delivered = (h: Harness, ok: (batch: string[]) => boolean) => h.invocations.filter(ok).flat();

describe('StreamMapping', () => {
  it('delivers records in order, in batches of at most BatchSize', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const h = await run(keys, { batchSize: 2 }, () => succeeded());
    await until(() => h.invocations.flat().length === 5);
    expect(h.invocations).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('delivers records appended later to the shard', async () => {
    const h = await run(['a'], {}, () => succeeded());
    await until(() => h.invocations.length === 1);
    h.stream.records.push(streamRecord(2, 'b'));
    await until(() => h.invocations.length === 2);
    expect(h.invocations[1]).toEqual(['b']);
  });

  it('never runs two batches of a shard at once', async () => {
    let active = 0;
    let peak = 0;
    const h = await run(['a', 'b', 'c', 'd'], { batchSize: 1 }, async () => {
      peak = Math.max(peak, ++active);
      await new Promise((resolve) => setTimeout(resolve, 10));
      active--;
      return succeeded();
    });
    await until(() => h.invocations.length === 4);
    expect(peak).toBe(1);
  });

  it('requests the next records while the function works on a batch, and delivers them in order', async () => {
    const source = fakeStream(['a', 'b', 'c'].map((k, i) => streamRecord(i + 1, k)));
    let reads = 0;
    const readsWhenInvoked: number[] = [];
    const h = await run(
      [],
      { batchSize: 1 },
      () => {
        readsWhenInvoked.push(reads);
        return succeeded();
      },
      {
        source: {
          ...source,
          getRecords: (iterator, limit) => {
            reads++;
            return source.getRecords(iterator, limit);
          },
        },
      },
    );
    await until(() => h.invocations.length === 3);
    expect(h.invocations).toEqual([['a'], ['b'], ['c']]);
    // Without reading ahead, 'a' would be invoked after the first read only.
    expect(readsWhenInvoked[0]).toBe(2);
  });

  it('reads again at once, not a poll interval later, when the page read ahead was empty', async () => {
    const source = fakeStream([streamRecord(1, 'a')]);
    const h = await run(
      [],
      {},
      (batch) => {
        // Written while the batch runs, after the read ahead found nothing.
        if (batch[0] === 'a') source.records.push(streamRecord(2, 'b'));
        return succeeded();
      },
      { source, pollIntervalMs: 60_000 },
    );
    await until(() => h.invocations.length === 2, 3000);
    expect(h.invocations).toEqual([['a'], ['b']]);
  });

  it('skips records that match no filter without invoking the function', async () => {
    const h = await run(['a', 'b'], { filters: [{ eventName: ['MODIFY'] }] }, () => succeeded());
    h.stream.records.push({ ...streamRecord(3, 'c'), eventName: 'MODIFY' });
    await until(() => h.invocations.length === 1);
    expect(h.invocations).toEqual([['c']]);
  });

  it('retries a failing batch MaximumRetryAttempts times, then sends its description to the on-failure destination and moves on', async () => {
    const h = await run(
      ['a', 'poison', 'b'],
      {
        batchSize: 3,
        maximumRetryAttempts: 2,
        onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:failures',
      },
      (batch) => (batch.includes('poison') ? failed() : succeeded()),
    );
    await until(() => h.destination.length === 1);
    h.stream.records.push(streamRecord(4, 'after'));
    await until(() => h.invocations.some((b) => b.includes('after')));
    // One attempt and two retries of the whole batch, then the next records.
    expect(h.invocations.slice(0, 3)).toEqual([
      ['a', 'poison', 'b'],
      ['a', 'poison', 'b'],
      ['a', 'poison', 'b'],
    ]);
    expect(h.destination[0]).toMatchObject({
      arn: 'arn:aws:sqs:us-east-1:000000000000:failures',
      message: {
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
        DDBStreamBatchInfo: {
          shardId: 'shard-1',
          batchSize: 3,
          startSequenceNumber: '000000000000000000001',
        },
      },
    });
  });

  it('with BisectBatchOnFunctionError, isolates a poison record and delivers every other record', async () => {
    const h = await run(
      ['a', 'b', 'poison', 'c', 'd'],
      {
        batchSize: 5,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 1,
        onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:failures',
      },
      (batch) => (batch.includes('poison') ? failed() : succeeded()),
    );
    await until(
      () => delivered(h, (b) => !b.includes('poison')).length === 4 && h.destination.length === 1,
    );
    expect(delivered(h, (b) => !b.includes('poison'))).toEqual(['a', 'b', 'c', 'd']);
    expect(h.destination).toHaveLength(1);
    expect(h.destination[0]!.message).toMatchObject({
      DDBStreamBatchInfo: { batchSize: 1, startSequenceNumber: '000000000000000000003' },
    });
    // The poison record alone: one attempt and one retry.
    expect(h.invocations.filter((b) => b.length === 1 && b[0] === 'poison')).toHaveLength(2);
  });

  it('with ReportBatchItemFailures and bisection, retries a partial failure from the reported record without splitting it, as AWS does', async () => {
    const h = await run(
      ['a', 'poison', 'b', 'c'],
      {
        batchSize: 4,
        reportBatchItemFailures: true,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
        onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:failures',
      },
      (batch) => {
        const at = batch.indexOf('poison');
        if (at === -1) return succeeded({ batchItemFailures: [] });
        const sequence = (key: string) => String(['a', 'poison', 'b', 'c'].indexOf(key) + 1);
        return succeeded({
          batchItemFailures: batch
            .slice(at)
            .map((key) => ({ itemIdentifier: sequence(key).padStart(21, '0') })),
        });
      },
    );
    await until(() => h.destination.length === 1);
    expect(h.invocations).toEqual([
      ['a', 'poison', 'b', 'c'],
      ['poison', 'b', 'c'],
      ['poison', 'b', 'c'],
    ]);
    expect(h.destination[0]!.message).toMatchObject({
      DDBStreamBatchInfo: { batchSize: 3, startSequenceNumber: '000000000000000000002' },
    });
  });

  it('discards records older than MaximumRecordAgeInSeconds instead of retrying them', async () => {
    let now = Date.now();
    const h = await run(
      ['old'],
      { maximumRecordAgeSeconds: 60, onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:failures' },
      () => {
        now += 61_000; // the record ages past its limit while the function fails
        return failed();
      },
      { now: () => now },
    );
    await until(() => h.destination.length === 1);
    expect(h.invocations).toEqual([['old']]);
    expect(h.destination[0]!.message).toMatchObject({
      requestContext: { condition: 'RecordAgeExceeded' },
    });
  });

  it('with ReportBatchItemFailures, resumes from the lowest reported sequence number', async () => {
    let first = true;
    const h = await run(
      ['a', 'b', 'c', 'd'],
      { batchSize: 4, reportBatchItemFailures: true },
      () => {
        if (!first) return succeeded({ batchItemFailures: [] });
        first = false;
        return succeeded({
          batchItemFailures: [
            { itemIdentifier: '000000000000000000004' },
            { itemIdentifier: '000000000000000000002' },
          ],
        });
      },
    );
    await until(() => h.invocations.length === 2);
    expect(h.invocations).toEqual([
      ['a', 'b', 'c', 'd'],
      ['b', 'c', 'd'],
    ]);
  });

  it('treats a malformed batch response as a failure of the whole batch', async () => {
    const answers = [succeeded({ batchItemFailures: [{ itemIdentifier: '' }] }), succeeded(null)];
    const h = await run(
      ['a', 'b'],
      { batchSize: 2, reportBatchItemFailures: true },
      () => answers.shift() ?? succeeded(),
    );
    await until(() => h.invocations.length === 2);
    expect(h.invocations).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('retries a throttled batch without using up its retries', async () => {
    let throttles = 2;
    const h = await run(
      ['a'],
      { maximumRetryAttempts: 0, onFailureArn: 'arn:aws:sqs:us-east-1:000000000000:f' },
      () => {
        if (throttles-- > 0) throw new ThrottledError();
        return succeeded();
      },
    );
    await until(() => h.invocations.length === 3);
    expect(h.destination).toEqual([]);
  });

  it('gathers records for up to MaximumBatchingWindowInSeconds before invoking', async () => {
    const h = await run(['a'], { batchSize: 3, maximumBatchingWindowSeconds: 1 }, () =>
      succeeded(),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    h.stream.records.push(streamRecord(2, 'b'));
    await until(() => h.invocations.length === 1, 5000);
    expect(h.invocations[0]).toEqual(['a', 'b']);
  });
});
