/**
 * Assembles the entries of one `Ntry` as its subtrees arrive: the entry's own children first (amount,
 * indicator, status, dates, codes), then each `TxDtls`, then `AddtlNtryInf`. A batch `Ntry` with two or more
 * `TxDtls` becomes one entry per `TxDtls` with that transaction's own amount; otherwise the `Ntry` is one
 * entry of the booked amount.
 *
 * Memory: transactions wait until the `Ntry` closes (so `AddtlNtryInf`, which follows them, reaches every
 * entry), but at most MAX_PENDING_TRANSACTIONS of them; a larger batch is streamed out as it is read.
 */
import type { BankEntry, Counterparty } from '../model.js';
import { type Amount, formatScaled, signedScaled, signedText } from './amount.js';
import {
  fail,
  type ReaderContext,
  readAmount,
  readCount,
  readDateChoice,
  readStatus,
  requireIndicator,
  warn,
} from './fields.js';
import type { StatementState } from './statement.js';
import {
  type BankTxCode,
  type Charges,
  readBankTxCode,
  readCharges,
  readTransaction,
  type TransactionInfo,
} from './transaction.js';
import { child, makeNode, textOf, type XNode } from './xml-node.js';

export const MAX_PENDING_TRANSACTIONS = 1000;

export interface EntryHeader {
  readonly amount: Amount;
  readonly credit: boolean;
  readonly reversal: boolean;
  readonly status: string | null;
  readonly bookingDate: string | null;
  readonly valueDate: string | null;
  readonly accountServicerRef: string | null;
  readonly entryRef: string | null;
  readonly bankTxCode: BankTxCode | null;
  readonly charges: Charges | null;
}

const NOT_PROVIDED = 'NOTPROVIDED';

export class EntryAssembler {
  /** The `Ntry`'s direct children other than `NtryDtls`. */
  private readonly node: XNode = makeNode('Ntry');
  private header: EntryHeader | null = null;
  private readonly batches: XNode[] = [];
  private pending: TransactionInfo[] = [];
  private transactionCount = 0;
  private detailsCount = 0;
  private transactionsInDetails = 0;
  private detailsPath = '';
  /** TxDtls of an unsplittable batch beyond MAX_PENDING_TRANSACTIONS, not kept in memory. */
  private omitted = 0;
  /** Split entries already emitted because the batch outgrew the pending buffer. */
  private streamed = false;
  private splitCount = 0;
  /** Signed Σ of the split entries so far, checked against the booked `Ntry/Amt`. */
  private splitSum = 0n;

  constructor(
    private readonly ctx: ReaderContext,
    private readonly statement: StatementState,
    readonly path: string,
  ) {}

  addChild(node: XNode): void {
    if (this.node.children === null) this.node.children = [node];
    else this.node.children.push(node);
  }

  /** A new `NtryDtls` starts: the entry's own fields are complete, so read and check them now. */
  beginDetails(): void {
    this.detailsCount++;
    this.transactionsInDetails = 0;
    this.detailsPath =
      this.detailsCount > 1 ? `${this.path}/NtryDtls[${this.detailsCount}]` : `${this.path}/NtryDtls`;
    this.ensureHeader();
  }

  /** Version .001.01 puts `TxDtls` (and `Btch`) directly in `Ntry`. */
  beginDirectDetails(): void {
    if (this.detailsPath === this.path) return;
    this.transactionsInDetails = 0;
    this.detailsPath = this.path;
    this.ensureHeader();
  }

  addBatch(node: XNode): void {
    this.batches.push(node);
  }

  addTransaction(node: XNode): void {
    const header = this.ensureHeader();
    this.transactionCount++;
    this.transactionsInDetails++;
    const path = `${this.detailsPath}/TxDtls[${this.transactionsInDetails}]`;
    const currency = header.amount.currency ?? this.statement.accountCurrency();
    const tx = readTransaction(this.ctx, node, path, currency);
    if (this.streamed) {
      this.emitSplit(tx);
      return;
    }
    if (this.omitted > 0) {
      // An unsplittable batch past the buffer: the entry is the booked amount; further details are counted only.
      this.omitted++;
      return;
    }
    this.pending.push(tx);
    if (this.pending.length >= MAX_PENDING_TRANSACTIONS) {
      if (this.pending.every((t) => t.amount !== null)) {
        this.streamed = true;
        for (const pendingTx of this.pending) this.emitSplit(pendingTx);
        this.pending = [];
      } else {
        this.omitted = 1;
        this.pending.pop();
      }
    }
  }

  ensureHeader(): EntryHeader {
    if (this.header === null) {
      this.header = this.readHeader();
      this.statement.recordEntry(this.header);
    }
    return this.header;
  }

