import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The ledger module's tables. Every key leads with company_id (the tenant), so a distributed
 * engine can shard on it; ids are UUIDv7 made by the application; money is int8 minor units
 * beside a currency; balances carried on rows are caches of the append-only history and are
 * CHECKed so the database itself refuses an over-application.
 */
const CORE = sql`
CREATE TABLE company (
  company_id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_.-]{1,40}$'),
  name text NOT NULL,
  base_currency char(3) NOT NULL CHECK (base_currency ~ '^[A-Z]{3}$'),
  fiscal_year_start_month int2 NOT NULL DEFAULT 1 CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);

CREATE TABLE fiscal_period (
  company_id uuid NOT NULL REFERENCES company (company_id),
  period_code text NOT NULL CHECK (period_code ~ '^[0-9]{4}-[0-9]{2}$'),
  fiscal_year int4 NOT NULL,
  period_number int2 NOT NULL CHECK (period_number BETWEEN 1 AND 12),
  start_date date NOT NULL,
  end_date date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  changed_at timestamptz,
  changed_by text,
  change_reason text,
  PRIMARY KEY (company_id, period_code),
  UNIQUE (company_id, start_date),
  CHECK (end_date >= start_date)
);

CREATE TABLE gl_account (
  company_id uuid NOT NULL REFERENCES company (company_id),
  account_code text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('ar_control', 'cash', 'unapplied_cash', 'revenue', 'discount',
    'write_off', 'bad_debt', 'fx_gain_loss')),
  PRIMARY KEY (company_id, account_code),
  UNIQUE (company_id, role)
);

CREATE TABLE fx_rate (
  company_id uuid NOT NULL REFERENCES company (company_id),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  rate_date date NOT NULL,
  rate numeric(24, 12) NOT NULL CHECK (rate > 0),
  PRIMARY KEY (company_id, currency, rate_date)
);

CREATE TABLE customer (
  company_id uuid NOT NULL REFERENCES company (company_id),
  customer_id uuid NOT NULL,
  customer_number text NOT NULL CHECK (length(customer_number) BETWEEN 1 AND 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  parent_customer_id uuid,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  terms_days int4 NOT NULL DEFAULT 30 CHECK (terms_days BETWEEN 0 AND 3650),
  discount_percent numeric(6, 3) NOT NULL DEFAULT 0 CHECK (discount_percent >= 0 AND discount_percent < 100),
  discount_days int4 NOT NULL DEFAULT 0 CHECK (discount_days BETWEEN 0 AND 3650),
  credit_limit_minor int8 CHECK (credit_limit_minor >= 0),
  collector text,
  email text,
  phone text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  import_id uuid,
  PRIMARY KEY (company_id, customer_id),
  UNIQUE (company_id, customer_number),
  FOREIGN KEY (company_id, parent_customer_id) REFERENCES customer (company_id, customer_id)
    DEFERRABLE INITIALLY DEFERRED,
  CHECK (parent_customer_id IS NULL OR parent_customer_id <> customer_id)
);
CREATE INDEX customer_parent_idx ON customer (company_id, parent_customer_id) WHERE parent_customer_id IS NOT NULL;

CREATE TABLE customer_contact (
  company_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  role text NOT NULL DEFAULT 'bill_to' CHECK (role IN ('bill_to', 'ship_to', 'ap', 'other')),
  name text,
  email text,
  phone text,
  is_primary boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, contact_id),
  FOREIGN KEY (company_id, customer_id) REFERENCES customer (company_id, customer_id)
);
CREATE INDEX customer_contact_customer_idx ON customer_contact (company_id, customer_id);

-- Known payer accounts, normalized (upper case, no spaces or punctuation) for exact lookup.
CREATE TABLE customer_bank_account (
  company_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  account_key text NOT NULL CHECK (account_key ~ '^[A-Z0-9]{4,64}$'),
  account_text text NOT NULL,
  source text NOT NULL CHECK (source IN ('import', 'manual', 'learned')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, customer_id, account_key),
  FOREIGN KEY (company_id, customer_id) REFERENCES customer (company_id, customer_id)
);
CREATE INDEX customer_bank_account_key_idx ON customer_bank_account (company_id, account_key);

CREATE TABLE customer_alias (
  company_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  alias_key text NOT NULL CHECK (length(alias_key) BETWEEN 1 AND 300),
  alias_text text NOT NULL,
  source text NOT NULL CHECK (source IN ('import', 'manual', 'learned')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, customer_id, alias_key),
  FOREIGN KEY (company_id, customer_id) REFERENCES customer (company_id, customer_id)
);
CREATE INDEX customer_alias_key_idx ON customer_alias (company_id, alias_key);

-- Invoices, credit memos and debit memos. amount_minor is always positive; the type gives the sign.
-- open_minor / open_base_minor are the cached open balance (document and base currency).
CREATE TABLE document (
  company_id uuid NOT NULL,
  document_id uuid NOT NULL,
  document_number text NOT NULL CHECK (length(document_number) BETWEEN 1 AND 100),
  customer_id uuid NOT NULL,
  doc_type text NOT NULL CHECK (doc_type IN ('invoice', 'credit_memo', 'debit_memo')),
  document_date date NOT NULL,
  due_date date NOT NULL,
  discount_date date,
  discount_percent numeric(6, 3) NOT NULL DEFAULT 0 CHECK (discount_percent >= 0 AND discount_percent < 100),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  fx_rate numeric(24, 12) NOT NULL DEFAULT 1 CHECK (fx_rate > 0),
  amount_minor int8 NOT NULL CHECK (amount_minor > 0),
  base_amount_minor int8 NOT NULL CHECK (base_amount_minor >= 0),
  open_minor int8 NOT NULL,
  open_base_minor int8 NOT NULL,
  po_number text,
  sales_rep text,
  description text,
  external_id text,
  entry_id uuid NOT NULL,
  import_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, document_id),
  UNIQUE (company_id, document_number),
  FOREIGN KEY (company_id, customer_id) REFERENCES customer (company_id, customer_id),
  CHECK (open_minor BETWEEN 0 AND amount_minor),
  CHECK (open_base_minor >= 0),
  CHECK (open_minor > 0 OR open_base_minor = 0)
);
CREATE INDEX document_customer_open_idx ON document (company_id, customer_id) WHERE open_minor > 0;
CREATE INDEX document_customer_date_idx ON document (company_id, customer_id, document_date);

-- Changes to a posted document (amount corrections, new due date...) with who, when and why.
CREATE TABLE document_revision (
  company_id uuid NOT NULL,
  revision_id uuid NOT NULL,
  document_id uuid NOT NULL,
  changes jsonb NOT NULL,
  amount_delta_minor int8 NOT NULL DEFAULT 0,
  base_delta_minor int8 NOT NULL DEFAULT 0,
  posting_date date NOT NULL,
  entry_id uuid,
  import_id uuid,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, revision_id),
  FOREIGN KEY (company_id, document_id) REFERENCES document (company_id, document_id)
);
CREATE INDEX document_revision_document_idx ON document_revision (company_id, document_id);

-- Cash received. unapplied_minor: not yet assigned; on_account_minor: a credit on the customer's
-- account, not yet against a document. Neither can exceed what the receipt brought.
CREATE TABLE receipt (
  company_id uuid NOT NULL,
  receipt_id uuid NOT NULL,
  receipt_key text NOT NULL CHECK (length(receipt_key) BETWEEN 1 AND 200),
  customer_id uuid,
  receipt_date date NOT NULL,
  method text NOT NULL CHECK (method IN ('ach', 'wire', 'check', 'card', 'lockbox', 'other')),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  fx_rate numeric(24, 12) NOT NULL DEFAULT 1 CHECK (fx_rate > 0),
  amount_minor int8 NOT NULL CHECK (amount_minor > 0),
  base_amount_minor int8 NOT NULL CHECK (base_amount_minor >= 0),
  unapplied_minor int8 NOT NULL,
  unapplied_base_minor int8 NOT NULL,
  on_account_minor int8 NOT NULL DEFAULT 0,
  on_account_base_minor int8 NOT NULL DEFAULT 0,
  payer_name text,
  payer_account text,
  payer_bank text,
  reference text,
  remittance_text text,
  bank_entry_id uuid,
  entry_id uuid NOT NULL,
  import_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, receipt_id),
  UNIQUE (company_id, receipt_key),
  FOREIGN KEY (company_id, customer_id) REFERENCES customer (company_id, customer_id),
  CHECK (unapplied_minor >= 0 AND on_account_minor >= 0 AND unapplied_minor + on_account_minor <= amount_minor),
  CHECK (unapplied_base_minor >= 0 AND on_account_base_minor >= 0),
  CHECK (unapplied_minor > 0 OR unapplied_base_minor = 0),
  CHECK (on_account_minor > 0 OR on_account_base_minor = 0)
);
CREATE INDEX receipt_unapplied_idx ON receipt (company_id, receipt_date) WHERE unapplied_minor > 0;
CREATE INDEX receipt_customer_idx ON receipt (company_id, customer_id, receipt_date);

-- How cash and credits cleared documents. Append-only: an unapply is a new row with negated
-- amounts that names the row it reverses. applied_minor = cash + discount + write-off, in the
-- document's currency.
CREATE TABLE application (
  company_id uuid NOT NULL,
  application_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('payment', 'credit_memo', 'on_account')),
  receipt_id uuid,
  credit_document_id uuid,
  document_id uuid,
  currency char(3) NOT NULL,
  applied_minor int8 NOT NULL,
  cash_minor int8 NOT NULL,
  discount_minor int8 NOT NULL DEFAULT 0,
  write_off_minor int8 NOT NULL DEFAULT 0,
  write_off_reason text,
  document_base_minor int8 NOT NULL,
  source_base_minor int8 NOT NULL,
  fx_gain_loss_base_minor int8 NOT NULL DEFAULT 0,
  posting_date date NOT NULL,
  entry_id uuid NOT NULL,
  reverses_application_id uuid,
  origin text NOT NULL CHECK (origin IN ('manual', 'import', 'cashapp')),
  run_id uuid,
  external_key text,
  confidence numeric(5, 4),
  reasons jsonb,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, application_id),
  UNIQUE (company_id, reverses_application_id),
  CHECK (applied_minor = cash_minor + discount_minor + write_off_minor),
  CHECK ((kind = 'payment' AND receipt_id IS NOT NULL AND document_id IS NOT NULL AND credit_document_id IS NULL)
      OR (kind = 'credit_memo' AND credit_document_id IS NOT NULL AND document_id IS NOT NULL AND receipt_id IS NULL
          AND discount_minor = 0 AND write_off_minor = 0)
      OR (kind = 'on_account' AND receipt_id IS NOT NULL AND document_id IS NULL AND credit_document_id IS NULL
          AND discount_minor = 0 AND write_off_minor = 0)),
  CHECK ((reverses_application_id IS NULL AND applied_minor > 0) OR (reverses_application_id IS NOT NULL AND applied_minor < 0))
);
CREATE INDEX application_document_idx ON application (company_id, document_id);
CREATE INDEX application_receipt_idx ON application (company_id, receipt_id);
CREATE INDEX application_credit_idx ON application (company_id, credit_document_id) WHERE credit_document_id IS NOT NULL;
-- Not unique: an application the ERP changed is reversed and applied again under the same key.
CREATE INDEX application_external_key_idx ON application (company_id, external_key) WHERE external_key IS NOT NULL;

-- Write-offs, small balances and bad debt against one document. Positive amounts reduce the open
-- balance; a reversal is a new row with the negated amount.
CREATE TABLE adjustment (
  company_id uuid NOT NULL,
  adjustment_id uuid NOT NULL,
  document_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('write_off', 'small_balance', 'bad_debt')),
  amount_minor int8 NOT NULL CHECK (amount_minor <> 0),
  base_amount_minor int8 NOT NULL,
  reason text NOT NULL CHECK (length(reason) > 0),
  posting_date date NOT NULL,
  entry_id uuid NOT NULL,
  reverses_adjustment_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, adjustment_id),
  UNIQUE (company_id, reverses_adjustment_id),
  FOREIGN KEY (company_id, document_id) REFERENCES document (company_id, document_id),
  CHECK ((reverses_adjustment_id IS NULL) = (amount_minor > 0))
);
CREATE INDEX adjustment_document_idx ON adjustment (company_id, document_id);

-- The general-ledger journal. Lines are signed: debit positive, credit negative. Each entry
-- balances in the base currency; the line count and totals are on the header so a partial
-- insert is detectable.
CREATE TABLE journal_entry (
  company_id uuid NOT NULL REFERENCES company (company_id),
  entry_id uuid NOT NULL,
  posting_date date NOT NULL,
  source_type text NOT NULL,
  source_id uuid,
  memo text NOT NULL,
  reverses_entry_id uuid,
  line_count int4 NOT NULL CHECK (line_count >= 2),
  debit_base_minor int8 NOT NULL CHECK (debit_base_minor >= 0),
  credit_base_minor int8 NOT NULL CHECK (credit_base_minor >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, entry_id),
  CHECK (debit_base_minor = credit_base_minor)
);
CREATE INDEX journal_entry_date_idx ON journal_entry (company_id, posting_date);

CREATE TABLE journal_line (
  company_id uuid NOT NULL,
  entry_id uuid NOT NULL,
  line_no int4 NOT NULL CHECK (line_no >= 1),
  account_code text NOT NULL,
  customer_id uuid,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor int8 NOT NULL,
  base_amount_minor int8 NOT NULL,
  PRIMARY KEY (company_id, entry_id, line_no),
  FOREIGN KEY (company_id, entry_id) REFERENCES journal_entry (company_id, entry_id),
  FOREIGN KEY (company_id, account_code) REFERENCES gl_account (company_id, account_code)
);
CREATE INDEX journal_line_account_idx ON journal_line (company_id, account_code, currency);

-- Generic who/when/why trail for changes that are not postings (customer master data, settings).
CREATE TABLE change_log (
  company_id uuid NOT NULL,
  change_id uuid NOT NULL,
  object_type text NOT NULL,
  object_id uuid NOT NULL,
  action text NOT NULL,
  changes jsonb NOT NULL,
  reason text NOT NULL,
  import_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, change_id)
);
CREATE INDEX change_log_object_idx ON change_log (company_id, object_type, object_id);
`;

