import { describe, expect, it } from '@jest/globals';
import { PRICES, PRICES_TAKEN_ON, PRICE_REGION } from '../../../bench/prices.ts';

describe('price table', () => {
  it('is dated and for us-east-1', () => {
    expect(PRICES_TAKEN_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number.isNaN(Date.parse(PRICES_TAKEN_ON))).toBe(false);
    expect(PRICE_REGION).toBe('us-east-1');
  });

  it('gives every price a positive amount, a unit, a source page and how it was checked', () => {
    for (const [name, price] of Object.entries(PRICES)) {
      expect({ name, positive: price.usd > 0 && Number.isFinite(price.usd) }).toEqual({
        name,
        positive: true,
      });
      expect(price.unit.length).toBeGreaterThan(0);
      expect(price.source).toMatch(/pricing|whitepaper/i);
      expect(['aws-page', 'secondary', 'unverified']).toContain(price.verified);
    }
  });

  it('prices Lambda on arm64 below x86, as AWS does', () => {
    expect(PRICES.lambdaArmGbSecond.usd).toBeLessThan(PRICES.lambdaX86GbSecond.usd);
  });

  it('charges a Step Functions state transition $25 per million, as the issue states', () => {
    expect(PRICES.stepFunctionsStateTransition.usd * 1e6).toBeCloseTo(25, 10);
  });
});
