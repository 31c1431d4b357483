import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalCloud } from '../../../local/cloud.ts';
import {
  clientConfig,
  deliveriesOf,
  eventually,
  physicalName,
  startFixtureCloud,
} from './cloud-helpers.ts';

let cloud: LocalCloud;
let dispose: () => Promise<void>;
let sqs: SQSClient;
let lambda: LambdaClient;
let dynamodb: DynamoDBClient;
let eventBridge: EventBridgeClient;
/** The counters as the cloud reported ready, before any test ran. */
let countersWhenReady: Record<string, number>;

beforeAll(async () => {
  ({ cloud, dispose } = await startFixtureCloud());
  countersWhenReady = cloud.counters();
  sqs = new SQSClient(clientConfig(cloud));
  lambda = new LambdaClient(clientConfig(cloud));
  dynamodb = new DynamoDBClient(clientConfig(cloud));
  eventBridge = new EventBridgeClient(clientConfig(cloud));
}, 180_000);

afterAll(async () => {
  for (const client of [sqs, lambda, dynamodb, eventBridge]) client?.destroy();
  await dispose?.();
}, 60_000);

const decode = (payload: Uint8Array | undefined) =>
  JSON.parse(Buffer.from(payload ?? []).toString('utf8')) as Record<string, unknown>;

describe('API Gateway (REST, Lambda proxy)', () => {
  it('passes path parameters, query strings and headers to the function and its response back', async () => {
    const response = await fetch(`${cloud.apiUrl}/items/item-42?color=red&size=s&size=m`, {
      headers: { 'X-Request-Tag': 'e2e' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-fixture')).toBe('echo');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      resource: '/items/{id}',
      path: '/items/item-42',
      httpMethod: 'GET',
      pathParameters: { id: 'item-42' },
      queryStringParameters: { color: 'red', size: 'm' },
      multiValueQueryStringParameters: { color: ['red'], size: ['s', 'm'] },
      stage: 'test',
      resourcePath: '/items/{id}',
      greeting: 'hello from the template',
      region: 'us-east-1',
      memoryLimitInMB: '128',
    });
    expect((body.headers as Record<string, string>)['X-Request-Tag']).toBe('e2e');
    expect(body.remainingMs).toBeGreaterThan(0);
  });

  it('serves the same routes under the stage name, as AWS does', async () => {
    const response = await fetch(`${cloud.apiUrl}/test/items/7`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ pathParameters: { id: '7' } });
  });

  it('passes a request body and status codes chosen by the function', async () => {
    const posted = await fetch(`${cloud.apiUrl}/items`, { method: 'POST', body: '{"name":"x"}' });
    expect(await posted.json()).toMatchObject({
      httpMethod: 'POST',
      body: '{"name":"x"}',
      isBase64Encoded: false,
    });
    const custom = await fetch(`${cloud.apiUrl}/items/1?status=418`);
    expect(custom.status).toBe(418);
    expect(await custom.text()).toBe('custom status');
  });

  it('matches greedy {proxy+} paths with any method', async () => {
    const response = await fetch(`${cloud.apiUrl}/files/a/b/c.txt`, { method: 'DELETE' });
    expect(await response.json()).toMatchObject({
      resource: '/files/{proxy+}',
      httpMethod: 'DELETE',
      pathParameters: { proxy: 'a/b/c.txt' },
    });
  });

  it('answers unknown routes and methods like API Gateway: 403 Missing Authentication Token', async () => {
    for (const [path, method] of [
      ['/nothing-here', 'GET'],
      ['/items/1', 'DELETE'],
    ] as const) {
      const response = await fetch(`${cloud.apiUrl}${path}`, { method });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    }
  });
});

