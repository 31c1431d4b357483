import type { Access } from './policy.ts';

/**
 * What an AWS API request needs from IAM: the actions and resource ARNs AWS
 * authorizes it against. Only the services the local cloud emulates, and only as far
 * as their IAM documentation goes (the "Actions, resources, and condition keys"
 * pages): an action with no resource-level permissions is checked against `*`.
 */

/** Where ARNs are minted: the local account and region. */
export interface ArnScope {
  partition: string;
  region: string;
  accountId: string;
}

type Body = Record<string, unknown>;

const record = (value: unknown): Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};

const arnOf = (scope: ArnScope, service: string, resource: string) =>
  `arn:${scope.partition}:${service}:${scope.region}:${scope.accountId}:${resource}`;

/** A table name or ARN (DynamoDB takes either) as its ARN. */
function tableArn(scope: ArnScope, nameOrArn: unknown): string {
  const value = String(nameOrArn);
  return value.startsWith('arn:') ? value : arnOf(scope, 'dynamodb', `table/${value}`);
}

/** The item actions a transaction's parts are authorized as (`dynamodb:ConditionCheckItem` for a check). */
const TRANSACT_PART_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/**
 * DynamoDB: a transaction needs the item action of each part on its table (there is
 * no `TransactWriteItems` action); a batch needs the batch action on every table; a
 * query or scan of an index needs its action on `<table>/index/<name>`.
 */
export function dynamoDbAccess(scope: ArnScope, operation: string, input: unknown): Access[] {
  const body = record(input);
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const parts = Array.isArray(body.TransactItems) ? body.TransactItems : [];
    return parts.flatMap((part) =>
      Object.entries(record(part)).map(([kind, request]) => ({
        action: TRANSACT_PART_ACTIONS[kind] ?? `dynamodb:${kind}`,
        resource: tableArn(scope, record(request).TableName),
      })),
    );
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys(record(body.RequestItems)).map((table) => ({
      action: `dynamodb:${operation}`,
      resource: tableArn(scope, table),
    }));
  }
  const action = `dynamodb:${operation}`;
  if (typeof body.TableName === 'string') {
    const table = tableArn(scope, body.TableName);
    const index = typeof body.IndexName === 'string' ? `/index/${body.IndexName}` : '';
    return [{ action, resource: table + index }];
  }
  if (typeof body.StreamArn === 'string') return [{ action, resource: body.StreamArn }];
  return [{ action, resource: '*' }];
}

/** EventBridge: `PutEvents` on the bus of each entry (`default` when none is named). */
export function eventBridgeAccess(scope: ArnScope, operation: string, input: unknown): Access[] {
  const body = record(input);
  const action = `events:${operation}`;
  if (operation === 'PutEvents') {
    const entries = Array.isArray(body.Entries) ? body.Entries : [];
    const buses = new Set(
      entries.map((entry) => {
        const bus = record(entry).EventBusName;
        const name = typeof bus === 'string' && bus !== '' ? bus : 'default';
        return name.startsWith('arn:') ? name : arnOf(scope, 'events', `event-bus/${name}`);
      }),
    );
    return [...buses].map((resource) => ({ action, resource }));
  }
  const named = body.EventBusName ?? body.Name;
  if (typeof named === 'string')
    return [
      {
        action,
        resource: named.startsWith('arn:') ? named : arnOf(scope, 'events', `event-bus/${named}`),
      },
    ];
  return [{ action, resource: '*' }];
}

/** Step Functions: the state machine or execution ARN the request names. */
export function stepFunctionsAccess(operation: string, input: unknown): Access[] {
  const body = record(input);
  const resource = body.executionArn ?? body.stateMachineArn ?? body.mapRunArn;
  return [
    { action: `states:${operation}`, resource: typeof resource === 'string' ? resource : '*' },
  ];
}

/**
 * SQS, JSON protocol (`AmazonSQS.<Operation>`, body with `QueueUrl`) or query protocol
 * (form body with `Action` and `QueueUrl`): the queue's ARN, from its URL
 * (`<origin>/<account>/<name>`).
 */
export function sqsAccess(
  scope: ArnScope,
  operation: string | undefined,
  body: string,
  contentType: string | undefined,
): Access[] {
  let action = operation;
  let queueUrl: unknown;
  if ((contentType ?? '').includes('x-www-form-urlencoded')) {
    const form = new URLSearchParams(body);
    action ??= form.get('Action') ?? undefined;
    queueUrl = form.get('QueueUrl') ?? undefined;
  } else {
    try {
      queueUrl = record(JSON.parse(body)).QueueUrl;
    } catch {
      queueUrl = undefined;
    }
  }
  const name = typeof queueUrl === 'string' ? queueUrl.split('/').filter(Boolean).pop() : undefined;
  return [
    {
      action: `sqs:${action ?? ''}`,
      resource: name ? arnOf(scope, 'sqs', name) : '*',
    },
  ];
}
