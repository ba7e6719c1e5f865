import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { addDays, daysBetween, daysInPeriod, monthEnd, monthStart, monthsBack } from './core/dates.js';
import { invariant } from './core/errors.js';
import { countbackBeyond, countbackWithin } from './core/metrics.js';
import { type GroupBy, groupSql } from './groups.js';

/**
 * Countback DSO per group (docs/metrics.md; `countbackDays` is the definition) in one statement.
 *
 * Each group's monthly sales, newest first, with a running sum: the month that exhausts the AR is
 * the newest one whose running sum reaches it with sales of its own (a month of zero or negative
 * net sales never ends the walk). Only the integers come back (days counted before that month,
 * what is left of the AR, the month's sales and days; or, when the months run out, what is left and
 * the months' sales), one JSON document for all groups, and `countbackWithin` / `countbackBeyond`
 * finish with the same double arithmetic as `countbackDays`.
 *
 * Every group reads the newest FIRST_MONTHS months; only the groups those leave unexhausted (their
 * customers' rows alone, when grouped by customer) read the older months of the window, once.
 */
// Eight: at 1.5M invoices the metrics by customer took 0.45 s of server CPU against 0.70 s with four
// (after which 16 % of the customers read on, through the window); twelve was no better.
const FIRST_MONTHS = 8;

/**
 * How many months a countback by `by` reads first, given the portfolio's countback in days where a
 * month's close kept it. Groups of many customers (collector, currency) age much as the portfolio
 * does: the months its AR reaches back over, and one more, settle nearly all of them, and the few
 * that reach further read on. At 10M invoices (portfolio 73 days) the countback by collector read
 * four months in 0.14–0.18 s against 0.34–0.36 s for eight. Customers, and parents, vary too much
 * for the portfolio to say: FIRST_MONTHS.
 */
export function firstMonthsFor(by: GroupBy, to: string, portfolioDays: number | null | undefined): number {
  if (by === 'customer' || by === 'parent' || portfolioDays === undefined || portfolioDays === null)
    return FIRST_MONTHS;
  invariant(portfolioDays >= 0, 'internal', `a countback of ${portfolioDays} days`);
  const reached = monthStart(addDays(to, -Math.ceil(portfolioDays)));
  const monthIndex = (iso: string) => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7));
  const monthsReached = monthIndex(to) - monthIndex(reached) + 1;
  return Math.max(2, Math.min(FIRST_MONTHS, monthsReached + 1));
}

/**
 * One group's countback as integers: [key, days before the exhausting month or null, remaining AR,
 * that month's or all months' sales, its days]. `finishCountback` ends it in days.
 */
export type CountbackRow = [string | null, number | null, number, number, number | null];

/** The days of the countback's window: `maxMonths` calendar months ending on `to`. */
export const countbackWindowDays = (to: string, maxMonths: number): number =>
  daysInPeriod(monthsBack(to, maxMonths - 1), to);

/** A countback row in days, with `countbackDays`' own double arithmetic. */
export function finishCountback(row: CountbackRow, windowDays: number): number | null {
  return countbackOf(row[1], row[2], row[3], row[4], windowDays);
}

function countbackOf(
  daysBefore: number | null,
  remainingMinor: number,
  salesMinor: number,
  monthDays: number | null,
  windowDays: number,
): number | null {
  return daysBefore === null
    ? countbackBeyond(windowDays, salesMinor, remainingMinor)
    : countbackWithin(daysBefore, remainingMinor, salesMinor, monthDays!);
}

export async function countbacks(
  client: SqlClient,
  ctx: CompanyContext,
  by: GroupBy,
  to: string,
  arEnd: ReadonlyMap<string | null, number>,
  maxMonths: number,
): Promise<Map<string | null, number | null>> {
  return (await countbacksWithPortfolio(client, ctx, by, to, arEnd, maxMonths, null)).groups;
}

/**
 * The groups' countbacks and, given the portfolio's AR, the portfolio's from the same read of the
 * newest months (the sum of every group's, those without AR too). `portfolio` is undefined when
 * it was not asked, or when those months do not exhaust the portfolio's AR and the older months
 * would have to be read for every customer: `countbacks(…, 'portfolio', …)` then.
 */
