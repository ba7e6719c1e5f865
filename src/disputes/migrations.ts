import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Deductions: the part of an invoice a customer did not pay and gave a reason for. The amount
 * stays open on the invoice (nothing is posted) until the deduction is resolved — by a credit memo
 * when it is valid, or collected back when it is not. Cash application opens them.
 */
const deductions: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
        CREATE TABLE deduction (
          company_id uuid NOT NULL,
          deduction_id uuid NOT NULL,
          customer_id uuid NOT NULL,
          document_id uuid NOT NULL,
          receipt_id uuid,
          application_id uuid,
          run_id uuid,
          currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
          amount_minor int8 NOT NULL CHECK (amount_minor > 0),
          reason_code text NOT NULL CHECK (length(reason_code) BETWEEN 1 AND 40),
          reason_text text,
          status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled', 'resolved')),
          created_at timestamptz NOT NULL DEFAULT now(),
          created_by text NOT NULL,
          closed_at timestamptz,
          closed_by text,
          close_reason text,
          PRIMARY KEY (company_id, deduction_id),
          CHECK ((status = 'open') = (closed_at IS NULL))
        );
        CREATE INDEX deduction_open_idx ON deduction (company_id, customer_id) WHERE status = 'open';
        CREATE INDEX deduction_run_idx ON deduction (company_id, run_id) WHERE run_id IS NOT NULL;
        CREATE INDEX deduction_receipt_idx ON deduction (company_id, receipt_id);
      `.execute(db);
  },
};

/**
 * Dispute and deduction cases. A case's current state lives on `dispute_case` (one row, updated,
 * so the worklist and the holds read one indexed table); its history is `dispute_event`, append-only:
 * every change (opened, routed, assigned, status, note, attachment, escalation, resolution, approval)
 * is a row with who, when and why. Attachments are append-only too. The reason catalogue, the
 * customers' and X12 codes mapped to it, the customer segments and the resolution matrix (versioned:
 * each load is a new matrix, the previous one deactivated, so a case's rule id stays explainable)
 * are configuration. `dispute_notification` is the escalation outbox: one row per case and level,
 * which makes the escalation run idempotent.
 */
const cases: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      CREATE TABLE dispute_settings (
        company_id uuid PRIMARY KEY,
        approval_threshold_minor int8 NOT NULL DEFAULT 500000 CHECK (approval_threshold_minor >= 0),
        manager_after_days int4 NOT NULL DEFAULT 5 CHECK (manager_after_days BETWEEN 0 AND 365),
        default_owner text NOT NULL DEFAULT 'ar-deductions' CHECK (length(default_owner) BETWEEN 1 AND 120),
        default_deadline_days int4 NOT NULL DEFAULT 14 CHECK (default_deadline_days BETWEEN 0 AND 365),
        next_case_number int8 NOT NULL DEFAULT 1 CHECK (next_case_number > 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      );
      CREATE TABLE dispute_reason (
        company_id uuid NOT NULL,
        reason_code text NOT NULL CHECK (reason_code ~ '^[a-z][a-z0-9_]{0,39}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text CHECK (length(description) <= 2000),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        PRIMARY KEY (company_id, reason_code)
      );
      CREATE TABLE dispute_reason_map (
        company_id uuid NOT NULL,
        map_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('customer', 'x12')),
        customer_id uuid,
        external_code text NOT NULL CHECK (length(external_code) BETWEEN 1 AND 40),
        reason_code text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        PRIMARY KEY (company_id, map_id),
        CHECK ((source = 'customer') = (customer_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX dispute_reason_map_key ON dispute_reason_map
        (company_id, source, coalesce(customer_id, '00000000-0000-0000-0000-000000000000'::uuid), external_code);
      CREATE TABLE dispute_segment (
        company_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        segment text NOT NULL CHECK (segment ~ '^[a-z][a-z0-9_-]{0,39}$'),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        PRIMARY KEY (company_id, customer_id)
      );
      CREATE TABLE dispute_matrix (
        company_id uuid NOT NULL,
        matrix_id uuid NOT NULL,
        source_name text NOT NULL,
        sha256 char(64) NOT NULL,
        rule_count int4 NOT NULL,
        active boolean NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        loaded_by text NOT NULL,
        PRIMARY KEY (company_id, matrix_id)
      );
      CREATE UNIQUE INDEX dispute_matrix_active ON dispute_matrix (company_id) WHERE active;
      CREATE TABLE dispute_rule (
        company_id uuid NOT NULL,
        matrix_id uuid NOT NULL,
        rule_id text NOT NULL CHECK (rule_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
        ordinal int4 NOT NULL,
        reason_code text,
        segment text,
        currency char(3),
        min_minor int8 NOT NULL CHECK (min_minor >= 0),
        max_minor int8 CHECK (max_minor > min_minor),
        owner text NOT NULL CHECK (length(owner) BETWEEN 1 AND 120),
        owner_team text CHECK (length(owner_team) <= 120),
        manager text CHECK (length(manager) <= 120),
        deadline_days int4 NOT NULL CHECK (deadline_days BETWEEN 0 AND 365),
        business_days boolean NOT NULL DEFAULT false,
        PRIMARY KEY (company_id, matrix_id, rule_id)
      );
      CREATE TABLE dispute_case (
        company_id uuid NOT NULL,
        case_id uuid NOT NULL,
        case_number text NOT NULL,
        customer_id uuid NOT NULL,
        origin text NOT NULL CHECK (origin IN ('cashapp', 'claim', 'collector')),
        deduction_id uuid,
        receipt_id uuid,
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        amount_minor int8 NOT NULL CHECK (amount_minor > 0),
        base_amount_minor int8 NOT NULL CHECK (base_amount_minor >= 0),
        reason_code text NOT NULL,
        external_code text CHECK (length(external_code) <= 40),
        reason_text text CHECK (length(reason_text) <= 2000),
        product_line text CHECK (length(product_line) <= 80),
        status text NOT NULL CHECK (status IN ('open', 'waiting_on_customer', 'waiting_on_internal', 'resolved', 'closed')),
        owner text NOT NULL,
        owner_team text,
        manager text,
        matrix_id uuid,
        rule_id text,
        opened_on date NOT NULL,
        deadline date NOT NULL,
        escalation_level int2 NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 2),
        escalation_round int4 NOT NULL DEFAULT 0 CHECK (escalation_round >= 0),
        outcome text CHECK (outcome IN ('valid', 'invalid', 'partial', 'withdrawn')),
        credit_minor int8 CHECK (credit_minor >= 0),
        credit_base_minor int8 CHECK (credit_base_minor >= 0),
        collect_minor int8 CHECK (collect_minor >= 0),
        finding text CHECK (length(finding) <= 2000),
        resolved_on date,
        resolved_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL,
        PRIMARY KEY (company_id, case_id),
        UNIQUE (company_id, case_number),
        CHECK ((status IN ('resolved', 'closed')) = (resolved_on IS NOT NULL)),
        CHECK (coalesce(credit_minor, 0) + coalesce(collect_minor, 0) <= amount_minor)
      );
      CREATE INDEX dispute_case_live_idx ON dispute_case (company_id, deadline)
        WHERE status NOT IN ('resolved', 'closed');
      CREATE INDEX dispute_case_resolved_idx ON dispute_case (company_id, resolved_on) WHERE resolved_on IS NOT NULL;
      CREATE INDEX dispute_case_customer_idx ON dispute_case (company_id, customer_id, opened_on);
      CREATE UNIQUE INDEX dispute_case_deduction_idx ON dispute_case (company_id, deduction_id)
        WHERE deduction_id IS NOT NULL;
      CREATE TABLE dispute_case_line (
        company_id uuid NOT NULL,
        case_id uuid NOT NULL,
        line_no int2 NOT NULL CHECK (line_no BETWEEN 1 AND 500),
        document_id uuid NOT NULL,
        amount_minor int8 NOT NULL CHECK (amount_minor > 0),
        deduction_id uuid,
        credit_minor int8 CHECK (credit_minor >= 0 AND credit_minor <= amount_minor),
        PRIMARY KEY (company_id, case_id, line_no),
        UNIQUE (company_id, case_id, document_id)
      );
      CREATE INDEX dispute_case_line_document_idx ON dispute_case_line (company_id, document_id);
      CREATE TABLE dispute_event (
        company_id uuid NOT NULL,
        event_id uuid NOT NULL,
        case_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('opened', 'routed', 'assigned', 'status', 'note', 'attached', 'escalated',
          'proposed', 'approved', 'rejected', 'resolved', 'closed', 'reopened')),
        from_status text,
        to_status text,
        text text CHECK (length(text) <= 4000),
        data jsonb,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 120),
        PRIMARY KEY (company_id, event_id)
      );
      CREATE INDEX dispute_event_case_idx ON dispute_event (company_id, case_id, event_id);
      CREATE TABLE dispute_attachment (
        company_id uuid NOT NULL,
        attachment_id uuid NOT NULL,
        case_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('pod', 'po', 'w9', 'lien_release', 'pricing_agreement', 'claim', 'photo', 'other')),
        file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
        media_type text NOT NULL CHECK (length(media_type) BETWEEN 1 AND 120),
        size_bytes int8 NOT NULL CHECK (size_bytes >= 0),
        sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        path text CHECK (length(path) <= 1000),
        content bytea CHECK (octet_length(content) <= 10485760),
        added_at timestamptz NOT NULL DEFAULT now(),
        added_by text NOT NULL,
        PRIMARY KEY (company_id, attachment_id),
        CHECK (path IS NOT NULL OR content IS NOT NULL)
      );
      CREATE INDEX dispute_attachment_case_idx ON dispute_attachment (company_id, case_id);
      CREATE TABLE dispute_resolution (
        company_id uuid NOT NULL,
        resolution_id uuid NOT NULL,
        case_id uuid NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('valid', 'invalid', 'partial')),
        credit_minor int8 NOT NULL CHECK (credit_minor >= 0),
        collect_minor int8 NOT NULL CHECK (collect_minor >= 0),
        finding text NOT NULL CHECK (length(finding) BETWEEN 1 AND 2000),
        posting_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'rejected', 'posted')),
        proposed_by text NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        decided_by text,
        decided_at timestamptz,
        decision_reason text,
        credit_document_id uuid,
        application_ids jsonb,
        PRIMARY KEY (company_id, resolution_id)
      );
      CREATE UNIQUE INDEX dispute_resolution_pending ON dispute_resolution (company_id, case_id) WHERE status = 'pending';
      CREATE TABLE dispute_notification (
        company_id uuid NOT NULL,
        notification_id uuid NOT NULL,
        case_id uuid NOT NULL,
        round int4 NOT NULL,
        level int2 NOT NULL CHECK (level IN (1, 2)),
        recipient text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        as_of date NOT NULL,
        transport text NOT NULL CHECK (transport IN ('smtp', 'outbox')),
        sent_at timestamptz,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        PRIMARY KEY (company_id, notification_id),
        UNIQUE (company_id, case_id, round, level)
      );
      CREATE FUNCTION openar_dispute_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'openar: % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE TRIGGER dispute_event_append_only BEFORE UPDATE OR DELETE ON dispute_event
        FOR EACH ROW EXECUTE FUNCTION openar_dispute_append_only();
      CREATE TRIGGER dispute_attachment_append_only BEFORE UPDATE OR DELETE ON dispute_attachment
        FOR EACH ROW EXECUTE FUNCTION openar_dispute_append_only();
    `.execute(db);
  },
};

export const disputesMigrations: Record<string, Migration> = {
  '0008_disputes': deductions,
  '0009_dispute_cases': cases,
};
