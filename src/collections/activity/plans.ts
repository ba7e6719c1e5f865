import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { addDays, assertIsoDate } from '../core/dates.js';
import { moneyText } from './core/money.js';
import { buildSchedule, formatEvery, parseEvery, type ScheduledInstallment } from './core/schedule.js';
import { ActivityError, check } from './errors.js';
import { recordActivity } from './holds.js';
import { loadSettings } from './settings.js';

export const MAX_PLAN_DOCUMENTS = 5000;

export interface NewPlan {
  customerId: string;
  installments: number;
  firstDate: string;
  /** '30d', '2w', '1m'... (default 1m). */
  every?: string;
  /** The documents whose balance is split; default: all the customer's past-due invoices and debit memos. */
  documentIds?: readonly string[];
  /** The day the plan is agreed (default today in the database); "past due" is judged on it. */
  madeOn?: string;
  note?: string | null;
  actor: string;
}

export interface CreatedPlan {
  planId: string;
  currency: string;
  totalMinor: number;
  documents: number;
  schedule: ScheduledInstallment[];
}

/**
 * Splits a past-due balance into installments (exact largest-remainder split, dates every N days
 * or months) and records it on the timeline. The plan counts the cash applied to its documents; a
 * document can be in one active plan at a time.
 */
export async function createPlan(client: SqlClient, ctx: CompanyContext, p: NewPlan): Promise<CreatedPlan> {
  assertIsoDate(p.firstDate, 'first installment date');
  if (p.madeOn !== undefined) assertIsoDate(p.madeOn, 'made-on date');
  const every = parseEvery(p.every ?? '1m');
  check(p.note == null || p.note.length <= 2000, 'bad-note', 'a note has at most 2000 characters');
  const chosen = [...new Set(p.documentIds ?? [])];
  check(chosen.length <= MAX_PLAN_DOCUMENTS, 'too-many', `at most ${MAX_PLAN_DOCUMENTS} documents`);
  const { rows: cust } = await client.query<{ currency: string; today: string }>(
    `SELECT currency, to_char(current_date, 'YYYY-MM-DD') AS today FROM customer
      WHERE company_id = $1 AND customer_id = $2 FOR UPDATE`,
    [ctx.companyId, p.customerId],
  );
  check(cust[0], 'unknown-customer', `no customer ${p.customerId} in company ${ctx.code}`);
  const madeOn = p.madeOn ?? cust[0].today;
  check(
    p.firstDate >= madeOn,
    'bad-date',
    `the first installment (${p.firstDate}) is before the plan (${madeOn})`,
  );
  const { rows: docs } = await client.query<{ document_id: string; currency: string; open_minor: number }>(
    chosen.length > 0
      ? `SELECT document_id, currency, open_minor FROM document
          WHERE company_id = $1 AND customer_id = $2 AND document_id = ANY ($3::uuid[]) AND doc_type <> 'credit_memo'`
      : `SELECT document_id, currency, open_minor FROM document
          WHERE company_id = $1 AND customer_id = $2 AND open_minor > 0 AND doc_type <> 'credit_memo'
            AND due_date < $3 AND currency = $4`,
    chosen.length > 0
      ? [ctx.companyId, p.customerId, chosen]
      : [ctx.companyId, p.customerId, madeOn, cust[0].currency.trim()],
  );
  if (chosen.length > 0) {
    check(
      docs.length === chosen.length,
      'bad-documents',
      "a plan's documents must be the customer's invoices or debit memos",
    );
    check(
      docs.every((d) => d.open_minor > 0),
      'bad-documents',
      "a plan's documents must be open",
    );
  }
  check(
    docs.length > 0,
    'nothing-past-due',
    `the customer has nothing past due on ${madeOn} to put in a plan`,
  );
  const currencies = new Set(docs.map((d) => d.currency.trim()));
  check(currencies.size === 1, 'bad-currency', "a plan's documents must share one currency");
  const currency = [...currencies][0]!;
  const documentIds = docs.map((d) => d.document_id);
  const clash = await client.query<{ plan_id: string }>(
    `SELECT plan_id FROM payment_plan
      WHERE company_id = $1 AND customer_id = $2 AND status = 'active' AND document_ids && $3::uuid[] LIMIT 1`,
    [ctx.companyId, p.customerId, documentIds],
  );
  if (clash.rows[0])
    throw new ActivityError(
      'already-in-plan',
      `some of these documents are in active plan ${clash.rows[0].plan_id}`,
    );
  const totalMinor = docs.reduce((s, d) => s + d.open_minor, 0);
  const schedule = buildSchedule(totalMinor, p.installments, p.firstDate, every);
  const planId = uuidv7();
  await client.query(
    `INSERT INTO payment_plan (company_id, plan_id, customer_id, currency, total_minor, installment_count, first_date,
       every, made_on, document_ids, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::uuid[], $11, $12)`,
    [
      ctx.companyId,
      planId,
      p.customerId,
      currency,
      totalMinor,
      p.installments,
      p.firstDate,
      formatEvery(every),
      madeOn,
      documentIds,
      p.note ?? null,
      p.actor,
    ],
  );
  await client.query(
    `INSERT INTO plan_installment (company_id, plan_id, seq, due_date, amount_minor)
     SELECT $1, $2, x.seq, x.due_date, x.amount_minor
       FROM jsonb_to_recordset($3::jsonb) AS x(seq int4, due_date date, amount_minor int8)`,
    [
      ctx.companyId,
      planId,
      JSON.stringify(schedule.map((s) => ({ seq: s.seq, due_date: s.dueDate, amount_minor: s.amountMinor }))),
    ],
  );
  const settings = await loadSettings(client, ctx.companyId);
  const m = (minor: number) => moneyText(minor, currency);
  await recordActivity(client, ctx, {
    customerId: p.customerId,
    kind: 'plan',
    text: `payment plan: ${m(totalMinor)} over ${p.installments} installments every ${formatEvery(every)} from ${p.firstDate} (${schedule
      .slice(0, 3)
      .map((s) => `${s.dueDate} ${m(s.amountMinor)}`)
      .join(', ')}${schedule.length > 3 ? ', …' : ''})${p.note ? `: ${p.note}` : ''}`.slice(0, 4000),
    followUpDate: addDays(p.firstDate, settings.planGraceDays + 1),
    refType: 'plan',
    refId: planId,
    actor: p.actor,
    date: madeOn,
  });
  return { planId, currency, totalMinor, documents: docs.length, schedule };
}