export async function countbacksWithPortfolio(
  client: SqlClient,
  ctx: CompanyContext,
  by: GroupBy,
  to: string,
  arEnd: ReadonlyMap<string | null, number>,
  maxMonths: number,
  portfolioArMinor: number | null,
  firstMonths = FIRST_MONTHS,
): Promise<{ groups: Map<string | null, number | null>; portfolio: number | null | undefined }> {
  const raw = await countbackRows(client, ctx, by, to, arEnd, maxMonths, portfolioArMinor, firstMonths);
  const windowDays = countbackWindowDays(to, maxMonths);
  const groups = raw.settled;
  for (const row of raw.rows) groups.set(row[0], finishCountback(row, windowDays));
  const portfolio =
    raw.portfolio === undefined ? raw.portfolioSettled : finishCountback(raw.portfolio, windowDays);
  return { groups, portfolio };
}

export interface CountbackRows {
  /** The groups settled without a walk: no AR to count back (0), or no sales of their own (null). */
  settled: Map<string | null, number | null>;
  /** The other groups' rows. */
  rows: CountbackRow[];
  /** The portfolio's row, when asked and the newest months (or the whole window) settle it. */
  portfolio: CountbackRow | undefined;
  /** The portfolio's countback without a row: 0 when its AR is not positive, else undefined. */
  portfolioSettled: 0 | undefined;
}

/** The countbacks as integers (see countbacksWithPortfolio): what a month's close keeps per customer. */
export async function countbackRows(
  client: SqlClient,
  ctx: CompanyContext,
  by: GroupBy,
  to: string,
  arEnd: ReadonlyMap<string | null, number>,
  maxMonths: number,
  portfolioArMinor: number | null,
  firstMonthsAsked = FIRST_MONTHS,
): Promise<CountbackRows> {
  invariant(
    Number.isSafeInteger(firstMonthsAsked) && firstMonthsAsked >= 1,
    'internal',
    `a countback reading ${firstMonthsAsked} months first`,
  );
  const settled = new Map<string | null, number | null>();
  const groups: { k: string; a: number }[] = [];
  for (const [key, ar] of arEnd) {
    if (ar <= 0) settled.set(key, 0);
    // Unidentified cash (key null) has no sales of its own to count back over.
    else if (key === null) settled.set(key, null);
    else groups.push({ k: key, a: ar });
  }
  const portfolioSettled: 0 | undefined = portfolioArMinor !== null && portfolioArMinor <= 0 ? 0 : undefined;
  const none = { settled, rows: [], portfolio: undefined, portfolioSettled };
  if (groups.length === 0) return none;
  const firstMonths = Math.min(firstMonthsAsked, maxMonths);
  const recentFrom = monthsBack(to, firstMonths - 1);
  const windowFrom = monthsBack(to, maxMonths - 1);
  const summarized = await summarizedMonths(client, ctx, to, recentFrom, windowFrom);
  const monthEnds = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => monthEnd(monthsBack(to, from + i)));
  const plan: CountbackPlan = {
    by,
    portfolioAr: portfolioArMinor !== null && portfolioArMinor > 0 ? portfolioArMinor : null,
    groupsJson: JSON.stringify(groups),
    recent: {
      summarized: summarized.recent,
      months: Array.from({ length: firstMonths }, (_, i) => {
        const start = monthsBack(to, i);
        const last = i === 0 ? to : monthEnd(start);
        return { end: monthEnd(start), daysBefore: daysBetween(last, to), days: daysInPeriod(start, last) };
      }),
    },
    older:
      maxMonths > firstMonths
        ? {
            from: windowFrom,
            ends: summarized.older ? monthEnds(firstMonths, maxMonths - firstMonths) : null,
          }
        : null,
  };
  const { sql, params } = countbackSql(plan);
  const { rows } = await client.query<{ doc: CountbackRow[] | null; portfolio?: CountbackRow | null }>(sql, [
    ctx.companyId,
    to,
    recentFrom,
    ...params,
  ]);
  let portfolio: CountbackRow | undefined;
  if (plan.portfolioAr !== null) {
    const row = rows[0]?.portfolio ?? null;
    if (row !== null && (row[1] !== null || plan.older === null)) portfolio = row;
  }
  return { settled, rows: rows[0]?.doc ?? [], portfolio, portfolioSettled };
}

