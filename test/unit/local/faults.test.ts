import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Faults, faultConfigFromEnv, parseFaultConfig } from '../../../local/faults.ts';

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

describe('faultConfigFromEnv', () => {
  it('reads LOCAL_FAULTS, else the file named by LOCAL_FAULTS_FILE, else nothing', () => {
    expect(faultConfigFromEnv({ LOCAL_FAULTS: '{"putEvents":{"rate":0.5}}' })).toEqual({
      putEvents: { rate: 0.5 },
    });
    const dir = mkdtempSync(join(tmpdir(), 'faults-'));
    try {
      const file = join(dir, 'faults.json');
      writeFileSync(file, '{"putEvents":{"count":1}}');
      expect(faultConfigFromEnv({ LOCAL_FAULTS_FILE: file })).toEqual({ putEvents: { count: 1 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(faultConfigFromEnv({})).toBeUndefined();
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

  it('matches a function by logical id, physical name, ARN or *', () => {
    for (const target of ['PaymentFn', 'Stack-PaymentFn', fn.arn, '*']) {
      expect(
        new Faults({ functions: [{ function: target, count: 1 }] }).functionFault(fn),
      ).toBeDefined();
    }
    expect(
      new Faults({ functions: [{ function: 'OtherFn', count: 1 }] }).functionFault(fn),
    ).toBeUndefined();
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
