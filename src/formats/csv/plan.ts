/**
 * The column plan of one file: which column index holds which field, from the header (recognized names)
 * and the mapping (names or indexes that win over recognition).
 */
import { ParseError } from '../errors.js';
import {
  assignRoles,
  type ColumnRole,
  currencyInHeader,
  isHeaderRow,
  normalizeHeader,
  roleOfHeader,
  WEAK_INDICATORS,
} from './columns.js';
import type { BankCsvMapping, ColumnRef, MappedRole } from './mapping.js';

export type IndicatorState = 'off' | 'on' | 'undecided';

export interface ColumnPlan {
  headers: string[];
  date: number;
  valueDate: number;
  amount: number;
  debit: number;
  credit: number;
  indicator: number;
  currency: number;
  balance: number;
  payee: number;
  counterpartyAccount: number;
  counterpartyBank: number;
  reference: number;
  endToEndId: number;
  remittanceReference: number;
  account: number;
  transactionCode: number;
  checkNumber: number;
  startBalance: number;
  endBalance: number;
  /** Description columns, joined with a space into the remittance text. */
  text: number[];
  indicatorState: IndicatorState;
  /** `Betrag (EUR)`: the amount column's currency. */
  headerCurrency: string | null;
  /** A balance-history export (periods with start/end balances, no transactions). */
  balanceHistory: boolean;
}

const SINGLE_ROLES = [
  'date',
  'valueDate',
  'amount',
  'debit',
  'credit',
  'indicator',
  'currency',
  'balance',
  'payee',
  'counterpartyAccount',
  'counterpartyBank',
  'reference',
  'endToEndId',
  'remittanceReference',
  'account',
  'transactionCode',
  'checkNumber',
  'startBalance',
  'endBalance',
] as const satisfies readonly ColumnRole[];

/** Index of a mapped column in the header (or the index itself); -1 when the header has no such name. */
export function resolveRef(ref: ColumnRef, headers: readonly string[] | null): number {
  if (typeof ref === 'number') return ref;
  if (headers === null) return -1;
  const exact = headers.findIndex((h) => h.trim() === ref.trim());
  if (exact >= 0) return exact;
  const key = normalizeHeader(ref);
  return headers.findIndex((h) => normalizeHeader(h) === key);
}

function mappedRefs(mapping: BankCsvMapping | null): [MappedRole, ColumnRef[]][] {
  const columns = mapping?.columns ?? {};
  return Object.entries(columns).map(([role, ref]) => [
    role as MappedRole,
    Array.isArray(ref) ? ref : [ref as ColumnRef],
  ]);
}

/** The mapped header names missing from a row (a header row must contain all of them). */
export function missingMappedNames(mapping: BankCsvMapping | null, headers: readonly string[]): string[] {
  const missing: string[] = [];
  for (const [, refs] of mappedRefs(mapping)) {
    for (const ref of refs) if (typeof ref === 'string' && resolveRef(ref, headers) < 0) missing.push(ref);
  }
  return missing;
}

/** Roles from the header names, overridden by the mapping. */
export function effectiveRoles(
  headers: readonly string[] | null,
  mapping: BankCsvMapping | null,
): Map<string, number[]> {
  const roles = new Map<string, number[]>();
  if (headers !== null) for (const [role, index] of assignRoles(headers)) roles.set(role, [index]);
  const mapped = mappedRefs(mapping);
  const claimed = new Set<number>();
  for (const [role, refs] of mapped) {
    const indexes = refs.map((ref) => resolveRef(ref, headers)).filter((i) => i >= 0);
    roles.set(role, indexes);
    for (const i of indexes) claimed.add(i);
  }
  const mappedRoles = new Set(mapped.map(([role]) => role as string));
  for (const [role, indexes] of roles) {
    if (!mappedRoles.has(role) && indexes.some((i) => claimed.has(i))) roles.delete(role);
  }
  if (mappedRoles.has('amount')) {
    roles.delete('debit');
    roles.delete('credit');
  } else if (mappedRoles.has('debit') || mappedRoles.has('credit')) {
    roles.delete('amount');
  } else if (roles.has('amount')) {
    roles.delete('debit');
    roles.delete('credit');
  }
  if (mappedRoles.has('description') && !mappedRoles.has('memo')) roles.delete('memo');
  return roles;
}