describe('SQS event source mappings', () => {
  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    const body = `always-fails-${randomUUID()}`;
    const queue = physicalName(cloud, 'queues', 'FailingQueue');
    await sqs.send(
      new SendMessageCommand({ QueueUrl: cloud.queues.url(queue), MessageBody: body }),
    );
    const dlq = cloud.queues.deadLetterQueueOf(queue)!;
    await eventually(
      async () => (await cloud.queues.peek(dlq)).ready.some((m) => m.body === body),
      60_000,
    );
    const deliveries = await deliveriesOf(cloud, body);
    expect(deliveries.map((d) => d.receiveCount).sort()).toEqual(['1', '2']);
  }, 90_000);

  it('retries only the failed messages of a partial batch response', async () => {
    const run = randomUUID();
    const bodies = [`ok-a-${run}`, `fail-once-${run}`, `ok-b-${run}`];
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: cloud.queues.url(physicalName(cloud, 'queues', 'PartialQueue')),
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
    await eventually(
      async () => (await deliveriesOf(cloud, `fail-once-${run}`)).length === 2,
      60_000,
    );
    expect((await deliveriesOf(cloud, `ok-a-${run}`)).map((d) => d.receiveCount)).toEqual(['1']);
    expect((await deliveriesOf(cloud, `ok-b-${run}`)).map((d) => d.receiveCount)).toEqual(['1']);
    const retried = (await deliveriesOf(cloud, `fail-once-${run}`))
      .map((d) => d.receiveCount)
      .sort();
    expect(retried).toEqual(['1', '2']);
  }, 90_000);
});

describe('DynamoDB stream event source mapping', () => {
  it('sends a poison record to the on-failure destination and still delivers the records after it', async () => {
    const run = randomUUID().slice(0, 8);
    const keys = ['a1', 'a2', 'poison', 'a3', 'a4'].map((k) => `${run}-${k}`);
    await dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [physicalName(cloud, 'tables', 'StreamTable')]: keys.map((pk) => ({
            PutRequest: { Item: { pk: { S: pk }, poison: { BOOL: pk.endsWith('poison') } } },
          })),
        },
      }),
    );
    const failures = physicalName(cloud, 'queues', 'StreamFailures');
    const record = await eventually(async () => {
      const messages = (await cloud.queues.peek(failures)).ready.map(
        (m) =>
          JSON.parse(m.body) as {
            DDBStreamBatchInfo: { batchSize: number; startSequenceNumber: string };
          },
      );
      return messages.find((m) => m.DDBStreamBatchInfo.batchSize === 1);
    }, 60_000);
    expect(record.DDBStreamBatchInfo.batchSize).toBe(1);
    for (const key of keys.filter((k) => !k.endsWith('poison'))) {
      await eventually(
        async () => (await deliveriesOf(cloud, `stream#${key}`)).length === 1,
        30_000,
      );
    }
    expect(await deliveriesOf(cloud, `stream#${run}-poison`)).toEqual([]);
  }, 90_000);
});

