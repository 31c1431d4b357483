import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  describeTargets,
  Faults,
  faultResourcesOf,
  faultsFromEnv,
  parseFaultConfig,
  type FaultResources,
} from '../../../local/faults.ts';
import type { CloudModel } from '../../../local/template/model.ts';

const fn = {
  logicalId: 'PaymentFn',
  name: 'Stack-PaymentFn',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-PaymentFn',
};

/** A random source that returns the given values in turn. */
const sequence =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0.99;

describe('parseFaultConfig', () => {
  it('accepts the documented configuration and applies defaults', () => {
    expect(
      parseFaultConfig(
        JSON.stringify({
          functions: [{ function: 'PaymentFn', rate: 0.2 }],
          putEvents: { count: 2 },
          duplicateDeliveries: [{ queue: 'PaymentsQueue', rate: 1 }],
          dynamodbThrottling: [{ table: 'Orders', count: 1 }, { rate: 0.1 }],
        }),
      ),
    ).toEqual({
      functions: [{ function: 'PaymentFn', effect: 'error', rate: 0.2 }],
      putEvents: { count: 2 },
      duplicateDeliveries: [{ queue: 'PaymentsQueue', rate: 1 }],
      dynamodbThrottling: [{ table: 'Orders', count: 1 }, { rate: 0.1 }],
    });
  });

  it('says what is wrong with an invalid configuration', () => {
    expect(() => parseFaultConfig('{ not json', 'LOCAL_FAULTS')).toThrow(
      'LOCAL_FAULTS is not valid JSON',
    );
    expect(() => parseFaultConfig({ functions: [{ function: 'F', rate: 2 }] })).toThrow(
      /functions\.0\.rate/,
    );
    expect(() => parseFaultConfig({ functions: [{ function: 'F', effect: 'explode' }] })).toThrow(
      /functions\.0\.effect/,
    );
  });
});

describe('parseFaultConfig with a misspelled key', () => {
  it('refuses unknown keys, naming them and the keys it knows, at any level', () => {
    expect(() =>
      parseFaultConfig('{"function":[{"function":"*"}],"putEvent":{"rate":1}}', 'LOCAL_FAULTS'),
    ).toThrow(
      'Invalid LOCAL_FAULTS: (root): unknown keys "function", "putEvent" ' +
        '(known: functions, putEvents, duplicateDeliveries, dynamodbThrottling)',
    );
    expect(() => parseFaultConfig({ functions: [{ function: 'F', cout: 1 }] })).toThrow(
      'functions.0: unknown key "cout" (known: function, effect, message, rate, count)',
    );
    expect(() => parseFaultConfig({ putEvents: { rat: 0.5 } })).toThrow(
      'putEvents: unknown key "rat" (known: rate, count)',
    );
    expect(() => parseFaultConfig({ dynamodbThrottling: [{ tables: 'T' }] })).toThrow(
      'dynamodbThrottling.0: unknown key "tables" (known: table, rate, count)',
    );
  });
});

