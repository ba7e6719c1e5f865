import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { assertIsoDate } from '../core/dates.js';
import { loadCashPieces } from './cash.js';
import { moneyText } from './core/money.js';
import { evaluatePlan, type InstallmentStatus, type PlanInput } from './core/plans.js';
import { evaluatePromises, type OpenPromise, type PriorAllocation } from './core/promises.js';
import { insertActivities, type NewActivity } from './holds.js';
import { loadSettings } from './settings.js';

export interface SettleSummary {
  promisesEvaluated: number;
  kept: number;
  /** Broken promises, partly kept ones included (`partial` says how many of them were partly kept). */
  broken: number;
  partial: number;
  plansEvaluated: number;
  installmentsPaid: number;
  installmentsMissed: number;
  plansCompleted: number;
}

export interface SettleOptions {
  actor?: string;
  dryRun?: boolean;
}

export const SYSTEM_ACTOR = 'openar';

/**
 * Marks open promises kept, partly kept or broken, and re-evaluates active payment plans, from the
 * cash in the ledger as of `asOfDate`. Set-based: a fixed number of statements whatever the number
 * of customers (load promises, plans, cash, earlier allocations; write events, allocations, states
 * and timeline entries each in one statement). Every change is an event with its reasons (which
 * receipts); a promise's can be undone (undoPromiseEvent). Run it after cash application and
 * imports; running it twice for the same date changes nothing the second time.
 */
export async function settlePromisesAndPlans(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
  options: SettleOptions = {},
): Promise<SettleSummary> {
  assertIsoDate(asOfDate, 'as-of date');
  const actor = options.actor ?? SYSTEM_ACTOR;
  const settings = await loadSettings(client, ctx.companyId);
  const promises = await loadOpenPromises(client, ctx, asOfDate);
  const plans = await loadActivePlans(client, ctx, asOfDate);
  const summary: SettleSummary = {
    promisesEvaluated: promises.length,
    kept: 0,
    broken: 0,
    partial: 0,
    plansEvaluated: plans.length,
    installmentsPaid: 0,
    installmentsMissed: 0,
    plansCompleted: 0,
  };
  if (promises.length === 0 && plans.length === 0) return summary;
  const customers = [
    ...new Set([...promises.map((p) => p.customerId), ...plans.map((p) => p.input.customerId)]),
  ];
  const fromDate = [...promises.map((p) => p.madeOn), ...plans.map((p) => p.input.madeOn)].sort()[0]!;
  const pieces = await loadCashPieces(client, ctx, customers, fromDate, asOfDate);
  const prior = promises.length > 0 ? await loadPriorAllocations(client, ctx, customers) : [];
  const activities: NewActivity[] = [];

  const rules = { graceDays: settings.promiseGraceDays, toleranceMinor: settings.promiseToleranceMinor };
  const outcomes = evaluatePromises(promises, pieces, prior, asOfDate, rules).filter(
    (o) => o.status !== 'open',
  );
  const byId = new Map(promises.map((p) => [p.promiseId, p]));
  const promiseEvents = outcomes.map((o) => ({ ...o, eventId: uuidv7() }));
  for (const o of promiseEvents) {
    const p = byId.get(o.promiseId)!;
    if (o.status === 'kept') summary.kept++;
    else summary.broken++;
    if (o.status === 'partial') summary.partial++;
    activities.push({
      customerId: p.customerId,
      kind: 'promise',
      text: `promise of ${moneyText(p.amountMinor, p.currency)} due ${p.promisedDate} ${o.reason}`.slice(
        0,
        4000,
      ),
      followUpDate: o.status === 'kept' ? null : o.settledOn,
      refType: 'promise_status',
      refId: p.promiseId,
      actor,
      date: o.settledOn!,
    });
  }

  const planRules = { graceDays: settings.planGraceDays, toleranceMinor: settings.promiseToleranceMinor };
  const installmentChanges: Array<{
    planId: string;
    seq: number;
    status: InstallmentStatus;
    paidMinor: number;
    settledOn: string | null;
  }> = [];
  const planEvents: Array<{
    id: string;
    planId: string;
    seq: number | null;
    from: string;
    to: string;
    date: string;
    reason: string;
    reasons: unknown;
  }> = [];
  const planChanges: Array<{ planId: string; paidMinor: number; standing: string; completed: boolean }> = [];
  for (const plan of plans) {
    const out = evaluatePlan(plan.input, pieces, asOfDate, planRules);
    const m = (minor: number) => moneyText(minor, plan.input.currency);
    for (const inst of out.installments) {
      const before = plan.stored.get(inst.seq)!;
      if (before.status === inst.status && before.paidMinor === inst.paidMinor) continue;
      installmentChanges.push({
        planId: plan.input.planId,
        seq: inst.seq,
        status: inst.status,
        paidMinor: inst.paidMinor,
        settledOn: inst.settledOn,
      });
      if (before.status === inst.status) continue;
      const def = plan.input.installments.find((i) => i.seq === inst.seq)!;
      const receipts = inst.receipts
        .map((r) => `${r.receiptKey} ${m(r.amountMinor)} (${r.receiptDate})`)
        .join(', ');
      const reason =
        inst.status === 'missed'
          ? `installment ${inst.seq} of ${plan.input.installments.length} (${m(def.amountMinor)} due ${def.dueDate}) missed: ${m(inst.paidMinor)} paid by ${inst.settledOn}`
          : inst.status === 'open'
            ? `installment ${inst.seq} open again: the cash counted for it is no longer in the ledger`
            : `installment ${inst.seq} of ${plan.input.installments.length} (${m(def.amountMinor)} due ${def.dueDate}) ${inst.status === 'paid' ? 'paid' : 'paid late'} on ${inst.settledOn}, from ${receipts}`;
      if (inst.status === 'missed') summary.installmentsMissed++;
      if (inst.status === 'paid' || inst.status === 'paid_late') summary.installmentsPaid++;
      const date = inst.settledOn ?? asOfDate;
      planEvents.push({
        id: uuidv7(),
        planId: plan.input.planId,
        seq: inst.seq,
        from: before.status,
        to: inst.status,
        date,
        reason,
        reasons: inst.receipts,
      });
      activities.push({
        customerId: plan.input.customerId,
        kind: 'plan',
        text: `payment plan: ${reason}`.slice(0, 4000),
        followUpDate: inst.status === 'missed' ? inst.settledOn : null,
        refType: 'plan_status',
        refId: plan.input.planId,
        actor,
        date,
      });
    }
    if (out.standing !== plan.standing) {
      planEvents.push({
        id: uuidv7(),
        planId: plan.input.planId,
        seq: null,
        from: plan.standing,
        to: out.standing,
        date: asOfDate,
        reason:
          out.standing === 'missed'
            ? 'an installment was missed: the plan is out of good standing'
            : 'no installment is missed any more: back in good standing',
        reasons: [],
      });
    }
    if (out.completed) {
      summary.plansCompleted++;
      planEvents.push({
        id: uuidv7(),
        planId: plan.input.planId,
        seq: null,
        from: 'active',
        to: 'completed',
        date: asOfDate,
        reason: `every installment paid (${m(out.paidMinor)})`,
        reasons: [],
      });
    }
    if (out.paidMinor !== plan.paidMinor || out.standing !== plan.standing || out.completed)
      planChanges.push({
        planId: plan.input.planId,
        paidMinor: out.paidMinor,
        standing: out.standing,
        completed: out.completed,
      });
  }

  if (options.dryRun) return summary;
  await writePromiseOutcomes(client, ctx, asOfDate, actor, promiseEvents);
  await writePlanOutcomes(client, ctx, asOfDate, actor, installmentChanges, planEvents, planChanges);
  await insertActivities(client, ctx, activities);
  return summary;
}

