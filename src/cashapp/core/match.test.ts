import { describe, expect, it } from 'vitest';
import { Book } from './book.js';
import { matchReceipt, reserve } from './match.js';
import {
  digitsKey,
  isOneTypoApart,
  nameKey,
  nameSimilarity,
  nameTokens,
  numericGroupsKey,
  referenceKey,
} from './normalize.js';
import { findSubsets } from './subset.js';
import { candidatesFromText } from './tokens.js';
import { type CustomerRow, DEFAULT_SETTINGS, type OpenDocumentRow, type ReceiptInput } from './types.js';

const customers: CustomerRow[] = [
  {
    customerId: 'c1',
    customerNumber: 'C001',
    name: 'Acme Widgets International, Inc.',
    parentCustomerId: null,
  },
  { customerId: 'c2', customerNumber: 'C002', name: 'Bolt & Nut Manufacturing LLC', parentCustomerId: null },
  { customerId: 'c3', customerNumber: 'C003', name: 'Acme Widgets West', parentCustomerId: 'c1' },
  { customerId: 'c4', customerNumber: 'C004', name: 'Cobalt Retail Group', parentCustomerId: null },
];

let seq = 0;
function doc(
  customerId: string,
  number: string,
  openMinor: number,
  extra: Partial<OpenDocumentRow> = {},
): OpenDocumentRow {
  seq++;
  return {
    documentId: `d${seq}`,
    documentNumber: number,
    customerId,
    docType: 'invoice',
    currency: 'USD',
    amountMinor: openMinor,
    openMinor,
    documentDate: '2026-10-01',
    dueDate: `2026-10-${String(10 + (seq % 18)).padStart(2, '0')}`,
    discountDate: null,
    discountPercent: '0',
    poNumber: null,
    ...extra,
  };
}

function book(documents: OpenDocumentRow[]) {
  return new Book({
    customers,
    documents,
    bankAccounts: [{ accountKey: 'DE89370400440532013000', customerId: 'c1' }],
    aliases: [{ aliasText: 'ACME WW PAYABLES', customerId: 'c1' }],
  });
}

function receipt(amountMinor: number, extra: Partial<ReceiptInput> = {}): ReceiptInput {
  return {
    receiptId: 'r1',
    currency: 'USD',
    amountMinor,
    receiptDate: '2026-10-20',
    customerId: null,
    payerName: null,
    payerAccountKey: null,
    reference: null,
    remittanceText: null,
    advices: [],
    ...extra,
  };
}

const settings = DEFAULT_SETTINGS;

describe('normalize', () => {
  it('folds reference variants onto one key', () => {
    expect(referenceKey('INV-2026-0001043')).toBe(referenceKey('inv 2026 OOO1043'));
    expect(numericGroupsKey('INV-2026-0001043')).toBe('2026.1043');
    expect(numericGroupsKey('2026/1043')).toBe('2026.1043');
    expect(numericGroupsKey('2O26-1O43')).toBe('2026.1043');
    expect(digitsKey('INV-0001043')).toBe('1043');
    expect(isOneTypoApart('20261043', '20261034')).toBe(true);
    expect(isOneTypoApart('20261043', '20261044')).toBe(true);
    expect(isOneTypoApart('20261043', '2026104')).toBe(true);
    expect(isOneTypoApart('20261043', '20261143x')).toBe(false);
  });

  it('reads payer names regardless of legal form, abbreviations and word order', () => {
    expect(nameKey('ACME WIDGETS INTL INC')).toBe(nameKey('Acme Widgets International, Inc.'));
    expect(nameKey('Widgets, Acme')).toBe(nameKey('Acme Widgets Corp.'));
    expect(nameTokens('Bolt & Nut Mfg. LLC')).toEqual(['BOLT', 'AND', 'NUT', 'MANUFACTURING']);
    expect(
      nameSimilarity(nameTokens('ACME WIDGETS INTERNATI'), nameTokens('Acme Widgets International')),
    ).toBe(1);
  });

  it('finds reference candidates in free text but not amounts or dates', () => {
    const texts = candidatesFromText('PAYMENT INV 2026-1043 AMOUNT 1,234.56 DATE 2026-10-01 REF 1043/44').map(
      (c) => c.text,
    );
    expect(texts).toContain('2026-1043');
    expect(texts).toContain('INV2026-1043');
    expect(texts).toContain('1044');
    expect(texts).not.toContain('1,234.56');
    expect(texts).not.toContain('2026-10-01');
  });
});

