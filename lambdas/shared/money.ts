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

/**
 * Why `price` has more decimal places than `currency`'s minor unit (JPY none, USD 2, KWD
 * 3), or undefined when it has not. Takes the values as a client sent them, so a request
 * with other errors still gets this one listed: not a number, or not a currency, is left
 * to their own checks.
 */
export function excessDecimals(price: unknown, currency: unknown): string | undefined {
  if (typeof price !== 'number' || !Number.isFinite(price)) return undefined;
  if (typeof currency !== 'string' || !isIsoCurrency(currency)) return undefined;
  const exponent = currencyExponent(currency);
  if (decimalPlaces(price) <= exponent) return undefined;
  return exponent === 0
    ? `must be a whole number: ${currency} has no minor unit`
    : `must have at most ${exponent} decimal places for ${currency}`;
}

/** A decimal as text: value = (negative ? -1 : 1) × digits × 10^-scale, digits without leading zeros. */
interface DecimalDigits {
  negative: boolean;
  digits: string;
  scale: number;
}

const NUMBER_FORMAT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** Digits and scale of `sign integer.fraction × 10^exponent`, without leading or trailing zeros. */
function normalizedDecimal(
  sign: string,
  integer: string,
  fraction: string,
  exponent: number,
): DecimalDigits {
  let digits = `${integer}${fraction}`;
  let scale = fraction.length - exponent;
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

/** The exact decimal digits of a finite number, read from its shortest round-trip string. */
function decimalDigitsOf(value: number): DecimalDigits {
  if (!Number.isFinite(value)) throw new MoneyError(`${value} is not a finite amount`);
  const match = NUMBER_FORMAT.exec(String(value));
  if (!match) throw new MoneyError(`${value} is not a decimal amount`);
  const [, sign = '', integer = '', fraction = '', exponent = '0'] = match;
  return normalizedDecimal(sign, integer, fraction, Number.parseInt(exponent, 10));
}

/** A number as JSON writes it (RFC 8259). */
const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Decimal exponents beyond this never matter for an exact double (and would make long strings). */
const MAX_JSON_EXPONENT = 400;

/**
 * Whether `value` is exactly the number written as `text` (a JSON number's source), i.e.
 * whether parsing it lost nothing: `19.999999999999999999` parses to 20 and `1e-400` to 0,
 * and an API that took those would charge a price the client never sent.
 */
export function isExactDecimal(text: string, value: number): boolean {
  const match = JSON_NUMBER.exec(text);
  if (!match || !Number.isFinite(value)) return false;
  const [, sign = '', integer = '', fraction = '', exponentText = '0'] = match;
  if (/^0*$/.test(`${integer}${fraction}`)) return value === 0;
  const exponent = Number.parseInt(exponentText, 10);
  if (!(Math.abs(exponent) <= MAX_JSON_EXPONENT)) return false;
  const written = normalizedDecimal(sign, integer, fraction, exponent);
  const parsed = decimalDigitsOf(value);
  return (
    written.negative === parsed.negative &&
    written.digits === parsed.digits &&
    written.scale === parsed.scale
  );
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