async function loadOpenPromises(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
): Promise<OpenPromise[]> {
  const { rows } = await client.query<{
    promise_id: string;
    customer_id: string;
    currency: string;
    amount_minor: number;
    promised_date: string;
    made_on: string;
    document_ids: string[];
  }>(
    `SELECT promise_id, customer_id, currency, amount_minor, promised_date, made_on, to_jsonb(document_ids) AS document_ids
       FROM payment_promise WHERE company_id = $1 AND status = 'open' AND made_on <= $2`,
    [ctx.companyId, asOfDate],
  );
  return rows.map((r) => ({
    promiseId: r.promise_id,
    customerId: r.customer_id,
    currency: r.currency.trim(),
    amountMinor: r.amount_minor,
    promisedDate: r.promised_date,
    madeOn: r.made_on,
    documentIds: r.document_ids,
  }));
}

interface ActivePlan {
  input: PlanInput;
  paidMinor: number;
  standing: 'good' | 'missed';
  stored: Map<number, { status: InstallmentStatus; paidMinor: number }>;
}

async function loadActivePlans(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
): Promise<ActivePlan[]> {
  const { rows } = await client.query<{
    plan_id: string;
    customer_id: string;
    currency: string;
    made_on: string;
    document_ids: string[];
    paid_minor: number;
    standing: 'good' | 'missed';
    installments: Array<{
      seq: number;
      due_date: string;
      amount_minor: number;
      paid_minor: number;
      status: InstallmentStatus;
    }>;
  }>(
    `SELECT p.plan_id, p.customer_id, p.currency, p.made_on, to_jsonb(p.document_ids) AS document_ids, p.paid_minor,
            p.standing,
            jsonb_agg(jsonb_build_object('seq', i.seq, 'due_date', i.due_date, 'amount_minor', i.amount_minor,
              'paid_minor', i.paid_minor, 'status', i.status) ORDER BY i.seq) AS installments
       FROM payment_plan p JOIN plan_installment i USING (company_id, plan_id)
      WHERE p.company_id = $1 AND p.status = 'active' AND p.made_on <= $2
      GROUP BY p.plan_id, p.customer_id, p.currency, p.made_on, p.document_ids, p.paid_minor, p.standing`,
    [ctx.companyId, asOfDate],
  );
  return rows.map((r) => ({
    input: {
      planId: r.plan_id,
      customerId: r.customer_id,
      currency: r.currency.trim(),
      madeOn: r.made_on,
      documentIds: r.document_ids,
      installments: r.installments.map((i) => ({
        seq: i.seq,
        dueDate: i.due_date,
        amountMinor: i.amount_minor,
      })),
    },
    paidMinor: r.paid_minor,
    standing: r.standing,
    stored: new Map(r.installments.map((i) => [i.seq, { status: i.status, paidMinor: i.paid_minor }])),
  }));
}

