import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { type CustomerRange, customerRanges } from './aging.js';
import { jsonBatchesSql } from './batches.js';
import { addDays, assertIsoDate, monthStart, type TrendStep, trendPeriods } from './core/dates.js';
import { invariant } from './core/errors.js';
import {
  type CeiConvention,
  computeMetrics,
  type Metrics,
  type MetricsInputs,
  NO_PAYMENTS,
  type PaymentFigures,
  type Period,
  periodOf,
} from './core/metrics.js';
import {
  COUNTBACK_ROW_COLUMNS,
  countbacks,
  countbacksWithPortfolio,
  countbackWindowDays,
  DEFAULT_COUNTBACK_MONTHS,
  firstMonthsFor,
  type KeptCountback,
  keepCountbacks,
  keptCountback,
  keptCountbackDays,
} from './countback.js';
import { type GroupBy, groupSql } from './groups.js';
import { AR_PAIR_CTES, openItemCtes, resolveRebuild, withReportPlan } from './open-items.js';

export type MetricsGroupBy = 'portfolio' | 'customer' | 'collector' | 'parent';
export const METRICS_GROUP_BYS: readonly MetricsGroupBy[] = ['portfolio', 'customer', 'collector', 'parent'];

export interface MetricsOptions {
  from: string;
  to: string;
  by?: MetricsGroupBy;
  cei?: CeiConvention;
  /** How many months of sales the countback may walk back before it extrapolates; default 36. */
  countbackMonths?: number;
}

type Additive = Omit<MetricsInputs, 'dsoCountback'>;

export interface MetricsGroup {
  /** Customer id, top parent id, collector ('' for none) or 'portfolio'; null for unidentified cash. */
  key: string | null;
  number: string | null;
  name: string | null;
  inputs: MetricsInputs;
  metrics: Metrics;
}

export interface MetricsReport {
  period: Period;
  baseCurrency: string;
  by: MetricsGroupBy;
  cei: CeiConvention;
  portfolio: MetricsGroup;
  /** Empty when by is portfolio. */
  groups: MetricsGroup[];
}

/**
 * Collection metrics over [from, to] for the portfolio and, if asked, per customer, collector or
 * top parent. All money in the base currency. AR at the start is AR at the end of the day before
 * `from`; AR at the end is at the end of `to`; both rebuilt from the ledger like the aging.
 */
export async function metricsReport(
  client: SqlClient,
  ctx: CompanyContext,
  options: MetricsOptions,
): Promise<MetricsReport> {
  return withReportPlan(client, null, () => metricsOf([client], ctx, options));
}

/**
 * metricsReport over several connections that read one snapshot (Database.readTogether): a closed
 * month's summaries are read in customer id ranges, one per connection, side by side, whatever the
 * grouping (the parts' sums add up, and the report sorts its groups anyway, so they need no merge).
 * Everything else runs on the first connection.
 */
export async function metricsReportOn(
  clients: readonly SqlClient[],
  ctx: CompanyContext,
  options: MetricsOptions,
): Promise<MetricsReport> {
  invariant(clients.length > 0, 'internal', 'metrics need a connection');
  return withReportPlan(clients[0]!, null, () => metricsOf(clients, ctx, options));
}

export interface MetricsTrend {
  step: TrendStep;
  baseCurrency: string;
  by: MetricsGroupBy;
  cei: CeiConvention;
  /** One report per calendar period, oldest first (see trendPeriods). */
  periods: MetricsReport[];
}

/**
 * The metrics over consecutive calendar months or quarters of [from, to], oldest first: how DSO,
 * CEI and the rest move. Each period is one metricsReport (closed months from the snapshots'
 * summaries where they exist), so a trend of n periods is n set-based runs, at most MAX_TREND_PERIODS.
 */
export async function metricsTrend(
  client: SqlClient,
  ctx: CompanyContext,
  options: MetricsOptions & { step: TrendStep },
): Promise<MetricsTrend> {
  const from = assertIsoDate(options.from, 'the trend start');
  const to = assertIsoDate(options.to, 'the trend end');
  const spans = trendPeriods(from, to, options.step);
  const periods = await withReportPlan(client, null, async () => {
    const reports: MetricsReport[] = [];
    for (const span of spans) reports.push(await metricsOf([client], ctx, { ...options, ...span }));
    return reports;
  });
  return {
    step: options.step,
    baseCurrency: ctx.baseCurrency,
    by: options.by ?? 'portfolio',
    cei: options.cei ?? 'crf',
    periods,
  };
}

