/**
 * What `npm start` (local/main.ts) does once the cloud runs, apart so it can be tested
 * without starting one.
 */
import type { LocalCloud } from './cloud.ts';
import { faultsOnLine, type FaultSetting } from './faults.ts';
import type { LogSink } from './ports.ts';
import { DEFAULT_PRODUCTS, seedProducts } from './seed.ts';
import type { CloudModel } from './template/model.ts';

export interface StartSettings {
  /** Put the demo products in stock (`LOCAL_SEED` is not `0`). */
  seed: boolean;
  /** The user's faults (`LOCAL_FAULTS` / `LOCAL_FAULTS_FILE`). */
  faults?: FaultSetting | undefined;
}

/**
 * Seeds the demo products, then applies the user's faults: seeding is the tool's set-up,
 * not the user's traffic, so a fault meant for the user's requests (a `*` target, a
 * `count` of 1) must neither fail the start nor be spent on it. Throws when seeding fails
 * or a fault target names nothing in the stack.
 */
export async function prepareCloud(
  cloud: Pick<LocalCloud, 'apiUrl' | 'faults'>,
  settings: StartSettings,
  log: LogSink,
): Promise<void> {
  if (settings.seed) {
    await seedProducts(cloud.apiUrl);
    log(`Seeded ${DEFAULT_PRODUCTS.map((p) => p.sku).join(', ')} (LOCAL_SEED=0 to skip)`);
  }
  if (settings.faults) {
    const { config, source } = settings.faults;
    const targets = cloud.faults.set(config, source);
    log(faultsOnLine(source, targets, settings.seed ? ' now that seeding is done' : ''));
  }
}

/**
 * What the start prints when the cloud is ready: where the API and the AWS endpoint
 * answer. Each API's id is shown with its LocalStack-style URL, which needs it.
 */
export function startBanner(
  cloud: Pick<LocalCloud, 'apiUrl' | 'endpoint' | 'region'> & { model: Pick<CloudModel, 'apis'> },
  startMs: number,
): string {
  const { apis } = cloud.model;
  const stage = apis[0]?.stageName;
  const lines = [
    '',
    `Local cloud ready in ${(startMs / 1000).toFixed(1)} s`,
    `  API:           ${cloud.apiUrl}${stage ? `   (also ${cloud.apiUrl}/${stage}/...)` : ''}`,
    ...apis.map(
      (a) =>
        `  API id:        ${a.restApiId}${apis.length > 1 ? ` (${a.name})` : ''}   ` +
        `(${cloud.apiUrl}/restapis/${a.restApiId}/${a.stageName}/_user_request_/...)`,
    ),
    `  AWS endpoint:  ${cloud.endpoint}   (region ${cloud.region}, any credentials)`,
    // AWS CLI v1 reads the region only from AWS_DEFAULT_REGION ("You must specify a region"
    // with AWS_REGION); CLI v2 reads both, the JavaScript SDK only AWS_REGION.
    `                 e.g. AWS_ENDPOINT_URL=${cloud.endpoint} AWS_DEFAULT_REGION=${cloud.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws dynamodb list-tables`,
    `                 (AWS_DEFAULT_REGION for the AWS CLI, v1 and v2; AWS_REGION for the SDKs)`,
    '  Stop:          Ctrl-C',
    '',
  ];
  return lines.join('\n');
}
