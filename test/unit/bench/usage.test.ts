import { describe, expect, it } from '@jest/globals';
import {
  counterDelta,
  measuredUsage,
  recordsByFunction,
  type Routing,
} from '../../../bench/usage.ts';

describe('counterDelta', () => {
  it('subtracts the counters at the start of the window, new counters starting at zero', () => {
    expect(counterDelta({ a: 5, b: 1 }, { a: 8, b: 1, c: 2 })).toEqual({ a: 3, b: 0, c: 2 });
  });
});

describe('recordsByFunction', () => {
  const routing: Routing = {
    rules: [
      {
        matches: (e) => (e as { source: string }).source === 'shop.orders',
        queueArns: ['q-pay', 'q-ord'],
      },
      {
        matches: (e) => (e as { source: string }).source === 'shop.payments',
        queueArns: ['q-ord'],
      },
    ],
    queueConsumers: new Map([
      ['q-pay', 'payments-fn'],
      ['q-ord', 'order-events-fn'],
    ]),
    relays: new Map([
      ['shop.orders', 'orders-relay'],
      ['shop.payments', 'payments-relay'],
    ]),
  };

  it('gives each event to its source relay and to the consumer of every matching rule target', () => {
    const records = recordsByFunction(
      [{ source: 'shop.orders' }, { source: 'shop.payments' }, { source: 'shop.orders' }],
      routing,
    );
    expect(Object.fromEntries(records)).toEqual({
      'orders-relay': 2,
      'payments-relay': 1,
      'payments-fn': 2,
      'order-events-fn': 3,
    });
  });
});

describe('measuredUsage', () => {
  it('reads invocations, billed ms and service counts from the window counters', () => {
    const usage = measuredUsage({
      orders: 10,
      counters: {
        'lambda.f.invocations': 4,
        'lambda.f.billedMs': 200,
        'events.putEventsEntries': 40,
        'sqs.requests': 33,
        'sqs.requests.SendMessage': 20,
        'sqs.requests.ReceiveMessage': 13,
        'sqs.requests.DeleteMessage': 0,
        'states.stateTransitions': 10,
        'apigateway.requests': 10,
      },
      functions: [
        { name: 'f', memoryMb: 512, trigger: 'queue' },
        { name: 'idle', memoryMb: 128, trigger: 'api' },
      ],
      records: new Map([['f', 30]]),
      dynamoDb: { readUnits: 1, writeUnits: 2, method: 'consumed' },
      logBytes: 99,
    });
    expect(usage).toEqual({
      orders: 10,
      functions: [
        { name: 'f', trigger: 'queue', memoryMb: 512, invocations: 4, billedMs: 200, records: 30 },
        { name: 'idle', trigger: 'api', memoryMb: 128, invocations: 0, billedMs: 0, records: 0 },
      ],
      dynamoDb: { readUnits: 1, writeUnits: 2, method: 'consumed' },
      putEventsEntries: 40,
      sqsRequests: 33,
      sqsRequestsByAction: { SendMessage: 20, ReceiveMessage: 13 },
      stateTransitions: 10,
      apiRequests: 10,
      logBytes: 99,
    });
  });
});
