import { ParseError } from '../errors.js';

/**
 * Fixed-width field access for 94-character NACHA records. Columns are 1-based and inclusive, as the NACHA
 * Operating Rules write them, so an error can name exactly the columns a clerk should look at.
 */
export interface RecordLocation {
  fileName: string;
  line: number;
  /** Record name for messages: "entry detail", "batch control", … */
  record: string;
  /**
   * The record holds no control character at all (checked once per record), so the text fields need not
   * be checked one by one; when false, `text` and `rawText` find and report the first one in their columns.
   */
  clean?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\x00-\x1f\x7f]/;

/** Whether `record` is free of the control characters `text` and `rawText` refuse: one regex per record. */
export function hasNoControlCharacters(record: string): boolean {
  return !CONTROL.test(record);
}

export function fieldError(
  at: RecordLocation,
  field: string,
  from: number,
  to: number,
  expected: string,
  found: string,
): ParseError {
  return new ParseError(
    'invalid-field',
    {
      file: at.fileName,
      line: at.line,
      field: `${at.record} ${field} (columns ${from}-${to})`,
      expected,
      found,
    },
    `unreadable ${at.record} record`,
  );
}

/** The text of columns `from`..`to` (1-based, inclusive). */
export function column(record: string, from: number, to: number): string {
  return record.slice(from - 1, to);
}

export function isAllDigits(record: string, from: number, to: number): boolean {
  for (let i = from - 1; i < to; i++) {
    const c = record.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function isBlank(record: string, from: number, to: number): boolean {
  for (let i = from - 1; i < to; i++) {
    if (record.charCodeAt(i) !== 32) return false;
  }
  return true;
}

/** Columns that must hold only digits: returns them as a string (leading zeros kept). */
export function digits(record: string, from: number, to: number, field: string, at: RecordLocation): string {
  if (!isAllDigits(record, from, to)) {
    throw fieldError(at, field, from, to, `${to - from + 1} digits`, column(record, from, to));
  }
  return column(record, from, to);
}

/**
 * A numeric field as an integer. Used for counts, hashes and amounts in cents: NACHA amounts are at most 12
 * digits, so every value is an exact integer far below 2^53 (money is never a fraction here).
 */
export function integer(record: string, from: number, to: number, field: string, at: RecordLocation): number {
  let value = 0;
  for (let i = from - 1; i < to; i++) {
    const c = record.charCodeAt(i);
    if (c < 48 || c > 57)
      throw fieldError(at, field, from, to, `${to - from + 1} digits`, column(record, from, to));
    value = value * 10 + (c - 48);
  }
  return value;
}

/** Cents as a decimal string with two places ("0000012354" → "123.54"), built from the digits, no arithmetic. */
export function centsToDecimal(record: string, from: number, to: number, negative: boolean): string {
  const last = to - 2;
  let i = from - 1;
  while (i < last - 1 && record.charCodeAt(i) === 48) i++;
  const whole = record.slice(i, last);
  const fraction = record.slice(last, to);
  if (negative && (whole !== '0' || fraction !== '00')) return `-${whole}.${fraction}`;
  return `${whole}.${fraction}`;
}

/** Formats an integer number of cents ("12345" → "123.45"); for control totals in messages. */
export function formatCents(cents: number | bigint): string {
  const text = cents.toString().padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function twoDigits(record: string, index: number): number {
  return (record.charCodeAt(index) - 48) * 10 + (record.charCodeAt(index + 1) - 48);
}

/**
 * YYMMDD → YYYY-MM-DD (ACH dates are this century). Blank or all-zero dates (returns and NOC batches leave the
 * effective date empty) are null; anything else that is not a calendar date is an error.
 */
export function yymmdd(record: string, from: number, field: string, at: RecordLocation): string | null {
  const to = from + 5;
  if (isBlank(record, from, to) || column(record, from, to) === '000000') return null;
  if (isAllDigits(record, from, to)) {
    const year = 2000 + twoDigits(record, from - 1);
    const month = twoDigits(record, from + 1);
    const day = twoDigits(record, from + 3);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      return `${year}-${column(record, from + 2, from + 3)}-${column(record, from + 4, from + 5)}`;
    }
  }
  throw fieldError(at, field, from, to, 'a date YYMMDD', column(record, from, to));
}

/** Converts a day of the year to a date in the year of `near` closest to it (settlement follows effective). */
export function julianNear(dayOfYear: number, near: string): string {
  const nearDate = Date.UTC(
    Number.parseInt(near.slice(0, 4), 10),
    Number.parseInt(near.slice(5, 7), 10) - 1,
    Number.parseInt(near.slice(8, 10), 10),
  );
  const year = Number.parseInt(near.slice(0, 4), 10);
  let best = '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const y of [year - 1, year, year + 1]) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (dayOfYear > (leap ? 366 : 365)) continue;
    const time = Date.UTC(y, 0, dayOfYear);
    const distance = Math.abs(time - nearDate);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = new Date(time).toISOString().slice(0, 10);
    }
  }
  return best;
}

/**
 * The field without its leading and trailing blanks; null when nothing is left. One slice, no trim copy.
 * Every text field openar reads passes here, so this is also where control characters are refused (the
 * record splitter only checks lines that are not plain 94-character ASCII).
 */
export function text(record: string, from: number, to: number, at: RecordLocation): string | null {
  let start = from - 1;
  let end = to;
  while (start < end && record.charCodeAt(start) === 32) start++;
  while (end > start && record.charCodeAt(end - 1) === 32) end--;
  if (at.clean !== true) {
    for (let i = start; i < end; i++) {
      const c = record.charCodeAt(i);
      if (c < 32 || c === 127) throw controlCharacter(at, i, c);
    }
  }
  return start === end ? null : record.slice(start, end);
}

/** Columns `from`..`to` as written (blanks kept), refusing control characters. */
export function rawText(record: string, from: number, to: number, at: RecordLocation): string {
  if (at.clean !== true) {
    for (let i = from - 1; i < to; i++) {
      const c = record.charCodeAt(i);
      if (c < 32 || c === 127) throw controlCharacter(at, i, c);
    }
  }
  return record.slice(from - 1, to);
}

export function controlCharacter(at: RecordLocation, index: number, code: number): ParseError {
  return new ParseError(
    'invalid-record',
    {
      file: at.fileName,
      line: at.line,
      field: `${at.record} column ${index + 1}`,
      expected: 'printable characters',
      found: `\\x${code.toString(16).padStart(2, '0')}`,
    },
    'control character inside a record',
  );
}
