/**
 * Turns the rows of a bank export (CSV records or XLSX rows) into statements and entries: finds the header
 * below the preamble, reads dates and locale amounts, applies the sign conventions, and streams entries to
 * the statement builder. Rows whose day/month order or decimal separator cannot be known yet wait in a
 * bounded queue until a later row decides it for the whole file.
 */
import { ParseError } from '../errors.js';
import type { BankEntry, ParseSink } from '../model.js';
import { type DecimalSeparator, decimalEvidence, type ExactAmount, parseAmount } from './amount.js';
import { isSummaryLabel, labeledValues } from './columns.js';
import {
  compileDateFormat,
  DATE_CONFLICT,
  DATE_INVALID,
  DATE_NEEDS_ORDER,
  type DateFormat,
  type DateProblem,
  DateReader,
  type DayMonthOrder,
  isoDate,
} from './dates.js';
import type { BankCsvMapping } from './mapping.js';
import {
  buildPlan,
  type ColumnPlan,
  effectiveRoles,
  looksLikeHeader,
  missingMappedNames,
  noHeaderError,
  syntheticHeaders,
} from './plan.js';
import { type StatementBalances, StatementBuilder } from './statement.js';

export interface RowReaderSetup {
  fileName: string;
  strict: boolean;
  mapping: BankCsvMapping | null;
  sink: ParseSink;
  /** The CSV delimiter: a hint for ambiguous numbers (`;` files write decimal commas). */
  delimiter: string | null;
  /** Where a cell is, for messages: the line, and for XLSX the cell address. */
  locate: (line: number, column: number) => { line: number; path?: string };
  /** Extra fields for every statement (the XLSX sheet). */
  extras: Record<string, unknown>;
}

/** Rows kept while the day/month order or the decimal separator is still unknown. */
const MAX_PENDING_ROWS = 50_000;
/** Rows above the header that may hold account information. */
const MAX_PREAMBLE_ROWS = 60;

const NEED_DATE = 1;
const NEED_DECIMAL = 2;

const DEBIT_WORDS = new Set([
  'd',
  'db',
  'dr',
  'deb',
  'debit',
  'debet',
  's',
  'soll',
  'af',
  'afschrijving',
  'out',
  'withdrawal',
  'charge',
  'cargo',
  'debito',
  'sortie',
  '-',
  'lastschrift',
  'ausgang',
]);
const CREDIT_WORDS = new Set([
  'c',
  'cr',
  'cred',
  'credit',
  'h',
  'haben',
  'bij',
  'bijschrijving',
  'in',
  'deposit',
  'abono',
  'credito',
  'entree',
  '+',
  'gutschrift',
  'eingang',
]);
const UNKNOWN_BALANCE = new Set([
  'unknown',
  'n/a',
  'na',
  '-',
  'unbekannt',
  'onbekend',
  'inconnu',
  'desconocido',
]);
const HIGH_BYTE = /[\u0080-\uffff]/;

interface PendingRow {
  cells: string[];
  line: number;
  numeric: boolean[] | null;
}

function foldIndicator(value: string): string {
  const lower = value.trim().toLowerCase();
  return HIGH_BYTE.test(lower) ? lower.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : lower;
}

function negate(amount: ExactAmount): ExactAmount {
  if (amount.text.startsWith('-')) return { text: amount.text.slice(1), scale: amount.scale };
  if (/^[0.]+$/.test(amount.text)) return amount;
  return { text: `-${amount.text}`, scale: amount.scale };
}

function absolute(amount: ExactAmount): ExactAmount {
  return amount.text.startsWith('-') ? negate(amount) : amount;
}

function isZero(amount: ExactAmount): boolean {
  return /^-?[0.]+$/.test(amount.text);
}

