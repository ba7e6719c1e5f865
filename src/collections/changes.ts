import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { assertIsoDate, daysBetween } from './core/dates.js';
import { invariant } from './core/errors.js';
import { withReportPlan } from './open-items.js';

/**
 * A closed month's open-item changes, day by day (table collections_ar_change, migration 0023).
 *
 * AR on a date inside a closed month used to be the snapshot before it plus every posting since,
 * rebuilt per document at report time: at 10M invoices half a month is ~200k applications and
 * ~400k new documents and receipts, about 4 s of joins. Here the close does that work once: for
 * every document and receipt line whose open amount (or due date) changed on a day of the month,
 * the signed change of that day, keyed as the aging buckets it (customer, currency, type, document
 * date, the due date in force that day), with the change in open items (+1 opened, −1 closed). AR
 * on day D of the month is then the previous month end's snapshot plus the rows of (S, D]: two
 * pivots, no per-document work.
 *
 * The arithmetic is the forward rebuild's (open-items.ts), taken apart by day. A document's open
 * amount on D is [dated by D] × (amount − revisions posted after D) − applications and adjustments
 * posted by D; so on day d it changes by:
 * - on its own date: its amount as revised by then;
 * - on a later day: that day's amount revisions;
 * - on every day: less that day's applications (as the invoice, or cash out of a credit memo) and
 *   adjustments.
 * A receipt's unapplied cash on D is [received by D] × amount − the cash that left it by D, its
 * on-account credit the cash put on account by D: each changes by that day's share. A due date
 * revised on day d moves the whole open amount from the old key to the new one that day.
 */

/** The longest gap between two snapshots a change log is kept for: a month. */
const MAX_LOG_DAYS = 31;

export interface ArChanges {
  from: string;
  to: string;
  rows: number;
}

/**
 * Keeps the change log of (S, `asOf`], S being the valid AR snapshot before `asOf` (which must
 * have a valid snapshot too): rows replaced, the head of `asOf` marked. None when there is no
 * snapshot S within a month before (the first closed month: reports rebuild it from the history).
 */
export async function keepArChanges(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
): Promise<ArChanges | null> {
  const to = assertIsoDate(asOf, 'the change log date');
  const { rows } = await client.query<{ from: string | null; head: boolean }>(
    `SELECT (SELECT max(as_of)::text FROM collections_ar_snapshot WHERE company_id = $1 AND as_of < $2) AS from,
            EXISTS (SELECT 1 FROM collections_ar_snapshot WHERE company_id = $1 AND as_of = $2) AS head`,
    [ctx.companyId, to],
  );
  const from = rows[0]?.from ?? null;
  if (!rows[0]?.head || from === null || daysBetween(from, to) > MAX_LOG_DAYS) return null;
  const params = [ctx.companyId, from, to] as const;
  await client.query(
    'DELETE FROM collections_ar_change WHERE company_id = $1 AND change_date > $2 AND change_date <= $3',
    params,
  );
  const inserted = await insertChanges(client, params);
  await client.query(
    'UPDATE collections_ar_snapshot SET changes_from = $2 WHERE company_id = $1 AND as_of = $3',
    params,
  );
  return { from, to, rows: inserted };
}

/** Inserts the change rows of ($2, $3] for company $1 from the snapshot of $2: how many. */
async function insertChanges(client: SqlClient, params: readonly [string, string, string]): Promise<number> {
  const from = params[1];
  const inserted = await withReportPlan(client, { strategy: 'snapshot', snapshot: from }, () =>
    client.query(
      `INSERT INTO collections_ar_change (company_id, change_date, item_id, customer_id, currency, doc_type,
         document_date, due_date, minor, base_minor, items)
       WITH ${CHANGE_CTES}
       SELECT $1, day, id, customer_id, currency, doc_type, document_date, due, m, b, n
         FROM change_row WHERE m <> 0 OR b <> 0 OR n <> 0
        ORDER BY day, customer_id, currency`,
      params,
    ),
  );
  return inserted.rowCount ?? 0;
}

/**
 * Asserts the caller's transaction reads one snapshot throughout (REPEATABLE READ or stricter): a
 * refresh that reads the ledger and clears the marks of what it read needs it (`what` says which).
 */
