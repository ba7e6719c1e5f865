import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { daysInPeriod, monthEnd, monthsBack } from './core/dates.js';
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
const FIRST_MONTHS = 4;

/** [key, days before the exhausting month or null, remaining AR, that month's or all months' sales, its days]. */
type CountbackRow = [string, number | null, number, number, number | null];

export async function countbacks(
  client: SqlClient,
  ctx: CompanyContext,
  by: GroupBy,
  to: string,
  arEnd: ReadonlyMap<string | null, number>,
  maxMonths: number,
): Promise<Map<string | null, number | null>> {
  const result = new Map<string | null, number | null>();
  const keys: string[] = [];
  const arMinor: number[] = [];
  for (const [key, ar] of arEnd) {
    if (ar <= 0) result.set(key, 0);
    // Unidentified cash (key null) has no sales of its own to count back over.
    else if (key === null) result.set(key, null);
    else {
      keys.push(key);
      arMinor.push(ar);
    }
  }
  if (keys.length === 0) return result;
  const firstMonths = Math.min(FIRST_MONTHS, maxMonths);
  const recentFrom = monthsBack(to, firstMonths - 1);
  const windowFrom = monthsBack(to, maxMonths - 1);
  const older = maxMonths > firstMonths;
  const summarized = await summarizedMonths(client, ctx, to, recentFrom, windowFrom);
  const params: unknown[] = [ctx.companyId, to, recentFrom, keys, arMinor];
  if (older) params.push(windowFrom);
  const { rows } = await client.query<{ doc: CountbackRow[] | null }>(
    countbackSql(by, summarized.recent, older ? summarized.older : null),
    params,
  );
  const windowDays = daysInPeriod(windowFrom, to);
  for (const [key, daysBefore, remainingMinor, salesMinor, monthDays] of rows[0]?.doc ?? []) {
    result.set(
      key,
      daysBefore === null
        ? countbackBeyond(windowDays, salesMinor, remainingMinor)
        : countbackWithin(daysBefore, remainingMinor, salesMinor, monthDays!),
    );
  }
  return result;
}

/**
 * Whether the months [$3, $2] and [windowFrom, $3) each have a summarized snapshot at every month
 * end (months ending before the company's first document have no sales and need none). Only a
 * countback ending on a month end can read summaries.
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

/** Amount revisions posted after $2: a document's amount as it stood at the countback's end. */
const REVISED_AFTER = `
rev_after AS (
  SELECT document_id AS id, sum(base_delta_minor)::int8 AS rev_base
    FROM document_revision WHERE company_id = $1 AND posting_date > $2 GROUP BY document_id)`;

/**
 * Credit sales (invoices and debit memos less credit memos, base currency, as revised by $2) per
 * customer and month in [lo, hi]. From the summaries: each month's sales as its snapshot summarized
 * them (as revised by the month's end), plus amount revisions posted after that month's end and by
 * $2. Otherwise from the documents dated in the range (needs REVISED_AFTER).
 */
function monthlySource(
  summarized: boolean,
  lo: string,
  hi: string,
  customerFilter: (column: string) => string,
): string {
  const credit = "CASE WHEN d.doc_type = 'credit_memo' THEN -1 ELSE 1 END";
  if (!summarized)
    return `SELECT d.customer_id, date_trunc('month', d.document_date)::date AS month,
                   ${credit} * (d.base_amount_minor - coalesce(r.rev_base, 0)) AS base
              FROM document d LEFT JOIN rev_after r ON r.id = d.document_id
             WHERE d.company_id = $1 AND d.document_date BETWEEN ${lo} AND ${hi} ${customerFilter('d.customer_id')}`;
  return `SELECT s.customer_id, date_trunc('month', s.as_of)::date AS month, s.sales_base_minor AS base
            FROM collections_ar_snapshot_customer s
           WHERE s.company_id = $1 AND s.as_of BETWEEN ${lo} AND ${hi} AND s.sales_base_minor <> 0
             AND s.as_of = (date_trunc('month', s.as_of) + interval '1 month - 1 day')::date
             ${customerFilter('s.customer_id')}
          UNION ALL
          SELECT d.customer_id, date_trunc('month', d.document_date)::date, ${credit} * r.base_delta_minor
            FROM document_revision r
            JOIN document d ON d.company_id = $1 AND d.document_id = r.document_id
           WHERE r.company_id = $1 AND r.posting_date > ${lo} AND r.posting_date <= $2 AND r.base_delta_minor <> 0
             AND d.document_date BETWEEN ${lo} AND ${hi}
             AND r.posting_date > (date_trunc('month', d.document_date) + interval '1 month - 1 day')::date
             ${customerFilter('d.customer_id')}`;
}

