/**
 * The lockbox record state machine, driven by a compiled layout. Record roles, in file order:
 * file header (1), service header (2), then per lockbox a lockbox header (5) followed by batches of
 * checks (6) with their overflow records (4) each closed by a batch total (7), a lockbox total (8),
 * and finally the file trailer (9). Each batch is one statement (balances null) whose entries are
 * the checks; each check with invoices also yields a remittance advice for cash application.
 */

import { decodeText } from '../bai2/reader.js';
import {
  allDigits,
  checkTime,
  ExactSum,
  formatMinorUnits,
  type Minor,
  mmddyyToIso,
  parseAmountMinor,
  yymmddToIso,
} from '../bai2/values.js';
import { ParseError } from '../errors.js';
import type { BankEntry, ParseOptions, ParseSink, RemittanceAdvice, StatementInfo } from '../model.js';
import type { CompiledLayout, CompiledRecord, InvoiceSlots } from './layout.js';

type Value = string | number | bigint | null;
type Values = Record<string, Value>;

export interface Invoice {
  number: string | null;
  amount: string | null;
}

interface PendingCheck {
  record: CompiledRecord;
  values: Values;
  line: number;
  amountMinor: Minor;
  invoices: Invoice[];
  texts: string[];
}

interface Totals {
  count: number;
  sum: ExactSum;
}

interface BatchState extends Totals {
  number: string | null;
  line: number;
  statementIndex: number;
}

interface LockboxState extends Totals {
  number: string | null;
  depositDate: string | null;
  line: number;
}

/** More invoices than this on one check is not a bank file; it would only exhaust memory. */
const MAX_OVERFLOW_ITEMS = 100_000;

/** Names the reader interprets itself; other fields go to the `fields` extra. */
const CHECK_FIELDS = new Set([
  'amount',
  'batch_number',
  'item_number',
  'routing',
  'account',
  'check_number',
  'check_date',
  'remitter_name',
  'payee_name',
]);

export class LockboxReader {
  private readonly fileName: string;
  private readonly lenient: boolean;
  private records = 0;
  private headerSeen = false;
  private trailerSeen = false;
  private fileHeader: Values = {};
  private lockbox: LockboxState | null = null;
  private batch: BatchState | null = null;
  private check: PendingCheck | null = null;
  private statementIndex = -1;
  /** Set once the input contained a byte >= 0x80: only then can text need UTF-8 re-decoding. */
  highBytes = false;

  constructor(
    private readonly layout: CompiledLayout,
    options: ParseOptions,
    private readonly sink: ParseSink,
  ) {
    this.fileName = options.fileName;
    this.lenient = options.lenient === true;
  }

  line(text: string, lineNumber: number): void {
    if (isBlank(text)) return;
    const layout = this.layout;
    const code = text.slice(layout.typeFrom, layout.typeTo);
    const record = layout.byCode.get(code);
    if (record === undefined) {
      throw this.error(
        'structure',
        lineNumber,
        'record type',
        `one of the record types ${[...layout.byCode.keys()].join(', ')}`,
        code,
      );
    }
    if (this.trailerSeen) {
      throw this.error('structure', lineNumber, 'record type', 'nothing after the file trailer', code);
    }
    if (!this.headerSeen && layout.roles.has('file-header') && record.role !== 'file-header') {
      throw this.error('structure', lineNumber, 'record type', 'the file header record first', code);
    }
    this.records++;
    const values = this.values(record, text, lineNumber);
    switch (record.role) {
      case 'file-header':
        this.onFileHeader(values, lineNumber, code);
        break;
      case 'service-header':
        break;
      case 'lockbox-header':
        this.onLockboxHeader(values, lineNumber);
        break;
      case 'check':
        this.onCheck(record, values, text, lineNumber);
        break;
      case 'overflow':
        this.onOverflow(record, values, text, lineNumber);
        break;
      case 'batch-total':
        this.onBatchTotal(values, lineNumber);
        break;
      case 'lockbox-total':
        this.onLockboxTotal(values, lineNumber);
        break;
      case 'file-trailer':
        this.onFileTrailer(values, lineNumber);
        break;
    }
  }

  end(lastLine: number): void {
    if (this.records === 0)
      throw this.error('empty', Math.max(lastLine, 1), 'record type', 'lockbox records', '');
    if (this.batch !== null && !this.layout.roles.has('batch-total')) {
      this.flushCheck();
      this.closeBatch({}, lastLine);
    }
    if (this.batch !== null) {
      throw this.error(
        'truncated',
        lastLine,
        'record type',
        'a batch total record closing the last batch',
        'end of file',
      );
    }
    if (this.layout.roles.has('file-trailer') && !this.trailerSeen) {
      throw this.error('truncated', lastLine, 'record type', 'the file trailer record', 'end of file');
    }
  }

