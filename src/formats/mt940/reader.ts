/**
 * The MT940/MT942 message state machine: fields come in from the FieldAssembler; one statement per
 * `:20:` message, entries are the `:61:` lines (each with the `:86:` fields that follow it), balances
 * from :60F:/:60M: and :62F:/:62M:. An entry is emitted once its :86: is complete (at the next tag);
 * a statement is closed at the next :20: or the end of input, because some banks put a stray :61:
 * after the `-` that ends a message.
 */
import { minorUnitExponent } from '../../money/index.js';
import { ParseError } from '../errors.js';
import type { BankEntry, ParseOptions, ParseSink, StatementInfo } from '../model.js';
import { type DetailDialect, detailDialect, fillDetails } from './details.js';
import { continuationCount, type Field, type FieldEvents, type MessageType } from './fields.js';
import {
  isStatementLineProblem,
  markIsNegative,
  readStatementLine,
  type StatementLine,
} from './statement-line.js';
import {
  type Balance,
  ExactSum,
  formatAmount,
  formatUnits,
  isBlankText,
  isoDate,
  readBalance,
  type SwiftAmount,
  type SwiftDate,
  scanAmount,
  smallUnits,
  trimStartFast,
  usedPoint,
} from './values.js';

const DEFAULT_EXPONENT = 2;
/** Full SWIFT line width: a plain :86: line this long was broken by the bank mid-word. */
const SWIFT_LINE_CHARS = 65;

interface PendingEntry {
  line: StatementLine;
  lineNumber: number;
  supplementary: string | null;
  /** Text of the first :86: after the statement line (null: none yet). */
  details: string | null;
  /** Texts of further :86: fields, rare (null: none). */
  moreDetails: string[] | null;
  /** Dialect of the first :86: (German ?NN, keyed /KEY/, plain). */
  dialect: DetailDialect;
}

interface ControlTotal {
  count: number;
  currency: string | null;
  amount: SwiftAmount;
  line: number;
}

interface Message {
  index: number;
  line: number;
  reference: string;
  related: string | null;
  account: string | null;
  statementNumber: string | null;
  sequenceNumber: string | null;
  opening: Balance | null;
  openingKind: 'F' | 'M' | null;
  closing: Balance | null;
  closingKind: 'F' | 'M' | null;
  available: Balance | null;
  forward: Balance[];
  currency: string | null;
  exponent: number;
  isMt942: boolean;
  floorLimits: string[];
  reportDateTime: string | null;
  debitTotal: ControlTotal | null;
  creditTotal: ControlTotal | null;
  sum: ExactSum;
  debits: ExactSum;
  credits: ExactSum;
  debitCount: number;
  creditCount: number;
  entries: number;
  pending: PendingEntry | null;
  lastTag: string;
  information: string[];
  /** A `-` ended the message; fields after it are a bank deviation. */
  ended: boolean;
}

export class Mt940Reader implements FieldEvents {
  private readonly fileName: string;
  private readonly lenient: boolean;
  private readonly strict: boolean;
  private readonly deviations = new Set<string>();
  private message: Message | null = null;
  private nextType: MessageType | null = null;
  private statements = 0;
  private previousClosing: { account: string | null; balance: Balance; kind: 'F' | 'M' } | null = null;
  private readonly pendingSlot: PendingEntry = {
    line: null as unknown as StatementLine,
    lineNumber: 0,
    supplementary: null,
    details: null,
    moreDetails: null,
    dialect: 'plain',
  };
  private readonly dateKeys = [0, 0];
  private readonly dateTexts = ['', ''];

  constructor(
    options: ParseOptions,
    private readonly sink: ParseSink,
  ) {
    this.fileName = options.fileName;
    this.lenient = options.lenient === true;
    this.strict = options.strict === true;
  }

  messageType(type: MessageType): void {
    this.nextType = type;
  }

  messageEnd(_line: number): void {
    const msg = this.message;
    if (msg === null) return;
    this.flushEntry(msg);
    msg.ended = true;
  }

  field(field: Field): void {
    if (field.tag === '20') {
      this.startMessage(field);
      return;
    }
    const msg = this.message;
    if (msg === null) {
      if (field.tag === 'NS') return;
      throw this.error(
        'structure',
        field,
        `field :${field.tag}: before the :20: that starts a message`,
        ':20:',
      );
    }
    if (msg.ended) {
      this.deviation(
        'after-end',
        field.line,
        `field :${field.tag}: after the "-" that ended the message; read as part of that message`,
      );
      msg.ended = false;
    }
    this.dispatch(msg, field);
    msg.lastTag = field.tag;
  }