export interface PlanRow {
  planId: string;
  customerId: string;
  customerNumber: string;
  customerName: string;
  currency: string;
  totalMinor: number;
  paidMinor: number;
  installmentCount: number;
  firstDate: string;
  every: string;
  madeOn: string;
  status: 'active' | 'completed' | 'cancelled';
  standing: 'good' | 'missed';
  missedInstallments: number;
  nextDueDate: string | null;
  createdBy: string;
}

interface PlanDbRow {
  plan_id: string;
  customer_id: string;
  customer_number: string;
  name: string;
  currency: string;
  total_minor: number;
  paid_minor: number;
  installment_count: number;
  first_date: string;
  every: string;
  made_on: string;
  status: PlanRow['status'];
  standing: PlanRow['standing'];
  missed: number;
  next_due: string | null;
  created_by: string;
}

const PLAN_SELECT = `
  SELECT p.plan_id, p.customer_id, c.customer_number, c.name, p.currency, p.total_minor, p.paid_minor,
         p.installment_count, p.first_date, p.every, p.made_on, p.status, p.standing, p.created_by,
         (SELECT count(*) FROM plan_installment i WHERE i.company_id = p.company_id AND i.plan_id = p.plan_id
             AND i.status = 'missed')::int8 AS missed,
         (SELECT min(i.due_date) FROM plan_installment i WHERE i.company_id = p.company_id AND i.plan_id = p.plan_id
             AND i.status IN ('open', 'missed')) AS next_due
    FROM payment_plan p
    JOIN customer c ON c.company_id = p.company_id AND c.customer_id = p.customer_id`;

const toPlan = (r: PlanDbRow): PlanRow => ({
  planId: r.plan_id,
  customerId: r.customer_id,
  customerNumber: r.customer_number,
  customerName: r.name,
  currency: r.currency.trim(),
  totalMinor: r.total_minor,
  paidMinor: r.paid_minor,
  installmentCount: r.installment_count,
  firstDate: r.first_date,
  every: r.every,
  madeOn: r.made_on,
  status: r.status,
  standing: r.standing,
  missedInstallments: r.missed,
  nextDueDate: r.next_due,
  createdBy: r.created_by,
});

export async function listPlans(
  client: SqlClient,
  ctx: CompanyContext,
  options: { status?: PlanRow['status']; customerId?: string; limit?: number } = {},
): Promise<PlanRow[]> {
  const limit = options.limit ?? 1000;
  check(Number.isSafeInteger(limit) && limit >= 1 && limit <= 1_000_000, 'bad-limit', 'limit: 1 to 1000000');
  const { rows } = await client.query<PlanDbRow>(
    `${PLAN_SELECT}
      WHERE p.company_id = $1 AND ($2::text IS NULL OR p.status = $2) AND ($3::uuid IS NULL OR p.customer_id = $3)
      ORDER BY c.customer_number, p.made_on, p.plan_id LIMIT $4`,
    [ctx.companyId, options.status ?? null, options.customerId ?? null, limit],
  );
  return rows.map(toPlan);
}

export interface InstallmentRow {
  seq: number;
  dueDate: string;
  amountMinor: number;
  paidMinor: number;
  status: 'open' | 'paid' | 'missed' | 'paid_late';
  settledOn: string | null;
}

