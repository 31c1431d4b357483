import { rmSync } from 'node:fs';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../local/cloud.ts';

/**
 * Runs a synthesized cloud assembly in a local cloud on random ports, for one test
 * file; `dispose` stops it and removes the assembly. LOCAL_CLOUD_LOGS=1 shows the
 * cloud's and the functions' output while debugging a test.
 *
 * `dispose` fails the test file when the cloud refused any function a request its role
 * does not allow (local/iam): a missing grant would otherwise show only as retries or
 * dead letters that a test may tolerate, and then fail in AWS.
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
      const denied = cloud.counters()['iam.denied'] ?? 0;
      const refusals = cloud.logs().filter((line) => line.startsWith('IAM: '));
      await cloud.stop();
      rmSync(cdkOut, { recursive: true, force: true });
      if (denied > 0) {
        throw new Error(
          `The functions' roles refused ${denied} request(s):\n${[...new Set(refusals)].join('\n')}`,
        );
      }
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
