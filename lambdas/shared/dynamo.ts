import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A DynamoDB document client with the marshalling options every service here wants.
 *
 * Create it once at module scope. The endpoint is deliberately not a parameter of the
 * handlers: the SDK reads `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` itself, so the
 * same code runs against AWS, LocalStack and the local cloud. Tests may pass
 * `{ endpoint }` in `config`.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: {
      // Optional fields (customerEmail, paymentToken…) are absent, never stored as NULL.
      removeUndefinedValues: true,
      // A class instance reaching the store is a bug; fail instead of storing its fields.
      convertClassInstanceToMap: false,
    },
    // Our numbers are integer minor units and versions, well within Number's exact range.
    unmarshallOptions: { wrapNumbers: false },
  });
}
