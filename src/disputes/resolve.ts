import { recordActivity } from '../collections/activity/holds.js';
import { newId } from '../imports/ids.js';
import { applyCredit, type CompanyContext, postDocument } from '../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import { type CaseRow, findCase } from './actions.js';
import { insertEvents } from './cases.js';
import { ensureDisputeSetup } from './config.js';
import { assertIsoDate } from './core/dates.js';
import { DisputeError, invariant } from './core/errors.js';
import { baseShareOf, isLive, needsApproval, type Outcome, planResolution } from './core/outcome.js';
import { documentsById } from './ledger-reads.js';

export interface ResolveInput {
  outcome: Outcome;
  /** The agreed credit (case currency, minor units): required for partial, implied otherwise. */
  creditMinor?: number | null;
  /** The owner's finding: why valid or not; for a collect-back, what the customer is told. */
  finding: string;
  /** Posting date of the credit memo and the day the case resolves. */
  postingDate: string;
  actor: string;
}

export interface ResolveResult {
  caseNumber: string;
  resolutionId: string;
  status: 'posted' | 'pending';
  outcome: Outcome;
  creditMinor: number;
  collectMinor: number;
  creditBaseMinor: number;
  creditDocumentId: string | null;
  applicationIds: string[];
  /** Why approval is (or is not) needed. */
  approval: string;
}

interface LineRow {
  line_no: number;
  document_id: string;
  amount_minor: number;
  deduction_id: string | null;
}

async function caseLines(client: SqlClient, ctx: CompanyContext, caseId: string): Promise<LineRow[]> {
  const { rows } = await client.query<LineRow>(
    `SELECT line_no, document_id, amount_minor, deduction_id FROM dispute_case_line
      WHERE company_id = $1 AND case_id = $2 ORDER BY line_no`,
    [ctx.companyId, caseId],
  );
  return rows;
}

/**
 * Decides a case. Valid: a credit memo for the whole disputed amount, applied to the disputed
 * documents. Invalid: nothing posts; the amount stays open and the case resolves with the finding,
 * which releases the documents back to dunning (disputedByDocument no longer holds them) with the
 * finding as the reason to give the customer (collectBackFindings). Partial: the agreed credit,
 * the rest collected back. A credit above the company's approval threshold (in base currency) waits
 * for a second person (`approveResolution`); the case is then waiting on internal.
 */
