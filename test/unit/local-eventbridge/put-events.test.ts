import { describe, expect, it } from '@jest/globals';
import { EventBridgeApiError, type EventBridgeEvent } from '../../../local/eventbridge/index.ts';
import { BUS, BUS_ARN, busWithFakes, entry } from './fakes.ts';

describe('LocalEventBridge.putEvents', () => {
  it('accepts valid entries with an EventId each and FailedEntryCount 0', async () => {
    const { bridge } = busWithFakes();
    const result = await bridge.putEvents([entry(), entry({ orderId: 'o-2' })]);
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(2);
    const ids = result.Entries!.map((e) => e.EventId);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(2);
  });

  it('builds the event as AWS delivers it', async () => {
    const { bridge } = busWithFakes();
    const seen: EventBridgeEvent[] = [];
    bridge.onEvent((_bus, event) => seen.push(event));
    const time = new Date('2024-05-01T10:20:30.456Z');
    const result = await bridge.putEvents([
      entry({ orderId: 'o-1', total: 1200 }, { Time: time, Resources: ['arn:aws:dynamodb:x'] }),
    ]);
    expect(seen).toEqual([
      {
        version: '0',
        id: result.Entries![0]!.EventId,
        'detail-type': 'OrderCreated',
        source: 'shop.orders',
        account: '000000000000',
        time: '2024-05-01T10:20:30Z',
        region: 'us-east-1',
        resources: ['arn:aws:dynamodb:x'],
        detail: { orderId: 'o-1', total: 1200 },
      },
    ]);
  });

  it('reads Time given in epoch seconds, as the JSON protocol sends it', async () => {
    const { bridge } = busWithFakes();
    const seen: EventBridgeEvent[] = [];
    bridge.onEvent((_bus, event) => seen.push(event));
    await bridge.putEvents([entry({}, { Time: 1714558830 })]);
    expect(seen[0]!.time).toBe('2024-05-01T10:20:30Z');
  });

  it('reports invalid entries per entry, next to accepted ones', async () => {
    const { bridge } = busWithFakes();
    const result = await bridge.putEvents([
      entry(),
      entry({}, { Source: undefined }),
      entry({}, { DetailType: '' }),
      entry({}, { Detail: '[1,2]' }),
      entry({}, { Detail: '{not json' }),
      entry({}, { Detail: undefined }),
      entry({}, { EventBusName: 'no-such-bus' }),
      entry({}, { Source: 'aws.ec2' }),
    ]);
    expect(result.FailedEntryCount).toBe(7);
    expect(result.Entries!.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'ResourceNotFoundException',
      'NotAuthorizedForSourceException',
    ]);
    expect(result.Entries![1]!.ErrorMessage).toMatch(/Source/);
    expect(result.Entries![6]!.ErrorMessage).toMatch(/no-such-bus/);
    expect(result.Entries![1]!.EventId).toBeUndefined();
  });

  it('accepts the bus by name or ARN, and the default bus when none is given', async () => {
    const { bridge } = busWithFakes();
    const buses: string[] = [];
    bridge.onEvent((bus) => buses.push(bus));
    const result = await bridge.putEvents([
      entry({}, { EventBusName: BUS_ARN }),
      entry({}, { EventBusName: undefined }),
    ]);
    expect(result.FailedEntryCount).toBe(0);
    expect(buses).toEqual([BUS, 'default']);
  });

  it('refuses a request with no entries or more than 10', async () => {
    const { bridge } = busWithFakes();
    await expect(bridge.putEvents([])).rejects.toThrow(EventBridgeApiError);
    const eleven = Array.from({ length: 11 }, () => entry());
    await expect(bridge.putEvents(eleven)).rejects.toMatchObject({ name: 'ValidationException' });
    expect(bridge.counters().putEventsEntries ?? 0).toBe(0);
  });

  it('refuses a request whose entries total more than 256 KB', async () => {
    const { bridge } = busWithFakes();
    const big = entry({ blob: 'x'.repeat(130 * 1024) });
    await expect(bridge.putEvents([big])).resolves.toMatchObject({ FailedEntryCount: 0 });
    await expect(bridge.putEvents([big, big])).rejects.toThrow(/over the limit/);
  });

  it('fails entries the injected fault rejects with InternalFailure, and delivers the rest', async () => {
    const answers = [false, true, false, 'ThrottlingException' as const];
    const { bridge } = busWithFakes({
      faults: { rejectPutEventsEntry: () => answers.shift() ?? false },
    });
    const seen: unknown[] = [];
    bridge.onEvent((_bus, event) => seen.push(event.detail));
    const result = await bridge.putEvents([
      entry({ n: 1 }),
      entry({ n: 2 }),
      entry({ n: 3 }),
      entry({ n: 4 }),
    ]);
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries!.map((e) => e.ErrorCode ?? e.EventId!.length)).toEqual([
      36,
      'InternalFailure',
      36,
      'ThrottlingException',
    ]);
    expect(seen).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('counts requests, accepted entries and failed entries', async () => {
    const { bridge } = busWithFakes();
    await bridge.putEvents([entry(), entry({}, { Detail: 'nope' })]);
    await bridge.putEvents([entry()]);
    expect(bridge.counters()).toMatchObject({
      putEventsRequests: 2,
      putEventsEntries: 2,
      putEventsFailedEntries: 1,
    });
  });
});

describe('LocalEventBridge.onEvent', () => {
  it('shows every accepted event with its bus until unsubscribed', async () => {
    const { bridge } = busWithFakes();
    const seen: [string, unknown][] = [];
    const unsubscribe = bridge.onEvent((bus, event) => seen.push([bus, event.detail]));
    await bridge.putEvents([entry({ n: 1 }), entry({ n: 2 }, { Detail: 'bad' })]);
    unsubscribe();
    await bridge.putEvents([entry({ n: 3 })]);
    expect(seen).toEqual([[BUS, { n: 1 }]]);
  });

  it('keeps going when a listener throws, and logs it', async () => {
    const { bridge, logs } = busWithFakes();
    bridge.onEvent(() => {
      throw new Error('listener bug');
    });
    await expect(bridge.putEvents([entry()])).resolves.toMatchObject({ FailedEntryCount: 0 });
    expect(logs.join('\n')).toMatch(/listener bug/);
  });
});
