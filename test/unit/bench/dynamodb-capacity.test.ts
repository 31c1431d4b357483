import { describe, expect, it } from '@jest/globals';
import {
  attributeValueSize,
  capacityOf,
  itemSize,
  numberSize,
  readUnitsFor,
  writeUnitsFor,
  type ItemSizeCache,
  type TableKeys,
} from '../../../bench/dynamodb-capacity.ts';
import { tableLabel } from '../../../bench/dynamodb-meter.ts';

const tables: TableKeys[] = [
  { name: 'orders', keyAttributes: ['pk', 'sk'], indexKeyAttributes: ['gsi1pk'] },
  { name: 'payments', keyAttributes: ['pk', 'sk'], indexKeyAttributes: [] },
];
const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'X' } });
const padded = (pk: string, bytes: number) => ({ ...key(pk), data: { S: 'x'.repeat(bytes) } });

describe('item sizes', () => {
  it('counts attribute names and UTF-8 string bytes', () => {
    expect(itemSize({ ab: { S: 'héllo' } })).toBe(2 + 6);
  });

  it('sizes numbers by significant digits, booleans and nulls as one byte', () => {
    expect(numberSize('12345')).toBe(4);
    expect(numberSize('-0.00120')).toBe(2);
    expect(attributeValueSize({ BOOL: true })).toBe(1);
    expect(attributeValueSize({ NULL: true })).toBe(1);
  });

  it('adds 3 bytes per map or list and one per element', () => {
    expect(attributeValueSize({ M: { a: { S: 'xy' } } })).toBe(3 + 1 + 2 + 1);
    expect(attributeValueSize({ L: [{ S: 'xy' }, { N: '1' }] })).toBe(3 + (2 + 1) + (2 + 1));
  });
});

describe('units', () => {
  it('rounds writes up to 1 KB and reads up to 4 KB, at least one unit', () => {
    expect(writeUnitsFor(0)).toBe(1);
    expect(writeUnitsFor(1025)).toBe(2);
    expect(readUnitsFor(4097, true)).toBe(2);
    expect(readUnitsFor(100, false)).toBe(0.5);
  });
});

describe('capacityOf', () => {
  it('charges a transaction twice per item and once more for a GSI that holds the item', () => {
    const cache: ItemSizeCache = new Map();
    const request = {
      TransactItems: [
        { Put: { TableName: 'orders', Item: { ...key('ORDER#1'), gsi1pk: { S: 'C#1' } } } },
        { Put: { TableName: 'orders', Item: padded('OUTBOX#1', 1500) } },
      ],
    };
    expect(capacityOf('TransactWriteItems', request, {}, tables, cache)).toEqual({
      readUnits: 0,
      writeUnits: 2 + 1 + 2 * 2,
    });
  });

  it('sizes an update by the item as last read, so a big item costs what it weighs', () => {
    const cache: ItemSizeCache = new Map();
    const read = capacityOf(
      'GetItem',
      { TableName: 'payments', Key: key('P#1'), ConsistentRead: true },
      { Item: padded('P#1', 3000) },
      tables,
      cache,
    );
    expect(read).toEqual({ readUnits: 1, writeUnits: 0 });
    const update = capacityOf(
      'TransactWriteItems',
      { TransactItems: [{ Update: { TableName: 'payments', Key: key('P#1') } }] },
      {},
      tables,
      cache,
    );
    expect(update.writeUnits).toBe(2 * 3);
  });

  it('charges half a unit for an eventually consistent miss and a query by its total size', () => {
    const cache: ItemSizeCache = new Map();
    expect(
      capacityOf('GetItem', { TableName: 'orders', Key: key('A') }, {}, tables, cache),
    ).toEqual({
      readUnits: 0.5,
      writeUnits: 0,
    });
    const items = [padded('A', 3000), padded('B', 3000)];
    expect(
      capacityOf(
        'Query',
        { TableName: 'orders', ConsistentRead: true },
        { Items: items },
        tables,
        cache,
      ).readUnits,
    ).toBe(2);
  });

  it('counts a condition check in a transaction as two write units per KB', () => {
    const capacity = capacityOf(
      'TransactWriteItems',
      { TransactItems: [{ ConditionCheck: { TableName: 'payments', Key: key('M#1') } }] },
      {},
      tables,
      new Map(),
    );
    expect(capacity.writeUnits).toBe(2);
  });

  it('prices a plain put by the larger of the old and new item', () => {
    const cache: ItemSizeCache = new Map();
    capacityOf('PutItem', { TableName: 'payments', Item: padded('P#2', 2500) }, {}, tables, cache);
    const smaller = capacityOf(
      'PutItem',
      { TableName: 'payments', Item: key('P#2') },
      {},
      tables,
      cache,
    );
    expect(smaller.writeUnits).toBe(3);
  });

  it('charges nothing for operations that are not reads or writes', () => {
    expect(capacityOf('DescribeTable', {}, {}, tables, new Map())).toEqual({
      readUnits: 0,
      writeUnits: 0,
    });
  });
});

describe('tableLabel', () => {
  it('names the table without stack prefix and hash, for transactions too', () => {
    expect(tableLabel({ TableName: 'OrderSaga-bench-OrdersTable1F8332C7' })).toBe('OrdersTable');
    expect(
      tableLabel({
        TransactItems: [{ Put: { TableName: 'OrderSaga-dev-PaymentsTable9E001CC6' } }],
      }),
    ).toBe('PaymentsTable');
  });
});
