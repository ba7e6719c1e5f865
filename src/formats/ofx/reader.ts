/**
 * OFX semantics on top of the tokenizer: one statement per bank `STMTRS` or credit-card `CCSTMTRS`,
 * one entry per `STMTTRN`, closing balance from `LEDGERBAL/BALAMT` (OFX has no opening balance).
 * Investment statements (`INVSTMTRS`) are skipped. Leaves are attributed to the innermost known
 * aggregate, so an unclosed empty SGML element of unknown name cannot hide its siblings.
 */
import { minorUnitExponent } from '../../money/index.js';
import { ParseError } from '../errors.js';
import type { BankEntry, ParseOptions, ParseSink, StatementInfo } from '../model.js';
import type { OfxEvents, Position } from './tokenizer.js';
import { formatAmount, type OfxAmount, readAmount, readDate } from './values.js';

const DEFAULT_EXPONENT = 2;

/** Aggregates the reader follows; every other element only matters through its leaves. */
type Context =
  | 'STMTRS'
  | 'CCSTMTRS'
  | 'BANKACCTFROM'
  | 'CCACCTFROM'
  | 'BANKTRANLIST'
  | 'STMTTRN'
  | 'PAYEE'
  | 'CURRENCY'
  | 'ORIGCURRENCY'
  | 'BANKACCTTO'
  | 'CCACCTTO'
  | 'LEDGERBAL'
  | 'AVAILBAL'
  | 'INVSTMTRS';

const CONTEXTS: ReadonlySet<string> = new Set<Context>([
  'STMTRS',
  'CCSTMTRS',
  'BANKACCTFROM',
  'CCACCTFROM',
  'BANKTRANLIST',
  'STMTTRN',
  'PAYEE',
  'CURRENCY',
  'ORIGCURRENCY',
  'BANKACCTTO',
  'CCACCTTO',
  'LEDGERBAL',
  'AVAILBAL',
  'INVSTMTRS',
]);

interface StatementState {
  index: number;
  kind: 'bank' | 'creditcard';
  path: string;
  line: number;
  currency: string | null;
  exponent: number;
  account: string | null;
  bankId: string | null;
  branchId: string | null;
  accountType: string | null;
  startDate: string | null;
  endDate: string | null;
  ledger: OfxAmount | null;
  ledgerDate: string | null;
  available: OfxAmount | null;
  availableDate: string | null;
  entries: number;
}

interface EntryState {
  path: string;
  line: number;
  type: string | null;
  posted: string | null;
  user: string | null;
  available: string | null;
  amount: OfxAmount | null;
  fitId: string | null;
  checkNumber: string | null;
  refNumber: string | null;
  name: string | null;
  payeeName: string | null;
  extendedName: string | null;
  memo: string | null;
  currency: string | null;
  originalCurrency: string | null;
  rate: string | null;
  sic: string | null;
  payeeId: string | null;
  serverId: string | null;
  correctFitId: string | null;
  correctAction: string | null;
  toAccount: string | null;
  toBank: string | null;
}

export class OfxReader implements OfxEvents {
  private readonly fileName: string;
  private readonly contexts: Context[] = [];
  private readonly deviations = new Set<string>();
  private statement: StatementState | null = null;
  private entry: EntryState | null = null;
  private statements = 0;
  private investmentDepth = 0;
  private position: Position | null = null;

  constructor(
    options: ParseOptions,
    private readonly sink: ParseSink,
  ) {
    this.fileName = options.fileName;
  }

  attach(position: Position): void {
    this.position = position;
  }

  open(name: string): void {
    if (!CONTEXTS.has(name)) return;
    const context = name as Context;
    this.contexts.push(context);
    if (context === 'INVSTMTRS') {
      this.investmentDepth++;
      return;
    }
    if (this.investmentDepth > 0) return;
    if (context === 'STMTRS' || context === 'CCSTMTRS') {
      if (this.statement !== null) throw this.nested(name, 'a statement inside a statement');
      this.beginStatement(context);
    } else if (context === 'STMTTRN' && this.statement !== null) {
      if (this.entry !== null) throw this.nested(name, 'a transaction inside a transaction');
      this.beginEntry();
    }
  }

