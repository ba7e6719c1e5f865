import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely's view of the tables that are read and written through the query builder. Bulk and
 * set-based statements use SQL directly; their tables are described in the migrations.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CompanyTable {
  company_id: string;
  code: string;
  name: string;
  base_currency: string;
  fiscal_year_start_month: Generated<number>;
  settings: Generated<unknown>;
  created_at: Timestamp;
  created_by: string;
}

export interface FiscalPeriodTable {
  company_id: string;
  period_code: string;
  fiscal_year: number;
  period_number: number;
  start_date: string;
  end_date: string;
  status: Generated<'open' | 'closed'>;
  changed_at: Date | null;
  changed_by: string | null;
  change_reason: string | null;
}

export interface GlAccountTable {
  company_id: string;
  account_code: string;
  name: string;
  role: string;
}

export interface CustomerTable {
  company_id: string;
  customer_id: string;
  customer_number: string;
  name: string;
  parent_customer_id: string | null;
  currency: string;
  terms_days: number;
  discount_percent: string;
  discount_days: number;
  credit_limit_minor: number | null;
  collector: string | null;
  email: string | null;
  phone: string | null;
  status: Generated<'active' | 'inactive'>;
  created_at: Timestamp;
  created_by: string;
  updated_at: Timestamp;
  updated_by: string;
  import_id: string | null;
}

export interface DocumentTable {
  company_id: string;
  document_id: string;
  document_number: string;
  customer_id: string;
  doc_type: 'invoice' | 'credit_memo' | 'debit_memo';
  document_date: string;
  due_date: string;
  discount_date: string | null;
  discount_percent: string;
  currency: string;
  fx_rate: string;
  amount_minor: number;
  base_amount_minor: number;
  open_minor: number;
  open_base_minor: number;
  po_number: string | null;
  sales_rep: string | null;
  description: string | null;
  external_id: string | null;
  entry_id: string;
  import_id: string | null;
  created_at: Timestamp;
  created_by: string;
}

export interface ReceiptTable {
  company_id: string;
  receipt_id: string;
  receipt_key: string;
  customer_id: string | null;
  receipt_date: string;
  method: string;
  currency: string;
  fx_rate: string;
  amount_minor: number;
  base_amount_minor: number;
  unapplied_minor: number;
  unapplied_base_minor: number;
  on_account_minor: number;
  on_account_base_minor: number;
  payer_name: string | null;
  payer_account: string | null;
  payer_bank: string | null;
  reference: string | null;
  remittance_text: string | null;
  bank_entry_id: string | null;
  entry_id: string;
  import_id: string | null;
  created_at: Timestamp;
  created_by: string;
}

export interface DB {
  company: CompanyTable;
  fiscal_period: FiscalPeriodTable;
  gl_account: GlAccountTable;
  customer: CustomerTable;
  document: DocumentTable;
  receipt: ReceiptTable;
}
