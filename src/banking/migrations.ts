import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The banking module's tables: what the bank files said, kept apart from the ledger. An entry is
 * stored once however many files repeat it (intraday then end-of-day, overlapping statements):
 * entry_key is a digest of what identifies the transaction at the bank.
 */
export const bankingMigrations: Record<string, Migration> = {
  '0004_banking': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE bank_file (
          company_id uuid NOT NULL,
          file_id uuid NOT NULL,
          file_name text NOT NULL,
          file_sha256 text NOT NULL,
          format text NOT NULL,
          statements int4 NOT NULL,
          entries_new int4 NOT NULL,
          entries_existing int4 NOT NULL,
          remittances_new int4 NOT NULL,
          warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          created_by text NOT NULL,
          PRIMARY KEY (company_id, file_id)
        );
        CREATE TABLE bank_statement (
          company_id uuid NOT NULL,
          statement_id uuid NOT NULL,
          file_id uuid NOT NULL,
          seq int4 NOT NULL,
          account text,
          currency char(3),
          opening_balance_minor int8,
          closing_balance_minor int8,
          details jsonb NOT NULL DEFAULT '{}'::jsonb,
          PRIMARY KEY (company_id, statement_id),
          FOREIGN KEY (company_id, file_id) REFERENCES bank_file (company_id, file_id)
        );
        CREATE TABLE bank_entry (
          company_id uuid NOT NULL,
          bank_entry_id uuid NOT NULL,
          entry_key text NOT NULL,
          statement_id uuid NOT NULL,
          account text,
          booking_date date,
          value_date date,
          amount_minor int8 NOT NULL,
          currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
          bank_transaction_code text,
          bank_reference text,
          end_to_end_id text,
          counterparty_name text,
          counterparty_account text,
          counterparty_bank text,
          remittance_references jsonb NOT NULL DEFAULT '[]'::jsonb,
          remittance_text text,
          details jsonb NOT NULL DEFAULT '{}'::jsonb,
          receipt_id uuid,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (company_id, bank_entry_id),
          UNIQUE (company_id, entry_key),
          FOREIGN KEY (company_id, statement_id) REFERENCES bank_statement (company_id, statement_id)
        );
        CREATE TABLE remittance_advice (
          company_id uuid NOT NULL,
          advice_id uuid NOT NULL,
          advice_key text NOT NULL,
          file_id uuid NOT NULL,
          payer text,
          payment_reference text,
          amount_minor int8,
          currency char(3),
          details jsonb NOT NULL DEFAULT '{}'::jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (company_id, advice_id),
          UNIQUE (company_id, advice_key)
        );
        CREATE TABLE remittance_line (
          company_id uuid NOT NULL,
          advice_id uuid NOT NULL,
          line_no int4 NOT NULL,
          document_number text,
          amount_paid_minor int8,
          amount_invoiced_minor int8,
          discount_minor int8,
          adjustments jsonb NOT NULL DEFAULT '[]'::jsonb,
          PRIMARY KEY (company_id, advice_id, line_no),
          FOREIGN KEY (company_id, advice_id) REFERENCES remittance_advice (company_id, advice_id)
        );
        CREATE INDEX remittance_line_document_idx ON remittance_line (company_id, document_number);
      `.execute(db);
    },
  },
  /**
   * Advices customers send themselves (e-mails, their CSV files, PDFs) next to those inside bank
   * files: how each arrived, the payment date and the sender's address as columns (cash application
   * matches on them), and each line's document type (a credit memo is not an invoice) and extras.
   */
  '0005_remittance_sources': {
    async up(db: Kysely<unknown>) {
      await sql`
        ALTER TABLE remittance_advice
          ADD COLUMN received_via text NOT NULL DEFAULT 'bank-file',
          ADD COLUMN payment_date date,
          ADD COLUMN advice_date date,
          ADD COLUMN payer_email text;
        ALTER TABLE remittance_line
          ADD COLUMN document_type text,
          ADD COLUMN details jsonb NOT NULL DEFAULT '{}'::jsonb;
        CREATE INDEX remittance_advice_reference_idx ON remittance_advice (company_id, payment_reference);
      `.execute(db);
    },
  },
};