describe('faultsFromEnv', () => {
  it('reads LOCAL_FAULTS, else the file named by LOCAL_FAULTS_FILE, else nothing', () => {
    expect(faultsFromEnv({ LOCAL_FAULTS: '{"putEvents":{"rate":0.5}}' })).toEqual({
      config: { putEvents: { rate: 0.5 } },
      source: 'LOCAL_FAULTS',
    });
    const dir = mkdtempSync(join(tmpdir(), 'faults-'));
    try {
      const file = join(dir, 'faults.json');
      writeFileSync(file, '{"putEvents":{"count":1}}');
      expect(faultsFromEnv({ LOCAL_FAULTS_FILE: file })).toEqual({
        config: { putEvents: { count: 1 } },
        source: `LOCAL_FAULTS_FILE ${file}`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(faultsFromEnv({})).toBeUndefined();
  });
});

describe('Faults', () => {
  it('fails the first `count` invocations of a function, then none', () => {
    const faults = new Faults({ functions: [{ function: 'PaymentFn', count: 2 }] });
    const results = [1, 2, 3].map(() => faults.functionFault(fn)?.effect);
    expect(results).toEqual(['error', 'error', undefined]);
    expect(faults.injectedCounts()).toEqual({ 'function.error': 2 });
  });

  it('fails invocations with the configured probability', () => {
    const faults = new Faults(
      { functions: [{ function: '*', effect: 'timeout', rate: 0.5 }] },
      sequence(0.1, 0.7, 0.4),
    );
    expect([1, 2, 3].map(() => faults.functionFault(fn)?.effect)).toEqual([
      'timeout',
      undefined,
      'timeout',
    ]);
  });

  it('matches a function by logical id or its beginning, physical name, ARN or *', () => {
    for (const target of ['PaymentFn', 'Payment', 'Stack-PaymentFn', fn.arn, '*']) {
      expect(
        new Faults({ functions: [{ function: target, count: 1 }] }).functionFault(fn),
      ).toBeDefined();
    }
    for (const target of ['OtherFn', 'PaymentFnX', 'Stack-Payment', 'Fn']) {
      expect(
        new Faults({ functions: [{ function: target, count: 1 }] }).functionFault(fn),
      ).toBeUndefined();
    }
  });

  it('rejects PutEvents entries, duplicates deliveries and throttles tables as configured', () => {
    const faults = new Faults({
      putEvents: { count: 1 },
      duplicateDeliveries: [{ queue: 'Q', count: 1 }],
      dynamodbThrottling: [{ table: 'Orders', count: 1 }],
    });
    expect([faults.rejectPutEventsEntry(), faults.rejectPutEventsEntry()]).toEqual([true, false]);
    expect(faults.duplicateDelivery({ logicalId: 'Other' })).toBe(false);
    expect([
      faults.duplicateDelivery({ logicalId: 'Q' }),
      faults.duplicateDelivery({ logicalId: 'Q' }),
    ]).toEqual([true, false]);
    expect(faults.throttleDynamoDb({ name: 'Payments' })).toBe(false);
    expect(faults.throttleDynamoDb(undefined)).toBe(false);
    expect(faults.throttleDynamoDb({ logicalId: 'Orders' })).toBe(true);
  });

  it('throttles requests on any table when no table is named', () => {
    const faults = new Faults({ dynamodbThrottling: [{ rate: 1 }] });
    expect(faults.throttleDynamoDb(undefined)).toBe(true);
    expect(faults.throttleDynamoDb({ name: 'Anything' })).toBe(true);
  });

  it('says whether any DynamoDB throttling is configured, so the endpoint reads request tables only then', () => {
    const faults = new Faults({ functions: [{ function: '*', count: 1 }] });
    expect(faults.throttlesDynamoDb).toBe(false);
    faults.set({ dynamodbThrottling: [{ table: 'Orders', count: 1 }] });
    expect(faults.throttlesDynamoDb).toBe(true);
    faults.clear();
    expect(faults.throttlesDynamoDb).toBe(false);
  });

  it('replaces the configuration with set() and removes every fault with clear()', () => {
    const faults = new Faults({ putEvents: { rate: 1 } });
    expect(faults.rejectPutEventsEntry()).toBe(true);
    faults.set({ functions: [{ function: '*', count: 1 }] });
    expect(faults.rejectPutEventsEntry()).toBe(false);
    expect(faults.functionFault(fn)).toBeDefined();
    faults.set({ functions: [{ function: '*', rate: 1 }] });
    faults.clear();
    expect(faults.functionFault(fn)).toBeUndefined();
  });
});

/** The resources of a stack like the product's, whose logical ids end with CDK's hash. */
const resources: FaultResources = {
  functions: ['PaymentRequestsHandlerFunction89BD7336', 'OrdersApiFunction28E5008F'].map((id) => ({
    logicalId: id,
    name: `Stack-${id}`,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:Stack-${id}`,
  })),
  queues: [{ logicalId: 'PaymentRequestsQueue6FBC55B9', name: 'Stack-PaymentRequestsQueue' }],
  tables: [{ logicalId: 'OrdersTable1F8332C7', name: 'Stack-OrdersTable1F8332C7' }],
};

describe('Faults of a running cloud', () => {
  it('names, for each target, the resources it matches', () => {
    const faults = new Faults();
    faults.setResources(resources);
    const targets = faults.set({
      functions: [
        { function: 'PaymentRequestsHandler', count: 1 },
        { function: 'Stack-OrdersApiFunction28E5008F', count: 1 },
        { function: '*', effect: 'timeout', count: 1 },
      ],
      duplicateDeliveries: [{ queue: 'PaymentRequestsQueue', rate: 1 }],
      dynamodbThrottling: [{ table: 'OrdersTable', count: 1 }, { rate: 0.1 }],
    });
    expect(targets).toEqual([
      {
        setting: 'functions.0.function',
        target: 'PaymentRequestsHandler',
        matched: ['PaymentRequestsHandlerFunction89BD7336'],
      },
      {
        setting: 'functions.1.function',
        target: 'Stack-OrdersApiFunction28E5008F',
        matched: ['OrdersApiFunction28E5008F'],
      },
      { setting: 'functions.2.function', target: '*', matched: [] },
      {
        setting: 'duplicateDeliveries.0.queue',
        target: 'PaymentRequestsQueue',
        matched: ['PaymentRequestsQueue6FBC55B9'],
      },
      {
        setting: 'dynamodbThrottling.0.table',
        target: 'OrdersTable',
        matched: ['OrdersTable1F8332C7'],
      },
    ]);
    expect(describeTargets(targets.slice(1, 3))).toBe(
      'functions.1.function "Stack-OrdersApiFunction28E5008F": OrdersApiFunction28E5008F; ' +
        'functions.2.function "*": all',
    );
    expect(faults.functionFault(resources.functions[0]!)).toBeDefined();
    expect(faults.duplicateDelivery(resources.queues[0]!)).toBe(true);
    expect(faults.throttleDynamoDb(resources.tables[0])).toBe(true);
  });

  it('refuses targets that match nothing, naming the setting and listing what there is', () => {
    const faults = new Faults({ putEvents: { rate: 1 } });
    faults.setResources(resources);
    const config = JSON.stringify({
      functions: [
        { function: 'PaymentFunction', rate: 0.2 },
        { function: '*', count: 1 },
      ],
      duplicateDeliveries: [{ queue: 'PaymentsQueue', rate: 0.5 }],
      dynamodbThrottling: [{ table: 'OrdersTable', count: 3 }],
    });
    expect(() => faults.set(config, 'LOCAL_FAULTS')).toThrow(
      'Invalid LOCAL_FAULTS: targets match nothing (a target is a logical id or its beginning, ' +
        'a physical name, an ARN, or *):\n' +
        '  functions.0.function "PaymentFunction" matches no function; there are ' +
        'PaymentRequestsHandlerFunction89BD7336, OrdersApiFunction28E5008F\n' +
        '  duplicateDeliveries.0.queue "PaymentsQueue" matches no queue an SQS event source ' +
        'mapping reads; there are PaymentRequestsQueue6FBC55B9',
    );
    expect(() => faults.set({ dynamodbThrottling: [{ table: 'Orders-Table', count: 1 }] })).toThrow(
      'Invalid fault config: a target matches nothing',
    );
    // A refused configuration leaves the faults as they were.
    expect(faults.rejectPutEventsEntry()).toBe(true);
  });

  it('takes, as queues, only those an SQS event source mapping reads', () => {
    const queue = (id: string) => ({ logicalId: id, arn: `arn:aws:sqs:us-east-1:0:${id}` });
    const mapping = (kind: 'sqs' | 'dynamodb', sourceArn: string, enabled = true) => ({
      kind,
      sourceArn,
      enabled,
    });
    const model = {
      functions: [],
      tables: [],
      queues: [queue('Requests'), queue('DeadLetters'), queue('Disabled')],
      eventSourceMappings: [
        mapping('sqs', queue('Requests').arn),
        mapping('sqs', queue('Disabled').arn, false),
        mapping('dynamodb', 'arn:aws:dynamodb:us-east-1:0:table/T/stream/1'),
      ],
    } as unknown as CloudModel;
    expect(faultResourcesOf(model).queues.map((q) => q.logicalId)).toEqual(['Requests']);
  });
});
