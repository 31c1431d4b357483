import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The DynamoDB data operations a function may be granted on a table, by IAM action
 * name. A transaction needs the action of each of its parts (`PutItem` for a `Put`,
 * `ConditionCheckItem` for a `ConditionCheck`); there is no `TransactWriteItems`
 * action. `Query` on a table with indexes also covers them (`<table>/index/*`).
 */
export type TableOperation =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';

/**
 * Grants exactly `operations` on `table`, rather than CDK's read or read-write sets,
 * which also allow `Scan`, `BatchWriteItem`, `DeleteItem` and the stream reads to
 * functions that never use them: a leaked or buggy function can do only what its code
 * does. The local cloud refuses anything else (local/iam), so the end-to-end tests
 * fail when a list misses an operation the code needs.
 */
export function grantTableOperations(
  table: dynamodb.ITable,
  grantee: iam.IGrantable,
  operations: readonly TableOperation[],
): iam.Grant {
  return table.grant(grantee, ...operations.map((operation) => `dynamodb:${operation}`));
}
