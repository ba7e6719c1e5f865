import type { DocumentView, ReceiptView } from './core/rules.js';

/**
 * The document and receipt columns that both the single-row postings (operations.ts) and the bulk
 * ones (bulk-apply.ts) lock, and the one record shape both read them into, so that the rules in
 * core/rules.ts see the same thing whichever path calls them. The payment import reads its
 * receipts into the same record.
 */

export interface DocumentRow {
  document_id: string;
  document_number: string;
  customer_id: string;
  doc_type: DocumentView['docType'];
  currency: string;
  amount_minor: number;
  base_amount_minor: number;
  open_minor: number;
  open_base_minor: number;
}

export interface ReceiptRow {
  receipt_id: string;
  receipt_key: string;
  customer_id: string | null;
  currency: string;
  unapplied_minor: number;
  unapplied_base_minor: number;
  on_account_minor: number;
  on_account_base_minor: number;
}

export interface DocumentRecord extends DocumentView {
  id: string;
}

export interface ReceiptRecord extends ReceiptView {
  id: string;
  onAccountMinor: number;
  onAccountBaseMinor: number;
}

/** The currency column is char(3): trimmed, so it compares equal to a plain code. */
export function documentRecord(row: DocumentRow): DocumentRecord {
  return {
    id: row.document_id,
    number: row.document_number,
    customerId: row.customer_id,
    docType: row.doc_type,
    currency: row.currency.trim(),
    amountMinor: row.amount_minor,
    amountBaseMinor: row.base_amount_minor,
    openMinor: row.open_minor,
    openBaseMinor: row.open_base_minor,
  };
}

export function receiptRecord(row: ReceiptRow): ReceiptRecord {
  return {
    id: row.receipt_id,
    key: row.receipt_key,
    customerId: row.customer_id,
    currency: row.currency.trim(),
    unappliedMinor: row.unapplied_minor,
    unappliedBaseMinor: row.unapplied_base_minor,
    onAccountMinor: row.on_account_minor,
    onAccountBaseMinor: row.on_account_base_minor,
  };
}
