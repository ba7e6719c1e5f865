/**
 * Test helper: compares a parse result with a shared-corpus `.expect.json` (schema and comparison
 * rules in shared/corpus/README.md). Returns the list of differences, empty when the file conforms.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decimalEquals, sumDecimals } from '../../money/index.js';
import type { Expectation } from '../conformance/expect.js';
import type { ParseResult } from '../model.js';

export function findExpectedInputs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.expect.json')) out.push(full.slice(0, -'.expect.json'.length));
    }
  };
  walk(dir);
  return out;
}

function normalizeAccount(account: string | null): string {
  return (account ?? '').replace(/\s+/g, '').toLowerCase();
}

function accountsMatch(expected: string | null, actual: string | null): boolean {
  if (expected === null) return true;
  const e = normalizeAccount(expected);
  const a = normalizeAccount(actual);
  return e === a || (a !== '' && (e.includes(a) || a.includes(e)));
}

function sameDecimal(expected: string | null, actual: string | null): boolean {
  if (expected === null || actual === null) return expected === actual;
  return decimalEquals(expected, actual);
}

export function compareWithExpectation(result: ParseResult, expect: Expectation): string[] {
  const problems: string[] = [];
  const entries = result.statements.flatMap((s) => s.entries);
  const amounts = entries.map((e) => e.amount);
  if (expect.statements !== null && result.statements.length !== expect.statements) {
    problems.push(`statements: expected ${expect.statements}, got ${result.statements.length}`);
  }
  if (expect.entries !== null && entries.length !== expect.entries) {
    problems.push(`entries: expected ${expect.entries}, got ${entries.length}`);
  }
  const sum = amounts.length === 0 ? '0' : sumDecimals(amounts);
  if (expect.sum_amount !== null && !decimalEquals(expect.sum_amount, sum)) {
    problems.push(`sum_amount: expected ${expect.sum_amount}, got ${sum}`);
  }
  const sumAbs = amounts.length === 0 ? '0' : sumDecimals(amounts.map((a) => a.replace(/^-/, '')));
  if (expect.sum_abs_amount !== null && !decimalEquals(expect.sum_abs_amount, sumAbs)) {
    problems.push(`sum_abs_amount: expected ${expect.sum_abs_amount}, got ${sumAbs}`);
  }
  for (const [i, balance] of (expect.balances ?? []).entries()) {
    const statement = result.statements[i];
    if (statement === undefined) {
      problems.push(`balances[${i}]: no statement ${i}`);
      continue;
    }
    if (!accountsMatch(balance.account, statement.account)) {
      problems.push(`balances[${i}].account: expected ${balance.account}, got ${statement.account}`);
    }
    if (!sameDecimal(balance.opening, statement.opening_balance)) {
      problems.push(`balances[${i}].opening: expected ${balance.opening}, got ${statement.opening_balance}`);
    }
    if (!sameDecimal(balance.closing, statement.closing_balance)) {
      problems.push(`balances[${i}].closing: expected ${balance.closing}, got ${statement.closing_balance}`);
    }
  }
  const lines = result.remittances.flatMap((r) => r.lines);
  if (expect.remittance_lines !== null && lines.length !== expect.remittance_lines) {
    problems.push(`remittance_lines: expected ${expect.remittance_lines}, got ${lines.length}`);
  }
  if (expect.remittance_sum_paid !== null) {
    const paid = lines.map((l) => l.amount_paid).filter((a): a is string => a !== null);
    const total = paid.length === 0 ? '0' : sumDecimals(paid);
    if (!decimalEquals(expect.remittance_sum_paid, total)) {
      problems.push(`remittance_sum_paid: expected ${expect.remittance_sum_paid}, got ${total}`);
    }
  }
  return problems;
}
