import type { CompanyContext } from '../ledger/index.js';
import { assertSafeMinor } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import { addDays, assertIsoDate, daysBetween } from './core/dates.js';
import { invariant } from './core/errors.js';
import { average, daysDeductionsOutstanding, percent } from './core/metrics.js';

export type DisputeGroupBy = 'reason' | 'customer' | 'owner' | 'product_line' | 'month';
export const DISPUTE_GROUP_BYS: readonly DisputeGroupBy[] = [
  'reason',
  'customer',
  'owner',
  'product_line',
  'month',
];

export interface DisputeReportOptions {
  by: DisputeGroupBy;
  from: string;
  to: string;
  /** A customer with at least this many cases opened in the period is a repeat offender (default 3). */
  repeatMinCases?: number;
  /** Lines in the repeat-offender and recurring-reason lists (default 20). */
  top?: number;
}

/** Amounts are in the base currency (each case's amount at its documents' booking rates). */
export interface DisputeGroupRow {
  key: string;
  label: string;
  name: string | null;
  /** The period the row measures (months are clipped to the report's period). */
  from: string;
  to: string;
  opened: number;
  openedBaseMinor: number;
  resolved: number;
  valid: number;
  invalid: number;
  partial: number;
  withdrawn: number;
  creditedBaseMinor: number;
  collectedBackBaseMinor: number;
  liveAtEnd: number;
  liveAtEndBaseMinor: number;
  /** Live cases past their deadline at the end (null per month: not rebuilt for past month ends). */
  overdueAtEnd: number | null;
  /** Days from opening to resolution, over cases resolved in the period (withdrawn ones left out). */
  avgDaysToResolve: number | null;
  /** Share of decided cases the customer was right about (valid or partial), %. */
  validPercent: number | null;
  /** Days deductions outstanding: live at the end ÷ opened in the period × days. */
  ddo: number | null;
  daysToResolveSum: number;
}

export interface RepeatOffender {
  customerId: string;
  customerNumber: string | null;
  customerName: string | null;
  cases: number;
  baseMinor: number;
  reasons: number;
  topReason: string;
  validFound: number;
}

export interface RecurringReason {
  customerId: string;
  customerNumber: string | null;
  customerName: string | null;
  reasonCode: string;
  cases: number;
  months: number;
  baseMinor: number;
}

export interface DisputeReport {
  by: DisputeGroupBy;
  from: string;
  to: string;
  days: number;
  baseCurrency: string;
  rows: DisputeGroupRow[];
  total: DisputeGroupRow;
  repeatOffenders: RepeatOffender[];
  recurringReasons: RecurringReason[];
}

/** A line of the repeat-offender or recurring-reason list as the SQL's JSON gives it. */
interface ListJson {
  customer_id: string;
  customer_number: string | null;
  customer_name: string | null;
  cases: number;
  base: number;
  reasons?: number;
  top_reason?: string;
  valid_found?: number;
  reason_code?: string;
  months?: number;
}

interface GroupSql {
  k: string;
  opened: number;
  opened_base: number;
  resolved: number;
  valid: number;
  invalid: number;
  partial: number;
  withdrawn: number;
  credited: number;
  collected: number;
  live_end: number;
  live_end_base: number;
  overdue_end: number | null;
  days_sum: number;
}

const KEY: Record<Exclude<DisputeGroupBy, 'month'>, string> = {
  reason: 'c.reason_code',
  customer: 'c.customer_id::text',
  owner: 'c.owner',
  product_line: "coalesce(c.product_line, '')",
};

