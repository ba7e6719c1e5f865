/**
 * What must hold for any successful parse, whatever the input: the judgement behind the mutation
 * property test. Pure functions over a `ParseResult`.
 */
import type { ParseResult } from '../model.js';
import {
  absDecimal,
  addDecimals,
  decimalCompare,
  formatDecimal,
  readDecimal,
  type ScaledDecimal,
  ZERO,
} from './decimal.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in YYYY-MM-DD (no "2024-02-30"), checked with integers only. */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** Shape problems of the normalized model: amounts that are not decimals, impossible dates. */
export function modelProblems(result: ParseResult): string[] {
  const problems: string[] = [];
  const decimal = (where: string, value: unknown, nullable: boolean) => {
    if (value === null && nullable) return;
    if (readDecimal(value) === null)
      problems.push(`${where} is not a decimal string: ${JSON.stringify(value)}`);
  };
  const date = (where: string, value: unknown) => {
    if (value === null || value === undefined) return;
    if (typeof value !== 'string' || !isIsoDate(value)) {
      problems.push(`${where} is not a YYYY-MM-DD date: ${JSON.stringify(value)}`);
    }
  };
  result.statements.forEach((s, i) => {
    decimal(`statements[${i}].opening_balance`, s.opening_balance, true);
    decimal(`statements[${i}].closing_balance`, s.closing_balance, true);
    s.entries.forEach((e, j) => {
      decimal(`statements[${i}].entries[${j}].amount`, e.amount, false);
      date(`statements[${i}].entries[${j}].booking_date`, e.booking_date);
      date(`statements[${i}].entries[${j}].value_date`, e.value_date);
    });
  });
  result.remittances.forEach((r, i) => {
    decimal(`remittances[${i}].amount`, r.amount, true);
    r.lines.forEach((l, j) => {
      decimal(`remittances[${i}].lines[${j}].amount_paid`, l.amount_paid, true);
      decimal(`remittances[${i}].lines[${j}].amount_invoiced`, l.amount_invoiced, true);
      decimal(`remittances[${i}].lines[${j}].discount`, l.discount, true);
    });
  });
  return problems;
}

export interface EntryTotals {
  count: number;
  signed: ScaledDecimal;
  abs: ScaledDecimal;
}

export function entryTotals(result: ParseResult): EntryTotals {
  let totals: EntryTotals = { count: 0, signed: ZERO, abs: ZERO };
  for (const statement of result.statements) {
    for (const entry of statement.entries) {
      const amount = readDecimal(entry.amount) ?? ZERO;
      totals = {
        count: totals.count + 1,
        signed: addDecimals(totals.signed, amount),
        abs: addDecimals(totals.abs, absDecimal(amount)),
      };
    }
  }
  return totals;
}

/** How a format's control records protect the entry amounts (see `controlledTotalsDiffer`). */
export type ControlKind = 'signed' | 'abs';

/**
 * Compares the entry totals of a parse with those of the unmutated file. NACHA batch controls carry
 * credit and debit totals separately, so the signed sum is protected. BAI2 control totals add the
 * amounts as written, without the direction that the type code gives, so only the count and the
 * absolute sum are protected (a type-code flip 165 -> 465 cannot be detected by any BAI2 reader).
 */
export function controlledTotalsDiffer(
  kind: ControlKind,
  baseline: EntryTotals,
  got: EntryTotals,
): string | null {
  if (baseline.count !== got.count)
    return `entry count ${got.count}, the control records say ${baseline.count}`;
  const [want, have] = kind === 'signed' ? [baseline.signed, got.signed] : [baseline.abs, got.abs];
  if (decimalCompare(want, have) !== 0) {
    return `${kind} entry sum ${formatDecimal(have)}, the control records say ${formatDecimal(want)}`;
  }
  return null;
}

/** Indexes of statements with both balances where opening + sum(entries) != closing. */
export function untiedStatements(result: ParseResult): number[] {
  const untied: number[] = [];
  result.statements.forEach((s, i) => {
    const opening = readDecimal(s.opening_balance);
    const closing = readDecimal(s.closing_balance);
    if (opening === null || closing === null) return;
    const sum = s.entries.reduce((total, e) => addDecimals(total, readDecimal(e.amount) ?? ZERO), ZERO);
    if (decimalCompare(addDecimals(opening, sum), closing) !== 0) untied.push(i);
  });
  return untied;
}

/** True when some statement carries both balances (so continuity can be judged at all). */
export function hasBalances(result: ParseResult): boolean {
  return result.statements.some((s) => s.opening_balance !== null && s.closing_balance !== null);
}

/**
 * Warnings that say nothing about totals: a parse carrying only these is "silent". Every other code
 * (control-total, balance-mismatch, a reader's own such as camt's batch-difference) tells the user
 * that figures disagree, so the result is not silently wrong.
 */
export const NON_TOTALS_WARNING_CODES: ReadonlySet<string> = new Set(['bank-deviation']);

export function warnedAboutTotals(result: ParseResult, statement?: number): boolean {
  return result.warnings.some(
    (w) =>
      !NON_TOTALS_WARNING_CODES.has(w.code) &&
      (statement === undefined || w.statement === undefined || w.statement === statement),
  );
}