  /** End of input: closes the last message; a file without any message is not MT940. */
  finish(linesRead: number): void {
    if (this.message !== null) this.closeMessage(this.message);
    this.message = null;
    if (this.statements === 0) {
      throw new ParseError(
        linesRead === 0 ? 'empty' : 'structure',
        {
          file: this.fileName,
          line: Math.max(1, linesRead),
          field: ':20:',
          expected: 'an MT940/MT942 message starting with :20:',
        },
        linesRead === 0 ? 'the file is empty' : 'no MT940/MT942 message found',
      );
    }
  }

  // ------------------------------------------------------------------ fields

  private dispatch(msg: Message, field: Field): void {
    // Statement lines and their information are nearly every field: tested before the switch's string compares.
    const tag = field.tag;
    if (tag === '61') {
      this.readEntry(msg, field);
      return;
    }
    if (tag === '86') {
      this.readInformation(msg, field);
      return;
    }
    switch (tag) {
      case '21':
        msg.related = field.first.trim() || null;
        return;
      case '25':
      case '25P':
        this.readAccount(msg, field);
        return;
      case '28':
      case '28C':
        this.requireAccount(msg, field);
        this.readStatementNumber(msg, field);
        return;
      case '60F':
      case '60M':
        this.readOpening(msg, field);
        return;
      case '62F':
      case '62M':
        this.readClosing(msg, field);
        return;
      case '64':
        this.flushEntry(msg);
        msg.available = this.balance(msg, field);
        return;
      case '65':
        this.flushEntry(msg);
        msg.forward.push(this.balance(msg, field));
        return;
      case '34F':
        this.readFloorLimit(msg, field);
        return;
      case '13':
      case '13D':
        this.requireAccount(msg, field);
        msg.isMt942 = true;
        msg.reportDateTime = field.first.trim();
        return;
      case '90D':
      case '90C':
        this.readControlTotal(msg, field);
        return;
      case 'NS':
        return; // non-SWIFT (German FinTS) information: kept out of the model
    }
  }

  private startMessage(field: Field): void {
    if (this.message !== null) this.closeMessage(this.message);
    const index = this.statements++;
    this.sink.beginStatement();
    this.message = {
      index,
      line: field.line,
      reference: field.first.trim(),
      related: null,
      account: null,
      statementNumber: null,
      sequenceNumber: null,
      opening: null,
      openingKind: null,
      closing: null,
      closingKind: null,
      available: null,
      forward: [],
      currency: null,
      exponent: DEFAULT_EXPONENT,
      isMt942: this.nextType === '942',
      floorLimits: [],
      reportDateTime: null,
      debitTotal: null,
      creditTotal: null,
      sum: new ExactSum(),
      debits: new ExactSum(),
      credits: new ExactSum(),
      debitCount: 0,
      creditCount: 0,
      entries: 0,
      pending: null,
      lastTag: '20',
      information: [],
      ended: false,
    };
    this.nextType = null;
  }

  private readAccount(msg: Message, field: Field): void {
    if (msg.account !== null) {
      throw this.error(
        'structure',
        field,
        `a second :${field.tag}: account identification in one message`,
        'one :25: per message',
      );
    }
    if (msg.entries > 0 || msg.opening !== null) {
      throw this.error(
        'structure',
        field,
        `:${field.tag}: after the balances or statement lines`,
        ':25: right after :20:',
      );
    }
    const account = field.first.trim();
    if (account.length === 0)
      throw this.error('missing-field', field, 'empty account identification', 'account (35x)');
    msg.account = account;
  }

  private requireAccount(msg: Message, field: Field): void {
    if (msg.account === null) {
      throw this.error(
        'structure',
        field,
        `:${field.tag}: before the account identification`,
        ':25: account identification',
      );
    }
  }

  private readStatementNumber(msg: Message, field: Field): void {
    const value = field.first.trim();
    const slash = value.indexOf('/');
    msg.statementNumber = slash >= 0 ? value.slice(0, slash) : value;
    msg.sequenceNumber = slash >= 0 ? value.slice(slash + 1) : null;
  }