  close(name: string): void {
    if (!CONTEXTS.has(name)) return;
    const context = this.contexts.pop();
    if (context === 'INVSTMTRS') {
      this.investmentDepth--;
      return;
    }
    if (this.investmentDepth > 0) return;
    if (context === 'STMTTRN' && this.entry !== null) this.endEntry();
    else if ((context === 'STMTRS' || context === 'CCSTMTRS') && this.statement !== null) this.endStatement();
  }

  leaf(name: string, value: string): void {
    if (this.investmentDepth > 0) return;
    const context = this.contexts.length > 0 ? this.contexts[this.contexts.length - 1]! : null;
    const entry = this.entry;
    if (entry !== null) {
      this.entryLeaf(entry, context, name, value);
      return;
    }
    const statement = this.statement;
    if (statement !== null) this.statementLeaf(statement, context, name, value);
  }

  /** End of input: warnings about what the tokenizer skipped. */
  finish(strayText: number): void {
    if (strayText > 0) {
      this.deviation('stray-text', `${strayText} piece(s) of text outside any element value were ignored`);
    }
  }

  // ------------------------------------------------------------------ statements

  private beginStatement(context: 'STMTRS' | 'CCSTMTRS'): void {
    this.statement = {
      index: this.statements++,
      kind: context === 'STMTRS' ? 'bank' : 'creditcard',
      path: this.path(),
      line: this.line(),
      currency: null,
      exponent: DEFAULT_EXPONENT,
      account: null,
      bankId: null,
      branchId: null,
      accountType: null,
      startDate: null,
      endDate: null,
      ledger: null,
      ledgerDate: null,
      available: null,
      availableDate: null,
      entries: 0,
    };
    this.sink.beginStatement();
  }

  private statementLeaf(
    statement: StatementState,
    context: Context | null,
    name: string,
    value: string,
  ): void {
    switch (context) {
      case 'STMTRS':
      case 'CCSTMTRS':
        if (name === 'CURDEF') this.setCurrency(statement, value, name);
        return;
      case 'BANKACCTFROM':
      case 'CCACCTFROM':
        if (name === 'ACCTID') statement.account = value.length > 0 ? value : null;
        else if (name === 'BANKID') statement.bankId = value || null;
        else if (name === 'BRANCHID') statement.branchId = value || null;
        else if (name === 'ACCTTYPE') statement.accountType = value || null;
        return;
      case 'BANKTRANLIST':
        if (name === 'DTSTART') statement.startDate = this.date(value, name, false);
        else if (name === 'DTEND') statement.endDate = this.date(value, name, false);
        return;
      case 'LEDGERBAL':
        if (name === 'BALAMT') statement.ledger = this.amount(value, name, true);
        else if (name === 'DTASOF') statement.ledgerDate = this.date(value, name, false);
        return;
      case 'AVAILBAL':
        if (name === 'BALAMT') statement.available = this.amount(value, name, true);
        else if (name === 'DTASOF') statement.availableDate = this.date(value, name, false);
        return;
    }
  }

  private setCurrency(statement: StatementState, value: string, name: string): void {
    try {
      statement.exponent = minorUnitExponent(value);
      statement.currency = value;
    } catch (cause) {
      throw this.error('bad-field', name, 'ISO 4217 currency code', value, 'unreadable currency', cause);
    }
  }