/** Sums per group over one scan of the cases opened by the end of the period. $1 company, $2 from, $3 to. */
const SUMS = `
  count(*) FILTER (WHERE c.opened_on >= $2)::int8 AS opened,
  coalesce(sum(c.base_amount_minor) FILTER (WHERE c.opened_on >= $2), 0)::int8 AS opened_base,
  count(*) FILTER (WHERE c.resolved_on BETWEEN $2 AND $3 AND c.outcome <> 'withdrawn')::int8 AS resolved,
  count(*) FILTER (WHERE c.resolved_on BETWEEN $2 AND $3 AND c.outcome = 'valid')::int8 AS valid,
  count(*) FILTER (WHERE c.resolved_on BETWEEN $2 AND $3 AND c.outcome = 'invalid')::int8 AS invalid,
  count(*) FILTER (WHERE c.resolved_on BETWEEN $2 AND $3 AND c.outcome = 'partial')::int8 AS partial,
  count(*) FILTER (WHERE c.resolved_on BETWEEN $2 AND $3 AND c.outcome = 'withdrawn')::int8 AS withdrawn,
  coalesce(sum(c.credit_base_minor) FILTER (WHERE c.resolved_on BETWEEN $2 AND $3), 0)::int8 AS credited,
  coalesce(sum(c.base_amount_minor - coalesce(c.credit_base_minor, 0))
    FILTER (WHERE c.resolved_on BETWEEN $2 AND $3 AND c.outcome IN ('invalid', 'partial')), 0)::int8 AS collected,
  count(*) FILTER (WHERE c.resolved_on IS NULL OR c.resolved_on > $3)::int8 AS live_end,
  coalesce(sum(c.base_amount_minor) FILTER (WHERE c.resolved_on IS NULL OR c.resolved_on > $3), 0)::int8 AS live_end_base,
  count(*) FILTER (WHERE (c.resolved_on IS NULL OR c.resolved_on > $3) AND c.deadline < $3)::int8 AS overdue_end,
  coalesce(sum(c.resolved_on - c.opened_on) FILTER (WHERE c.resolved_on BETWEEN $2 AND $3 AND c.outcome <> 'withdrawn'), 0)::int8 AS days_sum`;

/**
 * Root causes: cases and amounts per reason, customer, owner, product line or month over a period,
 * with outcomes, credits, collect-backs, average days to resolve and DDO; plus repeat offenders
 * and reasons that recur for a customer month after month. Set-based: one grouped scan of the
 * cases per section.
 */
