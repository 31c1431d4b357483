import type { Context, SQSRecord } from 'aws-lambda';
import type { AnyEventContract, Envelope } from '../../../events/index.ts';

/** Test data for the payment handler's tests: SQS messages as an EventBridge rule delivers them. */

export const TABLE = 'payments-table';
export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/payments';

/** An SQS record whose body is the EventBridge event carrying `detail`. */
export function queued(
  messageId: string,
  contract: AnyEventContract,
  detail: Envelope,
  receiveCount = 1,
): SQSRecord {
  return rawMessage(
    messageId,
    JSON.stringify({
      version: '0',
      id: `eb-${messageId}`,
      source: contract.source,
      'detail-type': contract.detailType,
      time: detail.occurredAt,
      region: 'us-east-1',
      account: '123456789012',
      resources: [],
      detail,
    }),
    receiveCount,
  );
}

/** An SQS record with any body (e.g. a poison message). */
export function rawMessage(messageId: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'events',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:payments',
    awsRegion: 'us-east-1',
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'payments',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:payments',
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-request-1',
    logGroupName: '/aws/lambda/payments',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
