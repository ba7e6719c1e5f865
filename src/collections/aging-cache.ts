import { disputedDocumentCte } from '../disputes/holds.js';
import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { assertRepeatableRead } from './changes.js';
import type { AgingGroupPivot } from './core/aging.js';
import type { AgingBasis } from './core/buckets.js';
import { assertIsoDate } from './core/dates.js';
import { invariant } from './core/errors.js';
import { aheadCte } from './open-items.js';

/**
 * Today's aging, kept (migrations 0025, 0026). The summary of a hundred thousand customers is
 * mostly the same from one report to the next; recomputing it reads every open item, sorts the
 * groups and packs their numbers (1.2–1.5 s at 10M invoices). The nightly refresh stores the
 * summary by customer as of the day (aging.ts, refreshAgingToday) twice: in report order, as JSON
 * batches a report by customer reads as they are (and one by parent rolls up in Node); and per
 * customer and currency, the pivot a report by collector or currency sums in SQL (the hierarchy,
 * collectors and names read as they stand). A report of that day recomputes only the customers
 * whose figures may have moved since:
 *
 * - those a statement marked in `collections_aging_dirty` (a document or receipt inserted or
 *   changed in what the aging reads, a customer renumbered or renamed; null: cash of no customer);
 * - those with a disputed amount when the batches were built or now (a dispute changes no
 *   document, and the disputed part rides in the batches).
 *
 * The marks are written in the posting's own transaction, and a build reads the ledger and deletes
 * the marks in one REPEATABLE READ snapshot: a mark the build did not see belongs to a posting it
 * did not see, so it stays for readers. The marks have no key, so concurrent postings never wait
 * on one another; the same customer may be listed many times until the next build.
 */

/** The bucket settings a cache was built with: a report with others computes its own. */
export interface AgingCacheSpec {
  asOf: string;
  thresholds: readonly number[];
  basis: AgingBasis;
  agedCredits: boolean;
}

/** What a report of the cached day recomputes. */
export interface AgingCachePatch {
  /** Customers whose cached groups are replaced. */
  customerIds: string[];
  /** Whether the group of cash of no customer is replaced too. */
  noCustomer: boolean;
  /** Whether the company has any dispute case (the report says so). */
  hasDisputes: boolean;
  /** Groups in the cache. */
  groups: number;
  /** When the cache was built: its batches are read only if they are still that build's. */
  builtAt: string;
}

/** A batch of the cache: its groups as aging.ts built them (BatchForm `pivots`), as JSON text. */
interface CachedBatch {
  groups: string;
}

/**
 * The cache is not worth reading when more than one customer in this many is recomputed (and more
 * than PATCHED_ANYWAY): the recomputation probes the open items customer by customer.
 */
const MAX_PATCHED_SHARE = 4;
/** So many customers are recomputed in well under a tenth of a second, whatever the share. */
const PATCHED_ANYWAY = 1000;
/**
 * Beyond so many rows of what was dated or posted after the cached day (see aheadCte), the day is
 * too far back for the cache: the rows are not read further (a few tens of milliseconds at most).
 */
const MAX_AHEAD_ROWS = 50_000;

/** Whether a report recomputing `customers` of `groups` is still worth reading from the cache. */
export const patchWorthIt = (customers: number, groups: number): boolean =>
  customers <= PATCHED_ANYWAY || customers * MAX_PATCHED_SHARE <= groups;

/**
 * What to recompute to report `spec` from the cache, or null when the cache does not serve it
 * (none, another day or other buckets, or too much has moved since). Besides the marked and the
 * disputed customers, those with postings dated after the day (see aheadCte): the cache holds
 * their balances as they stood when it was built, which need not be the day's.
 */