export async function disputeReport(
  client: SqlClient,
  ctx: CompanyContext,
  o: DisputeReportOptions,
): Promise<DisputeReport> {
  const from = assertIsoDate(o.from, '--from');
  const to = assertIsoDate(o.to, '--to');
  invariant(from <= to, 'bad-period', `--from ${from} is after --to ${to}`);
  const days = daysBetween(from, to) + 1;
  const repeatMin = o.repeatMinCases ?? 3;
  const top = Math.min(o.top ?? 20, 1000);
  const rows =
    o.by === 'month' ? await monthRows(client, ctx, from, to) : await groupRows(client, ctx, o.by, from, to);
  const total = totalOf(rows, o.by, from, to, days);
  // Repeat offenders and recurring reasons from one scan: cases per customer, reason and month
  // (hash aggregates over few groups, no sort of the cases), then per customer and reason.
  const { rows: lists } = await client.query<{ offenders: ListJson[] | null; recurring: ListJson[] | null }>(
    `WITH crm AS MATERIALIZED (
       SELECT customer_id, reason_code, date_trunc('month', opened_on::timestamp) AS m, count(*)::int8 AS n,
              sum(base_amount_minor)::int8 AS base,
              count(*) FILTER (WHERE outcome IN ('valid', 'partial'))::int8 AS vf
         FROM dispute_case WHERE company_id = $1 AND opened_on BETWEEN $2 AND $3
        GROUP BY 1, 2, 3),
     cr AS MATERIALIZED (
       SELECT customer_id, reason_code, sum(n)::int8 AS n, count(*)::int8 AS months, sum(base)::int8 AS base,
              sum(vf)::int8 AS vf
         FROM crm GROUP BY 1, 2),
     off AS (
       SELECT customer_id, sum(n)::int8 AS cases, sum(base)::int8 AS base, count(*)::int8 AS reasons,
              sum(vf)::int8 AS valid_found, (array_agg(reason_code ORDER BY n DESC, reason_code))[1] AS top_reason
         FROM cr GROUP BY customer_id HAVING sum(n) >= $4
        ORDER BY 2 DESC, 3 DESC, 1 LIMIT $5),
     rec AS (
       SELECT customer_id, reason_code, n AS cases, months, base FROM cr WHERE months >= 2
        ORDER BY months DESC, n DESC, base DESC, customer_id, reason_code LIMIT $5)
     SELECT (SELECT json_agg(json_build_object('customer_id', o.customer_id, 'customer_number', cu.customer_number,
                       'customer_name', cu.name, 'cases', o.cases, 'base', o.base, 'reasons', o.reasons,
                       'top_reason', o.top_reason, 'valid_found', o.valid_found)
                     ORDER BY o.cases DESC, o.base DESC, o.customer_id)
               FROM off o LEFT JOIN customer cu ON cu.company_id = $1 AND cu.customer_id = o.customer_id) AS offenders,
            (SELECT json_agg(json_build_object('customer_id', r.customer_id, 'customer_number', cu.customer_number,
                       'customer_name', cu.name, 'reason_code', r.reason_code, 'cases', r.cases, 'months', r.months,
                       'base', r.base)
                     ORDER BY r.months DESC, r.cases DESC, r.base DESC, r.customer_id, r.reason_code)
               FROM rec r LEFT JOIN customer cu ON cu.company_id = $1 AND cu.customer_id = r.customer_id) AS recurring`,
    [ctx.companyId, from, to, repeatMin, top],
  );
  const offenders = lists[0]!.offenders ?? [];
  const recurring = lists[0]!.recurring ?? [];
  return {
    by: o.by,
    from,
    to,
    days,
    baseCurrency: ctx.baseCurrency,
    rows,
    total,
    repeatOffenders: offenders.map((r) => ({
      customerId: r.customer_id,
      customerNumber: r.customer_number,
      customerName: r.customer_name,
      cases: r.cases!,
      baseMinor: assertSafeMinor(r.base, 'amount'),
      reasons: r.reasons!,
      topReason: r.top_reason!,
      validFound: r.valid_found!,
    })),
    recurringReasons: recurring.map((r) => ({
      customerId: r.customer_id,
      customerNumber: r.customer_number,
      customerName: r.customer_name,
      reasonCode: r.reason_code!,
      cases: r.cases,
      months: r.months!,
      baseMinor: assertSafeMinor(r.base, 'amount'),
    })),
  };
}

async function groupRows(
  client: SqlClient,
  ctx: CompanyContext,
  by: Exclude<DisputeGroupBy, 'month'>,
  from: string,
  to: string,
): Promise<DisputeGroupRow[]> {
  const names =
    by === 'reason'
      ? 'LEFT JOIN dispute_reason n ON n.company_id = $1 AND n.reason_code = g.k'
      : by === 'customer'
        ? 'LEFT JOIN customer n ON n.company_id = $1 AND n.customer_id = g.k::uuid'
        : '';
  const label = by === 'customer' ? 'n.customer_number' : 'g.k';
  const name = by === 'reason' || by === 'customer' ? 'n.name' : 'NULL::text';
  const { rows } = await client.query<GroupSql & { label: string | null; name: string | null }>(
    `SELECT g.*, ${label} AS label, ${name} AS name
       FROM (SELECT ${KEY[by]} AS k, ${SUMS}
               FROM dispute_case c WHERE c.company_id = $1 AND c.opened_on <= $3
              GROUP BY 1) g ${names}
      WHERE g.opened > 0 OR g.resolved > 0 OR g.withdrawn > 0 OR g.live_end > 0
      ORDER BY g.opened_base DESC, g.live_end_base DESC, g.k COLLATE "C"`,
    [ctx.companyId, from, to],
  );
  const days = daysBetween(from, to) + 1;
  return rows.map((r) =>
    rowOf(r, {
      key: r.k,
      label: by === 'product_line' && r.k === '' ? '(none)' : (r.label ?? r.k),
      name: r.name,
      from,
      to,
      days,
    }),
  );
}