export function looksLikeHeader(roles: ReadonlyMap<string, number[]>): boolean {
  const single = new Map<ColumnRole, number>();
  for (const [role, indexes] of roles) if (indexes.length > 0) single.set(role as ColumnRole, indexes[0]!);
  return isHeaderRow(single);
}

export function buildPlan(
  headers: string[],
  roles: ReadonlyMap<string, number[]>,
  mapping: BankCsvMapping | null,
): ColumnPlan {
  const pick = (role: string): number => roles.get(role)?.[0] ?? -1;
  const plan = Object.fromEntries(SINGLE_ROLES.map((role) => [role, pick(role)])) as Record<
    (typeof SINGLE_ROLES)[number],
    number
  >;
  const text = [...(roles.get('description') ?? []), ...(roles.get('memo') ?? [])];
  const indicatorHeader = plan.indicator >= 0 ? normalizeHeader(headers[plan.indicator] ?? '') : '';
  const mappedIndicator = mapping?.columns?.indicator !== undefined;
  const amountHeader = plan.amount >= 0 ? (headers[plan.amount] ?? '') : '';
  const hasAmounts = plan.amount >= 0 || plan.debit >= 0 || plan.credit >= 0;
  return {
    headers,
    ...plan,
    text,
    indicatorState:
      plan.indicator < 0
        ? 'off'
        : mappedIndicator || !WEAK_INDICATORS.has(indicatorHeader)
          ? 'on'
          : 'undecided',
    headerCurrency: currencyInHeader(amountHeader),
    balanceHistory: !hasAmounts && (plan.startBalance >= 0 || plan.endBalance >= 0),
  };
}

/** Generated names for files without a header: "column 1", "column 2"… (1-based, as people count). */
export function syntheticHeaders(mapping: BankCsvMapping): string[] {
  let max = 0;
  for (const [, refs] of mappedRefs(mapping))
    for (const ref of refs) if (typeof ref === 'number') max = Math.max(max, ref);
  return Array.from({ length: max + 1 }, (_, i) => `column ${i + 1}`);
}

const NEEDED =
  'a date column (Date, Booking date, Buchungstag, Datum, Value date, Valuta, Fecha, Date opération…) and an ' +
  'amount column (Amount, Betrag, Bedrag, Montant, Importe) or Debit/Credit columns';

/** No header row was found: name what was found and what is needed. */
export function noHeaderError(
  fileName: string,
  candidate: { cells: string[]; line: number } | null,
  mapping: BankCsvMapping | null,
): ParseError {
  const found = candidate ? candidate.cells.map((c) => c.trim()).filter((c) => c.length > 0) : [];
  const recognized = found
    .map((c) => [c, roleOfHeader(c)?.role] as const)
    .filter(([, role]) => role !== undefined)
    .map(([c, role]) => `${c}=${role}`);
  const missing = candidate && mapping ? missingMappedNames(mapping, candidate.cells) : [];
  const detail = [
    'no header row with the columns a bank statement needs',
    `columns found${candidate ? ` (line ${candidate.line})` : ''}: ${found.length > 0 ? found.join(' | ') : 'none'}`,
    `recognized: ${recognized.length > 0 ? recognized.join(', ') : 'none'}`,
    missing.length > 0 ? `mapped columns not in the header: ${missing.join(', ')}` : null,
    `needed: ${NEEDED}; or give a mapping that names them`,
  ]
    .filter((part) => part !== null)
    .join('; ');
  return new ParseError('columns', { file: fileName, line: candidate?.line ?? 1, expected: NEEDED }, detail);
}
