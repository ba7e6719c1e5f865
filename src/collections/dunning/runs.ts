import type { CompanyContext } from '../../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { DunningError } from './core/errors.js';

/** `openar dunning list | show RUN`: runs, their letters (with items, charges, outcome) and skips. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RunRow {
  runId: string;
  asOf: string;
  startedAt: string;
  createdBy: string;
  documentsConsidered: number;
  letters: number;
  emails: number;
  sent: number;
  failed: number;
  pending: number;
  actions: number;
  skips: number;
  undoneAt: string | null;
  undoneBy: string | null;
  undoReason: string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** A run by id (or 'last': the latest run). */
export async function resolveRun(client: SqlClient, ctx: CompanyContext, ref: string): Promise<string> {
  if (ref === 'last') {
    const { rows } = await client.query<{ run_id: string }>(
      'SELECT run_id FROM dunning_run WHERE company_id = $1 ORDER BY started_at DESC, run_id DESC LIMIT 1',
      [ctx.companyId],
    );
    if (!rows[0]) throw new DunningError('no-run', 'there is no dunning run yet');
    return rows[0].run_id;
  }
  if (!UUID.test(ref)) throw new DunningError('no-run', `no dunning run ${ref}`);
  const { rows } = await client.query<{ run_id: string }>(
    'SELECT run_id FROM dunning_run WHERE company_id = $1 AND run_id = $2',
    [ctx.companyId, ref],
  );
  if (!rows[0]) throw new DunningError('no-run', `no dunning run ${ref}`);
  return rows[0].run_id;
}

export async function listRuns(
  client: SqlClient,
  ctx: CompanyContext,
  limit = 50,
  onlyRunId: string | null = null,
): Promise<RunRow[]> {
  const { rows } = await client.query<{
    run_id: string;
    as_of: string;
    started_at: Date | string;
    created_by: string;
    documents_considered: number;
    letters: number;
    emails: number;
    actions: number;
    skips: number;
    sent: number;
    failed: number;
    pending: number;
    undone_at: Date | string | null;
    undone_by: string | null;
    undo_reason: string | null;
  }>(
    `SELECT r.run_id, r.as_of, r.started_at, r.created_by, r.documents_considered, r.letters, r.emails, r.actions, r.skips,
            r.undone_at, r.undone_by, r.undo_reason,
            count(*) FILTER (WHERE l.status = 'sent')::int4 AS sent,
            count(*) FILTER (WHERE l.status = 'failed')::int4 AS failed,
            count(*) FILTER (WHERE l.status = 'pending')::int4 AS pending
       FROM (SELECT * FROM dunning_run WHERE company_id = $1 AND ($3::uuid IS NULL OR run_id = $3)
              ORDER BY started_at DESC, run_id DESC LIMIT $2) r
       LEFT JOIN dunning_letter l ON l.company_id = r.company_id AND l.run_id = r.run_id
      GROUP BY r.run_id, r.as_of, r.started_at, r.created_by, r.documents_considered, r.letters, r.emails, r.actions,
               r.skips, r.undone_at, r.undone_by, r.undo_reason
      ORDER BY r.started_at DESC, r.run_id DESC`,
    [ctx.companyId, Math.min(Math.max(limit, 1), 10_000), onlyRunId],
  );
  return rows.map((r) => ({
    runId: r.run_id,
    asOf: r.as_of,
    startedAt: iso(r.started_at)!,
    createdBy: r.created_by,
    documentsConsidered: r.documents_considered,
    letters: r.letters,
    emails: r.emails,
    sent: r.sent,
    failed: r.failed,
    pending: r.pending,
    actions: r.actions,
    skips: r.skips,
    undoneAt: iso(r.undone_at),
    undoneBy: r.undone_by,
    undoReason: r.undo_reason,
  }));
}

export interface RunDetail {
  run: RunRow;
  letters: {
    letterId: string;
    customerNumber: string;
    customerName: string;
    strategy: string;
    segment: string;
    action: string;
    step: string;
    level: number;
    language: string;
    recipient: string | null;
    subject: string | null;
    status: string;
    messageId: string | null;
    error: string | null;
    holdId: string | null;
    undone: boolean;
    reasons: string[];
    items: {
      document: string;
      currency: string;
      open: string;
      daysOverdue: number;
      level: number;
      step: string;
      previousDays: number | null;
      interest: string;
      reason: string;
    }[];
    charges: {
      kind: string;
      document: string;
      currency: string;
      amount: string;
      reversed: string | null;
      note: string | null;
    }[];
  }[];
  skipped: { customerNumber: string; document: string | null; code: string; detail: string }[];
}