export async function resolveCase(
  client: SqlClient,
  ctx: CompanyContext,
  key: string,
  r: ResolveInput,
): Promise<ResolveResult> {
  const settings = await ensureDisputeSetup(client, ctx, r.actor);
  const c = await findCase(client, ctx, key, { lock: true });
  invariant(isLive(c.status), 'case-closed', `${c.caseNumber} is already ${c.status}`);
  const finding = r.finding.trim();
  invariant(
    finding.length > 0 && finding.length <= 2000,
    'finding-missing',
    'a resolution needs the finding (1 to 2000 characters)',
  );
  const postingDate = assertIsoDate(r.postingDate, 'posting date');
  invariant(
    postingDate >= c.openedOn,
    'bad-date',
    `${c.caseNumber} opened on ${c.openedOn}: it cannot resolve on ${postingDate}`,
  );
  const pending = await client.query(
    `SELECT 1 FROM dispute_resolution WHERE company_id = $1 AND case_id = $2 AND status = 'pending'`,
    [ctx.companyId, c.caseId],
  );
  invariant(
    pending.rows.length === 0,
    'approval-pending',
    `${c.caseNumber} already has a resolution waiting for approval`,
  );
  const lines = await caseLines(client, ctx, c.caseId);
  const plan = planResolution(
    r.outcome,
    lines.map((l) => l.amount_minor),
    r.creditMinor ?? null,
  );
  const docs = await documentsById(
    client,
    ctx,
    lines.map((l) => l.document_id),
  );
  const creditBaseMinor = lines.reduce((s, l, i) => {
    const d = docs.get(l.document_id)!;
    return s + baseShareOf(plan.lineCredits[i]!, d.amountMinor, d.baseAmountMinor);
  }, 0);
  const resolutionId = newId();
  const exp = minorUnitExponent(ctx.baseCurrency);
  const approval =
    plan.creditMinor === 0
      ? 'no credit: no approval needed'
      : needsApproval(creditBaseMinor, settings.approvalThresholdMinor)
        ? `credit ${formatMinor(creditBaseMinor, exp)} ${ctx.baseCurrency} is above the approval threshold ${formatMinor(settings.approvalThresholdMinor, exp)}: a second person must approve`
        : `credit ${formatMinor(creditBaseMinor, exp)} ${ctx.baseCurrency} is within the approval threshold ${formatMinor(settings.approvalThresholdMinor, exp)}`;
  const waits = plan.creditMinor > 0 && needsApproval(creditBaseMinor, settings.approvalThresholdMinor);
  await client.query(
    `INSERT INTO dispute_resolution (company_id, resolution_id, case_id, outcome, credit_minor, collect_minor, finding,
       posting_date, status, proposed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)`,
    [
      ctx.companyId,
      resolutionId,
      c.caseId,
      plan.outcome,
      plan.creditMinor,
      plan.collectMinor,
      finding,
      postingDate,
      r.actor,
    ],
  );
  const base = {
    caseNumber: c.caseNumber,
    resolutionId,
    outcome: plan.outcome,
    creditMinor: plan.creditMinor,
    collectMinor: plan.collectMinor,
    creditBaseMinor,
    approval,
  };
  if (waits) {
    await client.query(
      `UPDATE dispute_case SET status = 'waiting_on_internal', updated_at = now(), updated_by = $3
        WHERE company_id = $1 AND case_id = $2`,
      [ctx.companyId, c.caseId, r.actor],
    );
    await insertEvents(
      client,
      ctx,
      [
        {
          event_id: newId(),
          case_id: c.caseId,
          kind: 'proposed',
          from_status: c.status,
          to_status: 'waiting_on_internal',
          text: `${plan.outcome}: ${finding} (${approval})`,
          data: {
            resolution_id: resolutionId,
            credit_minor: plan.creditMinor,
            collect_minor: plan.collectMinor,
          },
        },
      ],
      r.actor,
    );
    return { ...base, status: 'pending', creditDocumentId: null, applicationIds: [] };
  }
  const posted = await postResolution(client, ctx, c, resolutionId, {
    decidedBy: r.actor,
    decisionReason: approval,
  });
  return { ...base, status: 'posted', ...posted };
}

/**
 * A second person approves (or rejects) a resolution waiting for approval. The proposer cannot
 * approve their own. Approved: it posts as `resolveCase` would have. Rejected: the case goes back
 * to open with the reason; its owner proposes again.
 */
export async function approveResolution(
  client: SqlClient,
  ctx: CompanyContext,
  key: string,
  a: { actor: string; reject?: boolean; reason?: string | null },
): Promise<ResolveResult & { decision: 'approved' | 'rejected' }> {
  const c = await findCase(client, ctx, key, { lock: true });
  const { rows } = await client.query<{
    resolution_id: string;
    outcome: Outcome;
    credit_minor: number;
    collect_minor: number;
    proposed_by: string;
    finding: string;
  }>(
    `SELECT resolution_id, outcome, credit_minor, collect_minor, proposed_by, finding FROM dispute_resolution
      WHERE company_id = $1 AND case_id = $2 AND status = 'pending' FOR UPDATE`,
    [ctx.companyId, c.caseId],
  );
  const p = rows[0];
  if (!p)
    throw new DisputeError('nothing-to-approve', `${c.caseNumber} has no resolution waiting for approval`);
  invariant(
    p.proposed_by !== a.actor,
    'same-person',
    `${a.actor} proposed this resolution: a second person must ${a.reject ? 'reject' : 'approve'} it`,
  );
  const reason = a.reason?.trim() || null;
  const base = {
    caseNumber: c.caseNumber,
    resolutionId: p.resolution_id,
    outcome: p.outcome,
    creditMinor: p.credit_minor,
    collectMinor: p.collect_minor,
    creditBaseMinor: 0,
    approval: a.reject ? `rejected by ${a.actor}` : `approved by ${a.actor}`,
  };
  if (a.reject) {
    invariant(reason !== null, 'reason-missing', 'a rejection needs a reason');
    await client.query(
      `UPDATE dispute_resolution SET status = 'rejected', decided_by = $3, decided_at = now(), decision_reason = $4
        WHERE company_id = $1 AND resolution_id = $2`,
      [ctx.companyId, p.resolution_id, a.actor, reason],
    );
    await client.query(
      `UPDATE dispute_case SET status = 'open', updated_at = now(), updated_by = $3 WHERE company_id = $1 AND case_id = $2`,
      [ctx.companyId, c.caseId, a.actor],
    );
    await insertEvents(
      client,
      ctx,
      [
        {
          event_id: newId(),
          case_id: c.caseId,
          kind: 'rejected',
          from_status: c.status,
          to_status: 'open',
          text: reason,
          data: { resolution_id: p.resolution_id },
        },
      ],
      a.actor,
    );
    return { ...base, decision: 'rejected', status: 'pending', creditDocumentId: null, applicationIds: [] };
  }
  await insertEvents(
    client,
    ctx,
    [
      {
        event_id: newId(),
        case_id: c.caseId,
        kind: 'approved',
        text: reason ?? `approved ${p.outcome}: ${p.finding}`,
        data: { resolution_id: p.resolution_id, proposed_by: p.proposed_by },
      },
    ],
    a.actor,
  );
  const posted = await postResolution(client, ctx, c, p.resolution_id, {
    decidedBy: a.actor,
    decisionReason: reason ?? `approved (proposed by ${p.proposed_by})`,
  });
  return { ...base, decision: 'approved', status: 'posted', ...posted };
}