async function metricsOf(
  clients: readonly SqlClient[],
  ctx: CompanyContext,
  options: MetricsOptions,
): Promise<MetricsReport> {
  const client = clients[0]!;
  const from = assertIsoDate(options.from, 'the period start');
  const to = assertIsoDate(options.to, 'the period end');
  const period = periodOf(from, to);
  const by = options.by ?? 'portfolio';
  const convention = options.cei ?? 'crf';
  const maxMonths = options.countbackMonths ?? DEFAULT_COUNTBACK_MONTHS;
  invariant(
    Number.isSafeInteger(maxMonths) && maxMonths >= 1 && maxMonths <= 240,
    'bad-countback',
    'the countback may walk back 1 to 240 months',
  );

  // Each group is its report's group from the start: its inputs summed in place, its countback
  // set where a month's close kept it (UNCOUNTED until then), its metrics computed last. No copy,
  // wrapper, tuple or side map per group (about 4 % of the report by customer at 10M invoices).
  const groups = new Map<string | null, MetricsGroup>();
  const entry = (key: string | null, number: string | null, name: string | null) => {
    let g = groups.get(key);
    if (!g) {
      g = { key, number, name, inputs: zeroInputs(), metrics: PENDING };
      groups.set(key, g);
    }
    if (g.number === null) g.number = number;
    if (g.name === null) g.name = name;
    return g.inputs;
  };
  const before = addDays(from, -1);
  const summaries =
    from === monthStart(to) ? await summarizedSnapshots(client, ctx, [before, to]) : new Map();
  const windowDays = countbackWindowDays(to, maxMonths);
  const keptHead = summaries.get(to);
  const keepsCountbacks = keptHead !== undefined && keptHead.countbackMonths === maxMonths;
  if (summaries.size === 2) {
    // A closed month: every figure is in the summaries of its snapshot and the one before it.
    const keptByCustomer = keepsCountbacks && by === 'customer';
    for (const c of await summariesOn(clients, ctx, by, before, to, keptByCustomer))
      for (let i = 0; i < c.key.length; i++) {
        const key = c.key[i]!;
        const arEnd = c.ar_end[i]!;
        // Added, not set: unidentified cash on account comes as two rows of key null (see fromSummaries).
        const x = entry(key, c.number[i]!, c.name[i]!);
        // Countbacks kept at the month's close, where they still hold (see keepCountbacks).
        if (keptByCustomer && key !== null) {
          const days = keptCountbackAt(c, i, arEnd, windowDays);
          if (days !== undefined) x.dsoCountback = days ?? 0;
        }
        x.arBeginMinor += c.ar_begin[i]!;
        x.arEndMinor += arEnd;
        x.currentEndMinor += arEnd - c.past_due[i]!;
        x.over90EndMinor += c.over_90[i]!;
        x.creditSalesMinor += c.sales[i]!;
        if (c.n[i]! > 0) {
          const p = x.payments;
          p.count += c.n[i]!;
          p.daysSum += c.days_sum[i]!;
          p.beyondSum += c.beyond_sum[i]!;
          p.weight += c.weight[i]!;
          p.daysWeighted += c.days_weighted[i]!;
          p.beyondWeighted += c.beyond_weighted[i]!;
        }
      }
  } else if (['forward', 'snapshot'].includes((await resolveRebuild(client, ctx, before, 'auto')).strategy)) {
    // Far back, or after a closed period: each date rebuilt on its own, from the whole history or
    // from the latest AR snapshot before it.
    for (const r of await arAsOf(client, ctx, by, before)) entry(r.key, r.number, r.name).arBeginMinor = r.ar;
    for (const r of await arAsOf(client, ctx, by, to)) {
      const x = entry(r.key, r.number, r.name);
      x.arEndMinor = r.ar;
      x.currentEndMinor = r.ar - r.past_due;
      x.over90EndMinor = r.over_90;
    }
  } else {
    for (const r of await arPair(client, ctx, by, before, to)) {
      const x = entry(r.key, r.number, r.name);
      x.arBeginMinor = r.ar_begin;
      x.arEndMinor = r.ar_end;
      x.currentEndMinor = r.ar_end - r.past_due;
      x.over90EndMinor = r.over_90;
    }
  }
  if (summaries.size !== 2) {
    for (const r of await sales(client, ctx, by, from, to))
      entry(r.key, r.number, r.name).creditSalesMinor = r.sales;
    for (const r of await payments(client, ctx, by, from, to))
      entry(r.key, r.number, r.name).payments = r.figures;
  }

  const total = zeroInputs();
  for (const g of groups.values()) addInto(total, g.inputs);
  const keptPortfolio = keepsCountbacks
    ? keptCountback(keptHead.portfolio, total.arEndMinor, windowDays)
    : undefined;
  if (by === 'portfolio' && keptPortfolio !== undefined)
    for (const g of groups.values()) g.inputs.dsoCountback = keptPortfolio ?? 0;
  const arEnd = new Map<string | null, number>();
  for (const [key, g] of groups) if (uncounted(g.inputs)) arEnd.set(key, g.inputs.arEndMinor);
  // The portfolio's countback comes from the groups' read of the newest months when they suffice.
  const counted =
    arEnd.size === 0
      ? { groups: new Map<string | null, number | null>(), portfolio: keptPortfolio }
      : await countbacksWithPortfolio(
          client,
          ctx,
          by,
          to,
          arEnd,
          maxMonths,
          by === 'portfolio' || keptPortfolio !== undefined ? null : total.arEndMinor,
          firstMonthsFor(by, to, keptPortfolio),
        );
  if (keptPortfolio !== undefined) counted.portfolio = keptPortfolio;
  // A group with nothing in any figure (unidentified cash has no AR) is left out.
  const list: MetricsGroup[] = [];
  for (const [key, g] of groups) {
    if (uncounted(g.inputs)) g.inputs.dsoCountback = counted.groups.get(key) ?? 0;
    if (isZero(g.inputs)) continue;
    g.metrics = computeMetrics(period, g.inputs, convention);
    list.push(g);
  }
  // Report order is made here, not in SQL (see fromSummaries); the key settles ties of names.
  list.sort(
    (a, b) => compare(a.number ?? a.name ?? a.key, b.number ?? b.name ?? b.key) || compare(a.key, b.key),
  );

  let portfolio: MetricsGroup;
  if (by === 'portfolio') {
    const none = { ...zeroInputs(), dsoCountback: 0 };
    portfolio = list[0] ?? {
      key: 'portfolio',
      number: null,
      name: null,
      inputs: none,
      metrics: computeMetrics(period, none, convention),
    };
  } else {
    const dsoCountback =
      counted.portfolio !== undefined
        ? (counted.portfolio ?? 0)
        : ((
            await countbacks(
              client,
              ctx,
              'portfolio',
              to,
              new Map([['portfolio', total.arEndMinor]]),
              maxMonths,
            )
          ).get('portfolio') ?? 0);
    portfolio = {
      key: 'portfolio',
      number: null,
      name: null,
      inputs: { ...total, dsoCountback },
      metrics: computeMetrics(period, { ...total, dsoCountback }, convention),
    };
  }
  return {
    period,
    baseCurrency: ctx.baseCurrency,
    by,
    cei: convention,
    portfolio,
    groups: by === 'portfolio' ? [] : list,
  };
}

