import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { type ArChanges, keepArChanges, snapshotsWithoutChanges } from './changes.js';
import { assertIsoDate } from './core/dates.js';
import { keepCountbacks } from './countback.js';
import { summarizeArSnapshot } from './metrics.js';
import { chooseRebuild, DUE_AS_OF_CTE, openAmountCtes, withReportPlan } from './open-items.js';

/**
 * AR snapshots: every open document's and receipt's open amounts at the end of a date, so that AR
 * on a later date is the snapshot plus what was posted after it (the `snapshot` rebuild in
 * open-items.ts) instead of the whole history before or after the date.
 *
 * They are taken at the ends of closed periods, where nothing can post any more: closing a month
 * (`openar period close`) takes its snapshot, and `snapshotClosedPeriods` fills in any closed month
 * without one. A snapshot is a cache, never the truth: its rows equal what the forward rebuild
 * gives for that date, and if anything is later inserted into the history on or before its date
 * (a period reopened and posted into, a back-dated revision) the database drops it (the triggers of
 * migration 0015), so the reports fall back to rebuilding from the history until it is taken again.
 */

export interface ArSnapshot {
  asOf: string;
  documents: number;
  receipts: number;
  /** The month's change log (see changes.ts), or null when there is no snapshot a month before. */
  changes: ArChanges | null;
}

/**
 * Takes (or takes again) the AR snapshot at the end of `asOf`, itself rebuilt the cheapest way:
 * usually from the previous month's snapshot and one month of postings. Set-based: two INSERT …
 * SELECT statements.
 */
export async function takeArSnapshot(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
): Promise<ArSnapshot> {
  const date = assertIsoDate(asOf, 'the snapshot date');
  const params = [ctx.companyId, date];
  // Dropped first, so the rebuild below starts from an earlier snapshot (or the history), never this one.
  await client.query('DELETE FROM collections_ar_snapshot WHERE company_id = $1 AND as_of = $2', params);
  await client.query(
    'DELETE FROM collections_ar_snapshot_document WHERE company_id = $1 AND as_of = $2',
    params,
  );
  await client.query(
    'DELETE FROM collections_ar_snapshot_receipt WHERE company_id = $1 AND as_of = $2',
    params,
  );
  const from = await chooseRebuild(client, ctx, date);
  const ctes = `WITH ${openAmountCtes(from)}, ${DUE_AS_OF_CTE.trim()}`;
  const docs = await withReportPlan(client, from, () =>
    client.query(
      `INSERT INTO collections_ar_snapshot_document (company_id, as_of, document_id, customer_id, currency, doc_type,
       document_date, due_date, open_minor, open_base_minor)
     ${ctes}
     SELECT $1, $2, o.document_id, o.customer_id, o.currency, o.doc_type, o.document_date,
            coalesce(f.due_date, o.due_date), o.open_minor, o.open_base
       FROM doc_open o LEFT JOIN due_as_of f ON f.document_id = o.document_id
      WHERE o.open_minor <> 0 OR o.open_base <> 0
      ORDER BY o.document_id`,
      params,
    ),
  );
  const receipts = await withReportPlan(client, from, () =>
    client.query(
      `INSERT INTO collections_ar_snapshot_receipt (company_id, as_of, receipt_id, unapplied_minor, unapplied_base_minor,
       on_account_minor, on_account_base_minor, customer_id, currency, receipt_date)
     ${ctes}
     SELECT $1, $2, r.receipt_id, r.unapplied, r.unapplied_base, r.on_account, r.on_account_base, r.customer_id,
            r.currency, r.receipt_date
       FROM rcp_open r
      WHERE r.unapplied <> 0 OR r.unapplied_base <> 0 OR r.on_account <> 0 OR r.on_account_base <> 0
      ORDER BY r.receipt_id`,
      params,
    ),
  );
  const counts = { documents: docs.rowCount ?? 0, receipts: receipts.rowCount ?? 0 };
  await client.query(
    'INSERT INTO collections_ar_snapshot (company_id, as_of, documents, receipts) VALUES ($1, $2, $3, $4)',
    [ctx.companyId, date, counts.documents, counts.receipts],
  );
  // A new snapshot ends the open stretch's log (refreshOpenChanges starts the next from the latest
  // snapshot), and with it the marks that only that log needs: they stay bounded by a month.
  await client.query('DELETE FROM collections_ar_change_open WHERE company_id = $1', [ctx.companyId]);
  await client.query('DELETE FROM collections_ar_history_mark WHERE company_id = $1', [ctx.companyId]);
  await summarizeArSnapshot(client, ctx, date);
  return { asOf: date, ...counts, changes: await keepArChanges(client, ctx, date) };
}

/**
 * Takes the snapshot of every closed period's last day that has none, oldest first (each from the
 * one before), and the per-customer summary of any snapshot without one. A month counts only when every month from the company's first posting to it is
 * closed: an open month before it could still take postings dated before its end.
 */
export async function snapshotClosedPeriods(client: SqlClient, ctx: CompanyContext): Promise<ArSnapshot[]> {
  const { rows } = await client.query<{ end_date: string }>(
    `WITH first AS (SELECT min(posting_date) AS d FROM journal_entry WHERE company_id = $1),
          months AS (
            SELECT m::date AS start_date
              FROM first, generate_series(date_trunc('month', first.d), date_trunc('month', now()), interval '1 month') m),
          status AS (
            SELECT m.start_date, p.end_date, coalesce(p.status, 'open') AS status,
                   bool_and(coalesce(p.status, 'open') = 'closed') OVER (ORDER BY m.start_date) AS closed_so_far
              FROM months m LEFT JOIN fiscal_period p ON p.company_id = $1 AND p.start_date = m.start_date)
     SELECT s.end_date::text FROM status s
      WHERE s.closed_so_far
        AND NOT EXISTS (SELECT 1 FROM collections_ar_snapshot a WHERE a.company_id = $1 AND a.as_of = s.end_date)
      ORDER BY s.start_date`,
    [ctx.companyId],
  );
  const taken: ArSnapshot[] = [];
  for (const r of rows) taken.push(await takeArSnapshot(client, ctx, r.end_date));
  // Snapshots taken before the summaries existed (migration 0016) get theirs.
  const { rows: bare } = await client.query<{ as_of: string }>(
    'SELECT as_of::text FROM collections_ar_snapshot WHERE company_id = $1 AND NOT summarized ORDER BY as_of',
    [ctx.companyId],
  );
  for (const r of bare) await summarizeArSnapshot(client, ctx, r.as_of);
  // Summaries taken before the countbacks were kept (migration 0021) get them.
  const { rows: uncounted } = await client.query<{ as_of: string }>(
    `SELECT as_of::text FROM collections_ar_snapshot
      WHERE company_id = $1 AND summarized AND countback_months IS NULL ORDER BY as_of`,
    [ctx.companyId],
  );
  for (const r of uncounted) await keepCountbacks(client, ctx, r.as_of);
  // Snapshots taken before the change logs existed (migration 0023) get theirs.
  for (const asOf of await snapshotsWithoutChanges(client, ctx)) await keepArChanges(client, ctx, asOf);
  return taken;
}