const dec = (minor: number, currency: string) => formatMinor(minor, minorUnitExponent(currency.trim()));
const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export async function showRun(client: SqlClient, ctx: CompanyContext, ref: string): Promise<RunDetail> {
  const runId = await resolveRun(client, ctx, ref);
  const [run] = await listRuns(client, ctx, 1, runId);
  const letters = await client.query<{
    letter_id: string;
    customer_number: string;
    name: string;
    strategy_code: string;
    segment_code: string;
    action: string;
    step_code: string;
    level: number;
    language: string;
    recipient: string | null;
    subject: string | null;
    status: string;
    message_id: string | null;
    error: string | null;
    hold_id: string | null;
    undone: boolean;
    reasons: unknown;
  }>(
    `SELECT l.letter_id, c.customer_number, c.name, l.strategy_code, l.segment_code, l.action, l.step_code, l.level,
            l.language, l.recipient, l.subject, l.status, l.message_id, l.error, l.hold_id,
            l.undone_at IS NOT NULL AS undone, l.reasons
       FROM dunning_letter l JOIN customer c ON c.company_id = l.company_id AND c.customer_id = l.customer_id
      WHERE l.company_id = $1 AND l.run_id = $2
      ORDER BY c.customer_number, l.level`,
    [ctx.companyId, runId],
  );
  const items = await client.query<{
    letter_id: string;
    document_number: string;
    currency: string;
    open_minor: number;
    days_overdue: number;
    level: number;
    step_code: string;
    previous_days: number | null;
    interest_minor: number;
    reason: string;
  }>(
    `SELECT i.letter_id, d.document_number, i.currency, i.open_minor, i.days_overdue, i.level, i.step_code, i.previous_days,
            i.interest_minor, i.reason
       FROM dunning_letter_item i
       JOIN dunning_letter l ON l.company_id = i.company_id AND l.letter_id = i.letter_id
       JOIN document d ON d.company_id = i.company_id AND d.document_id = i.document_id
      WHERE i.company_id = $1 AND l.run_id = $2
      ORDER BY d.document_number`,
    [ctx.companyId, runId],
  );
  const charges = await client.query<{
    letter_id: string;
    kind: string;
    document_number: string;
    currency: string;
    amount_minor: number;
    reversed_minor: number | null;
    reversal_note: string | null;
  }>(
    `SELECT ch.letter_id, ch.kind, ch.document_number, ch.currency, ch.amount_minor, ch.reversed_minor, ch.reversal_note
       FROM dunning_charge ch JOIN dunning_letter l ON l.company_id = ch.company_id AND l.letter_id = ch.letter_id
      WHERE ch.company_id = $1 AND l.run_id = $2 ORDER BY ch.document_number`,
    [ctx.companyId, runId],
  );
  const skips = await client.query<{
    customer_number: string;
    document_number: string | null;
    code: string;
    detail: string;
  }>(
    `SELECT c.customer_number, d.document_number, s.code, s.detail
       FROM dunning_skip s
       JOIN customer c ON c.company_id = s.company_id AND c.customer_id = s.customer_id
       LEFT JOIN document d ON d.company_id = s.company_id AND d.document_id = s.document_id
      WHERE s.company_id = $1 AND s.run_id = $2 ORDER BY s.skip_no`,
    [ctx.companyId, runId],
  );
  return {
    run: run!,
    letters: letters.rows.map((l) => ({
      letterId: l.letter_id,
      customerNumber: l.customer_number,
      customerName: l.name,
      strategy: l.strategy_code,
      segment: l.segment_code,
      action: l.action,
      step: l.step_code,
      level: l.level,
      language: l.language,
      recipient: l.recipient,
      subject: l.subject,
      status: l.status,
      messageId: l.message_id,
      error: l.error,
      holdId: l.hold_id,
      undone: l.undone,
      reasons: json<string[]>(l.reasons),
      items: items.rows
        .filter((i) => i.letter_id === l.letter_id)
        .map((i) => ({
          document: i.document_number,
          currency: i.currency.trim(),
          open: dec(i.open_minor, i.currency),
          daysOverdue: i.days_overdue,
          level: i.level,
          step: i.step_code,
          previousDays: i.previous_days,
          interest: dec(i.interest_minor, i.currency),
          reason: i.reason,
        })),
      charges: charges.rows
        .filter((c) => c.letter_id === l.letter_id)
        .map((c) => ({
          kind: c.kind,
          document: c.document_number,
          currency: c.currency.trim(),
          amount: dec(c.amount_minor, c.currency),
          reversed: c.reversed_minor === null ? null : dec(c.reversed_minor, c.currency),
          note: c.reversal_note,
        })),
    })),
    skipped: skips.rows.map((s) => ({
      customerNumber: s.customer_number,
      document: s.document_number,
      code: s.code,
      detail: s.detail,
    })),
  };
}