/** A group's countback before it is known: NaN, never a countback (a number of days, or null). */
const UNCOUNTED = Number.NaN;
const uncounted = (x: MetricsInputs): boolean => Number.isNaN(x.dsoCountback);

/** A group's metrics before they are computed (replaced for every group listed). */
const PENDING: Metrics = computeMetrics(
  periodOf('2000-01-01', '2000-01-01'),
  { ...zeroInputs(), dsoCountback: null },
  'crf',
);

/** Inputs of nothing, the countback UNCOUNTED until it is known (one shape for every group). */
function zeroInputs(): MetricsInputs {
  return {
    arBeginMinor: 0,
    arEndMinor: 0,
    currentEndMinor: 0,
    over90EndMinor: 0,
    creditSalesMinor: 0,
    payments: { ...NO_PAYMENTS },
    dsoCountback: UNCOUNTED,
  };
}

/** Adds b into a, as addInputs does (same order, same sums), without an object per group. */
function addInto(a: Additive, b: Additive): void {
  a.arBeginMinor += b.arBeginMinor;
  a.arEndMinor += b.arEndMinor;
  a.currentEndMinor += b.currentEndMinor;
  a.over90EndMinor += b.over90EndMinor;
  a.creditSalesMinor += b.creditSalesMinor;
  const p = a.payments;
  const q = b.payments;
  p.count += q.count;
  p.daysSum += q.daysSum;
  p.beyondSum += q.beyondSum;
  p.weight += q.weight;
  p.daysWeighted += q.daysWeighted;
  p.beyondWeighted += q.beyondWeighted;
}