  private endStatement(): void {
    const statement = this.statement!;
    this.statement = null;
    if (statement.account === null) {
      throw new ParseError(
        'missing-field',
        {
          file: this.fileName,
          path: `${statement.path}/${statement.kind === 'bank' ? 'BANKACCTFROM' : 'CCACCTFROM'}/ACCTID`,
          line: statement.line,
          field: 'ACCTID',
          expected: 'the account of the statement',
        },
        'statement without account',
      );
    }
    if (statement.currency === null) {
      throw new ParseError(
        'missing-field',
        {
          file: this.fileName,
          path: `${statement.path}/CURDEF`,
          line: statement.line,
          field: 'CURDEF',
          expected: 'the statement currency',
        },
        'statement without default currency',
      );
    }
    const e = statement.exponent;
    const info: StatementInfo = {
      account: statement.account,
      currency: statement.currency,
      opening_balance: null,
      closing_balance: statement.ledger === null ? null : formatAmount(statement.ledger, e),
      statement_kind: statement.kind,
      bank_id: statement.bankId,
      branch_id: statement.branchId,
      account_type: statement.accountType,
      start_date: statement.startDate,
      end_date: statement.endDate,
      closing_date: statement.ledgerDate,
      available_balance: statement.available === null ? null : formatAmount(statement.available, e),
      available_date: statement.availableDate,
      line: statement.line,
    };
    this.sink.endStatement(info);
  }

  // ------------------------------------------------------------------ entries

  private beginEntry(): void {
    this.entry = {
      path: this.path(),
      line: this.line(),
      type: null,
      posted: null,
      user: null,
      available: null,
      amount: null,
      fitId: null,
      checkNumber: null,
      refNumber: null,
      name: null,
      payeeName: null,
      extendedName: null,
      memo: null,
      currency: null,
      originalCurrency: null,
      rate: null,
      sic: null,
      payeeId: null,
      serverId: null,
      correctFitId: null,
      correctAction: null,
      toAccount: null,
      toBank: null,
    };
  }

  private entryLeaf(entry: EntryState, context: Context | null, name: string, value: string): void {
    const text = value.length > 0 ? value : null;
    switch (context) {
      case 'STMTTRN':
        this.transactionLeaf(entry, name, value, text);
        return;
      case 'PAYEE':
        if (name === 'NAME') entry.payeeName = text;
        return;
      case 'CURRENCY':
        if (name === 'CURSYM') entry.currency = this.currencyCode(value, name);
        else if (name === 'CURRATE') entry.rate = text;
        return;
      case 'ORIGCURRENCY':
        if (name === 'CURSYM') entry.originalCurrency = this.currencyCode(value, name);
        else if (name === 'CURRATE') entry.rate = text;
        return;
      case 'BANKACCTTO':
      case 'CCACCTTO':
        if (name === 'ACCTID') entry.toAccount = text;
        else if (name === 'BANKID') entry.toBank = text;
        return;
    }
  }

  private transactionLeaf(entry: EntryState, name: string, value: string, text: string | null): void {
    switch (name) {
      case 'TRNTYPE':
        entry.type = text;
        return;
      case 'DTPOSTED':
        entry.posted = this.date(value, name, true);
        return;
      case 'DTUSER':
        entry.user = this.date(value, name, false);
        return;
      case 'DTAVAIL':
        entry.available = this.date(value, name, false);
        return;
      case 'TRNAMT':
        entry.amount = this.amount(value, name, false);
        return;
      case 'FITID':
        entry.fitId = text;
        return;
      case 'CHECKNUM':
        entry.checkNumber = text;
        return;
      case 'REFNUM':
        entry.refNumber = text;
        return;
      case 'NAME':
        entry.name = text;
        return;
      case 'EXTDNAME':
        entry.extendedName = text;
        return;
      case 'MEMO':
        entry.memo = text;
        return;
      case 'SIC':
        entry.sic = text;
        return;
      case 'PAYEEID':
        entry.payeeId = text;
        return;
      case 'SRVRTID':
        entry.serverId = text;
        return;
      case 'CORRECTFITID':
        entry.correctFitId = text;
        return;
      case 'CORRECTACTION':
        entry.correctAction = text;
        return;
    }
  }

