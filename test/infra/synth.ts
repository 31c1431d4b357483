import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig, type StageConfig, type StageConfigSource } from '../../lib/config.ts';
import { OrderSagaStack } from '../../lib/order-saga-stack.ts';

/** Synthesis bundles every function with esbuild: give it time on a busy machine. */
export const SYNTH_TIMEOUT_MS = 180_000;

/**
 * Builds the stack for a stage's settings. `bundle: false` skips esbuild (CDK's
 * `aws:cdk:bundling-stacks` context) for tests that look only at resource settings.
 */
export function synthStack(
  settings: StageConfigSource = {},
  options: { bundle?: boolean } = {},
): { config: StageConfig; stack: OrderSagaStack; template: Template } {
  const bundle = options.bundle ?? true;
  const app = new App({ context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const config = loadStageConfig(settings);
  const stack = new OrderSagaStack(app, 'OrderSaga-test', { config });
  return { config, stack, template: Template.fromStack(stack) };
}
