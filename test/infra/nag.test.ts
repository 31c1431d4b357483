import { beforeAll, describe, expect, it } from '@jest/globals';
import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { OrderSagaStack } from '../../lib/order-saga-stack.ts';
import { synthStack, SYNTH_TIMEOUT_MS } from './synth.ts';

/** Every acknowledged rule in a construct tree, with the reason given. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const findings = (stack: IConstruct) =>
  new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity,
    resources: violation.violatingResources.map((resource) => resource.constructPath),
  }));

describe.each([
  ['default settings', {}],
  ['an open API without tracing', { API_AUTH: 'NONE', TRACING: 'false', STAGE: 'prod' }],
])('cdk-nag AwsSolutions checks of the stack with %s', (_, settings) => {
  let stack: OrderSagaStack;

  beforeAll(() => {
    ({ stack } = synthStack(settings, { bundle: false }));
  }, SYNTH_TIMEOUT_MS);

  it('reports no unacknowledged error or warning', () => {
    expect(findings(stack)).toEqual([]);
  });

  it('gives a specific reason for every acknowledgment', () => {
    const acks = acknowledgments(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });

  it('acknowledges IAM wildcards one finding at a time, never the whole rule', () => {
    const iam5 = acknowledgments(stack).filter((ack) => ack.id.startsWith('AwsSolutions-IAM5'));
    expect(iam5.length).toBeGreaterThan(0);
    for (const ack of iam5) expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::.+\]$/);
  });
});

describe('cdk-nag checks', () => {
  it('do catch a finding the stack has not acknowledged', () => {
    const { stack } = synthStack({}, { bundle: false });
    new sqs.Queue(stack, 'PlainQueue');

    expect(findings(stack)).toEqual(
      expect.arrayContaining([
        {
          rule: 'AwsSolutions-SQS4',
          severity: 'error',
          resources: [`${stack.stackName}/PlainQueue/Resource`],
        },
      ]),
    );
  });
});
