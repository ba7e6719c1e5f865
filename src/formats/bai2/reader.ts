/**
 * The BAI2 / BTRS record state machine. Physical lines come in; each record is collected together
 * with its 88 continuations (a record is only interpreted once the next non-88 record starts), then
 * tokenized field by field with funds-type-aware consumption, checked against the record sequence
 * 01 (02 (03 16* 49)* 98)* 99, and streamed into the sink: one statement per 03 account.
 */
import { CurrencyError, minorUnitExponent } from '../../money/index.js';
import { ParseError } from '../errors.js';
import type { BankEntry, ParseOptions, ParseSink, StatementInfo } from '../model.js';
import {
  ACCOUNT_HEADER,
  ACCOUNT_TRAILER,
  CONTINUATION,
  DETAIL,
  FILE_HEADER,
  FILE_TRAILER,
  FieldCursor,
  FieldList,
  type FieldSource,
  findRecordEnd,
  GROUP_HEADER,
  GROUP_TRAILER,
  isBlankChar,
  recordCodeAt,
  skipBlanks,
} from './records.js';
import { counterpartyOf, customerReferences, extractTags } from './remittance.js';
import { type Direction, typeCodeDescription, typeCodeDirection } from './type-codes.js';
import {
  allDigits,
  checkTime,
  ExactSum,
  formatAmountText,
  formatMinorUnits,
  type Minor,
  negateMinor,
  parseAmountMinor,
  yymmddToIso,
} from './values.js';

interface Pending {
  code: number;
  line: number;
  pieces: string[];
  /** Characters collected so far, to keep one record (with its 88s) from growing without bound. */
  chars: number;
  /** The last piece ran to end of line without `/`: a following line without record code may continue it. */
  openAtEol: boolean;
}

interface FileState {
  sender: string;
  receiver: string;
  creationDate: string;
  creationTime: string | null;
  fileId: string;
  version: string | null;
  sum: ExactSum;
  groups: number;
}

interface GroupState {
  ultimateReceiver: string;
  originator: string;
  status: number;
  asOfDate: string;
  asOfTime: string | null;
  asOfDateModifier: string | null;
  currency: string;
  sum: ExactSum;
  accounts: number;
}

export interface Summary {
  type_code: string;
  description: string;
  amount: string | null;
  item_count: number | null;
  funds_type: string | null;
}

interface AccountState {
  number: string;
  currency: string;
  exponent: number;
  opening: string | null;
  closing: string | null;
  openingMinor: Minor | null;
  closingMinor: Minor | null;
  summaries: Summary[];
  /** Control total: every amount of the 03 and 16 records as written. */
  sum: ExactSum;
  /** Signed sum of the entries with a known direction, for the balance check. */
  entrySum: ExactSum;
  unknownDirectionEntries: number;
  /** The 03 record's total credits (100) and their 16 records, checked at the 49 (checkSideTotals). */
  credits: SideTotals;
  /** The 03 record's total debits (400) and their 16 records. */
  debits: SideTotals;
  line: number;
}

/** One side of an account: what the 03 record's total says, and what its 16 records add up to. */
interface SideTotals {
  /** The 03 total as written (either part may be blank), or null when there is none. */
  written: { amount: Minor | null; count: number | null } | null;
  details: number;
  detailSum: ExactSum;
}

const noSideTotals = (): SideTotals => ({ written: null, details: 0, detailSum: new ExactSum() });

interface FundsDetail {
  valueDate: string | null;
  valueTime: string | null;
  availability: { days: number; amount: string }[] | null;
}

/** Which records may follow which (by the last non-88 record code). */
const ALLOWED_AFTER: Readonly<Record<number, readonly number[]>> = {
  0: [FILE_HEADER],
  [FILE_HEADER]: [GROUP_HEADER, FILE_TRAILER],
  [GROUP_HEADER]: [ACCOUNT_HEADER, GROUP_TRAILER],
  [ACCOUNT_HEADER]: [DETAIL, ACCOUNT_TRAILER],
  [DETAIL]: [DETAIL, ACCOUNT_TRAILER],
  [ACCOUNT_TRAILER]: [ACCOUNT_HEADER, GROUP_TRAILER],
  [GROUP_TRAILER]: [GROUP_HEADER, FILE_TRAILER],
  [FILE_TRAILER]: [FILE_HEADER],
};

const RECORD_NAMES: Readonly<Record<number, string>> = {
  [FILE_HEADER]: '01 file header',
  [GROUP_HEADER]: '02 group header',
  [ACCOUNT_HEADER]: '03 account identifier',
  [DETAIL]: '16 transaction detail',
  [ACCOUNT_TRAILER]: '49 account trailer',
  [GROUP_TRAILER]: '98 group trailer',
  [FILE_TRAILER]: '99 file trailer',
};

