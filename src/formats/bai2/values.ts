/**
 * Field-level value parsing for BAI2: amounts without a decimal point (integer minor units), YYMMDD
 * dates and HHMM times. Hot-path code: no regexes, no floats. Amounts up to 15 significant digits are
 * kept as exact JS integers (< 2^53); longer ones become bigint.
 */

export type Minor = number | bigint;

const MAX_SAFE_DIGITS = 15;

/** Parses `[+|-]digits` (in `text` from `from` to `to`) into minor units; `undefined` when it is not such a number. */
export function parseAmountMinor(text: string, from = 0, to = text.length): Minor | undefined {
  if (to <= from) return undefined;
  let i = from;
  let negative = false;
  const first = text.charCodeAt(from);
  if (first === 43 || first === 45) {
    negative = first === 45;
    i++;
    if (i === to) return undefined;
  }
  while (i < to - 1 && text.charCodeAt(i) === 48) i++;
  if (to - i <= MAX_SAFE_DIGITS) {
    let value = 0;
    for (; i < to; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return undefined;
      value = value * 10 + digit;
    }
    return negative ? -value : value;
  }
  for (let k = i; k < to; k++) {
    const digit = text.charCodeAt(k) - 48;
    if (digit < 0 || digit > 9) return undefined;
  }
  const big = BigInt(text.slice(i, to));
  return negative ? -big : big;
}

export function negateMinor(value: Minor): Minor {
  return typeof value === 'number' ? -value : -value;
}

export function isNegative(value: Minor): boolean {
  return value < 0;
}

const POWERS_OF_TEN = [1, 10, 100, 1000, 10000];
const MAX_INT32_CENTS = 2147483647 * 100;

/** Minor units to a decimal string with `exponent` places: (123456, 2) -> "1234.56", (-5, 2) -> "-0.05". */
export function formatMinorUnits(value: Minor, exponent: number): string {
  if (typeof value === 'number' && exponent === 2 && value < MAX_INT32_CENTS && value > -MAX_INT32_CENTS) {
    // The common case, kept on small integers (int32) because number-to-string is much faster there.
    // abs / 100 cannot round across an integer at this magnitude, so `| 0` is an exact floor.
    const negative = value < 0;
    const abs = negative ? -value : value;
    const whole = (abs / 100) | 0;
    const cents = abs - whole * 100;
    return (negative ? '-' : '') + whole + (cents < 10 ? '.0' : '.') + cents;
  }
  if (typeof value === 'number' && exponent > 0 && exponent < POWERS_OF_TEN.length) {
    // Exact integer arithmetic: |value| < 2^53 and the division is of a multiple of `unit`.
    const unit = POWERS_OF_TEN[exponent]!;
    const negative = value < 0;
    const abs = negative ? -value : value;
    const fraction = abs % unit;
    const whole = (abs - fraction) / unit;
    const fractionText = fraction.toString();
    const padded =
      fractionText.length < exponent
        ? '0'.repeat(exponent - fractionText.length) + fractionText
        : fractionText;
    return `${negative ? '-' : ''}${whole}.${padded}`;
  }
  const negative = value < 0;
  let digits = (typeof value === 'number' ? Math.abs(value) : negative ? -value : value).toString();
  const sign = negative ? '-' : '';
  if (exponent === 0) return sign + digits;
  if (digits.length <= exponent) digits = '0'.repeat(exponent - digits.length + 1) + digits;
  const cut = digits.length - exponent;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/**
 * Formats an amount field that `parseAmountMinor` accepted (`[+-]digits`, no point) as a decimal string
 * with `exponent` places, negated when `negate`: ("0002500", false, 2) -> "25.00". Works on the text,
 * which is several times faster than number-to-string conversion on the hot path, for any length.
 */
export function formatAmountText(
  text: string,
  negate: boolean,
  exponent: number,
  from = 0,
  to = text.length,
): string {
  let i = from;
  let negative = false;
  const first = text.charCodeAt(from);
  if (first === 43 || first === 45) {
    negative = first === 45;
    i++;
  }
  while (i < to - 1 && text.charCodeAt(i) === 48) i++;
  const digits = to - i;
  if (negate) negative = !negative;
  if (digits === 1 && text.charCodeAt(i) === 48) negative = false;
  const sign = negative ? '-' : '';
  if (exponent === 0) return sign + text.slice(i, to);
  if (digits > exponent) {
    const cut = to - exponent;
    return `${sign}${text.slice(i, cut)}.${text.slice(cut, to)}`;
  }
  return `${sign}0.${'0'.repeat(exponent - digits)}${text.slice(i, to)}`;
}

/**
 * An exact running total of minor units. Adds plain numbers while the sum stays far below 2^53 and
 * folds into a bigint before it could lose precision, so summing millions of amounts stays cheap.
 */
export class ExactSum {
  private small = 0;
  private big = 0n;

  add(value: Minor): void {
    if (typeof value === 'number') {
      this.small += value;
      if (this.small > 4e15 || this.small < -4e15) {
        this.big += BigInt(this.small);
        this.small = 0;
      }
    } else {
      this.big += value;
    }
  }

  addSum(other: ExactSum): void {
    this.big += other.value();
  }

  value(): bigint {
    return this.big + BigInt(this.small);
  }

  reset(): void {
    this.small = 0;
    this.big = 0n;
  }
}

export function minorEquals(a: Minor, b: bigint): boolean {
  return BigInt(a) === b;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * YYMMDD to YYYY-MM-DD, or null when it is not a real calendar date. Years 00–69 are 20xx and 70–99
 * are 19xx: BAI2 dates two-digit years and the format dates from the 1980s.
 */
export function yymmddToIso(text: string): string | null {
  if (text.length !== 6 || !allDigits(text)) return null;
  const yy = twoDigits(text, 0);
  const mm = twoDigits(text, 2);
  const dd = twoDigits(text, 4);
  const year = yy < 70 ? 2000 + yy : 1900 + yy;
  if (mm < 1 || mm > 12 || dd < 1 || dd > daysInMonth(year, mm)) return null;
  return `${year}-${text.slice(2, 4)}-${text.slice(4, 6)}`;
}

/** MMDDYY to YYYY-MM-DD (used by lockbox check dates), same century rule. */
export function mmddyyToIso(text: string): string | null {
  if (text.length !== 6 || !allDigits(text)) return null;
  return yymmddToIso(text.slice(4, 6) + text.slice(0, 4));
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

export type TimeCheck = 'ok' | 'colon' | 'bad';

/**
 * Checks an HHMM time. `2400` and `9999` mean end of day in BAI2. `HH:MM` or `HH:MM:SS` (NatWest)
 * is reported as 'colon' so that the caller can accept it with a bank-deviation warning.
 */
export function checkTime(text: string): TimeCheck {
  if (text.length === 4 && allDigits(text)) {
    if (text === '9999') return 'ok';
    const hh = twoDigits(text, 0);
    const mm = twoDigits(text, 2);
    return hh <= 24 && mm <= 59 ? 'ok' : 'bad';
  }
  if ((text.length === 5 || text.length === 8) && text.charCodeAt(2) === 58) {
    const hhmm = text.slice(0, 2) + text.slice(3, 5);
    if (text.length === 8 && (text.charCodeAt(5) !== 58 || !allDigits(text.slice(6)))) return 'bad';
    if (text.length === 8 && twoDigits(text, 6) > 59) return 'bad';
    return checkTime(hhmm) === 'ok' ? 'colon' : 'bad';
  }
  return 'bad';
}

export function allDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48);
}