/** Cash already counted by settlements still in force (not undone), for these customers' promises. */
async function loadPriorAllocations(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
): Promise<PriorAllocation[]> {
  const { rows } = await client.query<{
    receipt_id: string;
    document_id: string | null;
    amount_minor: number;
  }>(
    `SELECT a.receipt_id, a.document_id, sum(a.amount_minor)::int8 AS amount_minor
       FROM payment_promise p
       JOIN promise_allocation a ON a.company_id = p.company_id AND a.promise_id = p.promise_id
      WHERE p.company_id = $1 AND p.customer_id = ANY ($2::uuid[]) AND p.status IN ('kept', 'partial')
        AND NOT EXISTS (SELECT 1 FROM promise_event u WHERE u.company_id = a.company_id AND u.reverses_event_id = a.event_id)
      GROUP BY a.receipt_id, a.document_id`,
    [ctx.companyId, customerIds],
  );
  return rows.map((r) => ({
    receiptId: r.receipt_id,
    documentId: r.document_id,
    amountMinor: r.amount_minor,
  }));
}

async function writePromiseOutcomes(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
  actor: string,
  events: ReadonlyArray<ReturnType<typeof evaluatePromises>[number] & { eventId: string }>,
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    event_id: e.eventId,
    promise_id: e.promiseId,
    status: e.status,
    kept_minor: e.keptMinor,
    settled_on: e.settledOn,
    reason: e.reason.slice(0, 2000),
    reasons: e.allocations,
  }));
  const json = JSON.stringify(rows);
  // Only promises still open are changed: a concurrent manual change wins, and is not overwritten.
  const updated = await client.query<{ promise_id: string }>(
    `UPDATE payment_promise p SET status = x.status, kept_minor = x.kept_minor, settled_on = x.settled_on
       FROM jsonb_to_recordset($2::jsonb) AS x(promise_id uuid, status text, kept_minor int8, settled_on date)
      WHERE p.company_id = $1 AND p.promise_id = x.promise_id AND p.status = 'open'
      RETURNING p.promise_id`,
    [ctx.companyId, json],
  );
  const done = new Set(updated.rows.map((r) => r.promise_id));
  const kept = rows.filter((r) => done.has(r.promise_id));
  await client.query(
    `INSERT INTO promise_event (company_id, event_id, promise_id, from_status, to_status, kept_minor, as_of_date, source,
       reason, reasons, created_by)
     SELECT $1, x.event_id, x.promise_id, 'open', x.status, x.kept_minor, $3, 'auto', x.reason, x.reasons, $4
       FROM jsonb_to_recordset($2::jsonb) AS x(event_id uuid, promise_id uuid, status text, kept_minor int8, reason text,
            reasons jsonb)`,
    [ctx.companyId, JSON.stringify(kept), asOfDate, actor],
  );
  const allocations = kept.flatMap((r) =>
    r.reasons.map((a, i) => ({
      event_id: r.event_id,
      line_no: i + 1,
      promise_id: r.promise_id,
      receipt_id: a.receiptId,
      document_id: a.documentId,
      receipt_date: a.receiptDate,
      amount_minor: a.amountMinor,
    })),
  );
  if (allocations.length > 0) {
    await client.query(
      `INSERT INTO promise_allocation (company_id, event_id, line_no, promise_id, receipt_id, document_id, receipt_date,
         amount_minor)
       SELECT $1, x.event_id, x.line_no, x.promise_id, x.receipt_id, x.document_id, x.receipt_date, x.amount_minor
         FROM jsonb_to_recordset($2::jsonb) AS x(event_id uuid, line_no int4, promise_id uuid, receipt_id uuid,
              document_id uuid, receipt_date date, amount_minor int8)`,
      [ctx.companyId, JSON.stringify(allocations)],
    );
  }
  await closeFollowUps(client, ctx, ['promise'], [...done], actor, 'the promise was settled');
}

