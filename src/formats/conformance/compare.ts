/**
 * Compares a parse result with a corpus expectation, following "How to compare" in the corpus README:
 * exact decimals, accounts compared without whitespace and case with containment either way, and
 * `null` meaning "not asserted". Pure: no I/O, so it is unit-tested on its own.
 */
import type { ParseResult, Statement } from '../model.js';
import {
  absDecimal,
  addDecimals,
  decimalCompare,
  formatDecimal,
  readDecimal,
  type ScaledDecimal,
  ZERO,
} from './decimal.js';
import type { Expectation, ExpectedBalance } from './expect.js';

export interface Mismatch {
  /** What was compared: "statements", "sum_amount", "balances[1].closing", "entry amount"… */
  field: string;
  expected: string;
  got: string;
}

/** The figures of a parse result that expectations refer to, computed exactly. */
export interface ResultFigures {
  statements: number;
  entries: number;
  sumAmount: ScaledDecimal;
  sumAbsAmount: ScaledDecimal;
  remittanceLines: number;
  remittanceSumPaid: ScaledDecimal;
  /** Amounts that are not decimal strings (each one is reported as a mismatch). */
  badAmounts: Mismatch[];
  /** Remittance lines whose amount_paid is null (counted as 0 in the sum, named when the sum differs). */
  nullAmountPaid: number;
}

export function figuresOf(result: Pick<ParseResult, 'statements' | 'remittances'>): ResultFigures {
  const figures: ResultFigures = {
    statements: result.statements.length,
    entries: 0,
    sumAmount: ZERO,
    sumAbsAmount: ZERO,
    remittanceLines: 0,
    remittanceSumPaid: ZERO,
    badAmounts: [],
    nullAmountPaid: 0,
  };
  result.statements.forEach((statement, s) => {
    statement.entries.forEach((entry, e) => {
      figures.entries++;
      const amount = readDecimal(entry.amount);
      if (amount === null) {
        figures.badAmounts.push(badAmount(`statements[${s}].entries[${e}].amount`, entry.amount));
        return;
      }
      figures.sumAmount = addDecimals(figures.sumAmount, amount);
      figures.sumAbsAmount = addDecimals(figures.sumAbsAmount, absDecimal(amount));
    });
  });
  result.remittances.forEach((advice, r) => {
    advice.lines.forEach((line, l) => {
      figures.remittanceLines++;
      if (line.amount_paid === null || line.amount_paid === undefined) {
        figures.nullAmountPaid++;
        return;
      }
      const paid = readDecimal(line.amount_paid);
      if (paid === null) {
        figures.badAmounts.push(badAmount(`remittances[${r}].lines[${l}].amount_paid`, line.amount_paid));
        return;
      }
      figures.remittanceSumPaid = addDecimals(figures.remittanceSumPaid, paid);
    });
  });
  return figures;
}

function badAmount(field: string, value: unknown): Mismatch {
  return { field, expected: 'a decimal string such as "-12.50"', got: JSON.stringify(value) ?? 'undefined' };
}

export function compareResult(expect: Expectation, result: ParseResult): Mismatch[] {
  const figures = figuresOf(result);
  const mismatches: Mismatch[] = [...figures.badAmounts];
  compareCount(mismatches, 'statements', expect.statements, figures.statements);
  compareCount(mismatches, 'entries', expect.entries, figures.entries);
  compareSum(mismatches, 'sum_amount', expect.sum_amount, figures.sumAmount);
  compareSum(mismatches, 'sum_abs_amount', expect.sum_abs_amount, figures.sumAbsAmount);
  if (expect.balances !== null) compareBalances(mismatches, expect.balances, result.statements);
  compareCount(mismatches, 'remittance_lines', expect.remittance_lines, figures.remittanceLines);
  const nullNote =
    figures.nullAmountPaid > 0 ? ` (${figures.nullAmountPaid} line(s) without amount_paid)` : '';
  compareSum(
    mismatches,
    'remittance_sum_paid',
    expect.remittance_sum_paid,
    figures.remittanceSumPaid,
    nullNote,
  );
  return mismatches;
}

function compareCount(out: Mismatch[], field: string, expected: number | null, got: number): void {
  if (expected !== null && expected !== got)
    out.push({ field, expected: String(expected), got: String(got) });
}

function compareSum(
  out: Mismatch[],
  field: string,
  expected: string | null,
  got: ScaledDecimal,
  note = '',
): void {
  if (expected === null) return;
  const want = readDecimal(expected);
  if (want === null || decimalCompare(want, got) !== 0) {
    out.push({ field, expected, got: formatDecimal(got) + note });
  }
}

function compareBalances(
  out: Mismatch[],
  balances: readonly ExpectedBalance[],
  statements: Statement[],
): void {
  balances.forEach((want, i) => {
    const statement = statements[i];
    if (statement === undefined) {
      out.push({ field: `balances[${i}]`, expected: describeBalance(want), got: 'no such statement' });
      return;
    }
    if (want.account !== null && !accountsMatch(want.account, statement.account)) {
      out.push({ field: `balances[${i}].account`, expected: want.account, got: String(statement.account) });
    }
    compareBalance(out, `balances[${i}].opening`, want.opening, statement.opening_balance);
    compareBalance(out, `balances[${i}].closing`, want.closing, statement.closing_balance);
  });
}

function compareBalance(out: Mismatch[], field: string, expected: string | null, got: string | null): void {
  if (expected === null) return;
  const want = readDecimal(expected);
  const have = readDecimal(got);
  if (want === null || have === null || decimalCompare(want, have) !== 0) {
    out.push({ field, expected, got: got === null ? 'null' : String(got) });
  }
}

function describeBalance(b: ExpectedBalance): string {
  return `account ${b.account ?? '-'}, opening ${b.opening ?? '-'}, closing ${b.closing ?? '-'}`;
}

/** Accounts match after removing whitespace and case when one contains the other (README "How to compare"). */
export function accountsMatch(expected: string, got: string | null | undefined): boolean {
  if (typeof got !== 'string') return false;
  const want = normalizeAccount(expected);
  const have = normalizeAccount(got);
  if (want === '' || have === '') return want === have;
  return want.includes(have) || have.includes(want);
}

function normalizeAccount(account: string): string {
  return account.replace(/\s+/g, '').toLowerCase();
}
