import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Cash application's own records: runs, the decision taken for each receipt in each run (with its
 * reasons and suggestions — the queue is the latest decision of every receipt still unapplied),
 * remittance advices linked to receipts, what people rejected, and reference habits learned.
 */
export const cashappMigrations: Record<string, Migration> = {
  '0006_cashapp': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE cashapp_settings (
          company_id uuid NOT NULL PRIMARY KEY,
          settings jsonb NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          updated_by text NOT NULL
        );
        CREATE TABLE cashapp_run (
          company_id uuid NOT NULL,
          run_id uuid NOT NULL,
          settings jsonb NOT NULL,
          posting_date date NOT NULL,
          receipts int4 NOT NULL DEFAULT 0,
          auto int4 NOT NULL DEFAULT 0,
          proposed int4 NOT NULL DEFAULT 0,
          unapplied int4 NOT NULL DEFAULT 0,
          applications int4 NOT NULL DEFAULT 0,
          advices_linked int4 NOT NULL DEFAULT 0,
          started_at timestamptz NOT NULL DEFAULT now(),
          finished_at timestamptz,
          created_by text NOT NULL,
          reverted_at timestamptz,
          reverted_by text,
          revert_reason text,
          PRIMARY KEY (company_id, run_id)
        );
        CREATE TABLE cashapp_decision (
          company_id uuid NOT NULL,
          decision_id uuid NOT NULL,
          receipt_id uuid NOT NULL,
          run_id uuid,
          outcome text NOT NULL CHECK (outcome IN ('auto', 'proposed', 'unapplied', 'manual', 'rejected', 'reverted')),
          customer_id uuid,
          previous_customer_id uuid,
          customer_confidence numeric(5, 4),
          confidence numeric(5, 4),
          scenario text,
          source text,
          reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
          proposal jsonb,
          suggestions jsonb NOT NULL DEFAULT '[]'::jsonb,
          -- A person's decision: which suggestion (1-based) it took unchanged, 0 when none did.
          accepted_rank int4,
          created_at timestamptz NOT NULL DEFAULT now(),
          created_by text NOT NULL,
          PRIMARY KEY (company_id, decision_id)
        );
        CREATE INDEX cashapp_decision_receipt_idx ON cashapp_decision (company_id, receipt_id, decision_id);
        CREATE INDEX cashapp_decision_run_idx ON cashapp_decision (company_id, run_id);
        CREATE TABLE cashapp_remittance_link (
          company_id uuid NOT NULL,
          advice_id uuid NOT NULL,
          receipt_id uuid NOT NULL,
          run_id uuid,
          score numeric(5, 4) NOT NULL,
          reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          created_by text NOT NULL,
          PRIMARY KEY (company_id, advice_id)
        );
        CREATE INDEX cashapp_remittance_link_receipt_idx ON cashapp_remittance_link (company_id, receipt_id);
        CREATE TABLE cashapp_rejection (
          company_id uuid NOT NULL,
          rejection_id uuid NOT NULL,
          receipt_id uuid NOT NULL,
          customer_id uuid,
          document_id uuid,
          reason text,
          created_at timestamptz NOT NULL DEFAULT now(),
          created_by text NOT NULL,
          PRIMARY KEY (company_id, rejection_id)
        );
        CREATE INDEX cashapp_rejection_receipt_idx ON cashapp_rejection (company_id, receipt_id);
        CREATE TABLE cashapp_reference_habit (
          company_id uuid NOT NULL,
          customer_id uuid NOT NULL,
          habit text NOT NULL CHECK (habit IN ('sequence', 'typo', 'truncated', 'po', 'digits', 'groups')),
          times int4 NOT NULL DEFAULT 1 CHECK (times > 0),
          updated_at timestamptz NOT NULL DEFAULT now(),
          updated_by text NOT NULL,
          PRIMARY KEY (company_id, customer_id, habit)
        );
      `.execute(db);
    },
  },
};