const FUNDS_TYPES = new Set(['', 'Z', '0', '1', '2', 'S', 'V', 'D']);
const NO_FUNDS_DETAIL: FundsDetail = { valueDate: null, valueTime: null, availability: null };
/** One logical record (a 16 and its 88s) larger than this is not a bank file; it would only exhaust memory. */
const MAX_RECORD_CHARS = 1 << 20;
/** A `D` funds type announcing more distributions than this is malformed, not a reason to loop long. */
const MAX_DISTRIBUTIONS = 999;

export class Bai2Reader {
  private readonly fileName: string;
  private readonly lenient: boolean;
  private readonly strict: boolean;
  private readonly cursor = new FieldCursor();
  private readonly deviations = new Set<string>();
  /** Set once the input contained a byte >= 0x80: only then can text need UTF-8 re-decoding. */
  highBytes = false;

  private last = 0;
  private pending: Pending | null = null;
  private readonly valueDated: FundsDetail = { valueDate: null, valueTime: null, availability: null };
  private readonly spare: Pending = { code: 0, line: 0, pieces: [], chars: 0, openAtEol: false };
  private file: FileState | null = null;
  private group: GroupState | null = null;
  private account: AccountState | null = null;
  private statementIndex = -1;
  /** Record counts for the 49/98/99 checks, kept as records arrive (88s included). */
  private fileRecords = 0;
  private groupRecords = 0;
  private accountRecords = 0;
  private lastDateText = '';
  private lastDateIso: string | null = null;

  constructor(
    options: ParseOptions,
    private readonly sink: ParseSink,
  ) {
    this.fileName = options.fileName;
    this.lenient = options.lenient === true;
    this.strict = options.strict === true;
  }

  /** One physical line (without its line end). */
  line(text: string, lineNumber: number): void {
    let pos = skipBlanks(text, 0);
    if (pos >= text.length) return;
    let code = recordCodeAt(text, pos);
    if (code < 0) {
      pos = skipBlanks(text, this.rawContinuation(text, pos, lineNumber));
      code = recordCodeAt(text, pos);
    }
    while (pos < text.length) {
      if (code < 0) {
        throw this.error(
          'structure',
          lineNumber,
          'record type',
          'a record code after "/"',
          text.slice(pos, pos + 20),
        );
      }
      if (code === CONTINUATION) {
        const pending = this.pending;
        if (pending === null) {
          throw this.error(
            'structure',
            lineNumber,
            'record type',
            'a record before the 88 continuation',
            '88',
          );
        }
        this.countRecord();
        pos = this.addPiece(pending, text, pos + 3, lineNumber);
      } else {
        const pending = this.begin(code, lineNumber);
        pos = this.addPiece(pending, text, pos + 3, lineNumber);
      }
      pos = skipBlanks(text, pos);
      if (pos < text.length) code = recordCodeAt(text, pos);
    }
  }

  /** End of input: interpret the last record and check that the file was complete. */
  end(lastLine: number): void {
    this.finishPending();
    const last = this.last;
    if (last === FILE_TRAILER) return;
    if (last === 0) throw this.error('empty', Math.max(lastLine, 1), 'record type', 'a 01 file header', '');
    if (last === ACCOUNT_HEADER || last === DETAIL) {
      const expected = `a 49 account trailer for account ${this.account?.number ?? ''}`;
      throw this.error('truncated', lastLine, 'record type', expected, 'end of file');
    }
    const missing =
      last === GROUP_TRAILER
        ? 'the 99 file trailer'
        : last === FILE_HEADER
          ? 'a 02 group header or the 99 file trailer'
          : 'the 98 group trailer and the 99 file trailer';
    // Complete accounts followed by missing trailers: readable, but their totals cannot be checked.
    if (this.lenient && last !== FILE_HEADER) {
      this.sink.warning({
        code: 'control-total',
        message: `file ends after the ${RECORD_NAMES[last]} without ${missing}; their control totals could not be checked`,
        line: lastLine,
      });
      return;
    }
    throw this.error('truncated', lastLine, 'record type', missing, 'end of file');
  }

  // ---------------------------------------------------------------- records and continuations

  private rawContinuation(text: string, pos: number, lineNumber: number): number {
    const pending = this.pending;
    if (pending === null || pending.code !== DETAIL || !pending.openAtEol) {
      throw this.error(
        'structure',
        lineNumber,
        'record type',
        'a record code (01, 02, 03, 16, 88, 49, 98 or 99) followed by a comma',
        text.slice(pos, pos + 20),
      );
    }
    this.deviation(
      'raw-continuation',
      lineNumber,
      'a line without a record code continues the text of the 16 record before it (treated as an 88 continuation)',
    );
    return this.addPiece(pending, text, pos, lineNumber);
  }