describe('subset sum', () => {
  it('finds the unique set and proves it unique', () => {
    const r = findSubsets([1000, 2500, 4000, 7300], 6500, {
      maxSteps: 10_000,
      maxItems: 10,
      maxSolutions: 3,
    });
    expect(r.exhausted).toBe(true);
    expect(r.solutions).toEqual([[2, 1]]);
  });
  it('reports two invoices of the same amount as ambiguous', () => {
    const r = findSubsets([5000, 5000, 100], 5000, { maxSteps: 10_000, maxItems: 10, maxSolutions: 3 });
    expect(r.solutions.length).toBe(2);
  });
  it('does not claim uniqueness when the step budget runs out', () => {
    const amounts = Array.from({ length: 40 }, (_, i) => 1000 + i * 7);
    const r = findSubsets(amounts, 20_000, { maxSteps: 50, maxItems: 20, maxSolutions: 3 });
    expect(r.exhausted).toBe(false);
  });
});

describe('matchReceipt', () => {
  it('applies an exact reference paid in full automatically, with reasons', () => {
    const b = book([doc('c1', 'INV-2026-0001043', 123456), doc('c2', 'INV-2026-0001044', 5000)]);
    const d = matchReceipt(b, receipt(123456, { remittanceText: 'INV-2026-0001043' }), settings);
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines).toHaveLength(1);
    expect(b.documentNumber[d.best!.lines[0]!.document!]).toBe('INV-2026-0001043');
    expect(d.best!.reasons.join('; ')).toContain('INV-2026-0001043 in remittance text');
    expect(d.best!.reasons.join('; ')).toContain('amount equals the open balance');
  });

  it('reads mangled references: no prefix, no zeros, O for 0', () => {
    const b = book([doc('c1', 'INV-2026-0001043', 10000), doc('c1', 'INV-2026-0001050', 20000)]);
    for (const text of ['PMT 20260001043', 'INV 2026-1043 THANKS', 'INV-2O26-OOO1O43']) {
      const d = matchReceipt(b, receipt(10000, { remittanceText: text }), settings);
      expect(d.outcome, text).toBe('auto');
      expect(b.documentNumber[d.best!.lines[0]!.document!]).toBe('INV-2026-0001043');
    }
  });

  it('accepts a one-character typo only within the known payer and when the amount agrees', () => {
    const b = book([doc('c1', 'INV-2026-0001043', 10000), doc('c2', 'INV-2026-0001047', 10000)]);
    const typo = receipt(10000, {
      remittanceText: 'INV-2026-0001034',
      payerAccountKey: 'DE89370400440532013000',
    });
    const d = matchReceipt(b, typo, settings);
    expect(d.outcome).toBe('auto');
    expect(b.documentNumber[d.best!.lines[0]!.document!]).toBe('INV-2026-0001043');
    const wrongAmount = matchReceipt(b, { ...typo, amountMinor: 7000 }, settings);
    expect(wrongAmount.outcome).not.toBe('auto');
  });

  it('writes off a short pay within tolerance and leaves a larger one with a reason as a deduction', () => {
    const b = book([doc('c1', 'INV-1', 100000)]);
    const small = matchReceipt(b, receipt(99800, { remittanceText: 'INV-1' }), settings);
    expect(small.outcome).toBe('auto');
    expect(small.best!.lines[0]).toMatchObject({ cashMinor: 99800, writeOffMinor: 200 });
    const large = matchReceipt(
      b,
      receipt(90000, { remittanceText: 'INV-1 less 100.00 damaged goods' }),
      settings,
    );
    expect(large.outcome).toBe('auto');
    expect(large.best!.lines[0]).toMatchObject({
      cashMinor: 90000,
      deductionMinor: 10000,
      deductionReasonCode: 'DAMAGED',
    });
    const partial = matchReceipt(b, receipt(40000, { remittanceText: 'INV-1' }), settings);
    expect(partial.best!.lines[0]).toMatchObject({ cashMinor: 40000, writeOffMinor: 0, deductionMinor: 0 });
  });

  it('puts an overpayment on account', () => {
    const b = book([doc('c1', 'INV-1', 100000)]);
    const d = matchReceipt(b, receipt(110000, { remittanceText: 'INV-1' }), settings);
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines.map((l) => [l.kind, l.cashMinor || l.amountMinor])).toEqual([
      ['payment', 100000],
      ['on_account', 10000],
    ]);
  });

  it('grants an early-payment discount within terms, not after', () => {
    const b = book([doc('c1', 'INV-7', 100000, { discountDate: '2026-10-15', discountPercent: '2.000' })]);
    const inTime = matchReceipt(
      b,
      receipt(98000, { remittanceText: 'INV-7', receiptDate: '2026-10-16' }),
      settings,
    );
    expect(inTime.best!.lines[0]).toMatchObject({ cashMinor: 98000, discountMinor: 2000 });
    const late = matchReceipt(
      b,
      receipt(98000, { remittanceText: 'INV-7', receiptDate: '2026-11-30' }),
      settings,
    );
    expect(late.best!.lines[0]).toMatchObject({ cashMinor: 98000, discountMinor: 0 });
  });

  it('nets a credit memo the customer deducted', () => {
    const b = book([doc('c1', 'INV-9', 100000), doc('c1', 'CM-9001', 15000, { docType: 'credit_memo' })]);
    const d = matchReceipt(b, receipt(85000, { remittanceText: 'INV-9 less credit CM-9001' }), settings);
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines.map((l) => l.kind)).toEqual(['credit_memo', 'payment']);
    expect(d.best!.lines[0]).toMatchObject({ amountMinor: 15000 });
    expect(d.best!.lines[1]).toMatchObject({ cashMinor: 85000 });
  });

  it('lets a parent pay for its subsidiary', () => {
    const b = book([doc('c3', 'INV-WEST-5001', 30000)]);
    const d = matchReceipt(
      b,
      receipt(30000, { payerAccountKey: 'DE89370400440532013000', remittanceText: 'INV-WEST-5001' }),
      settings,
    );
    expect(d.outcome).toBe('auto');
    expect(b.customers[d.best!.customer!]!.customerNumber).toBe('C001');
  });

  it('matches an unreferenced payment to the one set of open items that adds up, never to one of two', () => {
    const b = book([
      doc('c2', 'INV-A', 12000),
      doc('c2', 'INV-B', 30500),
      doc('c2', 'INV-C', 7725),
      doc('c2', 'INV-D', 99999),
    ]);
    const d = matchReceipt(b, receipt(42500, { payerName: 'BOLT AND NUT MFG' }), settings);
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines.map((l) => b.documentNumber[l.document!]).sort()).toEqual(['INV-A', 'INV-B']);
    const twins = book([doc('c2', 'INV-E', 5000), doc('c2', 'INV-F', 5000)]);
    const ambiguous = matchReceipt(twins, receipt(5000, { payerName: 'BOLT AND NUT MFG' }), settings);
    expect(ambiguous.outcome).toBe('proposed');
    expect(ambiguous.suggestions).toHaveLength(2);
  });

  it('leaves an unknown payer unapplied with suggestions', () => {
    const b = book([doc('c4', 'INV-77', 4321)]);
    const d = matchReceipt(b, receipt(4321, { payerName: 'Someone Else Entirely' }), settings);
    expect(d.outcome).toBe('unapplied');
    expect(d.suggestions[0]!.lines[0]!.document).toBe(0);
  });

  it('uses the remittance advice amounts and flags the deduction with its code', () => {
    const b = book([doc('c4', 'INV-100', 50000), doc('c4', 'INV-101', 20000)]);
    const d = matchReceipt(
      b,
      receipt(65000, {
        advices: [
          {
            adviceId: 'a1',
            amountMinor: 65000,
            payer: 'Cobalt Retail Group',
            text: null,
            lines: [
              {
                documentNumber: 'INV-100',
                amountPaidMinor: 45000,
                discountMinor: null,
                adjustments: [{ reasonCode: '19', amountMinor: 5000 }],
              },
              { documentNumber: 'INV-101', amountPaidMinor: 20000, discountMinor: null, adjustments: [] },
            ],
          },
        ],
      }),
      settings,
    );
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines).toEqual([
      expect.objectContaining({ cashMinor: 45000, deductionMinor: 5000, deductionReasonCode: '19' }),
      expect.objectContaining({ cashMinor: 20000 }),
    ]);
  });

  it('does not let two payments take the same open amount once reserved', () => {
    const b = book([doc('c1', 'INV-1', 10000)]);
    const first = matchReceipt(b, receipt(10000, { remittanceText: 'INV-1' }), settings);
    reserve(b, first.best!);
    const second = matchReceipt(b, receipt(10000, { remittanceText: 'INV-1' }), settings);
    expect(second.outcome).not.toBe('auto');
  });
});