/**
 * Posts a resolution through the ledger: the credit memo (at the first disputed document's rate,
 * so it relieves the receivable at the value it was booked) applied to each document for its share,
 * then the case, its lines and deductions resolved. Refused, with nothing written, when a document
 * is no longer open for its share (it was paid or credited meanwhile).
 */
async function postResolution(
  client: SqlClient,
  ctx: CompanyContext,
  c: CaseRow,
  resolutionId: string,
  d: { decidedBy: string; decisionReason: string },
): Promise<{ creditDocumentId: string | null; applicationIds: string[]; creditBaseMinor: number }> {
  const { rows } = await client.query<{
    outcome: Outcome;
    credit_minor: number;
    collect_minor: number;
    finding: string;
    posting_date: string;
    proposed_by: string;
  }>(
    `SELECT outcome, credit_minor, collect_minor, finding, posting_date, proposed_by FROM dispute_resolution
      WHERE company_id = $1 AND resolution_id = $2`,
    [ctx.companyId, resolutionId],
  );
  const res = rows[0]!;
  const lines = await caseLines(client, ctx, c.caseId);
  const plan = planResolution(
    res.outcome,
    lines.map((l) => l.amount_minor),
    res.credit_minor,
  );
  const docs = await documentsById(
    client,
    ctx,
    lines.map((l) => l.document_id),
  );
  const exp = minorUnitExponent(c.currency);
  lines.forEach((l, i) => {
    const doc = docs.get(l.document_id)!;
    invariant(
      doc.openMinor >= plan.lineCredits[i]!,
      'document-not-open',
      `${doc.documentNumber} is open for ${formatMinor(doc.openMinor, exp)} ${c.currency}, less than the ${formatMinor(plan.lineCredits[i]!, exp)} to credit: it was paid or credited meanwhile`,
    );
  });
  let creditDocumentId: string | null = null;
  const applicationIds: string[] = [];
  let creditBaseMinor = 0;
  const why = `dispute ${c.caseNumber} (${c.reasonCode}, ${res.outcome}): ${res.finding}`.slice(0, 1000);
  if (plan.creditMinor > 0) {
    const first = docs.get(lines[0]!.document_id)!;
    creditDocumentId = await postDocument(client, ctx, {
      documentNumber: `CM-${c.caseNumber}`,
      customerId: c.customerId,
      docType: 'credit_memo',
      documentDate: res.posting_date,
      dueDate: res.posting_date,
      currency: c.currency,
      amountMinor: plan.creditMinor,
      fxRate: c.currency === ctx.baseCurrency ? undefined : first.fxRate,
      poNumber: first.poNumber,
      description: why.slice(0, 500),
      actor: d.decidedBy,
      reason: why,
    });
    const { rows: cm } = await client.query<{ base_amount_minor: number }>(
      'SELECT base_amount_minor FROM document WHERE company_id = $1 AND document_id = $2',
      [ctx.companyId, creditDocumentId],
    );
    creditBaseMinor = cm[0]!.base_amount_minor;
    for (const [i, l] of lines.entries()) {
      const credit = plan.lineCredits[i]!;
      if (credit === 0) continue;
      applicationIds.push(
        await applyCredit(client, ctx, {
          creditDocumentId,
          documentId: l.document_id,
          amountMinor: credit,
          postingDate: res.posting_date,
          origin: 'manual',
          externalKey: `dispute:${c.caseId}:${l.line_no}`,
          reasons: { dispute_case: c.caseNumber, outcome: res.outcome, finding: res.finding },
          actor: d.decidedBy,
          reason: why,
        }),
      );
    }
  }
  await client.query(
    `UPDATE dispute_case_line l SET credit_minor = x.credit
       FROM jsonb_to_recordset($3::jsonb) AS x(line_no int2, credit int8)
      WHERE l.company_id = $1 AND l.case_id = $2 AND l.line_no = x.line_no`,
    [
      ctx.companyId,
      c.caseId,
      JSON.stringify(lines.map((l, i) => ({ line_no: l.line_no, credit: plan.lineCredits[i] }))),
    ],
  );
  await client.query(
    `UPDATE dispute_case SET status = 'resolved', outcome = $3, credit_minor = $4, credit_base_minor = $5, collect_minor = $6,
            finding = $7, resolved_on = $8, resolved_by = $9, updated_at = now(), updated_by = $10
      WHERE company_id = $1 AND case_id = $2`,
    [
      ctx.companyId,
      c.caseId,
      res.outcome,
      plan.creditMinor,
      creditBaseMinor,
      plan.collectMinor,
      res.finding,
      res.posting_date,
      res.proposed_by,
      d.decidedBy,
    ],
  );
  await client.query(
    `UPDATE dispute_resolution SET status = 'posted', decided_by = $3, decided_at = now(), decision_reason = $4,
            credit_document_id = $5, application_ids = $6::jsonb
      WHERE company_id = $1 AND resolution_id = $2`,
    [
      ctx.companyId,
      resolutionId,
      d.decidedBy,
      d.decisionReason,
      creditDocumentId,
      JSON.stringify(applicationIds),
    ],
  );
  await client.query(
    `UPDATE deduction SET status = 'resolved', closed_at = now(), closed_by = $3, close_reason = left($4, 2000)
      WHERE company_id = $1 AND status = 'open' AND deduction_id IN (
        SELECT deduction_id FROM dispute_case WHERE company_id = $1 AND case_id = $2 AND deduction_id IS NOT NULL
        UNION
        SELECT deduction_id FROM dispute_case_line WHERE company_id = $1 AND case_id = $2 AND deduction_id IS NOT NULL)`,
    [ctx.companyId, c.caseId, d.decidedBy, `${res.outcome}: ${res.finding}`],
  );
  const money = (m: number) => `${formatMinor(m, exp)} ${c.currency}`;
  await insertEvents(
    client,
    ctx,
    [
      {
        event_id: newId(),
        case_id: c.caseId,
        kind: 'resolved',
        from_status: c.status,
        to_status: 'resolved',
        text: `${res.outcome}: ${res.finding}${plan.creditMinor > 0 ? `; credit memo CM-${c.caseNumber} for ${money(plan.creditMinor)}` : ''}${plan.collectMinor > 0 ? `; ${money(plan.collectMinor)} collected back (returns to dunning)` : ''}`,
        data: {
          resolution_id: resolutionId,
          proposed_by: res.proposed_by,
          decided_by: d.decidedBy,
          credit_document_id: creditDocumentId,
          application_ids: applicationIds,
          credit_minor: plan.creditMinor,
          collect_minor: plan.collectMinor,
        },
      },
    ],
    d.decidedBy,
  );
  // The customer's timeline shows the outcome; for a collect-back, the finding is what the
  // collector (and the next dunning letter) tells the customer.
  await recordActivity(client, ctx, {
    customerId: c.customerId,
    kind: 'dispute',
    text: `${c.caseNumber} ${res.outcome}: ${res.finding}${plan.collectMinor > 0 ? ` — ${money(plan.collectMinor)} is due again` : ''}`.slice(
      0,
      4000,
    ),
    refType: 'dispute_case',
    refId: c.caseId,
    date: res.posting_date,
    actor: d.decidedBy,
  });
  return { creditDocumentId, applicationIds, creditBaseMinor };
}
