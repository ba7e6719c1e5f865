import { ParseError, type ParseErrorLocation } from '../errors.js';

/**
 * X12 value helpers. X12 `R` numbers have an optional explicit decimal point, no `+` and an optional `-`;
 * dates are CCYYMMDD (004010 and later) or YYMMDD (earlier versions).
 */

/** X12 R elements are at most 18 digits long; more is not an amount. */
const MAX_DIGITS = 18;

/**
 * Validates an X12 `R` number (optional `-`, digits, optional explicit decimal point) and returns it in
 * canonical form ("-.5" → "-0.5", "0010" → "10", "12.50" → "12.5"). A hand scan: this runs on every RMR.
 */
export function parseX12Decimal(raw: string, location: ParseErrorLocation): string {
  let start = 0;
  let end = raw.length;
  while (start < end && raw.charCodeAt(start) === 32) start++;
  while (end > start && raw.charCodeAt(end - 1) === 32) end--;
  const negative = start < end && raw.charCodeAt(start) === 45;
  let i = negative ? start + 1 : start;
  let dot = -1;
  let digits = 0;
  for (; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && dot < 0) dot = i;
    else break;
  }
  if (i !== end || digits === 0 || digits > MAX_DIGITS) {
    throw new ParseError(
      'invalid-amount',
      { ...location, expected: 'an X12 decimal number such as 1234.56 or -12', found: raw },
      'unreadable amount',
    );
  }
  const bodyStart = negative ? start + 1 : start;
  const wholeEnd = dot < 0 ? end : dot;
  let wholeStart = bodyStart;
  while (wholeStart < wholeEnd - 1 && raw.charCodeAt(wholeStart) === 48) wholeStart++;
  let fractionEnd = end;
  if (dot >= 0) while (fractionEnd > dot + 1 && raw.charCodeAt(fractionEnd - 1) === 48) fractionEnd--;
  const whole = wholeStart < wholeEnd ? raw.slice(wholeStart, wholeEnd) : '0';
  const fraction = dot >= 0 && fractionEnd > dot + 1 ? raw.slice(dot + 1, fractionEnd) : '';
  const isZero = fraction === '' && whole === '0';
  const sign = negative && !isZero ? '-' : '';
  if (fraction === '')
    return sign === '' && wholeStart === start && wholeEnd === end ? whole : `${sign}${whole}`;
  return `${sign}${whole}.${fraction}`;
}

/** A canonical decimal as an integer scaled by 10^scale (scale ≥ its decimal places): exact sums. */
export function scaledInteger(canonical: string, scale: number): bigint {
  const negative = canonical.charCodeAt(0) === 45;
  const body = negative ? canonical.slice(1) : canonical;
  const dot = body.indexOf('.');
  const digits =
    dot < 0 ? body + '0'.repeat(scale) : body.slice(0, dot) + body.slice(dot + 1).padEnd(scale, '0');
  const value = BigInt(digits);
  return negative ? -value : value;
}

export function decimalPlaces(canonical: string): number {
  const dot = canonical.indexOf('.');
  return dot < 0 ? 0 : canonical.length - dot - 1;
}

/** Pads a canonical decimal to at least `exponent` decimal places ("10167" → "10167.00"); never rounds. */
export function padDecimal(canonical: string, exponent: number): string {
  const dot = canonical.indexOf('.');
  const places = dot < 0 ? 0 : canonical.length - dot - 1;
  if (places >= exponent) return canonical;
  return `${canonical}${dot < 0 && exponent > 0 ? '.' : ''}${'0'.repeat(exponent - places)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return text.length > 0;
}

function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

/** CCYYMMDD or YYMMDD (years 00-49 → 20xx, 50-99 → 19xx, the usual X12 window) → YYYY-MM-DD. */
export function parseX12Date(raw: string, location: ParseErrorLocation): string {
  const text = raw.length === 8 || raw.length === 6 ? raw : raw.trim();
  if (text.length === 8 || text.length === 6) {
    const short = text.length === 6;
    const yy = digitsAt(text, 0, short ? 2 : 4);
    const month = digitsAt(text, short ? 2 : 4, 2);
    const day = digitsAt(text, short ? 4 : 6, 2);
    if (yy >= 0 && month >= 1 && month <= 12 && day >= 1) {
      const year = short ? (yy < 50 ? 2000 : 1900) + yy : yy;
      if (day <= daysInMonth(year, month)) {
        const rest = text.slice(text.length - 4);
        return `${String(year).padStart(4, '0')}-${rest.slice(0, 2)}-${rest.slice(2)}`;
      }
    }
  }
  throw new ParseError(
    'invalid-date',
    { ...location, expected: 'a date CCYYMMDD', found: raw },
    'unreadable date',
  );
}

/** Control numbers compare as numbers when both are numeric ("0001203" = "000001203"), else exactly. */
export function sameControlNumber(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  if (isDigits(x) && isDigits(y)) return x.replace(/^0+/, '') === y.replace(/^0+/, '');
  return x === y;
}

export function parseCount(raw: string, location: ParseErrorLocation): number {
  const text = raw.trim();
  if (!isDigits(text) || text.length > 9) {
    throw new ParseError(
      'invalid-field',
      { ...location, expected: 'a count (digits)', found: raw },
      'unreadable count',
    );
  }
  return Number.parseInt(text, 10);
}