describe('amounts in bank free text', () => {
  it('reads a list of references with amounts and a deduction', async () => {
    const { linesFromText } = await import('./text-lines.js');
    const lines = linesFromText(
      'REMI:INV-2025-043564 213.25; INV-2025-043835 1,121.71; INV-2025-044576 PAID 319.54 LESS 26.09 QUANTITY SHORTAGE',
      2,
    );
    expect(lines).toEqual([
      { documentNumber: 'INV-2025-043564', amountPaidMinor: 21325, discountMinor: null, adjustments: [] },
      { documentNumber: 'INV-2025-043835', amountPaidMinor: 112171, discountMinor: null, adjustments: [] },
      {
        documentNumber: 'INV-2025-044576',
        amountPaidMinor: 31954,
        discountMinor: null,
        adjustments: [{ reasonCode: 'SHORTAGE', amountMinor: 2609 }],
      },
    ]);
    expect(linesFromText('PAYMENT INV-1 100.00', 2)).toEqual([]);
  });

  it('gives amounts to the reference they follow, and never to another field', async () => {
    const { linesFromText } = await import('./text-lines.js');
    // A BAI2 entry's text: the account number in DACT: must not take REMI:'s discount.
    expect(
      linesFromText(
        'ACH CREDIT RECEIVED DBNM:BEACON FASTENERS DACT:30970737 DABA:026009593 REMI:INVOICES INV-2026-018980 LESS DISC 4.17',
        2,
      ),
    ).toEqual([
      { documentNumber: 'INV-2026-018980', amountPaidMinor: null, discountMinor: 417, adjustments: [] },
    ]);
    // Several invoices, then what was paid on the last: the others carry no amount (paid in full).
    expect(
      linesFromText('PAYMENT INV-1001 INV-1002 INV-1003 PAID 1502.37 LESS 49.93 FREIGHT DEDUCTED', 2),
    ).toEqual([
      {
        documentNumber: 'INV-1003',
        amountPaidMinor: 150237,
        discountMinor: null,
        adjustments: [{ reasonCode: 'FREIGHT', amountMinor: 4993 }],
      },
    ]);
    // A date is not a document.
    expect(linesFromText('PMT INV-77 DATED 01/15 PAID 100.00 LESS 3.00 DISC', 2)).toEqual([
      { documentNumber: 'INV-77', amountPaidMinor: 10000, discountMinor: 300, adjustments: [] },
    ]);
  });
});

