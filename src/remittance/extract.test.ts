import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ExtractedAdvice, type ExtractOptions, extractRemittance } from './extract.js';

/** A compact view of an advice: what cash application matches on. */
function view(a: ExtractedAdvice) {
  return {
    payer: a.payer,
    payment_reference: a.payment_reference,
    amount: a.amount,
    currency: a.currency,
    payment_date: a.payment_date,
    lines: a.lines.map((l) => {
      const row: unknown[] = [l.document_number, l.amount_paid];
      if (
        l.amount_invoiced !== null ||
        l.discount !== null ||
        l.adjustments.length > 0 ||
        l.document_type !== 'invoice'
      )
        row.push(
          l.amount_invoiced,
          l.discount,
          l.adjustments.map((x) => [x.reason_code, x.amount]),
          l.document_type,
        );
      return row;
    }),
    unparsed: a.unparsed_references,
  };
}

interface Case {
  name: string;
  text: string;
  options?: ExtractOptions;
  expected: Partial<ReturnType<typeof view>>;
  /** Extra checks on the full advice. */
  also?: (a: ExtractedAdvice) => void;
}

const CASES: Case[] = [
  {
    name: 'prose: payment with check and ACH trace, short pay with reason, credit memo',
    text: `Hello AR team,

Please apply our payment of $12,345.67 (check 100234 / ACH trace 021000021234567) to invoices INV-1043, INV-1044 and INV-1050.
We short paid INV-1050 by 150.00 for damaged goods, less credit memo CM-0007.

Regards,
Jane Doe
Acme Corp.`,
    expected: {
      payer: 'Acme Corp.',
      payment_reference: '100234',
      amount: '12345.67',
      currency: 'USD',
      lines: [
        ['INV-1043', null],
        ['INV-1044', null],
        ['INV-1050', null, null, null, [['DAMAGED', '-150.00']], 'invoice'],
        ['CM-0007', null, null, null, [], 'credit-memo'],
      ],
      unparsed: [],
    },
    also: (a) => {
      expect(a.payment_references).toEqual([
        { kind: 'check', value: '100234' },
        { kind: 'ach-trace', value: '021000021234567' },
      ]);
      expect(a.payment_method).toBe('check');
      expect(a.deductions).toContain('short paid INV-1050 by 150.00 for damaged goods');
      expect(a.lines[2]!.adjustments[0]!.reason_text).toBe('damaged goods');
    },
  },
  {
    name: 'whitespace-aligned table with labels above and a total row',
    text: `Remittance Advice
Payment Date:    03/15/2024
Payment Amount:  $1,476.00
Check No:        100234

Invoice #      Invoice Date    Invoice Amount    Discount    Deduction    Amount Paid
INV-1043       03/01/2024            1,200.00       24.00                    1,176.00
INV-1044       03/02/2024              450.00                  150.00          300.00
                                                                          ----------
Total                                                                        1,476.00
`,
    expected: {
      payment_reference: '100234',
      amount: '1476.00',
      currency: 'USD',
      payment_date: '2024-03-15',
      lines: [
        ['INV-1043', '1176.00', '1200.00', '24.00', [], 'invoice'],
        ['INV-1044', '300.00', '450.00', null, [[null, '-150.00']], 'invoice'],
      ],
      unparsed: [],
    },
    also: (a) => {
      expect(a.lines.map((l) => l.invoice_date)).toEqual(['2024-03-01', '2024-03-02']);
      expect(a.amount_source).toBe('stated');
      expect(a.warnings).toEqual([]);
    },
  },
  {
    name: 'pipe table (as an HTML table becomes), total from the table',
    text: `| Invoice # | Invoice Date | Amount | Discount | Paid |
| INV-1043 | 03/01/2024 | 1,200.00 | 24.00 | 1,176.00 |
| INV-1044 | 03/02/2024 | 300.00 |  | 300.00 |
| Total |  |  |  | 1,476.00 |`,
    expected: {
      amount: '1476.00',
      lines: [
        ['INV-1043', '1176.00', '1200.00', '24.00', [], 'invoice'],
        ['INV-1044', '300.00', '300.00', null, [], 'invoice'],
      ],
    },
    also: (a) => expect(a.amount_source).toBe('table-total'),
  },
  {
    name: 'German advice: decimal comma, EUR, Rechnung/Betrag columns, signature with GmbH',
    text: `Sehr geehrte Damen und Herren,

anbei unsere Zahlung über 1.234,56 EUR.

Rechnung        Betrag
RE-2024-001   1.000,00
RE-2024-002     234,56

Mit freundlichen Grüßen
Müller Maschinenbau GmbH`,
    expected: {
      payer: 'Müller Maschinenbau GmbH',
      amount: '1234.56',
      currency: 'EUR',
      lines: [
        ['RE-2024-001', '1000.00'],
        ['RE-2024-002', '234.56'],
      ],
    },
  },
  {
    name: 'euro amounts in English prose with invoice amounts in parentheses',
    text: `We transferred EUR 1.450,00 today (SEPA, end-to-end id E2E-77881234) for invoices FA-2024-118 (EUR 1.200,00) and FA-2024-119 (EUR 250,00).`,
    expected: {
      payment_reference: 'E2E-77881234',
      amount: '1450.00',
      currency: 'EUR',
      lines: [
        ['FA-2024-118', '1200.00'],
        ['FA-2024-119', '250.00'],
      ],
    },
    also: (a) => expect(a.payment_method).toBe('sepa'),
  },
  {
    name: 'credit memo in a table as a negative amount in parentheses',
    text: `Document No.    Type    Amount
90012345        INV     2,500.00
90012346        INV       740.10
CM-0007         CM       (250.00)
Net payment: 2,990.10`,
    expected: {
      amount: '2990.10',
      lines: [
        ['90012345', '2500.00'],
        ['90012346', '740.10'],
        ['CM-0007', '-250.00', null, null, [], 'credit-memo'],
      ],
    },
    also: (a) => expect(a.warnings).toEqual([]),
  },
  {
    name: 'trailing minus and CR on credit lines, sum of lines as the amount',
    text: `Invoice        Amount Paid
A-55101          1,000.00
A-55102            500.00
CR-881             150.00-
CN-882              50.00 CR`,
    expected: {
      amount: '1300.00',
      lines: [
        ['A-55101', '1000.00'],
        ['A-55102', '500.00'],
        ['CR-881', '-150.00', null, null, [], 'credit-memo'],
        ['CN-882', '-50.00', null, null, [], 'credit-memo'],
      ],
    },
    also: (a) => expect(a.amount_source).toBe('sum-of-lines'),
  },
  {
    name: 'tab-separated rows pasted from a spreadsheet',
    text: 'Hi, payment details below.\n\nInvoice Number\tInvoice Amount\tDiscount\tNet Paid\nSO-10022\t980.00\t19.60\t960.40\nSO-10031\t1,020.00\t\t1,020.00\n\nThanks',
    expected: {
      amount: '1980.40',
      lines: [
        ['SO-10022', '960.40', '980.00', '19.60', [], 'invoice'],
        ['SO-10031', '1020.00', '1020.00', null, [], 'invoice'],
      ],
    },
  },
  {
    name: 'rows without a header under a line that says they are invoices',
    text: `Payment sent via ACH today in the amount of $1,425.00. The following invoices are included:

  7781-A    02/14/2024    $925.00
  7790-B    02/20/2024    $500.00

Thank you`,
    expected: {
      amount: '1425.00',
      lines: [
        ['7781-A', '925.00'],
        ['7790-B', '500.00'],
      ],
    },
    also: (a) => expect(a.payment_method).toBe('ach'),
  },
  {
    name: 'one invoice and a stated amount: the whole payment is for it',
    text: 'Attached please find our check #55671 in the amount of $500.00 for invoice 100234.',
    expected: {
      payment_reference: '55671',
      amount: '500.00',
      lines: [['100234', '500.00']],
    },
    also: (a) => expect(a.lines[0]!.amount_paid_inferred).toBe(true),
  },
  {
    name: 'payment reference from the subject, invoices in the body',
    text: 'Please see the invoices paid with this remittance: invoices 4471, 4472.',
    options: { subject: 'Remittance Advice - Payment PMT-2024-00045' },
    expected: {
      payment_reference: 'PMT-2024-00045',
      lines: [
        ['4471', null],
        ['4472', null],
      ],
    },
  },
  {
    name: 'deduction reasons read from a reason column',
    text: `Invoice #   | Invoice Amt | Deduction | Reason            | Paid
INV-2001    | 1,000.00    | 100.00    | Promo allowance   | 900.00
INV-2002    | 500.00      | 25.00     | Freight           | 475.00
INV-2003    | 800.00      | 80.00     | Co-op advertising | 720.00
INV-2004    | 300.00      | 30.00     | Price difference  | 270.00
INV-2005    | 200.00      | 20.00     | Shortage          | 180.00
INV-2006    | 100.00      | 8.25      | Sales tax         | 91.75
INV-2007    | 400.00      | 40.00     | Returned goods    | 360.00`,
    expected: {
      amount: '2996.75',
      lines: [
        ['INV-2001', '900.00', '1000.00', null, [['PROMOTION', '-100.00']], 'invoice'],
        ['INV-2002', '475.00', '500.00', null, [['FREIGHT', '-25.00']], 'invoice'],
        ['INV-2003', '720.00', '800.00', null, [['COOP', '-80.00']], 'invoice'],
        ['INV-2004', '270.00', '300.00', null, [['PRICING', '-30.00']], 'invoice'],
        ['INV-2005', '180.00', '200.00', null, [['SHORTAGE', '-20.00']], 'invoice'],
        ['INV-2006', '91.75', '100.00', null, [['TAX', '-8.25']], 'invoice'],
        ['INV-2007', '360.00', '400.00', null, [['RETURNS', '-40.00']], 'invoice'],
      ],
    },
    also: (a) => expect(a.warnings).toEqual([]),
  },
  {
    name: 'a deduction from the whole payment (no document named)',
    text: `Payment amount: $2,425.00
Invoices: INV-3001, INV-3002
We deducted $75.00 for freight charges on this shipment.`,
    expected: {
      amount: '2425.00',
      lines: [
        ['INV-3001', null],
        ['INV-3002', null],
      ],
    },
    also: (a) =>
      expect(a.adjustments).toEqual([
        { reason_code: 'FREIGHT', amount: '-75.00', reason_text: 'freight charges' },
      ]),
  },
  {
    name: 'numbers without invoice context are reported, not made into lines',
    text: 'Payment of $3,100.00 sent by wire. Please reference PO 4500012345 and our order SO-88812 when applying.',
    expected: { amount: '3100.00', lines: [], unparsed: ['SO-88812'] },
    also: (a) => {
      expect(a.po_numbers).toEqual(['4500012345']);
      expect(a.payment_method).toBe('wire');
    },
  },
  {
    name: 'a range of invoices is not expanded',
    text: 'Check 20445 for $3,000.00 covers invoices 1043-1045.',
    expected: { payment_reference: '20445', amount: '3000.00', lines: [], unparsed: ['1043-1045'] },
    also: (a) => expect(a.warnings.join(' ')).toContain('range'),
  },
  {
    name: 'total, subtotal and grand total rows are not invoices',
    text: `Invoice         Amount
INV-7001        100.00
INV-7002        200.00
Sub-total       300.00
Freight deduction  (20.00)
TOTAL           280.00`,
    expected: {
      amount: '280.00',
      lines: [
        ['INV-7001', '100.00'],
        ['INV-7002', '200.00'],
      ],
      unparsed: [],
    },
    also: (a) => {
      expect(a.adjustments).toEqual([
        { reason_code: 'FREIGHT', amount: '-20.00', reason_text: 'Freight deduction' },
      ]);
      expect(a.warnings).toEqual([]);
    },
  },
  {
    name: 'two different payment amounts: none is taken',
    text: 'Our payment of $1,200.00 was sent. Correction: our payment of $1,250.00 covers invoice INV-9001.',
    expected: { amount: null, lines: [['INV-9001', null]] },
    also: (a) => expect(a.warnings.join(' ')).toContain('different payment amounts'),
  },
  {
    name: 'currency code after the amount, payment date in prose',
    text: 'Payment of 8,450.00 USD was released on March 15, 2024 for invoice numbers 2024-0153 and 2024-0154.',
    expected: {
      amount: '8450.00',
      currency: 'USD',
      payment_date: '2024-03-15',
      lines: [
        ['2024-0153', null],
        ['2024-0154', null],
      ],
    },
  },
  {
    name: 'a plain dollar sign means the company currency when it is a dollar',
    text: 'We have sent $640.00 for Inv# 55123.',
    options: { dollarCurrency: 'CAD' },
    expected: { amount: '640.00', currency: 'CAD', lines: [['55123', '640.00']] },
  },
  {
    name: 'yen without decimals',
    text: 'Payment of ¥1,250,000 for invoices JP-0091 (¥750,000) and JP-0092 (¥500,000).',
    expected: {
      amount: '1250000',
      currency: 'JPY',
      lines: [
        ['JP-0091', '750000'],
        ['JP-0092', '500000'],
      ],
    },
  },
  {
    name: 'Swiss apostrophe thousands and a currency named in the header',
    text: `Rechnung Nr.    Betrag (CHF)
R-5512          1'234.50
R-5513            765.50
Total           2'000.00`,
    expected: {
      amount: '2000.00',
      currency: 'CHF',
      lines: [
        ['R-5512', '1234.50'],
        ['R-5513', '765.50'],
      ],
    },
  },
  {
    name: 'a reply: the quoted earlier advice is not read again',
    text: `Correction: please apply the payment of $300.00 to invoice INV-5002 instead.

On Mon, Mar 11, 2024 at 9:00 AM Jane Doe <ap@acme.com> wrote:
> Please apply our payment of $300.00 to invoice INV-5001.
> Regards, Acme`,
    expected: { amount: '300.00', lines: [['INV-5002', '300.00']], unparsed: [] },
  },
  {
    name: 'a forwarded advice with nothing above the quote is read unquoted',
    text: `On Mon, Mar 11, 2024 at 9:00 AM Jane Doe <ap@acme.com> wrote:
> Please apply our payment of $300.00 to invoice INV-5001.`,
    expected: { amount: '300.00', lines: [['INV-5001', '300.00']] },
  },
  {
    name: 'customer and vendor numbers from labels are not unparsed references',
    text: `Customer No: C-10045
Vendor ID: V-99812
Payment Ref: EFT-20240315-01
Payment Amount: 1,000.00
Invoice No: INV-8001`,
    expected: {
      payment_reference: 'EFT-20240315-01',
      amount: '1000.00',
      lines: [['INV-8001', '1000.00']],
      unparsed: [],
    },
    also: (a) => {
      expect(a.customer_number).toBe('C-10045');
      expect(a.vendor_number).toBe('V-99812');
    },
  },
  {
    name: 'a two-line header as PDF text layers and plain-text reports wrap it',
    text: `ACME DISTRIBUTION INC.
REMITTANCE ADVICE                     Check Number: 0007781
                                      Check Date:   04/02/2024
Invoice        Invoice       Gross        Discount        Net
Number         Date          Amount       Taken           Amount
100771         03/05/2024    2,000.00     40.00           1,960.00
100772         03/09/2024      515.25                       515.25
                             Check Total:                2,475.25`,
    expected: {
      payer: 'ACME DISTRIBUTION INC.',
      payment_reference: '0007781',
      amount: '2475.25',
      payment_date: '2024-04-02',
      lines: [
        ['100771', '1960.00', '2000.00', '40.00', [], 'invoice'],
        ['100772', '515.25', '515.25', null, [], 'invoice'],
      ],
    },
  },
  {
    name: 'day-first dates when the advice is in euros',
    text: `Payment date: 03/04/2024
Amount paid: €980.00
Invoice: F-2024-331`,
    expected: {
      payment_date: '2024-04-03',
      amount: '980.00',
      currency: 'EUR',
      lines: [['F-2024-331', '980.00']],
    },
    also: (a) => expect(a.warnings.join(' ')).toContain('day/month order'),
  },
  {
    name: 'markdown table with a rule line',
    text: `| Inv No | Amount |
|--------|-------:|
| 31-0044 | 1,050.00 |
| 31-0045 | 2,100.00 |`,
    expected: {
      amount: '3150.00',
      lines: [
        ['31-0044', '1050.00'],
        ['31-0045', '2100.00'],
      ],
    },
  },
  {
    name: 'inv# keyword with amounts after each number',
    text: 'Paying Inv# 55123 $300.00; Inv# 55124 $125.50 - total $425.50 by ACH.',
    expected: {
      amount: '425.50',
      lines: [
        ['55123', '300.00'],
        ['55124', '125.50'],
      ],
    },
  },
  {
    name: 'signature company with Ltd after "Kind regards"; our own name is not the payer',
    text: `Dear Globex Corporation,

Payment of £2,400.00 has been made by BACS for invoice GX-4410.

Kind regards,
Tom Smith
Accounts Payable
Northwind Traders Ltd`,
    options: { ownNames: ['Globex Corporation'] },
    expected: {
      payer: 'Northwind Traders Ltd',
      amount: '2400.00',
      currency: 'GBP',
      lines: [['GX-4410', '2400.00']],
    },
  },
  {
    name: 'a line that does not add up is reported, not corrected',
    text: `Invoice    Invoice Amount   Discount   Paid
INV-6001   1,000.00         20.00      990.00`,
    expected: { lines: [['INV-6001', '990.00', '1000.00', '20.00', [], 'invoice']] },
    also: (a) =>
      expect(a.warnings.join(' ')).toContain(
        'INV-6001: invoiced 1000.00 less discount and deductions is 980.00, paid 990.00',
      ),
  },
  {
    name: 'a lone Reference column is the document column; text in it is not a document',
    text: `Reference       Amount
88-1201         410.00
See attached    90.00`,
    expected: { lines: [['88-1201', '410.00']], unparsed: ['See attached'] },
  },
  {
    name: 'short pay sentences for two invoices pair each amount with its invoice',
    text: 'Invoices 5501, 5502 and 5503 are paid. We short paid 5501 by $12.00 and 5503 by $30.00 due to pricing errors.',
    expected: {
      lines: [
        ['5501', null, null, null, [['PRICING', '-12.00']], 'invoice'],
        ['5502', null],
        ['5503', null, null, null, [['PRICING', '-30.00']], 'invoice'],
      ],
    },
  },
  {
    name: 'a deduction that cannot be tied to an invoice is reported',
    text: 'Payment of $900.00 for invoices INV-1, INV-2. Deductions of $40.00 and $60.00 were taken.',
    expected: { amount: '900.00' },
    also: (a) => {
      expect(a.adjustments).toEqual([]);
      expect(a.warnings.join(' ')).toContain('deduction not understood');
    },
  },
  {
    name: '"Invoices paid:" with numbers, and a payment less a deduction in one sentence',
    text: 'Invoices paid: #1043 ($1,200.00), #1044 ($300.00). Payment of $1,450.00 less $50.00 freight deduction.',
    expected: {
      amount: '1450.00',
      lines: [
        ['1043', '1200.00'],
        ['1044', '300.00'],
      ],
    },
    also: (a) => {
      expect(a.adjustments).toMatchObject([{ reason_code: 'FREIGHT', amount: '-50.00' }]);
      expect(a.warnings).toEqual([]);
    },
  },
  {
    name: "label pairs per invoice line: the amounts are the lines', not the payment's",
    text: `Invoice Number: INV-1043    Amount Paid: $1,200.00
Invoice Number: INV-1044    Amount Paid: $300.00
Check Number: 5521`,
    expected: {
      payment_reference: '5521',
      amount: '1500.00',
      lines: [
        ['INV-1043', '1200.00'],
        ['INV-1044', '300.00'],
      ],
    },
    also: (a) => {
      expect(a.amount_source).toBe('sum-of-lines');
      expect(a.warnings).toEqual([]);
    },
  },
  {
    name: 'signature address and phone numbers are not references',
    text: `Payment of $250.00 for invoice 7781 was mailed today.

Thanks,
Maria Lopez
Contoso LLC
1200 Harbor Blvd, Suite 400, Springfield, IL 62704
Tel: +1 (555) 010-2000`,
    expected: { payer: 'Contoso LLC', amount: '250.00', lines: [['7781', '250.00']], unparsed: [] },
  },
  {
    name: 'SAP-style payment advice: "Your Reference" is our invoice number, "Document" is theirs',
    text: `Payment Advice
Payment Number: 2000012345
Payment Date: 15.03.2024
Currency: EUR

| Document | Your Reference | Doc. Date | Gross Amount | Discount | Net Amount |
| 5100001234 | 2024-INV-0099 | 01.03.2024 | 1.000,00 | 20,00 | 980,00 |
| 5100001240 | 2024-INV-0102 | 04.03.2024 | 2.500,00 | 50,00 | 2.450,00 |`,
    expected: {
      payment_reference: '2000012345',
      payment_date: '2024-03-15',
      currency: 'EUR',
      amount: '3430.00',
      lines: [
        ['2024-INV-0099', '980.00', '1000.00', '20.00', [], 'invoice'],
        ['2024-INV-0102', '2450.00', '2500.00', '50.00', [], 'invoice'],
      ],
      unparsed: [],
    },
    also: (a) => expect(a.lines[0]!.reference).toBe('5100001234'),
  },
  {
    name: 'Oracle-style payment advice with labels side by side and dd-MON-yyyy dates',
    text: `PAYMENT ADVICE                                                  Page 1
Supplier: GLOBEX CORPORATION              Payment Document: 778899
Supplier Site: HQ                         Payment Date: 15-MAR-2024
                                          Payment Amount: 5,250.00 USD
Invoice Number    Invoice Date    Invoice Amount    Amount Paid    Discount Taken
GX-20001          01-FEB-2024           3,000.00       3,000.00             0.00
GX-20007          10-FEB-2024           2,300.00       2,250.00            50.00`,
    options: { ownNames: ['Globex Corporation'] },
    expected: {
      payer: null,
      payment_reference: '778899',
      payment_date: '2024-03-15',
      amount: '5250.00',
      currency: 'USD',
      lines: [
        ['GX-20001', '3000.00', '3000.00', '0.00', [], 'invoice'],
        ['GX-20007', '2250.00', '2300.00', '50.00', [], 'invoice'],
      ],
      unparsed: [],
    },
    also: (a) => expect(a.warnings).toEqual([]),
  },
  {
    name: 'PO numbers with a prefix are purchase orders, not unparsed references',
    text: 'Payment of $75.00 for invoice 88120 (our PO-7781).',
    expected: { amount: '75.00', lines: [['88120', '75.00']], unparsed: [] },
    also: (a) => expect(a.po_numbers).toEqual(['PO-7781']),
  },
  {
    name: 'nothing about a payment: empty advice',
    text: 'Hi, can you send me a copy of your W-9? Thanks, Bob',
    expected: { amount: null, payment_reference: null, lines: [] },
  },
];

