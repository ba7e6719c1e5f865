/**
 * Groups entries into statements (one per file, or one per run of rows of the same account) and derives the
 * balances from a running-balance column: the order of the rows (oldest or newest first) is taken from the
 * first two rows whose balances follow each other, else from the dates.
 */
import { ParseError } from '../errors.js';
import type { BankEntry, ParseSink, StatementInfo } from '../model.js';
import { type ExactAmount, ExactSum, formatScaled, scaledBigInt } from './amount.js';

export type BalanceOrder = 'ascending' | 'descending';

export interface StatementDefaults {
  fileName: string;
  strict: boolean;
  /** Currency of the file (mapping, preamble or header); entries may carry their own. */
  currency: string | null;
  balanceOrder: BalanceOrder | null;
  /** Extra statement fields (e.g. the XLSX sheet name). */
  extras: Record<string, unknown>;
  /**
   * Reads a running-balance cell (throws a ParseError naming the cell). Balances are read lazily: only the
   * first two rows and the last row of a statement matter, so the rows between cost nothing.
   */
  readBalance: (raw: string, line: number, numeric: boolean) => ExactAmount;
}

/** A point of the running balance: the balance after a row and the sum of amounts before/after it. */
interface BalancePoint {
  /** The balance cell as written, its line, and its value once read. */
  raw: string;
  line: number;
  /** An XLSX number (exact decimal text with a point). */
  numeric: boolean;
  value: ExactAmount | null;
  amount: ExactAmount;
  /** Sum of the amounts of the rows before this one, at `scale` (a snapshot of ExactSum). */
  before: number | bigint;
  scale: number;
  /** Position of the row in the statement (0-based). */
  position: number;
}

export interface StatementBalances {
  opening: ExactAmount | null;
  closing: ExactAmount | null;
}

export class StatementBuilder {
  private index = -1;
  private open = false;
  private account: string | null = null;
  private firstLine = 0;
  private sum = new ExactSum();
  private count = 0;
  private entryCurrency: string | null | undefined = undefined;
  private first: BalancePoint | null = null;
  private second: BalancePoint | null = null;
  private last: BalancePoint | null = null;
  private firstDate: string | null = null;
  private lastDate: string | null = null;
  private currency: string | null;

  constructor(
    private readonly sink: ParseSink,
    private readonly defaults: StatementDefaults,
  ) {
    this.currency = defaults.currency;
  }

  /** The file's currency when it has no currency column (mapping, header or preamble). */
  setCurrency(currency: string | null): void {
    this.currency = currency;
  }

  get statementIndex(): number {
    return this.index;
  }

  get isOpen(): boolean {
    return this.open;
  }

  get currentAccount(): string | null {
    return this.account;
  }

  begin(account: string | null, line: number): void {
    this.index++;
    this.open = true;
    this.account = account;
    this.firstLine = line;
    this.sum = new ExactSum();
    this.count = 0;
    this.entryCurrency = undefined;
    this.first = null;
    this.second = null;
    this.last = null;
    this.firstDate = null;
    this.lastDate = null;
    this.sink.beginStatement();
  }

  /** Adds an entry; `balance` is the running-balance cell as written ('' when none), at `line`. */
  add(entry: BankEntry, amount: ExactAmount, balance: string, line: number, numeric = false): void {
    if (balance.length > 0) this.notePoint(amount, balance, line, numeric);
    this.sum.add(amount);
    this.count++;
    if (this.entryCurrency === undefined) this.entryCurrency = entry.currency;
    else if (this.entryCurrency !== entry.currency) this.entryCurrency = null;
    if (entry.booking_date !== null) {
      if (this.firstDate === null) this.firstDate = entry.booking_date;
      this.lastDate = entry.booking_date;
    }
    this.sink.entry(entry);
  }

  private notePoint(amount: ExactAmount, raw: string, line: number, numeric: boolean): void {
    const before = this.sum.snapshot();
    const scale = this.sum.scale;
    const position = this.count;
    if (this.first === null) {
      this.first = { raw, line, numeric, value: null, amount, before, scale, position };
      this.last = this.first;
      return;
    }
    if (this.second === null && position === 1 && this.first.position === 0) {
      this.second = { raw, line, numeric, value: null, amount, before, scale, position };
    }
    if (this.last === null || this.last === this.first || this.last === this.second) {
      this.last = { raw, line, numeric, value: null, amount, before, scale, position };
      return;
    }
    // The last point is overwritten in place: no allocation per row.
    const last = this.last;
    last.raw = raw;
    last.line = line;
    last.numeric = numeric;
    last.value = null;
    last.amount = amount;
    last.before = before;
    last.scale = scale;
    last.position = position;
  }

