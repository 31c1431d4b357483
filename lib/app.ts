import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStageConfig, STAGE_CONFIG_KEYS, type StageConfigSource } from './config.ts';
import { OrderSagaStack } from './order-saga-stack.ts';

/**
 * The CDK app: one stack per stage. Settings come from environment variables, and
 * CDK context overrides them (`cdk synth -c STAGE=prod`); both are validated first.
 * `bin/app.ts` runs it with the process's environment; tests pass their own.
 */
export function createOrderSagaApp(
  environment: NodeJS.ProcessEnv = process.env,
  appProps: AppProps = {},
): { app: App; stack: OrderSagaStack } {
  const app = new App(appProps);

  const fromContext: StageConfigSource = {};
  for (const key of STAGE_CONFIG_KEYS) {
    // `-c KEY=value` arrives as a string; a cdk.json context value may be a number or boolean.
    const value: unknown = app.node.tryGetContext(key);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      fromContext[key] = String(value);
    }
  }
  const config = loadStageConfig({ ...environment, ...fromContext });

  const stack = new OrderSagaStack(app, `OrderSaga-${config.stage}`, {
    config,
    description: `Event-driven order saga (${config.stage})`,
    env: { account: environment.CDK_DEFAULT_ACCOUNT, region: environment.CDK_DEFAULT_REGION },
  });
  Tags.of(stack).add('app', 'order-saga');
  Tags.of(stack).add('stage', config.stage);

  // cdk-nag runs as a policy-validation plugin: an unacknowledged finding fails the synth.
  if (config.nagChecks) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
