import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The dunning tables (owned by src/collections/dunning). Configurations are versioned (every load is
 * a row; the latest is in force, each run keeps a copy of the one it used). A letter is one e-mail
 * or one non-e-mail step (call task, escalation, credit hold, legal) for one customer in one run;
 * its items are the documents it dunned, each at a step. How far a document was dunned is the
 * furthest step offset of its items not undone: undoing a run sets undone_at and the levels fall back.
 * Fees and interest are debit memos in the ledger; dunning_charge links them to their letter.
 */
const DUNNING = sql`
CREATE TABLE dunning_config (
  company_id uuid NOT NULL,
  config_id uuid NOT NULL,
  definition jsonb NOT NULL,
  source_name text NOT NULL CHECK (length(source_name) BETWEEN 1 AND 500),
  loaded_at timestamptz NOT NULL DEFAULT now(),
  loaded_by text NOT NULL,
  PRIMARY KEY (company_id, config_id)
);

CREATE TABLE dunning_customer_setting (
  company_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  language text CHECK (language ~ '^[a-z]{2}$'),
  strategy_code text CHECK (length(strategy_code) BETWEEN 1 AND 40),
  blocked_reason text CHECK (length(blocked_reason) BETWEEN 1 AND 500),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  PRIMARY KEY (company_id, customer_id)
);

-- Who changed a customer's dunning settings, when and why (the settings row holds only the latest).
CREATE TABLE dunning_setting_change (
  company_id uuid NOT NULL,
  change_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  changes jsonb NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, change_id)
);
CREATE INDEX dunning_setting_change_customer_idx ON dunning_setting_change (company_id, customer_id);

-- The strategy each customer was last dunned under, and why (segment, manual, default).
CREATE TABLE dunning_assignment (
  company_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  strategy_code text NOT NULL,
  segment_code text NOT NULL,
  reason text NOT NULL,
  config_id uuid,
  run_id uuid NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, customer_id)
);

CREATE TABLE dunning_run (
  company_id uuid NOT NULL,
  run_id uuid NOT NULL,
  as_of date NOT NULL,
  config_id uuid,
  config jsonb NOT NULL,
  documents_considered int4 NOT NULL DEFAULT 0,
  letters int4 NOT NULL DEFAULT 0,
  emails int4 NOT NULL DEFAULT 0,
  actions int4 NOT NULL DEFAULT 0,
  skips int4 NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  undone_at timestamptz,
  undone_by text,
  undo_reason text,
  PRIMARY KEY (company_id, run_id)
);
CREATE INDEX dunning_run_as_of_idx ON dunning_run (company_id, as_of);

CREATE TABLE dunning_letter (
  company_id uuid NOT NULL,
  letter_id uuid NOT NULL,
  run_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  strategy_code text NOT NULL,
  segment_code text NOT NULL,
  step_code text NOT NULL,
  level int2 NOT NULL CHECK (level BETWEEN 1 AND 20),
  action text NOT NULL CHECK (action IN ('email', 'call_task', 'escalation', 'credit_hold', 'legal')),
  language text NOT NULL CHECK (language ~ '^[a-z]{2}$'),
  recipient text,
  subject text,
  body text,
  -- pending: recorded, not yet handed to the mail server; recorded: a non-e-mail step.
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'recorded')),
  message_id text,
  error text,
  sent_at timestamptz,
  hold_id text,
  reasons jsonb NOT NULL,
  totals jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  undone_at timestamptz,
  PRIMARY KEY (company_id, letter_id),
  FOREIGN KEY (company_id, run_id) REFERENCES dunning_run (company_id, run_id),
  CHECK ((action = 'email') = (recipient IS NOT NULL AND subject IS NOT NULL AND body IS NOT NULL)),
  CHECK ((action = 'email') = (status <> 'recorded'))
);
CREATE INDEX dunning_letter_run_idx ON dunning_letter (company_id, run_id);
CREATE INDEX dunning_letter_customer_idx ON dunning_letter (company_id, customer_id);

CREATE TABLE dunning_letter_item (
  company_id uuid NOT NULL,
  letter_id uuid NOT NULL,
  document_id uuid NOT NULL,
  level int2 NOT NULL CHECK (level BETWEEN 1 AND 20),
  step_code text NOT NULL,
  -- The step's offset from the due date: a document is done up to the furthest offset of its live items.
  step_days int4 NOT NULL,
  previous_days int4 CHECK (previous_days < step_days),
  currency char(3) NOT NULL,
  open_minor int8 NOT NULL CHECK (open_minor > 0),
  days_overdue int4 NOT NULL,
  interest_minor int8 NOT NULL DEFAULT 0 CHECK (interest_minor >= 0),
  interest_from date,
  interest_to date,
  reason text NOT NULL,
  undone_at timestamptz,
  PRIMARY KEY (company_id, letter_id, document_id),
  FOREIGN KEY (company_id, letter_id) REFERENCES dunning_letter (company_id, letter_id),
  CHECK ((interest_from IS NULL) = (interest_to IS NULL))
);
-- How far each document was dunned; also stops two concurrent runs from dunning one step twice.
CREATE UNIQUE INDEX dunning_letter_item_done_idx ON dunning_letter_item (company_id, document_id, step_days)
  WHERE undone_at IS NULL;

CREATE TABLE dunning_charge (
  company_id uuid NOT NULL,
  charge_id uuid NOT NULL,
  letter_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('fee', 'interest')),
  currency char(3) NOT NULL,
  amount_minor int8 NOT NULL CHECK (amount_minor > 0),
  document_id uuid NOT NULL,
  document_number text NOT NULL,
  reversal_document_id uuid,
  reversed_minor int8 CHECK (reversed_minor >= 0),
  reversed_at timestamptz,
  reversal_note text,
  PRIMARY KEY (company_id, charge_id),
  UNIQUE (company_id, document_id),
  FOREIGN KEY (company_id, letter_id) REFERENCES dunning_letter (company_id, letter_id)
);
CREATE INDEX dunning_charge_letter_idx ON dunning_charge (company_id, letter_id);

CREATE TABLE dunning_skip (
  company_id uuid NOT NULL,
  run_id uuid NOT NULL,
  skip_no int4 NOT NULL,
  customer_id uuid NOT NULL,
  document_id uuid,
  code text NOT NULL,
  detail text NOT NULL,
  PRIMARY KEY (company_id, run_id, skip_no),
  FOREIGN KEY (company_id, run_id) REFERENCES dunning_run (company_id, run_id)
);
`;

export const dunningMigrations: Record<string, Migration> = {
  '0011_dunning': {
    async up(db: Kysely<unknown>) {
      await DUNNING.execute(db);
    },
  },
};
