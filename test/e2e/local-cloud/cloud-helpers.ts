import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { LocalCloud, LocalCloudOptions } from '../../../local/cloud.ts';
import { clientConfig, runCloud } from '../../support/local-cloud.ts';
import { synthesizeFixture } from '../../fixtures/local-cloud/fixture-stack.ts';

/** The fixture app synthesized to a temporary cloud assembly, running in a local cloud on random ports. */
export function startFixtureCloud(
  options: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; dispose: () => Promise<void> }> {
  const outdir = mkdtempSync(join(tmpdir(), 'local-cloud-fixture-'));
  synthesizeFixture(outdir);
  return runCloud(outdir, { asyncRetryDelaysMs: [100, 100], ...options });
}

export { clientConfig };

/** Physical name of a template resource by the start of its logical id. */
export function physicalName(
  cloud: LocalCloud,
  kind: 'tables' | 'queues' | 'functions',
  logicalPrefix: string,
): string {
  const found = cloud.model[kind].find((r) => r.logicalId.startsWith(logicalPrefix));
  if (!found) throw new Error(`No ${kind} resource ${logicalPrefix}* in the fixture`);
  return found.name;
}

/** What the fixture handlers recorded for a key (see handlers/deliveries.ts). */
export async function deliveriesOf(
  cloud: LocalCloud,
  key: string,
): Promise<Record<string, string>[]> {
  const client = new DynamoDBClient(clientConfig(cloud));
  const result = await client.send(
    new QueryCommand({
      TableName: physicalName(cloud, 'tables', 'Deliveries'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: key } },
      ConsistentRead: true,
    }),
  );
  client.destroy();
  return (result.Items ?? []).map((item) =>
    Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.S ?? v.N ?? ''])),
  );
}

/** Polls until `check` returns a truthy value (or throws after the deadline with the last value seen). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await check();
    if (last) return last;
    if (Date.now() > deadline) {
      throw new Error(`Condition not met within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