/**
 * The walk over one stretch of months for the groups in `groups` (key, ar: what is left to
 * exhaust): `<name>_hit` has the exhausting month per group, `<name>_left` what is left of the
 * groups it does not exhaust, with the stretch's sales added to theirs (`sales` of `groups`).
 */
function walkCtes(name: string, groups: string, monthly: string): string[] {
  return [
    `${name}_walk AS (
       SELECT a.key, a.ar, s.month, s.sales,
              sum(s.sales) OVER (PARTITION BY a.key ORDER BY s.month DESC) AS cum
         FROM ${groups} a JOIN ${monthly} s ON s.key = a.key)`,
    `${name}_hit AS (
       SELECT DISTINCT ON (key) key, month, ar - (cum - sales) AS remaining, sales
         FROM ${name}_walk WHERE cum >= ar AND sales > 0 ORDER BY key, month DESC)`,
    `${name}_left AS (
       SELECT a.key, a.ar - coalesce(t.sales, 0) AS ar, a.sales + coalesce(t.sales, 0) AS sales
         FROM ${groups} a
         LEFT JOIN (SELECT key, sum(sales) AS sales FROM ${monthly} GROUP BY key) t ON t.key = a.key
        WHERE NOT EXISTS (SELECT 1 FROM ${name}_hit h WHERE h.key = a.key))`,
  ];
}

/**
 * $1 company, $2 the period's end, $3 the first of the newest FIRST_MONTHS months, $4 the groups'
 * keys, $5 their AR (positive), $6 the first month of the window (with `older` only).
 */
function countbackSql(by: GroupBy, recentSummarized: boolean, olderSummarized: boolean | null): string {
  const g = groupSql(by);
  const monthly = (source: string, where: string) => `
    SELECT ${g.key} AS key, x.month, sum(x.base)::int8 AS sales
      FROM (${source}) x ${g.joins} ${where} GROUP BY 1, 2`;
  const ctes = [
    ...(!recentSummarized || olderSummarized === false ? [REVISED_AFTER] : []),
    `ar AS (SELECT t.key, t.ar, 0::numeric AS sales FROM unnest($4::text[], $5::int8[]) AS t (key, ar))`,
    `recent AS (${monthly(
      monthlySource(recentSummarized, '$3::date', '$2::date', () => ''),
      '',
    )})`,
    ...walkCtes('recent', 'ar', 'recent'),
  ];
  const hits = ['recent_hit'];
  let left = 'recent_left';
  if (olderSummarized !== null) {
    // Only the groups the newest months leave unexhausted; grouped by customer, only their rows.
    const only = (column: string) =>
      by === 'customer' ? `AND ${column} IN (SELECT key::uuid FROM recent_left)` : '';
    const source = monthlySource(olderSummarized, '$6::date', '($3::date - 1)', only);
    const where = by === 'customer' ? '' : `WHERE ${g.key} IN (SELECT key FROM recent_left)`;
    ctes.push(`older AS (${monthly(source, where)})`, ...walkCtes('older', 'recent_left', 'older'));
    hits.push('older_hit');
    left = 'older_left';
  }
  const monthLast = "least($2::date, (h.month + interval '1 month - 1 day')::date)";
  const rows = [
    ...hits.map(
      (hit) => `SELECT json_build_array(h.key, $2::date - ${monthLast}, h.remaining, h.sales,
                                        ${monthLast} - h.month + 1) AS r FROM ${hit} h`,
    ),
    `SELECT json_build_array(l.key, NULL, l.ar, l.sales, NULL) FROM ${left} l`,
  ];
  return `WITH ${g.recursive ? 'RECURSIVE ' : ''}${[...ctes, ...g.ctes].join(',\n')}
          SELECT json_agg(r) AS doc FROM (${rows.join('\nUNION ALL\n')}) z`;
}
