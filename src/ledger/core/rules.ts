import { invariant } from './errors.js';
import type { LineDraft } from './journal.js';
import {
  type ApplicationAmounts,
  applicationLines,
  baseShare,
  type DocType,
  onAccountLines,
} from './postings.js';

/**
 * The rules an application must pass and the amounts it posts, shared by the single-row functions
 * (operations.ts, over locked rows) and the bulk planner (bulk-apply.ts, over in-memory state), so
 * the two cannot drift apart: same checks in the same order, same codes and messages, same lines.
 */

/** What the rules read of a document, whichever path loaded it. */
export interface DocumentView {
  number: string;
  docType: DocType;
  customerId: string;
  currency: string;
  amountMinor: number;
  amountBaseMinor: number;
  openMinor: number;
  openBaseMinor: number;
}

/** What the rules read of a receipt, whichever path loaded it. */
export interface ReceiptView {
  key: string;
  customerId: string | null;
  currency: string;
  unappliedMinor: number;
  unappliedBaseMinor: number;
}

/** Base relief of the source (receipt or credit memo) and the document, and the entry's lines. */
export interface ApplicationPosting {
  sourceBaseMinor: number;
  documentBaseMinor: number;
  lines: LineDraft[];
  fxGainLossBaseMinor: number;
}

/** A credit memo netted against an invoice or debit memo of the same customer and currency. */
export function checkCreditApplication(credit: DocumentView, doc: DocumentView, amountMinor: number): void {
  invariant(credit.docType === 'credit_memo', 'wrong-document', `${credit.number} is not a credit memo`);
  invariant(doc.docType !== 'credit_memo', 'wrong-document', `${doc.number} is a credit memo`);
  invariant(
    credit.customerId === doc.customerId,
    'customer-mismatch',
    'a credit memo applies to its own customer',
  );
  invariant(
    credit.currency === doc.currency,
    'currency-mismatch',
    'credit memo and document currencies differ',
  );
  invariant(
    amountMinor <= credit.openMinor,
    'credit-over-applied',
    `${credit.number} is open for ${credit.openMinor}, cannot apply ${amountMinor}`,
  );
  invariant(
    amountMinor <= doc.openMinor,
    'document-over-applied',
    `${doc.number} is open for ${doc.openMinor}, cannot apply ${amountMinor}`,
  );
}

/** Each side is relieved at its own carried rate; the difference is realized FX. */
export function creditApplicationPosting(
  credit: DocumentView,
  doc: DocumentView,
  amountMinor: number,
  baseCurrency: string,
): ApplicationPosting {
  const sourceBaseMinor = baseShare(amountMinor, credit.openMinor, credit.openBaseMinor);
  const documentBaseMinor = baseShare(amountMinor, doc.openMinor, doc.openBaseMinor);
  const { lines, fxGainLossBaseMinor } = applicationLines({
    source: 'credit_memo',
    customerId: doc.customerId,
    currency: doc.currency,
    baseCurrency,
    cashMinor: amountMinor,
    discountMinor: 0,
    writeOffMinor: 0,
    sourceBaseMinor,
    documentBaseMinor,
    discountBaseMinor: 0,
    writeOffBaseMinor: 0,
  });
  return { sourceBaseMinor, documentBaseMinor, lines, fxGainLossBaseMinor };
}

/** Whether two customers are one and the same or share a known top-level parent. */
export function sameCustomerFamily(
  families: ReadonlyMap<string, string | null>,
  a: string,
  b: string,
): boolean {
  if (a === b) return true;
  const root = families.get(a);
  return root !== undefined && root !== null && root === families.get(b);
}

function appliedMinor(a: ApplicationAmounts): number {
  return a.cashMinor + a.discountMinor + a.writeOffMinor;
}

/** Receipt cash (with any discount and write-off) before the receipt and the document are read. */
export function checkPaymentAmounts(a: ApplicationAmounts, writeOffReason: string | null | undefined): void {
  invariant(appliedMinor(a) > 0, 'empty-application', 'nothing to apply');
  invariant(
    a.writeOffMinor === 0 || (writeOffReason ?? '').length > 0,
    'reason-missing',
    'a write-off needs a reason',
  );
}

/**
 * Receipt cash goes to an invoice or debit memo in its own currency. `creditAdvice` tells the
 * caller how its API takes credits instead, the one wording the two paths do not share.
 */