/**
 * Guards in the database itself, behind the assertions in code: the history tables are
 * append-only, a journal entry's lines must balance and match its header, and nothing posts into
 * a closed period. The balance check is a statement-level trigger, so an entry's lines are
 * inserted by one statement.
 */
const GUARDS = sql`
CREATE FUNCTION openar_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'openar: % is append-only; post a reversal instead', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER journal_entry_append_only BEFORE UPDATE OR DELETE ON journal_entry
  FOR EACH ROW EXECUTE FUNCTION openar_forbid_change();
CREATE TRIGGER journal_line_append_only BEFORE UPDATE OR DELETE ON journal_line
  FOR EACH ROW EXECUTE FUNCTION openar_forbid_change();
CREATE TRIGGER application_append_only BEFORE UPDATE OR DELETE ON application
  FOR EACH ROW EXECUTE FUNCTION openar_forbid_change();
CREATE TRIGGER adjustment_append_only BEFORE UPDATE OR DELETE ON adjustment
  FOR EACH ROW EXECUTE FUNCTION openar_forbid_change();
CREATE TRIGGER document_revision_append_only BEFORE UPDATE OR DELETE ON document_revision
  FOR EACH ROW EXECUTE FUNCTION openar_forbid_change();
CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log
  FOR EACH ROW EXECUTE FUNCTION openar_forbid_change();

CREATE FUNCTION openar_check_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed_code text;
BEGIN
  SELECT period_code INTO closed_code FROM fiscal_period
   WHERE company_id = NEW.company_id AND status = 'closed'
     AND NEW.posting_date BETWEEN start_date AND end_date;
  IF closed_code IS NOT NULL THEN
    RAISE EXCEPTION 'openar: period % is closed; cannot post on %', closed_code, NEW.posting_date
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER journal_entry_period_open BEFORE INSERT ON journal_entry
  FOR EACH ROW EXECUTE FUNCTION openar_check_period_open();

CREATE FUNCTION openar_check_entries_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT e.entry_id, e.line_count, e.debit_base_minor, t.lines, t.debit, t.credit INTO bad
    FROM (SELECT company_id, entry_id, count(*) AS lines,
                 sum(GREATEST(base_amount_minor, 0)) AS debit,
                 sum(GREATEST(-base_amount_minor, 0)) AS credit
            FROM journal_line
           WHERE (company_id, entry_id) IN (SELECT DISTINCT company_id, entry_id FROM new_lines)
           GROUP BY company_id, entry_id) t
    JOIN journal_entry e USING (company_id, entry_id)
   WHERE t.debit <> t.credit OR t.lines <> e.line_count OR t.debit <> e.debit_base_minor
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'openar: journal entry % does not balance (% lines of %, debit %, credit %, header %)',
      bad.entry_id, bad.lines, bad.line_count, bad.debit, bad.credit, bad.debit_base_minor
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER journal_line_balanced AFTER INSERT ON journal_line
  REFERENCING NEW TABLE AS new_lines
  FOR EACH STATEMENT EXECUTE FUNCTION openar_check_entries_balanced();
`;

export const ledgerMigrations: Record<string, Migration> = {
  '0001_ledger_core': {
    async up(db: Kysely<unknown>) {
      await CORE.execute(db);
    },
  },
  '0002_ledger_guards': {
    async up(db: Kysely<unknown>) {
      await GUARDS.execute(db);
    },
  },
  // collections_document_open_idx (0007) has the same leading columns and predicate and covers
  // more; keeping both made every document insert and balance change maintain one index too many.
  '0013_document_open_index': {
    async up(db: Kysely<unknown>) {
      await sql`DROP INDEX IF EXISTS document_customer_open_idx`.execute(db);
    },
  },
};
