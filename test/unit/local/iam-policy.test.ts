import { describe, expect, it } from '@jest/globals';
import { isAllowed, statementsOf, type Statement } from '../../../local/iam/policy.ts';
import {
  dynamoDbAccess,
  eventBridgeAccess,
  sqsAccess,
  stepFunctionsAccess,
} from '../../../local/iam/requested-access.ts';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/Orders';
const SCOPE = { partition: 'aws', region: 'us-east-1', accountId: '000000000000' };

const allow = (actions: string[], resources: string[]): Statement => ({
  effect: 'Allow',
  actions,
  notAction: false,
  resources,
  notResource: false,
});

describe('isAllowed', () => {
  it('allows what an Allow statement lists, and nothing without one', () => {
    const statements = [allow(['dynamodb:GetItem'], [TABLE])];
    expect(isAllowed(statements, { action: 'dynamodb:GetItem', resource: TABLE })).toBe(true);
    expect(isAllowed(statements, { action: 'dynamodb:Scan', resource: TABLE })).toBe(false);
    expect(isAllowed(statements, { action: 'dynamodb:GetItem', resource: `${TABLE}2` })).toBe(
      false,
    );
    expect(isAllowed([], { action: 'dynamodb:GetItem', resource: TABLE })).toBe(false);
  });

  it('matches * and ? in actions ignoring case, and in resources respecting it', () => {
    const statements = [allow(['DynamoDB:Get*', 'sqs:?endMessage'], [`${TABLE}/index/*`])];
    expect(
      isAllowed(statements, { action: 'dynamodb:getitem', resource: `${TABLE}/index/byCustomer` }),
    ).toBe(true);
    expect(isAllowed(statements, { action: 'sqs:SendMessage', resource: `${TABLE}/index/x` })).toBe(
      true,
    );
    expect(isAllowed(statements, { action: 'dynamodb:GetItem', resource: TABLE })).toBe(false);
    expect(
      isAllowed(statements, {
        action: 'dynamodb:GetItem',
        resource: TABLE.replace('Orders', 'orders') + '/index/x',
      }),
    ).toBe(false);
  });

  it('lets an explicit Deny win over any Allow', () => {
    const statements: Statement[] = [
      allow(['dynamodb:*'], ['*']),
      { ...allow(['dynamodb:DeleteItem'], [TABLE]), effect: 'Deny' },
    ];
    expect(isAllowed(statements, { action: 'dynamodb:DeleteItem', resource: TABLE })).toBe(false);
    expect(isAllowed(statements, { action: 'dynamodb:PutItem', resource: TABLE })).toBe(true);
  });

  it('reads NotAction and NotResource as everything but what they list', () => {
    const statements: Statement[] = [
      { ...allow(['dynamodb:DeleteItem'], [TABLE]), notAction: true },
      { ...allow(['sqs:*'], ['arn:aws:sqs:us-east-1:000000000000:secret']), notResource: true },
    ];
    expect(isAllowed(statements, { action: 'dynamodb:PutItem', resource: TABLE })).toBe(true);
    expect(isAllowed(statements, { action: 'dynamodb:DeleteItem', resource: TABLE })).toBe(false);
    expect(
      isAllowed(statements, {
        action: 'sqs:DeleteMessage',
        resource: 'arn:aws:sqs:us-east-1:000000000000:secret',
      }),
    ).toBe(false);
  });
});

describe('statementsOf', () => {
  it('reads a single statement, single strings and lists, and drops statements without an effect', () => {
    expect(
      statementsOf({
        Statement: { Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:bus' },
      }),
    ).toEqual([allow(['events:PutEvents'], ['arn:bus'])]);
    expect(
      statementsOf({
        Statement: [
          { Effect: 'Deny', NotAction: ['s3:*'], Resource: ['a', 'b'] },
          { Action: 'x:Y', Resource: '*' },
        ],
      }),
    ).toEqual([{ ...allow(['s3:*'], ['a', 'b']), effect: 'Deny', notAction: true }]);
    expect(statementsOf(undefined)).toEqual([]);
  });
});

describe('what a request needs', () => {
  it('DynamoDB: the action on the table, or on the index a query or scan reads', () => {
    expect(dynamoDbAccess(SCOPE, 'GetItem', { TableName: 'Orders' })).toEqual([
      { action: 'dynamodb:GetItem', resource: TABLE },
    ]);
    expect(dynamoDbAccess(SCOPE, 'Query', { TableName: TABLE, IndexName: 'byCustomer' })).toEqual([
      { action: 'dynamodb:Query', resource: `${TABLE}/index/byCustomer` },
    ]);
    expect(dynamoDbAccess(SCOPE, 'ListTables', {})).toEqual([
      { action: 'dynamodb:ListTables', resource: '*' },
    ]);
  });

  it('DynamoDB: each part of a transaction as its item action, each table of a batch', () => {
    expect(
      dynamoDbAccess(SCOPE, 'TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 'Orders' } },
          { Update: { TableName: 'Orders' } },
          { ConditionCheck: { TableName: 'Stock' } },
          { Delete: { TableName: 'Orders' } },
        ],
      }),
    ).toEqual([
      { action: 'dynamodb:PutItem', resource: TABLE },
      { action: 'dynamodb:UpdateItem', resource: TABLE },
      { action: 'dynamodb:ConditionCheckItem', resource: TABLE.replace('Orders', 'Stock') },
      { action: 'dynamodb:DeleteItem', resource: TABLE },
    ]);
    expect(
      dynamoDbAccess(SCOPE, 'BatchGetItem', { RequestItems: { Orders: {}, Stock: {} } }),
    ).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: TABLE },
      { action: 'dynamodb:BatchGetItem', resource: TABLE.replace('Orders', 'Stock') },
    ]);
  });

  it('EventBridge: PutEvents on each bus its entries name, the default bus when none', () => {
    const bus = (name: string) => `arn:aws:events:us-east-1:000000000000:event-bus/${name}`;
    expect(
      eventBridgeAccess(SCOPE, 'PutEvents', {
        Entries: [{ EventBusName: 'saga' }, {}, { EventBusName: bus('saga') }],
      }),
    ).toEqual([
      { action: 'events:PutEvents', resource: bus('saga') },
      { action: 'events:PutEvents', resource: bus('default') },
    ]);
  });

  it('Step Functions: the state machine or execution the request names', () => {
    expect(stepFunctionsAccess('StartExecution', { stateMachineArn: 'arn:sm' })).toEqual([
      { action: 'states:StartExecution', resource: 'arn:sm' },
    ]);
    expect(stepFunctionsAccess('StopExecution', { executionArn: 'arn:ex' })).toEqual([
      { action: 'states:StopExecution', resource: 'arn:ex' },
    ]);
  });

  it('SQS: the queue of the URL, in the JSON and the query protocol', () => {
    const queue = 'arn:aws:sqs:us-east-1:000000000000:work';
    const url = 'http://127.0.0.1:4566/000000000000/work';
    expect(
      sqsAccess(SCOPE, 'ChangeMessageVisibility', JSON.stringify({ QueueUrl: url }), undefined),
    ).toEqual([{ action: 'sqs:ChangeMessageVisibility', resource: queue }]);
    expect(
      sqsAccess(
        SCOPE,
        undefined,
        `Action=SendMessage&QueueUrl=${encodeURIComponent(url)}`,
        'application/x-www-form-urlencoded',
      ),
    ).toEqual([{ action: 'sqs:SendMessage', resource: queue }]);
  });
});
