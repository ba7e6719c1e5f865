import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { PredictionError } from './core/errors.js';
import type { Reason } from './core/model.js';

/** Reads of stored prediction runs: what the worklist and `openar report predictions` show. */

export interface PredictionRun {
  runId: string;
  asOf: string;
  modelVersion: string;
  graceDays: number;
  documents: number;
  customers: number;
  training: Record<string, unknown>;
  model: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

/** The latest run on or before `asOf` (any date when absent). */
export async function latestPredictionRun(
  client: SqlClient,
  ctx: CompanyContext,
  asOf?: string,
): Promise<PredictionRun> {
  const { rows } = await client.query<{
    run_id: string;
    as_of_date: string;
    model_version: string;
    grace_days: number;
    documents: number;
    customers: number;
    training: Record<string, unknown>;
    model: Record<string, unknown>;
    created_at: Date;
    created_by: string;
  }>(
    `SELECT run_id, as_of_date, model_version, grace_days, documents, customers, training, model, created_at, created_by
       FROM prediction_run
      WHERE company_id = $1 AND ($2::date IS NULL OR as_of_date <= $2::date)
      ORDER BY as_of_date DESC, created_at DESC, run_id DESC LIMIT 1`,
    [ctx.companyId, asOf ?? null],
  );
  const r = rows[0];
  if (!r)
    throw new PredictionError(
      'no-prediction',
      `no prediction${asOf ? ` on or before ${asOf}` : ''}: run \`openar predict\` first`,
    );
  return {
    runId: r.run_id,
    asOf: r.as_of_date,
    modelVersion: r.model_version,
    graceDays: r.grace_days,
    documents: r.documents,
    customers: r.customers,
    training: r.training,
    model: r.model,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
  };
}

export interface PredictedDocument {
  documentId: string;
  documentNumber: string;
  customerId: string;
  customerNumber: string;
  customerName: string;
  collector: string | null;
  currency: string;
  documentDate: string;
  dueDate: string;
  openMinor: number;
  openBaseMinor: number;
  daysPastDue: number;
  pLate: number;
  alreadyLate: boolean;
  predictedDaysLate: number;
  predictedPaymentDate: string;
  reasons: Reason[];
}

export const MAX_ROWS = 1_000_000;

/** A run's documents, most likely to be paid late and largest first; optionally one customer's. */
export async function predictedDocuments(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  o: { customerId?: string; limit?: number } = {},
): Promise<PredictedDocument[]> {
  const limit = o.limit ?? MAX_ROWS;
  if (!(Number.isSafeInteger(limit) && limit >= 1 && limit <= MAX_ROWS))
    throw new PredictionError('bad-limit', `the limit must be from 1 to ${MAX_ROWS}`);
  const { rows } = await client.query<{
    document_id: string;
    document_number: string;
    customer_id: string;
    customer_number: string;
    name: string;
    collector: string | null;
    currency: string;
    document_date: string;
    due_date: string;
    open_minor: number;
    open_base_minor: number;
    days_past_due: number;
    p_late: number;
    already_late: boolean;
    predicted_days_late: number;
    predicted_payment_date: string;
    reasons: Reason[];
  }>(
    `SELECT p.document_id, p.document_number, p.customer_id, c.customer_number, c.name, c.collector, p.currency,
            p.document_date, p.due_date, p.open_minor, p.open_base_minor, p.days_past_due, p.p_late, p.already_late,
            p.predicted_days_late, p.predicted_payment_date, p.reasons
       FROM prediction_document p
       JOIN customer c ON c.company_id = p.company_id AND c.customer_id = p.customer_id
      WHERE p.company_id = $1 AND p.run_id = $2 AND ($3::uuid IS NULL OR p.customer_id = $3::uuid)
      ORDER BY p.already_late, p.p_late DESC, p.open_base_minor DESC, p.document_number
      LIMIT $4`,
    [ctx.companyId, runId, o.customerId ?? null, limit],
  );
  return rows.map((r) => ({
    documentId: r.document_id,
    documentNumber: r.document_number,
    customerId: r.customer_id,
    customerNumber: r.customer_number,
    customerName: r.name,
    collector: r.collector,
    currency: r.currency.trim(),
    documentDate: r.document_date,
    dueDate: r.due_date,
    openMinor: r.open_minor,
    openBaseMinor: r.open_base_minor,
    daysPastDue: r.days_past_due,
    pLate: r.p_late,
    alreadyLate: r.already_late,
    predictedDaysLate: r.predicted_days_late,
    predictedPaymentDate: r.predicted_payment_date,
    reasons: r.reasons,
  }));
}
