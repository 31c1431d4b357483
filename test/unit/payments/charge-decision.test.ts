import { describe, expect, it } from '@jest/globals';
import { decideCharge, PaymentTokens } from '../../../lambdas/payments/domain/charge-decision.ts';

const neverCalled = () => {
  throw new Error('random must not be used here');
};

describe('decideCharge', () => {
  it('approves an order without a token and tok_visa', () => {
    expect(decideCharge(undefined, neverCalled)).toEqual({ outcome: 'approved' });
    expect(decideCharge(PaymentTokens.visa, neverCalled)).toEqual({ outcome: 'approved' });
  });

  it('declines tok_declined as card_declined', () => {
    expect(decideCharge('tok_declined', neverCalled)).toEqual({
      outcome: 'declined',
      reason: 'card_declined',
    });
  });

  it('declines tok_insufficient_funds as insufficient_funds', () => {
    expect(decideCharge('tok_insufficient_funds', neverCalled)).toEqual({
      outcome: 'declined',
      reason: 'insufficient_funds',
    });
  });

  it('settles tok_slow later', () => {
    expect(decideCharge('tok_slow', neverCalled)).toEqual({ outcome: 'settles-later' });
  });

  it('treats a token it does not know like tok_visa', () => {
    expect(decideCharge('tok_mastercard', neverCalled)).toEqual({ outcome: 'approved' });
    expect(decideCharge('', neverCalled)).toEqual({ outcome: 'approved' });
  });

  it('declines an approvable charge as card_declined when the random draw falls under the failure rate', () => {
    expect(decideCharge('tok_visa', () => 0.29, 0.3)).toEqual({
      outcome: 'declined',
      reason: 'card_declined',
    });
    expect(decideCharge(undefined, () => 0.3, 0.3)).toEqual({ outcome: 'approved' });
    expect(decideCharge('tok_visa', () => 0.99, 1)).toMatchObject({ outcome: 'declined' });
  });

  it('declines about the configured fraction of many charges', () => {
    let seed = 42;
    // A small deterministic generator (LCG): the test does not depend on Math.random.
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const declined = Array.from({ length: 2_000 }, () =>
      decideCharge('tok_visa', random, 0.25),
    ).filter((d) => d.outcome === 'declined').length;
    expect(declined / 2_000).toBeGreaterThan(0.2);
    expect(declined / 2_000).toBeLessThan(0.3);
  });

  it('keeps the explicit test tokens deterministic whatever the failure rate', () => {
    expect(decideCharge('tok_slow', () => 0, 1)).toEqual({ outcome: 'settles-later' });
    expect(decideCharge('tok_insufficient_funds', () => 0, 1)).toEqual({
      outcome: 'declined',
      reason: 'insufficient_funds',
    });
  });
});