  private endEntry(): void {
    const entry = this.entry!;
    const statement = this.statement!;
    this.entry = null;
    if (entry.amount === null) throw this.missing(entry, 'TRNAMT', 'the transaction amount');
    if (entry.posted === null) throw this.missing(entry, 'DTPOSTED', 'the posting date');
    if (entry.fitId === null)
      this.deviation('no-fitid', `transaction without FITID at ${entry.path} (line ${entry.line})`);
    const exponent = entry.currency !== null ? minorUnitExponent(entry.currency) : statement.exponent;
    const references: string[] = [];
    if (entry.checkNumber !== null) references.push(entry.checkNumber);
    if (entry.refNumber !== null && entry.refNumber !== entry.checkNumber) references.push(entry.refNumber);
    const result: BankEntry = {
      booking_date: entry.posted,
      value_date: entry.available ?? entry.user,
      amount: formatAmount(entry.amount, exponent),
      currency: entry.currency ?? statement.currency,
      bank_transaction_code: entry.type,
      bank_reference: entry.fitId,
      end_to_end_id: null,
      counterparty: { name: entry.payeeName ?? entry.name, account: entry.toAccount, bank: entry.toBank },
      remittance: { references, text: entry.memo },
      check_number: entry.checkNumber,
      ref_number: entry.refNumber,
      user_date: entry.user,
      available_date: entry.available,
      line: entry.line,
    };
    if (entry.extendedName !== null) result.extended_name = entry.extendedName;
    if (entry.originalCurrency !== null) result.original_currency = entry.originalCurrency;
    if (entry.rate !== null) result.currency_rate = entry.rate;
    if (entry.sic !== null) result.sic = entry.sic;
    if (entry.payeeId !== null) result.payee_id = entry.payeeId;
    if (entry.serverId !== null) result.server_transaction_id = entry.serverId;
    if (entry.correctFitId !== null) result.correct_fitid = entry.correctFitId;
    if (entry.correctAction !== null) result.correct_action = entry.correctAction;
    statement.entries++;
    this.sink.entry(result);
  }

  // ------------------------------------------------------------------ values

  private amount(value: string, name: string, emptyIsNull: true): OfxAmount | null;
  private amount(value: string, name: string, emptyIsNull: false): OfxAmount;
  private amount(value: string, name: string, emptyIsNull: boolean): OfxAmount | null {
    if (value.length === 0 && emptyIsNull) return null;
    const amount = readAmount(value);
    if (amount === null) {
      throw this.error('bad-amount', name, 'a decimal amount such as -12.50', value, 'unreadable amount');
    }
    if (amount.comma)
      this.deviation(
        'decimal-comma',
        `decimal comma in ${name} "${value}" at ${this.path(name)} (line ${this.line()})`,
      );
    return amount;
  }

  private date(value: string, name: string, required: boolean): string | null {
    if (value.length === 0 && !required) return null;
    const date = readDate(value);
    if (date === null)
      throw this.error('bad-date', name, 'a date YYYYMMDD[HHMMSS[.XXX]][TZ]', value, 'unreadable date');
    return date;
  }

  private currencyCode(value: string, name: string): string {
    try {
      minorUnitExponent(value);
      return value;
    } catch (cause) {
      throw this.error('bad-field', name, 'ISO 4217 currency code', value, 'unreadable currency', cause);
    }
  }

  // ------------------------------------------------------------------ errors and warnings

  private path(leaf?: string): string {
    return this.position?.path(leaf) ?? '';
  }

  private line(): number {
    return this.position?.line() ?? 0;
  }

  private nested(name: string, detail: string): ParseError {
    return new ParseError(
      'structure',
      {
        file: this.fileName,
        line: this.line(),
        path: this.path(),
        field: name,
        expected: `</${name}> before the next <${name}>`,
      },
      detail,
    );
  }

  private missing(entry: EntryState, field: string, expected: string): ParseError {
    return new ParseError(
      'missing-field',
      { file: this.fileName, line: entry.line, path: `${entry.path}/${field}`, field, expected },
      `transaction without ${field}`,
    );
  }

  private error(
    code: string,
    field: string,
    expected: string,
    found: string,
    detail: string,
    cause?: unknown,
  ): ParseError {
    return new ParseError(
      code,
      { file: this.fileName, line: this.line(), path: this.path(field), field, expected, found },
      detail,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Known, unambiguous bank deviations: one warning per kind per file. */
  private deviation(kind: string, message: string): void {
    if (this.deviations.has(kind)) return;
    this.deviations.add(kind);
    this.sink.warning({
      code: 'bank-deviation',
      message: `${message} (further occurrences are not reported)`,
    });
  }
}
