/**
 * DynamoDB Local names every ARN with the region `ddblocal`; the rest of the local cloud
 * (template resolution, event source mappings, on-failure records) uses the emulated
 * region, as AWS would. The endpoint translates between the two so that an ARN a user
 * copies from anywhere (a DLQ message, a DescribeTable answer) works in any request.
 */
export const DYNAMODB_LOCAL_REGION = 'ddblocal';

const arnPrefix = (region: string) => `arn:aws:dynamodb:${region}:`;

/** Rewrites ARNs in a request body from the emulated region to DynamoDB Local's. */
export function toDynamoDbLocalArns(text: string, region: string): string {
  return text.replaceAll(arnPrefix(region), arnPrefix(DYNAMODB_LOCAL_REGION));
}

/** Rewrites ARNs in a response body from DynamoDB Local's region to the emulated one. */
export function fromDynamoDbLocalArns(text: string, region: string): string {
  return text.replaceAll(arnPrefix(DYNAMODB_LOCAL_REGION), arnPrefix(region));
}

/**
 * Operations whose answers carry table or stream ARNs; only these are buffered and
 * rewritten, so item reads and writes stream straight through.
 */
export const OPERATIONS_RETURNING_ARNS = new Set([
  'CreateTable',
  'DeleteTable',
  'DescribeTable',
  'UpdateTable',
  'ListStreams',
  'DescribeStream',
]);
