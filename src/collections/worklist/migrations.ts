import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The prediction and worklist tables (owned by src/collections/prediction and
 * src/collections/worklist). Runs and their rows are derived data: rebuilt from the ledger at will,
 * kept so a collector can see what was predicted and recommended, and why; old runs are pruned.
 * Snoozes are decisions people made: kept, and lifted (not deleted) when undone.
 */
const TABLES = sql`
CREATE TABLE prediction_run (
  company_id uuid NOT NULL,
  run_id uuid NOT NULL,
  as_of_date date NOT NULL,
  model_version text NOT NULL,
  grace_days int4 NOT NULL CHECK (grace_days BETWEEN 0 AND 90),
  model jsonb NOT NULL,
  training jsonb NOT NULL,
  documents int4 NOT NULL CHECK (documents >= 0),
  customers int4 NOT NULL CHECK (customers >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, run_id)
);
CREATE INDEX prediction_run_as_of_idx ON prediction_run (company_id, as_of_date, created_at);

-- One row per open invoice or debit memo on the run's date.
CREATE TABLE prediction_document (
  company_id uuid NOT NULL,
  run_id uuid NOT NULL,
  document_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  document_number text NOT NULL,
  currency char(3) NOT NULL,
  document_date date NOT NULL,
  due_date date NOT NULL,
  open_minor int8 NOT NULL CHECK (open_minor > 0),
  open_base_minor int8 NOT NULL CHECK (open_base_minor >= 0),
  days_past_due int4 NOT NULL,
  p_late float8 NOT NULL CHECK (p_late BETWEEN 0 AND 1),
  already_late boolean NOT NULL,
  predicted_days_late int4 NOT NULL,
  predicted_payment_date date NOT NULL,
  reasons jsonb NOT NULL,
  PRIMARY KEY (company_id, run_id, document_id),
  FOREIGN KEY (company_id, run_id) REFERENCES prediction_run (company_id, run_id) ON DELETE CASCADE
);
CREATE INDEX prediction_document_customer_idx ON prediction_document (company_id, run_id, customer_id);

-- The payment behaviour of each customer with something open on the run's date: its own average days
-- late and share paid late over its paid documents (0 with none), the recent trend (shrunk), disputes
-- opened in the last 365 days and promises broken.
CREATE TABLE prediction_customer (
  company_id uuid NOT NULL,
  run_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  paid_count int4 NOT NULL,
  avg_days_late float8 NOT NULL,
  trend_days float8 NOT NULL,
  late_share float8 NOT NULL CHECK (late_share BETWEEN 0 AND 1),
  tenure_days int4 NOT NULL,
  overdue_count int4 NOT NULL,
  open_documents int4 NOT NULL,
  open_base_minor int8 NOT NULL,
  expected_late_base_minor int8 NOT NULL,
  disputes_365 int4 NOT NULL,
  promises_broken int4 NOT NULL,
  PRIMARY KEY (company_id, run_id, customer_id),
  FOREIGN KEY (company_id, run_id) REFERENCES prediction_run (company_id, run_id) ON DELETE CASCADE
);

CREATE TABLE worklist_snooze (
  company_id uuid NOT NULL,
  snooze_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  until_date date NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  lifted_at timestamptz,
  lifted_by text,
  lift_reason text CHECK (lift_reason IS NULL OR length(lift_reason) BETWEEN 1 AND 500),
  PRIMARY KEY (company_id, snooze_id),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
);
CREATE INDEX worklist_snooze_live_idx ON worklist_snooze (company_id, customer_id, until_date) WHERE lifted_at IS NULL;

CREATE TABLE worklist_run (
  company_id uuid NOT NULL,
  run_id uuid NOT NULL,
  as_of_date date NOT NULL,
  prediction_run_id uuid NOT NULL,
  settings jsonb NOT NULL,
  accounts int4 NOT NULL CHECK (accounts >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, run_id)
);

-- One row per account on the run's worklist, with its score's terms and the recommended action.
CREATE TABLE worklist_item (
  company_id uuid NOT NULL,
  run_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  rank int4 NOT NULL CHECK (rank >= 1),
  score_base_minor int8 NOT NULL CHECK (score_base_minor >= 0),
  collector text,
  action text NOT NULL,
  next_action_date date NOT NULL,
  open_base_minor int8 NOT NULL,
  past_due_base_minor int8 NOT NULL,
  snoozed_until date,
  reasons jsonb NOT NULL,
  PRIMARY KEY (company_id, run_id, customer_id),
  FOREIGN KEY (company_id, run_id) REFERENCES worklist_run (company_id, run_id) ON DELETE CASCADE
);
CREATE INDEX worklist_item_rank_idx ON worklist_item (company_id, run_id, rank);
`;

export const worklistMigrations: Record<string, Migration> = {
  '0012_worklist': {
    async up(db: Kysely<unknown>) {
      await TABLES.execute(db);
    },
  },
};
