import type { Agent, IncomingMessage, request as httpRequest } from 'node:http';

/** One HTTP exchange as the JSON-protocol client needs it. */
export interface HttpRequest {
  url: URL;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** The whole exchange (connect, send, answer) must end within this, or fail with `TimeoutError`. */
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string | undefined>;
  body: string;
}

/** Sends one request; rejects on network failures and timeouts, never on an HTTP status. */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** An error a transport rejects with when the deadline passes (retried as transient). */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

interface Client {
  request: typeof httpRequest;
  agent: Agent;
}

// The modules come from process.getBuiltinModule, not `import … from 'node:http'`: in an
// ES module (the bundles are), an import builds the module's namespace, which reads
// every export, lazy ones included, and http's WebSocket getters load undici: about
// 25 ms of every cold start for nothing (see README.md).
//
// Keep-alive: a warm container reuses its connection instead of a TCP (and TLS)
// handshake per call. Sockets idle longer than Lambda's freeze are closed by the peer;
// the retry of ECONNRESET covers a request sent on such a socket.
let http: Client | undefined;
let https: Client | undefined;

/** The client of a protocol, created on its first request (a function on http never loads https). */
function clientFor(protocol: string): Client {
  if (protocol === 'https:') {
    const module = process.getBuiltinModule('node:https');
    https ??= {
      request: module.request,
      agent: new module.Agent({ keepAlive: true, maxSockets: 50 }),
    };
    return https;
  }
  const module = process.getBuiltinModule('node:http');
  http ??= {
    request: module.request,
    agent: new module.Agent({ keepAlive: true, maxSockets: 50 }),
  };
  return http;
}

/**
 * The transport on `node:http`/`node:https` with keep-alive agents. Chosen over
 * `fetch` by measurement: `fetch` loads undici on its first use, which costs a cold
 * start about 20 ms more (see lambdas/shared/aws/README.md).
 */
export const nodeHttpTransport: HttpTransport = (request) => {
  const { request: send, agent } = clientFor(request.url.protocol);
  return new Promise<HttpResponse>((resolve, reject) => {
    const outgoing = send(
      request.url,
      { method: request.method, headers: request.headers, agent },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: flattenHeaders(response.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      const error = new TimeoutError(
        `No answer from ${request.url.host} within ${request.timeoutMs} ms`,
      );
      outgoing.destroy(error);
      // Settles the call even if the destroyed request emits nothing more (e.g. the
      // answer had begun); a promise settles once, so a later 'error' is harmless.
      fail(error);
    }, request.timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    outgoing.on('error', fail);
    outgoing.end(request.body);
  });
};

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
