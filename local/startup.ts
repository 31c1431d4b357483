/**
 * What `npm start` (local/main.ts) does once the cloud runs, apart so it can be tested
 * without starting one.
 */
import type { LocalCloud } from './cloud.ts';
import { describeTargets, type FaultSetting } from './faults.ts';
import type { LogSink } from './ports.ts';
import { DEFAULT_PRODUCTS, seedProducts } from './seed.ts';

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
    log(
      `Faults (${source}) on${settings.seed ? ' now that seeding is done' : ''}` +
        (targets.length > 0 ? `: ${describeTargets(targets)}` : ''),
    );
  }
}
