import { describe, expect, it } from '@jest/globals';
import {
  attributeValueSize,
  capacityOf,
  itemSize,
  numberSize,
  readUnitsFor,
  writeUnitsFor,
  updatedAttributes,
  type IndexKeys,
  type ItemSizeCache,
  type TableKeys,
} from '../../../bench/dynamodb-capacity.ts';
import { tableLabel } from '../../../bench/dynamodb-meter.ts';

const tables: TableKeys[] = [
  {
    name: 'orders',
    keyAttributes: ['pk', 'sk'],
    indexes: [{ name: 'byCustomer', partitionKey: 'gsi1pk', projection: { type: 'ALL' } }],
  },
  { name: 'payments', keyAttributes: ['pk', 'sk'], indexes: [] },
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

describe('updatedAttributes', () => {
  it('names the top-level attributes of every clause, placeholders resolved', () => {
    const { written, removed } = updatedAttributes(
      'SET #tl = list_append(if_not_exists(#tl, :empty), :entry), #a1 = :a1, saga.payment = :p, lines[0] = :l REMOVE #r1, note ADD #n :one DELETE tags :t',
      { '#tl': 'timeline', '#a1': 'status', '#r1': 'cancellationNote', '#n': 'attempts' },
    );
    expect([...written].sort()).toEqual(
      [
        'attempts',
        'cancellationNote',
        'lines',
        'note',
        'saga',
        'status',
        'tags',
        'timeline',
      ].sort(),
    );
    expect([...removed].sort()).toEqual(['cancellationNote', 'note']);
  });

  it('reads lower-case clause keywords too', () => {
    expect([...updatedAttributes('set a = :a remove b').written]).toEqual(['a', 'b']);
  });
});

describe('index writes by projection', () => {
  const byCustomer = (projection: IndexKeys['projection']): TableKeys[] => [
    {
      name: 'orders',
      keyAttributes: ['pk', 'sk'],
      indexes: [{ name: 'byCustomer', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection }],
    },
  ];
  const keysOnly = byCustomer({ type: 'KEYS_ONLY' });
  const all = byCustomer({ type: 'ALL' });
  const include = byCustomer({ type: 'INCLUDE', nonKeyAttributes: ['customerEmail'] });
  /** An order item of about 1.5 KB: two write units, its keys-only index entry one. */
  const order = {
    ...padded('ORDER#1', 1500),
    gsi1pk: { S: 'CUSTOMER#c' },
    gsi1sk: { S: '2026-01-01#1' },
    status: { S: 'PENDING' },
    customerEmail: { S: 'a@b.c' },
  };
  const create = (tables: TableKeys[], cache: ItemSizeCache) =>
    capacityOf(
      'TransactWriteItems',
      { TransactItems: [{ Put: { TableName: 'orders', Item: order } }] },
      {},
      tables,
      cache,
    );
  /** A transactional update of the order that sets `names` (as `#a<i>` placeholders). */
  const transition = (tables: TableKeys[], cache: ItemSizeCache, ...names: string[]) =>
    capacityOf(
      'TransactWriteItems',
      {
        TransactItems: [
          {
            Update: {
              TableName: 'orders',
              Key: key('ORDER#1'),
              UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :a${i}`).join(', ')}`,
              ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
            },
          },
        ],
      },
      {},
      tables,
      cache,
    ).writeUnits;

  it('writes a keys-only entry when the item is created, sized by the entry', () => {
    expect(create(keysOnly, new Map()).writeUnits).toBe(2 * 2 + 1);
    expect(create(all, new Map()).writeUnits).toBe(2 * 2 + 2);
  });

  it('writes no keys-only entry for an update of attributes it does not project', () => {
    const cache: ItemSizeCache = new Map();
    create(keysOnly, cache);
    expect(transition(keysOnly, cache, 'status', 'updatedAt')).toBe(2 * 2);
  });

  it('writes an ALL entry for every update of the item, as before', () => {
    const cache: ItemSizeCache = new Map();
    create(all, cache);
    expect(transition(all, cache, 'status')).toBe(2 * 2 + 2);
  });

  it('deletes and puts a keys-only entry whose index key an update changes', () => {
    const cache: ItemSizeCache = new Map();
    create(keysOnly, cache);
    expect(transition(keysOnly, cache, 'gsi1sk')).toBe(2 * 2 + 2 * 1);
  });

  it('writes an INCLUDE entry when an update writes an included attribute, and only then', () => {
    const cache: ItemSizeCache = new Map();
    create(include, cache);
    expect(transition(include, cache, 'status')).toBe(2 * 2);
    expect(transition(include, cache, 'customerEmail')).toBe(2 * 2 + 1);
  });

  it('writes the entry of an item an update brings into the index or takes out of it', () => {
    const cache: ItemSizeCache = new Map();
    capacityOf('PutItem', { TableName: 'orders', Item: key('ORDER#2') }, {}, keysOnly, cache);
    const update = (expression: string) =>
      capacityOf(
        'UpdateItem',
        {
          TableName: 'orders',
          Key: key('ORDER#2'),
          UpdateExpression: expression,
          ExpressionAttributeNames: { '#pk': 'gsi1pk' },
        },
        {},
        keysOnly,
        cache,
      ).writeUnits;
    expect(update('SET #pk = :c, gsi1sk = :s')).toBe(1 + 1);
    expect(update('SET note = :n')).toBe(1);
    expect(update('REMOVE #pk, gsi1sk')).toBe(1 + 1);
    expect(update('SET note = :n')).toBe(1);
  });

  it('writes a keys-only entry when the item is deleted', () => {
    const cache: ItemSizeCache = new Map();
    create(keysOnly, cache);
    const remove = { TransactItems: [{ Delete: { TableName: 'orders', Key: key('ORDER#1') } }] };
    expect(capacityOf('TransactWriteItems', remove, {}, keysOnly, cache).writeUnits).toBe(
      2 * 2 + 1,
    );
  });

  it('writes no keys-only entry for a put that keeps its keys, and one for a put that changes them', () => {
    const cache: ItemSizeCache = new Map();
    create(keysOnly, cache);
    const put = (item: typeof order) =>
      capacityOf('PutItem', { TableName: 'orders', Item: item }, {}, keysOnly, cache).writeUnits;
    expect(put({ ...order, status: { S: 'CONFIRMED' } })).toBe(2);
    expect(put({ ...order, gsi1sk: { S: '2026-01-02#1' } })).toBe(2 + 2 * 1);
  });

  it('keeps sizing writes by the whole item after a query of a keys-only index', () => {
    const cache: ItemSizeCache = new Map();
    create(keysOnly, cache);
    const { pk, sk, gsi1pk, gsi1sk } = order;
    capacityOf(
      'Query',
      { TableName: 'orders', IndexName: 'byCustomer' },
      { Items: [{ pk, sk, gsi1pk, gsi1sk }] },
      keysOnly,
      cache,
    );
    expect(transition(keysOnly, cache, 'status')).toBe(2 * 2);
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
