import { describe, expect, it } from '@jest/globals';
import {
  askForConsumedCapacity,
  capacityFromCounters,
  countConsumedCapacity,
  countFailedRequest,
  takeConsumedCapacity,
  tableNameOf,
} from '../../../local/endpoint/consumed-capacity.ts';
import { Counters } from '../../../local/util.ts';

describe('askForConsumedCapacity', () => {
  it('adds INDEXES to a request that does not ask, keeping every other member', () => {
    const body = JSON.stringify({ TableName: 'tbl', Item: { pk: { S: 'a' } } });
    const asked = askForConsumedCapacity(body);
    expect(asked?.callerAsked).toBe(false);
    expect(JSON.parse(asked!.body)).toEqual({
      ReturnConsumedCapacity: 'INDEXES',
      TableName: 'tbl',
      Item: { pk: { S: 'a' } },
    });
  });

  it('writes valid JSON for an empty object and for leading white space', () => {
    expect(JSON.parse(askForConsumedCapacity('{}')!.body)).toEqual({
      ReturnConsumedCapacity: 'INDEXES',
    });
    expect(JSON.parse(askForConsumedCapacity('  { "TableName": "t" }')!.body)).toEqual({
      ReturnConsumedCapacity: 'INDEXES',
      TableName: 't',
    });
  });

  it('leaves a request that asks for INDEXES or TOTAL as it is', () => {
    for (const mode of ['INDEXES', 'TOTAL']) {
      const body = JSON.stringify({ TableName: 'tbl', ReturnConsumedCapacity: mode });
      expect(askForConsumedCapacity(body)).toEqual({ body, callerAsked: true });
    }
  });

  it('treats NONE as not asked and replaces it', () => {
    const asked = askForConsumedCapacity('{"TableName":"tbl","ReturnConsumedCapacity":"NONE"}');
    expect(asked?.callerAsked).toBe(false);
    expect(JSON.parse(asked!.body)).toEqual({
      TableName: 'tbl',
      ReturnConsumedCapacity: 'INDEXES',
    });
  });

  it('is not fooled by the name inside an attribute value, nor by a \\u escape of it', () => {
    const inValue = JSON.stringify({
      TableName: 't',
      Item: { note: { S: 'ReturnConsumedCapacity' } },
    });
    expect(JSON.parse(askForConsumedCapacity(inValue)!.body)).toMatchObject({
      ReturnConsumedCapacity: 'INDEXES',
    });
    const escaped = '{"TableName":"t","ReturnConsumed\\u0043apacity":"TOTAL"}';
    expect(askForConsumedCapacity(escaped)).toEqual({ body: escaped, callerAsked: true });
  });

  it('declines a body that is not a JSON object', () => {
    expect(askForConsumedCapacity('')).toBeUndefined();
    expect(askForConsumedCapacity('[1]')).toBeUndefined();
    expect(askForConsumedCapacity('{"ReturnConsumedCapacity": oops')).toBeUndefined();
  });
});

const capacity = { TableName: 'tbl', CapacityUnits: 3.0, Table: { CapacityUnits: 2.0 } };