/**
 * Per month: cases opened and resolved in the month (by their dates), and what was live at each
 * month's end, as a running sum from what was live the day before the period. One scan.
 */
async function monthRows(
  client: SqlClient,
  ctx: CompanyContext,
  from: string,
  to: string,
): Promise<DisputeGroupRow[]> {
  const { rows } = await client.query<GroupSql & { live_start: number; live_start_base: number }>(
    `WITH c AS (
       SELECT opened_on, resolved_on, outcome, base_amount_minor, credit_base_minor
         FROM dispute_case WHERE company_id = $1 AND opened_on <= $3 AND (resolved_on IS NULL OR resolved_on >= $2)),
     start AS (
       SELECT count(*) FILTER (WHERE opened_on < $2)::int8 AS n,
              coalesce(sum(base_amount_minor) FILTER (WHERE opened_on < $2), 0)::int8 AS base FROM c),
     ev AS (
       SELECT date_trunc('month', opened_on::timestamp) AS k, 1 AS opened, base_amount_minor AS opened_base, 0 AS resolved, 0 AS valid,
              0 AS invalid, 0 AS partial, 0 AS withdrawn, 0::int8 AS credited, 0::int8 AS collected, 0::int8 AS closed_base,
              0 AS closed, 0 AS days
         FROM c WHERE opened_on >= $2
       UNION ALL
       SELECT date_trunc('month', resolved_on::timestamp), 0, 0, (outcome <> 'withdrawn')::int, (outcome = 'valid')::int,
              (outcome = 'invalid')::int, (outcome = 'partial')::int, (outcome = 'withdrawn')::int,
              coalesce(credit_base_minor, 0),
              CASE WHEN outcome IN ('invalid', 'partial') THEN base_amount_minor - coalesce(credit_base_minor, 0) ELSE 0 END,
              base_amount_minor, 1, CASE WHEN outcome <> 'withdrawn' THEN resolved_on - opened_on ELSE 0 END
         FROM c WHERE resolved_on BETWEEN $2 AND $3),
     months AS (
       SELECT m AS k FROM generate_series(date_trunc('month', $2::date::timestamp), date_trunc('month', $3::date::timestamp),
              interval '1 month') AS m),
     per AS (
       SELECT m.k, coalesce(sum(e.opened), 0)::int8 AS opened, coalesce(sum(e.opened_base), 0)::int8 AS opened_base,
              coalesce(sum(e.resolved), 0)::int8 AS resolved, coalesce(sum(e.valid), 0)::int8 AS valid,
              coalesce(sum(e.invalid), 0)::int8 AS invalid, coalesce(sum(e.partial), 0)::int8 AS partial,
              coalesce(sum(e.withdrawn), 0)::int8 AS withdrawn, coalesce(sum(e.credited), 0)::int8 AS credited,
              coalesce(sum(e.collected), 0)::int8 AS collected, coalesce(sum(e.closed), 0)::int8 AS closed,
              coalesce(sum(e.closed_base), 0)::int8 AS closed_base, coalesce(sum(e.days), 0)::int8 AS days_sum
         FROM months m LEFT JOIN ev e ON e.k = m.k GROUP BY m.k)
     SELECT to_char(p.k, 'YYYY-MM') AS k, p.opened, p.opened_base, p.resolved, p.valid, p.invalid, p.partial, p.withdrawn,
            p.credited, p.collected, p.days_sum, s.n AS live_start, s.base AS live_start_base,
            (s.n + sum(p.opened - p.closed) OVER w)::int8 AS live_end,
            (s.base + sum(p.opened_base - p.closed_base) OVER w)::int8 AS live_end_base,
            NULL::int8 AS overdue_end
       FROM per p CROSS JOIN start s
     WINDOW w AS (ORDER BY p.k ROWS UNBOUNDED PRECEDING)
      ORDER BY p.k`,
    [ctx.companyId, from, to],
  );
  return rows.map((r) => {
    const monthStart = `${r.k}-01`;
    const rowFrom = monthStart < from ? from : monthStart;
    const monthEnd = addDays(`${nextMonth(r.k)}-01`, -1);
    const rowTo = monthEnd > to ? to : monthEnd;
    return rowOf(r, {
      key: r.k,
      label: r.k,
      name: null,
      from: rowFrom,
      to: rowTo,
      days: daysBetween(rowFrom, rowTo) + 1,
    });
  });
}

function nextMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function rowOf(
  r: GroupSql,
  head: { key: string; label: string; name: string | null; from: string; to: string; days: number },
): DisputeGroupRow {
  const decided = r.valid + r.invalid + r.partial;
  return {
    key: head.key,
    label: head.label,
    name: head.name,
    from: head.from,
    to: head.to,
    opened: r.opened,
    openedBaseMinor: r.opened_base,
    resolved: r.resolved,
    valid: r.valid,
    invalid: r.invalid,
    partial: r.partial,
    withdrawn: r.withdrawn,
    creditedBaseMinor: r.credited,
    collectedBackBaseMinor: r.collected,
    liveAtEnd: r.live_end,
    liveAtEndBaseMinor: r.live_end_base,
    overdueAtEnd: r.overdue_end,
    avgDaysToResolve: average(r.days_sum, r.resolved),
    validPercent: percent(r.valid + r.partial, decided),
    ddo: daysDeductionsOutstanding(r.live_end_base, r.opened_base, head.days),
    daysToResolveSum: r.days_sum,
  };
}

/** The whole period: flows add up over groups; for months, what was live is the last month's. */
function totalOf(
  rows: readonly DisputeGroupRow[],
  by: DisputeGroupBy,
  from: string,
  to: string,
  days: number,
): DisputeGroupRow {
  const sum = (f: (r: DisputeGroupRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const last = rows[rows.length - 1];
  const liveAtEnd = by === 'month' ? (last?.liveAtEnd ?? 0) : sum((r) => r.liveAtEnd);
  const liveAtEndBaseMinor =
    by === 'month' ? (last?.liveAtEndBaseMinor ?? 0) : sum((r) => r.liveAtEndBaseMinor);
  const openedBaseMinor = sum((r) => r.openedBaseMinor);
  const resolved = sum((r) => r.resolved);
  const valid = sum((r) => r.valid);
  const invalid = sum((r) => r.invalid);
  const partial = sum((r) => r.partial);
  const daysToResolveSum = sum((r) => r.daysToResolveSum);
  return {
    key: 'TOTAL',
    label: 'TOTAL',
    name: null,
    from,
    to,
    opened: sum((r) => r.opened),
    openedBaseMinor,
    resolved,
    valid,
    invalid,
    partial,
    withdrawn: sum((r) => r.withdrawn),
    creditedBaseMinor: sum((r) => r.creditedBaseMinor),
    collectedBackBaseMinor: sum((r) => r.collectedBackBaseMinor),
    liveAtEnd,
    liveAtEndBaseMinor,
    overdueAtEnd: by === 'month' ? null : sum((r) => r.overdueAtEnd ?? 0),
    avgDaysToResolve: average(daysToResolveSum, resolved),
    validPercent: percent(valid + partial, valid + invalid + partial),
    ddo: daysDeductionsOutstanding(liveAtEndBaseMinor, openedBaseMinor, days),
    daysToResolveSum,
  };
}