  private addPiece(pending: Pending, text: string, from: number, lineNumber: number): number {
    const end = findRecordEnd(text, from);
    const piece = end < 0 ? (from === 0 ? text : text.slice(from)) : text.slice(from, end);
    pending.chars += piece.length;
    if (pending.chars > MAX_RECORD_CHARS) {
      throw this.error(
        'record-too-long',
        lineNumber,
        `${RECORD_NAMES[pending.code]} and its 88 continuations`,
        `at most ${MAX_RECORD_CHARS} characters`,
        `${pending.chars} characters`,
      );
    }
    pending.pieces.push(piece);
    pending.openAtEol = end < 0;
    if (end >= 0) return end + 1;
    if (pending.code !== DETAIL) {
      this.deviation(
        'no-slash',
        lineNumber,
        'record not terminated by "/" (end of line taken as end of record)',
      );
    }
    return text.length;
  }

  private begin(code: number, lineNumber: number): Pending {
    this.finishPending();
    // One record object is reused: a record is always finished before the next one begins.
    const allowed = ALLOWED_AFTER[this.last] ?? [];
    if (!allowed.includes(code)) {
      const after = this.last === 0 ? 'at the start of the file' : `after the ${RECORD_NAMES[this.last]}`;
      throw this.error(
        'structure',
        lineNumber,
        'record type',
        `${allowed.map((c) => RECORD_NAMES[c]).join(' or ')} ${after}`,
        String(code).padStart(2, '0'),
      );
    }
    this.last = code;
    if (code === FILE_HEADER) this.file = null;
    const pending = this.spare;
    pending.code = code;
    pending.line = lineNumber;
    pending.pieces.length = 0;
    pending.chars = 0;
    pending.openAtEol = false;
    this.pending = pending;
    if (code === FILE_HEADER) this.fileRecords = 0;
    else if (code === GROUP_HEADER) this.groupRecords = 0;
    else if (code === ACCOUNT_HEADER) this.accountRecords = 0;
    this.countRecord();
    return pending;
  }

  private countRecord(): void {
    this.fileRecords++;
    this.groupRecords++;
    this.accountRecords++;
  }

  private finishPending(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    switch (pending.code) {
      case DETAIL:
        this.detail(pending);
        break;
      case ACCOUNT_HEADER:
        this.accountHeader(pending);
        break;
      case ACCOUNT_TRAILER:
        this.accountTrailer(pending);
        break;
      case GROUP_HEADER:
        this.groupHeader(pending);
        break;
      case GROUP_TRAILER:
        this.groupTrailer(pending);
        break;
      case FILE_HEADER:
        this.fileHeader(pending);
        break;
      case FILE_TRAILER:
        this.fileTrailer(pending);
        break;
    }
  }

  // ---------------------------------------------------------------- 01 / 02 / 98 / 99

  private fileHeader(p: Pending): void {
    const f = this.cursor
      .reset(p.pieces)
      .all()
      .map((s) => s.trim());
    const creationDate = this.date(f[2] ?? '', p.line, 'file creation date (01 field 4)');
    const creationTime = this.time(f[3] ?? '', p.line, 'file creation time (01 field 5)', false);
    const version = f[7] ?? '';
    if (version === '') {
      this.deviation('no-version', p.line, '01 file header without version number (read as BAI2 version 2)');
    } else if (version !== '2' && version !== '3') {
      throw this.error(
        'unsupported-version',
        p.line,
        'version number (01 field 9)',
        '2 (BAI2) or 3 (BTRS)',
        version,
      );
    }
    this.file = {
      sender: f[0] ?? '',
      receiver: f[1] ?? '',
      creationDate,
      creationTime,
      fileId: f[4] ?? '',
      version: version === '' ? null : version,
      sum: new ExactSum(),
      groups: 0,
    };
  }

  private groupHeader(p: Pending): void {
    const f = this.cursor
      .reset(p.pieces)
      .all()
      .map((s) => s.trim());
    const statusText = f[2] ?? '';
    const status = statusText === '' || statusText === '0' ? 1 : Number.parseInt(statusText, 10);
    if (!(statusText === '' || (statusText.length === 1 && status >= 0 && status <= 4))) {
      throw this.error('bad-field', p.line, 'group status (02 field 4)', '1, 2, 3 or 4', statusText);
    }
    const asOfDate = this.date(f[3] ?? '', p.line, 'as-of date (02 field 5)');
    const asOfTime = this.time(f[4] ?? '', p.line, 'as-of time (02 field 6)', true);
    const currencyText = f[5] ?? '';
    const currency = currencyText === '' ? 'USD' : currencyText;
    this.exponent(currency, p.line, 'group currency (02 field 7)');
    const modifier = f[6] ?? '';
    if (modifier !== '' && !(modifier.length === 1 && modifier >= '1' && modifier <= '4')) {
      throw this.error('bad-field', p.line, 'as-of-date modifier (02 field 8)', '1, 2, 3 or 4', modifier);
    }
    this.group = {
      ultimateReceiver: f[0] ?? '',
      originator: f[1] ?? '',
      status,
      asOfDate,
      asOfTime,
      asOfDateModifier: modifier === '' ? null : modifier,
      currency,
      sum: new ExactSum(),
      accounts: 0,
    };
  }

