import { describe, expect, it } from '@jest/globals';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  failedConditionAt,
  MARKER_RETENTION_SECONDS,
  processedMarker,
} from '../../../lambdas/shared/processed-marker.ts';

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('processedMarker', () => {
  it('is keyed by consumer and event id, so two consumers of one event do not collide', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const a = processedMarker('payments', 'evt-1', now);
    const b = processedMarker('inventory', 'evt-1', now);
    expect(a.pk).not.toBe(b.pk);
    expect(processedMarker('payments', 'evt-1', new Date()).pk).toBe(a.pk);
  });

  it('expires after the retention period, outliving any redelivery', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(processedMarker('c', 'e', now).expiresAt).toBe(
      now.getTime() / 1000 + MARKER_RETENTION_SECONDS,
    );
  });
});

describe('failedConditionAt', () => {
  it('recognises the marker condition failing at its index', () => {
    expect(failedConditionAt(cancelled(['None', 'ConditionalCheckFailed']), 1)).toBe(true);
  });

  it('does not mistake another item failing, a conflict or another error for a duplicate', () => {
    expect(failedConditionAt(cancelled(['ConditionalCheckFailed', 'None']), 1)).toBe(false);
    expect(failedConditionAt(cancelled(['None', 'TransactionConflict']), 1)).toBe(false);
    expect(failedConditionAt(new Error('boom'), 0)).toBe(false);
  });
});