/** Excel serial day numbers (1900 date system) in a date column of an XLSX sheet. */
function excelSerialDate(decimal: string): string | null {
  const days = Number.parseInt(decimal, 10);
  if (!Number.isSafeInteger(days) || days < 1 || days > 2958465) return null;
  const date = new Date(Date.UTC(1899, 11, 30) + days * 86_400_000);
  return isoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

export class RowReader {
  private readonly mapping: BankCsvMapping | null;
  private readonly dates = new DateReader();
  private readonly dateFormat: DateFormat | null;
  private readonly valueDateFormat: DateFormat | null;
  private decimal: DecimalSeparator | null;
  private readonly thousands: string | null;
  private readonly debitWords: ReadonlySet<string>;
  private readonly creditWords: ReadonlySet<string>;
  private readonly builder: StatementBuilder;
  private plan: ColumnPlan | null = null;
  private rowsSeen = 0;
  private preambleRows = 0;
  private headerCandidate: { cells: string[]; line: number } | null = null;
  private preambleAccount: string | null = null;
  private preambleCurrency: string | null = null;
  private labeled: StatementBalances = { opening: null, closing: null };
  private pending: PendingRow[] = [];
  private pendingNeeds = 0;
  /** The last entry, kept one row back for continuation rows (see `hold`). */
  private held: BankEntry | null = null;
  private heldAmount: ExactAmount | null = null;
  private heldBalance = '';
  private heldBalanceNumeric = false;
  private heldAccount: string | null = null;
  private heldLine = 0;
  private skipped = 0;
  private firstSkippedLine = 0;
  private continued = 0;
  private lastCurrencyRaw = '';
  private lastCurrency = '';
  private history: {
    first: string | null;
    last: string | null;
    from: string | null;
    to: string | null;
  } | null = null;

  constructor(private readonly setup: RowReaderSetup) {
    const mapping = setup.mapping;
    this.mapping = mapping;
    this.dateFormat = mapping?.dateFormat ? (compileDateFormat(mapping.dateFormat) as DateFormat) : null;
    this.valueDateFormat = mapping?.valueDateFormat
      ? (compileDateFormat(mapping.valueDateFormat) as DateFormat)
      : this.dateFormat;
    this.decimal = mapping?.decimalSeparator ?? null;
    this.thousands = mapping?.thousandsSeparator ?? null;
    const values = mapping?.indicatorValues;
    this.debitWords = values ? new Set(values.debit.map(foldIndicator)) : DEBIT_WORDS;
    this.creditWords = values ? new Set(values.credit.map(foldIndicator)) : CREDIT_WORDS;
    this.builder = new StatementBuilder(setup.sink, {
      fileName: setup.fileName,
      strict: setup.strict,
      currency: null,
      balanceOrder: mapping?.balanceOrder ?? null,
      extras: setup.extras,
      readBalance: (raw, line, numeric) => this.readBalance(raw, line, numeric),
    });
  }

  /** One CSV record or XLSX row; `numeric` marks XLSX cells that were numbers (exact decimal strings). */
  row(cells: string[], line: number, numeric: boolean[] | null = null): void {
    if (this.plan === null) {
      this.headerPhase(cells, line, numeric);
      return;
    }
    if (this.pending.length > 0) {
      this.pending.push({ cells, line, numeric });
      this.pendingNeeds |= this.observe(cells, numeric);
      this.drainIfDecided();
      return;
    }
    const need = this.dataRow(cells, line, numeric);
    if (need !== 0) {
      this.pending.push({ cells, line, numeric });
      this.pendingNeeds |= need;
    }
  }

  /** End of input: settles what is still undecided, flushes the last entry and ends the statement. */
  finish(): void {
    if (this.plan === null) {
      if (this.rowsSeen === 0) {
        throw new ParseError('empty', { file: this.setup.fileName, line: 1 }, 'the file has no rows');
      }
      throw noHeaderError(this.setup.fileName, this.headerCandidate, this.mapping);
    }
    if (this.pending.length > 0) this.settleByFallback();
    this.flushHeld();
    if (this.history !== null) this.endHistory();
    if (!this.builder.isOpen)
      this.builder.begin(this.mapping?.account ?? this.preambleAccount, this.rowsSeen);
    this.builder.end(this.labeled);
    this.reportSkipped();
  }

  // ---- header and preamble ----

  private headerPhase(cells: string[], line: number, numeric: boolean[] | null): void {
    this.rowsSeen++;
    const mapping = this.mapping;
    const skip = mapping?.skipRows ?? 0;
    if (this.rowsSeen <= skip) {
      this.notePreamble(cells.map((c) => c.trim()));
      return;
    }
    if (mapping?.hasHeader === false) {
      const headers = syntheticHeaders(mapping);
      this.startData(headers, effectiveRoles(null, mapping), line);
      this.row(cells, line, numeric);
      return;
    }
    const decoded = cells.map((c) => c.trim());
    if (decoded.every((c) => c.length === 0)) return;
    const roles = effectiveRoles(decoded, mapping);
    if (looksLikeHeader(roles) && missingMappedNames(mapping, decoded).length === 0) {
      this.startData(decoded, roles, line);
      return;
    }
    this.notePreamble(decoded);
    const filled = decoded.filter((c) => c.length > 0).length;
    if (
      this.headerCandidate === null ||
      filled > this.headerCandidate.cells.filter((c) => c.length > 0).length
    ) {
      this.headerCandidate = { cells: decoded, line };
    }
    this.preambleRows++;
    if (this.preambleRows > MAX_PREAMBLE_ROWS || skip > 0) {
      throw noHeaderError(this.setup.fileName, this.headerCandidate, mapping);
    }
  }

  private startData(headers: string[], roles: Map<string, number[]>, line: number): void {
    const plan = buildPlan(headers, roles, this.mapping);
    if (plan.date < 0 || (plan.amount < 0 && plan.debit < 0 && plan.credit < 0 && !plan.balanceHistory)) {
      throw noHeaderError(this.setup.fileName, { cells: headers, line }, this.mapping);
    }
    this.plan = plan;
    if (plan.currency < 0) {
      this.builder.setCurrency(this.mapping?.currency ?? plan.headerCurrency ?? this.preambleCurrency);
    }
    if (plan.balanceHistory) this.history = { first: null, last: null, from: null, to: null };
  }

  /** Account, currency and balances written above the header (`Konto;DE12…`, `Currency: EUR`). */
  private notePreamble(decoded: string[]): void {
    for (const { kind, values } of labeledValues(decoded)) {
      if (kind === 'account' && this.preambleAccount === null) this.preambleAccount = values[0] ?? null;
      else if (kind === 'currency' && this.preambleCurrency === null) {
        const code = (values[0] ?? '').toUpperCase();
        if (/^[A-Z]{3}$/.test(code)) this.preambleCurrency = code;
      } else if (kind === 'opening' || kind === 'closing') this.noteLabeledBalance(kind, values);
    }
  }

  private noteLabeledBalance(kind: 'opening' | 'closing', values: string[]): void {
    for (const value of values) {
      const amount = parseAmount(value, this.decimal ?? this.fallbackDecimal(), this.thousands);
      if (amount !== null && /\d/.test(value) && !/^\d{1,4}[./-]\d{1,2}[./-]\d{2,4}$/.test(value)) {
        this.labeled = { ...this.labeled, [kind]: amount };
        return;
      }
    }
  }

  // ---- data rows ----

  /** Converts and emits one row; returns what it still needs to know (NEED_*) or 0 when done. */
  private dataRow(cells: string[], line: number, numeric: boolean[] | null): number {
    const plan = this.plan!;
    if (isBlank(cells)) return 0;
    const dateRaw = this.raw(cells, plan.date);
    const date =
      dateRaw.length === 0 ? DATE_INVALID : this.readDate(dateRaw, numeric, plan.date, this.dateFormat);
    if (date === DATE_NEEDS_ORDER) return NEED_DATE;
    if (date === DATE_CONFLICT) throw this.orderConflict(line, plan.date, dateRaw);
    if (date === DATE_INVALID) {
      this.nonTransactionRow(cells, line, dateRaw);
      return 0;
    }
    if (this.history !== null) return this.historyRow(cells, line, numeric, date);
    const amount = this.rowAmount(cells, line, numeric);
    if (typeof amount === 'number') return amount;
    const valueDate = this.optionalDate(cells, line, numeric, plan.valueDate);
    if (typeof valueDate === 'number') return valueDate;
    const balance = plan.balance >= 0 ? this.raw(cells, plan.balance) : '';
    const entry = this.buildEntry(cells, date, valueDate, amount);
    this.hold(entry, amount, balance, numeric?.[plan.balance] === true, cells, line);
    return 0;
  }

  private readDate(
    raw: string,
    numeric: boolean[] | null,
    column: number,
    format: DateFormat | null,
  ): string | DateProblem {
    if (numeric?.[column]) return excelSerialDate(raw) ?? DATE_INVALID;
    return this.dates.read(raw, format);
  }

  private optionalDate(
    cells: string[],
    line: number,
    numeric: boolean[] | null,
    column: number,
  ): string | null | number {
    if (column < 0) return null;
    const raw = this.raw(cells, column);
    if (raw.length === 0) return null;
    const date = this.readDate(raw, numeric, column, this.valueDateFormat);
    if (date === DATE_NEEDS_ORDER) return NEED_DATE;
    if (date === DATE_CONFLICT) throw this.orderConflict(line, column, raw);
    if (date === DATE_INVALID) throw this.dateError(line, column, raw, this.valueDateFormat);
    return date;
  }

  /** The signed amount of a row: amount column (with indicator) or debit/credit columns; or what it needs. */
  private rowAmount(cells: string[], line: number, numeric: boolean[] | null): ExactAmount | number {
    const plan = this.plan!;
    let amount: ExactAmount;
    if (plan.amount >= 0) {
      const read = this.amountCell(cells, line, numeric, plan.amount, true);
      if (typeof read === 'number') return read;
      amount = this.applyIndicator(read!, cells, line);
    } else {
      const split = this.debitCredit(cells, line, numeric);
      if (typeof split === 'number') return split;
      amount = split;
    }
    return this.mapping?.invertSign ? negate(amount) : amount;
  }

  private debitCredit(cells: string[], line: number, numeric: boolean[] | null): ExactAmount | number {
    const plan = this.plan!;
    const debit = plan.debit >= 0 ? this.amountCell(cells, line, numeric, plan.debit, false) : null;
    if (typeof debit === 'number') return debit;
    const credit = plan.credit >= 0 ? this.amountCell(cells, line, numeric, plan.credit, false) : null;
    if (typeof credit === 'number') return credit;
    const useDebit = debit !== null && !(credit !== null && isZero(debit) && !isZero(credit));
    const useCredit = credit !== null && !(debit !== null && isZero(credit) && !isZero(debit));
    if (useDebit && useCredit && !(isZero(debit) && isZero(credit))) {
      throw new ParseError(
        'amount',
        {
          file: this.setup.fileName,
          ...this.setup.locate(line, plan.debit),
          field: this.columnName(plan.debit),
          expected: 'an amount in either the debit or the credit column',
          found: `${this.raw(cells, plan.debit)} / ${this.raw(cells, plan.credit)}`,
        },
        'both the debit and the credit column hold an amount',
      );
    }
    if (useDebit) return negate(absolute(debit));
    if (credit !== null) return credit;
    const column = plan.debit >= 0 ? plan.debit : plan.credit;
    throw new ParseError(
      'amount',
      {
        file: this.setup.fileName,
        ...this.setup.locate(line, column),
        field: this.columnName(column),
        expected: 'an amount in the debit or the credit column',
        found: '',
      },
      'the row has no amount',
    );
  }

  /** Reads an amount cell; null when empty and not required; NEED_DECIMAL when the separator is unknown. */
  private amountCell(
    cells: string[],
    line: number,
    numeric: boolean[] | null,
    column: number,
    required: boolean,
  ): ExactAmount | null | number {
    const raw = this.raw(cells, column);
    if (raw.length === 0) {
      if (!required) return null;
      throw this.amountError(line, column, raw, 'the row has no amount');
    }
    if (numeric?.[column]) {
      const exact = parseAmount(raw, '.', '');
      if (exact === null) throw this.amountError(line, column, raw, 'unreadable amount');
      return exact;
    }
    if (this.decimal === null) {
      const evidence = decimalEvidence(raw);
      if (evidence !== null) this.decimal = evidence;
      else if (raw.includes(',') || raw.includes('.')) return NEED_DECIMAL;
    }
    const amount = parseAmount(raw, this.decimal ?? '.', this.thousands);
    if (amount === null) throw this.amountError(line, column, raw, 'unreadable amount');
    return amount;
  }

  /** D/C, Af/Bij, S/H, debit/credit: a debit is negative whatever the written sign, a credit as written. */
  private applyIndicator(amount: ExactAmount, cells: string[], line: number): ExactAmount {
    const plan = this.plan!;
    if (plan.indicatorState === 'off') return amount;
    const raw = this.raw(cells, plan.indicator);
    const word = foldIndicator(raw);
    const debit = this.debitWords.has(word);
    const credit = !debit && this.creditWords.has(word);
    if (plan.indicatorState === 'undecided') {
      // A "Type" column is an indicator only when its first value is one.
      plan.indicatorState = debit || credit ? 'on' : 'off';
      if (plan.indicatorState === 'off') {
        if (plan.transactionCode < 0) plan.transactionCode = plan.indicator;
        return amount;
      }
    }
    if (debit) return negate(absolute(amount));
    if (credit) return amount;
    throw new ParseError(
      'indicator',
      {
        file: this.setup.fileName,
        ...this.setup.locate(line, plan.indicator),
        field: this.columnName(plan.indicator),
        expected: `a debit/credit indicator (${[...this.debitWords].slice(0, 6).join(', ')} / ${[...this.creditWords].slice(0, 6).join(', ')})`,
        found: raw,
      },
      'unknown debit/credit indicator',
    );
  }

  private buildEntry(
    cells: string[],
    date: string,
    valueDate: string | null,
    amount: ExactAmount,
  ): BankEntry {
    const plan = this.plan!;
    const reference = this.text(cells, plan.remittanceReference);
    const counterparty = {
      name: this.text(cells, plan.payee),
      account: this.text(cells, plan.counterpartyAccount),
      bank: this.text(cells, plan.counterpartyBank),
    };
    const remittance = { references: reference === null ? [] : [reference], text: this.joinedText(cells) };
    const currency = this.entryCurrency(cells);
    const code = this.text(cells, plan.transactionCode);
    const bankReference = this.text(cells, plan.reference);
    const endToEnd = this.text(cells, plan.endToEndId);
    const entry: BankEntry = {
      booking_date: date,
      value_date: valueDate,
      amount: amount.text,
      currency,
      bank_transaction_code: code,
      bank_reference: bankReference,
      end_to_end_id: endToEnd,
      counterparty,
      remittance,
    };
    if (plan.checkNumber >= 0) entry.check_number = this.text(cells, plan.checkNumber);
    return entry;
  }

  private entryCurrency(cells: string[]): string | null {
    if (this.plan!.currency >= 0) {
      const value = this.raw(cells, this.plan!.currency);
      if (value.length > 0) {
        if (value !== this.lastCurrencyRaw) {
          this.lastCurrencyRaw = value;
          this.lastCurrency = value.toUpperCase();
        }
        return this.lastCurrency;
      }
    }
    return this.mapping?.currency ?? this.plan!.headerCurrency ?? this.preambleCurrency;
  }

  private joinedText(cells: string[]): string | null {
    const columns = this.plan!.text;
    if (columns.length === 1) return this.text(cells, columns[0]!);
    let joined: string | null = null;
    for (const column of columns) {
      const part = this.text(cells, column);
      if (part !== null) joined = joined === null ? part : `${joined} ${part}`;
    }
    return joined;
  }

  /** Keeps the entry one row back, so that a following continuation row can extend its text. */
  private hold(
    entry: BankEntry,
    amount: ExactAmount,
    balance: string,
    balanceNumeric: boolean,
    cells: string[],
    line: number,
  ): void {
    this.flushHeld();
    this.heldBalanceNumeric = balanceNumeric;
    const plan = this.plan!;
    const account =
      this.mapping?.account ??
      (plan.account >= 0 ? this.text(cells, plan.account) : null) ??
      this.preambleAccount;
    // Fields rather than an object: no allocation per row.
    this.held = entry;
    this.heldAmount = amount;
    this.heldBalance = balance;
    this.heldAccount = account;
    this.heldLine = line;
  }

  private flushHeld(): void {
    const entry = this.held;
    if (entry === null) return;
    this.held = null;
    const builder = this.builder;
    if (!builder.isOpen) {
      builder.begin(this.heldAccount, this.heldLine);
    } else if (this.plan!.account >= 0 && this.heldAccount !== builder.currentAccount) {
      builder.end(this.takeLabeled());
      builder.begin(this.heldAccount, this.heldLine);
    }
    builder.add(entry, this.heldAmount!, this.heldBalance, this.heldLine, this.heldBalanceNumeric);
  }

  private takeLabeled(): StatementBalances {
    const labeled = this.labeled;
    this.labeled = { opening: null, closing: null };
    return labeled;
  }

  /**
   * A row without a readable date: a notice line ("Posted Transactions"), a totals/balance footer, a
   * continuation of the previous entry's text, or an error.
   */
  private nonTransactionRow(cells: string[], line: number, dateRaw: string): void {
    const plan = this.plan!;
    const decoded = cells.map((c) => c.trim());
    const filled = decoded.filter((c) => c.length > 0);
    const amountColumns = [plan.amount, plan.debit, plan.credit].filter((c) => c >= 0);
    const hasAmount = amountColumns.some((c) => (decoded[c] ?? '').length > 0);
    if (filled.length > 0 && isSummaryLabel(filled[0]!)) {
      for (const { kind, values } of labeledValues(decoded)) {
        if (kind === 'opening' || kind === 'closing') this.noteLabeledBalance(kind, values);
      }
      this.noteSkipped(line);
      return;
    }
    if (
      !hasAmount &&
      dateRaw.length === 0 &&
      this.held !== null &&
      plan.text.some((c) => (decoded[c] ?? '').length > 0)
    ) {
      this.continueText(decoded);
      return;
    }
    if (!hasAmount && filled.length <= 1) {
      this.noteSkipped(line);
      return;
    }
    throw this.dateError(line, plan.date, dateRaw, this.dateFormat);
  }

  private continueText(decoded: string[]): void {
    const held = this.held!;
    const more = this.plan!.text.map((c) => decoded[c] ?? '')
      .filter((t) => t.length > 0)
      .join(' ');
    const current = held.remittance.text;
    held.remittance.text = current ? `${current} ${more}` : more;
    this.continued++;
  }

  private noteSkipped(line: number): void {
    if (this.skipped === 0) this.firstSkippedLine = line;
    this.skipped++;
  }

  private reportSkipped(): void {
    const sink = this.setup.sink;
    if (this.skipped > 0) {
      sink.warning({
        code: 'bank-deviation',
        message: `skipped ${this.skipped} line(s) that are not transactions (notices, totals, balances), first at line ${this.firstSkippedLine}`,
        line: this.firstSkippedLine,
      });
    }
    if (this.continued > 0) {
      sink.warning({
        code: 'bank-deviation',
        message: `${this.continued} row(s) without date and amount continue the previous entry's description`,
      });
    }
  }

  /** A running-balance cell, read when the statement ends (see StatementDefaults.readBalance). */
  private readBalance(raw: string, line: number, numeric: boolean): ExactAmount {
    const column = this.plan!.balance;
    const amount = numeric
      ? parseAmount(raw, '.', '')
      : parseAmount(raw, this.decimal ?? this.fallbackDecimal(), this.thousands);
    if (amount === null) throw this.amountError(line, column, raw, 'unreadable balance');
    return amount;
  }

  // ---- balance-history exports ----

  private historyRow(cells: string[], line: number, numeric: boolean[] | null, date: string): number {
    const plan = this.plan!;
    const history = this.history!;
    const start = this.historyBalance(cells, line, numeric, plan.startBalance);
    if (typeof start === 'number') return start;
    const end = this.historyBalance(cells, line, numeric, plan.endBalance);
    if (typeof end === 'number') return end;
    if (history.from === null) {
      history.from = date;
      history.first = start?.text ?? null;
    }
    history.to = date;
    history.last = end?.text ?? null;
    return 0;
  }

  private historyBalance(
    cells: string[],
    line: number,
    numeric: boolean[] | null,
    column: number,
  ): ExactAmount | null | number {
    if (column < 0) return null;
    if (UNKNOWN_BALANCE.has(this.raw(cells, column).toLowerCase())) return null;
    return this.amountCell(cells, line, numeric, column, false);
  }

  private endHistory(): void {
    const history = this.history!;
    this.setup.sink.warning({
      code: 'no-transactions',
      message: 'balance-history export: balances only, no transaction rows',
    });
    this.builder.begin(this.mapping?.account ?? this.preambleAccount, 1);
    const opening = history.first === null ? null : parseAmount(history.first, '.', '');
    const closing = history.last === null ? null : parseAmount(history.last, '.', '');
    this.labeled = { opening: this.labeled.opening ?? opening, closing: this.labeled.closing ?? closing };
  }

  // ---- undecided formats ----

  /** What a waiting row needs; also lets it prove the order or the separator for the file. */
  private observe(cells: string[], numeric: boolean[] | null): number {
    const plan = this.plan!;
    let need = 0;
    for (const column of [plan.date, plan.valueDate]) {
      if (column < 0 || numeric?.[column]) continue;
      const format = column === plan.date ? this.dateFormat : this.valueDateFormat;
      const raw = this.raw(cells, column);
      if (raw.length > 0 && this.dates.read(raw, format) === DATE_NEEDS_ORDER) need |= NEED_DATE;
    }
    if (this.decimal === null) {
      for (const column of [plan.amount, plan.debit, plan.credit, plan.balance]) {
        if (column < 0 || numeric?.[column]) continue;
        const raw = this.raw(cells, column);
        const evidence = decimalEvidence(raw);
        if (evidence !== null) this.decimal = evidence;
        else if (raw.includes(',') || raw.includes('.')) need |= NEED_DECIMAL;
      }
    }
    return need;
  }

  private drainIfDecided(): void {
    const needs = this.pendingNeeds;
    const dateOk = (needs & NEED_DATE) === 0 || this.dates.order !== null;
    const decimalOk = (needs & NEED_DECIMAL) === 0 || this.decimal !== null;
    if (dateOk && decimalOk) {
      this.drain();
    } else if (this.pending.length >= MAX_PENDING_ROWS) {
      this.settleByFallback();
    }
  }

  private drain(): void {
    const rows = this.pending;
    this.pending = [];
    this.pendingNeeds = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const need = this.dataRow(row.cells, row.line, row.numeric);
      if (need !== 0) {
        this.pending = rows.slice(i);
        this.pendingNeeds = this.pending.reduce((acc, r) => acc | this.observe(r.cells, r.numeric), 0);
        return;
      }
    }
  }

  /** Nothing in the file decides: take the likeliest reading and say so. */
  private settleByFallback(): void {
    const plan = this.plan!;
    if ((this.pendingNeeds & NEED_DECIMAL) !== 0 && this.decimal === null) {
      this.decimal = this.fallbackDecimal();
      this.setup.sink.warning({
        code: 'ambiguous-format',
        message: `amounts such as 1,234 or 1.234 could not be told apart; read "${this.decimal}" as the decimal separator (set decimalSeparator in a mapping to be sure)`,
        line: this.pending[0]?.line,
      });
    }
    if ((this.pendingNeeds & NEED_DATE) !== 0 && this.dates.order === null) {
      const samples = this.pending.map((r) => this.raw(r.cells, plan.date)).filter((s) => s.length > 0);
      const order = DateReader.orderFromSequence(samples) ?? this.fallbackOrder(samples[0] ?? '');
      this.dates.order = order;
      this.setup.sink.warning({
        code: 'ambiguous-format',
        message: `no date in the file shows whether it is day/month or month/day; read ${order === 'DM' ? 'DD/MM' : 'MM/DD'} (set dateFormat in a mapping to be sure)`,
        line: this.pending[0]?.line,
      });
    }
    const rows = this.pending;
    this.pending = [];
    this.pendingNeeds = 0;
    for (const row of rows) this.dataRow(row.cells, row.line, row.numeric);
  }

  private fallbackDecimal(): DecimalSeparator {
    return this.setup.delimiter === ';' || this.dates.order === 'DM' ? ',' : '.';
  }

  /** Dotted dates (05.03.2024) are day-first everywhere; slashes with decimal points are US month-first. */
  private fallbackOrder(sample: string): DayMonthOrder {
    if (sample.includes('.') || this.decimal === ',' || this.setup.delimiter === ';') return 'DM';
    return sample.includes('/') ? 'MD' : 'DM';
  }

  // ---- cells and errors ----

  private raw(cells: string[], column: number): string {
    if (column < 0 || column >= cells.length) return '';
    return cells[column]!.trim();
  }

  private text(cells: string[], column: number): string | null {
    if (column < 0 || column >= cells.length) return null;
    const cell = cells[column]!;
    if (cell.length === 0) return null;
    const value = cell.trim();
    return value.length === 0 ? null : value;
  }

  private columnName(column: number): string {
    const header = this.plan?.headers[column];
    return header && header.length > 0 ? header : `column ${column + 1}`;
  }

  private dateError(line: number, column: number, found: string, format: DateFormat | null): ParseError {
    const expected = format
      ? `a date as ${format.source}`
      : 'a date such as YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or DD-MMM-YYYY';
    return new ParseError(
      'date',
      {
        file: this.setup.fileName,
        ...this.setup.locate(line, column),
        field: this.columnName(column),
        expected,
        found,
      },
      found.length === 0 ? 'missing date' : 'unreadable date',
    );
  }

  private orderConflict(line: number, column: number, found: string): ParseError {
    const order = this.dates.order === 'DM' ? 'DD/MM' : 'MM/DD';
    return new ParseError(
      'date',
      {
        file: this.setup.fileName,
        ...this.setup.locate(line, column),
        field: this.columnName(column),
        expected: `a date in the file's ${order} order${this.dates.orderProof ? ` (proven by ${JSON.stringify(this.dates.orderProof)})` : ''}`,
        found,
      },
      'dates of the file disagree on day/month order; give dateFormat in a mapping',
    );
  }

  private amountError(line: number, column: number, found: string, detail: string): ParseError {
    const expected =
      this.decimal === ','
        ? 'an amount such as -1.234,56'
        : this.decimal === '.'
          ? 'an amount such as -1,234.56'
          : 'an amount such as -1234.56 or -1.234,56';
    return new ParseError(
      'amount',
      {
        file: this.setup.fileName,
        ...this.setup.locate(line, column),
        field: this.columnName(column),
        expected,
        found,
      },
      detail,
    );
  }
}

function isBlank(cells: string[]): boolean {
  const first = cells[0];
  if (first !== undefined && first.length > 0 && first.charCodeAt(0) > 32) return false;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell.length > 0 && cell.trim().length > 0) return false;
  }
  return true;
}
