import { divideHalfEven } from '../../money/index.js';
import { invariant } from './errors.js';
import type { EntryDraft, LineDraft } from './journal.js';

export type DocType = 'invoice' | 'credit_memo' | 'debit_memo';

/** +1 for documents the customer owes (invoice, debit memo), -1 for credits. */
export function docSign(type: DocType): 1 | -1 {
  return type === 'credit_memo' ? -1 : 1;
}

/**
 * The base-currency share of `partMinor` out of a balance of `wholeMinor` carried at
 * `wholeBaseMinor`. Clearing the whole balance takes exactly what is left, so rounding never
 * strands a cent in base currency.
 */
export function baseShare(partMinor: number, wholeMinor: number, wholeBaseMinor: number): number {
  invariant(
    partMinor >= 0 && partMinor <= wholeMinor,
    'over-relief',
    `cannot relieve ${partMinor} of ${wholeMinor}`,
  );
  if (partMinor === wholeMinor) return wholeBaseMinor;
  if (wholeMinor === 0) return 0;
  const share = Number(divideHalfEven(BigInt(partMinor) * BigInt(wholeBaseMinor), BigInt(wholeMinor)));
  return Math.min(share, wholeBaseMinor);
}

function line(
  role: LineDraft['role'],
  customerId: string | null,
  currency: string,
  amountMinor: number,
  baseAmountMinor: number,
): LineDraft {
  return { role, customerId, currency, amountMinor, baseAmountMinor };
}

export interface DocumentPostingInput {
  docType: DocType;
  customerId: string;
  currency: string;
  amountMinor: number;
  baseAmountMinor: number;
}

/** Invoice or debit memo: Dr AR / Cr sales clearing. A credit memo is the mirror image. */
export function documentLines(doc: DocumentPostingInput): LineDraft[] {
  const sign = docSign(doc.docType);
  return [
    line('ar_control', doc.customerId, doc.currency, sign * doc.amountMinor, sign * doc.baseAmountMinor),
    line('revenue', null, doc.currency, -sign * doc.amountMinor, -sign * doc.baseAmountMinor),
  ];
}

/** Cash received: Dr cash / Cr unapplied cash, until it is applied. */
export function receiptLines(
  customerId: string | null,
  currency: string,
  amountMinor: number,
  baseMinor: number,
): LineDraft[] {
  return [
    line('cash', null, currency, amountMinor, baseMinor),
    line('unapplied_cash', customerId, currency, -amountMinor, -baseMinor),
  ];
}

export interface ApplicationAmounts {
  /** Taken from the receipt's unapplied cash (or the credit memo's open balance). */
  cashMinor: number;
  discountMinor: number;
  writeOffMinor: number;
}

export interface ApplicationPostingInput extends ApplicationAmounts {
  source: 'receipt' | 'credit_memo';
  customerId: string;
  currency: string;
  baseCurrency: string;
  /** Base value of the cash leaving the receipt (or credit memo) at its own rate. */
  sourceBaseMinor: number;
  /** Base value of the document balance relieved, at the document's rate. */
  documentBaseMinor: number;
  /** Base value of the discount and write-off, at the document's rate. */
  discountBaseMinor: number;
  writeOffBaseMinor: number;
}

/**
 * Clearing a document: Dr unapplied cash (or AR for a credit memo), Dr discount, Dr write-off,
 * Cr AR for the document; the rate difference between the cash and the document is realized FX.
 */
export function applicationLines(a: ApplicationPostingInput): {
  lines: LineDraft[];
  fxGainLossBaseMinor: number;
} {
  const applied = a.cashMinor + a.discountMinor + a.writeOffMinor;
  const sourceRole = a.source === 'receipt' ? 'unapplied_cash' : 'ar_control';
  const fxLossBase = a.documentBaseMinor - a.sourceBaseMinor - a.discountBaseMinor - a.writeOffBaseMinor;
  const lines: LineDraft[] = [
    line(sourceRole, a.customerId, a.currency, a.cashMinor, a.sourceBaseMinor),
    line('discount', a.customerId, a.currency, a.discountMinor, a.discountBaseMinor),
    line('write_off', a.customerId, a.currency, a.writeOffMinor, a.writeOffBaseMinor),
    line('ar_control', a.customerId, a.currency, -applied, -a.documentBaseMinor),
    line('fx_gain_loss', null, a.baseCurrency, fxLossBase, fxLossBase),
  ];
  // A loss is a debit (positive); a gain a credit. Only the base leg is real for FX.
  return { lines, fxGainLossBaseMinor: -fxLossBase };
}

/** Leaving cash on the customer's account: Dr unapplied cash / Cr AR (a credit on the account). */
export function onAccountLines(
  customerId: string,
  currency: string,
  amountMinor: number,
  baseMinor: number,
): LineDraft[] {
  return [
    line('unapplied_cash', customerId, currency, amountMinor, baseMinor),
    line('ar_control', customerId, currency, -amountMinor, -baseMinor),
  ];
}

export type AdjustmentKind = 'write_off' | 'small_balance' | 'bad_debt';

/** Write-off of an invoice: Dr expense / Cr AR; of a credit balance, the mirror image. */
export function adjustmentLines(
  kind: AdjustmentKind,
  docType: DocType,
  customerId: string,
  currency: string,
  amountMinor: number,
  baseMinor: number,
): LineDraft[] {
  const sign = docSign(docType);
  const expense = kind === 'bad_debt' ? 'bad_debt' : 'write_off';
  return [
    line(expense, customerId, currency, sign * amountMinor, sign * baseMinor),
    line('ar_control', customerId, currency, -sign * amountMinor, -sign * baseMinor),
  ];
}

export function entry(
  postingDate: string,
  sourceType: string,
  sourceId: string | null,
  memo: string,
  lines: LineDraft[],
): EntryDraft {
  return { postingDate, sourceType, sourceId, memo, lines };
}
