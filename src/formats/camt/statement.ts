/**
 * One `Stmt` / `Rpt` / `Ntfctn`: keeps its non-entry children (account, balances, summary...), the running
 * totals of its `Ntry` elements, and at the end checks `TxsSummry` and balance continuity and hands the
 * statement info to the sink.
 */
import type { BankEntry, StatementInfo } from '../model.js';
import { type Amount, formatScaled, signedScaled, signedText } from './amount.js';
import type { EntryHeader } from './entry.js';
import {
  controlTotal,
  fail,
  type ReaderContext,
  readAccountId,
  readAmount,
  readCount,
  readDateChoice,
  readDateText,
  readIndicator,
  warn,
} from './fields.js';
import { at, child, childrenNamed, makeNode, textAt, textOf, type XNode } from './xml-node.js';

export interface MessageInfo {
  /** "camt.053" etc. */
  readonly type: string;
  /** Full message identifier from the namespace, e.g. "camt.053.001.08", when the file declares one. */
  readonly version: string | null;
  readonly groupHeader: XNode | undefined;
}

/** Running totals over the `Ntry` elements (entry level, every status), for TxsSummry and balances. */
interface EntryTotals {
  count: number;
  absSum: bigint;
  net: bigint;
  /** Net with reversal entries counted against their indicator (a known bank reading of RvslInd). */
  netReversalsInverted: bigint;
  creditCount: number;
  creditSum: bigint;
  debitCount: number;
  debitSum: bigint;
  /** Net of booked entries (status BOOK or none): what moves the booked balance. */
  bookedNet: bigint;
}

interface Balance {
  type: string | null;
  amount: Amount;
  credit: boolean;
  date: string | null;
}

export class StatementState {
  readonly node: XNode;
  private readonly totals: EntryTotals = {
    count: 0,
    absSum: 0n,
    net: 0n,
    netReversalsInverted: 0n,
    creditCount: 0,
    creditSum: 0n,
    debitCount: 0,
    debitSum: 0n,
    bookedNet: 0n,
  };
  private cachedCurrency: string | null = null;
  private firstEntryCurrency: string | null = null;
  private batchesElsewhere = 0;
  private transactionsElsewhere = 0;
  private balancesWithoutIndicator = 0;

  constructor(
    private readonly ctx: ReaderContext,
    /** 0-based position of the statement in the file, as in warnings. */
    readonly index: number,
    readonly path: string,
    name: string,
    private readonly message: MessageInfo,
  ) {
    this.node = makeNode(name);
    this.node.children = [];
  }

  addChild(node: XNode): void {
    this.node.children!.push(node);
  }

  /** `Acct/Ccy` (it precedes the entries in every version). */
  accountCurrency(): string | null {
    if (this.cachedCurrency === null) this.cachedCurrency = textAt(this.node, 'Acct', 'Ccy');
    return this.cachedCurrency;
  }

  recordEntry(header: EntryHeader): void {
    const t = this.totals;
    const scaled = header.amount.scaled;
    const signed = signedScaled(header.amount, header.credit);
    t.count++;
    t.absSum += scaled;
    t.net += signed;
    t.netReversalsInverted += header.reversal ? -signed : signed;
    if (header.credit) {
      t.creditCount++;
      t.creditSum += scaled;
    } else {
      t.debitCount++;
      t.debitSum += scaled;
    }
    if (header.status === null || header.status === 'BOOK') t.bookedNet += signed;
    this.firstEntryCurrency ??= header.amount.currency;
  }

  emit(entry: BankEntry): void {
    this.ctx.sink.entry(entry);
  }

  noteBatchElsewhere(transactions: number): void {
    this.batchesElsewhere++;
    this.transactionsElsewhere += transactions;
  }

  finish(): void {
    const balances = this.readBalances();
    const opening =
      balances.find((b) => b.type === 'OPBD') ?? balances.find((b) => b.type === 'PRCD') ?? null;
    const closing = balances.find((b) => b.type === 'CLBD') ?? null;
    const summary = child(this.node, 'TxsSummry');
    if (summary) this.checkSummary(summary);
    this.checkBalances(opening, closing);
    this.reportDeviations();
    this.ctx.sink.endStatement(this.info(balances, opening, closing));
  }

