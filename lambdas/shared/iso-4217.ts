/**
 * The active ISO 4217 currencies orders can be priced in, and the decimal places of each
 * one's minor unit.
 *
 * A table kept here, not the runtime's ICU data: ICU gives the digits it *displays*, which
 * differ from ISO's minor unit for over a dozen currencies (HUF, IDR and COP show 0
 * decimals, ISO has 2; IQD shows 0, ISO has 3). Amounts in events are integers of the
 * minor unit, so that number is part of the contract with every consumer and must not
 * move when Node.js updates ICU. ICU also knows withdrawn codes (HRK) and non-currencies
 * (XDR).
 *
 * Left out on purpose: funds codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), special
 * drawing rights and units (XDR, XSU, XUA, XBA–XBD), precious metals (XAU, XAG, XPD,
 * XPT), test and no-currency codes (XTS, XXX) and withdrawn codes. Follows the ISO 4217
 * amendments up to 2025 (XCG for the Caribbean guilder, ZWG for Zimbabwe gold); a new
 * amendment means a line here.
 */

/** Currencies whose minor unit is not hundredths: their decimal places. */
const NOT_TWO_DECIMALS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** Every other active currency: two decimal places. */
const TWO_DECIMALS = `
  AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN
  BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
  GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR
  LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD
  PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
  SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR
  ZMW ZWG
`
  .trim()
  .split(/\s+/);

const MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ...TWO_DECIMALS.map((code) => [code, 2] as const),
  ...Object.entries(NOT_TWO_DECIMALS),
]);

/** Decimal places of the currency's minor unit, or `undefined` for a code not listed. */
export function minorUnitDigits(code: string): number | undefined {
  return MINOR_UNITS.get(code);
}

/** Every listed code, for tests and documentation. */
export const ISO_4217_CODES: readonly string[] = [...MINOR_UNITS.keys()].sort();
