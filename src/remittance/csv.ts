/**
 * A remittance advice a customer sends as a CSV file: one row per document paid, the payment's details
 * (payer, payment reference, date, currency, total) repeated on each row or given once. Header names are
 * matched loosely ("Invoice #", "Inv No", "Document Number" are all the invoice number). Rows with the
 * same payer, payment reference, date and currency are one advice. Every bad cell is found before
 * anything is returned; the first is thrown as a ParseError naming file, line, column and what was
 * expected, with the count of the others.
 */

import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { decimalEvidence } from '../formats/csv/amount.js';
import { ParseError } from '../formats/errors.js';
import { sumDecimals } from '../money/index.js';
import {
  absolute,
  CURRENCY_CODES,
  type DecimalSeparator,
  isZero,
  type Money,
  negate,
  parseMoneyCell,
} from './amounts.js';
import { DocumentDates, orderHint } from './dates.js';
import {
  type AmountSource,
  consistencyWarnings,
  type ExtractedAdjustment,
  type ExtractedAdvice,
  type ExtractedLine,
  type ExtractOptions,
  reasonOf,
} from './extract.js';
import type { ReferenceKind } from './labels.js';
import { paymentMethodOf } from './prose.js';
import { looksLikeCreditMemo } from './tokens.js';

export type CsvField =
  | 'payer'
  | 'payer_email'
  | 'customer_number'
  | 'payment_reference'
  | 'payment_date'
  | 'payment_amount'
  | 'currency'
  | 'payment_method'
  | 'invoice_number'
  | 'invoice_date'
  | 'amount_invoiced'
  | 'amount_paid'
  | 'discount'
  | 'deduction'
  | 'deduction_reason'
  | 'document_type'
  | 'po_number'
  | 'memo';

/** Header names per field, normalized (lower case, letters and digits only, "#" read as "number"). */
const SYNONYMS: Readonly<Record<CsvField, readonly string[]>> = {
  payer: [
    'payer',
    'payername',
    'payor',
    'customer',
    'customername',
    'company',
    'companyname',
    'remitter',
    'paidby',
    'client',
    'clientname',
  ],
  payer_email: ['payeremail', 'email', 'emailaddress', 'remitteremail', 'customeremail'],
  customer_number: [
    'customernumber',
    'customerno',
    'customerid',
    'custno',
    'custnumber',
    'customeraccount',
    'clientnumber',
    'accountnumber',
    'accountno',
  ],
  payment_reference: [
    'paymentreference',
    'paymentref',
    'paymentid',
    'paymentnumber',
    'paymentno',
    'checknumber',
    'checkno',
    'check',
    'chequenumber',
    'chequeno',
    'tracenumber',
    'traceno',
    'achtrace',
    'transactionid',
    'transactionreference',
    'remittanceid',
    'remittancenumber',
    'eftnumber',
    'wirereference',
    'confirmationnumber',
    'reference',
    'ref',
    'referencenumber',
  ],
  payment_date: [
    'paymentdate',
    'datepaid',
    'paiddate',
    'checkdate',
    'chequedate',
    'valuedate',
    'remittancedate',
    'date',
    'settlementdate',
  ],
  payment_amount: [
    'paymentamount',
    'checkamount',
    'chequeamount',
    'totalamount',
    'totalpaid',
    'paymenttotal',
    'remittanceamount',
    'amountremitted',
    'totalpayment',
  ],
  currency: ['currency', 'ccy', 'curr', 'currencycode', 'cur'],
  payment_method: ['paymentmethod', 'method', 'paymenttype', 'paymentmode'],
  invoice_number: [
    'invoicenumber',
    'invoiceno',
    'invoice',
    'invoicenum',
    'invoiceid',
    'inv',
    'invno',
    'invnumber',
    'documentnumber',
    'document',
    'docnumber',
    'docno',
    'billnumber',
    'billno',
    'yourinvoice',
    'yourinvoicenumber',
    'vendorinvoicenumber',
    'supplierinvoicenumber',
    'rechnungsnummer',
    'rechnungsnr',
    'rechnung',
    'belegnummer',
    'facture',
    'numerofacture',
    'nfacture',
    'factura',
    'factuurnummer',
  ],
  invoice_date: ['invoicedate', 'invdate', 'documentdate', 'docdate', 'billdate'],
  amount_invoiced: [
    'amountinvoiced',
    'invoiceamount',
    'invoicetotal',
    'invamount',
    'grossamount',
    'originalamount',
    'amountdue',
    'billedamount',
    'documentamount',
    'invoiceamt',
  ],
  amount_paid: [
    'amountpaid',
    'paidamount',
    'paid',
    'payment',
    'netpaid',
    'netamount',
    'amount',
    'amountapplied',
    'appliedamount',
    'payamount',
    'netpayment',
    'betrag',
    'zahlbetrag',
    'montant',
    'importe',
    'bedrag',
  ],
  discount: ['discount', 'discountamount', 'discounttaken', 'cashdiscount', 'disc', 'discountamt'],
  deduction: [
    'deduction',
    'deductionamount',
    'deductions',
    'adjustment',
    'adjustmentamount',
    'shortpay',
    'shortpaid',
    'chargeback',
    'deductionamt',
  ],
  deduction_reason: [
    'deductionreason',
    'reason',
    'reasoncode',
    'adjustmentreason',
    'deductioncode',
    'adjustmentcode',
    'deductionreasoncode',
  ],
  document_type: ['documenttype', 'doctype', 'type', 'transactiontype'],
  po_number: ['ponumber', 'po', 'purchaseorder', 'pono', 'purchaseordernumber'],
  memo: ['memo', 'comment', 'comments', 'notes', 'note', 'description', 'remarks'],
};