/** How many months a countback walks back by default, and what a month's close keeps. */
export const DEFAULT_COUNTBACK_MONTHS = 36;

/**
 * Keeps, at the summarized AR snapshot on `asOf` (a month end), every customer's countback and the
 * portfolio's over the default window (see migration 0021): the rows a metrics report of the month
 * would compute, counted for the AR its summary gives (the documents' AR less the on-account credits).
 */
export async function keepCountbacks(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<void> {
  const { rows } = await client.query<{ doc: [string | null, number][] | null; total: number }>(
    `SELECT json_agg(json_build_array(customer_id, ar)) FILTER (WHERE ar > 0) AS doc, coalesce(sum(ar), 0)::int8 AS total
       FROM (SELECT customer_id, ar_base_minor - on_account_base_minor AS ar
               FROM collections_ar_snapshot_customer WHERE company_id = $1 AND as_of = $2) x`,
    [ctx.companyId, asOf],
  );
  const arEnd = new Map<string | null, number>();
  for (const [key, ar] of rows[0]?.doc ?? []) {
    invariant(
      Number.isSafeInteger(ar),
      'unsafe-amount',
      `a customer's AR ${ar} is beyond the safe integer range`,
    );
    arEnd.set(key, ar);
  }
  const total = rows[0]?.total ?? 0;
  const months = DEFAULT_COUNTBACK_MONTHS;
  const raw = await countbackRows(client, ctx, 'customer', asOf, arEnd, months, total);
  let portfolio = raw.portfolio;
  if (portfolio === undefined && raw.portfolioSettled === undefined)
    portfolio = (
      await countbackRows(client, ctx, 'portfolio', asOf, new Map([['portfolio', total]]), months, null)
    ).rows[0];
  const kept = raw.rows.map(([c, d, r, s, m]) => ({ c, a: arEnd.get(c), d, r, s, m }));
  await client.query(
    `UPDATE collections_ar_snapshot_customer s
        SET cb_ar_minor = f.a, cb_days_before = f.d, cb_remaining_minor = f.r, cb_sales_minor = f.s, cb_month_days = f.m
       FROM json_to_recordset($3::json) AS f (c uuid, a int8, d int4, r int8, s int8, m int4)
      WHERE s.company_id = $1 AND s.as_of = $2 AND s.customer_id = f.c`,
    [ctx.companyId, asOf, JSON.stringify(kept)],
  );
  await client.query(
    `UPDATE collections_ar_snapshot
        SET countback_months = $3, cb_ar_minor = $4, cb_days_before = $5, cb_remaining_minor = $6, cb_sales_minor = $7,
            cb_month_days = $8
      WHERE company_id = $1 AND as_of = $2`,
    [ctx.companyId, asOf, months, total, ...(portfolio ? portfolio.slice(1) : [null, null, null, null])],
  );
}

/** The columns of a kept countback, in KeptCountback's order (the summaries' and the head's). */
export const COUNTBACK_ROW_COLUMNS =
  'cb_ar_minor, cb_days_before, cb_remaining_minor, cb_sales_minor, cb_month_days';

/** A kept countback: the AR it was counted for, and its row's integers (see CountbackRow). */
export type KeptCountback = [
  arMinor: number | null,
  daysBefore: number | null,
  remainingMinor: number | null,
  salesMinor: number | null,
  monthDays: number | null,
];

/**
 * A kept countback in days when it was counted for `arMinor` (the window's days given); undefined
 * when it must be counted again (none kept, or kept for another AR).
 */
export function keptCountback(
  kept: KeptCountback,
  arMinor: number,
  windowDays: number,
): number | null | undefined {
  return keptCountbackDays(...kept, arMinor, windowDays);
}

/** keptCountback of a kept countback given as its five integers. */
export function keptCountbackDays(
  keptArMinor: number | null,
  daysBefore: number | null,
  remainingMinor: number | null,
  salesMinor: number | null,
  monthDays: number | null,
  arMinor: number,
  windowDays: number,
): number | null | undefined {
  if (arMinor <= 0) return 0;
  if (keptArMinor !== arMinor || remainingMinor === null || salesMinor === null) return undefined;
  return countbackOf(daysBefore, remainingMinor, salesMinor, monthDays, windowDays);
}

/**
 * Whether the months [recentFrom, to] and [windowFrom, recentFrom) each have a summarized snapshot
 * at every month end (months ending before the company's first document have no sales and need
 * none). Only a countback ending on a month end can read summaries.
 */
async function summarizedMonths(
  client: SqlClient,
  ctx: CompanyContext,
  to: string,
  recentFrom: string,
  windowFrom: string,
): Promise<{ recent: boolean; older: boolean }> {
  if (to !== monthEnd(to)) return { recent: false, older: false };
  const { rows } = await client.query<{ recent: boolean | null; older: boolean | null }>(
    `WITH m AS (
       SELECT m::date AS start, (m + interval '1 month - 1 day')::date AS last
         FROM generate_series($4::date, $2::date, interval '1 month') m),
     ok AS (
       SELECT m.start, m.last < coalesce((SELECT min(document_date) FROM document WHERE company_id = $1), m.last + 1)
                OR EXISTS (SELECT 1 FROM collections_ar_snapshot s
                            WHERE s.company_id = $1 AND s.summarized AND s.as_of = m.last) AS ok
         FROM m)
     SELECT bool_and(ok) FILTER (WHERE start >= $3::date) AS recent,
            bool_and(ok) FILTER (WHERE start < $3::date) AS older
       FROM ok`,
    [ctx.companyId, to, recentFrom, windowFrom],
  );
  return { recent: rows[0]?.recent ?? true, older: rows[0]?.older ?? true };
}

interface PlannedMonth {
  /** The month's last day (a calendar month end, even for the period's own month). */
  end: string;
  /** Days counted before it (the newer months'), and its own days up to the period's end. */
  daysBefore: number;
  days: number;
}

interface CountbackPlan {
  by: GroupBy;
  /** The portfolio's AR (positive) when its countback is asked beside the groups'. */
  portfolioAr: number | null;
  /** [{k: key, a: AR}] for the groups with AR to count back. */
  groupsJson: string;
  /** The newest months, newest first; `summarized`: read from the summaries, else the documents. */
  recent: { months: PlannedMonth[]; summarized: boolean };
  /** The older months of the window, if any: their first day, and their ends when summarized. */
  older: { from: string; ends: string[] | null } | null;
}

/** Amount revisions posted after $2: a document's amount as it stood at the countback's end. */
const REVISED_AFTER = `
rev_after AS (
  SELECT document_id AS id, sum(base_delta_minor)::int8 AS rev_base
    FROM document_revision WHERE company_id = $1 AND posting_date > $2 GROUP BY document_id)`;

const LAST_OF_MONTH = (date: string) => `(date_trunc('month', ${date}) + interval '1 month - 1 day')::date`;

/**
 * Credit sales (invoices and debit memos less credit memos, base currency, as revised by $2) per
 * customer and month (by its last day) in [lo, hi]. From the summaries of the month ends `ends`:
 * each month's sales as its snapshot summarized them (as revised by the month's end), plus amount
 * revisions posted after that month's end and by $2. Otherwise from the documents dated in the
 * range (needs REVISED_AFTER).
 */
function monthlySource(
  ends: string | null,
  lo: string,
  hi: string,
  customerFilter: (column: string) => string,
): string {
  const credit = "CASE WHEN d.doc_type = 'credit_memo' THEN -1 ELSE 1 END";
  if (ends === null)
    return `SELECT d.customer_id, ${LAST_OF_MONTH('d.document_date')} AS month_last,
                   ${credit} * (d.base_amount_minor - coalesce(r.rev_base, 0)) AS base
              FROM document d LEFT JOIN rev_after r ON r.id = d.document_id
             WHERE d.company_id = $1 AND d.document_date BETWEEN ${lo} AND ${hi} ${customerFilter('d.customer_id')}`;
  return `SELECT s.customer_id, s.as_of AS month_last, s.sales_base_minor AS base
            FROM collections_ar_snapshot_customer s
           WHERE s.company_id = $1 AND s.as_of = ANY (${ends}) AND s.sales_base_minor <> 0
             ${customerFilter('s.customer_id')}
          UNION ALL
          SELECT d.customer_id, ${LAST_OF_MONTH('d.document_date')}, ${credit} * r.base_delta_minor
            FROM document_revision r
            JOIN document d ON d.company_id = $1 AND d.document_id = r.document_id
           WHERE r.company_id = $1 AND r.posting_date > ${lo} AND r.posting_date <= $2 AND r.base_delta_minor <> 0
             AND d.document_date BETWEEN ${lo} AND ${hi}
             AND r.posting_date > ${LAST_OF_MONTH('d.document_date')}
             ${customerFilter('d.customer_id')}`;
}

/**
 * The walk over one stretch of months for the groups in `groups` (key, ar: what is left to
 * exhaust, sales: counted so far), one row per group in `<name>_pick`: with `hit`, the month that
 * exhausts the AR (the newest whose running sum reaches it with sales of its own), what is left of
 * the AR before it and its sales; without, the stretch's total sales. One sort, no anti-join: the
 * planner cannot estimate how many groups a stretch exhausts.
 */
function walkCtes(name: string, groups: string, monthly: string): string[] {
  const hit = 'coalesce(w.cum >= w.ar AND w.sales > 0, false)';
  return [
    `${name}_walk AS (
       SELECT a.key, a.ar, a.sales AS before, s.month_last, s.sales,
              sum(s.sales) OVER (PARTITION BY a.key ORDER BY s.month_last DESC) AS cum,
              sum(s.sales) OVER (PARTITION BY a.key) AS total
         FROM ${groups} a LEFT JOIN ${monthly} s ON s.key = a.key)`,
    `${name}_pick AS (
       SELECT DISTINCT ON (w.key) w.key, w.ar, w.before, ${hit} AS hit, w.month_last,
              w.ar - (w.cum - w.sales) AS remaining, w.sales, coalesce(w.total, 0) AS total
         FROM ${name}_walk w ORDER BY w.key, ${hit} DESC, w.month_last DESC)`,
    `${name}_left AS (
       SELECT key, ar - total AS ar, before + total AS sales FROM ${name}_pick WHERE NOT hit)`,
  ];
}

/**
 * The newest months side by side: one row per group with each month's sales (s0 the newest), and
 * `i` the month that exhausts the AR (the newest whose running sum reaches it with sales of its
 * own), null if none does. A hash aggregate, no sort: these months are read for every group.
 * The month ends and day counts are computed dates and numbers, written into the SQL as literals.
 */
function recentCtes(g: { key: string; joins: string }, source: string, months: PlannedMonth[]): string[] {
  const sums = months.map(
    (m, i) => `coalesce(sum(x.base) FILTER (WHERE x.month_last = '${m.end}'::date), 0)::int8 AS s${i}`,
  );
  return [
    `recent AS (SELECT ${g.key} AS key, ${sums.join(', ')} FROM (${source}) x ${g.joins} GROUP BY 1)`,
    `recent_sums AS (
       SELECT a.key, a.ar, ${months.map((_, i) => `coalesce(r.s${i}, 0) AS s${i}`).join(', ')}
         FROM ar a LEFT JOIN recent r ON r.key = a.key)`,
    `recent_pick AS (${pickSelect('recent_sums', months)})`,
    'recent_left AS (SELECT key, ar - total AS ar, total AS sales FROM recent_pick WHERE i IS NULL)',
  ];
}

/** From a source of (key, ar, s0…): the months' total and `i`, the month that exhausts the AR. */
function pickSelect(source: string, months: PlannedMonth[]): string {
  const cum = (i: number) =>
    months
      .slice(0, i + 1)
      .map((_, j) => `s${j}`)
      .join(' + ');
  return `SELECT key, ar, ${months.map((_, i) => `s${i}`).join(', ')}, ${cum(months.length - 1)} AS total,
                 CASE ${months.map((_, i) => `WHEN s${i} > 0 AND ${cum(i)} >= ar THEN ${i}`).join(' ')} END AS i
            FROM ${source}`;
}

/** The portfolio: every group's newest months summed (the groups without AR too), $par its AR. */
function portfolioCtes(ar: string, months: PlannedMonth[]): string[] {
  return [
    `portfolio_sums AS (
       SELECT NULL::text AS key, ${ar} AS ar, ${months.map((_, i) => `coalesce(sum(s${i}), 0)::int8 AS s${i}`).join(', ')}
         FROM recent)`,
    `portfolio_pick AS (${pickSelect('portfolio_sums', months)})`,
  ];
}

/** A pick row `h` that hits, as the document's row: [key, days before, remaining, sales, days]. */
function hitArray(months: PlannedMonth[]): string {
  const pick = (f: (m: PlannedMonth, i: number) => string) =>
    `CASE h.i ${months.map((m, i) => `WHEN ${i} THEN ${f(m, i)}`).join(' ')} END`;
  const before = (i: number) =>
    i === 0
      ? '0'
      : months
          .slice(0, i)
          .map((_, j) => `h.s${j}`)
          .join(' + ');
  return `json_build_array(h.key, ${pick((m) => String(m.daysBefore))}, h.ar - ${pick((_, i) => `(${before(i)})`)},
                           ${pick((_, i) => `h.s${i}`)}, ${pick((m) => String(m.days))})`;
}

/**
 * $1 company, $2 the period's end, $3 the first of the newest FIRST_MONTHS months; the rest as
 * `params` gives them. Grouped by customer the key is the customer id itself (no join, a uuid).
 */
function countbackSql(plan: CountbackPlan): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length + 3}::${cast}`;
  };
  const byCustomer = plan.by === 'customer';
  const g = byCustomer ? { ...groupSql('customer'), key: 'x.customer_id', joins: '' } : groupSql(plan.by);
  const recentEnds = plan.recent.summarized
    ? `ARRAY[${plan.recent.months.map((m) => `'${m.end}'`).join(', ')}]::date[]`
    : null;
  const ctes = [
    `ar AS (
       SELECT t.k AS key, t.a AS ar
         FROM json_to_recordset(${param(plan.groupsJson, 'json')}) AS t (k ${byCustomer ? 'uuid' : 'text'}, a int8))`,
    ...recentCtes(
      g,
      monthlySource(recentEnds, '$3::date', '$2::date', () => ''),
      plan.recent.months,
    ),
  ];
  const rows = [`SELECT ${hitArray(plan.recent.months)} AS r FROM recent_pick h WHERE h.i IS NOT NULL`];
  let left = 'recent_left';
  if (plan.older) {
    // Only the groups the newest months leave unexhausted; grouped by customer, only their rows.
    const only = (column: string) => (byCustomer ? `AND ${column} IN (SELECT key FROM recent_left)` : '');
    const ends = plan.older.ends && param(plan.older.ends, 'date[]');
    const source = monthlySource(ends, param(plan.older.from, 'date'), '($3::date - 1)', only);
    const where = byCustomer ? '' : `WHERE ${g.key} IN (SELECT key FROM recent_left)`;
    ctes.push(
      `older AS (
         SELECT ${g.key} AS key, x.month_last, sum(x.base)::int8 AS sales
           FROM (${source}) x ${g.joins} ${where} GROUP BY 1, 2)`,
      ...walkCtes('older', 'recent_left', 'older'),
    );
    rows.push(`SELECT json_build_array(h.key, $2::date - h.month_last, h.remaining, h.sales,
                                       h.month_last - date_trunc('month', h.month_last)::date + 1)
                 FROM older_pick h WHERE h.hit`);
    left = 'older_left';
  }
  if (!plan.recent.summarized || plan.older?.ends === null) ctes.unshift(REVISED_AFTER);
  rows.push(`SELECT json_build_array(l.key, NULL, l.ar, l.sales, NULL) FROM ${left} l`);
  let portfolio = '';
  if (plan.portfolioAr !== null) {
    ctes.push(...portfolioCtes(param(plan.portfolioAr, 'int8'), plan.recent.months));
    portfolio = `, (SELECT CASE WHEN h.i IS NULL THEN json_build_array(NULL, NULL, h.ar - h.total, h.total, NULL)
                            ELSE ${hitArray(plan.recent.months)} END
                       FROM portfolio_pick h) AS portfolio`;
  }
  const sql = `WITH ${g.recursive ? 'RECURSIVE ' : ''}${[...ctes, ...g.ctes].join(',\n')}
               SELECT (SELECT json_agg(r) FROM (${rows.join('\nUNION ALL\n')}) z) AS doc${portfolio}`;
  return { sql, params };
}
