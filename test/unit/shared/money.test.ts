import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  currencyExponent,
  decimalPlaces,
  formatMinorUnits,
  fromMinorUnits,
  isIsoCurrency,
  MoneyError,
  toMinorUnits,
} from '../../../lambdas/shared/money.ts';
import { ISO_4217_CODES } from '../../../lambdas/shared/iso-4217.ts';

describe('isIsoCurrency', () => {
  it('accepts active ISO 4217 codes', () => {
    for (const code of ['USD', 'EUR', 'JPY', 'BHD', 'GBP']) expect(isIsoCurrency(code)).toBe(true);
  });

  it('rejects unknown, lower-case and test codes', () => {
    for (const code of ['ABC', 'usd', 'US', 'USDD', 'XXX', ''])
      expect(isIsoCurrency(code)).toBe(false);
  });

  it('rejects funds, drawing rights, metals and withdrawn codes, which ICU knows', () => {
    for (const code of ['CLF', 'BOV', 'USN', 'XDR', 'XAU', 'HRK', 'SLL']) {
      expect(isIsoCurrency(code)).toBe(false);
    }
  });

  it('is not fooled by names every object has', () => {
    for (const code of ['constructor', '__proto__', 'toString']) {
      expect(isIsoCurrency(code)).toBe(false);
    }
  });

  it('lists only codes of three capital letters, each known to ICU but the newest', () => {
    const icu = new Set(Intl.supportedValuesOf('currency'));
    expect(ISO_4217_CODES.length).toBeGreaterThan(150);
    for (const code of ISO_4217_CODES) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      // VED (the digital bolívar, 2021) is in ISO 4217 but not in Node's ICU yet.
      if (code !== 'VED') expect([code, icu.has(code)]).toEqual([code, true]);
    }
  });
});

describe('currencyExponent', () => {
  it('gives the number of decimal places of the minor unit', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('BHD')).toBe(3);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('follows ISO 4217 where ICU displays other digits (amounts in events depend on it)', () => {
    expect(currencyExponent('HUF')).toBe(2);
    expect(currencyExponent('IDR')).toBe(2);
    expect(currencyExponent('COP')).toBe(2);
    expect(currencyExponent('IQD')).toBe(3);
  });

  it('throws for a code that is not a currency instead of guessing 2', () => {
    expect(() => currencyExponent('ABC')).toThrow(MoneyError);
  });
});

describe('decimalPlaces', () => {
  it('counts the decimals of the number as written', () => {
    expect(decimalPlaces(12)).toBe(0);
    expect(decimalPlaces(12.5)).toBe(1);
    expect(decimalPlaces(12.05)).toBe(2);
    expect(decimalPlaces(0.001)).toBe(3);
    expect(decimalPlaces(1e-7)).toBe(7);
    expect(decimalPlaces(1.5e-7)).toBe(8);
    expect(decimalPlaces(1e21)).toBe(0);
  });

  it('counts what float arithmetic left behind, so it is never hidden', () => {
    expect(decimalPlaces(0.1 + 0.2)).toBe(17);
  });
});

describe('toMinorUnits', () => {
  it('shifts the decimal digits, not the float', () => {
    expect(toMinorUnits(12.5, 2)).toBe(1250);
    expect(toMinorUnits(0, 2)).toBe(0);
    expect(toMinorUnits(100_000_000, 2)).toBe(10_000_000_000);
    expect(toMinorUnits(500, 0)).toBe(500);
    expect(toMinorUnits(1.234, 3)).toBe(1234);
    expect(toMinorUnits(-4.2, 2)).toBe(-420);
  });

  it('is exact where multiplying by 100 is not', () => {
    // 1.15 * 100 === 114.99999999999999 and 0.29 * 100 === 28.999999999999996 in IEEE 754.
    expect(1.15 * 100).not.toBe(115);
    expect(toMinorUnits(1.15, 2)).toBe(115);
    expect(toMinorUnits(0.29, 2)).toBe(29);
    expect(toMinorUnits(4.35, 2)).toBe(435);
  });

  it('never rounds: more decimals than the currency has is an error', () => {
    expect(() => toMinorUnits(12.345, 2)).toThrow(
      '12.345 has 3 decimal places, but the currency allows at most 2',
    );
    expect(() => toMinorUnits(0.5, 0)).toThrow('the currency has no minor unit');
    expect(() => toMinorUnits(0.1 + 0.2, 2)).toThrow(MoneyError);
  });

  it('refuses amounts it cannot represent exactly', () => {
    expect(() => toMinorUnits(Number.NaN, 2)).toThrow(MoneyError);
    expect(() => toMinorUnits(Number.POSITIVE_INFINITY, 2)).toThrow(MoneyError);
    expect(() => toMinorUnits(1e20, 2)).toThrow('too large');
  });

  it('round-trips every whole number of cents through its decimal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.constantFrom(0, 2, 3),
        (minor, exponent) => {
          expect(toMinorUnits(fromMinorUnits(minor, exponent), exponent)).toBe(minor);
        },
      ),
    );
  });
});

describe('formatMinorUnits', () => {
  it('writes the exact decimal with the currency decimals', () => {
    expect(formatMinorUnits(1250, 2)).toBe('12.50');
    expect(formatMinorUnits(5, 2)).toBe('0.05');
    expect(formatMinorUnits(0, 2)).toBe('0.00');
    expect(formatMinorUnits(1234, 3)).toBe('1.234');
    expect(formatMinorUnits(500, 0)).toBe('500');
    expect(formatMinorUnits(-420, 2)).toBe('-4.20');
    expect(formatMinorUnits(Number.MAX_SAFE_INTEGER, 2)).toBe('90071992547409.91');
  });

  it('refuses a fractional amount of minor units', () => {
    expect(() => formatMinorUnits(12.5, 2)).toThrow(MoneyError);
  });
});

describe('fromMinorUnits', () => {
  it('gives the number that the decimal text parses to', () => {
    expect(fromMinorUnits(1250, 2)).toBe(12.5);
    expect(fromMinorUnits(115, 2)).toBe(1.15);
    expect(fromMinorUnits(29, 2)).toBe(0.29);
    expect(fromMinorUnits(500, 0)).toBe(500);
    expect(fromMinorUnits(1234, 3)).toBe(1.234);
  });

  it('agrees with a JSON parser reading the formatted decimal, for any amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e15, max: 1e15 }),
        fc.constantFrom(0, 2, 3),
        (minor, exponent) => {
          expect(fromMinorUnits(minor, exponent)).toBe(
            JSON.parse(formatMinorUnits(minor, exponent)),
          );
        },
      ),
    );
  });
});