  private groupTrailer(p: Pending): void {
    const group = this.group!;
    const file = this.file!;
    const f = this.cursor
      .reset(p.pieces)
      .all()
      .map((s) => s.trim());
    const computed = group.sum.value();
    this.checkTotal(
      f[0] ?? '',
      computed,
      p.line,
      '98 group control total',
      'the sum of the group account totals',
    );
    this.checkCount(
      f[1] ?? '',
      group.accounts,
      p.line,
      '98 number of accounts',
      'accounts (03 records) in the group',
    );
    this.checkCount(f[2] ?? '', this.groupRecords, p.line, '98 number of records', 'records from 02 to 98');
    file.sum.addSum(group.sum);
    file.groups++;
    this.group = null;
  }

  private fileTrailer(p: Pending): void {
    const file = this.file!;
    const f = this.cursor
      .reset(p.pieces)
      .all()
      .map((s) => s.trim());
    this.checkTotal(
      f[0] ?? '',
      file.sum.value(),
      p.line,
      '99 file control total',
      'the sum of the group totals',
    );
    this.checkCount(
      f[1] ?? '',
      file.groups,
      p.line,
      '99 number of groups',
      'groups (02 records) in the file',
    );
    this.checkCount(f[2] ?? '', this.fileRecords, p.line, '99 number of records', 'records from 01 to 99');
  }

  // ---------------------------------------------------------------- 03 / 49

  private accountHeader(p: Pending): void {
    const group = this.group!;
    const f = this.cursor.reset(p.pieces).all();
    const number = (f[0] ?? '').trim();
    if (number === '')
      throw this.error('bad-field', p.line, 'customer account number (03 field 2)', 'an account number', '');
    const currencyText = (f[1] ?? '').trim();
    const currency = currencyText === '' ? group.currency : currencyText;
    const exponent = this.exponent(currency, p.line, 'currency code (03 field 3)');
    const account: AccountState = {
      number,
      currency,
      exponent,
      opening: null,
      closing: null,
      openingMinor: null,
      closingMinor: null,
      summaries: [],
      sum: new ExactSum(),
      entrySum: new ExactSum(),
      unknownDirectionEntries: 0,
      credits: noSideTotals(),
      debits: noSideTotals(),
      line: p.line,
    };
    this.readSummaries(f, 2, account, p.line);
    this.account = account;
    group.accounts++;
    this.statementIndex++;
    this.sink.beginStatement();
  }

  /**
   * Summary groups `type, amount, item count, funds type[, extras]`. A blank type code is skipped:
   * either a whole blank group (`,,,,`) or the stray empty field a `,/` record end leaves behind.
   */
  private readSummaries(f: string[], start: number, account: AccountState, line: number): void {
    const fields = new FieldList(f);
    fields.skip(start);
    for (let typeText = fields.peek(); typeText !== null; typeText = fields.peek()) {
      if (typeText === '') {
        const blankGroup = fields.peek(1) === '' && fields.peek(2) === '' && fields.peek(3) === '';
        fields.skip(blankGroup ? 4 : 1);
        continue;
      }
      fields.skip(1);
      const typeCode = this.typeCode(typeText, line, '03 summary type code');
      const amountText = trimmed(fields.next());
      const countText = trimmed(fields.next());
      const fundsText = trimmed(fields.next());
      let amount: Minor | null = null;
      if (amountText !== '') {
        amount = this.amount(amountText, line, `03 amount of type ${typeText}`);
        account.sum.add(amount);
      }
      if (countText !== '' && !allDigits(countText)) {
        throw this.error('bad-field', line, `03 item count of type ${typeText}`, 'digits', countText);
      }
      this.fundsDetail(fundsText, fields, line, '03', typeText, account.exponent);
      const formatted = amount === null ? null : formatMinorUnits(amount, account.exponent);
      if (typeCode === 10 && account.opening === null) {
        account.opening = formatted;
        account.openingMinor = amount;
      } else if (typeCode === 15 && account.closing === null) {
        account.closing = formatted;
        account.closingMinor = amount;
      }
      const side = typeCode === 100 ? account.credits : typeCode === 400 ? account.debits : null;
      if (side !== null && side.written === null)
        side.written = { amount, count: countText === '' ? null : Number.parseInt(countText, 10) };
      account.summaries.push({
        type_code: typeText,
        description: typeCodeDescription(typeCode),
        amount: formatted,
        item_count: countText === '' ? null : Number.parseInt(countText, 10),
        funds_type: fundsText === '' ? null : fundsText,
      });
    }
  }