export async function assertRepeatableRead(client: SqlClient, what: string): Promise<void> {
  const { rows } = await client.query<{ isolation: string }>(
    "SELECT current_setting('transaction_isolation') AS isolation",
  );
  const isolation = rows[0]?.isolation;
  invariant(
    isolation === 'repeatable read' || isolation === 'serializable',
    'internal',
    `${what} in a REPEATABLE READ transaction`,
  );
}

/** The longest stretch after the latest snapshot the open log is kept for: two months not closed. */
const MAX_OPEN_LOG_DAYS = 62;

/** The open stretch's log (collections_ar_change_open): every change of (from, to]. */
export interface OpenChanges {
  from: string;
  to: string;
  rows: number;
}

/**
 * Keeps the change log of the stretch still open, (S, `through`], S being the latest AR snapshot:
 * run nightly with yesterday, so that aging on a day of the open month reads the latest snapshot
 * and the log as it does inside a closed month. Returns null, and keeps no log, when there is no
 * snapshot within MAX_OPEN_LOG_DAYS before `through` or `through` is not after it.
 *
 * Postings keep arriving in the open stretch, back-dated too, so the log is valid only up to the
 * day before the earliest history mark a refresh has not cleared (migration 0024). That needs the
 * history read and the marks deleted in one snapshot: the transaction must be REPEATABLE READ. The
 * work is the close's (about 22 s for a month at 10M invoices), hence nightly and not per report.
 */
export async function refreshOpenChanges(
  client: SqlClient,
  ctx: CompanyContext,
  through: string,
): Promise<OpenChanges | null> {
  const to = assertIsoDate(through, 'the change log date');
  await assertRepeatableRead(client, 'the open change log must be refreshed');
  const { rows } = await client.query<{ from: string | null }>(
    'SELECT max(as_of)::text AS from FROM collections_ar_snapshot WHERE company_id = $1',
    [ctx.companyId],
  );
  const from = rows[0]?.from ?? null;
  const company = [ctx.companyId];
  await client.query('DELETE FROM collections_ar_history_mark WHERE company_id = $1', company);
  if (from === null || to <= from || daysBetween(from, to) > MAX_OPEN_LOG_DAYS) {
    await client.query('DELETE FROM collections_ar_change_open WHERE company_id = $1', company);
    return null;
  }
  const params = [ctx.companyId, from, to] as const;
  // Everything after S: the previous refresh's rows, and those of any snapshot since dropped.
  await client.query('DELETE FROM collections_ar_change WHERE company_id = $1 AND change_date > $2', [
    ctx.companyId,
    from,
  ]);
  const inserted = await insertChanges(client, params);
  await client.query(
    `INSERT INTO collections_ar_change_open (company_id, changes_from, changes_to, rows) VALUES ($1, $2, $3, $4)
     ON CONFLICT (company_id) DO UPDATE
       SET changes_from = EXCLUDED.changes_from, changes_to = EXCLUDED.changes_to, rows = EXCLUDED.rows,
           refreshed_at = now()`,
    [...params, inserted],
  );
  return { from, to, rows: inserted };
}

/**
 * The snapshot a change log starts from that covers `asOf`: a closed month's (strictly inside it:
 * its ends are snapshots) or else the open stretch's, when `asOf` is after the latest snapshot,
 * within the refreshed stretch and before every history mark left (see refreshOpenChanges).
 */
export async function changeLogCovering(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
): Promise<string | null> {
  const { rows } = await client.query<{ s: string }>(
    `SELECT s FROM (
       SELECT h.changes_from::text AS s, 1 AS o FROM collections_ar_snapshot h
        WHERE h.company_id = $1 AND h.changes_from < $2 AND h.as_of > $2
          AND EXISTS (SELECT 1 FROM collections_ar_snapshot p WHERE p.company_id = $1 AND p.as_of = h.changes_from)
       UNION ALL
       SELECT o.changes_from::text, 2 FROM collections_ar_change_open o
        WHERE o.company_id = $1 AND o.changes_from < $2 AND o.changes_to >= $2
          AND EXISTS (SELECT 1 FROM collections_ar_snapshot p WHERE p.company_id = $1 AND p.as_of = o.changes_from)
          AND NOT EXISTS (SELECT 1 FROM collections_ar_snapshot p
                           WHERE p.company_id = $1 AND p.as_of > o.changes_from AND p.as_of <= $2)
          AND NOT EXISTS (SELECT 1 FROM collections_ar_history_mark m WHERE m.company_id = $1 AND m.from_date <= $2)
     ) x ORDER BY o, s LIMIT 1`,
    [ctx.companyId, asOf],
  );
  return rows[0]?.s ?? null;
}

