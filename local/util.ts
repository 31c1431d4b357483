import { createServer } from 'node:net';

/** A TCP port that was free a moment ago (for services that cannot bind port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true (or a truthy value), or throws after the deadline. */
export async function waitUntil<T>(
  check: () => Promise<T | false | undefined> | T | false | undefined,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 100);
  }
}

/** A value as text for messages: strings as they are, anything else as JSON. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Reads a request or response body fully. */
export async function readBody(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** A counter map (`counters()` of every service). */
export class Counters {
  private readonly values: Record<string, number> = {};
  add(key: string, amount = 1): void {
    this.values[key] = (this.values[key] ?? 0) + amount;
  }
  get(key: string): number {
    return this.values[key] ?? 0;
  }
  snapshot(): Record<string, number> {
    return { ...this.values };
  }
}
