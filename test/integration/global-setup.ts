import { startDynamoDbLocal, type RunningDynamoDbLocal } from './dynamodb-local-process.ts';

/** Where global-teardown finds the process (global setup and teardown share this Node process). */
export const DYNAMODB_LOCAL_KEY = '__ordersIntegrationDynamoDbLocal__';

/**
 * Starts one DynamoDB Local for the integration project and exports its endpoint as
 * `DYNAMODB_ENDPOINT` (test workers are started afterwards and inherit the environment).
 * Each test file creates its own uniquely named tables, so files can run in parallel.
 */
export default async function globalSetup(): Promise<void> {
  // DynamoDB Local accepts any credentials, but the SDK refuses to sign without some.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_REGION ??= 'us-east-1';
  const running: RunningDynamoDbLocal = await startDynamoDbLocal();
  (globalThis as Record<string, unknown>)[DYNAMODB_LOCAL_KEY] = running;
  process.env.DYNAMODB_ENDPOINT = running.endpoint;
}
