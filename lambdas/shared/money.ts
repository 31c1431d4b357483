/**
 * Money conversion between the decimals clients send (12.5 dollars) and the integer
 * minor units the system stores and publishes (1250 cents).
 *
 * No float arithmetic: a JS number's shortest string form (`String(12.5)` → "12.5") is
 * exactly the decimal the client wrote in JSON, so we shift its digits as text and
 * parse integers. `12.5 * 100` would also give 1250, but `1.15 * 100` gives
 * 114.99999999999999: that is the bug this module exists to avoid. Nothing is ever
 * rounded: an amount that does not fit the currency's minor unit is an error.
 */

import { minorUnitDigits } from './iso-4217.ts';

/** Raised when an amount cannot be represented exactly; the message is fit for an API client. */
export class MoneyError extends RangeError {
  override name = 'MoneyError';
}

/**
 * True for an active ISO 4217 currency code (upper case, e.g. `USD`) that orders can be
 * priced in: funds, test and withdrawn codes are not (see `iso-4217.ts`).
 */
export function isIsoCurrency(code: string): boolean {
  return minorUnitDigits(code) !== undefined;
}

/**
 * Number of decimal places of the currency's minor unit, as ISO 4217 defines it: 2 for
 * USD (cents), 0 for JPY, 3 for BHD. From the table in `iso-4217.ts`, not from ICU, whose
 * display digits differ for some currencies (HUF, IDR, IQD) and change with Node.js.
 *
 * @throws {@link MoneyError} for a code that is not an ISO 4217 currency.
 */
export function currencyExponent(code: string): number {
  const digits = minorUnitDigits(code);
  if (digits === undefined) throw new MoneyError(`${code} is not an ISO 4217 currency code`);
  return digits;
}

/** A decimal as text: value = (negative ? -1 : 1) × digits × 10^-scale, digits without leading zeros. */
interface DecimalDigits {
  negative: boolean;
  digits: string;
  scale: number;
}

const NUMBER_FORMAT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** The exact decimal digits of a finite number, read from its shortest round-trip string. */
function decimalDigitsOf(value: number): DecimalDigits {
  if (!Number.isFinite(value)) throw new MoneyError(`${value} is not a finite amount`);
  const match = NUMBER_FORMAT.exec(String(value));
  if (!match) throw new MoneyError(`${value} is not a decimal amount`);
  const [, sign = '', integer = '', fraction = '', exponent = '0'] = match;
  let digits = `${integer}${fraction}`;
  let scale = fraction.length - Number.parseInt(exponent, 10);
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  // Trailing fractional zeros carry no precision ("1.50" is 1.5).
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale -= 1;
  }
  digits = digits.replace(/^0+(?=\d)/, '');
  return { negative: sign === '-' && digits !== '0', digits, scale };
}

/** Number of decimal places of a number as written: 12.5 → 1, 12 → 0, 1e-7 → 7. */
export function decimalPlaces(value: number): number {
  return decimalDigitsOf(value).scale;
}

/**
 * Converts a decimal amount in major units to integer minor units, exactly.
 *
 * @example toMinorUnits(12.5, 2) === 1250; toMinorUnits(1.15, 2) === 115; toMinorUnits(500, 0) === 500
 * @throws {@link MoneyError} when the amount has more decimal places than `exponent`
 *   (it would have to be rounded), is not finite, or is beyond Number's exact integers.
 */
export function toMinorUnits(amount: number, exponent: number): number {
  const { negative, digits, scale } = decimalDigitsOf(amount);
  if (scale > exponent) {
    throw new MoneyError(
      exponent === 0
        ? `${amount} has decimals, but the currency has no minor unit: use a whole number`
        : `${amount} has ${scale} decimal places, but the currency allows at most ${exponent}`,
    );
  }
  const minorDigits = `${digits}${'0'.repeat(exponent - scale)}`;
  if (BigInt(minorDigits) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MoneyError(`${amount} is too large to be represented exactly`);
  }
  const minor = Number.parseInt(minorDigits, 10);
  return negative ? -minor : minor;
}

/**
 * The decimal string of an amount in minor units: `formatMinorUnits(1250, 2) === '12.50'`.
 * Always exact, whatever the size of the amount.
 *
 * @throws {@link MoneyError} when `minor` is not a safe integer.
 */
export function formatMinorUnits(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor))
    throw new MoneyError(`${minor} is not an integer amount of minor units`);
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  const sign = minor < 0 ? '-' : '';
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Converts integer minor units back to a decimal number in major units, for JSON
 * responses: `fromMinorUnits(1250, 2) === 12.5`. The result is the number that the
 * decimal text parses to (what a client's JSON parser would produce), not the result of
 * a division.
 *
 * @throws {@link MoneyError} when `minor` is not a safe integer.
 */
export function fromMinorUnits(minor: number, exponent: number): number {
  return Number(formatMinorUnits(minor, exponent));
}
