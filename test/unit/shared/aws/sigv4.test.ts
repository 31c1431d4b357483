import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  amzDate,
  canonicalRequest,
  signingKey,
  signRequest,
} from '../../../../lambdas/shared/aws/sigv4.ts';
import { headerStrings, startCaptureServer, type CaptureServer } from './capture-server.ts';

// The example of the IAM user guide ("Signature Version 4 signing process"): a
// ListUsers GET signed with the documentation's example key at 2015-08-30T12:36:00Z.
const DOCS_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const DOCS_DATE = new Date('2015-08-30T12:36:00Z');
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const docsRequest = {
  method: 'GET',
  host: 'iam.amazonaws.com',
  path: '/',
  query: { Action: 'ListUsers', Version: '2010-05-08' },
  headers: {
    'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    'X-Amz-Date': '20150830T123600Z',
  },
  body: '',
};

describe('amzDate', () => {
  it('formats a time in the ISO 8601 basic format, to the second', () => {
    expect(amzDate(new Date('2015-08-30T12:36:00.789Z'))).toBe('20150830T123600Z');
  });
});

describe('SigV4 against the AWS documentation example', () => {
  it('builds the documented canonical request', () => {
    expect(canonicalRequest(docsRequest, EMPTY_SHA256)).toBe(
      [
        'GET',
        '/',
        'Action=ListUsers&Version=2010-05-08',
        'content-type:application/x-www-form-urlencoded; charset=utf-8',
        'host:iam.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'content-type;host;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
  });

  it('derives the documented signing key', () => {
    expect(
      signingKey(DOCS_CREDENTIALS.secretAccessKey, '20150830', 'us-east-1', 'iam').toString('hex'),
    ).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  });

  it('produces the documented signature', () => {
    const headers = signRequest(docsRequest, {
      credentials: DOCS_CREDENTIALS,
      region: 'us-east-1',
      service: 'iam',
      date: DOCS_DATE,
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('signs and sends the session token of temporary credentials', () => {
    const headers = signRequest(docsRequest, {
      credentials: { ...DOCS_CREDENTIALS, sessionToken: 'token' },
      region: 'us-east-1',
      service: 'iam',
      date: DOCS_DATE,
    });
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers.authorization).toContain(
      'SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,',
    );
  });

  it('leaves out of the signature the headers proxies may change', () => {
    const signed = signRequest(
      {
        ...docsRequest,
        headers: { ...docsRequest.headers, 'User-Agent': 'x', Connection: 'keep-alive' },
      },
      { credentials: DOCS_CREDENTIALS, region: 'us-east-1', service: 'iam', date: DOCS_DATE },
    );
    expect(signed.authorization).toContain('SignedHeaders=content-type;host;x-amz-date,');
  });
});

describe('SigV4 against the AWS SDK', () => {
  let server: CaptureServer;
  const credentials = {
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: 'secret/with+special=chars',
    sessionToken: 'FwoGZXIvYXdzEXAMPLE//token==',
  };
  const config = () => ({ endpoint: server.url, region: 'eu-west-1', credentials, maxAttempts: 1 });

  beforeAll(async () => {
    server = await startCaptureServer();
  });
  afterAll(() => server.close());

  /** Signs what the SDK sent, at the time it sent it, and compares the two signatures. */
  function expectSameSignature(service: string) {
    const captured = server.requests.at(-1)!;
    const headers = headerStrings(captured.headers);
    const { authorization: sdkAuthorization, host, ...unsigned } = headers;
    const date = headers['x-amz-date']!.replace(
      /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/,
      '$1-$2-$3T$4:$5:$6Z',
    );
    const ours = signRequest(
      {
        method: captured.method,
        host: host!,
        path: captured.path,
        headers: unsigned,
        body: captured.body,
      },
      { credentials, region: 'eu-west-1', service, date: new Date(date) },
    );
    expect(sdkAuthorization).toContain(`/eu-west-1/${service}/aws4_request`);
    expect(ours.authorization).toBe(sdkAuthorization);
  }

  it('signs a DynamoDB request exactly as the SDK does', async () => {
    const client = new DynamoDBClient(config());
    await client.send(
      new GetItemCommand({
        TableName: 'orders',
        Key: { pk: { S: 'ORDER#1 ünïcødé' }, sk: { S: 'ORDER' } },
      }),
    );
    client.destroy();
    expectSameSignature('dynamodb');
  });

  it('signs an EventBridge request exactly as the SDK does', async () => {
    const client = new EventBridgeClient(config());
    server.answers.splice(0, server.answers.length, {
      status: 200,
      body: '{"FailedEntryCount":0,"Entries":[{"EventId":"1"}]}',
    });
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shop.orders',
            DetailType: 'OrderCreated',
            Detail: '{"a":  "b"}',
            EventBusName: 'bus',
          },
        ],
      }),
    );
    client.destroy();
    server.answers.splice(0);
    expectSameSignature('events');
  });

  it('signs a Step Functions request exactly as the SDK does', async () => {
    const client = new SFNClient(config());
    await client.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:timer',
        name: 'order-1',
        input: '{"orderId":"order-1"}',
      }),
    );
    client.destroy();
    expectSameSignature('states');
  });

  it('signs an SQS request exactly as the SDK does', async () => {
    const client = new SQSClient(config());
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: `${server.url}/000000000000/payments`,
        ReceiptHandle: 'handle+/=',
        VisibilityTimeout: 30,
      }),
    );
    client.destroy();
    expectSameSignature('sqs');
  });
});