  private accountTrailer(p: Pending): void {
    const account = this.account!;
    const group = this.group!;
    const f = this.cursor
      .reset(p.pieces)
      .all()
      .map((s) => s.trim());
    const totalText = f[0] ?? '';
    const computed = account.sum.value();
    let written: Minor | null = null;
    if (totalText === '') {
      this.deviation(
        'blank-account-total',
        p.line,
        '49 account trailer with a blank control total (not checked)',
      );
    } else {
      written = this.checkTotal(
        totalText,
        computed,
        p.line,
        `49 account control total of ${account.number}`,
        'the sum of the 03 and 16 amounts',
      );
    }
    this.checkCount(
      f[1] ?? '',
      this.accountRecords,
      p.line,
      `49 number of records of ${account.number}`,
      'records from 03 to 49',
    );
    group.sum.add(computed);
    this.checkBalance(account, p.line);
    this.checkSideTotals(account, p.line);
    const info: StatementInfo = {
      account: account.number,
      currency: account.currency,
      opening_balance: account.opening,
      closing_balance: account.closing,
      as_of_date: group.asOfDate,
      as_of_time: group.asOfTime,
      as_of_date_modifier: group.asOfDateModifier,
      group_status: group.status,
      originator: group.originator,
      ultimate_receiver: group.ultimateReceiver,
      file_id: this.file?.fileId ?? null,
      file_creation_date: this.file?.creationDate ?? null,
      sender: this.file?.sender ?? null,
      receiver: this.file?.receiver ?? null,
      bai_version: this.file?.version ?? null,
      summaries: account.summaries,
      control_total: written === null ? null : formatMinorUnits(written, account.exponent),
      record_count: this.accountRecords,
    };
    this.account = null;
    this.sink.endStatement(info);
  }

  /**
   * The 03 record's total credits (100) and debits (400) against the 16 records. The control
   * records add every amount as written, so a file can lose one detail and gain another of the
   * same amount (a line dropped, another duplicated) and still tie. Where a side's 16 records add
   * up to exactly its written total, they are that total's items, so their number must be its
   * item count. Where they do not, nothing can be said: banks often detail only part of a side
   * (moov-io/bai2's sample files do), so a total unlike its details is no error. Only for an
   * account whose details all have a known direction.
   */
  private checkSideTotals(account: AccountState, line: number): void {
    if (account.unknownDirectionEntries > 0) return;
    const sides = [
      ['credits', '100', account.credits],
      ['debits', '400', account.debits],
    ] as const;
    for (const [name, code, side] of sides) {
      const written = side.written;
      if (written === null || written.amount === null || written.count === null) continue;
      const sum = side.detailSum.value();
      if (side.details === 0 || BigInt(written.amount) !== sum || written.count === side.details) continue;
      const e = account.exponent;
      const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
      const said = `${items(written.count)}, ${formatMinorUnits(written.amount, e)}`;
      const found = `${items(side.details)}, ${formatMinorUnits(sum, e)}`;
      const field = `03 total ${name} (${code}) of ${account.number}`;
      if (this.strict) throw this.error('summary-total', line, field, found, said);
      const message = `account ${account.number}: the 03 total ${name} (${code}) says ${said}, but its 16 records are ${found}`;
      this.sink.warning({ code: 'summary-total', message, line, statement: this.statementIndex });
    }
  }

  private checkBalance(account: AccountState, line: number): void {
    if (account.openingMinor === null || account.closingMinor === null) return;
    const expected = BigInt(account.openingMinor) + account.entrySum.value();
    const closing = BigInt(account.closingMinor);
    if (expected === closing) return;
    const e = account.exponent;
    const message =
      `account ${account.number}: opening ${formatMinorUnits(account.openingMinor, e)} + entries ` +
      `${formatMinorUnits(account.entrySum.value(), e)} = ${formatMinorUnits(expected, e)}, but the closing ledger (015) is ` +
      `${formatMinorUnits(closing, e)}` +
      (account.unknownDirectionEntries > 0
        ? ` (${account.unknownDirectionEntries} entries without direction not counted)`
        : '');
    if (this.strict)
      throw this.error(
        'balance-mismatch',
        line,
        '015 closing ledger',
        formatMinorUnits(expected, e),
        formatMinorUnits(closing, e),
      );
    this.sink.warning({ code: 'balance-mismatch', message, line, statement: this.statementIndex });
  }

  // ---------------------------------------------------------------- 16

