/**
 * Field readers shared by the statement and entry code: every rejection is a ParseError naming the file,
 * the XML path, the field and what was expected.
 */
import { ParseError } from '../errors.js';
import type { ParseSink, ParseWarning } from '../model.js';
import { type Amount, parseUnsignedDecimal } from './amount.js';
import { at, child, textOf, type XNode } from './xml-node.js';

export interface ReaderContext {
  readonly fileName: string;
  readonly lenient: boolean;
  readonly strict: boolean;
  readonly sink: ParseSink;
}

export function fail(
  ctx: ReaderContext,
  code: string,
  path: string,
  detail: string,
  field?: string,
  expected?: string,
  found?: string,
): never {
  throw new ParseError(code, { file: ctx.fileName, path, field, expected, found }, detail);
}

export function warn(ctx: ReaderContext, warning: ParseWarning): void {
  ctx.sink.warning(warning);
}

/**
 * A control total that disagrees: an error, or with `lenient` a warning and the import goes on.
 */
export function controlTotal(ctx: ReaderContext, path: string, statement: number, detail: string): void {
  if (!ctx.lenient) fail(ctx, 'control-total', path, detail);
  warn(ctx, { code: 'control-total', message: detail, path, statement });
}

const CURRENCY = /^[A-Z]{3}$/;

/** Reads `<Amt Ccy="EUR">12.34</Amt>`-like elements. `fallbackCurrency` is used when Ccy is missing. */
export function readAmount(
  ctx: ReaderContext,
  node: XNode | undefined,
  path: string,
  fallbackCurrency: string | null,
): Amount {
  if (node === undefined)
    fail(ctx, 'missing-field', path, 'missing amount', lastSegment(path), 'a decimal amount');
  const raw = textOf(node);
  const currency = node.attrs.Ccy ?? fallbackCurrency;
  if (currency !== null && !CURRENCY.test(currency)) {
    fail(
      ctx,
      'bad-currency',
      path,
      'invalid currency',
      `${lastSegment(path)}/@Ccy`,
      'an ISO 4217 code',
      currency,
    );
  }
  const amount = raw === null ? null : parseUnsignedDecimal(raw, currency);
  if (amount === null) {
    fail(ctx, 'bad-amount', path, 'not a valid amount', lastSegment(path), 'an unsigned decimal', raw ?? '');
  }
  return amount;
}

/** Optional amount: undefined element -> null; present but invalid -> error. */
export function readOptionalAmount(
  ctx: ReaderContext,
  node: XNode | undefined,
  path: string,
  fallbackCurrency: string | null,
): Amount | null {
  return node === undefined ? null : readAmount(ctx, node, path, fallbackCurrency);
}

/** CRDT -> true, DBIT -> false; missing -> null (the caller decides); anything else -> error. */
export function readIndicator(ctx: ReaderContext, node: XNode | undefined, path: string): boolean | null {
  if (node === undefined) return null;
  const value = textOf(node);
  if (value === 'CRDT') return true;
  if (value === 'DBIT') return false;
  return fail(
    ctx,
    'bad-indicator',
    path,
    'invalid credit/debit indicator',
    'CdtDbtInd',
    'CRDT or DBIT',
    value ?? '',
  );
}

export function requireIndicator(ctx: ReaderContext, node: XNode | undefined, path: string): boolean {
  const credit = readIndicator(ctx, node, path);
  if (credit === null)
    fail(ctx, 'missing-field', path, 'missing credit/debit indicator', 'CdtDbtInd', 'CRDT or DBIT');
  return credit;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** The date part of an ISODate or ISODateTime, checked against the calendar. */
export function readDateText(ctx: ReaderContext, value: string, path: string): string {
  const match = DATE.exec(value);
  if (match && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) return match[0];
  return fail(ctx, 'bad-date', path, 'not a valid date', lastSegment(path), 'YYYY-MM-DD', value);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `DateAndDateTimeChoice` (`BookgDt`, `ValDt`, `Bal/Dt`): `Dt` or `DtTm`, date part only. */
export function readDateChoice(
  ctx: ReaderContext,
  node: XNode | undefined,
  path: string,
  nested = false,
): string | null {
  if (node === undefined) return null;
  const dt = child(node, 'Dt');
  const dtText = textOf(dt);
  if (dtText !== null) return readDateText(ctx, dtText, `${path}/Dt`);
  const dtTm = textOf(child(node, 'DtTm'));
  if (dtTm !== null) return readDateText(ctx, dtTm, `${path}/DtTm`);
  // Some files nest the choice once more (`<Dt><Dt>..</Dt><DtTm>..</DtTm></Dt>`); once, not without end.
  if (dt?.children && !nested) return readDateChoice(ctx, dt, `${path}/Dt`, true);
  const direct = textOf(node);
  return direct === null ? null : readDateText(ctx, direct, path);
}

/** A non-negative integer such as `NbOfNtries` or `NbOfTxs`. */
export function readCount(ctx: ReaderContext, node: XNode | undefined, path: string): number | null {
  const value = textOf(node);
  if (value === null) return null;
  if (!/^\d{1,15}$/.test(value))
    fail(ctx, 'bad-number', path, 'not a count', lastSegment(path), 'digits', value);
  return Number(value);
}

/** `Sts` is text in v02 and `Sts/Cd` (or `Sts/Prtry`) from v08. */
export function readStatus(node: XNode | undefined): string | null {
  if (node === undefined) return null;
  return textOf(node) ?? textOf(child(node, 'Cd')) ?? textOf(child(node, 'Prtry'));
}

/** `Id/IBAN`, else `Id/Othr/Id`, else (v01) `Id/PrtryAcct/Id`. */
export function readAccountId(account: XNode | undefined): string | null {
  const id = child(account, 'Id');
  return textOf(child(id, 'IBAN')) ?? textOf(at(id, 'Othr', 'Id')) ?? textOf(at(id, 'PrtryAcct', 'Id'));
}

function lastSegment(path: string): string {
  const slash = path.lastIndexOf('/');
  return path.slice(slash + 1).replace(/\[\d+\]$/, '');
}
