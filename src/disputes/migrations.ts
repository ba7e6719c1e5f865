import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Deductions: the part of an invoice a customer did not pay and gave a reason for. The amount
 * stays open on the invoice (nothing is posted) until the deduction is resolved — by a credit memo
 * when it is valid, or collected back when it is not. Cash application opens them.
 */
export const disputesMigrations: Record<string, Migration> = {
  '0008_disputes': {
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
  },
};