describe('extractRemittance', () => {
  it('has at least 25 samples', () => expect(CASES.length).toBeGreaterThanOrEqual(25));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const advice = extractRemittance(c.text, c.options);
    expect(view(advice)).toMatchObject(c.expected);
    c.also?.(advice);
  });

  it('never takes a document number from a total line, a date or an amount', () => {
    const advice = extractRemittance(`Invoice   Date         Amount
Total     03/31/2024   1,000.00`);
    expect(advice.lines).toEqual([]);
  });

  it('never invents a line: every document number it returns is written in the text, every amount is exact', () => {
    const fragment = fc.constantFrom(
      'Please apply our payment of $1,200.00 to invoices ',
      'INV-1043',
      ', ',
      ' and ',
      '1043',
      'short paid ',
      ' by 150.00 for damaged goods. ',
      'less credit memo CM-0007 ',
      '\n',
      '  ',
      ' | ',
      'Invoice #    Amount Paid\n',
      'Total   ',
      '(250.00)',
      '1.234,56 €',
      'check 100234 ',
      '03/15/2024',
      'PO 4500012345 ',
      'SO-88812',
      '1043-1045',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fragment, fc.string({ maxLength: 8 })), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const advice = extractRemittance(text);
        const squeezed = text.toUpperCase().replace(/\s+/g, '');
        for (const line of advice.lines) {
          expect(squeezed).toContain(line.document_number!.toUpperCase().replace(/\s+/g, ''));
          for (const v of [line.amount_paid, line.amount_invoiced, line.discount])
            if (v !== null) expect(v).toMatch(/^-?\d+(\.\d+)?$/);
        }
        if (advice.amount !== null) expect(advice.amount).toMatch(/^-?\d+(\.\d+)?$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('layouts met in the cash-application benchmark', () => {
  it('does not take a "Payee:" label line for the first line of the table header below it', () => {
    const advice = extractRemittance(
      [
        'Payment Amount:       $132.289,74',
        'Payee:                Openar Bench Industrial Supply Inc.',
        'Invoice Number        Invoice Date    Gross Amount       Discount    Deduction          Net Paid  Remarks',
        'INV-2026-001465       06.01.2026           30.449,49          0,00         0,00        30.449,49',
        'INV-2026-001551       06.01.2026          101.840,25          0,00         0,00       101.840,25',
        'Total                                                                                132.289,74',
      ].join('\n'),
    );
    expect(advice.lines.map((l) => [l.document_number, l.amount_paid, l.discount])).toEqual([
      ['INV-2026-001465', '30449.49', '0.00'],
      ['INV-2026-001551', '101840.25', '0.00'],
    ]);
  });

  it('keeps a note written right of the last column out of the amount, as the reason', () => {
    const advice = extractRemittance(
      [
        'Invoice #         Invoice Date    Invoice Amt   Discount  Deduction   Amount Paid',
        'INV-2026-003973   01/13/2026           303.23       0.00      47.62        255.61   Deduction: QUANTITY SHORTAGE (code 06)',
        'INV-2026-004155   01/13/2026           912.31       0.00       0.00        912.31',
      ].join('\n'),
    );
    expect(advice.lines[0]).toMatchObject({
      document_number: 'INV-2026-003973',
      amount_paid: '255.61',
      adjustments: [{ reason_code: 'SHORTAGE', amount: '-47.62' }],
    });
  });

  it('reads "DOC: $paid (invoice $gross, less $taken reason)" list rows', () => {
    const advice = extractRemittance(
      [
        'This payment is for the following invoices:',
        '',
        '- INV-2025-083817: $923.16 (invoice $1,257.57, less $334.41 pricing error)',
        '- INV-2025-071096: $2,117.62',
        '- INV-2026-020021: $1,804.86 (invoice $2,223.01, less $418.15 freight deducted)',
      ].join('\n'),
    );
    expect(
      advice.lines.map((l) => [
        l.document_number,
        l.amount_paid,
        l.amount_invoiced,
        l.adjustments.map((a) => [a.reason_code, a.amount]),
      ]),
    ).toEqual([
      ['INV-2025-083817', '923.16', '1257.57', [['PRICING', '-334.41']]],
      ['INV-2025-071096', '2117.62', null, []],
      ['INV-2026-020021', '1804.86', '2223.01', [['FREIGHT', '-418.15']]],
    ]);
  });
});
