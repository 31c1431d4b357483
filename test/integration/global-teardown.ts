import { DYNAMODB_LOCAL_KEY } from './global-setup.ts';
import { stopDynamoDbLocal, type RunningDynamoDbLocal } from './dynamodb-local-process.ts';

/** Stops the DynamoDB Local that global-setup started and waits for the JVM to exit. */
export default async function globalTeardown(): Promise<void> {
  const running = (globalThis as Record<string, unknown>)[DYNAMODB_LOCAL_KEY] as
    RunningDynamoDbLocal | undefined;
  if (running) await stopDynamoDbLocal(running.process);
  delete (globalThis as Record<string, unknown>)[DYNAMODB_LOCAL_KEY];
}