  // ---------------------------------------------------------------- roles

  private onFileHeader(values: Values, line: number, code: string): void {
    if (this.headerSeen) throw this.error('structure', line, 'record type', 'one file header', code);
    this.headerSeen = true;
    this.fileHeader = values;
  }

  private onLockboxHeader(values: Values, line: number): void {
    this.requireNoOpenBatch(line, 'lockbox header');
    this.lockbox = {
      number: asString(values.lockbox_number),
      depositDate: asString(values.deposit_date),
      line,
      count: 0,
      sum: new ExactSum(),
    };
  }

  private onCheck(record: CompiledRecord, values: Values, text: string, line: number): void {
    this.flushCheck();
    const amountMinor = values.amount;
    if (typeof amountMinor !== 'number' && typeof amountMinor !== 'bigint') {
      throw this.error('bad-amount', line, 'check amount', 'an amount', '');
    }
    const batch = this.openBatch(asString(values.batch_number), line);
    batch.count++;
    batch.sum.add(amountMinor);
    const check: PendingCheck = { record, values, line, amountMinor, invoices: [], texts: [] };
    // Some banks use the blank tail of the check record for the first invoices.
    if (record.invoices !== null) this.readInvoices(record.invoices, text, line, check.invoices);
    this.check = check;
  }

  private onOverflow(record: CompiledRecord, values: Values, text: string, line: number): void {
    const check = this.check;
    if (check === null)
      throw this.error(
        'structure',
        line,
        'record type',
        'a check record before its overflow record',
        record.code,
      );
    for (const key of ['batch_number', 'item_number'] as const) {
      const own = values[key];
      const checks = check.values[key];
      if (own !== undefined && own !== null && checks !== undefined && checks !== null && own !== checks) {
        throw this.error(
          'structure',
          line,
          `overflow ${key.replace('_', ' ')}`,
          `${String(checks)} (the check before it)`,
          String(own),
        );
      }
    }
    if (record.invoices !== null) this.readInvoices(record.invoices, text, line, check.invoices);
    if (check.invoices.length + check.texts.length > MAX_OVERFLOW_ITEMS) {
      throw this.error(
        'record-too-long',
        line,
        'overflow records of one check',
        `at most ${MAX_OVERFLOW_ITEMS} invoices`,
        String(check.invoices.length),
      );
    }
    const overflowText = values.text;
    if (typeof overflowText === 'string') check.texts.push(overflowText);
  }

  private onBatchTotal(values: Values, line: number): void {
    this.flushCheck();
    this.closeBatch(values, line);
  }

  /** Ends the current batch (opening an empty one first if none is open) as a statement. */
  private closeBatch(values: Values, line: number): void {
    const batch = this.batch ?? this.openBatch(asString(values.batch_number), line);
    const number = asString(values.batch_number);
    if (number !== null && batch.number !== null && number !== batch.number) {
      throw this.error(
        'structure',
        line,
        'batch total batch number',
        `${batch.number} (the batch of the checks before it)`,
        number,
      );
    }
    this.checkTotals(values, batch, line, `batch ${number ?? batch.number ?? ''} total`);
    const lockbox = this.lockbox;
    if (lockbox !== null) {
      lockbox.count += batch.count;
      lockbox.sum.addSum(batch.sum);
    }
    const info: StatementInfo = {
      account: asString(values.lockbox_number) ?? lockbox?.number ?? null,
      currency: this.layout.currency,
      opening_balance: null,
      closing_balance: null,
      lockbox_number: asString(values.lockbox_number) ?? lockbox?.number ?? null,
      batch_number: number ?? batch.number,
      deposit_date: asString(values.deposit_date) ?? lockbox?.depositDate ?? null,
      item_count: batch.count,
      total: formatMinorUnits(batch.sum.value(), this.layout.amountDecimals),
      destination: asString(this.fileHeader.destination ?? null),
      origin: asString(this.fileHeader.origin ?? null),
      layout: this.layout.name,
    };
    this.batch = null;
    this.sink.endStatement(info);
  }

  private onLockboxTotal(values: Values, line: number): void {
    this.requireNoOpenBatch(line, 'lockbox total');
    const lockbox = this.lockbox;
    if (lockbox === null) {
      throw this.error(
        'structure',
        line,
        'record type',
        'a lockbox header before the lockbox total',
        'lockbox total',
      );
    }
    const number = asString(values.lockbox_number);
    if (number !== null && lockbox.number !== null && number !== lockbox.number) {
      throw this.error('structure', line, 'lockbox total lockbox number', lockbox.number, number);
    }
    this.checkTotals(values, lockbox, line, `lockbox ${lockbox.number ?? ''} total`);
    this.lockbox = null;
  }

