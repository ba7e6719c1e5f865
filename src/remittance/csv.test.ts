import { describe, expect, it } from 'vitest';
import { ParseError } from '../formats/errors.js';
import { mapCsvColumns, readRemittanceCsv, readRemittanceCsvText } from './csv.js';

const read = (text: string, file = 'remit.csv') => readRemittanceCsvText(text, file);

function failure(text: string): ParseError {
  try {
    read(text);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('mapCsvColumns', () => {
  it.each([
    [
      [
        'payer',
        'payment_reference',
        'payment_date',
        'currency',
        'invoice_number',
        'amount_paid',
        'discount',
        'deduction',
        'deduction_reason',
      ],
      [
        'payer',
        'payment_reference',
        'payment_date',
        'currency',
        'invoice_number',
        'amount_paid',
        'discount',
        'deduction',
        'deduction_reason',
      ],
    ],
    [
      [
        'Customer Name',
        'Check #',
        'Pay Date',
        'Ccy',
        'Invoice #',
        'Amt Paid',
        'Disc Taken',
        'Deduction Amt',
        'Reason Code',
      ],
      [
        'payer',
        'payment_reference',
        'payment_date',
        'currency',
        'invoice_number',
        'amount_paid',
        'discount',
        'deduction',
        'deduction_reason',
      ],
    ],
    [
      ['Document No.', 'Invoice Date', 'Invoice Amount', 'Net Amount', 'PO Number', 'Memo'],
      ['invoice_number', 'invoice_date', 'amount_invoiced', 'amount_paid', 'po_number', 'memo'],
    ],
    [
      ['Reference', 'Amount'],
      ['invoice_number', 'amount_paid'],
    ],
    [
      ['Inv No', 'Reference', 'Payment Amount'],
      ['invoice_number', 'payment_reference', 'payment_amount'],
    ],
    [
      ['Rechnungsnummer', 'Betrag', 'Bemerkung'],
      ['invoice_number', 'amount_paid', null],
    ],
  ])('%j', (headers, fields) => expect(mapCsvColumns(headers)).toEqual(fields));
});

describe('readRemittanceCsv', () => {
  it('groups rows into one advice per payment and reads every column', () => {
    const { advices, warnings } = read(
      [
        'payer,payment_reference,payment_date,currency,invoice_number,amount_paid,discount,deduction,deduction_reason',
        'Acme Corp,100234,2024-03-15,USD,INV-1043,1176.00,24.00,,',
        'Acme Corp,100234,2024-03-15,USD,INV-1044,300.00,,150.00,damaged goods',
        'Acme Corp,100235,2024-03-18,USD,INV-1050,"1,000.00",,,',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(advices).toHaveLength(2);
    expect(advices[0]).toMatchObject({
      payer: 'Acme Corp',
      payment_reference: '100234',
      payment_date: '2024-03-15',
      currency: 'USD',
      amount: '1476.00',
      amount_source: 'sum-of-lines',
      lines: [
        { document_number: 'INV-1043', amount_paid: '1176.00', discount: '24.00', adjustments: [] },
        {
          document_number: 'INV-1044',
          amount_paid: '300.00',
          adjustments: [{ reason_code: 'DAMAGED', amount: '-150.00', reason_text: 'damaged goods' }],
        },
      ],
    });
    expect(advices[1]).toMatchObject({
      payment_reference: '100235',
      amount: '1000.00',
      lines: [{ document_number: 'INV-1050' }],
    });
  });

  it('reads loose headers, semicolons, decimal commas and day-first dates', () => {
    const { advices } = read(
      [
        'Kunde;Check No;Pay Date;Currency;Invoice #;Amt Paid;Deduction Reason;Deduction',
        'Müller GmbH;EFT-9;15.03.2024;EUR;RE-1;1.200,50;;',
        'Müller GmbH;EFT-9;15.03.2024;EUR;RE-2;99,50;Promo;10,00',
      ].join('\n'),
    );
    expect(advices).toHaveLength(1);
    expect(advices[0]).toMatchObject({
      payment_reference: 'EFT-9',
      payment_references: [{ kind: 'check', value: 'EFT-9' }],
      payment_date: '2024-03-15',
      currency: 'EUR',
      amount: '1300.00',
      lines: [
        { document_number: 'RE-1', amount_paid: '1200.50' },
        {
          document_number: 'RE-2',
          amount_paid: '99.50',
          adjustments: [{ reason_code: 'PROMOTION', amount: '-10.00' }],
        },
      ],
    });
  });

  it('takes a payment amount repeated on every row as the payment total, and checks the lines against it', () => {
    const { advices } = read(
      ['Check Number,Check Amount,Invoice,Paid', '5501,500.00,A-1,300.00', '5501,500.00,A-2,150.00'].join(
        '\n',
      ),
    );
    expect(advices[0]).toMatchObject({ amount: '500.00', amount_source: 'stated' });
    expect(advices[0]!.warnings).toEqual(['the lines add up to 450.00, the payment amount is 500.00']);
  });

  it('reads a "payment amount" that differs row by row (and no paid column) as what each row paid', () => {
    const { advices } = read(
      ['Payment Reference,Invoice,Payment Amount', 'P-1,A-1,300.00', 'P-1,A-2,150.00'].join('\n'),
    );
    expect(advices[0]).toMatchObject({
      amount: '450.00',
      amount_source: 'sum-of-lines',
      lines: [{ amount_paid: '300.00' }, { amount_paid: '150.00' }],
    });
  });

  it('skips total rows and negates positive credit memo amounts', () => {
    const { advices } = read(
      ['invoice_number,document_type,amount_paid', 'INV-1,INV,100.00', 'CM-7,CM,25.00', 'Total,,75.00'].join(
        '\n',
      ),
    );
    expect(advices[0]!.lines.map((l) => [l.document_number, l.amount_paid, l.document_type])).toEqual([
      ['INV-1', '100.00', 'invoice'],
      ['CM-7', '-25.00', 'credit-memo'],
    ]);
    expect(advices[0]!.amount).toBe('75.00');
  });

  it('reads Windows-1252 bytes and a BOM', () => {
    const bytes = Buffer.concat([
      Buffer.from('invoice_number,amount_paid,payer\r\n', 'latin1'),
      Buffer.from('F-1,10.00,Soci\xe9t\xe9 G\xe9n\xe9rale SA\r\n', 'latin1'),
    ]);
    expect(readRemittanceCsv(bytes, 'w.csv').advices[0]!.payer).toBe('Société Générale SA');
    const bom = Buffer.from('\ufeffinvoice_number,amount_paid\nF-2,5.00\n', 'utf8');
    expect(readRemittanceCsv(bom, 'b.csv').advices[0]!.lines[0]!.document_number).toBe('F-2');
  });

  it('names file, line, column and what was expected for a bad amount, and counts the other problems', () => {
    const error = failure(
      ['invoice_number,amount_paid', 'INV-1,12.00', 'INV-2,twelve', 'INV-3,1.2.3'].join('\n'),
    );
    expect(error.message).toBe(
      'remit.csv:line 3: bad value; nothing was imported (and 1 more problem); field amount_paid; expected an amount such as 1234.56, 1,234.56 or (150.00); found "twelve"',
    );
    expect(error.location).toMatchObject({ file: 'remit.csv', line: 3, field: 'amount_paid' });
  });

  it('refuses a bad date, a bad currency and an empty invoice number', () => {
    expect(failure('invoice_number,amount_paid,payment_date\nINV-1,1.00,2024-13-45').message).toContain(
      'line 2: bad value; nothing was imported; field payment_date; expected a date such as 2024-03-15',
    );
    expect(failure('invoice_number,amount_paid,currency\nINV-1,1.00,Dollars').message).toContain(
      'field currency; expected a three-letter ISO 4217 currency code',
    );
    expect(failure('invoice_number,amount_paid\n,1.00').message).toContain(
      'field invoice_number; expected a document number',
    );
  });

  it('refuses a file without the columns it needs, naming them', () => {
    const error = failure('name,comment\nAcme,hello');
    expect(error.message).toContain('remit.csv:line 1: the header row does not name the remittance columns');
    expect(error.message).toContain('expected columns for invoice_number');
  });

  it('refuses a payment amount that changes within one payment when a paid column exists', () => {
    const error = failure(
      ['Check Number,Check Amount,Invoice,Paid', '1,500.00,A-1,300.00', '1,450.00,A-2,150.00'].join('\n'),
    );
    expect(error.message).toContain('line 3');
    expect(error.message).toContain(
      'field Check Amount; expected the same payment amount on every row of payment 1',
    );
  });

  it('refuses an empty file and unclosed quotes', () => {
    expect(failure('').message).toContain('remit.csv: the file is empty');
    expect(failure('invoice_number,amount_paid\n"INV-1,1.00\n').message).toContain('remit.csv');
  });
});
