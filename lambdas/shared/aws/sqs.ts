import type { ChangeMessageVisibilityRequest } from '@aws-sdk/client-sqs';
import { createJsonRpcClient, type JsonRpcClientOptions } from './json-rpc.ts';

/** SQS, for the one call a consumer makes on its own queue. */
export interface Sqs {
  /** @throws {AwsServiceError} e.g. `ReceiptHandleIsInvalid` (the message was deleted) */
  changeMessageVisibility(input: ChangeMessageVisibilityRequest): Promise<void>;
}

/** Options of {@link createSqs}: those of the JSON client but the service's own. */
export type SqsOptions = Omit<JsonRpcClientOptions, 'service' | 'targetPrefix' | 'jsonVersion'>;

/**
 * Creates an {@link Sqs} (once per container, at module scope). SQS speaks JSON 1.0
 * (`AmazonSQS.<Operation>`) since 2023, as the current SDK does.
 */
export function createSqs(options: SqsOptions = {}): Sqs {
  const client = createJsonRpcClient({
    ...options,
    service: 'sqs',
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
  });
  return {
    async changeMessageVisibility(input) {
      await client.call('ChangeMessageVisibility', input);
    },
  };
}