  private readOpening(msg: Message, field: Field): void {
    this.requireAccount(msg, field);
    if (msg.opening !== null)
      throw this.error('structure', field, 'a second opening balance in one message', 'one :60F:/:60M:');
    if (msg.entries > 0)
      throw this.error('structure', field, 'opening balance after statement lines', ':60F: before :61:');
    const balance = this.balance(msg, field);
    msg.opening = balance;
    msg.openingKind = field.tag === '60M' ? 'M' : 'F';
    if (balance.currency !== null) this.setCurrency(msg, balance.currency, field);
  }

  private readClosing(msg: Message, field: Field): void {
    this.requireAccount(msg, field);
    this.flushEntry(msg);
    if (msg.closing !== null)
      throw this.error('structure', field, 'a second closing balance in one message', 'one :62F:/:62M:');
    const balance = this.balance(msg, field);
    msg.closing = balance;
    msg.closingKind = field.tag === '62M' ? 'M' : 'F';
    if (msg.currency === null && balance.currency !== null) this.setCurrency(msg, balance.currency, field);
  }

  private balance(msg: Message, field: Field): Balance {
    this.requireAccount(msg, field);
    const text = field.first.trim();
    const result = readBalance(text);
    if (typeof result === 'string') {
      const what = {
        mark: ['bad-field', 'debit/credit mark C or D'],
        date: ['bad-date', 'date YYMMDD'],
        amount: ['bad-amount', 'amount with decimal comma'],
        trailing: ['bad-amount', 'nothing after the amount'],
      }[result];
      throw this.error(what[0]!, field, `unreadable balance :${field.tag}:`, `D/C mark, ${what[1]!}`, text);
    }
    if (result.date.clamped) this.clampedDate(field, text);
    if (!result.amount.hadComma)
      this.deviation('no-comma', field.line, `amount without decimal comma in :${field.tag}: "${text}"`);
    else if (usedPoint(text, result.amount))
      this.deviation('point', field.line, `amount with a decimal point in :${field.tag}: "${text}"`);
    return result;
  }

  private setCurrency(msg: Message, currency: string, field: Field): void {
    if (msg.currency !== null) return;
    msg.currency = currency;
    try {
      msg.exponent = minorUnitExponent(currency);
    } catch (cause) {
      throw this.error('bad-field', field, 'unreadable currency', 'ISO 4217 currency code', currency, cause);
    }
  }

  private readFloorLimit(msg: Message, field: Field): void {
    this.requireAccount(msg, field);
    msg.isMt942 = true;
    const value = field.first.trim();
    msg.floorLimits.push(value);
    if (/^[A-Z]{3}/.test(value)) this.setCurrency(msg, value.slice(0, 3), field);
  }

