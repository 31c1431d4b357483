import { rmSync } from 'node:fs';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../local/cloud.ts';

/**
 * Runs a synthesized cloud assembly in a local cloud on random ports, for one test
 * file; `dispose` stops it and removes the assembly. LOCAL_CLOUD_LOGS=1 shows the
 * cloud's and the functions' output while debugging a test.
 */
export async function runCloud(
  cdkOut: string,
  options: Partial<LocalCloudOptions> = {},
): Promise<{ cloud: LocalCloud; dispose: () => Promise<void> }> {
  const cloud = await startLocalCloud({
    cdkOut,
    apiPort: 0,
    endpointPort: 0,
    quiet: process.env.LOCAL_CLOUD_LOGS !== '1',
    ...options,
  });
  return {
    cloud,
    dispose: async () => {
      await cloud.stop();
      rmSync(cdkOut, { recursive: true, force: true });
    },
  };
}

/** SDK client settings for the cloud's AWS endpoint. */
export function clientConfig(cloud: LocalCloud) {
  return {
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}