  private detail(p: Pending): void {
    const account = this.account!;
    const group = this.group!;
    const c = this.cursor.reset(p.pieces);
    // Type code, amount and funds type are read in place (no substring per field): this runs per entry.
    c.advance();
    const typeCode = threeDigits(c.fieldText, c.fieldFrom, c.fieldTo);
    if (typeCode < 0)
      throw this.error('bad-field', p.line, '16 type code', 'a three-digit type code', c.field());
    const typeText = TYPE_CODE_TEXT[typeCode]!;
    const hasAmount = c.advance();
    const amountText = c.fieldText;
    const amountFrom = c.fieldFrom;
    const amountTo = hasAmount ? c.fieldTo : amountFrom;
    let written: Minor;
    if (amountTo === amountFrom && typeCode === 890) {
      written = 0;
    } else {
      const parsed = parseAmountMinor(amountText, amountFrom, amountTo);
      if (parsed === undefined) {
        throw this.badAmount(p.line, `16 amount (type ${typeText})`, amountText.slice(amountFrom, amountTo));
      }
      written = parsed;
    }
    const hasFunds = c.advance();
    let fundsText = hasFunds ? plainFunds(c.fieldText, c.fieldFrom, c.fieldTo) : '';
    let funds = NO_FUNDS_DETAIL;
    if (fundsText === null) {
      fundsText = c.field();
      funds =
        fundsText === 'V'
          ? this.valueDatedFunds(c, p.line, '16', typeText)
          : this.fundsDetail(fundsText, c, p.line, '16', typeText, account.exponent);
    }
    const bankReference = nullIfBlank(c.next());
    const customerReference = nullIfBlank(c.next());
    const textPieces = c.rest();

    const direction = typeCodeDirection(typeCode);
    if (written < 0) {
      this.deviation(
        'signed-detail',
        p.line,
        '16 detail amount written with a "-" sign (the sign is applied on top of the type-code direction)',
      );
    }
    const signed = direction === 'debit' ? negateMinor(written) : written;
    account.sum.add(written);
    if (direction === 'unknown') account.unknownDirectionEntries++;
    else {
      account.entrySum.add(signed);
      const side = direction === 'credit' ? account.credits : account.debits;
      side.details++;
      side.detailSum.add(written);
    }

    const text = joinText(textPieces, this.highBytes);
    const tags = text !== null ? extractTags(textPieces, customerReference) : null;

    const entry: BankEntry = {
      booking_date: group.asOfDate,
      value_date: funds.valueDate,
      amount:
        amountTo === amountFrom
          ? formatMinorUnits(0, account.exponent)
          : formatAmountText(amountText, direction === 'debit', account.exponent, amountFrom, amountTo),
      currency: account.currency,
      bank_transaction_code: typeText,
      bank_reference: bankReference,
      end_to_end_id: tags !== null ? tags.eref : null,
      counterparty: counterpartyOf(tags, direction),
      remittance: {
        references: tags !== null ? tags.references : customerReferences(customerReference),
        text,
      },
      type_description: typeCodeDescription(typeCode),
      direction,
      funds_type: fundsText === '' ? null : fundsText,
      customer_reference: customerReference,
      text_pieces: textPieces,
      value_time: funds.valueTime,
      availability: funds.availability,
      source_line: p.line,
    };
    this.sink.entry(entry);
  }

  /**
   * Consumes the extra fields of a funds type: `S` three availability amounts (immediate, one day,
   * two or more days), `V` value date and time, `D` a count then that many (days, amount) pairs.
   * Availability amounts are not part of the control total (the 49 sums only the primary amounts).
   */
  private fundsDetail(
    fundsText: string,
    fields: FieldSource,
    line: number,
    record: string,
    typeText: string,
    exponent: number,
  ): FundsDetail {
    // Field names for error messages are only built when an error is thrown (this runs per entry).
    if (!FUNDS_TYPES.has(fundsText)) {
      throw this.error(
        'bad-field',
        line,
        `funds type (${whereOf(record, typeText)})`,
        'Z, 0, 1, 2, S, V or D',
        fundsText,
      );
    }
    if (fundsText === 'V') return this.valueDatedFunds(fields, line, record, typeText);
    if (fundsText === 'S') {
      const availability: { days: number; amount: string }[] = [];
      for (let days = 0; days < 3; days++) {
        if (!fields.advance() || fields.fieldTo === fields.fieldFrom) continue;
        availability.push({ days, amount: this.rangeAmount(fields, exponent, line, record, typeText, 'S') });
      }
      return { valueDate: null, valueTime: null, availability };
    }
    if (fundsText === 'D') {
      const countText = fields.advance() ? fields.field() : '';
      const count = allDigits(countText) ? Number.parseInt(countText, 10) : -1;
      if (count < 0 || count > MAX_DISTRIBUTIONS) {
        throw this.error(
          'bad-field',
          line,
          `number of distributions (${whereOf(record, typeText)}, funds type D)`,
          'a count of (days, amount) pairs',
          countText,
        );
      }
      const availability: { days: number; amount: string }[] = [];
      for (let k = 0; k < count; k++) {
        const daysText = fields.advance() ? fields.field() : null;
        if (daysText === null || !fields.advance()) {
          throw this.error(
            'bad-field',
            line,
            `distribution ${k + 1} (${whereOf(record, typeText)}, funds type D)`,
            'days and amount',
            'end of record',
          );
        }
        if (!allDigits(daysText)) {
          throw this.error(
            'bad-field',
            line,
            `availability days (${whereOf(record, typeText)}, funds type D)`,
            'digits',
            daysText,
          );
        }
        const amount = this.rangeAmount(fields, exponent, line, record, typeText, 'D');
        availability.push({ days: Number.parseInt(daysText, 10), amount });
      }
      return { valueDate: null, valueTime: null, availability };
    }
    return NO_FUNDS_DETAIL;
  }

