import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The activity module's tables: the customer timeline (calls, e-mails, notes and every collections
 * event other modules record), promises to pay, payment plans, credit holds and the roles allowed
 * to override them. History is append-only: a status change is an event row with its reasons, an
 * undo is a new event naming the one it reverses. The few mutable columns (a promise's status, an
 * installment's paid amount, a hold's release, a follow-up's done flag) are caches of that history,
 * and the triggers below refuse any other change. No foreign keys to the ledger's tables: this
 * module reads them, it does not own them.
 */
const TABLES = sql`
CREATE TABLE activity_settings (
  company_id uuid PRIMARY KEY,
  promise_grace_days int4 NOT NULL DEFAULT 3 CHECK (promise_grace_days BETWEEN 0 AND 90),
  promise_tolerance_minor int8 NOT NULL DEFAULT 100 CHECK (promise_tolerance_minor >= 0),
  plan_grace_days int4 NOT NULL DEFAULT 5 CHECK (plan_grace_days BETWEEN 0 AND 90),
  credit_over_limit boolean NOT NULL DEFAULT true,
  credit_past_due_days int4 DEFAULT 60 CHECK (credit_past_due_days BETWEEN 0 AND 3650),
  credit_tolerance_minor int8 NOT NULL DEFAULT 1000 CHECK (credit_tolerance_minor >= 0),
  credit_override_days int4 NOT NULL DEFAULT 30 CHECK (credit_override_days BETWEEN 0 AND 365),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);

CREATE TABLE activity_settings_history (
  company_id uuid NOT NULL,
  change_id uuid NOT NULL,
  settings jsonb NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, change_id)
);

CREATE TABLE activity (
  company_id uuid NOT NULL,
  activity_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('call', 'email', 'note', 'promise', 'plan', 'hold', 'release',
    'dunning', 'dispute')),
  activity_date date NOT NULL,
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  outcome text CHECK (length(outcome) BETWEEN 1 AND 60),
  follow_up_date date,
  follow_up_done boolean NOT NULL DEFAULT false,
  ref_type text CHECK (length(ref_type) BETWEEN 1 AND 40),
  ref_id text CHECK (length(ref_id) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 200),
  PRIMARY KEY (company_id, activity_id),
  CHECK (follow_up_date IS NOT NULL OR NOT follow_up_done)
);
CREATE INDEX activity_customer_idx ON activity (company_id, customer_id, activity_date, activity_id);
CREATE INDEX activity_follow_up_idx ON activity (company_id, follow_up_date)
  WHERE follow_up_date IS NOT NULL AND NOT follow_up_done;
CREATE INDEX activity_ref_idx ON activity (company_id, ref_type, ref_id) WHERE ref_id IS NOT NULL;

-- Each done / undone of a follow-up, with who and why; activity.follow_up_done caches the last one.
CREATE TABLE activity_follow_up_change (
  company_id uuid NOT NULL,
  change_id uuid NOT NULL,
  activity_id uuid NOT NULL,
  done boolean NOT NULL,
  reason text CHECK (length(reason) <= 1000),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, change_id)
);
CREATE INDEX activity_follow_up_change_idx ON activity_follow_up_change (company_id, activity_id);

CREATE TABLE payment_promise (
  company_id uuid NOT NULL,
  promise_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount_minor int8 NOT NULL CHECK (amount_minor > 0),
  promised_date date NOT NULL,
  made_on date NOT NULL,
  channel text NOT NULL CHECK (channel IN ('phone', 'email', 'portal', 'letter', 'other')),
  promised_by text CHECK (length(promised_by) BETWEEN 1 AND 200),
  document_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(document_ids) <= 500),
  note text CHECK (length(note) <= 2000),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'partial', 'broken', 'cancelled')),
  kept_minor int8 NOT NULL DEFAULT 0 CHECK (kept_minor >= 0),
  settled_on date,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, promise_id),
  CHECK (promised_date >= made_on),
  CHECK ((status = 'open') = (settled_on IS NULL))
);
CREATE INDEX payment_promise_open_idx ON payment_promise (company_id, customer_id) WHERE status = 'open';
CREATE INDEX payment_promise_customer_idx ON payment_promise (company_id, customer_id, promised_date);

-- Every status change of a promise: automatic (which receipts), manual, or the undo of an earlier one.
CREATE TABLE promise_event (
  company_id uuid NOT NULL,
  event_id uuid NOT NULL,
  promise_id uuid NOT NULL,
  from_status text NOT NULL,
  to_status text NOT NULL,
  kept_minor int8 NOT NULL CHECK (kept_minor >= 0),
  as_of_date date NOT NULL,
  source text NOT NULL CHECK (source IN ('auto', 'manual', 'undo')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  reverses_event_id uuid,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, event_id),
  UNIQUE (company_id, reverses_event_id),
  CHECK ((source = 'undo') = (reverses_event_id IS NOT NULL))
);
CREATE INDEX promise_event_promise_idx ON promise_event (company_id, promise_id);

-- The cash an automatic settlement counted toward a promise, so a receipt is never counted twice.
CREATE TABLE promise_allocation (
  company_id uuid NOT NULL,
  event_id uuid NOT NULL,
  line_no int4 NOT NULL CHECK (line_no >= 1),
  promise_id uuid NOT NULL,
  receipt_id uuid NOT NULL,
  document_id uuid,
  receipt_date date NOT NULL,
  amount_minor int8 NOT NULL CHECK (amount_minor > 0),
  PRIMARY KEY (company_id, event_id, line_no)
);
CREATE INDEX promise_allocation_promise_idx ON promise_allocation (company_id, promise_id);

CREATE TABLE payment_plan (
  company_id uuid NOT NULL,
  plan_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  total_minor int8 NOT NULL CHECK (total_minor > 0),
  installment_count int4 NOT NULL CHECK (installment_count BETWEEN 1 AND 120),
  first_date date NOT NULL,
  every text NOT NULL CHECK (every ~ '^[0-9]{1,3}[dm]$'),
  made_on date NOT NULL,
  document_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(document_ids) <= 5000),
  note text CHECK (length(note) <= 2000),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'cancelled')),
  standing text NOT NULL DEFAULT 'good' CHECK (standing IN ('good', 'missed')),
  paid_minor int8 NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL,
  closed_on date,
  closed_by text,
  close_reason text,
  PRIMARY KEY (company_id, plan_id),
  CHECK ((status = 'active') = (closed_on IS NULL))
);
CREATE INDEX payment_plan_active_idx ON payment_plan (company_id, customer_id) WHERE status = 'active';

CREATE TABLE plan_installment (
  company_id uuid NOT NULL,
  plan_id uuid NOT NULL,
  seq int4 NOT NULL CHECK (seq BETWEEN 1 AND 120),
  due_date date NOT NULL,
  amount_minor int8 NOT NULL CHECK (amount_minor > 0),
  paid_minor int8 NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'missed', 'paid_late')),
  settled_on date,
  PRIMARY KEY (company_id, plan_id, seq),
  CHECK (paid_minor <= amount_minor)
);

-- Every status change of a plan or one of its installments, with the receipts that explain it.
CREATE TABLE plan_event (
  company_id uuid NOT NULL,
  event_id uuid NOT NULL,
  plan_id uuid NOT NULL,
  seq int4,
  from_status text NOT NULL,
  to_status text NOT NULL,
  as_of_date date NOT NULL,
  source text NOT NULL CHECK (source IN ('auto', 'manual')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text NOT NULL,
  PRIMARY KEY (company_id, event_id)
);
CREATE INDEX plan_event_plan_idx ON plan_event (company_id, plan_id);

CREATE TABLE credit_hold (
  company_id uuid NOT NULL,
  hold_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  source text NOT NULL CHECK (source IN ('manual', 'dunning', 'rule')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  placed_on date NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  placed_by text NOT NULL,
  released_on date,
  released_at timestamptz,
  released_by text,
  release_reason text CHECK (length(release_reason) BETWEEN 1 AND 2000),
  release_source text CHECK (release_source IN ('manual', 'rule')),
  override_until date,
  PRIMARY KEY (company_id, hold_id),
  CHECK ((released_at IS NULL) = (released_by IS NULL)),
  CHECK ((released_at IS NULL) = (release_reason IS NULL)),
  CHECK ((released_at IS NULL) = (released_on IS NULL))
);
CREATE UNIQUE INDEX credit_hold_active_idx ON credit_hold (company_id, customer_id, source) WHERE released_at IS NULL;
CREATE INDEX credit_hold_customer_idx ON credit_hold (company_id, customer_id, placed_on);

CREATE TABLE credit_role (
  company_id uuid NOT NULL,
  grant_id uuid NOT NULL,
  user_name text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 200),
  role text NOT NULL CHECK (role IN ('credit_manager')),
  granted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  granted_by text NOT NULL,
  revoked_at timestamptz,
  revoked_by text,
  PRIMARY KEY (company_id, grant_id),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE UNIQUE INDEX credit_role_active_idx ON credit_role (company_id, user_name, role) WHERE revoked_at IS NULL;
`;

/**
 * Append-only guards. History tables refuse UPDATE and DELETE; tables with a cached state allow
 * only their state columns to change (and a release or revocation only once).
 */
const GUARDS = sql`
CREATE FUNCTION activity_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'openar: % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER activity_settings_history_append_only BEFORE UPDATE OR DELETE ON activity_settings_history
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER activity_follow_up_change_append_only BEFORE UPDATE OR DELETE ON activity_follow_up_change
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER promise_event_append_only BEFORE UPDATE OR DELETE ON promise_event
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER promise_allocation_append_only BEFORE UPDATE OR DELETE ON promise_allocation
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER plan_event_append_only BEFORE UPDATE OR DELETE ON plan_event
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER payment_promise_no_delete BEFORE DELETE ON payment_promise
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER payment_plan_no_delete BEFORE DELETE ON payment_plan
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER plan_installment_no_delete BEFORE DELETE ON plan_installment
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER credit_hold_no_delete BEFORE DELETE ON credit_hold
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();
CREATE TRIGGER credit_role_no_delete BEFORE DELETE ON credit_role
  FOR EACH ROW EXECUTE FUNCTION activity_forbid_change();

CREATE FUNCTION activity_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - 'follow_up_done') IS DISTINCT FROM (to_jsonb(OLD) - 'follow_up_done') THEN
    RAISE EXCEPTION 'openar: an activity is append-only; only its follow-up can be marked done or undone'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER activity_update_guard BEFORE UPDATE ON activity
  FOR EACH ROW EXECUTE FUNCTION activity_guard_update();

CREATE FUNCTION activity_guard_promise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - ARRAY['status', 'kept_minor', 'settled_on'])
     IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['status', 'kept_minor', 'settled_on']) THEN
    RAISE EXCEPTION 'openar: a promise''s terms cannot change; cancel it and record a new one'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER payment_promise_update_guard BEFORE UPDATE ON payment_promise
  FOR EACH ROW EXECUTE FUNCTION activity_guard_promise();

CREATE FUNCTION activity_guard_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - ARRAY['status', 'standing', 'paid_minor', 'closed_on', 'closed_by', 'close_reason'])
     IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['status', 'standing', 'paid_minor', 'closed_on', 'closed_by', 'close_reason'])
     OR OLD.status = 'cancelled' THEN
    RAISE EXCEPTION 'openar: a payment plan''s terms cannot change, nor a cancelled plan'
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER payment_plan_update_guard BEFORE UPDATE ON payment_plan
  FOR EACH ROW EXECUTE FUNCTION activity_guard_plan();

CREATE FUNCTION activity_guard_installment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - ARRAY['status', 'paid_minor', 'settled_on'])
     IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['status', 'paid_minor', 'settled_on']) THEN
    RAISE EXCEPTION 'openar: an installment''s date and amount cannot change' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER plan_installment_update_guard BEFORE UPDATE ON plan_installment
  FOR EACH ROW EXECUTE FUNCTION activity_guard_installment();

CREATE FUNCTION activity_guard_release() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  released_cols text[] := ARRAY['released_on', 'released_at', 'released_by', 'release_reason', 'release_source',
    'override_until', 'revoked_at', 'revoked_by'];
BEGIN
  IF (to_jsonb(NEW) - released_cols) IS DISTINCT FROM (to_jsonb(OLD) - released_cols)
     OR (to_jsonb(OLD) ->> CASE TG_TABLE_NAME WHEN 'credit_hold' THEN 'released_at' ELSE 'revoked_at' END) IS NOT NULL THEN
    RAISE EXCEPTION 'openar: % rows change once, to be released or revoked', TG_TABLE_NAME
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER credit_hold_update_guard BEFORE UPDATE ON credit_hold
  FOR EACH ROW EXECUTE FUNCTION activity_guard_release();
CREATE TRIGGER credit_role_update_guard BEFORE UPDATE ON credit_role
  FOR EACH ROW EXECUTE FUNCTION activity_guard_release();
`;

export const activityMigrations: Record<string, Migration> = {
  '0010_activity': {
    async up(db: Kysely<unknown>) {
      await TABLES.execute(db);
      await GUARDS.execute(db);
    },
  },
};
