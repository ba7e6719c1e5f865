import { CURRENCY_CODE_PATTERN, minorUnitExponent, parseDecimalToMinor } from '../money/index.js';
import type { RowError } from './errors.js';
import type { ImportMapping } from './mapping.js';

/**
 * Where each canonical column's text comes from in a row: the index of a field, or a mapping's
 * constant. Built once per file from its header, so a row is read as the array the parser made.
 */
export type ColumnSources = ReadonlyMap<string, number | string>;

/**
 * Canonical names found in the header are read as they are; a mapping's `columns` read another
 * header's field (missing: empty) and its `constants` are fixed values. A header that appears twice
 * reads its last field, as a header-keyed object of the row would.
 */
export function columnSources(header: readonly string[], mapping: ImportMapping): ColumnSources {
  const sources = new Map<string, number | string>();
  for (let i = 0; i < header.length; i++) sources.set(header[i]!, i);
  for (const [canonical, source] of Object.entries(mapping.columns)) {
    const index = header.lastIndexOf(source);
    sources.set(canonical, index >= 0 ? index : '');
  }
  for (const [canonical, value] of Object.entries(mapping.constants)) sources.set(canonical, value);
  return sources;
}

/**
 * Reads one row's cells into typed values, collecting every problem rather than stopping at the
 * first, so a person fixes a file in one pass. One reader serves a whole file: `reset` points it
 * at the next row.
 */
export class FieldReader {
  errors: RowError[] = [];
  private line = 0;
  private record: readonly string[] = [];

  constructor(
    private readonly file: string,
    private readonly sources: ColumnSources,
    private readonly mapping: ImportMapping,
  ) {}

  /** Points the reader at another row, with no errors. */
  reset(line: number, record: readonly string[]): void {
    this.line = line;
    this.record = record;
    if (this.errors.length > 0) this.errors = [];
  }

  private fail(column: string, expected: string, found?: string): null {
    this.errors.push({
      file: this.file,
      line: this.line,
      column,
      expected,
      ...(found === undefined ? {} : { found }),
    });
    return null;
  }

  raw(column: string): string {
    const source = this.sources.get(column);
    if (source === undefined) return '';
    return (typeof source === 'number' ? (this.record[source] ?? '') : source).trim();
  }

  text(column: string, options: { required?: boolean; max?: number } = {}): string | null {
    const value = this.raw(column);
    if (value === '') return options.required ? this.fail(column, 'a value') : null;
    const max = options.max ?? 300;
    if (value.length > max) return this.fail(column, `at most ${max} characters`, value.slice(0, 40));
    return value;
  }

  oneOf<T extends string>(
    column: string,
    allowed: readonly T[],
    fallback: T,
    aliases: Record<string, T> = {},
  ): T | null {
    const value = this.raw(column).toLowerCase().replaceAll(' ', '_');
    if (value === '') return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    if (aliases[value]) return aliases[value]!;
    return this.fail(column, `one of ${allowed.join(', ')}`, this.raw(column));
  }

  currency(column: string, fallback: string | null): string | null {
    const value = this.raw(column).toUpperCase();
    if (value === '') return fallback ?? this.fail(column, 'a currency code such as USD');
    return CURRENCY_CODE_PATTERN.test(value)
      ? value
      : this.fail(column, 'a three-letter ISO 4217 currency code', this.raw(column));
  }

  date(column: string, options: { required?: boolean } = {}): string | null {
    const value = this.raw(column);
    if (value === '')
      return options.required ? this.fail(column, `a date (${this.mapping.date_format})`) : null;
    const iso = toIsoDate(value, this.mapping.date_format);
    return iso ?? this.fail(column, `a date written ${this.mapping.date_format}`, value);
  }

