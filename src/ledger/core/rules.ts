import type { DocType } from './postings.js';

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
