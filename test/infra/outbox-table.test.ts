import { describe, expect, it } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { OutboxTable, type StringKeyIndex } from '../../lib/constructs/outbox-table.ts';
import { onlyId, propertiesOf, unbundledStack } from './template-helpers.ts';

const observability = { logLevel: 'INFO', tracing: true, metricsNamespace: 'Test' } as const;

/** The indexes of a template with one outbox table declaring `indexes`. */
function indexesOf(indexes: StringKeyIndex[]): unknown {
  const stack = unbundledStack();
  new OutboxTable(stack, 'Things', {
    serviceName: 'things',
    eventBus: new events.EventBus(stack, 'Bus'),
    observability,
    globalSecondaryIndexes: indexes,
  });
  const template = Template.fromStack(stack);
  return propertiesOf(template, onlyId(template, 'AWS::DynamoDB::Table')).GlobalSecondaryIndexes;
}

const keySchema = [
  { AttributeName: 'gsi1pk', KeyType: 'HASH' },
  { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
];

describe('OutboxTable indexes', () => {
  it('project every attribute unless told otherwise', () => {
    expect(indexesOf([{ name: 'all', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }])).toEqual([
      { IndexName: 'all', KeySchema: keySchema, Projection: { ProjectionType: 'ALL' } },
    ]);
  });

  it('project keys only, or keys and the listed attributes, when an index says so', () => {
    expect(
      indexesOf([
        {
          name: 'keys',
          partitionKey: 'gsi1pk',
          sortKey: 'gsi1sk',
          projection: { type: 'KEYS_ONLY' },
        },
        {
          name: 'some',
          partitionKey: 'gsi2pk',
          projection: { type: 'INCLUDE', nonKeyAttributes: ['customerId', 'createdAt'] },
        },
      ]),
    ).toEqual([
      { IndexName: 'keys', KeySchema: keySchema, Projection: { ProjectionType: 'KEYS_ONLY' } },
      {
        IndexName: 'some',
        KeySchema: [{ AttributeName: 'gsi2pk', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customerId', 'createdAt'] },
      },
    ]);
  });
});