  private onFileTrailer(values: Values, line: number): void {
    this.requireNoOpenBatch(line, 'file trailer');
    this.trailerSeen = true;
    const count = values.record_count;
    if (typeof count === 'number' && count !== this.records) {
      this.controlMismatch(
        line,
        'trailer record count',
        `the trailer says ${count} records but the file has ${this.records}`,
        String(this.records),
        String(count),
      );
    }
  }

  // ---------------------------------------------------------------- batches and checks

  private openBatch(number: string | null, line: number): BatchState {
    let batch = this.batch;
    if (batch === null) {
      this.statementIndex++;
      batch = { number, line, statementIndex: this.statementIndex, count: 0, sum: new ExactSum() };
      this.batch = batch;
      this.sink.beginStatement();
    } else if (number !== null && batch.number !== null && number !== batch.number) {
      throw this.error(
        'structure',
        line,
        'check batch number',
        `${batch.number}, or a batch total closing batch ${batch.number} first`,
        number,
      );
    } else if (batch.number === null) {
      batch.number = number;
    }
    return batch;
  }

  private requireNoOpenBatch(line: number, what: string): void {
    this.flushCheck();
    if (this.batch !== null && !this.layout.roles.has('batch-total')) {
      // Layouts without batch totals: a batch ends where the lockbox or the file ends.
      this.closeBatch({}, line);
    }
    if (this.batch !== null) {
      throw this.error(
        'structure',
        line,
        'record type',
        `a batch total record closing batch ${this.batch.number ?? ''} before the ${what}`,
        what,
      );
    }
  }

  private flushCheck(): void {
    const check = this.check;
    if (check === null) return;
    this.check = null;
    const v = check.values;
    const exponent = this.layout.amountDecimals;
    const amount = formatMinorUnits(check.amountMinor, exponent);
    const batchNumber = asString(v.batch_number);
    const itemNumber = asString(v.item_number);
    const checkNumber = stripZeros(asString(v.check_number));
    const remitter = asString(v.remitter_name);
    const references: string[] = [];
    for (const invoice of check.invoices) {
      if (invoice.number !== null && !references.includes(invoice.number)) references.push(invoice.number);
    }
    const fields = extraFields(check.record, v, exponent);
    const entry: BankEntry = {
      booking_date: this.lockbox?.depositDate ?? null,
      value_date: null,
      amount,
      currency: this.layout.currency,
      bank_transaction_code: null,
      bank_reference:
        itemNumber === null ? null : batchNumber === null ? itemNumber : `${batchNumber}-${itemNumber}`,
      end_to_end_id: null,
      counterparty: { name: remitter, account: asString(v.account), bank: asString(v.routing) },
      remittance: { references, text: check.texts.length === 0 ? null : check.texts.join(' ') },
      check_number: checkNumber,
      check_date: asString(v.check_date),
      payee_name: asString(v.payee_name),
      lockbox_number: this.lockbox?.number ?? null,
      batch_number: batchNumber,
      item_number: itemNumber,
      invoices: check.invoices,
      fields,
      source_line: check.line,
    };
    this.sink.entry(entry);
    if (check.invoices.length > 0) {
      const advice: RemittanceAdvice = {
        payer: remitter,
        payment_reference: checkNumber,
        amount,
        lines: check.invoices.map((invoice) => ({
          document_number: invoice.number,
          amount_paid: invoice.amount,
          amount_invoiced: null,
          discount: null,
          adjustments: [],
        })),
        lockbox_number: this.lockbox?.number ?? null,
        batch_number: batchNumber,
        item_number: itemNumber,
        deposit_date: this.lockbox?.depositDate ?? null,
        statement: this.statementIndex,
      };
      this.sink.remittance(advice);
    }
  }

  private readInvoices(slots: InvoiceSlots, text: string, line: number, into: Invoice[]): void {
    for (let k = 0; k < slots.count; k++) {
      const base = slots.start - 1 + k * slots.stride;
      const number = text
        .slice(base + slots.number.offset, base + slots.number.offset + slots.number.length)
        .trim();
      let amount: string | null = null;
      if (slots.amount !== undefined) {
        const raw = text
          .slice(base + slots.amount.offset, base + slots.amount.offset + slots.amount.length)
          .trim();
        if (raw !== '') {
          const minor = parseAmountMinor(raw);
          if (minor === undefined || raw.charCodeAt(0) === 43) {
            throw this.error('bad-amount', line, `invoice ${k + 1} amount`, 'digits (implied decimals)', raw);
          }
          amount = formatMinorUnits(minor, this.layout.amountDecimals);
        }
      }
      if (number === '' && amount === null) continue;
      into.push({ number: number === '' ? null : number, amount });
    }
  }

