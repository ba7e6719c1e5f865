import { describe, expect, it } from 'vitest';
import type { ExportKind, ExportRow, QueueEntry, Truth, TruthPayment } from './model.js';
import { formatReport, mergeLines, scorePayment, scoreRun } from './score.js';

function payment(overrides: Partial<TruthPayment> = {}): TruthPayment {
  return {
    payment_id: 'P000001',
    scenario: 'exact_single',
    variant: null,
    day: 0,
    date: '2026-03-02',
    format: 'camt',
    source: 'camt',
    file: 'day-1/camt.xml',
    remittance_file: null,
    bank_reference: 'B1',
    end_to_end_id: 'E1',
    amount: '100.00',
    currency: 'USD',
    payer_name: 'ACME',
    customer_number: 'C1',
    customer_group: ['C1'],
    lines: [{ invoice_number: 'INV-1', amount: '100.00', kind: 'payment' }],
    ...overrides,
  };
}

function row(
  invoice: string | null,
  amount: string,
  kind: ExportKind,
  overrides: Partial<ExportRow> = {},
): ExportRow {
  return {
    bank_reference: 'B1',
    end_to_end_id: 'E1',
    receipt_id: 'R1',
    customer_id: 'u1',
    customer_number: 'C1',
    invoice_number: invoice,
    amount,
    kind,
    confidence: 0.99,
    mode: 'auto',
    ...overrides,
  };
}

function queued(suggestions: QueueEntry['suggestions'], overrides: Partial<QueueEntry> = {}): QueueEntry {
  return {
    receipt_id: 'R1',
    bank_reference: 'B1',
    end_to_end_id: 'E1',
    amount: '100.00',
    currency: 'USD',
    payer_name: 'ACME',
    customer_number: 'C1',
    status: 'proposed',
    suggestions,
    ...overrides,
  };
}

const suggestion = (rank: number, lines: QueueEntry['suggestions'][number]['lines'], customer = 'C1') => ({
  rank,
  score: 1 - rank / 10,
  customer_number: customer,
  lines,
  reasons: ['amount equals open balance'],
});

function truthOf(payments: TruthPayment[]): Truth {
  return {
    version: 1,
    seed: 1,
    params: { customers: 1, open_invoices: 1, payments: payments.length, days: 1, start: '2026-03-02' },
    company: { code: 'bench', name: 'Bench', currency: 'USD' },
    assumptions: {},
    scenario_weights: {} as Truth['scenario_weights'],
    payments,
  };
}

describe('mergeLines', () => {
  it('adds rows on the same invoice and kind, compares amounts exactly and drops zero sums', () => {
    const merged = mergeLines([
      { invoice_number: 'INV-1', amount: '60', kind: 'payment' },
      { invoice_number: 'INV-1', amount: '40.00', kind: 'payment' },
      { invoice_number: 'INV-2', amount: '0.00', kind: 'discount' },
    ]);
    expect([...merged]).toEqual([['INV-1\u001fpayment', 10_000]]);
  });
});

