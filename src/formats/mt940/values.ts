/**
 * Value readers for SWIFT MT940/MT942 fields: YYMMDD/MMDD dates, comma-decimal amounts and balances.
 * They return `null` (or a reason) instead of throwing, so the caller can raise a ParseError naming
 * the line and field. Amounts never pass through a float: digits are kept as text and summed as
 * BigInt units at an explicit scale.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export interface SwiftDate {
  year: number;
  month: number;
  day: number;
  /** The file said a day past the month's end (German "30 Feb" month-end bookings); clamped to the last day. */
  clamped: boolean;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Two ASCII digits at `at` as a number, or -1. */
export function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1; // also NaN past the end
  return a * 10 + b;
}

/** SWIFT years have two digits; 80-99 are read as 19xx (statements older than 1980 do not exist). */
export function centuryYear(yy: number): number {
  return yy >= 80 ? 1900 + yy : 2000 + yy;
}

/** The dates made last: entries of a statement share a few dates, so they share the (never changed) objects. */
const recentKeys = [0, 0];
const recentDates: (SwiftDate | null)[] = [null, null];

/** Month and day checked; a day past the month's end (at most 31) is clamped and flagged. */
export function makeDate(year: number, month: number, day: number): SwiftDate | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const key = year * 10000 + month * 100 + day;
  if (key === recentKeys[0]) return recentDates[0]!;
  if (key === recentKeys[1]) return recentDates[1]!;
  const last = daysInMonth(year, month);
  const date: SwiftDate =
    day > last ? { year, month, day: last, clamped: true } : { year, month, day, clamped: false };
  recentKeys[1] = recentKeys[0]!;
  recentDates[1] = recentDates[0]!;
  recentKeys[0] = key;
  recentDates[0] = date;
  return date;
}

/** YYMMDD at `at`. */
export function readYymmdd(text: string, at: number): SwiftDate | null {
  const yy = twoDigits(text, at);
  const mm = twoDigits(text, at + 2);
  const dd = twoDigits(text, at + 4);
  if (yy < 0 || mm < 0 || dd < 0) return null;
  return makeDate(centuryYear(yy), mm, dd);
}

/**
 * MMDD entry date of a :61: line, placed in the year nearest to the value date: a value date of
 * 31 Dec with entry date 0102 is booked in the next year, a value date of 2 Jan with entry 1231 in
 * the previous one.
 */
export function readEntryMmdd(text: string, at: number, valueDate: SwiftDate): SwiftDate | null {
  const mm = twoDigits(text, at);
  const dd = twoDigits(text, at + 2);
  if (mm < 0 || dd < 0) return null;
  let year = valueDate.year;
  if (mm - valueDate.month > 6) year--;
  else if (valueDate.month - mm > 6) year++;
  return makeDate(year, mm, dd);
}

export function isoDate(date: SwiftDate): string {
  const y = String(date.year);
  const m = date.month < 10 ? `0${date.month}` : String(date.month);
  const d = date.day < 10 ? `0${date.day}` : String(date.day);
  return `${y}-${m}-${d}`;
}

/** A SWIFT amount as written: integer digits and fraction digits (comma decimal), unsigned. */
export interface SwiftAmount {
  intDigits: string;
  fracDigits: string;
  /** False for "500" instead of "500," (a tolerated bank deviation: some banks drop the comma). */
  hadComma: boolean;
  /** Index just past the amount in the scanned text. */
  end: number;
}

const MAX_AMOUNT_CHARS = 18;

/**
 * Scans digits with at most one decimal comma from `at`: "1234,56", "20,", "000000001213,28".
 * Returns null when there is no digit at all or more than one comma.
 */
