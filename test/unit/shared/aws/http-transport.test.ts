import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type RequestListener, type Server } from 'node:http';
import { nodeHttpTransport, TimeoutError } from '../../../../lambdas/shared/aws/http-transport.ts';

let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    }),
);

async function listen(handler: RequestListener): Promise<URL> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return new URL(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
}

const post = (url: URL, timeoutMs = 5_000) =>
  nodeHttpTransport({
    url,
    method: 'POST',
    headers: { 'content-length': '2' },
    body: '{}',
    timeoutMs,
  });

describe('nodeHttpTransport', () => {
  it('returns the status, lower-case headers and body of any answer', async () => {
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(400, { 'X-Amzn-ErrorType': 'Oops' });
      res.end('{"message":"no"}');
    });
    await expect(post(url)).resolves.toEqual({
      status: 400,
      headers: expect.objectContaining({ 'x-amzn-errortype': 'Oops' }),
      body: '{"message":"no"}',
    });
  });

  it('fails with a TimeoutError when no answer comes in time', async () => {
    const url = await listen(() => undefined);
    const error = await post(url, 50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError' });
  });

  it('fails with the socket error when the connection is reset', async () => {
    const url = await listen((req) => {
      req.socket.destroy();
    });
    await expect(post(url)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const url = await listen(() => undefined);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(post(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('nodeHttpTransport deadlines', () => {
  it('fails with a TimeoutError when the answer starts but never ends', async () => {
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    });
    await expect(post(url, 100)).rejects.toBeInstanceOf(TimeoutError);
  });
});