  private readHeader(): EntryHeader {
    const node = this.node;
    const amount = readAmount(
      this.ctx,
      child(node, 'Amt'),
      `${this.path}/Amt`,
      this.statement.accountCurrency(),
    );
    const credit = requireIndicator(this.ctx, child(node, 'CdtDbtInd'), `${this.path}/CdtDbtInd`);
    const reversal = textOf(child(node, 'RvslInd'));
    return {
      amount,
      credit,
      reversal: reversal === 'true' || reversal === '1',
      status: readStatus(child(node, 'Sts')),
      bookingDate: readDateChoice(this.ctx, child(node, 'BookgDt'), `${this.path}/BookgDt`),
      valueDate: readDateChoice(this.ctx, child(node, 'ValDt'), `${this.path}/ValDt`),
      accountServicerRef: textOf(child(node, 'AcctSvcrRef')),
      entryRef: textOf(child(node, 'NtryRef')),
      bankTxCode: readBankTxCode(child(node, 'BkTxCd')),
      charges: readCharges(this.ctx, node, this.path, amount.currency),
    };
  }

  /** The `Ntry` closed: emit what is still pending and report batch inconsistencies. */
  finish(): void {
    const header = this.ensureHeader();
    const batchSize = this.batchTransactionCount();
    if (this.streamed) {
      for (const tx of this.pending) this.emitSplit(tx);
      this.checkSplit(header, batchSize);
      return;
    }
    const txs = this.pending;
    if (txs.length >= 2) {
      if (this.omitted === 0 && txs.every((t) => t.amount !== null)) {
        for (const tx of txs) this.emitSplit(tx);
        this.checkSplit(header, batchSize);
      } else {
        this.emitUnsplit(header, txs);
      }
      return;
    }
    const tx = txs[0] ?? null;
    const extras: Record<string, unknown> = {};
    if (batchSize !== null && batchSize > txs.length) {
      // The bank booked a batch in one line and sends the details elsewhere (typically a camt.054).
      extras.batch_transactions = batchSize;
      this.statement.noteBatchElsewhere(batchSize);
    }
    if (tx?.amount && tx.amount.scaled !== header.amount.scaled) {
      extras.transaction_amount = signedText(tx.amount, tx.credit ?? header.credit);
    }
    this.statement.emit(this.build(header, tx, header.amount, header.credit, extras));
  }

  private batchTransactionCount(): number | null {
    for (const [i, batch] of this.batches.entries()) {
      const count = readCount(
        this.ctx,
        child(batch, 'NbOfTxs'),
        `${this.path}/NtryDtls/Btch[${i + 1}]/NbOfTxs`,
      );
      if (count !== null) return count;
    }
    return null;
  }

  private emitSplit(tx: TransactionInfo): void {
    const header = this.ensureHeader();
    if (tx.amount === null) {
      fail(
        this.ctx,
        'missing-field',
        `${tx.path}/Amt`,
        `a TxDtls without amount in a batch of more than ${MAX_PENDING_TRANSACTIONS} transactions that are being split`,
        'Amt',
        'TxDtls/Amt or AmtDtls/TxAmt/Amt',
      );
    }
    const credit = tx.credit ?? header.credit;
    this.splitSum += signedScaled(tx.amount, credit);
    const extras = {
      batch_entry_amount: signedText(header.amount, header.credit),
      batch_index: ++this.splitCount,
    };
    this.statement.emit(this.build(header, tx, tx.amount, credit, extras));
  }

  /** Σ TxDtls must equal the booked `Ntry/Amt`; a difference (often deducted charges) is reported, never dropped. */
  private checkSplit(header: EntryHeader, batchSize: number | null): void {
    const entrySigned = signedScaled(header.amount, header.credit);
    const problems: string[] = [];
    const difference = entrySigned - this.splitSum;
    if (difference !== 0n) {
      const charges = header.charges?.total ?? null;
      problems.push(
        `Ntry/Amt ${formatScaled(entrySigned)} differs from the sum of its ${this.transactionCount} TxDtls ` +
          `${formatScaled(this.splitSum)} by ${formatScaled(difference)}${charges ? ` (entry charges ${charges})` : ''}`,
      );
    }
    if (batchSize !== null && batchSize !== this.transactionCount) {
      problems.push(`Btch/NbOfTxs ${batchSize} but ${this.transactionCount} TxDtls`);
    }
    if (problems.length > 0) {
      warn(this.ctx, {
        code: 'batch-difference',
        message: `${problems.join('; ')}; each TxDtls was kept with its own amount`,
        path: this.path,
        statement: this.statement.index,
      });
    }
  }

  /** Two or more TxDtls but not every one has an amount: the booked amount stays one entry. */
  private emitUnsplit(header: EntryHeader, txs: TransactionInfo[]): void {
    const merged = mergeTransactions(txs);
    const extras: Record<string, unknown> = {
      transactions: txs.map((tx) => ({
        amount: tx.amount === null ? null : signedText(tx.amount, tx.credit ?? header.credit),
        currency: tx.amount?.currency ?? null,
        bank_reference: tx.accountServicerRef,
        end_to_end_id: cleanEndToEnd(tx.endToEndId),
        counterparty: pickCounterparty(tx, tx.credit ?? header.credit, header.reversal),
        remittance: { references: tx.references, text: tx.text },
      })),
    };
    if (this.omitted > 0) extras.transactions_omitted = this.omitted;
    this.statement.emit(this.build(header, merged, header.amount, header.credit, extras));
    const missing = txs.filter((t) => t.amount === null).length;
    const omitted = this.omitted > 0 ? ` (${this.omitted} further TxDtls not kept)` : '';
    warn(this.ctx, {
      code: 'bank-deviation',
      message: `batch Ntry with ${this.transactionCount} TxDtls of which at least ${missing} have no amount: kept as one entry of the booked amount, details under "transactions"${omitted}`,
      path: this.path,
      statement: this.statement.index,
    });
  }