  private checkTotals(values: Values, totals: Totals, line: number, what: string): void {
    const count = values.item_count;
    if (typeof count === 'number' && count !== totals.count) {
      this.controlMismatch(
        line,
        `${what} item count`,
        `${what}: the record says ${count} checks but there are ${totals.count}`,
        String(totals.count),
        String(count),
      );
    }
    const amount = values.amount_total;
    if (typeof amount === 'number' || typeof amount === 'bigint') {
      const computed = totals.sum.value();
      if (BigInt(amount) !== computed) {
        const e = this.layout.amountDecimals;
        const written = formatMinorUnits(amount, e);
        const sum = formatMinorUnits(computed, e);
        this.controlMismatch(
          line,
          `${what} amount`,
          `${what}: the record says ${written} but the checks add up to ${sum}`,
          sum,
          written,
        );
      }
    }
  }

  // ---------------------------------------------------------------- fields

  private values(record: CompiledRecord, text: string, line: number): Values {
    const out: Values = {};
    for (const field of record.fields) {
      const raw = text.slice(field.from, field.to).trim();
      out[field.name] = this.fieldValue(field.kind, raw, line, field.name, record.code);
    }
    return out;
  }

  private fieldValue(kind: string, raw: string, line: number, name: string, code: string): Value {
    if (raw === '') return null;
    const where = `${name} (record ${code})`;
    switch (kind) {
      case 'text':
        return this.highBytes ? decodeText(raw) : raw;
      case 'digits':
        if (!allDigits(raw)) throw this.error('bad-field', line, where, 'digits', raw);
        return raw;
      case 'number':
        if (!allDigits(raw) || raw.length > 15) throw this.error('bad-field', line, where, 'a number', raw);
        return Number.parseInt(raw, 10);
      case 'amount': {
        const minor = raw.charCodeAt(0) === 43 ? undefined : parseAmountMinor(raw);
        if (minor === undefined)
          throw this.error('bad-amount', line, where, 'digits (implied decimals)', raw);
        return minor;
      }
      case 'date-yymmdd':
      case 'date-mmddyy': {
        if (/^0+$/.test(raw)) return null;
        const iso = kind === 'date-yymmdd' ? yymmddToIso(raw) : mmddyyToIso(raw);
        if (iso === null)
          throw this.error(
            'bad-date',
            line,
            where,
            kind === 'date-yymmdd' ? 'a date YYMMDD' : 'a date MMDDYY',
            raw,
          );
        return iso;
      }
      case 'time-hhmm':
        if (checkTime(raw) !== 'ok') throw this.error('bad-time', line, where, 'a time HHMM', raw);
        return raw;
      default:
        return raw;
    }
  }

  private controlMismatch(
    line: number,
    field: string,
    message: string,
    expected: string,
    found: string,
  ): void {
    if (!this.lenient) throw this.error('control-total', line, field, expected, found);
    this.sink.warning({ code: 'control-total', message, line });
  }

  private error(code: string, line: number, field: string, expected: string, found: string): ParseError {
    const detail =
      code === 'control-total'
        ? 'control total does not match the records'
        : code === 'truncated'
          ? 'file is truncated'
          : code === 'structure'
            ? 'unexpected record'
            : code === 'empty'
              ? 'no lockbox records found'
              : 'invalid field';
    return new ParseError(code, { file: this.fileName, line, field, expected, found }, detail);
  }
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 26) return false;
  }
  return true;
}

function asString(value: Value | undefined): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : String(value);
}

function stripZeros(value: string | null): string | null {
  if (value === null) return null;
  const stripped = value.replace(/^0+(?=.)/, '');
  return stripped;
}

/** Layout fields the reader does not interpret itself (a bank's customer number…), amounts as decimals. */
function extraFields(
  record: CompiledRecord,
  values: Values,
  exponent: number,
): Record<string, string | number | null> | null {
  let out: Record<string, string | number | null> | null = null;
  for (const field of record.fields) {
    if (CHECK_FIELDS.has(field.name)) continue;
    const value = values[field.name] ?? null;
    out ??= {};
    out[field.name] =
      field.kind === 'amount' && value !== null && typeof value !== 'string'
        ? formatMinorUnits(value, exponent)
        : (value as string | number | null);
  }
  return out;
}
