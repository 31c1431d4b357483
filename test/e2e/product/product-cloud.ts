import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloud, LocalCloudOptions } from '../../../local/cloud.ts';
import { clientConfig, runCloud } from '../../support/local-cloud.ts';
import { synthesizeCdkApp } from '../../../local/synth.ts';

/**
 * The product stack, synthesized with the given stage settings and running in a local
 * cloud on random ports: one cloud per test file, stopped in afterAll.
 */
export async function startProductCloud(
  stageSettings: Record<string, string> = {},
  options: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; dispose: () => Promise<void> }> {
  const outdir = mkdtempSync(join(tmpdir(), 'order-saga-e2e-'));
  await synthesizeCdkApp({
    outdir,
    stdio: 'ignore',
    // cdk-nag has its own infra test; skipping it here saves seconds per synth.
    env: { ...process.env, CDK_NAG: 'false', STAGE: 'e2e', ...stageSettings },
  });
  return runCloud(outdir, { ttlSweepIntervalMs: 0, ...options });
}

export { clientConfig };

/** A resource of the product stack by the start of its logical id. */
export function resourceNamed(
  cloud: LocalCloud,
  kind: 'tables' | 'queues' | 'functions',
  logicalPrefix: string,
): { logicalId: string; name: string } {
  const found = cloud.model[kind].filter((r) => r.logicalId.startsWith(logicalPrefix));
  if (found.length !== 1) {
    const all = cloud.model[kind].map((r) => r.logicalId).join(', ');
    throw new Error(
      `Expected one ${kind} resource ${logicalPrefix}*, found ${found.length}: ${all}`,
    );
  }
  return found[0]!;
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** JSON over HTTP against the local API. */
export async function api(
  cloud: LocalCloud,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** A valid order body; each test passes its own customer and SKUs. */
export function orderBody(customerId: string, overrides: Record<string, unknown> = {}) {
  return {
    customerId,
    customerEmail: `${customerId}@example.com`,
    currency: 'USD',
    items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 12.5 }],
    ...overrides,
  };
}