/** Loose rules for headers no synonym names, tried in order. */
const LOOSE: ReadonlyArray<readonly [CsvField, RegExp]> = [
  ['invoice_date', /(?:invoice|inv|document|doc|bill).*date/],
  ['payment_date', /date/],
  ['deduction_reason', /reason|code/],
  ['discount', /discount|disc/],
  ['deduction', /deduct|adjust|short|chargeback/],
  ['payer_email', /email/],
  ['currency', /currency/],
  ['amount_invoiced', /(?:invoice|inv|document|doc|bill|gross|original).*(?:amount|amt|total)/],
  ['payment_amount', /(?:payment|check|cheque|remittance|total).*(?:amount|amt|total)/],
  ['amount_paid', /paid|amount|amt/],
  ['customer_number', /(?:customer|client|account).*(?:number|no|id)/],
  ['invoice_number', /invoice|document|doc|bill|inv/],
  ['payment_reference', /reference|ref|check|cheque|trace|confirmation/],
  ['payer', /payer|customer|company|remitter/],
];

export function normalizeCsvHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/#/g, 'number')
    .replace(/[^a-z0-9]/g, '');
}

/** Which field each column is (null for columns not read), by synonym first, then by the loose rules. */
export function mapCsvColumns(headers: readonly string[]): (CsvField | null)[] {
  const normalized = headers.map(normalizeCsvHeader);
  const out: (CsvField | null)[] = normalized.map((h) => {
    for (const [field, names] of Object.entries(SYNONYMS) as [CsvField, readonly string[]][])
      if (names.includes(h)) return field;
    return null;
  });
  normalized.forEach((h, k) => {
    if (out[k] !== null || h === '') return;
    for (const [field, pattern] of LOOSE) {
      if (pattern.test(h) && !out.includes(field)) {
        out[k] = field;
        return;
      }
    }
  });
  // "Reference" next to an invoice column is the payment's; alone it is the document's.
  const reference = normalized.findIndex(
    (h, k) => out[k] === 'payment_reference' && /^ref(?:erence)?(?:number|no)?$/.test(h),
  );
  if (reference >= 0 && !out.includes('invoice_number')) out[reference] = 'invoice_number';
  // Only the first column of a field is read.
  return out.map((f, k) => (f !== null && out.indexOf(f) !== k ? null : f));
}

export interface CsvReadResult {
  advices: ExtractedAdvice[];
  warnings: string[];
}

interface Problem {
  line: number;
  column: string;
  expected: string;
  found: string;
}

interface Row {
  line: number;
  get(field: CsvField): string;
}