describe('advice lines whose number fits several documents or none', () => {
  const line = (documentNumber: string, paid: number) => ({
    documentNumber,
    amountPaidMinor: paid,
    discountMinor: null,
    adjustments: [],
  });
  const advice = (lines: ReturnType<typeof line>[]) => ({
    adviceId: 'a1',
    amountMinor: null,
    payer: null,
    lines,
    text: null,
  });

  it('takes the one document the line amount fits among those a truncated number fits', () => {
    const b = book([
      doc('c1', 'INV-2026-001359', 84907),
      doc('c1', 'INV-2026-002072', 79250),
      doc('c1', 'INV-2026-002073', 12000),
      doc('c1', 'INV-2026-002075', 5000),
    ]);
    const d = matchReceipt(
      b,
      receipt(84907 + 79250, {
        payerAccountKey: 'DE89370400440532013000',
        advices: [advice([line('INV-2026-001359', 84907), line('INV-2026-002', 79250)])],
      }),
      settings,
    );
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines.map((l) => [b.documentNumber[l.document!], l.cashMinor])).toEqual([
      ['INV-2026-001359', 84907],
      ['INV-2026-002072', 79250],
    ]);
  });

  it('does not take a line named twice (advice and bank text) for one that fits nothing', () => {
    const b = book([
      doc('c1', 'INV-2026-001359', 84907),
      doc('c1', 'INV-2026-001984', 12683),
      doc('c1', 'INV-2025-092426', 12683),
    ]);
    const lines = [line('INV-2026-001359', 84907), line('INV-2026-001984', 12683)];
    const d = matchReceipt(
      b,
      receipt(84907 + 12683, {
        payerAccountKey: 'DE89370400440532013000',
        advices: [advice(lines), { ...advice(lines), adviceId: 'a2' }],
      }),
      settings,
    );
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines.map((l) => b.documentNumber[l.document!])).toEqual([
      'INV-2026-001359',
      'INV-2026-001984',
    ]);
  });

  it('does not put the cash of a line it cannot place on account automatically', () => {
    const b = book([
      doc('c1', 'INV-2026-001359', 84907),
      doc('c1', 'INV-2026-002072', 79250),
      doc('c1', 'INV-2026-002073', 79250),
    ]);
    const d = matchReceipt(
      b,
      receipt(84907 + 79250, {
        payerAccountKey: 'DE89370400440532013000',
        advices: [advice([line('INV-2026-001359', 84907), line('INV-2026-0020', 79250)])],
      }),
      settings,
    );
    expect(d.outcome).not.toBe('auto');
    expect(d.best!.reasons.some((r) => r.includes('fit no open document'))).toBe(true);
  });
});

