import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';

export interface NewDeduction {
  customerId: string;
  documentId: string;
  receiptId: string | null;
  applicationId: string | null;
  currency: string;
  amountMinor: number;
  reasonCode: string;
  reasonText: string | null;
}

export class DeductionError extends Error {
  override readonly name = 'DeductionError';
}

/** Opens deductions in one statement; returns their ids in input order. */
export async function openDeductions(
  client: SqlClient,
  ctx: CompanyContext,
  deductions: readonly NewDeduction[],
  opts: { actor: string; runId?: string | null },
): Promise<string[]> {
  if (deductions.length === 0) return [];
  const rows = deductions.map((d, i) => {
    if (!Number.isSafeInteger(d.amountMinor) || d.amountMinor <= 0) {
      throw new DeductionError(`deduction ${i}: amount ${d.amountMinor} must be a positive safe integer`);
    }
    return {
      deduction_id: uuidv7(),
      customer_id: d.customerId,
      document_id: d.documentId,
      receipt_id: d.receiptId,
      application_id: d.applicationId,
      currency: d.currency,
      amount_minor: d.amountMinor,
      reason_code: d.reasonCode.slice(0, 40),
      reason_text: d.reasonText,
    };
  });
  await client.query(
    `INSERT INTO deduction (company_id, deduction_id, customer_id, document_id, receipt_id, application_id, run_id, currency,
       amount_minor, reason_code, reason_text, created_by)
     SELECT $1, x.deduction_id, x.customer_id, x.document_id, x.receipt_id, x.application_id, $3, x.currency, x.amount_minor,
            x.reason_code, x.reason_text, $4
       FROM jsonb_to_recordset($2::jsonb) AS x(deduction_id uuid, customer_id uuid, document_id uuid, receipt_id uuid,
            application_id uuid, currency text, amount_minor int8, reason_code text, reason_text text)`,
    [ctx.companyId, JSON.stringify(rows), opts.runId ?? null, opts.actor],
  );
  return rows.map((r) => r.deduction_id);
}

/** Cancels the open deductions a cash-application run opened (the run is being reverted). */
export async function cancelDeductionsOfRun(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  opts: { actor: string; reason: string },
): Promise<number> {
  const result = await client.query(
    `UPDATE deduction SET status = 'cancelled', closed_at = now(), closed_by = $3, close_reason = $4
      WHERE company_id = $1 AND run_id = $2 AND status = 'open'`,
    [ctx.companyId, runId, opts.actor, opts.reason],
  );
  return result.rowCount ?? 0;
}

/** Cancels open deductions taken from these receipts (a person re-applies them by hand). */
export async function cancelDeductionsOfReceipts(
  client: SqlClient,
  ctx: CompanyContext,
  receiptIds: readonly string[],
  opts: { actor: string; reason: string },
): Promise<number> {
  if (receiptIds.length === 0) return 0;
  const result = await client.query(
    `UPDATE deduction SET status = 'cancelled', closed_at = now(), closed_by = $3, close_reason = $4
      WHERE company_id = $1 AND receipt_id = ANY($2::uuid[]) AND status = 'open'`,
    [ctx.companyId, receiptIds, opts.actor, opts.reason],
  );
  return result.rowCount ?? 0;
}

export interface DeductionRow {
  deductionId: string;
  customerId: string;
  documentId: string;
  receiptId: string | null;
  runId: string | null;
  currency: string;
  amountMinor: number;
  reasonCode: string;
  status: string;
}

export async function listDeductions(
  client: SqlClient,
  ctx: CompanyContext,
  filter: { status?: string; receiptIds?: readonly string[] } = {},
): Promise<DeductionRow[]> {
  const { rows } = await client.query<{
    deduction_id: string;
    customer_id: string;
    document_id: string;
    receipt_id: string | null;
    run_id: string | null;
    currency: string;
    amount_minor: number;
    reason_code: string;
    status: string;
  }>(
    `SELECT deduction_id, customer_id, document_id, receipt_id, run_id, currency, amount_minor, reason_code, status
       FROM deduction WHERE company_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::uuid[] IS NULL OR receipt_id = ANY($3::uuid[]))
      ORDER BY deduction_id`,
    [ctx.companyId, filter.status ?? null, filter.receiptIds ?? null],
  );
  return rows.map((r) => ({
    deductionId: r.deduction_id,
    customerId: r.customer_id,
    documentId: r.document_id,
    receiptId: r.receipt_id,
    runId: r.run_id,
    currency: r.currency.trim(),
    amountMinor: r.amount_minor,
    reasonCode: r.reason_code,
    status: r.status,
  }));
}
