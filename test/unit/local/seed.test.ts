import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_PRODUCTS, seedProducts } from '../../../local/seed.ts';

const received: { method?: string; url?: string; body: string }[] = [];
let refuse = false;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, body });
      res.writeHead(refuse ? 409 : 201, { 'content-type': 'application/json' });
      res.end(refuse ? '{"error":{"code":"QUANTITY_BELOW_RESERVED"}}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('seedProducts', () => {
  it('puts every demo product through the inventory admin API', async () => {
    received.length = 0;
    await seedProducts(url);
    expect(received).toEqual(
      DEFAULT_PRODUCTS.map(({ sku, ...body }) => ({
        method: 'PUT',
        url: `/inventory/${sku}`,
        body: JSON.stringify(body),
      })),
    );
    expect(DEFAULT_PRODUCTS.map((p) => p.sku)).toEqual(['SKU-1', 'SKU-2', 'SKU-3']);
  });

  it('fails loudly with the API answer when a product is refused', async () => {
    refuse = true;
    try {
      await expect(seedProducts(url)).rejects.toThrow(/Seeding SKU-1 failed: 409/);
    } finally {
      refuse = false;
    }
  });
});
