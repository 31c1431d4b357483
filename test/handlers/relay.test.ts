import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toPutEventsEntry, type PutEventsEntry } from '../../events/index.ts';
import type { PutEventsResult } from '../../lambdas/relay/put-events-result.ts';
import {
  mustSplitBatch,
  relayRecords,
  type EventPublisher,
} from '../../lambdas/relay/relay-records.ts';
import {
  BUS,
  confirmedEvent,
  eventIdsOf,
  insertRecord,
  outboxRecord,
  outboxRecords,
  outboxRecordWithEvent,
  sequenceOf,
} from './relay-fixtures.ts';
import {
  bodyOf,
  jsonAnswer,
  startCaptureServer,
  type CannedAnswer,
  type CaptureServer,
} from '../unit/shared/aws/capture-server.ts';

type Respond = (entries: readonly PutEventsEntry[], call: number) => PutEventsResult;

/** A PutEvents port that records every call and answers as the test scripts. */
function fakePublisher(respond: Respond = (entries) => accepted(entries)) {
  const calls: PutEventsEntry[][] = [];
  const publisher: EventPublisher = {
    putEvents: (entries) => {
      calls.push([...entries]);
      const call = calls.length;
      // A response that throws becomes a rejected call, like a failed SDK send.
      return Promise.resolve().then(() => respond(entries, call));
    },
  };
  return { publisher, calls };
}

/** A response accepting every entry except those at `failedAt`. */
function accepted(entries: readonly PutEventsEntry[], failedAt: readonly number[] = []) {
  return {
    FailedEntryCount: failedAt.length,
    Entries: entries.map((_, index) =>
      failedAt.includes(index)
        ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }
        : { EventId: `eb-${index}` },
    ),
  };
}

/** Relay dependencies without real waiting. */
function depsWith(publisher: EventPublisher) {
  const sleeps: number[] = [];
  return {
    sleeps,
    deps: {
      publisher,
      eventBusName: BUS,
      sleep: (ms: number) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    },
  };
}

const sequencesFrom = (first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, i) => ({ itemIdentifier: sequenceOf(first + i) }));

