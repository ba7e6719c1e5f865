import { describe, expect, it } from 'vitest';
import type { BankEntry, ParseResult, RemittanceLine, Statement } from '../model.js';
import { accountsMatch, compareResult, figuresOf } from './compare.js';
import { addDecimals, formatDecimal, readDecimal, sameDecimal } from './decimal.js';
import { type Expectation, ExpectationError, notesSayControlsInconsistent, toExpectation } from './expect.js';

function entry(amount: string): BankEntry {
  return {
    booking_date: '2024-03-01',
    value_date: null,
    amount,
    currency: 'EUR',
    bank_transaction_code: null,
    bank_reference: null,
    end_to_end_id: null,
    counterparty: { name: null, account: null, bank: null },
    remittance: { references: [], text: null },
  };
}

function statement(
  account: string | null,
  opening: string | null,
  closing: string | null,
  amounts: string[],
): Statement {
  return {
    account,
    currency: 'EUR',
    opening_balance: opening,
    closing_balance: closing,
    entries: amounts.map(entry),
  };
}

function line(amountPaid: string | null): RemittanceLine {
  return {
    document_number: 'INV-1',
    amount_paid: amountPaid,
    amount_invoiced: null,
    discount: null,
    adjustments: [],
  };
}

function result(statements: Statement[], paid: (string | null)[][] = []): ParseResult {
  return {
    format: 'mt940',
    statements,
    remittances: paid.map((lines) => ({
      payer: null,
      payment_reference: null,
      amount: null,
      lines: lines.map(line),
    })),
    warnings: [],
  };
}

const NOTHING_ASSERTED: Expectation = {
  source: 'invariants-only',
  valid: true,
  statements: null,
  entries: null,
  sum_amount: null,
  sum_abs_amount: null,
  balances: null,
  remittance_lines: null,
  remittance_sum_paid: null,
  notes: '',
};

describe('exact decimals', () => {
  it('compares across scales without floats', () => {
    expect(sameDecimal('1510', '1510.00')).toBe(true);
    expect(sameDecimal('-0.10', '-0.1')).toBe(true);
    expect(sameDecimal('+12.5', '12.50')).toBe(true);
    expect(sameDecimal('0.1', '0.10000000000000001')).toBe(false);
    expect(sameDecimal('1,510.00', '1510')).toBe(false);
    expect(sameDecimal(null, '0')).toBe(false);
  });

  it('adds amounts that a float would round', () => {
    const a = readDecimal('90071992547409.93');
    const b = readDecimal('0.01');
    if (a === null || b === null) throw new Error('unreadable');
    expect(formatDecimal(addDecimals(a, b))).toBe('90071992547409.94');
    expect(formatDecimal(addDecimals(readDecimal('-0.05')!, readDecimal('0.02')!))).toBe('-0.03');
  });
});

describe('accountsMatch', () => {
  it('ignores whitespace and case and accepts containment either way', () => {
    expect(accountsMatch('NL34RABO0142623393 EUR', 'NL34RABO0142623393')).toBe(true);
    expect(accountsMatch('nl34 rabo 0142 6233 93', 'NL34RABO0142623393EUR')).toBe(true);
    expect(accountsMatch('123456', '654321')).toBe(false);
  });

  it('never lets an empty or missing account match a real one', () => {
    expect(accountsMatch('123456', '')).toBe(false);
    expect(accountsMatch('123456', null)).toBe(false);
    expect(accountsMatch('   ', '123')).toBe(false);
  });
});