describe('Lambda runtime', () => {
  it('has started the sandboxes of mapped functions when it is ready: one per SQS poller', () => {
    const sandboxes = (logicalPrefix: string) =>
      countersWhenReady[`lambda.${physicalName(cloud, 'functions', logicalPrefix)}.coldStarts`];
    // Four pollers by default (the default function concurrency).
    expect(sandboxes('PartialBatch')).toBe(4);
    // A stream mapping runs one batch per shard at a time.
    expect(sandboxes('StreamConsumer')).toBe(1);
  });

  it('enforces the function timeout and replaces the timed-out sandbox', async () => {
    const fn = physicalName(cloud, 'functions', 'ShortTimeout');
    const timedOut = await lambda.send(
      new InvokeCommand({
        FunctionName: fn,
        Payload: Buffer.from(JSON.stringify({ sleepMs: 3000 })),
      }),
    );
    expect(timedOut.FunctionError).toBe('Unhandled');
    const error = decode(timedOut.Payload);
    expect(error.errorType).toBe('Sandbox.Timedout');
    expect(error.errorMessage).toContain('Task timed out after 1.00 seconds');
    const next = await lambda.send(
      new InvokeCommand({
        FunctionName: fn,
        Payload: Buffer.from(JSON.stringify({ sleepMs: 5, tag: 'after' })),
      }),
    );
    expect(next.FunctionError).toBeUndefined();
    expect(decode(next.Payload)).toEqual({ slept: 5, tag: 'after' });
  }, 30_000);

  it('throttles invocations beyond the reserved concurrency', async () => {
    const fn = physicalName(cloud, 'functions', 'SingleConcurrency');
    const results = await Promise.allSettled(
      [1, 2, 3].map((n) =>
        lambda.send(
          new InvokeCommand({
            FunctionName: fn,
            Payload: Buffer.from(JSON.stringify({ sleepMs: 1500, tag: String(n) })),
          }),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const throttled = results.filter(
      (r) =>
        r.status === 'rejected' &&
        (r.reason as { name?: string }).name === 'TooManyRequestsException',
    );
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(ok.length + throttled.length).toBe(3);
    expect(cloud.counters()[`lambda.${fn}.maxConcurrency`]).toBe(1);
  }, 30_000);
});

describe('EventBridge', () => {
  it('routes an event matching a rule to its SQS target', async () => {
    const busName = cloud.model.eventBuses.find((b) => b.logicalId.startsWith('Bus'))!.name;
    const marker = randomUUID();
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'fixture.test',
            DetailType: 'Routed',
            Detail: JSON.stringify({ marker }),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    const routed = physicalName(cloud, 'queues', 'RoutedQueue');
    const message = await eventually(async () =>
      (await cloud.queues.peek(routed)).ready.find((m) => m.body.includes(marker)),
    );
    expect(JSON.parse(message.body)).toMatchObject({
      source: 'fixture.test',
      'detail-type': 'Routed',
      detail: { marker },
    });
  }, 30_000);
});

describe('Step Functions', () => {
  it('runs the synthesized definition, started by a rule, through a Lambda task to the end', async () => {
    const busName = cloud.model.eventBuses.find((b) => b.logicalId.startsWith('Bus'))!.name;
    const machine = cloud.model.stateMachines.find((m) => m.logicalId.startsWith('Machine'))!;
    const tag = randomUUID();
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'fixture.test',
            DetailType: 'StartWork',
            Detail: JSON.stringify({ tag }),
          },
        ],
      }),
    );
    const done = await eventually(async () => {
      for (const item of await cloud.executions.list(machine.name, 'SUCCEEDED')) {
        const execution = await cloud.executions.describe(item.executionArn);
        if (execution.input.includes(tag)) return execution;
      }
      return undefined;
    });
    expect(JSON.parse(done.output ?? 'null')).toEqual({ slept: 10, tag });
    expect(
      cloud.counters()[`lambda.${physicalName(cloud, 'functions', 'StepWorker')}.invocations`],
    ).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe('Faults on demand', () => {
  afterAll(() => cloud.faults.clear());

  it('fails a function invocation when told to, then runs it normally', async () => {
    const fn = physicalName(cloud, 'functions', 'StepWorker');
    cloud.faults.set({ functions: [{ function: fn, count: 1, message: 'injected by the test' }] });
    const invoke = () =>
      lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{"sleepMs":1}') }));
    const faulted = await invoke();
    expect(faulted.FunctionError).toBe('Unhandled');
    expect(decode(faulted.Payload)).toMatchObject({
      errorType: 'LocalFaultInjected',
      errorMessage: 'injected by the test',
    });
    const normal = await invoke();
    expect(normal.FunctionError).toBeUndefined();
  });

  it('throttles DynamoDB requests on a table with ProvisionedThroughputExceededException', async () => {
    const table = physicalName(cloud, 'tables', 'Deliveries');
    cloud.faults.set({ dynamodbThrottling: [{ table, count: 1 }] });
    const noRetries = new DynamoDBClient({ ...clientConfig(cloud), maxAttempts: 1 });
    const put = () =>
      noRetries.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: `throttle-${randomUUID()}` }, sk: { S: '1' } },
        }),
      );
    await expect(put()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    await expect(put()).resolves.toBeDefined();
    noRetries.destroy();
  });

  it('rejects PutEvents entries when told to, reporting them per entry', async () => {
    cloud.faults.set({ putEvents: { count: 1 } });
    const busName = cloud.model.eventBuses.find((b) => b.logicalId.startsWith('Bus'))!.name;
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [1, 2].map((n) => ({
          EventBusName: busName,
          Source: 'fixture.other',
          DetailType: 'Ignored',
          Detail: `{"n":${n}}`,
        })),
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.ErrorCode).toBeDefined();
    expect(result.Entries?.[1]?.EventId).toBeDefined();
  });
});
