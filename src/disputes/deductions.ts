import { newId } from '../imports/ids.js';
import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { closeCases } from './actions.js';
import { type NewCase, openCasesBulk } from './cases.js';
import { copyLines, q } from './copy.js';
import { DeductionError } from './core/errors.js';
import { receiptFacts } from './ledger-reads.js';

export { DeductionError } from './core/errors.js';

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

/**
 * Opens deductions in one statement, and a dispute case for each, routed by the resolution matrix
 * (set-based: openCasesBulk). The case opens on the receipt's date (when the customer took the
 * deduction) with the remittance's text and the deduction's code (the 820 adjustment code or the
 * word cash application read). Returns the deductions' ids in input order.
 */
export async function openDeductions(
  client: SqlClient,
  ctx: CompanyContext,
  deductions: readonly NewDeduction[],
  opts: { actor: string; runId?: string | null; openedOn?: string; openCases?: boolean },
): Promise<string[]> {
  if (deductions.length === 0) return [];
  const ids = deductions.map((d, i) => {
    if (!Number.isSafeInteger(d.amountMinor) || d.amountMinor <= 0) {
      throw new DeductionError(`deduction ${i}: amount ${d.amountMinor} must be a positive safe integer`);
    }
    return newId();
  });
  const run = q(opts.runId ?? null);
  const actor = q(opts.actor);
  const columns = [
    'company_id',
    'deduction_id',
    'customer_id',
    'document_id',
    'receipt_id',
    'application_id',
    'run_id',
    'currency',
    'amount_minor',
    'reason_code',
    'reason_text',
    'created_by',
  ];
  // In slices, joined from arrays: flat lines that die young (see openCasesBulk).
  for (let start = 0; start < deductions.length; start += 5_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(deductions.length, start + 5_000); i++) {
      const d = deductions[i]!;
      lines.push(
        [
          ctx.companyId,
          ids[i],
          q(d.customerId),
          q(d.documentId),
          q(d.receiptId),
          q(d.applicationId),
          run,
          q(d.currency),
          d.amountMinor,
          q(d.reasonCode.slice(0, 40)),
          q(d.reasonText),
          actor,
        ].join(','),
      );
    }
    await copyLines(client, 'deduction', columns, lines);
  }
  if (opts.openCases !== false) await openCasesForDeductions(client, ctx, deductions, ids, opts);
  return ids;
}

async function openCasesForDeductions(
  client: SqlClient,
  ctx: CompanyContext,
  deductions: readonly NewDeduction[],
  ids: readonly string[],
  opts: { actor: string; openedOn?: string },
): Promise<void> {
  const receipts = await receiptFacts(
    client,
    ctx,
    deductions.flatMap((d) => (d.receiptId ? [d.receiptId] : [])),
  );
  const today = new Date().toISOString().slice(0, 10);
  const cases: NewCase[] = deductions.map((d, i) => {
    const r = d.receiptId ? receipts.get(d.receiptId) : undefined;
    const text = [r?.remittanceText, d.reasonText].filter((t): t is string => Boolean(t)).join(' | ');
    return {
      customerId: d.customerId,
      origin: 'cashapp',
      openedOn: opts.openedOn ?? r?.receiptDate ?? today,
      deductionId: ids[i]!,
      receiptId: d.receiptId,
      externalCode: d.reasonCode,
      reasonText: text || null,
      lines: [{ documentId: d.documentId, amountMinor: d.amountMinor, deductionId: ids[i]! }],
    };
  });
  await openCasesBulk(client, ctx, cases, { actor: opts.actor });
}

/** The live cases behind deductions about to be cancelled, closed with the same reason. */
async function closeCasesOfDeductions(
  client: SqlClient,
  ctx: CompanyContext,
  where: string,
  param: unknown,
  opts: { actor: string; reason: string },
): Promise<void> {
  const { rows } = await client.query<{ case_id: string }>(
    `SELECT c.case_id FROM dispute_case c JOIN deduction d ON d.company_id = c.company_id AND d.deduction_id = c.deduction_id
      WHERE c.company_id = $1 AND d.status = 'open' AND ${where} AND c.status NOT IN ('resolved', 'closed')`,
    [ctx.companyId, param],
  );
  await closeCases(
    client,
    ctx,
    rows.map((r) => r.case_id),
    {
      reason: `deduction cancelled: ${opts.reason}`,
      actor: opts.actor,
      on: new Date().toISOString().slice(0, 10),
      deductionStatus: null,
    },
  );
}

/** Cancels the open deductions a cash-application run opened (the run is being reverted). */
export async function cancelDeductionsOfRun(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  opts: { actor: string; reason: string },
): Promise<number> {
  await closeCasesOfDeductions(client, ctx, 'd.run_id = $2', runId, opts);
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
  await closeCasesOfDeductions(client, ctx, 'd.receipt_id = ANY($2::uuid[])', receiptIds, opts);
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