export function checkPaymentTarget(receipt: ReceiptView, doc: DocumentView, creditAdvice: string): void {
  invariant(
    doc.docType !== 'credit_memo',
    'wrong-document',
    `${doc.number} is a credit memo; ${creditAdvice}`,
  );
  invariant(
    receipt.currency === doc.currency,
    'currency-mismatch',
    `receipt ${receipt.key} is in ${receipt.currency}, document ${doc.number} in ${doc.currency}`,
  );
}

/**
 * Apart from checkPaymentTarget because the single-row path reads the customer families only once
 * the target has passed. An unidentified receipt may pay any customer's document.
 */
export function checkPaymentCover(
  receipt: ReceiptView,
  doc: DocumentView,
  a: ApplicationAmounts,
  families: ReadonlyMap<string, string | null>,
): void {
  invariant(
    receipt.customerId === null || sameCustomerFamily(families, receipt.customerId, doc.customerId),
    'customer-mismatch',
    `receipt ${receipt.key} belongs to a customer outside the family of ${doc.number}'s`,
  );
  invariant(
    a.cashMinor <= receipt.unappliedMinor,
    'receipt-over-applied',
    `receipt ${receipt.key} has ${receipt.unappliedMinor} unapplied, cannot apply ${a.cashMinor}`,
  );
  invariant(
    appliedMinor(a) <= doc.openMinor,
    'document-over-applied',
    `${doc.number} is open for ${doc.openMinor}, cannot apply ${appliedMinor(a)}`,
  );
}

/**
 * Cash is relieved at the receipt's rate, the document at its own. Discount and write-off are
 * valued at the document's rate on its original amount, capped so that together they never
 * exceed the document base relieved.
 */
export function paymentPosting(
  receipt: ReceiptView,
  doc: DocumentView,
  a: ApplicationAmounts,
  baseCurrency: string,
): ApplicationPosting {
  const sourceBaseMinor = baseShare(a.cashMinor, receipt.unappliedMinor, receipt.unappliedBaseMinor);
  const documentBaseMinor = baseShare(appliedMinor(a), doc.openMinor, doc.openBaseMinor);
  const discountBaseMinor = Math.min(
    baseShare(a.discountMinor, doc.amountMinor, doc.amountBaseMinor),
    documentBaseMinor,
  );
  const writeOffBaseMinor = Math.min(
    baseShare(a.writeOffMinor, doc.amountMinor, doc.amountBaseMinor),
    documentBaseMinor - discountBaseMinor,
  );
  const { lines, fxGainLossBaseMinor } = applicationLines({
    source: 'receipt',
    customerId: doc.customerId,
    currency: doc.currency,
    baseCurrency,
    cashMinor: a.cashMinor,
    discountMinor: a.discountMinor,
    writeOffMinor: a.writeOffMinor,
    sourceBaseMinor,
    documentBaseMinor,
    discountBaseMinor,
    writeOffBaseMinor,
  });
  return { sourceBaseMinor, documentBaseMinor, lines, fxGainLossBaseMinor };
}

/**
 * The customer receipt cash goes on account for: the receipt's own, else the one named. A name
 * may only repeat the receipt's customer, never replace it.
 */
export function onAccountCustomer(receipt: ReceiptView, namedCustomerId: string | undefined): string {
  const customerId = receipt.customerId ?? namedCustomerId ?? null;
  invariant(customerId !== null, 'customer-unknown', `receipt ${receipt.key} has no customer; name one`);
  invariant(
    receipt.customerId === null || namedCustomerId === undefined || namedCustomerId === receipt.customerId,
    'customer-mismatch',
    `receipt ${receipt.key} belongs to another customer`,
  );
  return customerId;
}

/** Apart from onAccountCustomer because the bulk path checks the customer exists in between. */
export function checkOnAccountCash(receipt: ReceiptView, amountMinor: number): void {
  invariant(
    amountMinor <= receipt.unappliedMinor,
    'receipt-over-applied',
    `receipt ${receipt.key} has ${receipt.unappliedMinor} unapplied, cannot put ${amountMinor} on account`,
  );
}

/** Cash moves from unapplied to on account at the receipt's rate: no FX arises. */
export function onAccountPosting(
  receipt: ReceiptView,
  customerId: string,
  amountMinor: number,
): { baseMinor: number; lines: LineDraft[] } {
  const baseMinor = baseShare(amountMinor, receipt.unappliedMinor, receipt.unappliedBaseMinor);
  return { baseMinor, lines: onAccountLines(customerId, receipt.currency, amountMinor, baseMinor) };
}
