import { describe, expect, it } from '@jest/globals';
import type { QueueDefinition } from '../../../local/template/model.ts';
import { capVisibilityTimeouts } from '../../../local/sqs/visibility-cap.ts';

const queue = (name: string, attributes: Record<string, string>): QueueDefinition => ({
  logicalId: name,
  name,
  arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
  url: `http://localhost:4566/000000000000/${name}`,
  fifo: false,
  attributes,
});

const redrive = JSON.stringify({ deadLetterTargetArn: 'arn:dlq', maxReceiveCount: 5 });
const queues = [
  queue('Consumer', { VisibilityTimeout: '180', RedrivePolicy: redrive, DelaySeconds: '2' }),
  queue('Short', { VisibilityTimeout: '1' }),
  queue('Unset', {}),
];

describe('capVisibilityTimeouts', () => {
  it('lowers longer timeouts, the SQS default of 30 s included, and keeps every other attribute', () => {
    const capped = capVisibilityTimeouts(queues, 3);
    expect(capped.map((q) => q.attributes)).toEqual([
      { VisibilityTimeout: '3', RedrivePolicy: redrive, DelaySeconds: '2' },
      { VisibilityTimeout: '1' },
      { VisibilityTimeout: '3' },
    ]);
    expect(capped.map((q) => q.url)).toEqual(queues.map((q) => q.url));
  });

  it('leaves the template untouched', () => {
    capVisibilityTimeouts(queues, 3);
    expect(queues[0]!.attributes.VisibilityTimeout).toBe('180');
    expect(queues[2]!.attributes).toEqual({});
  });

  it('returns the template timeouts without a cap, and when the cap is longer', () => {
    expect(capVisibilityTimeouts(queues, undefined)).toEqual(queues);
    expect(capVisibilityTimeouts(queues, 600)).toEqual(queues);
  });

  it('refuses a cap that is not a whole number of seconds', () => {
    expect(() => capVisibilityTimeouts(queues, -1)).toThrow(/whole number >= 0, got -1/);
    expect(() => capVisibilityTimeouts(queues, 1.5)).toThrow(/got 1.5/);
  });
});