/** The snapshot dates with a snapshot within a month before them and no change log yet. */
export async function snapshotsWithoutChanges(client: SqlClient, ctx: CompanyContext): Promise<string[]> {
  const { rows } = await client.query<{ as_of: string }>(
    `SELECT h.as_of::text FROM collections_ar_snapshot h
      WHERE h.company_id = $1 AND h.changes_from IS NULL
        AND EXISTS (SELECT 1 FROM collections_ar_snapshot p
                     WHERE p.company_id = $1 AND p.as_of < h.as_of AND p.as_of >= h.as_of - $2::int)
      ORDER BY h.as_of`,
    [ctx.companyId, MAX_LOG_DAYS],
  );
  return rows.map((r) => r.as_of);
}

const nonZero = (m: string, b: string) => `(CASE WHEN ${m} <> 0 OR ${b} <> 0 THEN 1 ELSE 0 END)`;

/**
 * The CTEs ending in `change_row` (day, id, customer_id, currency, doc_type, document_date, due,
 * m, b, n): $1 the company, $2 the snapshot date S, $3 the month end. m and b are signed as
 * open_item signs them (credit memos and cash negative).
 */
const CHANGE_CTES = `
app_m AS MATERIALIZED (
  SELECT kind, posting_date, document_id, credit_document_id, receipt_id, applied_minor, cash_minor,
         document_base_minor, source_base_minor
    FROM application WHERE company_id = $1 AND posting_date > $2 AND posting_date <= $3),
-- Every revision posted after S: the amount ones of the month, and the due-date ones that say which
-- due date was in force on a day (the earliest revision after it holds the old one).
rev_m AS MATERIALIZED (
  SELECT r.document_id, r.posting_date, r.created_at, r.revision_id, r.amount_delta_minor, r.base_delta_minor,
         r.changes -> 'due_date' AS due_change, d.document_date
    FROM document_revision r JOIN document d ON d.company_id = $1 AND d.document_id = r.document_id
   WHERE r.company_id = $1 AND r.posting_date > $2),
rev_after_date AS (
  SELECT document_id, sum(amount_delta_minor)::int8 AS m, sum(base_delta_minor)::int8 AS b
    FROM rev_m WHERE posting_date > document_date GROUP BY document_id),
doc_ev AS (
  SELECT document_id AS id, posting_date AS day, -applied_minor AS dm, -document_base_minor AS db
    FROM app_m WHERE document_id IS NOT NULL
  UNION ALL
  SELECT credit_document_id, posting_date, -cash_minor, -source_base_minor FROM app_m WHERE credit_document_id IS NOT NULL
  UNION ALL
  SELECT document_id, posting_date, -amount_minor, -base_amount_minor
    FROM adjustment WHERE company_id = $1 AND posting_date > $2 AND posting_date <= $3
  UNION ALL
  SELECT document_id, posting_date, amount_delta_minor, base_delta_minor
    FROM rev_m WHERE posting_date <= $3 AND posting_date > document_date
  UNION ALL
  SELECT document_id, posting_date, 0, 0 FROM rev_m WHERE posting_date <= $3 AND due_change IS NOT NULL
  UNION ALL
  SELECT d.document_id, d.document_date, d.amount_minor - coalesce(a.m, 0), d.base_amount_minor - coalesce(a.b, 0)
    FROM document d LEFT JOIN rev_after_date a ON a.document_id = d.document_id
   WHERE d.company_id = $1 AND d.document_date > $2 AND d.document_date <= $3),
doc_day AS (
  SELECT id, day, sum(dm)::int8 AS dm, sum(db)::int8 AS db FROM doc_ev GROUP BY id, day),
-- Each due-date revision's old date was in force on the days from the revision before it (or
-- always) up to the day before its own: disjoint ranges, so a day finds at most one.
due_span AS (
  SELECT document_id, (due_change ->> 0)::date AS old_due, posting_date AS until_date,
         lag(posting_date) OVER (PARTITION BY document_id ORDER BY posting_date, created_at, revision_id) AS since_date
    FROM rev_m WHERE due_change IS NOT NULL),
doc_run AS (
  SELECT x.id, x.day, x.dm, x.db, d.customer_id, d.currency, d.doc_type, d.document_date,
         coalesce(u.old_due, d.due_date) AS due,
         coalesce(s.open_minor, 0) + sum(x.dm) OVER w AS om,
         coalesce(s.open_base_minor, 0) + sum(x.db) OVER w AS ob,
         s.due_date AS start_due
    FROM doc_day x
    JOIN document d ON d.company_id = $1 AND d.document_id = x.id
    LEFT JOIN due_span u ON u.document_id = x.id AND x.day < u.until_date
                        AND (u.since_date IS NULL OR x.day >= u.since_date)
    LEFT JOIN collections_ar_snapshot_document s ON s.company_id = $1 AND s.as_of = $2 AND s.document_id = x.id
  WINDOW w AS (PARTITION BY x.id ORDER BY x.day)),
doc_step AS (
  SELECT r.*, r.om - r.dm AS pm, r.ob - r.db AS pb,
         coalesce(lag(r.due) OVER (PARTITION BY r.id ORDER BY r.day), r.start_due, r.due) AS pdue
    FROM doc_run r),
doc_row AS (
  -- The key did not move (or nothing was open before): the day's change.
  SELECT day, id, customer_id, currency, doc_type, document_date, due, dm AS m, db AS b,
         ${nonZero('om', 'ob')} - ${nonZero('pm', 'pb')} AS n
    FROM doc_step WHERE due = pdue OR (pm = 0 AND pb = 0)
  UNION ALL
  -- The due date moved: what was open leaves the old key, what is open now arrives at the new.
  SELECT day, id, customer_id, currency, doc_type, document_date, pdue, -pm, -pb, -1
    FROM doc_step WHERE due <> pdue AND (pm <> 0 OR pb <> 0)
  UNION ALL
  SELECT day, id, customer_id, currency, doc_type, document_date, due, om, ob, ${nonZero('om', 'ob')}
    FROM doc_step WHERE due <> pdue AND (pm <> 0 OR pb <> 0)),
rcp_ev AS (
  SELECT receipt_id AS id, receipt_date AS day, amount_minor AS du, base_amount_minor AS dub, 0::int8 AS doa,
         0::int8 AS doab
    FROM receipt WHERE company_id = $1 AND receipt_date > $2 AND receipt_date <= $3
  UNION ALL
  SELECT receipt_id, posting_date, -cash_minor, -source_base_minor,
         CASE WHEN kind = 'on_account' THEN cash_minor ELSE 0 END,
         CASE WHEN kind = 'on_account' THEN source_base_minor ELSE 0 END
    FROM app_m WHERE receipt_id IS NOT NULL),
rcp_day AS (
  SELECT id, day, sum(du)::int8 AS du, sum(dub)::int8 AS dub, sum(doa)::int8 AS doa, sum(doab)::int8 AS doab
    FROM rcp_ev GROUP BY id, day),
rcp_run AS (
  SELECT x.id, x.day, x.du, x.dub, x.doa, x.doab, r.customer_id, r.currency, r.receipt_date,
         coalesce(s.unapplied_minor, 0) + sum(x.du) OVER w AS u,
         coalesce(s.unapplied_base_minor, 0) + sum(x.dub) OVER w AS ub,
         coalesce(s.on_account_minor, 0) + sum(x.doa) OVER w AS oa,
         coalesce(s.on_account_base_minor, 0) + sum(x.doab) OVER w AS oab
    FROM rcp_day x
    JOIN receipt r ON r.company_id = $1 AND r.receipt_id = x.id
    LEFT JOIN collections_ar_snapshot_receipt s ON s.company_id = $1 AND s.as_of = $2 AND s.receipt_id = x.id
  WINDOW w AS (PARTITION BY x.id ORDER BY x.day)),
change_row AS (
  SELECT day, id, customer_id, currency, doc_type, document_date, due,
         CASE WHEN doc_type = 'credit_memo' THEN -m ELSE m END AS m,
         CASE WHEN doc_type = 'credit_memo' THEN -b ELSE b END AS b, n
    FROM doc_row
  UNION ALL
  SELECT day, id, customer_id, currency, 'unapplied_cash', receipt_date, NULL::date, -du, -dub,
         ${nonZero('u', 'ub')} - ${nonZero('u - du', 'ub - dub')}
    FROM rcp_run
  UNION ALL
  SELECT day, id, customer_id, currency, 'on_account', receipt_date, NULL::date, -doa, -doab,
         ${nonZero('oa', 'oab')} - ${nonZero('oa - doa', 'oab - doab')}
    FROM rcp_run)`;
