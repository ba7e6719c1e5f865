/**
 * Shared shapes of the cash-application benchmark: the ground truth the generator writes
 * (truth.json), and the rows the CLI prints (`export applications --format json`, `cashapp queue
 * --json`) that the scorer compares with it. Amounts are decimal strings here, as on the wire; the
 * scorer turns them into minor units before it compares anything.
 */

export type LineKind = 'payment' | 'discount' | 'write_off' | 'deduction' | 'on_account' | 'unapplied';

export const LINE_KINDS: readonly LineKind[] = [
  'payment',
  'discount',
  'write_off',
  'deduction',
  'on_account',
  'unapplied',
];

/** The bank file that carried the cash. */
export type BankFormat = 'camt' | 'bai2' | 'lockbox';

/** Where the payment's remittance information came from: the bank entry itself or a separate advice. */
export type Source = BankFormat | 'x12-820' | 'eml-text' | 'eml-html' | 'eml-pdf';

export const SCENARIOS = [
  'exact_single',
  'exact_multi',
  'ref_leading_zeros',
  'ref_separators',
  'ref_prefix_missing',
  'ref_ocr_swap',
  'ref_typo',
  'ref_truncated',
  'ref_in_free_text',
  'po_reference',
  'discount',
  'short_pay_write_off',
  'short_pay_deduction',
  'partial_payment',
  'credit_memo_netted',
  'overpayment',
  'parent_pays_subsidiary',
  'new_payer_account',
  'no_reference_subset',
  'ambiguous_amount',
  'remittance_email',
  'x12_820',
  'unidentifiable',
] as const;

export type Scenario = (typeof SCENARIOS)[number];

export interface TruthLine {
  /** Null for on-account credit and unapplied cash. Credit memos the customer netted carry a negative amount. */
  invoice_number: string | null;
  amount: string;
  kind: LineKind;
}

export interface TruthPayment {
  payment_id: string;
  scenario: Scenario;
  /** A finer label inside the scenario (which noise, which email layout, …), for reading failures. */
  variant: string | null;
  day: number;
  date: string;
  format: BankFormat;
  source: Source;
  /** Bank file (relative to the bench directory) and, for a separate advice, its file. */
  file: string;
  remittance_file: string | null;
  /** As our readers report them (checked with the readers when the files were written). */
  bank_reference: string;
  end_to_end_id: string | null;
  amount: string;
  currency: string;
  payer_name: string | null;
  /** The customer who paid; null when nobody could tell (truly unidentifiable cash). */
  customer_number: string | null;
  /** Customers an application may name and still be right: the payer and the owners of the invoices paid. */
  customer_group: string[];
  lines: TruthLine[];
}

export interface Truth {
  version: 1;
  seed: number;
  params: {
    customers: number;
    open_invoices: number;
    payments: number;
    days: number;
    start: string;
  };
  company: { code: string; name: string; currency: string };
  /** What the generator assumed about the company's default tolerances (documented in README). */
  assumptions: Record<string, string>;
  scenario_weights: Record<Scenario, number>;
  payments: TruthPayment[];
}

export interface ManifestDay {
  day: number;
  date: string;
  /** Files for `import bank`, in order (remittance-only 820 files included). */
  bank: string[];
  /** Files for `import remittance`. */
  remittance: string[];
}

export interface Manifest {
  version: 1;
  company: { code: string; name: string; currency: string };
  customers: string;
  invoices: string;
  truth: string;
  days: ManifestDay[];
}

/**
 * What the export and the queue may name besides the truth's kinds: a credit memo applied to an
 * invoice (not cash; the export lists it on the invoice it settled, possibly without a receipt).
 */
export type ExportKind = LineKind | 'credit_memo';

/** One row of `openar export applications --format json`. */
export interface ExportRow {
  bank_reference: string | null;
  end_to_end_id: string | null;
  receipt_id: string | null;
  customer_id: string | null;
  customer_number: string | null;
  invoice_number: string | null;
  amount: string;
  kind: ExportKind;
  confidence: number | string | null;
  mode: 'auto' | 'manual';
}

export interface QueueSuggestion {
  rank: number;
  score: number;
  customer_number: string | null;
  lines: { invoice_number: string | null; amount: string; kind: ExportKind }[];
  reasons: string[];
}

/** One entry of `openar cashapp queue --json`. */
export interface QueueEntry {
  receipt_id: string;
  bank_reference: string | null;
  end_to_end_id: string | null;
  amount: string;
  currency: string;
  payer_name: string | null;
  customer_number: string | null;
  status: 'proposed' | 'unapplied';
  suggestions: QueueSuggestion[];
}
