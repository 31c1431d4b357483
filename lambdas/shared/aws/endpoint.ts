/** The AWS services this client speaks to, as the endpoint settings name them. */
export const AWS_SERVICES = {
  dynamodb: { envSuffix: 'DYNAMODB', hostPrefix: 'dynamodb', signingName: 'dynamodb' },
  eventbridge: { envSuffix: 'EVENTBRIDGE', hostPrefix: 'events', signingName: 'events' },
  sfn: { envSuffix: 'SFN', hostPrefix: 'states', signingName: 'states' },
  sqs: { envSuffix: 'SQS', hostPrefix: 'sqs', signingName: 'sqs' },
} as const;

export type AwsService = keyof typeof AWS_SERVICES;

/** Where to send a service's requests and how to sign them. */
export interface ResolvedEndpoint {
  url: URL;
  region: string;
  /** The service name of the SigV4 credential scope. */
  signingName: string;
}

/**
 * Resolves a service's endpoint from the standard settings, as the AWS SDKs do, so no
 * handler has endpoint code and the same bundle runs on AWS, LocalStack and the local
 * cloud: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL` (both ignored when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else the service's regional endpoint
 * `https://<prefix>.<region>.amazonaws.com` (`.amazonaws.com.cn` in China regions).
 *
 * @throws when `AWS_REGION` is not set (Lambda always sets it) or an endpoint URL is invalid.
 */
export function resolveEndpoint(
  service: AwsService,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedEndpoint {
  const { envSuffix, hostPrefix, signingName } = AWS_SERVICES[service];
  const region = env.AWS_REGION;
  if (!region) throw new Error(`No AWS region for ${service}: set AWS_REGION`);

  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true';
  const configured = ignoreConfigured
    ? undefined
    : env[`AWS_ENDPOINT_URL_${envSuffix}`] || env.AWS_ENDPOINT_URL;
  const dnsSuffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const url = configured ?? `https://${hostPrefix}.${region}.${dnsSuffix}`;
  try {
    return { url: new URL(url), region, signingName };
  } catch (error) {
    throw new Error(`Invalid endpoint URL for ${service}: ${url}`, { cause: error });
  }
}
