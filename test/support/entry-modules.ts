import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';

/**
 * For tests of the Lambda entry modules (`lambdas/<service>/*handler.ts`), which read
 * their environment when loaded: import them only after setting it, with a query string
 * (`handler.ts?<tag>`) so each import is a fresh module instance.
 */

/** What an API Gateway entry module exports. */
export type ApiEntry = {
  handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
};

/** What an SQS-triggered entry module exports. */
export type ConsumerEntry = {
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
};

/**
 * Sets what every function gets when deployed, quiet, with AWS reached through the
 * standard `AWS_ENDPOINT_URL` at `endpointUrl` (a stand-in server), as a deployed
 * function reaches AWS or the local cloud. The caller restores `process.env`.
 */
export function useStandInAwsEnvironment(endpointUrl: string): void {
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: endpointUrl,
  });
}