describe('a purchase order quoted for several invoices', () => {
  const po = (n: string, open: number) => doc('c1', n, open, { poNumber: 'PO-4711' });
  it('pays every open invoice of the order when the amount is their total', () => {
    const b = book([
      po('INV-9001', 10228),
      po('INV-9002', 28026),
      po('INV-9003', 12871),
      doc('c1', 'INV-9004', 5000),
    ]);
    const d = matchReceipt(
      b,
      receipt(10228 + 28026 + 12871, {
        payerAccountKey: 'DE89370400440532013000',
        remittanceText: 'PO-4711',
      }),
      settings,
    );
    expect(d.outcome).toBe('auto');
    expect(d.best!.lines.map((l) => b.documentNumber[l.document!]).sort()).toEqual([
      'INV-9001',
      'INV-9002',
      'INV-9003',
    ]);
  });

  it('pays the only subset of the order that adds up to the amount', () => {
    const b = book([po('INV-9101', 10228), po('INV-9102', 28026), po('INV-9103', 12871)]);
    const d = matchReceipt(
      b,
      receipt(10228 + 12871, { payerAccountKey: 'DE89370400440532013000', remittanceText: 'PO-4711' }),
      settings,
    );
    expect(d.best!.lines.map((l) => b.documentNumber[l.document!]).sort()).toEqual(['INV-9101', 'INV-9103']);
    expect(d.best!.reasons.some((r) => r.includes('only 2 of them add up'))).toBe(true);
  });
});
