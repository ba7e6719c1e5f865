import { describe, expect, it } from 'vitest';
import type { BankEntry, ParseResult } from '../model.js';
import {
  controlledTotalsDiffer,
  entryTotals,
  isIsoDate,
  modelProblems,
  untiedStatements,
  warnedAboutTotals,
} from './invariants.js';
import { applyMutation, applyMutations, describeMutations, splitLines } from './mutations.js';
import { abaCheckDigit, bai2Seed, nachaSeed } from './seeds.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const input = Buffer.from('a1\nb2\nc3\n', 'latin1');

describe('mutations', () => {
  it('truncates, flips and changes digits at positions taken modulo the size', () => {
    expect(text(applyMutation(input, { kind: 'truncate', at: 13 }))).toBe('a1\nb');
    expect(text(applyMutation(input, { kind: 'flip-byte', at: 9, value: 0x41 }))).toBe('A1\nb2\nc3\n');
    // Flipping to the same byte would be a no-op: it takes the next value instead.
    expect(text(applyMutation(input, { kind: 'flip-byte', at: 0, value: 0x61 }))).toBe('b1\nb2\nc3\n');
    expect(text(applyMutation(input, { kind: 'change-digit', nth: 4, delta: 8 }))).toBe('a1\nb0\nc3\n');
  });

  it('duplicates, drops and swaps whole lines', () => {
    expect(text(applyMutation(input, { kind: 'duplicate-line', line: 1 }))).toBe('a1\nb2\nb2\nc3\n');
    expect(text(applyMutation(input, { kind: 'drop-line', line: 3 }))).toBe('b2\nc3\n');
    expect(text(applyMutation(input, { kind: 'swap-lines', a: 0, b: 2 }))).toBe('c3\nb2\na1\n');
  });

  it('inserts bytes and chains mutations', () => {
    expect(text(applyMutation(input, { kind: 'insert', at: 3, bytes: [0x2f, 0x2f] }))).toBe('a1\n//b2\nc3\n');
    const both = applyMutations(input, [
      { kind: 'drop-line', line: 0 },
      { kind: 'truncate', at: 4 },
    ]);
    expect(text(both)).toBe('b2\nc');
    expect(describeMutations([{ kind: 'drop-line', line: 0 }])).toBe('drop-line(0)');
  });

  it('leaves the input untouched and copes with empty files', () => {
    applyMutation(input, { kind: 'flip-byte', at: 1, value: 0 });
    expect(text(input)).toBe('a1\nb2\nc3\n');
    expect(applyMutation(new Uint8Array(0), { kind: 'drop-line', line: 5 })).toHaveLength(0);
    expect(splitLines(Buffer.from('x\ny'))).toHaveLength(2);
  });
});

function result(
  opening: string | null,
  closing: string | null,
  amounts: string[],
  warnings: ParseResult['warnings'] = [],
) {
  const entries = amounts.map(
    (amount): BankEntry => ({
      booking_date: '2024-02-29',
      value_date: null,
      amount,
      currency: 'USD',
      bank_transaction_code: null,
      bank_reference: null,
      end_to_end_id: null,
      counterparty: { name: null, account: null, bank: null },
      remittance: { references: [], text: null },
    }),
  );
  const statement = {
    account: '1',
    currency: 'USD',
    opening_balance: opening,
    closing_balance: closing,
    entries,
  };
  return { format: 'bai2', statements: [statement], remittances: [], warnings } satisfies ParseResult;
}

describe('invariants', () => {
  it('knows real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-1-01')).toBe(false);
  });

  it('finds impossible amounts and dates in a model', () => {
    const bad = result(null, 'x', ['1.00', '1e3']);
    bad.statements[0]!.entries[0]!.value_date = '2024-04-31';
    expect(modelProblems(bad)).toEqual([
      'statements[0].closing_balance is not a decimal string: "x"',
      'statements[0].entries[0].value_date is not a YYYY-MM-DD date: "2024-04-31"',
      'statements[0].entries[1].amount is not a decimal string: "1e3"',
    ]);
  });

  it('compares totals the way each control scheme protects them', () => {
    const before = entryTotals(result(null, null, ['5.00', '-2.00']));
    const signFlipped = entryTotals(result(null, null, ['5.00', '2.00']));
    expect(controlledTotalsDiffer('abs', before, signFlipped)).toBeNull();
    expect(controlledTotalsDiffer('signed', before, signFlipped)).toMatch(/signed entry sum 7.00/);
    expect(controlledTotalsDiffer('abs', before, entryTotals(result(null, null, ['5.00'])))).toMatch(
      /entry count 1/,
    );
  });

  it('finds statements whose balances do not tie, and warnings that excuse them', () => {
    expect(untiedStatements(result('10', '13.5', ['1.25', '2.25']))).toEqual([]);
    const untied = result('10', '13', ['1.25']);
    expect(untiedStatements(untied)).toEqual([0]);
    expect(warnedAboutTotals(untied)).toBe(false);
    const deviationOnly = result('10', '13', ['1.25'], [{ code: 'bank-deviation', message: 'no slash' }]);
    expect(warnedAboutTotals(deviationOnly, 0)).toBe(false);
    const warned = result('10', '13', ['1.25'], [{ code: 'balance-mismatch', message: 'x', statement: 0 }]);
    expect(warnedAboutTotals(warned, 0)).toBe(true);
    expect(warnedAboutTotals(warned, 1)).toBe(false);
  });
});

describe('seeds', () => {
  it('builds 94-character NACHA records with valid routing check digits', () => {
    const lines = text(nachaSeed().bytes).split('\n').slice(0, -1);
    expect(lines.every((l) => l.length === 94)).toBe(true);
    expect(lines.length % 10).toBe(0);
    expect(abaCheckDigit('09100001')).toBe(9);
  });

  it('builds a BAI2 file whose trailers add up', () => {
    const lines = text(bai2Seed().bytes).trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`99,430000,1,${lines.length}/`);
  });
});