describe('scorePayment', () => {
  it('counts a right automatic application as identified, right and straight through', () => {
    const s = scorePayment(payment(), [row('INV-1', '100.00', 'payment')], null);
    expect(s).toMatchObject({
      found: true,
      envelope: true,
      lines: true,
      straight_through: true,
      wrong: false,
    });
    expect(s.to_person).toBe(false);
  });

  it('merges split rows before comparing (two rows on one invoice are one line)', () => {
    const s = scorePayment(
      payment(),
      [row('INV-1', '30.00', 'payment'), row('INV-1', '70.00', 'payment')],
      null,
    );
    expect(s.lines).toBe(true);
    expect(s.wrong).toBe(false);
  });

  it('flags an automatic row on an invoice the truth does not pay as wrong', () => {
    const s = scorePayment(payment(), [row('INV-9', '100.00', 'payment')], null);
    expect(s).toMatchObject({ lines: false, straight_through: true, wrong: true });
  });

  it('flags the right invoice with the wrong kind or amount as wrong', () => {
    const truth = payment({
      amount: '99.50',
      lines: [
        { invoice_number: 'INV-1', amount: '99.50', kind: 'payment' },
        { invoice_number: 'INV-1', amount: '0.50', kind: 'write_off' },
      ],
    });
    const asDeduction = scorePayment(
      truth,
      [row('INV-1', '99.50', 'payment'), row('INV-1', '0.50', 'deduction')],
      null,
    );
    expect(asDeduction.wrong).toBe(true);
    const right = scorePayment(
      truth,
      [row('INV-1', '99.50', 'payment'), row('INV-1', '0.50', 'write_off')],
      null,
    );
    expect(right).toMatchObject({ lines: true, wrong: false, straight_through: true });
  });

  it('scores a receipt left to a person by its suggestions: top 3 and top 1', () => {
    const rows = [row(null, '100.00', 'unapplied')];
    const q = queued([
      suggestion(1, [{ invoice_number: 'INV-2', amount: '100.00', kind: 'payment' }]),
      suggestion(2, [{ invoice_number: 'INV-1', amount: '100.00', kind: 'payment' }]),
    ]);
    const s = scorePayment(payment(), rows, q);
    expect(s).toMatchObject({
      straight_through: false,
      wrong: false,
      to_person: true,
      top3: true,
      top1: false,
    });
    expect(s.envelope).toBe(true);
  });

  it('misses top 3 when the right answer is fourth or absent', () => {
    const q = queued(
      [1, 2, 3, 4].map((rank) =>
        suggestion(rank, [
          { invoice_number: rank === 4 ? 'INV-1' : `INV-X${rank}`, amount: '100.00', kind: 'payment' },
        ]),
      ),
    );
    expect(scorePayment(payment(), [row(null, '100.00', 'unapplied')], q).top3).toBe(false);
    expect(scorePayment(payment(), [row(null, '100.00', 'unapplied')], null).top3).toBe(false);
  });

  it('expects the suggestion to cover only what is still open after the automatic rows', () => {
    const truth = payment({
      amount: '150.00',
      lines: [
        { invoice_number: 'INV-1', amount: '100.00', kind: 'payment' },
        { invoice_number: 'INV-2', amount: '50.00', kind: 'payment' },
      ],
    });
    const rows = [row('INV-1', '100.00', 'payment'), row(null, '50.00', 'unapplied')];
    const q = queued([suggestion(1, [{ invoice_number: 'INV-2', amount: '50.00', kind: 'payment' }])]);
    const s = scorePayment(truth, rows, q);
    expect(s).toMatchObject({ wrong: false, straight_through: false, lines: false, top3: true, top1: true });
  });

  it('treats unidentifiable cash left unapplied without a customer as identified and right, never to a person', () => {
    const truth = payment({
      scenario: 'unidentifiable',
      customer_number: null,
      customer_group: [],
      lines: [{ invoice_number: null, amount: '100.00', kind: 'unapplied' }],
    });
    const s = scorePayment(
      truth,
      [row(null, '100.00', 'unapplied', { customer_number: null })],
      queued([], { customer_number: null }),
    );
    expect(s).toMatchObject({
      envelope: true,
      lines: true,
      straight_through: false,
      wrong: false,
      to_person: false,
    });
    const guessed = scorePayment(truth, [row('INV-1', '100.00', 'payment')], null);
    expect(guessed).toMatchObject({ envelope: false, wrong: true });
  });

  it('accepts the subsidiary as the named customer when a parent pays its invoices, nobody outside the group', () => {
    const truth = payment({ customer_number: 'C1', customer_group: ['C1', 'C2'] });
    expect(
      scorePayment(truth, [row('INV-1', '100.00', 'payment', { customer_number: 'C2' })], null).envelope,
    ).toBe(true);
    expect(
      scorePayment(truth, [row('INV-1', '100.00', 'payment', { customer_number: 'C3' })], null).envelope,
    ).toBe(false);
    expect(
      scorePayment(truth, [row(null, '100.00', 'unapplied', { customer_number: null })], null).envelope,
    ).toBe(false);
  });

  it('counts on-account credit for a customer outside the group as wrong', () => {
    const truth = payment({
      scenario: 'overpayment',
      amount: '110.00',
      lines: [
        { invoice_number: 'INV-1', amount: '100.00', kind: 'payment' },
        { invoice_number: null, amount: '10.00', kind: 'on_account' },
      ],
    });
    const rows = [
      row('INV-1', '100.00', 'payment'),
      row(null, '10.00', 'on_account', { customer_number: 'C7' }),
    ];
    expect(scorePayment(truth, rows, null).wrong).toBe(true);
  });

  it('does not count manual rows as straight through', () => {
    expect(
      scorePayment(payment(), [row('INV-1', '100.00', 'payment', { mode: 'manual' })], null).straight_through,
    ).toBe(false);
  });
});

