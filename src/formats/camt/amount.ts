/**
 * camt amounts: `ActiveOrHistoricCurrencyAndAmount` is an unsigned xs:decimal (at most 5 fraction digits
 * by the schema). Amounts are kept as exact strings for the model and as scaled BigInts for control sums;
 * they never pass through a float.
 */
import { minorUnitExponent } from '../../money/index.js';

/** Internal fixed scale for control sums: more than the schema's 5 so that sloppy files still add up exactly. */
export const SCALE = 9;
const SCALE_FACTOR = 10n ** BigInt(SCALE);

export interface Amount {
  /** Unsigned normalized decimal, e.g. "149.87" (leading zeros dropped, padded to the currency's decimals). */
  readonly text: string;
  /** Unsigned value at SCALE decimals. */
  readonly scaled: bigint;
  readonly currency: string | null;
}

const CODE_0 = 48;
const CODE_9 = 57;
const CODE_DOT = 46;
const CODE_PLUS = 43;

/**
 * Parses an unsigned decimal ("000000000000149.87", "6329", ".5", "+1.00"); returns null when the text is not
 * one (a sign other than "+", a comma, an exponent, more than SCALE decimals, nothing at all).
 */
export function parseUnsignedDecimal(raw: string, currency: string | null): Amount | null {
  const text = raw.trim();
  let i = text.charCodeAt(0) === CODE_PLUS ? 1 : 0;
  const intStart = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < text.length && text.charCodeAt(i) === CODE_DOT) {
    fracStart = ++i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (i !== text.length || (intEnd === intStart && fracEnd === fracStart)) return null;
  if (fracEnd - fracStart > SCALE) return null;
  let intDigits = text.slice(intStart, intEnd);
  let firstNonZero = 0;
  while (firstNonZero < intDigits.length - 1 && intDigits.charCodeAt(firstNonZero) === CODE_0) firstNonZero++;
  intDigits = intDigits.length === 0 ? '0' : intDigits.slice(firstNonZero);
  const fraction = text.slice(fracStart, fracEnd);
  const scaled = BigInt(intDigits + fraction.padEnd(SCALE, '0'));
  return { text: formatDecimal(intDigits, fraction, exponentOf(currency)), scaled, currency };
}

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

/** Decimals of a currency; 2 when unknown or malformed (the value is still exact, only the padding differs). */
export function exponentOf(currency: string | null): number {
  if (currency === null) return 2;
  let exponent = EXPONENT_CACHE.get(currency);
  if (exponent === undefined) {
    try {
      exponent = minorUnitExponent(currency);
    } catch {
      exponent = 2;
    }
    EXPONENT_CACHE.set(currency, exponent);
  }
  return exponent;
}

/** Currency codes are few; a file has thousands of amounts. Immutable facts, so sharing is safe. */
const EXPONENT_CACHE = new Map<string, number>();

/** Pads the fraction to the currency's decimals and drops trailing zeros beyond them ("18.150" EUR -> "18.15"). */
function formatDecimal(intDigits: string, fraction: string, exponent: number): string {
  let end = fraction.length;
  while (end > exponent && fraction.charCodeAt(end - 1) === CODE_0) end--;
  const kept = fraction.slice(0, end).padEnd(exponent, '0');
  return kept.length === 0 ? intDigits : `${intDigits}.${kept}`;
}

/** Signed model string for an unsigned amount: "-" for money out, never "-0.00". */
export function signedText(amount: Amount, credit: boolean): string {
  return credit || amount.scaled === 0n ? amount.text : `-${amount.text}`;
}

/** Signed scaled value. */
export function signedScaled(amount: Amount, credit: boolean): bigint {
  return credit ? amount.scaled : -amount.scaled;
}

/** Formats a scaled value for messages and extras, with at least `minDecimals` decimals ("1234.5" -> "1234.50"). */
export function formatScaled(scaled: bigint, minDecimals = 2): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const whole = abs / SCALE_FACTOR;
  let fraction = (abs % SCALE_FACTOR).toString().padStart(SCALE, '0');
  let end = fraction.length;
  while (end > minDecimals && fraction.charCodeAt(end - 1) === CODE_0) end--;
  fraction = fraction.slice(0, end);
  return `${negative ? '-' : ''}${whole}${fraction.length > 0 ? `.${fraction}` : ''}`;
}
