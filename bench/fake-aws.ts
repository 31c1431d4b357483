import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/**
 * A stand-in AWS endpoint for the cold-start runs: it answers every JSON-protocol call
 * the handlers make with the smallest valid answer at once (empty reads, accepted
 * writes and events, started executions), so a first invocation measures the
 * function's own start-up and work, not a backend.
 */
export interface FakeAws {
  url: string;
  /** Calls answered, by `X-Amz-Target`. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

/** The answer to one call (exported for its unit test). */
export function fakeAnswer(target: string, request: Record<string, unknown>): unknown {
  const action = target.slice(target.indexOf('.') + 1);
  if (target.startsWith('DynamoDB_')) {
    if (action === 'Query' || action === 'Scan') return { Items: [], Count: 0, ScannedCount: 0 };
    if (action === 'BatchGetItem') return { Responses: {}, UnprocessedKeys: {} };
    if (action === 'BatchWriteItem') return { UnprocessedItems: {} };
    if (action === 'TransactGetItems') return { Responses: [] };
    return {};
  }
  if (target === 'AWSEvents.PutEvents') {
    const entries = (request.Entries as unknown[] | undefined) ?? [];
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) };
  }
  if (target.startsWith('AWSStepFunctions.')) {
    if (action === 'StartExecution')
      return {
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:bench:${randomUUID()}`,
        startDate: Date.now() / 1000,
      };
    if (action === 'StopExecution') return { stopDate: Date.now() / 1000 };
    return {};
  }
  if (target === 'AmazonSQS.SendMessage') {
    const body = typeof request.MessageBody === 'string' ? request.MessageBody : '';
    return {
      MessageId: randomUUID(),
      MD5OfMessageBody: createHash('md5').update(body).digest('hex'),
    };
  }
  return {};
}

export async function startFakeAws(): Promise<FakeAws> {
  const calls = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      calls.set(target, (calls.get(target) ?? 0) + 1);
      let request: Record<string, unknown> = {};
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
          string,
          unknown
        >;
      } catch {
        // Not JSON: answer the empty object like any unknown call.
      }
      const body = JSON.stringify(fakeAnswer(target, request));
      res.writeHead(200, {
        'content-type': target.startsWith('DynamoDB_')
          ? 'application/x-amz-json-1.0'
          : 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': randomUUID(),
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