/** Reads CSV bytes: UTF-8 (with or without BOM), else Windows-1252. */
export function readRemittanceCsv(
  bytes: Uint8Array,
  fileName: string,
  options: ExtractOptions = {},
): CsvReadResult {
  const buffer = Buffer.from(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    text = iconv.decode(buffer, 'windows-1252');
  }
  return readRemittanceCsvText(text, fileName, options);
}

export function readRemittanceCsvText(
  text: string,
  fileName: string,
  options: ExtractOptions = {},
): CsvReadResult {
  const records = parseRecords(text, fileName);
  const headerIndex = records.findIndex((r) => r.record.some((c) => c.trim() !== ''));
  if (headerIndex < 0)
    throw new ParseError(
      'csv-empty',
      { file: fileName, expected: 'a header row and rows of invoices paid' },
      'the file is empty',
    );
  const header = records[headerIndex]!;
  const fields = mapCsvColumns(header.record);
  requireColumns(fileName, header.line, header.record, fields);
  const rows = records
    .slice(headerIndex + 1)
    .filter((r) => r.record.some((c) => c.trim() !== ''))
    .map((r) => rowOf(r, fields));
  const reader = new CsvRows(fileName, header.record, fields, rows, options);
  return reader.read();
}

function parseRecords(text: string, fileName: string): { record: string[]; line: number }[] {
  const delimiter = guessDelimiter(text);
  try {
    const parsed = parse(text.replace(/^\ufeff/, ''), {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return parsed.map((p) => ({ record: p.record.map((c) => c.trim()), line: p.info.lines }));
  } catch (error) {
    const line =
      typeof (error as { lines?: unknown }).lines === 'number'
        ? (error as { lines: number }).lines
        : undefined;
    throw new ParseError(
      'csv-syntax',
      { file: fileName, line, expected: `comma-, semicolon- or tab-separated values (quotes closed)` },
      error instanceof Error ? error.message : String(error),
      { cause: error },
    );
  }
}

function guessDelimiter(text: string): string {
  const firstLine =
    text
      .replace(/^\ufeff/, '')
      .split(/\r?\n/)
      .find((l) => l.trim() !== '') ?? '';
  const outside = firstLine.replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const count = outside.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

function requireColumns(file: string, line: number, headers: string[], fields: (CsvField | null)[]): void {
  const missing: string[] = [];
  if (!fields.includes('invoice_number'))
    missing.push('invoice_number (Invoice #, Invoice Number, Document)');
  if (!fields.includes('amount_paid') && !fields.includes('payment_amount'))
    missing.push('amount_paid (Amount Paid, Paid, Amount) or payment_amount');
  if (missing.length > 0)
    throw new ParseError(
      'csv-columns',
      { file, line, expected: `columns for ${missing.join(' and ')}`, found: headers.join(',') },
      'the header row does not name the remittance columns',
    );
}

function rowOf(record: { record: string[]; line: number }, fields: (CsvField | null)[]): Row {
  return {
    line: record.line,
    get: (field) => {
      const k = fields.indexOf(field);
      return k < 0 ? '' : (record.record[k] ?? '').trim();
    },
  };
}

const TOTAL_ROW = /^(?:grand\s+|sub-?\s*)?totals?\b|^sum\b/i;
const EMPTY = /^(?:-+|—|n\/?a|none)$/i;

class CsvRows {
  private readonly problems: Problem[] = [];
  private readonly warnings: string[] = [];
  private readonly decimal: DecimalSeparator;
  private readonly dates: DocumentDates;
  private sawDollar = false;

  constructor(
    private readonly file: string,
    private readonly headers: string[],
    private readonly fields: (CsvField | null)[],
    private readonly rows: Row[],
    private readonly options: ExtractOptions,
  ) {
    this.decimal = this.detectDecimal();
    const currencies = rows.map((r) => r.get('currency').toUpperCase()).filter((c) => c !== '');
    this.dates = new DocumentDates(orderHint(this.decimal, currencies[0] ?? null));
    for (const r of rows) {
      for (const field of ['payment_date', 'invoice_date'] as const) {
        const value = r.get(field);
        if (value !== '') this.dates.learn(value);
      }
    }
  }

  read(): CsvReadResult {
    const groups = new Map<string, { rows: Row[]; lines: ExtractedLine[] }>();
    for (const row of this.rows) {
      const doc = row.get('invoice_number');
      if (TOTAL_ROW.test(doc)) continue;
      const line = this.lineOf(row, doc);
      const key = JSON.stringify(
        (
          [
            'payer',
            'payer_email',
            'customer_number',
            'payment_reference',
            'payment_date',
            'currency',
            'payment_method',
          ] as const
        ).map((f) => row.get(f).toLowerCase()),
      );
      const group = groups.get(key) ?? { rows: [], lines: [] };
      group.rows.push(row);
      if (line !== null) group.lines.push(line);
      groups.set(key, group);
    }
    this.throwProblems();
    const advices = [...groups.values()].map((g) => this.adviceOf(g.rows, g.lines));
    this.throwProblems();
    return { advices, warnings: this.warnings };
  }

  private lineOf(row: Row, doc: string): ExtractedLine | null {
    // The column says it is a document number: any short word with a digit or a letter is taken.
    if (!/^#?[A-Za-z0-9][\w\-/.#]{0,39}$/.test(doc)) {
      this.problem(row, 'invoice_number', 'a document number (letters, digits and - / . _, no spaces)', doc);
      return null;
    }
    const paid = this.money(row, 'amount_paid');
    const deduction = this.money(row, 'deduction');
    const reasonText = row.get('deduction_reason') || row.get('memo');
    const adjustments: ExtractedAdjustment[] =
      deduction !== null && !isZero(deduction.value)
        ? [
            {
              reason_code:
                reasonOf(row.get('deduction_reason')) ?? (row.get('memo') ? reasonOf(row.get('memo')) : null),
              amount: negate(absolute(deduction.value)),
              reason_text: reasonText || null,
            },
          ]
        : [];
    const discount = this.money(row, 'discount');
    const type = row.get('document_type');
    const credit = /^(?:cm|cr|cn|credit(?:\s*(?:memo|note))?)$/i.test(type) || looksLikeCreditMemo(doc);
    let paidValue = paid?.value ?? null;
    if (credit && paidValue !== null && !paidValue.startsWith('-')) paidValue = negate(paidValue);
    const invoiceDate = this.date(row, 'invoice_date');
    const line: ExtractedLine = {
      document_number: doc.replace(/^#/, ''),
      amount_paid: paidValue,
      amount_invoiced: this.money(row, 'amount_invoiced')?.value ?? null,
      discount: discount === null ? null : absolute(discount.value),
      adjustments,
      document_type: credit ? 'credit-memo' : 'invoice',
      invoice_date: invoiceDate,
    };
    if (row.get('po_number')) line.po_number = row.get('po_number');
    if (row.get('memo')) line.description = row.get('memo');
    return line;
  }

  private adviceOf(rows: Row[], lines: ExtractedLine[]): ExtractedAdvice {
    const first = rows[0]!;
    const currency = this.currency(first);
    const totals = rows.map((r) => ({ row: r, money: this.money(r, 'payment_amount') }));
    const distinctTotals = [...new Set(totals.map((t) => t.money?.value ?? ''))].filter((v) => v !== '');
    let amount: string | null = null;
    let source: AmountSource | null = null;
    if (distinctTotals.length === 1) {
      amount = distinctTotals[0]!;
      source = 'stated';
    } else if (
      distinctTotals.length > 1 &&
      !this.fields.includes('amount_paid') &&
      totals.every((t) => t.money !== null)
    ) {
      // A "payment amount" that differs row by row, with no other paid column, is what each row paid.
      lines.forEach((l, k) => {
        l.amount_paid = totals[k]?.money?.value ?? l.amount_paid;
      });
    } else if (distinctTotals.length > 1) {
      this.problem(
        totals[1]!.row,
        'payment_amount',
        `the same payment amount on every row of payment ${first.get('payment_reference') || '(no reference)'}`,
        totals[1]!.row.get('payment_amount'),
      );
    }
    if (amount === null && lines.length > 0 && lines.every((l) => l.amount_paid !== null)) {
      amount = sumDecimals(lines.map((l) => l.amount_paid!));
      source = 'sum-of-lines';
    }
    const reference = first.get('payment_reference');
    const date = this.date(first, 'payment_date');
    const warnings = consistencyWarnings(amount, lines, []);
    return {
      payer: first.get('payer') || null,
      payment_reference: reference || null,
      amount,
      lines,
      currency,
      payment_date: date,
      payment_method: first.get('payment_method')
        ? (paymentMethodOf(first.get('payment_method')) ?? first.get('payment_method').toLowerCase())
        : null,
      payment_references: reference ? [{ kind: this.referenceKind(), value: reference }] : [],
      amount_source: source,
      customer_number: first.get('customer_number') || null,
      vendor_number: null,
      po_numbers: [],
      adjustments: [],
      deductions: null,
      deduction_notes: [],
      unparsed_references: [],
      warnings,
      text: null,
      ...(first.get('payer_email') ? { payer_email: first.get('payer_email').toLowerCase() } : {}),
    };
  }

  private referenceKind(): ReferenceKind {
    const k = this.fields.indexOf('payment_reference');
    const header = normalizeCsvHeader(this.headers[k] ?? '');
    if (/check|cheque/.test(header)) return 'check';
    if (/trace/.test(header)) return 'ach-trace';
    if (/wire/.test(header)) return 'wire';
    if (/confirmation/.test(header)) return 'confirmation';
    return 'payment-id';
  }

  private money(row: Row, field: CsvField): Money | null {
    const text = row.get(field);
    if (text === '' || EMPTY.test(text)) return null;
    const money = parseMoneyCell(text, this.decimal);
    if (money === null) {
      this.problem(row, field, 'an amount such as 1234.56, 1,234.56 or (150.00)', text);
      return null;
    }
    if (money.dollar) this.sawDollar = true;
    return money;
  }

  private date(row: Row, field: 'payment_date' | 'invoice_date'): string | null {
    const text = row.get(field);
    if (text === '') return null;
    const { date, guessed } = this.dates.read(text);
    if (date === null) {
      this.problem(row, field, 'a date such as 2024-03-15, 03/15/2024 or 15.03.2024', text);
      return null;
    }
    if (guessed) {
      const warning = `${this.columnName(field)}: day/month order of dates like ${text} is not certain; read as ${date}`;
      if (!this.warnings.includes(warning)) this.warnings.push(warning);
    }
    return date;
  }

  private currency(row: Row): string | null {
    const text = row.get('currency').toUpperCase();
    if (text !== '') {
      if (CURRENCY_CODES.has(text)) return text;
      this.problem(
        row,
        'currency',
        'a three-letter ISO 4217 currency code such as USD or EUR',
        row.get('currency'),
      );
      return null;
    }
    const fromCells = this.rows.flatMap((r) =>
      (['amount_paid', 'payment_amount'] as const).map(
        (f) => parseMoneyCell(r.get(f), this.decimal)?.currency ?? null,
      ),
    );
    const named = fromCells.find((c) => c !== null);
    if (named) return named;
    return this.sawDollar ? (this.options.dollarCurrency ?? 'USD') : null;
  }

  private detectDecimal(): DecimalSeparator {
    let comma = 0;
    let point = 0;
    for (const row of this.rows)
      for (const field of [
        'amount_paid',
        'payment_amount',
        'amount_invoiced',
        'discount',
        'deduction',
      ] as const) {
        const evidence = decimalEvidence(row.get(field).replace(/[^\d.,]/g, ''));
        if (evidence === ',') comma++;
        else if (evidence === '.') point++;
      }
    return comma > point ? ',' : '.';
  }

  private columnName(field: CsvField): string {
    return this.headers[this.fields.indexOf(field)] ?? field;
  }

  private problem(row: Row, field: CsvField, expected: string, found: string): void {
    this.problems.push({ line: row.line, column: this.columnName(field), expected, found });
  }

  private throwProblems(): void {
    if (this.problems.length === 0) return;
    const first = this.problems[0]!;
    const more =
      this.problems.length > 1
        ? ` (and ${this.problems.length - 1} more problem${this.problems.length > 2 ? 's' : ''})`
        : '';
    throw new ParseError(
      'csv-value',
      {
        file: this.file,
        line: first.line,
        field: first.column,
        expected: first.expected,
        found: first.found,
      },
      `bad value; nothing was imported${more}`,
    );
  }
}
