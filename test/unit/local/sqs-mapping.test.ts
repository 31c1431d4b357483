import { afterEach, describe, expect, it } from '@jest/globals';
import { SqsMapping, toSqsEventRecord, type QueueSource } from '../../../local/esm/sqs-mapping.ts';
import { matchesPattern } from '../../../local/eventbridge/index.ts';
import { ThrottledError } from '../../../local/lambda/function-runtime.ts';
import type { InvocationOutcome } from '../../../local/lambda/sandbox.ts';
import type { SqsMessage } from '../../../local/sqs/sqs-service.ts';
import type { EventSourceMappingDefinition } from '../../../local/template/model.ts';
import { failed, mappingDefinition, succeeded, until } from './fakes.ts';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:q';

/** An in-memory queue: received messages stay "in flight" until deleted. */
class FakeQueue implements QueueSource {
  ready: SqsMessage[] = [];
  inFlight = new Map<string, SqsMessage>();
  deleted: string[] = [];
  add(...bodies: string[]): void {
    for (const body of bodies) {
      this.ready.push({
        MessageId: `id-${body}`,
        ReceiptHandle: `rh-${body}`,
        Body: body,
        Attributes: { ApproximateReceiveCount: '1' },
      });
    }
  }
  receive(max: number): Promise<SqsMessage[]> {
    const batch = this.ready.splice(0, max);
    for (const m of batch) this.inFlight.set(m.ReceiptHandle, m);
    // Stand-in for a long poll: an empty queue answers after a short wait.
    return new Promise((resolve) => setTimeout(() => resolve(batch), batch.length > 0 ? 0 : 5));
  }
  deleteMessages(handles: string[]): Promise<void> {
    for (const h of handles) {
      this.inFlight.delete(h);
      this.deleted.push(h.replace(/^rh-/, ''));
    }
    return Promise.resolve();
  }
}

let running: SqsMapping | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function start(
  queue: FakeQueue,
  overrides: Partial<EventSourceMappingDefinition>,
  behaviour: (bodies: string[]) => InvocationOutcome,
  options: { duplicate?: () => boolean; pollers?: number } = {},
): string[][] {
  const invocations: string[][] = [];
  running = new SqsMapping(mappingDefinition({ kind: 'sqs', sourceArn: QUEUE_ARN, ...overrides }), {
    source: queue,
    invoke: (payload) => {
      const bodies = (JSON.parse(payload) as { Records: { body: string }[] }).Records.map(
        (r) => r.body,
      );
      invocations.push(bodies);
      return Promise.resolve(behaviour(bodies));
    },
    matches: matchesPattern,
    log: () => undefined,
    queueArn: QUEUE_ARN,
    region: 'us-east-1',
    pollers: options.pollers ?? 1,
    backoffMs: 1,
    ...(options.duplicate ? { duplicate: options.duplicate } : {}),
  });
  running.start();
  return invocations;
}

describe('SqsMapping', () => {
  it('deletes the whole batch when the function succeeds', async () => {
    const queue = new FakeQueue();
    queue.add('a', 'b', 'c');
    const invocations = start(queue, { batchSize: 10 }, () => succeeded());
    await until(() => queue.deleted.length === 3);
    expect(invocations).toEqual([['a', 'b', 'c']]);
    expect(queue.inFlight.size).toBe(0);
  });

  it('deletes nothing when the function fails, so the messages return after the visibility timeout', async () => {
    const queue = new FakeQueue();
    queue.add('a', 'b');
    const invocations = start(queue, {}, () => failed());
    await until(() => invocations.length === 1);
    await running!.stop();
    expect(queue.deleted).toEqual([]);
    expect([...queue.inFlight.keys()]).toEqual(['rh-a', 'rh-b']);
  });

  it('with ReportBatchItemFailures, deletes all but the reported messages', async () => {
    const queue = new FakeQueue();
    queue.add('a', 'b', 'c');
    start(queue, { reportBatchItemFailures: true }, () =>
      succeeded({ batchItemFailures: [{ itemIdentifier: 'id-b' }] }),
    );
    await until(() => queue.deleted.length === 2);
    expect(queue.deleted.sort()).toEqual(['a', 'c']);
    expect([...queue.inFlight.keys()]).toEqual(['rh-b']);
  });

  it('treats a batch response naming an unknown message as a failure of the whole batch', async () => {
    const queue = new FakeQueue();
    queue.add('a', 'b');
    const invocations = start(queue, { reportBatchItemFailures: true }, () =>
      succeeded({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }),
    );
    await until(() => invocations.length === 1);
    await running!.stop();
    expect(queue.deleted).toEqual([]);
  });

  it('deletes messages that match no filter without invoking the function', async () => {
    const queue = new FakeQueue();
    queue.add(JSON.stringify({ type: 'keep' }), JSON.stringify({ type: 'drop' }), 'not json');
    const invocations = start(queue, { filters: [{ body: { type: ['keep'] } }] }, () =>
      succeeded(),
    );
    await until(() => queue.deleted.length === 3);
    expect(invocations).toEqual([[JSON.stringify({ type: 'keep' })]]);
  });

  it('leaves throttled messages for redelivery after the visibility timeout', async () => {
    const queue = new FakeQueue();
    queue.add('a');
    let calls = 0;
    start(queue, {}, () => {
      calls++;
      throw new ThrottledError();
    });
    await until(() => calls === 1);
    await running!.stop();
    expect(queue.deleted).toEqual([]);
  });

  it('delivers a message a second time when the duplicate-delivery fault fires', async () => {
    const queue = new FakeQueue();
    queue.add('a', 'b');
    const invocations = start(queue, {}, () => succeeded(), { duplicate: () => true });
    await until(() => queue.deleted.length === 2);
    expect(invocations).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('gathers up to BatchSize messages within the batching window', async () => {
    const queue = new FakeQueue();
    queue.add('a');
    const invocations = start(queue, { batchSize: 3, maximumBatchingWindowSeconds: 1 }, () =>
      succeeded(),
    );
    setTimeout(() => queue.add('b', 'c'), 50);
    await until(() => queue.deleted.length === 3, 5000);
    expect(invocations).toEqual([['a', 'b', 'c']]);
  });

  it('caps its pollers at ScalingConfig.MaximumConcurrency', () => {
    const mapping = new SqsMapping(mappingDefinition({ kind: 'sqs', maximumConcurrency: 2 }), {
      source: new FakeQueue(),
      invoke: () => Promise.resolve(succeeded()),
      matches: matchesPattern,
      log: () => undefined,
      queueArn: QUEUE_ARN,
      region: 'us-east-1',
      pollers: 5,
    });
    expect(mapping.pollerCount).toBe(2);
  });
});

describe('toSqsEventRecord', () => {
  it('builds the Lambda SQS record: attributes, message attributes in camel case, source ARN and region', () => {
    const record = toSqsEventRecord(
      {
        MessageId: 'm1',
        ReceiptHandle: 'r1',
        Body: 'hello',
        MD5OfBody: 'md5',
        Attributes: {
          ApproximateReceiveCount: '2',
          SentTimestamp: '1',
          MessageGroupId: 'g',
          Other: 'x',
        },
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'k' } },
      },
      QUEUE_ARN,
      'us-east-1',
    );
    expect(record).toEqual({
      messageId: 'm1',
      receiptHandle: 'r1',
      body: 'hello',
      attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1', MessageGroupId: 'g' },
      messageAttributes: {
        kind: { stringValue: 'k', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfBody: 'md5',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'us-east-1',
    });
  });
});