  private build(
    header: EntryHeader,
    tx: TransactionInfo | null,
    amount: Amount,
    credit: boolean,
    extras: Record<string, unknown>,
  ): BankEntry {
    const entry: BankEntry = {
      booking_date: header.bookingDate,
      value_date: header.valueDate,
      amount: signedText(amount, credit),
      currency: amount.currency ?? this.statement.accountCurrency(),
      bank_transaction_code: (tx?.bankTxCode ?? header.bankTxCode)?.code ?? null,
      bank_reference: tx?.accountServicerRef ?? header.accountServicerRef ?? header.entryRef,
      end_to_end_id: cleanEndToEnd(tx?.endToEndId ?? null),
      counterparty: pickCounterparty(tx, credit, header.reversal),
      remittance: { references: tx?.references ?? [], text: tx?.text ?? null },
    };
    const batch = this.batches[0];
    setExtra(entry, 'status', header.status);
    if (header.reversal) entry.reversal = true;
    setExtra(entry, 'entry_reference', header.entryRef);
    setExtra(entry, 'proprietary_code', (tx?.bankTxCode ?? header.bankTxCode)?.proprietary ?? null);
    if (tx?.endToEndId && cleanEndToEnd(tx.endToEndId) === null) entry.end_to_end_id_raw = tx.endToEndId;
    setExtra(entry, 'instr_id', tx?.instrId ?? null);
    setExtra(entry, 'tx_id', tx?.txId ?? null);
    setExtra(entry, 'mandate_id', tx?.mandateId ?? null);
    setExtra(entry, 'uetr', tx?.uetr ?? null);
    setExtra(entry, 'msg_id', tx?.msgId ?? textOf(child(batch, 'MsgId')));
    setExtra(entry, 'pmt_inf_id', tx?.pmtInfId ?? textOf(child(batch, 'PmtInfId')));
    setExtra(entry, 'cheque_number', tx?.chequeNumber ?? null);
    setExtra(entry, 'ultimate_debtor', tx?.ultimateDebtor ?? null);
    setExtra(entry, 'ultimate_creditor', tx?.ultimateCreditor ?? null);
    if (tx && tx.documents.length > 0) entry.documents = tx.documents;
    setExtra(entry, 'additional_remittance_info', tx?.additionalRemittance ?? null);
    setExtra(entry, 'return_reason', tx?.returnReason ?? null);
    setExtra(entry, 'return_info', tx?.returnInfo ?? null);
    setExtra(entry, 'charges', tx?.charges ?? header.charges);
    setExtra(entry, 'purpose', tx?.purpose ?? null);
    setExtra(entry, 'transaction_info', tx?.info ?? null);
    setExtra(entry, 'entry_info', textOf(child(this.node, 'AddtlNtryInf')));
    return Object.assign(entry, extras);
  }
}

function setExtra(entry: BankEntry, key: string, value: unknown): void {
  if (value !== null && value !== undefined) entry[key] = value;
}

/** "NOTPROVIDED" is the placeholder SEPA uses for a missing end-to-end id. */
function cleanEndToEnd(value: string | null): string | null {
  return value === null || value.toUpperCase() === NOT_PROVIDED ? null : value;
}

/**
 * For money in the counterparty is the debtor, for money out the creditor. A reversal swaps the roles
 * (the parties are those of the original transaction); banks disagree on that, so a reversal falls back
 * to the other party when the expected one is absent.
 */
function pickCounterparty(tx: TransactionInfo | null, credit: boolean, reversal: boolean): Counterparty {
  const empty: Counterparty = { name: null, account: null, bank: null };
  if (tx === null) return empty;
  const debtorSide = credit !== reversal;
  const primary = debtorSide ? tx.debtor : tx.creditor;
  const fallback = reversal ? (debtorSide ? tx.creditor : tx.debtor) : null;
  return { ...(primary ?? fallback ?? empty) };
}

/** One view of several TxDtls: the first one's fields, with every reference, text and document. */
function mergeTransactions(txs: TransactionInfo[]): TransactionInfo {
  const first = txs[0]!;
  const references: string[] = [];
  for (const tx of txs) for (const ref of tx.references) if (!references.includes(ref)) references.push(ref);
  const texts = txs.map((tx) => tx.text).filter((t): t is string => t !== null);
  return {
    ...first,
    amount: null,
    references,
    text: texts.length > 0 ? texts.join(' ') : null,
    documents: txs.flatMap((tx) => tx.documents),
  };
}