export interface PlanEventRow {
  seq: number | null;
  fromStatus: string;
  toStatus: string;
  asOfDate: string;
  source: string;
  reason: string;
  reasons: unknown;
  by: string;
}

export async function planDetail(
  client: SqlClient,
  ctx: CompanyContext,
  planId: string,
): Promise<{
  plan: PlanRow;
  documentNumbers: string[];
  installments: InstallmentRow[];
  events: PlanEventRow[];
}> {
  check(/^[0-9a-f-]{36}$/i.test(planId), 'bad-id', `not a plan id: ${planId}`);
  const { rows } = await client.query<PlanDbRow>(
    `${PLAN_SELECT} WHERE p.company_id = $1 AND p.plan_id = $2`,
    [ctx.companyId, planId],
  );
  if (!rows[0]) throw new ActivityError('unknown-plan', `no payment plan ${planId}`);
  const docs = await client.query<{ document_number: string }>(
    `SELECT d.document_number FROM payment_plan p
       JOIN document d ON d.company_id = p.company_id AND d.document_id = ANY (p.document_ids)
      WHERE p.company_id = $1 AND p.plan_id = $2 ORDER BY 1`,
    [ctx.companyId, planId],
  );
  const inst = await client.query<{
    seq: number;
    due_date: string;
    amount_minor: number;
    paid_minor: number;
    status: InstallmentRow['status'];
    settled_on: string | null;
  }>(
    `SELECT seq, due_date, amount_minor, paid_minor, status, settled_on FROM plan_installment
      WHERE company_id = $1 AND plan_id = $2 ORDER BY seq`,
    [ctx.companyId, planId],
  );
  const events = await client.query<{
    seq: number | null;
    from_status: string;
    to_status: string;
    as_of_date: string;
    source: string;
    reason: string;
    reasons: unknown;
    created_by: string;
  }>(
    `SELECT seq, from_status, to_status, as_of_date, source, reason, reasons, created_by FROM plan_event
      WHERE company_id = $1 AND plan_id = $2 ORDER BY created_at, event_id`,
    [ctx.companyId, planId],
  );
  return {
    plan: toPlan(rows[0]),
    documentNumbers: docs.rows.map((d) => d.document_number),
    installments: inst.rows.map((i) => ({
      seq: i.seq,
      dueDate: i.due_date,
      amountMinor: i.amount_minor,
      paidMinor: i.paid_minor,
      status: i.status,
      settledOn: i.settled_on,
    })),
    events: events.rows.map((e) => ({
      seq: e.seq,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      asOfDate: e.as_of_date,
      source: e.source,
      reason: e.reason,
      reasons: e.reasons,
      by: e.created_by,
    })),
  };
}

/** Cancels an active plan (renegotiated, sent to an agency...); dunning resumes for its documents. */
export async function cancelPlan(
  client: SqlClient,
  ctx: CompanyContext,
  planId: string,
  options: { reason: string; actor: string; date?: string },
): Promise<void> {
  check(/^[0-9a-f-]{36}$/i.test(planId), 'bad-id', `not a plan id: ${planId}`);
  check(
    options.reason.trim().length > 0 && options.reason.length <= 2000,
    'reason-required',
    'a reason is required',
  );
  if (options.date !== undefined) assertIsoDate(options.date, 'date');
  const { rows } = await client.query<{ customer_id: string; status: string; today: string }>(
    `SELECT customer_id, status, to_char(current_date, 'YYYY-MM-DD') AS today FROM payment_plan
      WHERE company_id = $1 AND plan_id = $2 FOR UPDATE`,
    [ctx.companyId, planId],
  );
  const p = rows[0];
  if (!p) throw new ActivityError('unknown-plan', `no payment plan ${planId}`);
  if (p.status !== 'active') throw new ActivityError('not-active', `the plan is ${p.status}`);
  const date = options.date ?? p.today;
  await client.query(
    `UPDATE payment_plan SET status = 'cancelled', closed_on = $3, closed_by = $4, close_reason = $5
      WHERE company_id = $1 AND plan_id = $2`,
    [ctx.companyId, planId, date, options.actor, options.reason],
  );
  await client.query(
    `INSERT INTO plan_event (company_id, event_id, plan_id, from_status, to_status, as_of_date, source, reason, created_by)
     VALUES ($1, $2, $3, 'active', 'cancelled', $4, 'manual', $5, $6)`,
    [ctx.companyId, uuidv7(), planId, date, options.reason, options.actor],
  );
  await recordActivity(client, ctx, {
    customerId: p.customer_id,
    kind: 'plan',
    text: `payment plan cancelled: ${options.reason}`.slice(0, 4000),
    refType: 'plan_status',
    refId: planId,
    actor: options.actor,
    date,
  });
}