  /**
   * Funds type V: value date and time, read in place. Returns a scratch object (value-dated details
   * are common); the caller copies the two fields out before the next record.
   */
  private valueDatedFunds(fields: FieldSource, line: number, record: string, typeText: string): FundsDetail {
    const scratch = this.valueDated;
    const hasDate = fields.advance();
    const valueDate = hasDate ? this.dateInRange(fields.fieldText, fields.fieldFrom, fields.fieldTo) : null;
    if (valueDate === null) {
      throw this.error(
        'bad-date',
        line,
        `value date (${whereOf(record, typeText)}, funds type V)`,
        'a date YYMMDD',
        hasDate ? fields.field() : '',
      );
    }
    scratch.valueDate = valueDate;
    scratch.valueTime = null;
    if (fields.advance() && fields.fieldTo > fields.fieldFrom) {
      const timeText = fields.field();
      // Valid times take the fast path; anything else goes through time() for its warning or error.
      scratch.valueTime =
        checkTime(timeText) === 'ok'
          ? timeText
          : this.time(timeText, line, `value time (${whereOf(record, typeText)}, funds type V)`, true);
    }
    return scratch;
  }

  /** The amount field just located by `advance()`, formatted; ParseError if it is not an amount. */
  private rangeAmount(
    fields: FieldSource,
    exponent: number,
    line: number,
    record: string,
    typeText: string,
    fundsType: string,
  ): string {
    const { fieldText, fieldFrom, fieldTo } = fields;
    if (parseAmountMinor(fieldText, fieldFrom, fieldTo) === undefined) {
      throw this.badAmount(
        line,
        `availability amount (${whereOf(record, typeText)}, funds type ${fundsType})`,
        fields.field(),
      );
    }
    return formatAmountText(fieldText, false, exponent, fieldFrom, fieldTo);
  }

  // ---------------------------------------------------------------- field checks

  private typeCode(text: string, line: number, field: string): number {
    const code = threeDigits(text);
    if (code < 0) throw this.error('bad-field', line, field, 'a three-digit type code', text);
    return code;
  }

  private amount(text: string, line: number, field: string): Minor {
    const value = parseAmountMinor(text);
    if (value === undefined) throw this.badAmount(line, field, text);
    return value;
  }

  private badAmount(line: number, field: string, text: string): ParseError {
    return this.error(
      'bad-amount',
      line,
      field,
      'an amount in minor units: digits with an optional sign, no decimal point',
      text,
    );
  }

  private date(text: string, line: number, field: string): string {
    const iso = this.dateOrNull(text);
    if (iso === null) throw this.error('bad-date', line, field, 'a date YYMMDD', text);
    return iso;
  }

  /** YYMMDD to ISO, remembering the last one: value dates repeat from one detail to the next. */
  private dateOrNull(text: string): string | null {
    return this.dateInRange(text, 0, text.length);
  }

  private dateInRange(text: string, from: number, to: number): string | null {
    const last = this.lastDateText;
    if (to - from === last.length && this.lastDateIso !== null && text.startsWith(last, from))
      return this.lastDateIso;
    const dateText = from === 0 && to === text.length ? text : text.slice(from, to);
    const iso = yymmddToIso(dateText);
    if (iso !== null) {
      this.lastDateText = dateText;
      this.lastDateIso = iso;
    }
    return iso;
  }

  private time(text: string, line: number, field: string, optional: boolean): string | null {
    if (text === '') {
      if (optional) return null;
      this.deviation('no-creation-time', line, `blank ${field}`);
      return null;
    }
    const check = checkTime(text);
    if (check === 'bad') throw this.error('bad-time', line, field, 'a time HHMM', text);
    if (check === 'colon')
      this.deviation('time-with-colons', line, `${field} written as ${text} instead of HHMM`);
    return text;
  }