describe('relayRecords', () => {
  it('publishes 25 records in three PutEvents calls of 10, 10 and 5 entries, in stream order', async () => {
    const { publisher, calls } = fakePublisher();
    const { deps } = depsWith(publisher);

    const outcome = await relayRecords(outboxRecords(25), deps);

    expect(calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(calls.flatMap(eventIdsOf)).toEqual(
      Array.from({ length: 25 }, (_, n) => confirmedEvent(n).eventId),
    );
    expect(outcome.batchItemFailures).toEqual([]);
    expect(outcome.published).toBe(25);
  });

  it('sends each event as the entry its contract defines, on the configured bus', async () => {
    const { publisher, calls } = fakePublisher();
    const { deps } = depsWith(publisher);

    await relayRecords([outboxRecord(7)], deps);

    expect(calls).toEqual([[toPutEventsEntry(confirmedEvent(7), BUS)]]);
  });

  it('resends only the entries PutEvents failed, then reports no failure', async () => {
    const { publisher, calls } = fakePublisher((entries, call) =>
      call === 1 ? accepted(entries, [2, 7]) : accepted(entries),
    );
    const { deps } = depsWith(publisher);

    const outcome = await relayRecords(outboxRecords(10), deps);

    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([calls[0]![2], calls[0]![7]]);
    expect(eventIdsOf(calls[1]!)).toEqual([confirmedEvent(2).eventId, confirmedEvent(7).eventId]);
    expect(outcome).toMatchObject({ batchItemFailures: [], published: 10, retriedEntries: 2 });
  });

  it('waits with growing, jittered delays between attempts', async () => {
    const { publisher } = fakePublisher((entries) => accepted(entries, [0]));
    const { deps, sleeps } = depsWith(publisher);

    await relayRecords(outboxRecords(1), { ...deps, maxAttempts: 4, random: () => 0.999 });

    expect(sleeps).toHaveLength(3);
    expect(sleeps[0]!).toBeLessThan(sleeps[1]!);
    expect(sleeps[1]!).toBeLessThan(sleeps[2]!);
  });

  it('reports the first record that keeps failing and every later one, and publishes nothing after it', async () => {
    // Record 13 (4th entry of the second chunk) is refused on every attempt.
    const refused = confirmedEvent(13).eventId;
    const { publisher, calls } = fakePublisher((entries) =>
      accepted(
        entries,
        eventIdsOf(entries).flatMap((id, index) => (id === refused ? [index] : [])),
      ),
    );
    const { deps } = depsWith(publisher);

    const outcome = await relayRecords(outboxRecords(25), { ...deps, maxAttempts: 3 });

    expect(calls.map(eventIdsOf)).toEqual([
      eventIdsOf(calls[0]!), // records 0-9, all accepted
      Array.from({ length: 10 }, (_, i) => confirmedEvent(10 + i).eventId),
      [refused],
      [refused],
    ]);
    // Records 20-24 (the third chunk) were never sent.
    expect(calls.flat()).toHaveLength(22);
    expect(outcome.batchItemFailures).toEqual(sequencesFrom(13, 24));
    expect(outcome.published).toBe(19);
    expect(outcome.stop).toMatchObject({
      reason: 'publish_failed',
      sequenceNumber: sequenceOf(13),
      eventId: refused,
      errorCode: 'ThrottlingException',
    });
  });

  it('treats a PutEvents call that throws as a failure of all its entries', async () => {
    const { publisher, calls } = fakePublisher(() => {
      throw Object.assign(new Error('Access denied'), { name: 'AccessDeniedException' });
    });
    const { deps } = depsWith(publisher);

    const outcome = await relayRecords(outboxRecords(12), { ...deps, maxAttempts: 2 });

    expect(calls.map((call) => call.length)).toEqual([10, 10]);
    expect(outcome.batchItemFailures).toEqual(sequencesFrom(0, 11));
    expect(outcome.stop).toMatchObject({
      reason: 'publish_failed',
      errorCode: 'AccessDeniedException',
    });
  });

  it('counts every entry as failed when PutEvents reports failures without saying which', async () => {
    const { publisher, calls } = fakePublisher((_, call) =>
      call === 1 ? { FailedEntryCount: 1 } : { FailedEntryCount: 0, Entries: [] },
    );
    const { deps } = depsWith(publisher);

    const outcome = await relayRecords(outboxRecords(3), deps);

    expect(calls.map(eventIdsOf)).toEqual([eventIdsOf(calls[0]!), eventIdsOf(calls[0]!)]);
    expect(outcome.batchItemFailures).toEqual([]);
  });

  it.each([
    ['is not JSON', '{not json'],
    ['has an unknown type', JSON.stringify({ ...confirmedEvent(3), type: 'OrderTeleported' })],
    ['breaks its contract', JSON.stringify({ ...confirmedEvent(3), data: { total: -1 } })],
  ])(
    'reports a poison record whose event %s, after publishing the records before it',
    async (_, event) => {
      const { publisher, calls } = fakePublisher();
      const { deps } = depsWith(publisher);
      const records = [...outboxRecords(3), outboxRecordWithEvent(3, event), outboxRecord(4)];

      const outcome = await relayRecords(records, deps);

      expect(calls.map(eventIdsOf)).toEqual([[0, 1, 2].map((n) => confirmedEvent(n).eventId)]);
      expect(outcome.batchItemFailures).toEqual(sequencesFrom(3, 4));
      expect(outcome.stop).toMatchObject({ reason: 'poison', sequenceNumber: sequenceOf(3) });
    },
  );

  it('reports a poison record at the head of the batch without publishing anything', async () => {
    const { publisher, calls } = fakePublisher();
    const { deps } = depsWith(publisher);
    const records = [outboxRecordWithEvent(0, 'null'), ...outboxRecords(3).slice(1)];

    const outcome = await relayRecords(records, deps);

    expect(calls).toEqual([]);
    expect(outcome.batchItemFailures).toEqual(sequencesFrom(0, 2));
  });

  it('has the invocation fail only for a poison record at the head of a batch of several', async () => {
    const { publisher } = fakePublisher();
    const { deps } = depsWith(publisher);
    const headed = await relayRecords([outboxRecordWithEvent(0, 'null'), outboxRecord(1)], deps);
    const alone = await relayRecords([outboxRecordWithEvent(0, 'null')], deps);
    const later = await relayRecords([outboxRecord(0), outboxRecordWithEvent(1, 'null')], deps);
    const refused = await relayRecords(
      outboxRecords(2),
      depsWith(fakePublisher((entries) => accepted(entries, [0, 1])).publisher).deps,
    );

    // Lambda splits only a failed invocation; a reported head would be retried with all
    // the records behind it until they all went to the failure destination.
    expect(mustSplitBatch(headed, 2)).toBe(true);
    // Alone, it is reported, retried and set aside by the mapping as usual.
    expect(mustSplitBatch(alone, 1)).toBe(false);
    // Not at the head: reporting it lets the mapping check the record before it off.
    expect(mustSplitBatch(later, 2)).toBe(false);
    // EventBridge refusing entries is no poison: splitting would not help an outage.
    expect(mustSplitBatch(refused, 2)).toBe(false);
  });

  it('reports a failure before a later poison record, publishing neither', async () => {
    const { publisher, calls } = fakePublisher((entries) => accepted(entries, [1]));
    const { deps } = depsWith(publisher);
    const records = [...outboxRecords(2), outboxRecordWithEvent(2, '{}')];

    const outcome = await relayRecords(records, { ...deps, maxAttempts: 1 });

    expect(calls).toHaveLength(1);
    expect(outcome.batchItemFailures).toEqual(sequencesFrom(1, 2));
    expect(outcome.stop).toMatchObject({ reason: 'publish_failed' });
  });

  it('skips records that are not new outbox items', async () => {
    const { publisher, calls } = fakePublisher();
    const { deps } = depsWith(publisher);
    const businessItem = insertRecord({ pk: 'ORDER#1', sk: 'ORDER', entityType: 'ORDER' }, '1');
    const modified = { ...outboxRecord(1), eventName: 'MODIFY' as const };

    const outcome = await relayRecords([businessItem, modified, outboxRecord(2)], deps);

    expect(calls.map(eventIdsOf)).toEqual([[confirmedEvent(2).eventId]]);
    expect(outcome).toMatchObject({ batchItemFailures: [], published: 1, ignored: 2 });
  });

  it('does nothing for an empty batch', async () => {
    const { publisher, calls } = fakePublisher();
    const { deps } = depsWith(publisher);

    const outcome = await relayRecords([], deps);

    expect(calls).toEqual([]);
    expect(outcome).toEqual({ batchItemFailures: [], published: 0, ignored: 0, retriedEntries: 0 });
  });

  it('fails the whole batch, publishing nothing, when a record has no sequence number', async () => {
    const { publisher, calls } = fakePublisher();
    const { deps } = depsWith(publisher);
    const broken = outboxRecord(1);
    delete broken.dynamodb!.SequenceNumber;

    await expect(relayRecords([outboxRecord(0), broken], deps)).rejects.toThrow(/SequenceNumber/);
    expect(calls).toEqual([]);
  });
});

describe('relay handler', () => {
  // A stand-in EventBridge endpoint: the handler reaches it through AWS_ENDPOINT_URL,
  // as it reaches the local cloud, so this runs the entry module as deployed.
  type Answer = (entries: PutEventsRequestEntry[]) => CannedAnswer;
  let answer: Answer;
  let eventBridge: CaptureServer;
  let handler: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
  const context = {
    functionName: 'relay',
    awsRequestId: 'req-1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:relay',
    memoryLimitInMB: '256',
    functionVersion: '$LATEST',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;

  beforeAll(async () => {
    eventBridge = await startCaptureServer((request) =>
      answer(bodyOf<{ Entries: PutEventsRequestEntry[] }>(request).Entries),
    );
    process.env.EVENT_BUS_NAME = BUS;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    process.env.AWS_ENDPOINT_URL = eventBridge.url;
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'Test';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    ({ handler } = await import('../../lambdas/relay/handler.ts'));
  });

  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL;
    await eventBridge.close();
  });

  beforeEach(() => {
    eventBridge.requests.splice(0);
  });

  const sentEntries = () =>
    eventBridge.requests.map((request) => {
      expect(request.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
      return bodyOf<{ Entries: PutEventsRequestEntry[] }>(request).Entries;
    });

  it('publishes the outbox events to the bus named by EVENT_BUS_NAME', async () => {
    answer = (entries) =>
      jsonAnswer({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `eb-${i}` })) });

    const response = await handler({ Records: outboxRecords(12) }, context);

    expect(response).toEqual({ batchItemFailures: [] });
    const sent = sentEntries();
    expect(sent.map((entries) => entries.length)).toEqual([10, 2]);
    expect(sent.flat().every((entry) => entry.EventBusName === BUS)).toBe(true);
    expect(sent.flat().map((entry) => entry.Detail)).toEqual(
      Array.from({ length: 12 }, (_, n) => toPutEventsEntry(confirmedEvent(n), BUS).Detail),
    );
  });

  it('returns the records EventBridge keeps refusing as batch item failures', async () => {
    answer = (entries) =>
      JSON.stringify(entries) === JSON.stringify([expectedEntry(1)])
        ? jsonAnswer({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] })
        : jsonAnswer({
            FailedEntryCount: 1,
            Entries: [{ EventId: 'eb-0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }],
          });

    const response = await handler({ Records: outboxRecords(2) }, context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(1) }] });
    expect(sentEntries().map((entries) => entries.length)).toEqual([2, 1, 1]);
  });

  it('fails the invocation when a poison record heads the batch, publishing nothing', async () => {
    answer = (entries) =>
      jsonAnswer({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `eb-${i}` })) });

    await expect(
      handler({ Records: [outboxRecordWithEvent(0, '{not json'), outboxRecord(1)] }, context),
    ).rejects.toThrow(/Poison outbox record .* heads a batch of 2/);
    expect(eventBridge.requests).toEqual([]);

    // Alone in its batch, it is reported like any record that cannot be published.
    const alone = await handler({ Records: [outboxRecordWithEvent(0, '{not json')] }, context);
    expect(alone).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(0) }] });
  });

  it('leaves the records of a call EventBridge keeps failing for the mapping to retry', async () => {
    answer = () => ({
      status: 400,
      body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed' }),
    });

    const response = await handler({ Records: outboxRecords(2) }, context);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(0) },
      { itemIdentifier: sequenceOf(1) },
    ]);
  });
});

function expectedEntry(n: number): PutEventsRequestEntry {
  return toPutEventsEntry(confirmedEvent(n), BUS);
}