describe('compareResult', () => {
  const parsed = result(
    [statement('DE12 3456', '100.00', '150.00', ['75.00', '-25']), statement('FR76', null, '0', [])],
    [['10.00', '5.5'], ['4.50']],
  );

  it('passes when every asserted figure matches exactly', () => {
    const want: Expectation = {
      ...NOTHING_ASSERTED,
      statements: 2,
      entries: 2,
      sum_amount: '50',
      sum_abs_amount: '100.00',
      balances: [
        { account: 'de123456', opening: '100', closing: '150.0' },
        { account: 'FR76', opening: null, closing: '0.00' },
      ],
      remittance_lines: 3,
      remittance_sum_paid: '20.00',
    };
    expect(compareResult(want, parsed)).toEqual([]);
  });

  it('asserts nothing where the expectation is null', () => {
    expect(compareResult(NOTHING_ASSERTED, parsed)).toEqual([]);
  });

  it('reports each differing figure with expected and got', () => {
    const want: Expectation = {
      ...NOTHING_ASSERTED,
      statements: 3,
      entries: 5,
      sum_amount: '50.01',
      sum_abs_amount: '99.99',
      remittance_lines: 2,
      remittance_sum_paid: '20.01',
    };
    expect(compareResult(want, parsed)).toEqual([
      { field: 'statements', expected: '3', got: '2' },
      { field: 'entries', expected: '5', got: '2' },
      { field: 'sum_amount', expected: '50.01', got: '50.00' },
      { field: 'sum_abs_amount', expected: '99.99', got: '100.00' },
      { field: 'remittance_lines', expected: '2', got: '3' },
      { field: 'remittance_sum_paid', expected: '20.01', got: '20.00' },
    ]);
  });

  it('compares balances item by item in file order', () => {
    const want: Expectation = {
      ...NOTHING_ASSERTED,
      balances: [
        { account: 'FR76', opening: '100.00', closing: '150.01' },
        { account: null, opening: '1', closing: null },
        { account: null, opening: null, closing: '0' },
      ],
    };
    expect(compareResult(want, parsed)).toEqual([
      { field: 'balances[0].account', expected: 'FR76', got: 'DE12 3456' },
      { field: 'balances[0].closing', expected: '150.01', got: '150.00' },
      { field: 'balances[1].opening', expected: '1', got: 'null' },
      { field: 'balances[2]', expected: 'account -, opening -, closing 0', got: 'no such statement' },
    ]);
  });

  it('reports an amount that is not a decimal string instead of summing it', () => {
    const odd = result([statement(null, null, null, ['1,000.00', '2.00'])]);
    const mismatches = compareResult({ ...NOTHING_ASSERTED, sum_amount: '2' }, odd);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]?.field).toBe('statements[0].entries[0].amount');
  });

  it('names remittance lines without amount_paid when the paid sum differs', () => {
    const partial = result([], [['3.00', null]]);
    expect(compareResult({ ...NOTHING_ASSERTED, remittance_sum_paid: '5' }, partial)).toEqual([
      { field: 'remittance_sum_paid', expected: '5', got: '3.00 (1 line(s) without amount_paid)' },
    ]);
    expect(figuresOf(partial).remittanceLines).toBe(2);
  });
});

describe('expectation files', () => {
  it('reads the corpus schema and keeps null as not asserted', () => {
    const parsed = toExpectation(
      {
        source: 'x',
        valid: true,
        statements: 1,
        entries: null,
        sum_amount: '-1.5',
        balances: [{ account: null }],
      },
      'a.expect.json',
    );
    expect(parsed.statements).toBe(1);
    expect(parsed.entries).toBeNull();
    expect(parsed.sum_amount).toBe('-1.5');
    expect(parsed.balances).toEqual([{ account: null, opening: null, closing: null }]);
  });

  it('rejects a malformed expectation naming the field', () => {
    expect(() => toExpectation({ valid: 'yes' }, 'a.expect.json')).toThrow(ExpectationError);
    expect(() => toExpectation({ valid: true, sum_amount: 1.5 }, 'b')).toThrow(/sum_amount/);
    expect(() => toExpectation({ valid: true, entries: -1 }, 'c')).toThrow(/entries/);
  });

  it('recognises notes about inconsistent control records', () => {
    expect(
      notesSayControlsInconsistent('Control-record inconsistencies (upstream accepts the file): x'),
    ).toBe(true);
    expect(
      notesSayControlsInconsistent('The 49/98/99 control totals and record counts in the file do not match'),
    ).toBe(true);
    expect(notesSayControlsInconsistent('Control-total mismatch: :90D: says 1 debit')).toBe(true);
    expect(notesSayControlsInconsistent('Balance continuity fails (opening + entries != closing)')).toBe(
      false,
    );
  });
});
