/**
 * ISO 4217 minor-unit exponents. Currencies not listed default to 2, the ISO norm;
 * the exceptions are listed because getting them wrong scales money by 10 or 100.
 */
const EXPONENT_BY_CURRENCY: Readonly<Record<string, number>> = {
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
  UYI: 0,
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
  CLF: 4,
  UYW: 4,
};

export const CURRENCY_CODE_PATTERN = /^[A-Z]{3}$/;

export class CurrencyError extends Error {
  override name = 'CurrencyError';
}

export function assertCurrencyCode(code: string): string {
  if (!CURRENCY_CODE_PATTERN.test(code)) {
    throw new CurrencyError(
      `currency code must be three upper-case letters (ISO 4217), got ${JSON.stringify(code)}`,
    );
  }
  return code;
}

/** Number of decimal places of the currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorUnitExponent(currency: string): number {
  assertCurrencyCode(currency);
  return EXPONENT_BY_CURRENCY[currency] ?? 2;
}
