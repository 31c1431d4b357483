import { describe, expect, it } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { failedConditionAt } from '../../../lambdas/shared/processed-marker.ts';

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('failedConditionAt', () => {
  it('recognises the condition of the item at its index failing', () => {
    expect(failedConditionAt(cancelled(['None', 'ConditionalCheckFailed']), 1)).toBe(true);
  });

  it('does not mistake another item failing, a conflict or another error for it', () => {
    expect(failedConditionAt(cancelled(['ConditionalCheckFailed', 'None']), 1)).toBe(false);
    expect(failedConditionAt(cancelled(['None', 'TransactionConflict']), 1)).toBe(false);
    expect(failedConditionAt(new Error('boom'), 0)).toBe(false);
  });
});
