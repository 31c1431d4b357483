import { describe, expect, it } from '@jest/globals';
import { failedConditionAt } from '../../../lambdas/shared/redelivery.ts';
import { transactionCanceled as cancelled } from './aws/fake-document-db.ts';

describe('failedConditionAt', () => {
  it('recognises the condition of the item at its index failing', () => {
    expect(failedConditionAt(cancelled(['None', 'ConditionalCheckFailed']), 1)).toBe(true);
  });

  it('does not mistake another item failing, a conflict or another error for it', () => {
    expect(failedConditionAt(cancelled(['ConditionalCheckFailed', 'None']), 1)).toBe(false);
    expect(failedConditionAt(cancelled(['None', 'TransactionConflict']), 1)).toBe(false);
    expect(failedConditionAt(new Error('boom'), 0)).toBe(false);
    // Matched by the error's name, not by a class: any cancelled transaction counts.
    const plain = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
    });
    expect(failedConditionAt(plain, 0)).toBe(true);
  });
});