export async function agingCachePatch(
  client: SqlClient,
  ctx: CompanyContext,
  spec: AgingCacheSpec,
): Promise<AgingCachePatch | null> {
  const asOf = assertIsoDate(spec.asOf, 'the as-of date');
  const { rows } = await client.query<{
    groups: number;
    ids: string[];
    no_customer: boolean;
    too_far: boolean;
    has_disputes: boolean;
    built_at: string;
  }>(
    `WITH ${disputedDocumentCte('$1', '$2')},${aheadCte('$6')}
     SELECT h.groups, h.built_at::text AS built_at,
            ARRAY(SELECT customer_id::text FROM collections_aging_dirty
                   WHERE company_id = $1 AND customer_id IS NOT NULL
                  UNION SELECT unnest(h.disputed_customers)::text
                  UNION SELECT d.customer_id::text FROM disputed_doc dd
                          JOIN document d ON d.company_id = $1 AND d.document_id = dd.document_id
                  UNION SELECT customer_id::text FROM ahead WHERE customer_id IS NOT NULL) AS ids,
            EXISTS (SELECT 1 FROM collections_aging_dirty WHERE company_id = $1 AND customer_id IS NULL)
              OR EXISTS (SELECT 1 FROM ahead WHERE customer_id IS NULL) AS no_customer,
            (SELECT count(*) FROM ahead) >= $6 AS too_far,
            EXISTS (SELECT 1 FROM dispute_case WHERE company_id = $1) AS has_disputes
       FROM collections_aging_today h
      WHERE h.company_id = $1 AND h.as_of = $2::date AND h.thresholds = $3::int4[] AND h.basis = $4
        AND h.aged_credits = $5`,
    [ctx.companyId, asOf, spec.thresholds, spec.basis, spec.agedCredits, MAX_AHEAD_ROWS],
  );
  const row = rows[0];
  if (row === undefined || row.too_far) return null;
  if (!patchWorthIt(row.ids.length, row.groups)) return null;
  return {
    customerIds: row.ids,
    noCustomer: row.no_customer,
    hasDisputes: row.has_disputes,
    groups: row.groups,
    builtAt: row.built_at,
  };
}

/**
 * The customers with postings dated after `asOf` (see aheadCte), and whether cash of no customer
 * has some; null when there are too many rows to read (the day is too far back to keep).
 */
export async function aheadCustomers(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
): Promise<{ ids: string[]; noCustomer: boolean } | null> {
  const { rows } = await client.query<{ ids: string[]; no_customer: boolean; too_far: boolean }>(
    `WITH ${aheadCte('$3')}
     SELECT ARRAY(SELECT DISTINCT customer_id::text FROM ahead WHERE customer_id IS NOT NULL) AS ids,
            EXISTS (SELECT 1 FROM ahead WHERE customer_id IS NULL) AS no_customer,
            (SELECT count(*) FROM ahead) >= $3 AS too_far`,
    [ctx.companyId, assertIsoDate(asOf, 'the as-of date'), MAX_AHEAD_ROWS],
  );
  const row = rows[0]!;
  return row.too_far ? null : { ids: row.ids, noCustomer: row.no_customer };
}

/**
 * The cached batches, in report order, as text: parsed one at a time (cachedPivots), so that a
 * batch's parsed groups die young, before the garbage collector copies them (parsing all fifty
 * first kept a hundred thousand groups alive across several collections).
 */
export async function readAgingCache(
  client: SqlClient,
  ctx: CompanyContext,
  patch: AgingCachePatch,
): Promise<CachedBatch[] | null> {
  // Outside one snapshot (READ COMMITTED) a build may have replaced the batches since the patch
  // was read: then none is taken, and the report is computed afresh.
  const { rows } = await client.query<CachedBatch & { built: boolean }>(
    `SELECT b.groups, h.built_at = $2::timestamptz AS built
       FROM collections_aging_today h JOIN collections_aging_today_batch b USING (company_id)
      WHERE h.company_id = $1 ORDER BY b.batch_no`,
    [ctx.companyId, patch.builtAt],
  );
  return rows.every((row) => row.built) ? rows : null;
}

const isMinor = (v: unknown): v is number => Number.isSafeInteger(v);
const isText = (v: unknown): v is string | null => v === null || typeof v === 'string';
function areMinor(v: unknown, count: number): v is number[] {
  if (!Array.isArray(v) || v.length !== count) return false;
  for (let i = 0; i < count; i++) if (!Number.isSafeInteger(v[i])) return false;
  return true;
}

/** Whether `g` is an AgingGroupPivot with `codeCount` amounts, every number a safe integer. */
function isPivot(g: unknown, codeCount: number): g is AgingGroupPivot {
  return (
    Array.isArray(g) &&
    g.length === 9 &&
    isText(g[0]) &&
    isText(g[1]) &&
    isText(g[2]) &&
    typeof g[3] === 'string' &&
    areMinor(g[4], codeCount) &&
    (g[5] === null ? g[8] === null : areMinor(g[5], codeCount) && isMinor(g[8])) &&
    isMinor(g[6]) &&
    isMinor(g[7])
  );
}

/**
 * The cached batches' groups, in order, each parsed when its batch is reached and checked to be a
 * pivot of safe integers (JSON numbers beyond 2^53 would have lost digits silently; they fail
 * here). `counted.groups` is how many were given, once the sequence is read to its end.
 */