export function scanAmount(text: string, at: number): SwiftAmount | null {
  let i = at;
  let comma = -1;
  const limit = text.length;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c === 44 /* , */ || c === 46 /* . — read as a comma, see below */) {
      if (comma >= 0) return null;
      comma = i;
      continue;
    }
    break;
  }
  if (i === at) return null;
  const intDigits = text.slice(at, comma >= 0 ? comma : i);
  const fracDigits = comma >= 0 ? text.slice(comma + 1, i) : '';
  if (intDigits.length === 0 && fracDigits.length === 0) return null;
  if (intDigits.length + fracDigits.length > MAX_AMOUNT_CHARS) return null;
  return { intDigits: intDigits.length === 0 ? '0' : intDigits, fracDigits, hadComma: comma >= 0, end: i };
}

/** True when the amount used a point instead of the SWIFT comma. */
export function usedPoint(text: string, amount: SwiftAmount): boolean {
  return amount.hadComma && text.charCodeAt(amount.end - amount.fracDigits.length - 1) === 46;
}

/** Integer units of the amount at its own scale (the number of fraction digits). */
export function amountUnits(amount: SwiftAmount): bigint {
  return BigInt(amount.intDigits + amount.fracDigits);
}

/**
 * Decimal string of the amount with at least `exponent` decimals (the currency's minor unit), more
 * if the file wrote more: "1213,28" → "1213.28", "20," → "20.00", "000,5" → "0.50". Zero is never signed.
 */
export function formatAmount(amount: SwiftAmount, negative: boolean, exponent: number): string {
  let int = amount.intDigits;
  let start = 0;
  while (start < int.length - 1 && int.charCodeAt(start) === 48) start++;
  if (start > 0) int = int.slice(start);
  let frac = amount.fracDigits;
  if (frac.length < exponent) frac = frac.padEnd(exponent, '0');
  const text = frac.length > 0 ? `${int}.${frac}` : int;
  return negative && !isZero(amount) ? `-${text}` : text;
}

function isZero(amount: SwiftAmount): boolean {
  return allZeros(amount.intDigits) && allZeros(amount.fracDigits);
}

function allZeros(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return false;
  return true;
}

/** The amount's integer units at its own scale when it has at most 15 digits (a safe integer), else -1. */
export function smallUnits(amount: SwiftAmount): number {
  const int = amount.intDigits;
  const frac = amount.fracDigits;
  if (int.length + frac.length > 15) return -1;
  let units = 0;
  for (let i = 0; i < int.length; i++) units = units * 10 + (int.charCodeAt(i) - 48);
  for (let i = 0; i < frac.length; i++) units = units * 10 + (frac.charCodeAt(i) - 48);
  return units;
}

