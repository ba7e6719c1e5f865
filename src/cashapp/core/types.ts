import type { OpenDocument } from '../../ledger/open-items.js';

/** The cash-application core's inputs and outputs. Pure data: the store layer fills and reads them. */

export interface CashappSettings {
  /** A proposal at or above this confidence is posted without a person. */
  autoThreshold: number;
  /** At or above this, the best proposal is offered first in the queue; below, the receipt is unapplied. */
  proposeThreshold: number;
  /** Short pays written off without a reason: at most this many minor units… */
  writeOffMaxMinor: number;
  /** …and at most this share of the amount due, in basis points (100 = 1 %). */
  writeOffMaxBasisPoints: number;
  writeOffReason: string;
  /** Days after the discount date on which a discount is still granted (mail float). */
  discountGraceDays: number;
  /** Upper bound on the subset-sum search per receipt, in search steps. */
  subsetSearchMaxSteps: number;
  /** Largest number of invoices one payment may settle in a subset-sum match. */
  subsetMaxItems: number;
}

export const DEFAULT_SETTINGS: CashappSettings = {
  autoThreshold: 0.9,
  proposeThreshold: 0.5,
  writeOffMaxMinor: 500,
  writeOffMaxBasisPoints: 50,
  writeOffReason: 'short pay within tolerance',
  discountGraceDays: 5,
  subsetSearchMaxSteps: 100_000,
  subsetMaxItems: 12,
};

export interface CustomerRow {
  customerId: string;
  customerNumber: string;
  name: string;
  parentCustomerId: string | null;
}

/** An open document as the ledger hands it over (discountPercent is a decimal string, "2.000"). */
export type OpenDocumentRow = OpenDocument;

export interface AdviceLineInput {
  documentNumber: string | null;
  amountPaidMinor: number | null;
  discountMinor: number | null;
  adjustments: { reasonCode: string | null; amountMinor: number }[];
}

export interface AdviceInput {
  adviceId: string;
  amountMinor: number | null;
  payer: string | null;
  /** Our customer number as the payer quoted it, if it did. */
  customerNumber?: string | null;
  lines: AdviceLineInput[];
  /** Free text of the advice (an email body's sentences) searched for references and reasons. */
  text: string | null;
}

export interface ReceiptInput {
  receiptId: string;
  currency: string;
  /** What is left to apply: the receipt's unapplied amount. */
  amountMinor: number;
  receiptDate: string;
  customerId: string | null;
  payerName: string | null;
  payerAccountKey: string | null;
  reference: string | null;
  remittanceText: string | null;
  advices: AdviceInput[];
  /** What people said no to for this receipt: customers and documents not to propose again. */
  rejectedCustomerIds?: string[];
  rejectedDocumentIds?: string[];
}

export type LineKind = 'payment' | 'credit_memo' | 'on_account';

export interface ProposedLine {
  kind: LineKind;
  /** Invoice or debit memo (payment, credit_memo) — an index into the book. */
  document: number | null;
  /** The credit memo taken (credit_memo). */
  creditDocument: number | null;
  cashMinor: number;
  discountMinor: number;
  writeOffMinor: number;
  writeOffReason: string | null;
  /** Left open on the invoice as a deduction for dispute handling. */
  deductionMinor: number;
  deductionReasonCode: string | null;
  /** Credit memo amount (credit_memo) or on-account amount (on_account). */
  amountMinor: number;
}

export interface Proposal {
  /** Customer the cash belongs to (the payer; documents may belong to its family). Index into book. */
  customer: number | null;
  lines: ProposedLine[];
  /** 0..1: how sure we are that every line is right. */
  confidence: number;
  reasons: string[];
  /** The amounts agree exactly with what the proposal names. */
  reconciled?: boolean;
  /** Which rule produced it: exact-reference, fuzzy-reference, remittance-advice, amount, subset-sum… */
  scenario: string;
}

export type Outcome = 'auto' | 'proposed' | 'unapplied';

export interface Decision {
  receiptId: string;
  outcome: Outcome;
  /** Best guess at the payer even when nothing is applied (envelope identification). */
  customer: number | null;
  customerConfidence: number;
  best: Proposal | null;
  /** Up to three proposals, best first (includes `best`). */
  suggestions: Proposal[];
  reasons: string[];
}
