import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createEventBridge } from '../../../../lambdas/shared/aws/event-bridge.ts';
import { createSqs } from '../../../../lambdas/shared/aws/sqs.ts';
import { createStepFunctions } from '../../../../lambdas/shared/aws/step-functions.ts';
import { lambdaEnv, startCaptureServer, type CaptureServer } from './capture-server.ts';

let server: CaptureServer;
const sdkConfig = () => ({
  endpoint: server.url,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 's' },
  maxAttempts: 1,
});

beforeAll(async () => {
  server = await startCaptureServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.splice(0);
  server.answers.splice(0);
});

/** The last two requests (the SDK's, then ours) have the same target, content type and body. */
function expectSameWire() {
  const [theirs, ours] = server.requests.slice(-2);
  for (const header of ['x-amz-target', 'content-type']) {
    expect(ours!.headers[header]).toBe(theirs!.headers[header]);
  }
  expect(ours!.headers.authorization).toContain(
    (theirs!.headers.authorization ?? '').match(/\/eu-west-1\/[a-z]+\/aws4_request/)![0],
  );
  expect(JSON.parse(ours!.body)).toEqual(JSON.parse(theirs!.body));
}

describe('EventBridge facade', () => {
  it('sends PutEvents as the SDK does (JSON 1.1, AWSEvents.PutEvents, signed for events)', async () => {
    const input = {
      Entries: [
        {
          Source: 'shop.orders',
          DetailType: 'OrderCreated',
          Detail: '{"orderId":"1"}',
          EventBusName: 'bus',
          Time: new Date('2026-11-23T10:00:00.500Z'),
        },
      ],
    };
    const sdk = new EventBridgeClient(sdkConfig());
    await sdk.send(new PutEventsCommand(input));
    sdk.destroy();
    await createEventBridge({ env: lambdaEnv(server.url) }).putEvents(input);
    expectSameWire();
  });

  it('returns the per-entry results', async () => {
    const answer = {
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e1' }, { ErrorCode: 'ThrottlingException' }],
    };
    server.answers.push({ status: 200, body: JSON.stringify(answer) });
    await expect(
      createEventBridge({ env: lambdaEnv(server.url) }).putEvents({ Entries: [] }),
    ).resolves.toEqual(answer);
  });
});

describe('StepFunctions facade', () => {
  const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:timer';

  it('sends StartExecution as the SDK does and reads its answer', async () => {
    const input = { stateMachineArn, name: 'order-1', input: '{"orderId":"order-1"}' };
    const answer = { executionArn: `${stateMachineArn}:order-1`, startDate: 1_763_892_000.123 };
    server.answers.push({ status: 200, body: JSON.stringify(answer) });
    const sdk = new SFNClient(sdkConfig());
    const theirs = await sdk.send(new StartExecutionCommand(input));
    sdk.destroy();
    const ours = await createStepFunctions({ env: lambdaEnv(server.url) }).startExecution(input);
    expectSameWire();
    expect(ours).toEqual({ executionArn: theirs.executionArn, startDate: theirs.startDate });
  });

  it('sends StopExecution as the SDK does', async () => {
    const input = {
      executionArn: `${stateMachineArn}:order-1`,
      error: 'OrderFinal',
      cause: 'final',
    };
    server.answers.push({ status: 200, body: '{"stopDate":1763892000}' });
    const sdk = new SFNClient(sdkConfig());
    await sdk.send(new StopExecutionCommand(input));
    sdk.destroy();
    const ours = await createStepFunctions({ env: lambdaEnv(server.url) }).stopExecution(input);
    expectSameWire();
    expect(ours.stopDate).toEqual(new Date(1_763_892_000_000));
  });

  it('throws ExecutionAlreadyExists by name', async () => {
    server.answers.push({
      status: 400,
      body: '{"__type":"com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists","message":"exists"}',
    });
    await expect(
      createStepFunctions({ env: lambdaEnv(server.url) }).startExecution({
        stateMachineArn,
        name: 'n',
      }),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists', message: 'exists' });
  });
});

describe('Sqs facade', () => {
  it('sends ChangeMessageVisibility as the SDK does (JSON 1.0, AmazonSQS)', async () => {
    const input = {
      QueueUrl: `${server.url}/000000000000/q`,
      ReceiptHandle: 'rh',
      VisibilityTimeout: 60,
    };
    const sdk = new SQSClient(sdkConfig());
    await sdk.send(new ChangeMessageVisibilityCommand(input));
    sdk.destroy();
    await createSqs({ env: lambdaEnv(server.url) }).changeMessageVisibility(input);
    expectSameWire();
  });
});
