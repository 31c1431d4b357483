import type { Context, SQSRecord } from 'aws-lambda';
import type { AnyEventContract, Envelope } from '../../../events/index.ts';
import { contractFor } from '../../../events/index.ts';

/** Helpers for handler tests of the inventory consumer. */

/** An SQS record carrying `body` (serialized unless it is a string). */
export function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'events',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:inventory',
    awsRegion: 'us-east-1',
  };
}

/** The EventBridge event an SQS target receives for an envelope. */
export function delivered(envelope: Envelope, contract?: AnyEventContract) {
  const found = contract ?? contractFor(envelope.type);
  if (!found) throw new Error(`no contract for ${envelope.type}`);
  return {
    version: '0',
    id: `eb-${envelope.eventId}`,
    source: found.source,
    'detail-type': found.detailType,
    account: '123456789012',
    time: envelope.occurredAt,
    region: 'us-east-1',
    resources: [],
    detail: envelope,
  };
}

/** A Lambda context with plenty of time left. */
export function consumerContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'inventory',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:inventory',
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-request-1',
    logGroupName: '/aws/lambda/inventory',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