  private exponent(currency: string, line: number, field: string): number {
    try {
      return minorUnitExponent(currency);
    } catch (cause) {
      if (cause instanceof CurrencyError) {
        throw this.error('bad-field', line, field, 'an ISO 4217 currency code', currency, cause);
      }
      throw cause;
    }
  }

  private checkTotal(text: string, computed: bigint, line: number, field: string, what: string): Minor {
    const written = this.amount(text, line, field);
    if (BigInt(written) !== computed) {
      this.controlMismatch(
        line,
        field,
        `${field} is ${text} but ${what} is ${computed} (minor units)`,
        computed.toString(),
        text,
      );
    }
    return written;
  }

  private checkCount(text: string, computed: number, line: number, field: string, what: string): void {
    if (!allDigits(text)) throw this.error('bad-field', line, field, 'a count', text);
    const written = Number.parseInt(text, 10);
    if (written === computed) return;
    this.controlMismatch(
      line,
      field,
      `${field} is ${written} but the file has ${computed} ${what}`,
      String(computed),
      text,
    );
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

  private deviation(kind: string, line: number, message: string): void {
    if (this.deviations.has(kind)) return;
    this.deviations.add(kind);
    this.sink.warning({ code: 'bank-deviation', message, line });
  }

  private error(
    code: string,
    line: number,
    field: string,
    expected: string,
    found: string,
    cause?: unknown,
  ): ParseError {
    const detail =
      code === 'control-total'
        ? 'control total does not match the records'
        : code === 'summary-total'
          ? 'the item count of total credits or debits does not match the detail records'
          : code === 'truncated'
            ? 'file is truncated'
            : code === 'structure'
              ? 'unexpected record'
              : code === 'empty'
                ? 'no BAI2 records found'
                : 'invalid field';
    return new ParseError(code, { file: this.fileName, line, field, expected, found }, detail, { cause });
  }
}

function threeDigits(text: string, from = 0, to = text.length): number {
  if (to - from !== 3) return -1;
  const a = text.charCodeAt(from) - 48;
  const b = text.charCodeAt(from + 1) - 48;
  const c = text.charCodeAt(from + 2) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/** '000' … '999', so that the type code of an entry is not a fresh string each time. */
const TYPE_CODE_TEXT: readonly string[] = Array.from({ length: 1000 }, (_, code) =>
  String(code).padStart(3, '0'),
);

/**
 * The funds type of a detail when it takes no extra fields (blank, Z, 0, 1, 2) as a shared string,
 * or null when it needs `fundsDetail` (S, V, D, or something invalid).
 */
function plainFunds(text: string, from: number, to: number): string | null {
  if (to === from) return '';
  if (to - from !== 1) return null;
  switch (text.charCodeAt(from)) {
    case 90:
      return 'Z';
    case 48:
      return '0';
    case 49:
      return '1';
    case 50:
      return '2';
    default:
      return null;
  }
}

function whereOf(record: string, typeText: string): string {
  return `${record} type ${typeText}`;
}

function trimmed(text: string | null): string {
  return text === null ? '' : text.trim();
}

function nullIfBlank(text: string | null): string | null {
  if (text === null) return null;
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/** The 16 text and its 88 continuations, each piece trimmed, joined with one space. */
function joinText(pieces: readonly string[], highBytes: boolean): string | null {
  let joined: string | null;
  if (pieces.length === 1) {
    const only = trimPiece(pieces[0]!);
    joined = only === '' ? null : only;
  } else {
    // Concatenation (a rope) is cheaper here than Array#join; nothing in the reader scans it again.
    joined = null;
    for (const piece of pieces) {
      const trimmed = trimPiece(piece);
      if (trimmed !== '') joined = joined === null ? trimmed : `${joined} ${trimmed}`;
    }
  }
  return joined !== null && highBytes ? decodeText(joined) : joined;
}

/** `trim()` only when there is something to trim: most pieces have no surrounding blanks. */
function trimPiece(piece: string): string {
  const n = piece.length;
  if (n === 0) return piece;
  return isBlankChar(piece.charCodeAt(0)) || isBlankChar(piece.charCodeAt(n - 1)) ? piece.trim() : piece;
}

const HIGH_BYTE = /[\u0080-\u00ff]/;

/** Lines are read as latin1; text that is valid UTF-8 is re-decoded so that "é" stays "é". */
export function decodeText(text: string): string {
  if (!HIGH_BYTE.test(text)) return text;
  const utf8 = Buffer.from(text, 'latin1').toString('utf8');
  return utf8.includes('\ufffd') ? text : utf8;
}

export type { Direction };