describe('takeConsumedCapacity', () => {
  it('cuts the capacity that is the only member', () => {
    expect(takeConsumedCapacity(JSON.stringify({ ConsumedCapacity: capacity }))).toEqual({
      consumed: [capacity],
      rest: '{}',
    });
  });

  it('cuts the capacity that is the last member, even after an item attribute of the same name', () => {
    const answer = {
      Item: { pk: { S: 'a' }, ConsumedCapacity: { S: 'an attribute' } },
      ConsumedCapacity: capacity,
    };
    const taken = takeConsumedCapacity(JSON.stringify(answer));
    expect(taken?.consumed).toEqual([capacity]);
    expect(JSON.parse(taken!.rest)).toEqual({ Item: answer.Item });
  });

  it('cuts a list of capacities that is the first member (TransactGetItems)', () => {
    const list = [capacity, { TableName: 'tb2', CapacityUnits: 2 }];
    const answer = { ConsumedCapacity: list, Responses: [{ Item: { pk: { S: 'c' } } }] };
    const taken = takeConsumedCapacity(JSON.stringify(answer));
    expect(taken?.consumed).toEqual(list);
    expect(JSON.parse(taken!.rest)).toEqual({ Responses: answer.Responses });
  });

  it('finds the capacity anywhere else by parsing, and leaves nested attributes alone', () => {
    const answer = {
      Items: [{ ConsumedCapacity: { S: 'x' } }],
      ConsumedCapacity: capacity,
      Count: 1,
    };
    const taken = takeConsumedCapacity(JSON.stringify(answer));
    expect(taken?.consumed).toEqual([capacity]);
    expect(JSON.parse(taken!.rest)).toEqual({ Items: answer.Items, Count: 1 });
  });

  it('returns the answer whole and no capacity when there is none', () => {
    const answer = JSON.stringify({ Item: { ConsumedCapacity: { S: 'x' } } });
    const taken = takeConsumedCapacity(answer);
    expect(taken?.consumed).toEqual([]);
    expect(JSON.parse(taken!.rest)).toEqual(JSON.parse(answer));
  });
});

describe('countConsumedCapacity', () => {
  it('counts read operations as read units and the others as write units, per table and per operation', () => {
    const counters = new Counters();
    countConsumedCapacity(counters, 'GetItem', [{ TableName: 'orders', CapacityUnits: 0.5 }]);
    countConsumedCapacity(counters, 'TransactWriteItems', [
      { TableName: 'orders', CapacityUnits: 4 },
      { TableName: 'arn:aws:dynamodb:ddblocal:000000000000:table/outbox', CapacityUnits: 2 },
    ]);
    countConsumedCapacity(counters, 'TransactWriteItems', [
      { TableName: 'orders', CapacityUnits: 6 },
    ]);
    countFailedRequest(counters, 'UpdateItem', ['orders']);
    const summary = capacityFromCounters(counters.snapshot());
    expect(summary.readUnits).toBe(0.5);
    expect(summary.writeUnits).toBe(12);
    expect(summary.byTable).toEqual(
      new Map([
        ['orders', { readUnits: 0.5, writeUnits: 10 }],
        ['outbox', { readUnits: 0, writeUnits: 2 }],
      ]),
    );
    expect(summary.byOperation.get('TransactWriteItems orders')).toEqual({
      operation: 'TransactWriteItems',
      table: 'orders',
      requests: 2,
      readUnits: 0,
      writeUnits: 10,
      failed: 0,
    });
    expect(summary.byOperation.get('GetItem orders')?.readUnits).toBe(0.5);
    expect(summary.byOperation.get('UpdateItem orders')).toMatchObject({ requests: 0, failed: 1 });
  });

  it('prefers explicit read and write units when an entry has them', () => {
    const counters = new Counters();
    countConsumedCapacity(counters, 'TransactWriteItems', [
      { TableName: 't', CapacityUnits: 3, ReadCapacityUnits: 1, WriteCapacityUnits: 2 },
    ]);
    const summary = capacityFromCounters(counters.snapshot());
    expect([summary.readUnits, summary.writeUnits]).toEqual([1, 2]);
  });

  it('keeps table names with dots whole and ignores other counters', () => {
    const counters = new Counters();
    counters.add('dynamodb.requests', 5);
    countConsumedCapacity(counters, 'PutItem', [{ TableName: 'my.table', CapacityUnits: 1 }]);
    const summary = capacityFromCounters(counters.snapshot());
    expect([...summary.byTable.keys()]).toEqual(['my.table']);
    expect([...summary.byOperation.keys()]).toEqual(['PutItem my.table']);
  });
});

describe('tableNameOf', () => {
  it('reads the name out of a table or index ARN and keeps a plain name', () => {
    expect(tableNameOf('arn:aws:dynamodb:us-east-1:1:table/orders')).toBe('orders');
    expect(tableNameOf('arn:aws:dynamodb:us-east-1:1:table/orders/index/gix')).toBe('orders');
    expect(tableNameOf('orders')).toBe('orders');
  });
});
