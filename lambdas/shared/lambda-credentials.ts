/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild
 * alias set by `ServiceFunction`). The SDK clients import that package's default
 * chain (environment, SSO, profiles, process, web identity, container, IMDS), which
 * drags two nested STS/SSO clients into every bundle: about 90 KB and a slower cold
 * start. A Lambda function (on AWS, on LocalStack, on the local cloud) always gets its
 * role's credentials in environment variables, so the environment step alone is the
 * whole chain there. Code run outside a Lambda bundle (tests, scripts) keeps the SDK's
 * own chain.
 */
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

/** Same signature as the SDK's `defaultProvider`; reads AWS_ACCESS_KEY_ID and friends. */
export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);