const SMALL_FLUSH = 4e15;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * An exact running sum of amounts with varying numbers of decimals. Integer units are added as safe
 * integers while they are small (BigInt per entry would dominate the reader's time) and moved to a
 * BigInt before they could leave the safe range, so the sum is exact at any size.
 */
export class ExactSum {
  private small = 0;
  private big = 0n;
  scale = 0;

  /** Adds an amount as written (digits, never through a float). */
  addAmount(amount: SwiftAmount, negative: boolean): void {
    this.addScanned(amount, smallUnits(amount), negative);
  }

  /** `addAmount` with `smallUnits(amount)` already read: one entry goes into two sums. */
  addScanned(amount: SwiftAmount, amountUnits: number, negative: boolean): void {
    const scale = amount.fracDigits.length;
    if (scale > this.scale) this.rescale(scale);
    const shift = this.scale - scale;
    const digits = amount.intDigits.length + scale + shift;
    if (digits > 15) {
      const units = BigInt(amount.intDigits + amount.fracDigits) * 10n ** BigInt(shift);
      this.big += negative ? -units : units;
      return;
    }
    // At most 15 digits here, so smallUnits read them.
    const units = amountUnits * POW10[shift]!;
    if (this.small >= SMALL_FLUSH || this.small <= -SMALL_FLUSH) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
    this.small += negative ? -units : units;
  }

  add(units: bigint, scale: number): void {
    if (scale > this.scale) this.rescale(scale);
    this.big += scale < this.scale ? units * 10n ** BigInt(this.scale - scale) : units;
  }

  /** The sum in integer units at `scale`. */
  total(): bigint {
    return this.big + BigInt(this.small);
  }

  private rescale(scale: number): void {
    const factor = 10n ** BigInt(scale - this.scale);
    this.big = (this.big + BigInt(this.small)) * factor;
    this.small = 0;
    this.scale = scale;
  }

  /** Compares units at two scales exactly. */
  static equal(aUnits: bigint, aScale: number, bUnits: bigint, bScale: number): boolean {
    if (aScale === bScale) return aUnits === bUnits;
    if (aScale < bScale) return aUnits * 10n ** BigInt(bScale - aScale) === bUnits;
    return aUnits === bUnits * 10n ** BigInt(aScale - bScale);
  }
}

/** Formats units at a scale as a decimal string with at least `exponent` decimals. */
export function formatUnits(units: bigint, scale: number, exponent: number): string {
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  let s = scale;
  if (s < exponent) {
    digits += '0'.repeat(exponent - s);
    s = exponent;
  }
  digits = digits.padStart(s + 1, '0');
  const int = digits.slice(0, digits.length - s);
  const text = s > 0 ? `${int}.${digits.slice(digits.length - s)}` : int;
  return negative ? `-${text}` : text;
}

/** A balance field (:60F:, :62M:, :64:, :65:): mark, date, currency, amount. */
export interface Balance {
  negative: boolean;
  date: SwiftDate;
  /** Null when the bank left the currency out (German FinTS files: ":62M:C020315105000,00"). */
  currency: string | null;
  amount: SwiftAmount;
  units: bigint;
  scale: number;
}

export type BalanceProblem = 'mark' | 'date' | 'amount' | 'trailing';

function isUpperLetter(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** Reads "C170914EUR12345,12" (mark D/C, YYMMDD, ISO currency, amount); returns what is wrong otherwise. */
export function readBalance(text: string): Balance | BalanceProblem {
  const mark = text.charCodeAt(0);
  if (mark !== 67 /* C */ && mark !== 68 /* D */) return 'mark';
  const date = readYymmdd(text, 1);
  if (date === null) return 'date';
  let at = 7;
  let currency: string | null = null;
  if (
    isUpperLetter(text.charCodeAt(7)) &&
    isUpperLetter(text.charCodeAt(8)) &&
    isUpperLetter(text.charCodeAt(9))
  ) {
    currency = text.slice(7, 10);
    at = 10;
  }
  const amount = scanAmount(text, at);
  if (amount === null) return 'amount';
  if (text.slice(amount.end).trim().length > 0) return 'trailing';
  return {
    negative: mark === 68,
    date,
    currency,
    amount,
    units: mark === 68 ? -amountUnits(amount) : amountUnits(amount),
    scale: amount.fracDigits.length,
  };
}

/** A superset of the characters String.prototype.trim removes (JS whitespace and line terminators). */
function mayBeTrimmed(c: number): boolean {
  return c <= 32 || (c >= 127 && c <= 160) || c >= 0x1680;
}

/** `text.slice(from, to).trim()`, cut once when neither end can be blank. */
export function trimmedRange(text: string, from: number, to: number): string {
  if (from >= to) return '';
  if (!mayBeTrimmed(text.charCodeAt(from)) && !mayBeTrimmed(text.charCodeAt(to - 1)))
    return text.slice(from, to);
  return text.slice(from, to).trim();
}

/** `text.trimStart()`, without the call when the text does not start with a blank. */
export function trimStartFast(text: string): string {
  return text.length > 0 && !mayBeTrimmed(text.charCodeAt(0)) ? text : text.trimStart();
}

/** `text.trim().length === 0`, without trimming a text that starts with a non-blank. */
export function isBlankText(text: string): boolean {
  return text.length > 0 && !mayBeTrimmed(text.charCodeAt(0)) ? false : text.trim().length === 0;
}
