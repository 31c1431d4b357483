import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** A request as it reached the server. */
export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the server answers: a status, headers and a body. */
export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** Answers a request (e.g. by its `x-amz-target`), as a stand-in AWS endpoint would. */
export type Responder = (request: CapturedRequest) => CannedAnswer;

/**
 * A local HTTP server that records every request and answers with the next canned
 * answer (the last one repeats; `200 {}` when none), or with what a {@link Responder}
 * says, so a client's wire format can be compared with the SDK's, its retries observed,
 * and a Lambda entry module run against it through `AWS_ENDPOINT_URL`.
 */
export interface CaptureServer {
  url: string;
  requests: CapturedRequest[];
  answers: CannedAnswer[];
  close(): Promise<void>;
}

export async function startCaptureServer(
  answers: CannedAnswer[] | Responder = [],
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const queue = Array.isArray(answers) ? answers : [];
  const responder = Array.isArray(answers) ? undefined : answers;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const answer = responder
        ? responder(request)
        : ((queue.length > 1 ? queue.shift() : queue[0]) ?? { status: 200, body: '{}' });
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answers: queue,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The environment a Lambda function would have, pointed at `url`. */
export function lambdaEnv(url: string): NodeJS.ProcessEnv {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'session-token-example',
    AWS_ENDPOINT_URL: url,
  };
}

/** The header values of a captured request as plain strings. */
export function headerStrings(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}

/** The operation a captured JSON-protocol request calls (`PutEvents`, `UpdateItem`…). */
export const operationOf = (request: CapturedRequest): string =>
  String(request.headers['x-amz-target'] ?? '').replace(/^[^.]*\./, '');

/** The parsed JSON body of a captured request. */
export const bodyOf = <T = Record<string, unknown>>(request: CapturedRequest): T =>
  JSON.parse(request.body) as T;

/** A 200 answer with a JSON body. */
export const jsonAnswer = (body: unknown): CannedAnswer => ({
  status: 200,
  body: JSON.stringify(body),
});