  private info(balances: Balance[], opening: Balance | null, closing: Balance | null): StatementInfo {
    const node = this.node;
    const account = child(node, 'Acct');
    const period = child(node, 'FrToDt');
    const info: StatementInfo = {
      account: readAccountId(account),
      currency: this.accountCurrency() ?? balances[0]?.amount.currency ?? this.firstEntryCurrency,
      opening_balance: opening ? signedText(opening.amount, opening.credit) : null,
      closing_balance: closing ? signedText(closing.amount, closing.credit) : null,
      message_type: this.message.type,
    };
    const extras: Record<string, unknown> = {
      message_version: this.message.version,
      message_id: textAt(this.message.groupHeader, 'MsgId'),
      id: textOf(child(node, 'Id')),
      electronic_sequence_number: textOf(child(node, 'ElctrncSeqNb')),
      legal_sequence_number: textOf(child(node, 'LglSeqNb')),
      creation_time: this.dateTime(child(node, 'CreDtTm'), `${this.path}/CreDtTm`),
      from_date: this.datePart(child(period, 'FrDtTm'), `${this.path}/FrToDt/FrDtTm`),
      to_date: this.datePart(child(period, 'ToDtTm'), `${this.path}/FrToDt/ToDtTm`),
      from_time: textOf(child(period, 'FrDtTm')),
      to_time: textOf(child(period, 'ToDtTm')),
      owner: textAt(account, 'Ownr', 'Nm') ?? textAt(account, 'Ownr', 'Pty', 'Nm'),
      account_name: textAt(account, 'Nm'),
      servicer_bic:
        textAt(account, 'Svcr', 'FinInstnId', 'BICFI') ?? textAt(account, 'Svcr', 'FinInstnId', 'BIC'),
      opening_balance_type: opening?.type ?? null,
      opening_date: opening?.date ?? null,
      closing_date: closing?.date ?? null,
      page_number: textAt(this.pagination(node), 'PgNb'),
      additional_info: textOf(
        child(node, 'AddtlStmtInf') ?? child(node, 'AddtlRptInf') ?? child(node, 'AddtlNtfctnInf'),
      ),
    };
    for (const [key, value] of Object.entries(extras)) if (value !== null) info[key] = value;
    if (balances.length > 0) {
      info.balances = balances.map((b) => ({
        type: b.type,
        amount: signedText(b.amount, b.credit),
        currency: b.amount.currency,
        date: b.date,
      }));
    }
    return info;
  }

  /** Keeps the raw ISO date-time (with its zone) after checking its date part. */
  private dateTime(node: XNode | undefined, path: string): string | null {
    const text = textOf(node);
    if (text === null) return null;
    readDateText(this.ctx, text, path);
    return text;
  }

  private datePart(node: XNode | undefined, path: string): string | null {
    const text = textOf(node);
    return text === null ? null : readDateText(this.ctx, text, path);
  }

  private pagination(node: XNode): XNode | undefined {
    return child(node, 'StmtPgntn') ?? child(node, 'RptPgntn') ?? child(node, 'NtfctnPgntn');
  }

  private readBalances(): Balance[] {
    return childrenNamed(this.node, 'Bal').map((bal, i) => {
      const path = `${this.path}/Bal[${i + 1}]`;
      const amount = readAmount(this.ctx, child(bal, 'Amt'), `${path}/Amt`, this.accountCurrency());
      let credit = readIndicator(this.ctx, child(bal, 'CdtDbtInd'), `${path}/CdtDbtInd`);
      if (credit === null) {
        // Some banks (Lithuanian camt.053.001.08 in the corpus) omit the mandatory indicator on positive balances.
        this.balancesWithoutIndicator++;
        credit = true;
      }
      const tp = at(bal, 'Tp', 'CdOrPrtry');
      return {
        type: textOf(child(tp, 'Cd')) ?? textOf(child(tp, 'Prtry')),
        amount,
        credit,
        date: readDateChoice(this.ctx, child(bal, 'Dt'), `${path}/Dt`),
      };
    });
  }

  /** TxsSummry counts and sums are about `Ntry` elements (not TxDtls), of every status. */
  private checkSummary(summary: XNode): void {
    const path = `${this.path}/TxsSummry`;
    const t = this.totals;
    const problems: string[] = [];
    let netProblem = false;
    const all = child(summary, 'TtlNtries');
    if (all) {
      this.compareCount(all, `${path}/TtlNtries`, t.count, problems);
      this.compareSum(all, `${path}/TtlNtries`, t.absSum, problems);
      const net = this.readNet(all, `${path}/TtlNtries`);
      if (net !== null && net !== t.net) {
        netProblem = true;
        problems.push(
          `TtlNtries/TtlNetNtry ${formatScaled(net)} but the Ntry amounts net to ${formatScaled(t.net)}`,
        );
      }
    }
    const credits = child(summary, 'TtlCdtNtries');
    if (credits) {
      this.compareCount(credits, `${path}/TtlCdtNtries`, t.creditCount, problems);
      this.compareSum(credits, `${path}/TtlCdtNtries`, t.creditSum, problems);
    }
    const debits = child(summary, 'TtlDbtNtries');
    if (debits) {
      this.compareCount(debits, `${path}/TtlDbtNtries`, t.debitCount, problems);
      this.compareSum(debits, `${path}/TtlDbtNtries`, t.debitSum, problems);
    }
    if (problems.length === 0) return;
    const detail = `TxsSummry disagrees with the entries: ${problems.join('; ')}`;
    if (this.isPaginated()) {
      warn(this.ctx, {
        code: 'bank-deviation',
        message: `${detail} (paginated statement: the summary may cover every page)`,
        path,
        statement: this.index,
      });
    } else if (
      netProblem &&
      problems.length === 1 &&
      this.readNet(all!, `${path}/TtlNtries`) === t.netReversalsInverted
    ) {
      warn(this.ctx, {
        code: 'bank-deviation',
        message: `${detail}; it matches when reversal entries (RvslInd) count against their CdtDbtInd, as some banks sum them`,
        path,
        statement: this.index,
      });
    } else {
      controlTotal(this.ctx, path, this.index, detail);
    }
  }

