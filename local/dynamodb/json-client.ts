import { Agent } from 'node:http';
import { request } from 'node:http';
import { asText } from '../util.ts';

/**
 * A minimal client for the DynamoDB and DynamoDB Streams JSON protocol, talking
 * straight to DynamoDB Local (no endpoint hop, no faults, not counted as requests:
 * this is the local cloud's own plumbing: table creation, stream polling, TTL).
 */
export interface DynamoJsonClient {
  call<T = Record<string, unknown>>(target: string, body: object): Promise<T>;
}

/** An error answered by DynamoDB (its `__type` short name and message). */
export class DynamoDbError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
    this.name = 'DynamoDbError';
  }
}

const FAKE_AUTH =
  'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0';

/** `target` is e.g. `DynamoDB_20120810.CreateTable` or `DynamoDBStreams_20120810.GetRecords`. */
export function dynamoJsonClient(endpoint: string): DynamoJsonClient {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    call<T>(target: string, body: object): Promise<T> {
      const payload = JSON.stringify(body);
      return new Promise<T>((resolve, reject) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/',
            agent,
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': target,
              authorization: FAKE_AUTH,
              'content-length': Buffer.byteLength(payload),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: Record<string, unknown>;
              try {
                parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
              } catch {
                reject(
                  new Error(`DynamoDB Local answered ${res.statusCode}: ${text.slice(0, 200)}`),
                );
                return;
              }
              if ((res.statusCode ?? 500) >= 400) {
                const type =
                  asText(parsed.__type ?? 'UnknownError')
                    .split('#')
                    .pop() ?? 'UnknownError';
                reject(new DynamoDbError(type, asText(parsed.message ?? parsed.Message ?? text)));
                return;
              }
              resolve(parsed as T);
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}