export function* cachedPivots(
  batches: readonly CachedBatch[],
  codeCount: number,
  counted: { groups: number },
): Generator<AgingGroupPivot> {
  for (const batch of batches) {
    const groups: unknown = JSON.parse(batch.groups);
    invariant(Array.isArray(groups), 'internal', 'a cached aging batch is not a list');
    for (const g of groups) {
      invariant(isPivot(g, codeCount), 'internal', 'a cached aging group is not a pivot of safe integers');
      counted.groups++;
      yield g;
    }
  }
}

/** A built cache: its day and settings, and how many groups and batches it holds. */
export interface AgingCacheBuilt extends AgingCacheSpec {
  groups: number;
  batches: number;
}

/**
 * The bucket settings the company's aging was last kept with (null: never kept; a day that could
 * not be kept keeps them too), so that a build not told otherwise keeps the same.
 */
export async function keptAgingSettings(
  client: SqlClient,
  ctx: CompanyContext,
): Promise<Omit<AgingCacheSpec, 'asOf'> | null> {
  const { rows } = await client.query<{ thresholds: number[]; basis: AgingBasis; aged_credits: boolean }>(
    'SELECT thresholds, basis, aged_credits FROM collections_aging_today WHERE company_id = $1',
    [ctx.companyId],
  );
  const row = rows[0];
  return row === undefined
    ? null
    : { thresholds: row.thresholds, basis: row.basis, agedCredits: row.aged_credits };
}

/**
 * Rebuilds the cache for `spec` in the caller's REPEATABLE READ transaction: clears the marks, the
 * old pivot and batches, lets `insertBatches` write the new ones, and records
 * the head with the customers disputed on the day. `insertBatches` null: the day cannot be cached
 * (postings dated after it); the cache is dropped and only its settings are kept.
 */
export async function writeAgingCache(
  client: SqlClient,
  ctx: CompanyContext,
  spec: AgingCacheSpec,
  insertBatches: (() => Promise<void>) | null,
): Promise<AgingCacheBuilt | null> {
  await assertRepeatableRead(client, "today's aging must be cached");
  const company = [ctx.companyId];
  await client.query('DELETE FROM collections_aging_dirty WHERE company_id = $1', company);
  await client.query('DELETE FROM collections_aging_today_batch WHERE company_id = $1', company);
  await client.query('DELETE FROM collections_aging_today_pivot WHERE company_id = $1', company);
  if (insertBatches === null) {
    // The settings stay for the next refresh (a company's own buckets are not lost to one day with
    // postings dated after it), on a head of no day: no report's date is -infinity.
    await client.query(
      `INSERT INTO collections_aging_today (company_id, as_of, thresholds, basis, aged_credits, disputed_customers, groups)
       VALUES ($1, '-infinity', $2::int4[], $3, $4, '{}', 0)
       ON CONFLICT (company_id) DO UPDATE
         SET as_of = EXCLUDED.as_of, thresholds = EXCLUDED.thresholds, basis = EXCLUDED.basis,
             aged_credits = EXCLUDED.aged_credits, disputed_customers = '{}', groups = 0, built_at = now()`,
      [ctx.companyId, spec.thresholds, spec.basis, spec.agedCredits],
    );
    return null;
  }
  await insertBatches();
  const { rows: built } = await client.query<{ groups: number; batches: number }>(
    `INSERT INTO collections_aging_today (company_id, as_of, thresholds, basis, aged_credits, disputed_customers, groups)
     WITH ${disputedDocumentCte('$1', '$2')}
     SELECT $1, $2::date, $3::int4[], $4, $5,
            ARRAY(SELECT DISTINCT d.customer_id FROM disputed_doc dd
                    JOIN document d ON d.company_id = $1 AND d.document_id = dd.document_id),
            (SELECT coalesce(sum(json_array_length(groups::json)), 0) FROM collections_aging_today_batch WHERE company_id = $1)
     ON CONFLICT (company_id) DO UPDATE
       SET as_of = EXCLUDED.as_of, thresholds = EXCLUDED.thresholds, basis = EXCLUDED.basis,
           aged_credits = EXCLUDED.aged_credits, disputed_customers = EXCLUDED.disputed_customers,
           groups = EXCLUDED.groups, built_at = now()
     RETURNING groups, (SELECT count(*) FROM collections_aging_today_batch WHERE company_id = $1)::int8 AS batches`,
    [ctx.companyId, spec.asOf, spec.thresholds, spec.basis, spec.agedCredits],
  );
  return { ...spec, groups: built[0]!.groups, batches: built[0]!.batches };
}