  private balanceOf(point: BalancePoint): ExactAmount {
    if (point.value === null) point.value = this.defaults.readBalance(point.raw, point.line, point.numeric);
    return point.value;
  }

  /** Ends the open statement; `labeled` balances (preamble/footer lines) win over the balance column. */
  end(labeled: StatementBalances): void {
    if (!this.open) return;
    const derived = this.derivedBalances();
    const opening = labeled.opening?.text ?? derived.opening;
    const closing = labeled.closing?.text ?? derived.closing;
    const info: StatementInfo = {
      account: this.account,
      currency: this.currency ?? this.entryCurrency ?? null,
      opening_balance: opening,
      closing_balance: closing,
      entry_count: this.count,
      first_line: this.firstLine,
      ...this.defaults.extras,
    };
    this.open = false;
    this.checkContinuity(opening, closing);
    this.sink.endStatement(info);
  }

  private checkContinuity(opening: string | null, closing: string | null): void {
    if (opening === null || closing === null) return;
    const scale = Math.max(this.sum.scale, fractionDigits(opening), fractionDigits(closing));
    const sum = this.sum.value() * 10n ** BigInt(scale - this.sum.scale);
    const open = toScaled(opening, scale);
    const close = toScaled(closing, scale);
    if (open + sum === close) return;
    const message =
      `statement ${this.index + 1}${this.account ? ` (${this.account})` : ''}: opening ${opening} + entries ` +
      `${formatScaled(sum, scale)} = ${formatScaled(open + sum, scale)}, but the closing balance is ${closing}`;
    if (this.defaults.strict) {
      throw new ParseError(
        'balance-mismatch',
        { file: this.defaults.fileName, line: this.firstLine, field: 'balance', expected: closing },
        message,
      );
    }
    this.sink.warning({ code: 'balance-mismatch', message, statement: this.index, line: this.firstLine });
  }

  /** Opening and closing from the running balances, in the order the rows run. */
  private derivedBalances(): { opening: string | null; closing: string | null } {
    const first = this.first;
    const last = this.last;
    if (first === null || last === null) return { opening: null, closing: null };
    const firstValue = this.balanceOf(first);
    const lastValue = this.balanceOf(last);
    const scale = Math.max(this.sum.scale, firstValue.scale, lastValue.scale);
    const up = (value: number | bigint, from: number): bigint => BigInt(value) * 10n ** BigInt(scale - from);
    const total = up(this.sum.value(), this.sum.scale);
    const firstBalance = scaledBigInt(firstValue, scale);
    const lastBalance = scaledBigInt(lastValue, scale);
    const firstBefore = up(first.before, first.scale);
    const lastBefore = up(last.before, last.scale);
    const firstAmount = scaledBigInt(first.amount, scale);
    const lastAmount = scaledBigInt(last.amount, scale);
    if (this.order() === 'descending') {
      // Newest first: a row's balance is after its own amount and before the amounts of the rows above it.
      return {
        closing: formatScaled(firstBalance + firstBefore, scale),
        opening: formatScaled(lastBalance - (total - lastBefore), scale),
      };
    }
    return {
      opening: formatScaled(firstBalance - firstBefore - firstAmount, scale),
      closing: formatScaled(lastBalance + (total - lastBefore - lastAmount), scale),
    };
  }

  private order(): BalanceOrder {
    if (this.defaults.balanceOrder) return this.defaults.balanceOrder;
    const a = this.first;
    const b = this.second;
    if (a !== null && b !== null) {
      const valueA = this.balanceOf(a);
      const valueB = this.balanceOf(b);
      const scale = Math.max(valueA.scale, valueB.scale, a.amount.scale, b.amount.scale);
      const balanceA = scaledBigInt(valueA, scale);
      const balanceB = scaledBigInt(valueB, scale);
      const ascending = balanceB === balanceA + scaledBigInt(b.amount, scale);
      const descending = balanceA === balanceB + scaledBigInt(a.amount, scale);
      if (ascending !== descending) return ascending ? 'ascending' : 'descending';
    }
    if (this.firstDate !== null && this.lastDate !== null && this.firstDate > this.lastDate)
      return 'descending';
    return 'ascending';
  }
}

function fractionDigits(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function toScaled(text: string, scale: number): bigint {
  return scaledBigInt({ text, scale: fractionDigits(text) }, scale);
}