/** Every figure zero; the current part too, as AR netting to zero can still be past due. */
function isZero(x: Additive): boolean {
  return (
    x.arBeginMinor === 0 &&
    x.arEndMinor === 0 &&
    x.currentEndMinor === 0 &&
    x.creditSalesMinor === 0 &&
    x.over90EndMinor === 0 &&
    x.payments.count === 0
  );
}

function compare(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

interface GroupRow {
  key: string | null;
  number: string | null;
  name: string | null;
}

function groupSelect(by: GroupBy) {
  const g = groupSql(by);
  return {
    g,
    with: (ctes: string[]) => `WITH ${g.recursive ? 'RECURSIVE ' : ''}${[...ctes, ...g.ctes].join(',\n')}`,
    head: `${g.key} AS key, ${g.number} AS number, ${g.name} AS name`,
  };
}

/**
 * AR in base currency per group as of a date (unapplied cash excluded, as in the ledger's
 * tie-out), with the past-due part (invoices and debit memos due before the date) and the part
 * more than 90 days past due.
 */
async function arAsOf(client: SqlClient, ctx: CompanyContext, by: MetricsGroupBy, asOf: string) {
  const rebuild = await resolveRebuild(client, ctx, asOf, 'auto');
  const s = groupSelect(by);
  const pastDue = "x.doc_type IN ('invoice', 'debit_memo') AND x.document_date <= $2 AND x.due_date < $2";
  const sums = `coalesce(sum(x.base) FILTER (WHERE x.doc_type <> 'unapplied_cash'), 0)::int8 AS ar,
                coalesce(sum(x.base) FILTER (WHERE ${pastDue}), 0)::int8 AS past_due,
                coalesce(sum(x.base) FILTER (WHERE ${pastDue} AND x.due_date < $2::date - 90), 0)::int8 AS over_90`;
  // Per customer first (cheap, narrow), then grouped: the customer join runs once per customer.
  const sql =
    by === 'portfolio'
      ? `WITH ${openItemCtes(rebuild)} SELECT 'portfolio' AS key, NULL AS number, NULL AS name, ${sums} FROM open_item x`
      : `${s.with([
          openItemCtes(rebuild),
          `per_customer AS (
             SELECT x.customer_id, ${sums} FROM open_item x GROUP BY x.customer_id)`,
        ])}
         SELECT ${s.head}, sum(x.ar)::int8 AS ar, sum(x.past_due)::int8 AS past_due, sum(x.over_90)::int8 AS over_90
           FROM per_customer x ${s.g.joins} GROUP BY 1, 2, 3`;
  const { rows } = await withReportPlan(client, rebuild, () =>
    client.query<GroupRow & { ar: number; past_due: number; over_90: number }>(sql, [ctx.companyId, asOf]),
  );
  return rows;
}

/** AR at the day before the period and at its end, in one backward pass (see AR_PAIR_CTES). */
async function arPair(
  client: SqlClient,
  ctx: CompanyContext,
  by: MetricsGroupBy,
  before: string,
  to: string,
) {
  const s = groupSelect(by);
  const pastDue = "x.doc_type IN ('invoice', 'debit_memo') AND x.document_date <= $2 AND x.due_date < $2";
  const sums = `coalesce(sum(x.b1), 0)::int8 AS ar_begin, coalesce(sum(x.b2), 0)::int8 AS ar_end,
                coalesce(sum(x.b2) FILTER (WHERE ${pastDue}), 0)::int8 AS past_due,
                coalesce(sum(x.b2) FILTER (WHERE ${pastDue} AND x.due_date < $2::date - 90), 0)::int8 AS over_90`;
  const sql =
    by === 'portfolio'
      ? `WITH ${AR_PAIR_CTES} SELECT 'portfolio' AS key, NULL AS number, NULL AS name, ${sums} FROM ar_pair x`
      : `${s.with([AR_PAIR_CTES, `per_customer AS (SELECT x.customer_id, ${sums} FROM ar_pair x GROUP BY x.customer_id)`])}
         SELECT ${s.head}, sum(x.ar_begin)::int8 AS ar_begin, sum(x.ar_end)::int8 AS ar_end,
                sum(x.past_due)::int8 AS past_due, sum(x.over_90)::int8 AS over_90
           FROM per_customer x ${s.g.joins} GROUP BY 1, 2, 3`;
  const { rows } = await client.query<
    GroupRow & { ar_begin: number; ar_end: number; past_due: number; over_90: number }
  >(sql, [ctx.companyId, to, before]);
  return rows;
}

/** Signed base amount of documents dated in a range, at their amounts as revised by its end ($3). */
const DATED_DOCUMENTS = `
rev_after AS (
  SELECT document_id AS id, sum(base_delta_minor)::int8 AS rev_base
    FROM document_revision WHERE company_id = $1 AND posting_date > $3 GROUP BY document_id),
x AS (
  SELECT d.customer_id, d.currency, d.document_date,
         CASE WHEN d.doc_type = 'credit_memo' THEN -1 ELSE 1 END * (d.base_amount_minor - coalesce(r.rev_base, 0)) AS base
    FROM document d LEFT JOIN rev_after r ON r.id = d.document_id
   WHERE d.company_id = $1 AND d.document_date BETWEEN $2 AND $3 CUSTOMER_FILTER)`;

/** Credit sales: invoices and debit memos less credit memos dated in the period. */
async function sales(client: SqlClient, ctx: CompanyContext, by: MetricsGroupBy, from: string, to: string) {
  const s = groupSelect(by);
  const { rows } = await client.query<GroupRow & { sales: number }>(
    `${s.with([DATED_DOCUMENTS.replace('CUSTOMER_FILTER', '')])}
     SELECT ${s.head}, sum(x.base)::int8 AS sales FROM x ${s.g.joins} GROUP BY 1, 2, 3`,
    [ctx.companyId, from, to],
  );
  return rows;
}

/**
 * Payment applications posted in the period (not reversals, not reversed by the period's end):
 * days from the document's date and from its due date (as it stood at the period's end) to the
 * day the cash was received.
 */
async function payments(
  client: SqlClient,
  ctx: CompanyContext,
  by: MetricsGroupBy,
  from: string,
  to: string,
) {
  const s = groupSelect(by);
  const { rows } = await client.query<
    GroupRow & {
      n: number;
      days_sum: number;
      beyond_sum: number;
      weight: number;
      days_weighted: string;
      beyond_weighted: string;
    }
  >(
    `${s.with([
      // Reversals are few: one list of what was reversed by the end beats a lookup per payment.
      `reversed AS (
         SELECT reverses_application_id FROM application
          WHERE company_id = $1 AND reverses_application_id IS NOT NULL AND posting_date <= $3)`,
      `due_then AS (
         SELECT DISTINCT ON (document_id) document_id, (changes -> 'due_date' ->> 0)::date AS due_date
           FROM document_revision
          WHERE company_id = $1 AND posting_date > $3 AND changes -> 'due_date' IS NOT NULL
          ORDER BY document_id, posting_date, created_at, revision_id)`,
      // The period's payments first, then their documents and receipts fetched by key: the
      // planner cannot tell how few they are and would otherwise scan both tables whole.
      `pay AS MATERIALIZED (
         SELECT a.document_id, a.receipt_id, a.source_base_minor AS w
           FROM application a
          WHERE a.company_id = $1 AND a.kind = 'payment' AND a.posting_date BETWEEN $2 AND $3
            AND a.reverses_application_id IS NULL AND a.cash_minor > 0
            AND a.application_id NOT IN (SELECT reverses_application_id FROM reversed))`,
      `pay_doc AS MATERIALIZED (
         SELECT document_id, customer_id, currency, document_date, due_date FROM document
          WHERE company_id = $1 AND document_id = ANY (ARRAY(SELECT document_id FROM pay)))`,
      `pay_rcp AS MATERIALIZED (
         SELECT receipt_id, receipt_date FROM receipt
          WHERE company_id = $1 AND receipt_id = ANY (ARRAY(SELECT receipt_id FROM pay)))`,
      `x AS (
         SELECT d.customer_id, d.currency, r.receipt_date - d.document_date AS days,
                r.receipt_date - coalesce(f.due_date, d.due_date) AS beyond, p.w
           FROM pay p
           JOIN pay_doc d ON d.document_id = p.document_id
           JOIN pay_rcp r ON r.receipt_id = p.receipt_id
           LEFT JOIN due_then f ON f.document_id = p.document_id)`,
    ])}
     SELECT ${s.head}, count(*)::int8 AS n, sum(x.days)::int8 AS days_sum, sum(x.beyond)::int8 AS beyond_sum,
            sum(x.w)::int8 AS weight, sum(x.days::numeric * x.w)::text AS days_weighted,
            sum(x.beyond::numeric * x.w)::text AS beyond_weighted
       FROM x ${s.g.joins} GROUP BY 1, 2, 3`,
    [ctx.companyId, from, to],
  );
  return rows.map((r) => ({ ...r, figures: paymentFigures(r) }));
}

interface PaymentSums {
  n: number;
  days_sum: number;
  beyond_sum: number;
  weight: number;
  days_weighted: string;
  beyond_weighted: string;
}

function paymentFigures(r: PaymentSums): PaymentFigures {
  return {
    count: r.n,
    daysSum: r.days_sum,
    beyondSum: r.beyond_sum,
    weight: r.weight,
    // Sums of amount × days are weights for a ratio, not money: a float is what they become.
    daysWeighted: Number(r.days_weighted),
    beyondWeighted: Number(r.beyond_weighted),
  };
}

/** The countbacks kept at a summarized snapshot: over how many months (null: none), the portfolio's. */
interface KeptHead {
  countbackMonths: number | null;
  portfolio: KeptCountback;
}

/** Which of `dates` have an AR snapshot with its per-customer summary, and its kept countbacks. */
async function summarizedSnapshots(
  client: SqlClient,
  ctx: CompanyContext,
  dates: string[],
): Promise<Map<string, KeptHead>> {
  const { rows } = await client.query<{ as_of: string; months: number | null; kept: KeptCountback }>(
    `SELECT as_of::text, countback_months AS months, json_build_array(${COUNTBACK_ROW_COLUMNS}) AS kept
       FROM collections_ar_snapshot WHERE company_id = $1 AND as_of = ANY ($2::date[]) AND summarized`,
    [ctx.companyId, dates],
  );
  return new Map(rows.map((r) => [r.as_of, { countbackMonths: r.months, portfolio: r.kept }]));
}

/** The money figures a summary gives each group, in base currency minor units (see fromSummaries). */
const SUMMARY_MONEY = [
  'ar_begin',
  'ar_end',
  'past_due',
  'over_90',
  'sales',
  'n',
  'days_sum',
  'beyond_sum',
  'weight',
] as const;
/** Sums of amount × days: weights for a ratio, not money (they may pass the safe integer range). */
const SUMMARY_WEIGHTED = ['days_weighted', 'beyond_weighted'] as const;
const KEPT_COLUMNS = COUNTBACK_ROW_COLUMNS.split(', ') as readonly KeptColumn[];
type KeptColumn =
  | 'cb_ar_minor'
  | 'cb_days_before'
  | 'cb_remaining_minor'
  | 'cb_sales_minor'
  | 'cb_month_days';

/**
 * The groups' figures from the summaries, one array per figure (index i is the i-th group): key,
 * number and name, AR at the start and end, the end's past-due and over-90 parts, credit sales, the
 * payment sums (count, days, days beyond terms, weight, weighted days and days beyond terms), and
 * the kept countbacks when asked. Columns of numbers parse into flat arrays, not an object per value;
 * fromSummaries gives them in batches (see batches.ts).
 */
type SummaryColumns = Record<'key' | 'number' | 'name', (string | null)[]> &
  Record<(typeof SUMMARY_MONEY)[number] | (typeof SUMMARY_WEIGHTED)[number], number[]> &
  Partial<Record<KeptColumn, (number | null)[]>>;

/** A kept countback's integer, which must be safe (JSON numbers are doubles). */
function safeKept(v: number | null | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (!Number.isSafeInteger(v))
    invariant(false, 'unsafe-amount', `a kept countback's ${v} is beyond the safe integer range`);
  return v;
}

/**
 * Group i's kept countback (asked of fromSummaries) for `arMinor`, as keptCountback gives it,
 * read from the columns without a tuple per group.
 */
function keptCountbackAt(
  c: SummaryColumns,
  i: number,
  arMinor: number,
  windowDays: number,
): number | null | undefined {
  return keptCountbackDays(
    safeKept(c.cb_ar_minor?.[i]),
    safeKept(c.cb_days_before?.[i]),
    safeKept(c.cb_remaining_minor?.[i]),
    safeKept(c.cb_sales_minor?.[i]),
    safeKept(c.cb_month_days?.[i]),
    arMinor,
    windowDays,
  );
}

/**
 * Beginning and ending AR, its past-due parts, the month's credit sales and payment figures, per
 * group, from the per-customer summaries of the snapshots on $3 (the day before the month) and $2
 * (its last day); AR is each summary's documents less its on-account credits. Each customer's row
 * is at most once in each summary, so the two meet by a full join on the customer, each read by an
 * index-only scan (no wide aggregate); grouped by customer there is nothing more to sum. The groups
 * come back as JSON columns in batches (see batches.ts), in no order: 100,000 customers are fifty
 * values to parse, not 100,000 rows. `range` limits the read to a range of customer ids.
 */
async function fromSummaries(
  client: SqlClient,
  ctx: CompanyContext,
  by: MetricsGroupBy,
  before: string,
  to: string,
  keptCountbacks: boolean,
  range: CustomerRange | null,
): Promise<SummaryColumns[]> {
  const only = summaryRange(range);
  const s = groupSelect(by);
  const figures: string[] = [...SUMMARY_MONEY, ...SUMMARY_WEIGHTED];
  const kept = KEPT_COLUMNS;
  if (keptCountbacks) figures.push(...kept);
  const select =
    by === 'customer'
      ? `SELECT x.customer_id::text AS key, c.customer_number AS number, c.name, ${figures.map((f) => `x.${f}`).join(', ')}
           FROM x LEFT JOIN customer c ON c.company_id = $1 AND c.customer_id = x.customer_id`
      : `SELECT ${s.head}, ${figures.map((f) => `sum(x.${f}) AS ${f}`).join(', ')} FROM x ${s.g.joins} GROUP BY 1, 2, 3`;
  const { rows } = await client.query<{ doc: SummaryColumns }>(
    `${s.with([
      `b AS (
         SELECT customer_id, ar_base_minor - on_account_base_minor AS ar
           FROM collections_ar_snapshot_customer WHERE company_id = $1 AND as_of = $3${only.sql})`,
      `e AS (
         SELECT customer_id, ar_base_minor - on_account_base_minor AS ar, past_due_base_minor, over_90_base_minor,
                sales_base_minor, pay_count, pay_days_sum, pay_beyond_sum, pay_weight, pay_days_weighted,
                pay_beyond_weighted${keptCountbacks ? kept.map((k) => `, ${k}`).join('') : ''}
           FROM collections_ar_snapshot_customer WHERE company_id = $1 AND as_of = $2${only.sql})`,
      // Unidentified cash on account (no customer) is one row per summary, unmatched: two rows of key null.
      `x AS (
         SELECT coalesce(e.customer_id, b.customer_id) AS customer_id,
                coalesce(b.ar, 0)::int8 AS ar_begin, coalesce(e.ar, 0)::int8 AS ar_end,
                coalesce(e.past_due_base_minor, 0) AS past_due, coalesce(e.over_90_base_minor, 0) AS over_90,
                coalesce(e.sales_base_minor, 0) AS sales, coalesce(e.pay_count, 0) AS n,
                coalesce(e.pay_days_sum, 0) AS days_sum, coalesce(e.pay_beyond_sum, 0) AS beyond_sum,
                coalesce(e.pay_weight, 0) AS weight, coalesce(e.pay_days_weighted, 0) AS days_weighted,
                coalesce(e.pay_beyond_weighted, 0) AS beyond_weighted${keptCountbacks ? kept.map((k) => `, e.${k}`).join('') : ''}
           FROM e FULL JOIN b ON b.customer_id = e.customer_id)`,
    ])}
     -- A batch's aggregates read its rows in one pass, so its columns line up. In no order:
     -- metricsOf sorts the groups, so a sort here would be paid twice.
     ${jsonBatchesSql(
       select,
       null,
       `json_build_object(${['key', 'number', 'name', ...figures].map((f) => `'${f}', json_agg(r.${f})`).join(', ')}) AS doc`,
     )}`,
    [ctx.companyId, to, before, ...only.params],
  );
  const batches = rows.map((r) => r.doc);
  // JSON numbers are doubles: the money sums must be safe integers, as the int8 parser asserts.
  for (const c of batches)
    for (const f of SUMMARY_MONEY)
      for (const v of c[f])
        if (!Number.isSafeInteger(v))
          invariant(false, 'unsafe-amount', `a metrics sum ${v} is beyond the safe integer range`);
  return batches;
}

/**
 * fromSummaries on every connection, each over its range of customer ids (see metricsReportOn). The
 * parts add up: metricsOf sums what each gives a group, and sorts the groups.
 */
async function summariesOn(
  clients: readonly SqlClient[],
  ctx: CompanyContext,
  by: MetricsGroupBy,
  before: string,
  to: string,
  keptCountbacks: boolean,
): Promise<SummaryColumns[]> {
  const first = clients[0]!;
  const ranges = clients.length > 1 ? await customerRanges(first, ctx, clients.length) : [null];
  const read = (i: number) =>
    fromSummaries(clients[i]!, ctx, by, before, to, keptCountbacks, ranges.length > 1 ? ranges[i]! : null);
  // The first connection runs under the report's plan settings; each helper takes them too (JIT off:
  // compiling cost more than the query).
  const parts = await Promise.all(
    ranges.map((_, i) => (i === 0 ? read(0) : withReportPlan(clients[i]!, null, () => read(i)))),
  );
  return parts.flat();
}

/**
 * The summaries' condition ($4 on) for a range of customer ids: unidentified cash (no customer)
 * goes with the range that starts at the beginning.
 */
function summaryRange(range: CustomerRange | null): { sql: string; params: string[] } {
  if (range === null) return { sql: '', params: [] };
  const params: string[] = [];
  const bounds: string[] = [];
  if (range.from !== null) {
    params.push(range.from);
    bounds.push(`customer_id >= $${3 + params.length}::uuid`);
  }
  if (range.to !== null) {
    params.push(range.to);
    bounds.push(`customer_id < $${3 + params.length}::uuid`);
  }
  if (bounds.length === 0) return { sql: '', params };
  const within = bounds.join(' AND ');
  return { sql: ` AND ${range.from === null ? `(${within} OR customer_id IS NULL)` : within}`, params };
}

/**
 * Writes the per-customer summary of the AR snapshot on `asOf` (see migration 0016): the AR the
 * metrics would rebuild on that date, less on-account credits, and the figures of the month ending
 * on it. Set-based: the month's sales and payments per customer in two queries, one INSERT.
 */
export async function summarizeArSnapshot(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
): Promise<void> {
  const from = monthStart(asOf);
  const monthSales = await sales(client, ctx, 'customer', from, asOf);
  const pays = await payments(client, ctx, 'customer', from, asOf);
  const figures = [
    ...monthSales.map((r) => ({ c: r.key, sales: r.sales })),
    ...pays.map((r) => ({
      c: r.key,
      n: r.n,
      ds: r.days_sum,
      bs: r.beyond_sum,
      w: r.weight,
      dw: r.days_weighted,
      bw: r.beyond_weighted,
    })),
  ];
  await client.query('DELETE FROM collections_ar_snapshot_customer WHERE company_id = $1 AND as_of = $2', [
    ctx.companyId,
    asOf,
  ]);
  const pastDue = "doc_type IN ('invoice', 'debit_memo') AND document_date <= $2 AND due_date < $2";
  const signed = "CASE WHEN doc_type = 'credit_memo' THEN -open_base_minor ELSE open_base_minor END";
  await client.query(
    `INSERT INTO collections_ar_snapshot_customer (company_id, as_of, customer_id, ar_base_minor, past_due_base_minor,
       over_90_base_minor, sales_base_minor, pay_count, pay_days_sum, pay_beyond_sum, pay_weight, pay_days_weighted,
       pay_beyond_weighted, on_account_base_minor)
     SELECT $1, $2, customer_id, sum(ar)::int8, sum(pd)::int8, sum(o90)::int8, sum(sales)::int8, sum(n)::int8,
            sum(ds)::int8, sum(bs)::int8, sum(w)::int8, sum(dw), sum(bw), sum(oa)::int8
       FROM (SELECT customer_id, ${signed} AS ar,
                    CASE WHEN ${pastDue} THEN ${signed} ELSE 0 END AS pd,
                    CASE WHEN ${pastDue} AND due_date < $2::date - 90 THEN ${signed} ELSE 0 END AS o90,
                    0 AS sales, 0 AS n, 0 AS ds, 0 AS bs, 0 AS w, 0::numeric AS dw, 0::numeric AS bw, 0 AS oa
               FROM collections_ar_snapshot_document WHERE company_id = $1 AND as_of = $2
             UNION ALL
             SELECT customer_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, on_account_base_minor
               FROM collections_ar_snapshot_receipt WHERE company_id = $1 AND as_of = $2 AND on_account_base_minor <> 0
             UNION ALL
             SELECT f.c, 0, 0, 0, coalesce(f.sales, 0), coalesce(f.n, 0), coalesce(f.ds, 0), coalesce(f.bs, 0),
                    coalesce(f.w, 0), coalesce(f.dw, 0), coalesce(f.bw, 0), 0
               FROM jsonb_to_recordset($3::jsonb) AS f (c uuid, sales int8, n int8, ds int8, bs int8, w int8, dw numeric,
                                                        bw numeric)) x
      GROUP BY customer_id`,
    [ctx.companyId, asOf, JSON.stringify(figures)],
  );
  await client.query(
    'UPDATE collections_ar_snapshot SET summarized = true WHERE company_id = $1 AND as_of = $2',
    [ctx.companyId, asOf],
  );
  await keepCountbacks(client, ctx, asOf);
}