  private readControlTotal(msg: Message, field: Field): void {
    this.requireAccount(msg, field);
    this.flushEntry(msg);
    msg.isMt942 = true;
    const text = field.first.trim();
    let at = 0;
    while (at < text.length && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++;
    const hasCurrency = /^[A-Z]{3}$/.test(text.slice(at, at + 3));
    const amount = at > 0 ? scanAmount(text, hasCurrency ? at + 3 : at) : null;
    if (at === 0 || amount === null || amount.end !== text.length) {
      throw this.error(
        'bad-field',
        field,
        `unreadable :${field.tag}: entry total`,
        'number of entries, currency, amount',
        text,
      );
    }
    const total: ControlTotal = {
      count: Number(text.slice(0, at)),
      currency: hasCurrency ? text.slice(at, at + 3) : null,
      amount,
      line: field.line,
    };
    if (total.currency !== null) this.setCurrency(msg, total.currency, field);
    if (field.tag === '90D') msg.debitTotal = total;
    else msg.creditTotal = total;
  }

  // ------------------------------------------------------------------ entries

  private readEntry(msg: Message, field: Field): void {
    this.requireAccount(msg, field);
    if (msg.opening === null && !msg.isMt942) {
      throw this.error(
        'structure',
        field,
        'statement line before the opening balance',
        ':60F: or :60M: before :61:',
      );
    }
    this.flushEntry(msg);
    let text = field.first;
    const count = continuationCount(field);
    let from = 0;
    let parsed = readStatementLine(text);
    // Banks that wrap :61: (Sparkasse: the amount on the next line): read the first two lines as one.
    if (isStatementLineProblem(parsed) && parsed.incomplete && count > 0) {
      text += field.more![0];
      from = 1;
      parsed = readStatementLine(text);
    }
    if (isStatementLineProblem(parsed)) {
      const code = parsed.problem.includes('date')
        ? 'bad-date'
        : parsed.problem.includes('amount')
          ? 'bad-amount'
          : 'bad-field';
      throw this.error(code, field, `${parsed.problem} in statement line`, parsed.expected, text);
    }
    if (parsed.valueDate.clamped || parsed.entryDate?.clamped) this.clampedDate(field, text);
    if (!parsed.amount.hadComma)
      this.deviation('no-comma', field.line, `amount without decimal comma in :61: "${text.trim()}"`);
    else if (usedPoint(text, parsed.amount))
      this.deviation('point', field.line, `amount with a decimal point in :61: "${text.trim()}"`);
    const supplementary = count > from ? joinNonEmpty(field.more!, from, count) : null;
    // One pending entry at a time (it is emitted before the next statement line or message), so one
    // object serves them all.
    const pending = this.pendingSlot;
    pending.line = parsed;
    pending.lineNumber = field.line;
    pending.supplementary = supplementary;
    pending.details = null;
    pending.moreDetails = null;
    pending.dialect = 'plain';
    msg.pending = pending;
  }

  private readInformation(msg: Message, field: Field): void {
    const dialect = detailDialect(field.first);
    const text = joinDetailLines(field, dialect);
    const pending = msg.pending;
    if (pending !== null && (msg.lastTag === '61' || msg.lastTag === '86' || msg.lastTag === 'NS')) {
      if (pending.details === null) {
        pending.details = text;
        pending.dialect = dialect;
      } else if (pending.moreDetails === null) {
        pending.moreDetails = [text];
      } else {
        pending.moreDetails.push(text);
      }
      return;
    }
    if (text.length > 0) msg.information.push(text);
  }

  private flushEntry(msg: Message): void {
    const pending = msg.pending;
    if (pending === null) return;
    msg.pending = null;
    const line = pending.line;
    const negative = markIsNegative(line.mark);
    const units = smallUnits(line.amount);
    msg.sum.addScanned(line.amount, units, negative);
    if (negative) {
      msg.debits.addScanned(line.amount, units, false);
      msg.debitCount++;
    } else {
      msg.credits.addScanned(line.amount, units, false);
      msg.creditCount++;
    }
    msg.entries++;
    this.sink.entry(this.buildEntry(msg, pending, negative));
  }

  private buildEntry(msg: Message, pending: PendingEntry, negative: boolean): BankEntry {
    const line = pending.line;
    const first = pending.details;
    const more = pending.moreDetails;
    const raw = first === null ? null : more === null ? first : [first, ...more].join(' ');
    const valueDate = this.isoDate(line.valueDate);
    const entry: BankEntry = {
      booking_date: line.entryDate === null ? valueDate : this.isoDate(line.entryDate),
      value_date: valueDate,
      amount: formatAmount(line.amount, negative, msg.exponent),
      currency: msg.currency,
      bank_transaction_code: line.transactionType,
      bank_reference: line.bankReference,
      end_to_end_id: null,
      counterparty: { name: null, account: null, bank: null },
      remittance: { references: [], text: null },
      reversal: line.mark === 'RC' || line.mark === 'RD',
      customer_reference: line.customerReference,
      funds_code: line.fundsCode,
      supplementary_details: pending.supplementary,
      information: raw !== null && raw.length > 0 ? raw : null,
      line: pending.lineNumber,
    };
    if (raw !== null && raw.length > 0) fillDetails(raw, pending.dialect, entry);
    return entry;
  }

  /** Consecutive entries mostly share dates: remembering the last two avoids formatting each one. */
  private isoDate(date: SwiftDate): string {
    const key = date.year * 10000 + date.month * 100 + date.day;
    if (key === this.dateKeys[0]) return this.dateTexts[0]!;
    if (key === this.dateKeys[1]) return this.dateTexts[1]!;
    const text = isoDate(date);
    this.dateKeys[1] = this.dateKeys[0]!;
    this.dateTexts[1] = this.dateTexts[0]!;
    this.dateKeys[0] = key;
    this.dateTexts[0] = text;
    return text;
  }

  // ------------------------------------------------------------------ end of message

  private closeMessage(msg: Message): void {
    this.flushEntry(msg);
    this.message = null;
    if (msg.account === null) {
      throw new ParseError(
        'missing-field',
        { file: this.fileName, line: msg.line, field: ':25:', expected: 'account identification :25:' },
        `message "${msg.reference}" has no account identification`,
      );
    }
    if (!msg.isMt942 && msg.opening === null) {
      throw new ParseError(
        'missing-field',
        { file: this.fileName, line: msg.line, field: ':60F:', expected: 'opening balance :60F: or :60M:' },
        `MT940 message "${msg.reference}" has no opening balance`,
      );
    }
    if (!msg.isMt942 && msg.closing === null) this.missingClosing(msg);
    if (msg.isMt942) this.checkControlTotals(msg);
    else this.checkBalances(msg);
    this.sink.endStatement(this.statementInfo(msg));
  }

  private missingClosing(msg: Message): void {
    const message = `MT940 message "${msg.reference}" has no closing balance :62F:/:62M:; balance continuity cannot be checked`;
    if (this.strict) {
      throw new ParseError(
        'missing-field',
        { file: this.fileName, line: msg.line, field: ':62F:', expected: 'closing balance :62F: or :62M:' },
        message,
      );
    }
    this.sink.warning({ code: 'missing-closing-balance', message, line: msg.line, statement: msg.index });
  }

  private checkBalances(msg: Message): void {
    const opening = msg.opening;
    const closing = msg.closing;
    if (opening !== null) this.checkChain(msg, opening);
    if (closing !== null)
      this.previousClosing = { account: msg.account, balance: closing, kind: msg.closingKind ?? 'F' };
    if (opening === null || closing === null) return;
    const expected = new ExactSum();
    expected.add(opening.units, opening.scale);
    expected.add(msg.sum.total(), msg.sum.scale);
    if (ExactSum.equal(expected.total(), expected.scale, closing.units, closing.scale)) return;
    const e = msg.exponent;
    this.balanceMismatch(
      msg,
      `statement "${msg.reference}" (account ${msg.account}): opening ${formatUnits(opening.units, opening.scale, e)} + entries ` +
        `${formatUnits(msg.sum.total(), msg.sum.scale, e)} = ${formatUnits(expected.total(), expected.scale, e)}, ` +
        `but the closing balance is ${formatUnits(closing.units, closing.scale, e)}`,
    );
  }

  /** The :62M: of one page must equal the :60M: of the next page of the same account. */
  private checkChain(msg: Message, opening: Balance): void {
    const previous = this.previousClosing;
    if (
      previous === null ||
      previous.kind !== 'M' ||
      msg.openingKind !== 'M' ||
      previous.account !== msg.account
    )
      return;
    if (ExactSum.equal(previous.balance.units, previous.balance.scale, opening.units, opening.scale)) return;
    const e = msg.exponent;
    this.balanceMismatch(
      msg,
      `statement "${msg.reference}" (account ${msg.account}): intermediate opening :60M: ${formatUnits(opening.units, opening.scale, e)} ` +
        `differs from the previous page's :62M: ${formatUnits(previous.balance.units, previous.balance.scale, e)}`,
    );
  }

  private balanceMismatch(msg: Message, message: string): void {
    if (this.strict) {
      throw new ParseError(
        'balance-mismatch',
        { file: this.fileName, line: msg.line, field: ':62F:' },
        message,
      );
    }
    this.sink.warning({ code: 'balance-mismatch', message, line: msg.line, statement: msg.index });
  }

  /** MT942 :90D:/:90C: are the number and sum of the debit/credit entries. */
  private checkControlTotals(msg: Message): void {
    const problems: string[] = [];
    const check = (total: ControlTotal | null, name: string, count: number, sum: ExactSum) => {
      if (total === null) return;
      const units = BigInt(total.amount.intDigits + total.amount.fracDigits);
      const scale = total.amount.fracDigits.length;
      const sumOk = ExactSum.equal(units, scale, sum.total(), sum.scale);
      if (total.count === count && sumOk) return;
      problems.push(
        `${name} says ${total.count} entries totalling ${formatUnits(units, scale, msg.exponent)}, ` +
          `the statement lines are ${count} totalling ${formatUnits(sum.total(), sum.scale, msg.exponent)}`,
      );
    };
    check(msg.debitTotal, ':90D:', msg.debitCount, msg.debits);
    check(msg.creditTotal, ':90C:', msg.creditCount, msg.credits);
    if (problems.length === 0) return;
    const message = `MT942 "${msg.reference}": ${problems.join('; ')}`;
    const line = (msg.debitTotal ?? msg.creditTotal)?.line ?? msg.line;
    if (!this.lenient) {
      throw new ParseError('control-total', { file: this.fileName, line, field: ':90D:/:90C:' }, message);
    }
    this.sink.warning({ code: 'control-total', message, line, statement: msg.index });
  }

  private statementInfo(msg: Message): StatementInfo {
    const e = msg.exponent;
    const money = (b: Balance | null) => (b === null ? null : formatAmount(b.amount, b.negative, e));
    const total = (t: ControlTotal | null) =>
      t === null ? null : { count: t.count, amount: formatAmount(t.amount, false, e) };
    return {
      account: msg.account,
      currency: msg.currency,
      opening_balance: money(msg.opening),
      closing_balance: money(msg.closing),
      message_type: msg.isMt942 ? '942' : '940',
      statement_reference: msg.reference,
      related_reference: msg.related,
      statement_number: msg.statementNumber,
      sequence_number: msg.sequenceNumber,
      opening_date: msg.opening === null ? null : isoDate(msg.opening.date),
      opening_balance_type:
        msg.openingKind === null ? null : msg.openingKind === 'F' ? 'final' : 'intermediate',
      closing_date: msg.closing === null ? null : isoDate(msg.closing.date),
      closing_balance_type:
        msg.closingKind === null ? null : msg.closingKind === 'F' ? 'final' : 'intermediate',
      closing_available_balance: money(msg.available),
      forward_available_balances: msg.forward.map((b) => ({ date: isoDate(b.date), amount: money(b) })),
      floor_limits: msg.floorLimits.length > 0 ? msg.floorLimits : null,
      report_datetime: msg.reportDateTime,
      debit_total: total(msg.debitTotal),
      credit_total: total(msg.creditTotal),
      information: msg.information.length > 0 ? msg.information.join(' ') : null,
      line: msg.line,
    };
  }

  // ------------------------------------------------------------------ errors and warnings

  private clampedDate(field: Field, text: string): void {
    this.deviation(
      'clamped-date',
      field.line,
      `day past the end of the month in :${field.tag}: "${text.trim()}" (a month-end booking convention); read as the month's last day`,
    );
  }

  /** Known, unambiguous bank deviations: one warning per kind per file, so a big file does not flood. */
  private deviation(kind: string, line: number, message: string): void {
    if (this.deviations.has(kind)) return;
    this.deviations.add(kind);
    this.sink.warning({
      code: 'bank-deviation',
      message: `${message} (further occurrences are not reported)`,
      line,
    });
  }

  private error(
    code: string,
    field: Field,
    detail: string,
    expected: string,
    found?: string,
    cause?: unknown,
  ): ParseError {
    return new ParseError(
      code,
      {
        file: this.fileName,
        line: field.line,
        field: `:${field.tag}:`,
        expected,
        ...(found !== undefined ? { found } : {}),
      },
      detail,
      cause === undefined ? undefined : { cause },
    );
  }
}

function joinNonEmpty(lines: readonly string[], from: number, to: number): string | null {
  const parts = lines
    .slice(from, to)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return parts.length > 0 ? parts.join(' ') : null;
}

/**
 * The text of a :86: field. German ?NN subfields are cut at fixed widths, so their lines are
 * concatenated as they are. Other lines are joined with a space, except after a full 65-character
 * line or a line ending in a space (the bank cut a word or kept its own space); in keyed /KEY/ text
 * also before or after a `/`, which is the keys' own separator.
 */
export function joinDetailLines(field: Field, dialect: DetailDialect = detailDialect(field.first)): string {
  const more = field.more;
  const count = continuationCount(field);
  if (more === null || count === 0) return field.first.trim();
  if (dialect === 'german') {
    let text = field.first;
    for (let i = 0; i < count; i++) text += more[i]!;
    return text.trim();
  }
  const keyed = dialect === 'keyed';
  let text = trimStartFast(field.first);
  let glueless = isBrokenLine(field.first, keyed);
  for (let i = 0; i < count; i++) {
    const line = more[i]!;
    if (isBlankText(line)) {
      glueless = false; // an empty line separates words
      continue;
    }
    if (text.length > 0 && !glueless && !(keyed && line.charCodeAt(0) === 47)) text += ' ';
    text += glueless ? line : trimStartFast(line);
    glueless = isBrokenLine(line, keyed);
  }
  return text.trim();
}

function isBrokenLine(line: string, keyed: boolean): boolean {
  return (
    line.length >= SWIFT_LINE_CHARS ||
    endsWithSpace(line) ||
    (keyed && line.charCodeAt(line.length - 1) === 47)
  );
}

function endsWithSpace(text: string): boolean {
  const c = text.charCodeAt(text.length - 1);
  return c === 32 || c === 9;
}