  private compareCount(node: XNode, path: string, actual: number, problems: string[]): void {
    const stated = readCount(this.ctx, child(node, 'NbOfNtries'), `${path}/NbOfNtries`);
    if (stated !== null && stated !== actual) {
      problems.push(`${lastSegment(path)}/NbOfNtries ${stated} but ${actual} Ntry`);
    }
  }

  private compareSum(node: XNode, path: string, actual: bigint, problems: string[]): void {
    const sum = child(node, 'Sum');
    if (sum === undefined) return;
    const stated = readAmount(this.ctx, sum, `${path}/Sum`, null).scaled;
    if (stated !== actual) {
      problems.push(
        `${lastSegment(path)}/Sum ${formatScaled(stated)} but the Ntry amounts add up to ${formatScaled(actual)}`,
      );
    }
  }

  /** v02: `TtlNetNtryAmt` + `CdtDbtInd`; v04+: `TtlNetNtry/Amt` + `TtlNetNtry/CdtDbtInd`. */
  private readNet(node: XNode, path: string): bigint | null {
    const nested = child(node, 'TtlNetNtry');
    const amountNode = nested ? child(nested, 'Amt') : child(node, 'TtlNetNtryAmt');
    if (amountNode === undefined) return null;
    const amountPath = nested ? `${path}/TtlNetNtry/Amt` : `${path}/TtlNetNtryAmt`;
    const amount = readAmount(this.ctx, amountNode, amountPath, null);
    const indicatorPath = nested ? `${path}/TtlNetNtry/CdtDbtInd` : `${path}/CdtDbtInd`;
    const credit = readIndicator(this.ctx, child(nested ?? node, 'CdtDbtInd'), indicatorPath);
    return signedScaled(amount, credit ?? true);
  }

  private isPaginated(): boolean {
    const own = this.pagination(this.node);
    const group = child(this.message.groupHeader, 'MsgPgntn');
    return [own, group].some(
      (p) => p !== undefined && (textAt(p, 'PgNb') !== '1' || textAt(p, 'LastPgInd') === 'false'),
    );
  }

  /** opening + booked entries = closing; a mismatch is a warning (an error with `strict`). */
  private checkBalances(opening: Balance | null, closing: Balance | null): void {
    if (opening === null || closing === null) return;
    const open = signedScaled(opening.amount, opening.credit);
    const close = signedScaled(closing.amount, closing.credit);
    if (open + this.totals.bookedNet === close) return;
    const message =
      `opening balance ${formatScaled(open)} + booked entries ${formatScaled(this.totals.bookedNet)} = ` +
      `${formatScaled(open + this.totals.bookedNet)}, but the closing balance is ${formatScaled(close)}`;
    if (this.ctx.strict) fail(this.ctx, 'balance-mismatch', this.path, message);
    warn(this.ctx, { code: 'balance-mismatch', message, path: this.path, statement: this.index });
  }

  private reportDeviations(): void {
    if (this.batchesElsewhere > 0) {
      warn(this.ctx, {
        code: 'bank-deviation',
        message:
          `${this.batchesElsewhere} batch Ntry (${this.transactionsElsewhere} transactions by Btch/NbOfTxs) ` +
          'carry no per-transaction details here (usually sent as a separate camt.054): each is one entry of the booked amount',
        path: this.path,
        statement: this.index,
      });
    }
    if (this.balancesWithoutIndicator > 0) {
      warn(this.ctx, {
        code: 'bank-deviation',
        message: `${this.balancesWithoutIndicator} Bal without CdtDbtInd read as credit (positive) balances`,
        path: this.path,
        statement: this.index,
      });
    }
  }
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