describe('scoreRun', () => {
  const p1 = payment();
  const p2 = payment({
    payment_id: 'P000002',
    scenario: 'ref_typo',
    source: 'bai2',
    format: 'bai2',
    bank_reference: 'B2',
    end_to_end_id: 'E2',
    lines: [{ invoice_number: 'INV-2', amount: '100.00', kind: 'payment' }],
  });
  const p3 = payment({
    payment_id: 'P000003',
    scenario: 'x12_820',
    source: 'x12-820',
    format: 'bai2',
    bank_reference: 'B3',
    end_to_end_id: 'E3',
    lines: [{ invoice_number: 'INV-3', amount: '100.00', kind: 'payment' }],
  });

  it('finds receipts by bank reference, else by end-to-end id, and rates by scenario, source and format', () => {
    const rows = [
      row('INV-1', '100.00', 'payment'),
      // An export without the bank reference: found through the end-to-end id.
      row('INV-2', '100.00', 'payment', { receipt_id: 'R2', bank_reference: null, end_to_end_id: 'E2' }),
      row(null, '100.00', 'unapplied', { receipt_id: 'R3', bank_reference: 'B3', end_to_end_id: 'E3' }),
      row('INV-X', '5.00', 'payment', { receipt_id: 'R9', bank_reference: 'B9', end_to_end_id: null }),
    ];
    const queue = [
      queued([suggestion(1, [{ invoice_number: 'INV-3', amount: '100.00', kind: 'payment' }])], {
        receipt_id: 'R3',
        bank_reference: 'B3',
        end_to_end_id: 'E3',
      }),
    ];
    const report = scoreRun(truthOf([p1, p2, p3]), rows, queue);
    expect(report.overall.payments).toBe(3);
    expect(report.overall.found).toBe(1);
    expect(report.overall.straight_through).toBeCloseTo(2 / 3);
    expect(report.overall.wrong).toBe(0);
    expect(report.overall.to_person).toBe(1);
    expect(report.overall.top3).toBe(1);
    expect(report.by_scenario.x12_820!.straight_through).toBe(0);
    expect(report.by_source.bai2!.payments).toBe(1);
    expect(report.by_format.bai2!.payments).toBe(2);
    expect(report.unexpected_receipts).toBe(1);
    expect(report.meets).toEqual({ straight_through: false, wrong: true, envelope: true, top3: true });
    expect(report.examples.not_straight_through).toEqual(['P000003 x12_820 x12-820']);
  });

  it('reports payments the export does not know as not found and not identified', () => {
    const report = scoreRun(truthOf([p1]), [], []);
    expect(report.overall).toMatchObject({
      found: 0,
      envelope: 0,
      straight_through: 0,
      to_person: 1,
      top3: 0,
    });
    expect(report.examples.not_found).toHaveLength(1);
  });

  it('reads a netted credit memo the same whether written on the memo or on the invoice it settled', () => {
    const netted = payment({
      scenario: 'credit_memo_netted',
      amount: '250.00',
      lines: [
        { invoice_number: 'INV-1', amount: '100.00', kind: 'payment' },
        { invoice_number: 'INV-2', amount: '200.00', kind: 'payment' },
        { invoice_number: 'CM-1', amount: '-50.00', kind: 'payment' },
      ],
    });
    // The export: cash on both invoices, the memo as a credit_memo row on INV-2 without a receipt.
    const rows = [
      row('INV-1', '100.00', 'payment'),
      row('INV-2', '150.00', 'payment'),
      row('INV-2', '50.00', 'credit_memo', { receipt_id: null, bank_reference: null, end_to_end_id: null }),
    ];
    const report = scoreRun(truthOf([netted]), rows, []);
    expect(report.overall).toMatchObject({ line_item: 1, straight_through: 1, wrong: 0 });
    expect(report.unexpected_receipts).toBe(0);
    // A memo worth something else is not the right one.
    const other = [
      ...rows.slice(0, 2),
      row('INV-2', '40.00', 'credit_memo', { receipt_id: null }),
      row(null, '10.00', 'unapplied'),
    ];
    expect(scoreRun(truthOf([netted]), other, []).overall.line_item).toBe(0);
    // Suggestions may name the memo the same way.
    const q = queued([
      suggestion(1, [
        { invoice_number: 'INV-1', amount: '100.00', kind: 'payment' },
        { invoice_number: 'INV-2', amount: '150.00', kind: 'payment' },
        { invoice_number: 'INV-2', amount: '50.00', kind: 'credit_memo' },
      ]),
    ]);
    expect(scorePayment(netted, [row(null, '250.00', 'unapplied')], q).top1).toBe(true);
  });

  it('prints the targets and the tables', () => {
    const text = formatReport(scoreRun(truthOf([p1, p2]), [row('INV-1', '100.00', 'payment')], []));
    expect(text).toContain('| straight through');
    expect(text).toContain('By scenario');
    expect(text).toContain('NOT met');
  });
});
