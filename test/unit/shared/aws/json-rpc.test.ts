import { afterEach, describe, expect, it } from '@jest/globals';
import { AwsServiceError } from '../../../../lambdas/shared/aws/errors.ts';
import {
  nodeHttpTransport,
  type HttpRequest,
  type HttpResponse,
} from '../../../../lambdas/shared/aws/http-transport.ts';
import { createJsonRpcClient } from '../../../../lambdas/shared/aws/json-rpc.ts';
import { lambdaEnv, startCaptureServer, type CaptureServer } from './capture-server.ts';

/** A transport that answers from a script and records what it was sent. */
function scriptedTransport(script: (HttpResponse | Error)[]) {
  const sent: HttpRequest[] = [];
  const transport = (request: HttpRequest) => {
    sent.push(request);
    const next = script.length > 1 ? script.shift()! : script[0]!;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { sent, transport };
}

const ok = (body: unknown): HttpResponse => ({
  status: 200,
  headers: {},
  body: JSON.stringify(body),
});
const failure = (status: number, type: string): HttpResponse => ({
  status,
  headers: {},
  body: JSON.stringify({ __type: type, message: type }),
});

function client(script: (HttpResponse | Error)[]) {
  const { sent, transport } = scriptedTransport(script);
  const delays: number[] = [];
  const rpc = createJsonRpcClient({
    service: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    jsonVersion: '1.0',
    env: lambdaEnv('http://127.0.0.1:1'),
    transport,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  });
  return { rpc, sent, delays };
}

describe('createJsonRpcClient', () => {
  it('POSTs the JSON input, signed, with the protocol headers', async () => {
    const { rpc, sent } = client([ok({ Item: { pk: { S: '1' } } })]);
    const output = await rpc.call('GetItem', { TableName: 't', Key: { pk: { S: '1' } } });
    expect(output).toEqual({ Item: { pk: { S: '1' } } });
    const request = sent[0]!;
    expect(request.method).toBe('POST');
    expect(request.url.href).toBe('http://127.0.0.1:1/');
    expect(JSON.parse(request.body)).toEqual({ TableName: 't', Key: { pk: { S: '1' } } });
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      'content-length': String(Buffer.byteLength(request.body)),
      'x-amz-security-token': 'session-token-example',
    });
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  it('answers an empty body with an empty object', async () => {
    const { rpc } = client([{ status: 200, headers: {}, body: '' }]);
    await expect(rpc.call('ChangeMessageVisibility', {})).resolves.toEqual({});
  });

  it('throws a service error at once, without retrying it', async () => {
    const { rpc, sent } = client([
      failure(400, 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException'),
    ]);
    const error = await rpc.call('PutItem', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 },
    });
    expect(sent).toHaveLength(1);
  });

  it('retries throttling with backoff, then succeeds', async () => {
    const { rpc, sent, delays } = client([
      failure(400, 'ProvisionedThroughputExceededException'),
      failure(400, 'ThrottlingException'),
      ok({ ok: true }),
    ]);
    await expect(rpc.call('TransactWriteItems', {})).resolves.toEqual({ ok: true });
    expect(sent).toHaveLength(3);
    expect(delays).toEqual([500, 1000]);
  });

  it('retries 5xx answers and network errors, re-signing every attempt', async () => {
    const { rpc, sent } = client([
      failure(503, 'ServiceUnavailable'),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      ok({}),
    ]);
    await rpc.call('GetItem', {});
    expect(sent).toHaveLength(3);
    expect(sent.every((request) => request.headers.authorization !== undefined)).toBe(true);
  });

  it('gives up after 3 attempts with the last error and what the retries cost', async () => {
    const { rpc, sent } = client([failure(500, 'InternalServerError')]);
    const error = await rpc.call('GetItem', {}).catch((e: unknown) => e);
    expect(sent).toHaveLength(3);
    expect(error).toMatchObject({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500, attempts: 3, totalRetryDelay: 100 + 200 },
    });
  });

  it('gets its retry quota back from calls that succeed, so occasional failures never use it up', async () => {
    let attempts = 0;
    const rpc = createJsonRpcClient({
      service: 'dynamodb',
      targetPrefix: 'DynamoDB_20120810',
      jsonVersion: '1.0',
      env: lambdaEnv('http://127.0.0.1:1'),
      // Every call fails once, then succeeds on its retry.
      transport: () =>
        Promise.resolve((attempts += 1) % 2 === 1 ? failure(503, 'ServiceUnavailable') : ok({})),
      sleep: () => Promise.resolve(),
      random: () => 0.5,
    });
    // Far more retries than the quota holds (500 tokens, 5 per retry) without refills.
    for (let call = 0; call < 150; call += 1) {
      await expect(rpc.call('GetItem', {})).resolves.toEqual({});
    }
    expect(attempts).toBe(300);
  });

  it('gives up after the attempts configured', async () => {
    const { sent, transport } = scriptedTransport([failure(500, 'InternalServerError')]);
    const rpc = createJsonRpcClient({
      service: 'sqs',
      targetPrefix: 'AmazonSQS',
      jsonVersion: '1.0',
      env: lambdaEnv('http://127.0.0.1:1'),
      transport,
      maxAttempts: 1,
    });
    await expect(rpc.call('ChangeMessageVisibility', {})).rejects.toThrow('InternalServerError');
    expect(sent).toHaveLength(1);
  });

  it('fails without credentials, naming the variables', async () => {
    const { transport } = scriptedTransport([ok({})]);
    const rpc = createJsonRpcClient({
      service: 'sfn',
      targetPrefix: 'AWSStepFunctions',
      jsonVersion: '1.0',
      env: { AWS_REGION: 'eu-west-1' },
      transport,
    });
    await expect(rpc.call('StartExecution', {})).rejects.toThrow('AWS_ACCESS_KEY_ID');
  });
});

describe('createJsonRpcClient over HTTP', () => {
  let server: CaptureServer | undefined;
  afterEach(() => server?.close());

  it('reuses one kept-alive connection for consecutive calls', async () => {
    server = await startCaptureServer();
    const rpc = createJsonRpcClient({
      service: 'eventbridge',
      targetPrefix: 'AWSEvents',
      jsonVersion: '1.1',
      env: lambdaEnv(server.url),
    });
    await rpc.call('PutEvents', { Entries: [] });
    await rpc.call('PutEvents', { Entries: [] });
    expect(server.requests.map((r) => r.headers.connection)).toEqual(['keep-alive', 'keep-alive']);
    expect(server.requests[0]!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(server.requests[0]!.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
  });

  it('retries an attempt that outlives its timeout', async () => {
    server = await startCaptureServer();
    const hungServer = await startHungServer();
    const targets = [hungServer.url, server.url];
    const rpc = createJsonRpcClient({
      service: 'dynamodb',
      targetPrefix: 'DynamoDB_20120810',
      jsonVersion: '1.0',
      env: lambdaEnv('http://127.0.0.1:1'),
      timeoutMs: 50,
      sleep: () => Promise.resolve(),
      // The first attempt goes to a server that never answers, the next to one that does.
      transport: (request) =>
        nodeHttpTransport({ ...request, url: new URL(`${targets.shift()}/`) }),
    });
    try {
      await expect(rpc.call('GetItem', {})).resolves.toEqual({});
      expect(targets).toEqual([]);
      expect(server.requests).toHaveLength(1);
    } finally {
      await hungServer.close();
    }
  });
});

/** A server that accepts requests and never answers them. */
async function startHungServer() {
  const { createServer } = await import('node:http');
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
