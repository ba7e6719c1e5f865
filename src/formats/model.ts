/**
 * The normalized model every bank and remittance format is read into.
 * Amounts are exact signed decimal strings ("+" = money in to the account holder; "-12.00" out);
 * dates are YYYY-MM-DD. Field names follow the JSON that `openar parse --json` prints.
 */

export type FormatName = 'camt' | 'bai2' | 'mt940' | 'nacha' | 'x12-820' | 'lockbox' | 'ofx' | 'csv';

export const FORMAT_NAMES: readonly FormatName[] = [
  'camt',
  'bai2',
  'mt940',
  'nacha',
  'x12-820',
  'lockbox',
  'ofx',
  'csv',
];

export interface Counterparty {
  name: string | null;
  account: string | null;
  bank: string | null;
}

export interface EntryRemittance {
  /** Structured references: invoice numbers (RfrdDocInf/Nb), creditor references (RF…), EREF, etc. */
  references: string[];
  /** Unstructured remittance text, joined with a single space where a format splits it over lines. */
  text: string | null;
}

export interface BankEntry {
  booking_date: string | null;
  value_date: string | null;
  /** Signed decimal string, + = credit to the account holder. */
  amount: string;
  currency: string | null;
  bank_transaction_code: string | null;
  bank_reference: string | null;
  end_to_end_id: string | null;
  counterparty: Counterparty;
  remittance: EntryRemittance;
  /** Format-specific extras (status, type code description, instr_id, tx_id, mandate_id, reversal, return reason…). */
  [extra: string]: unknown;
}

export interface StatementInfo {
  account: string | null;
  currency: string | null;
  opening_balance: string | null;
  closing_balance: string | null;
  /** Format-specific extras (statement id, sequence number, dates, owner…). */
  [extra: string]: unknown;
}

export interface Statement extends StatementInfo {
  entries: BankEntry[];
}

export interface RemittanceAdjustment {
  reason_code: string | null;
  amount: string;
}

export interface RemittanceLine {
  document_number: string | null;
  amount_paid: string | null;
  amount_invoiced: string | null;
  discount: string | null;
  adjustments: RemittanceAdjustment[];
  [extra: string]: unknown;
}

export interface RemittanceAdvice {
  payer: string | null;
  payment_reference: string | null;
  amount: string | null;
  lines: RemittanceLine[];
  [extra: string]: unknown;
}

export interface ParseWarning {
  /** Short machine-readable code, e.g. "balance-mismatch", "control-total", "bank-deviation". */
  code: string;
  message: string;
  line?: number;
  path?: string;
  statement?: number;
}

export interface ParseResult {
  format: FormatName;
  statements: Statement[];
  remittances: RemittanceAdvice[];
  warnings: ParseWarning[];
}

export interface ParseOptions {
  /** Name shown in errors and warnings. */
  fileName: string;
  /** Import a file whose control totals disagree, with a warning naming them. */
  lenient?: boolean;
  /** Turn balance-continuity warnings into errors. */
  strict?: boolean;
  /** CSV/XLSX: a saved column mapping (name or inline object). */
  mapping?: unknown;
}

/**
 * Receives a file's content as it is read, so that a 1 GB file never has to sit in memory.
 * Entries belong to the statement most recently begun; `endStatement` carries what is only known
 * at the end (balances often follow the entries).
 */
export interface ParseSink {
  beginStatement(): void;
  entry(entry: BankEntry): void;
  endStatement(statement: StatementInfo): void;
  remittance(advice: RemittanceAdvice): void;
  warning(warning: ParseWarning): void;
}

/** A format reader: `sniff` looks at the first bytes; `parse` streams the whole input into the sink. */
export interface FormatParser {
  readonly format: FormatName;
  sniff(head: Buffer): boolean;
  parse(input: AsyncIterable<Buffer>, options: ParseOptions, sink: ParseSink): Promise<void>;
}
