import { invariant } from './errors.js';
import type { LineDraft } from './journal.js';
import { applicationLines, baseShare, type DocType } from './postings.js';

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