  /** A decimal amount in the currency's minor units; `positive` refuses zero and negatives. */
  amountMinor(
    column: string,
    currency: string | null,
    options: { required?: boolean; positive?: boolean } = {},
  ): number | null {
    const value = this.raw(column);
    if (value === '') return options.required ? this.fail(column, 'an amount such as 1234.56') : null;
    if (currency === null) return null;
    const normalized =
      this.mapping.decimal_separator === ','
        ? value.replaceAll('.', '').replace(',', '.')
        : value.replaceAll(',', '');
    let minor: number;
    try {
      minor = parseDecimalToMinor(normalized, minorUnitExponent(currency));
    } catch {
      return this.fail(
        column,
        `a decimal amount with at most ${minorUnitExponent(currency)} decimals in ${currency}`,
        value,
      );
    }
    if (options.positive && minor <= 0) return this.fail(column, 'an amount greater than zero', value);
    return minor;
  }

  integer(column: string, fallback: number, min: number, max: number): number | null {
    const value = this.raw(column);
    if (value === '') return fallback;
    if (!/^\d{1,9}$/.test(value)) return this.fail(column, `a whole number from ${min} to ${max}`, value);
    const n = Number.parseInt(value, 10);
    return n >= min && n <= max ? n : this.fail(column, `a whole number from ${min} to ${max}`, value);
  }

  /** A percentage as an exact decimal string ("2", "1.5"), 0 ≤ p < 100, at most 3 decimals. */
  percent(column: string): string | null {
    const value = this.raw(column).replace(/%$/, '').replace(',', '.');
    if (value === '') return '0';
    if (!/^\d{1,2}(\.\d{1,3})?$/.test(value))
      return this.fail(column, 'a percentage from 0 to 99.999', this.raw(column));
    return value;
  }

  rate(column: string): string | null {
    const value = this.raw(column);
    if (value === '') return null;
    return /^\d{1,12}(\.\d{1,12})?$/.test(value) && /[1-9]/.test(value)
      ? value
      : this.fail(column, 'a positive exchange rate such as 1.0834', value);
  }
}

const DATE_LAYOUTS: Record<ImportMapping['date_format'], RegExp> = {
  'YYYY-MM-DD': /^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})$/,
  'DD/MM/YYYY': /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})$/,
  'MM/DD/YYYY': /^(?<m>\d{1,2})\/(?<d>\d{1,2})\/(?<y>\d{4})$/,
  'DD.MM.YYYY': /^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})$/,
  YYYYMMDD: /^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$/,
};

/** Dates seen, per layout: a file holds a few hundred distinct dates in a million rows. */
const DATE_MEMO = new Map<ImportMapping['date_format'], Map<string, string | null>>();
const MEMO_LIMIT = 10_000;

/** Parses a date in the given layout; null unless it is a real calendar date. */
export function toIsoDate(text: string, layout: ImportMapping['date_format']): string | null {
  let memo = DATE_MEMO.get(layout);
  if (memo === undefined) {
    memo = new Map();
    DATE_MEMO.set(layout, memo);
  }
  const known = memo.get(text);
  if (known !== undefined) return known;
  const iso = parseDate(text, layout);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, iso);
  return iso;
}

function parseDate(text: string, layout: ImportMapping['date_format']): string | null {
  const groups = DATE_LAYOUTS[layout].exec(text)?.groups;
  if (!groups) return null;
  const y = Number(groups.y);
  const m = Number(groups.m);
  const d = Number(groups.d);
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return null;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Sums already made, by number of days: terms are a handful of numbers, dates a few hundred. */
const ADD_DAYS_MEMO = new Map<number, Map<string, string>>();

export function addDays(isoDate: string, days: number): string {
  let memo = ADD_DAYS_MEMO.get(days);
  if (memo === undefined) {
    if (ADD_DAYS_MEMO.size >= 1000) ADD_DAYS_MEMO.clear();
    memo = new Map();
    ADD_DAYS_MEMO.set(days, memo);
  }
  const known = memo.get(isoDate);
  if (known !== undefined) return known;
  const t = Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000;
  const sum = new Date(t).toISOString().slice(0, 10);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(isoDate, sum);
  return sum;
}