async function writePlanOutcomes(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
  actor: string,
  installments: ReadonlyArray<{
    planId: string;
    seq: number;
    status: string;
    paidMinor: number;
    settledOn: string | null;
  }>,
  events: ReadonlyArray<{
    id: string;
    planId: string;
    seq: number | null;
    from: string;
    to: string;
    date: string;
    reason: string;
    reasons: unknown;
  }>,
  plans: ReadonlyArray<{ planId: string; paidMinor: number; standing: string; completed: boolean }>,
): Promise<void> {
  if (installments.length > 0) {
    await client.query(
      `UPDATE plan_installment i SET status = x.status, paid_minor = x.paid_minor, settled_on = x.settled_on
         FROM jsonb_to_recordset($2::jsonb) AS x(plan_id uuid, seq int4, status text, paid_minor int8, settled_on date)
        WHERE i.company_id = $1 AND i.plan_id = x.plan_id AND i.seq = x.seq`,
      [
        ctx.companyId,
        JSON.stringify(
          installments.map((i) => ({
            plan_id: i.planId,
            seq: i.seq,
            status: i.status,
            paid_minor: i.paidMinor,
            settled_on: i.settledOn,
          })),
        ),
      ],
    );
  }
  if (events.length > 0) {
    await client.query(
      `INSERT INTO plan_event (company_id, event_id, plan_id, seq, from_status, to_status, as_of_date, source, reason,
         reasons, created_by)
       SELECT $1, x.id, x.plan_id, x.seq, x.from_status, x.to_status, x.as_of_date, 'auto', x.reason, x.reasons, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, plan_id uuid, seq int4, from_status text, to_status text,
              as_of_date date, reason text, reasons jsonb)`,
      [
        ctx.companyId,
        JSON.stringify(
          events.map((e) => ({
            id: e.id,
            plan_id: e.planId,
            seq: e.seq,
            from_status: e.from,
            to_status: e.to,
            as_of_date: e.date,
            reason: e.reason.slice(0, 2000),
            reasons: e.reasons,
          })),
        ),
        actor,
      ],
    );
  }
  if (plans.length > 0) {
    await client.query(
      `UPDATE payment_plan p SET paid_minor = x.paid_minor, standing = x.standing,
              status = CASE WHEN x.completed THEN 'completed' ELSE p.status END,
              closed_on = CASE WHEN x.completed THEN $3::date ELSE p.closed_on END,
              closed_by = CASE WHEN x.completed THEN $4 ELSE p.closed_by END,
              close_reason = CASE WHEN x.completed THEN 'every installment paid' ELSE p.close_reason END
         FROM jsonb_to_recordset($2::jsonb) AS x(plan_id uuid, paid_minor int8, standing text, completed boolean)
        WHERE p.company_id = $1 AND p.plan_id = x.plan_id AND p.status = 'active'`,
      [
        ctx.companyId,
        JSON.stringify(
          plans.map((p) => ({
            plan_id: p.planId,
            paid_minor: p.paidMinor,
            standing: p.standing,
            completed: p.completed,
          })),
        ),
        asOfDate,
        actor,
      ],
    );
    const completed = plans.filter((p) => p.completed).map((p) => p.planId);
    await closeFollowUps(client, ctx, ['plan', 'plan_status'], completed, actor, 'the plan was paid in full');
  }
}

/**
 * Marks done the open follow-ups of the timeline entries about these promises or plans (timeline
 * entries of a settlement carry ref_type promise_status / plan_status, those that record the
 * promise or plan itself promise / plan).
 */
async function closeFollowUps(
  client: SqlClient,
  ctx: CompanyContext,
  refTypes: readonly string[],
  refIds: readonly string[],
  actor: string,
  reason: string,
): Promise<void> {
  if (refIds.length === 0) return;
  const { rows } = await client.query<{ activity_id: string }>(
    `UPDATE activity SET follow_up_done = true
      WHERE company_id = $1 AND ref_type = ANY ($2::text[]) AND ref_id = ANY ($3::text[]) AND follow_up_date IS NOT NULL
        AND NOT follow_up_done
      RETURNING activity_id`,
    [ctx.companyId, refTypes, refIds],
  );
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO activity_follow_up_change (company_id, change_id, activity_id, done, reason, created_by)
     SELECT $1, x.change_id, x.activity_id, true, $3, $4
       FROM jsonb_to_recordset($2::jsonb) AS x(change_id uuid, activity_id uuid)`,
    [
      ctx.companyId,
      JSON.stringify(rows.map((r) => ({ change_id: uuidv7(), activity_id: r.activity_id }))),
      reason,
      actor,
    ],
  );
}
