import { disputedDocumentCte } from '../disputes/holds.js';
import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import {
  type AgingCacheBuilt,
  type AgingCachePatch,
  type AgingCacheSpec,
  agingCachePatch,
  aheadCustomers,
  cachedPivots,
  keptAgingSettings,
  patchWorthIt,
  readAgingCache,
  writeAgingCache,
} from './aging-cache.js';
import { Int8Reader, JSON_BATCH_ROWS, jsonBatchesSql, packedInt8Sql } from './batches.js';
import { changeLogCovering } from './changes.js';
import {
  type AgingGroupBy,
  type AgingGroupPivot,
  type AgingReport,
  type AgingStrategy,
  assembleAging,
  LINE_CODE,
  PIVOT_LINES,
} from './core/aging.js';
import {
  type AgingBasis,
  type BucketSpec,
  bucketsOf,
  DEFAULT_THRESHOLDS,
  lowerBounds,
} from './core/buckets.js';
import { assertIsoDate } from './core/dates.js';
import { invariant } from './core/errors.js';
import { type FamilyRoot, mergeAgingParts, mergeRowRuns, mergeSorted, splitFamilies } from './core/merge.js';
import { groupSql, ROOT_OF_ROW } from './groups.js';
import {
  openItemCtes,
  type Rebuild,
  resolveRebuild,
  snapshotDocumentsSql,
  snapshotSplitCtes,
  withReportPlan,
} from './open-items.js';

export interface AgingOptions {
  asOf: string;
  /** Upper ends of the past-due ranges in days; default 30, 60, 90, 120. */
  thresholds?: readonly number[];
  basis?: AgingBasis;
  by?: AgingGroupBy;
  /** Age open credit memos into the buckets (negative) instead of showing them on the credits line. */
  agedCredits?: boolean;
  strategy?: AgingStrategy;
}

interface Resolved {
  asOf: string;
  spec: BucketSpec;
  by: AgingGroupBy;
  agedCredits: boolean;
  strategy: Exclude<AgingStrategy, 'auto'>;
  rebuild: Rebuild;
}

async function resolve(client: SqlClient, ctx: CompanyContext, o: AgingOptions): Promise<Resolved> {
  const asOf = assertIsoDate(o.asOf, 'the as-of date');
  const spec = { thresholds: o.thresholds ?? DEFAULT_THRESHOLDS, basis: o.basis ?? 'due' };
  bucketsOf(spec);
  const rebuild = await resolveRebuild(client, ctx, asOf, o.strategy ?? 'auto');
  return {
    asOf,
    spec,
    by: o.by ?? 'customer',
    agedCredits: o.agedCredits ?? false,
    strategy: rebuild.strategy,
    rebuild,
  };
}

/**
 * The bucket of an open_item row: a line code for receipts, credits and documents dated after the
 * as-of date, else width_bucket over the age ($3 holds the buckets' lower bounds, $4 whether credit
 * memos are aged).
 */
function bucketSql(basis: AgingBasis): string {
  return `CASE WHEN doc_type = 'unapplied_cash' THEN ${LINE_CODE.unappliedCash}
               WHEN doc_type = 'on_account' THEN ${LINE_CODE.onAccount}
               WHEN document_date > $2 OR (doc_type = 'credit_memo' AND NOT $4::boolean) THEN ${LINE_CODE.credits}
               ELSE width_bucket($2::date - ${ageColumn(basis)}, $3::int4[]) END`;
}

const ageColumn = (basis: AgingBasis) => (basis === 'due' ? 'due_date' : 'document_date');

function params(ctx: CompanyContext, r: Resolved): unknown[] {
  return [ctx.companyId, r.asOf, lowerBounds(r.spec), r.agedCredits];
}

/**
 * A part of a summary split across connections: the customers whose id is in [from, to) (null:
 * unbounded), and with from null also the cash of no customer. Its bounds are parameters from $6 on
 * (see rangeParams).
 */
export interface CustomerRange {
  from: string | null;
  to: string | null;
}

/**
 * The customers a cached summary recomputes (see aging-cache.ts), $6, and with `noCustomer` the
 * cash of no customer too.
 */
interface CustomerList {
  ids: readonly string[];
  noCustomer: boolean;
}

/**
 * Today's pivot as the nightly refresh kept it (aging-cache.ts), but for the customers `kept`
 * names, whose rows are computed from the open items ($6). A report reads it only while it is the
 * build made at `builtAt` (see AgingPart.keptStale); the build itself, null.
 */
interface KeptPivot {
  kept: CustomerList;
  builtAt: string | null;
}

type CustomerFilter = CustomerRange | CustomerList;
type PivotFilter = CustomerFilter | KeptPivot;

/** The SQL condition that `column` (a customer id) passes `filter` (true for none). */
function inRange(column: string, filter: CustomerFilter | null, nullable: boolean): string {
  if (filter === null) return 'true';
  if ('ids' in filter) {
    const listed = `${column} = ANY ($6::uuid[])`;
    return nullable && filter.noCustomer ? `(${listed} OR ${column} IS NULL)` : listed;
  }
  const bounds = [
    ...(filter.from === null ? [] : [`${column} >= $6::uuid`]),
    ...(filter.to === null ? [] : [`${column} < $${filter.from === null ? 6 : 7}::uuid`]),
  ];
  const within = bounds.length === 0 ? 'true' : bounds.join(' AND ');
  return filter.from === null && nullable ? `(${within} OR ${column} IS NULL)` : within;
}

/** The filter's parameters, $6 on, in inRange's order (a kept pivot's: its list's). */
const rangeParams = (filter: PivotFilter | null): unknown[] =>
  filter === null
    ? []
    : 'kept' in filter
      ? [filter.kept.ids]
      : 'ids' in filter
        ? [filter.ids]
        : [filter.from, filter.to].filter((b) => b !== null);

/**
 * The summary's rebuild: as resolved, or from a change log (see changes.ts) when the strategy is
 * `auto` and one covers the date (a closed month's, strictly inside it, its ends being snapshots
 * themselves; or the open stretch's as last refreshed), or `changes`, which needs one.
 */
async function summaryResolve(client: SqlClient, ctx: CompanyContext, o: AgingOptions): Promise<Resolved> {
  const asked = o.strategy ?? 'auto';
  const changes = asked === 'changes';
  const r = await resolve(client, ctx, changes || asked === 'cached' ? { ...o, strategy: 'auto' } : o);
  // The cache says itself whether it serves the day (see cachedAging).
  if (asked === 'cached') return r;
  if (!changes && asked !== 'auto') return r;
  if (!changes && r.strategy === 'current') return r;
  const from = await changeLogCovering(client, ctx, r.asOf);
  invariant(from !== null || !changes, 'strategy-invalid', `no change log covers ${r.asOf}`);
  if (from === null) return r;
  return { ...r, strategy: 'changes', rebuild: { strategy: 'changes', snapshot: from } };
}

/**
 * The base value of `part` of a document open for `open` with `base` in base currency: its share,
 * half-even, in numeric so nothing overflows (all three are non-negative here).
 */
function baseShareSql(part: string, open: string, base: string): string {
  const num = `(${part})::numeric * (${base})`;
  const q = `div(${num}, (${open})::numeric)`;
  const r = `mod(${num}, (${open})::numeric)`;
  return `CASE WHEN (${part}) >= (${open}) THEN (${base})::int8
               ELSE (${q} + CASE WHEN 2 * ${r} > (${open}) OR (2 * ${r} = (${open}) AND mod(${q}, 2) = 1) THEN 1 ELSE 0 END)::int8 END`;
}

/**
 * As of today: `pivd`, the pivot with disputed amounts per customer and currency (dm; db its base
 * value, null in the base currency) from the disputes module's CTE. Each disputed invoice or debit
 * memo counts at most its open amount. Disputed documents are few: fetched by key.
 */
function disputedPivCtes(range: CustomerFilter | null, name: string): string[] {
  const dm = 'least(d.open_minor, dd.disputed_minor)';
  return [
    disputedDocumentCte('$1', '$2'),
    `dis_piv AS (
       SELECT d.customer_id, d.currency, sum(${dm})::int8 AS dm,
              sum(CASE WHEN d.currency <> $5::bpchar THEN ${baseShareSql(dm, 'd.open_minor', 'd.open_base_minor')} END)::int8 AS db
         FROM disputed_doc dd
         JOIN document d ON d.company_id = $1 AND d.document_id = dd.document_id
        WHERE d.open_minor > 0 AND d.doc_type <> 'credit_memo' AND ${inRange('d.customer_id', range, false)}
        GROUP BY d.customer_id, d.currency)`,
    `${name} AS (
       SELECT p.*, coalesce(dp.dm, 0)::int8 AS dm, dp.db
         FROM piv p LEFT JOIN dis_piv dp ON dp.customer_id = p.customer_id AND dp.currency = p.currency)`,
  ];
}

/** The summary's parameters: the detail's, and $5 the base currency. */
const summaryParams = (ctx: CompanyContext, r: Resolved): unknown[] => [...params(ctx, r), ctx.baseCurrency];

/** The codes a pivot has a column for: every bucket, then credits, on account, unapplied cash. */
const pivotCodes = (bucketCount: number) => [
  ...Array.from({ length: bucketCount }, (_, i) => i),
  ...PIVOT_LINES,
];

/** `sum(col) FILTER (WHERE bucket = code) AS prefix_i` for every code (a null code: always 0). */
function pivotSums(codes: readonly (number | null)[], col: string, prefix: string): string {
  return codes
    .map((code, i) =>
      code === null
        ? `0::int8 AS ${prefix}${i}`
        : `coalesce(sum(${col}) FILTER (WHERE bucket = ${code}), 0)::int8 AS ${prefix}${i}`,
    )
    .join(', ');
}

/**
 * `<name>` (customer_id, currency, m0…, b0…, items, dm, db): the pivot of the open items in the CTE
 * `<source>` (shaped like open_item; item_kind 'snapshot' marks a row taken off: −1 item), by hash. Disputed amounts ride along on the same pass (a
 * second reference to the source would make PostgreSQL materialize it). The bucket is computed once
 * per row (the OFFSET 0 keeps the planner from copying its CASE into every sum).
 */
function itemPivotCtes(source: string, name: string, basis: AgingBasis, codes: readonly number[]): string[] {
  const sums = (col: string, prefix: string) => pivotSums(codes, col, prefix);
  const dm = 'least(o.minor, dd.disputed_minor)';
  const disputed = "dd.document_id IS NOT NULL AND o.minor > 0 AND o.doc_type <> 'credit_memo'";
  return [
    `${name}_item AS (
       SELECT o.customer_id, o.currency, ${bucketSql(basis)} AS bucket, o.minor,
              CASE WHEN o.item_kind = 'snapshot' THEN -1 ELSE 1 END AS n,
              CASE WHEN o.currency <> $5::bpchar THEN o.base END AS base,
              CASE WHEN ${disputed} THEN ${dm} END AS dm,
              CASE WHEN ${disputed} AND o.currency <> $5::bpchar THEN ${baseShareSql(dm, 'o.minor', 'o.base')} END AS db
         FROM ${source} o LEFT JOIN disputed_doc dd ON o.item_kind = 'document' AND dd.document_id = o.item_id
       OFFSET 0)`,
    `${name} AS (
       SELECT customer_id, currency, ${sums('minor', 'm')}, ${sums('base', 'b')}, sum(n)::int8 AS items,
              coalesce(sum(dm), 0)::int8 AS dm, sum(db)::int8 AS db
         FROM ${name}_item GROUP BY customer_id, currency)`,
  ];
}

/** A receipt relation's columns of cash left: unapplied and on account, each in currency and base. */
interface ReceiptCash {
  unapplied: readonly [minor: string, base: string];
  onAccount: readonly [minor: string, base: string];
}

const RECEIPT_COLUMNS: ReceiptCash = {
  unapplied: ['unapplied_minor', 'unapplied_base_minor'],
  onAccount: ['on_account_minor', 'on_account_base_minor'],
};

/** rcp_open's (see open-items.ts). */
const RECEIPT_OPEN_COLUMNS: ReceiptCash = {
  unapplied: ['unapplied', 'unapplied_base'],
  onAccount: ['on_account', 'on_account_base'],
};

/** A receipts' pivot (m…, b…): the cash left, negative, on its two lines; 0 in every other column. */
function receiptPivotSums(codes: readonly number[], c: ReceiptCash): string {
  const column = (code: number, base: 0 | 1) =>
    code === LINE_CODE.onAccount
      ? `-sum(${c.onAccount[base]})`
      : code === LINE_CODE.unappliedCash
        ? `-sum(${c.unapplied[base]})`
        : '0';
  return [
    ...codes.map((code, i) => `${column(code, 0)}::int8 AS m${i}`),
    ...codes.map((code, i) => `${column(code, 1)}::int8 AS b${i}`),
  ].join(', ');
}

/**
 * `pivd` from an AR snapshot. The snapshot's documents are most of the open items: all of them are
 * read by one index-only scan of the snapshot's (customer, currency) index and summed as they
 * stream (no sort, no hash table). The corrections (the snapshot rows of what moved since, taken
 * off, and the open items of what moved, of what the snapshot does not hold and of the disputed
 * documents, whose disputed part needs the document) are few and pivoted by hash. The receipts on $2
 * are summed on their own, straight onto their two lines: through the open items' pivot, the 170k
 * receipts of the latest snapshot at 10M invoices cost a row each per line, a dispute lookup and a
 * sort (0.8 of the month end's 4.1 s). The pivots are joined on customer and currency as today's are.
 */
function snapshotPivotCtes(rebuild: Rebuild, basis: AgingBasis, codes: readonly number[]): string[] {
  const signed = (col: string) => `CASE WHEN doc_type = 'credit_memo' THEN -${col} ELSE ${col} END`;
  const both = (f: (i: number) => string) => codes.map((_, i) => f(i)).join(', ');
  return [
    disputedDocumentCte('$1', '$2'),
    snapshotSplitCtes(rebuild, 'SELECT document_id FROM disputed_doc'),
    `kept_item AS (
       SELECT customer_id, currency, ${bucketSql(basis)} AS bucket, ${signed('open_minor')} AS minor,
              CASE WHEN currency <> $5::bpchar THEN ${signed('open_base_minor')} END AS base
         FROM ${snapshotDocumentsSql(rebuild)} AND (s.open_minor <> 0 OR s.open_base_minor <> 0)
        ORDER BY customer_id, currency OFFSET 0)`,
    `kept_piv AS (
       SELECT customer_id, currency, ${pivotSums(codes, 'minor', 'm')}, ${pivotSums(codes, 'base', 'b')},
              count(*)::int8 AS items
         FROM kept_item GROUP BY customer_id, currency)`,
    // The moved documents' snapshot rows, negated (item_kind 'snapshot' counts −1 item, no dispute).
    `moved_delta AS (
       SELECT * FROM moved_item
       UNION ALL
       SELECT 'snapshot', document_id, customer_id, currency, doc_type, document_date, due_date,
              -${signed('open_minor')}, -${signed('open_base_minor')}
         FROM moved_snap WHERE open_minor <> 0 OR open_base_minor <> 0)`,
    ...itemPivotCtes('moved_delta', 'moved_doc_piv', basis, codes),
    // The receipts on $2, summed straight: a line each, no bucket, no dispute.
    `moved_rcp_piv AS (
       SELECT customer_id, currency, ${receiptPivotSums(codes, RECEIPT_OPEN_COLUMNS)},
              (count(*) FILTER (WHERE on_account <> 0 OR on_account_base <> 0)
               + count(*) FILTER (WHERE unapplied <> 0 OR unapplied_base <> 0))::int8 AS items
         FROM rcp_open GROUP BY customer_id, currency)`,
    `moved_piv AS (
       SELECT coalesce(d.customer_id, r.customer_id) AS customer_id, coalesce(d.currency, r.currency) AS currency,
              ${both((i) => `coalesce(d.m${i}, 0) + coalesce(r.m${i}, 0) AS m${i}`)},
              ${both((i) => `coalesce(d.b${i}, 0) + coalesce(r.b${i}, 0) AS b${i}`)},
              coalesce(d.items, 0) + coalesce(r.items, 0) AS items, d.dm, d.db
         FROM moved_doc_piv d FULL JOIN moved_rcp_piv r ON r.customer_id = d.customer_id AND r.currency = d.currency)`,
    `pivd AS (
       SELECT coalesce(k.customer_id, m.customer_id) AS customer_id, coalesce(k.currency, m.currency) AS currency,
              ${both((i) => `coalesce(k.m${i}, 0) + coalesce(m.m${i}, 0) AS m${i}`)},
              ${both((i) => `coalesce(k.b${i}, 0) + coalesce(m.b${i}, 0) AS b${i}`)},
              coalesce(k.items, 0) + coalesce(m.items, 0) AS items, coalesce(m.dm, 0)::int8 AS dm, m.db
         FROM kept_piv k FULL JOIN moved_piv m ON m.customer_id = k.customer_id AND m.currency = k.currency
        -- A customer and currency whose snapshot documents were all taken off has nothing open.
        WHERE coalesce(k.items, 0) + coalesce(m.items, 0) > 0)`,
  ];
}

/**
 * `pivd` from the change log (changes.ts): the snapshot S's documents (streamed as in
 * snapshotPivotCtes) and receipts, plus the log's rows of (S, $2], each pivoted as it stands, summed
 * per customer and currency. The disputed documents' open amounts on $2 (their snapshot row plus
 * their log rows, fetched by id) give the disputed part.
 */
function changesPivotCtes(
  rebuild: Rebuild,
  basis: AgingBasis,
  codes: readonly number[],
  range: CustomerFilter | null,
): string[] {
  const s = `'${assertIsoDate(rebuild.snapshot ?? '', 'the snapshot date')}'::date`;
  const signed = (col: string) => `CASE WHEN doc_type = 'credit_memo' THEN -${col} ELSE ${col} END`;
  const dm = 'least(o.m, dd.disputed_minor)';
  const amounts = [...codes.map((_, i) => `m${i}`), ...codes.map((_, i) => `b${i}`)];
  const columns = [...amounts, 'items', 'dm', 'db'];
  const zeros = (names: readonly string[]) => names.map((n) => `0::int8 AS ${n}`).join(', ');
  return [
    disputedDocumentCte('$1', '$2'),
    `kept_item AS (
       SELECT customer_id, currency, ${bucketSql(basis)} AS bucket, ${signed('open_minor')} AS minor,
              CASE WHEN currency <> $5::bpchar THEN ${signed('open_base_minor')} END AS base
         FROM ${snapshotDocumentsSql(rebuild)} AND (s.open_minor <> 0 OR s.open_base_minor <> 0)
          AND ${inRange('s.customer_id', range, false)}
        ORDER BY customer_id, currency OFFSET 0)`,
    `kept_piv AS (
       SELECT customer_id, currency, ${pivotSums(codes, 'minor', 'm')}, ${pivotSums(codes, 'base', 'b')},
              count(*)::int8 AS items, ${zeros(['dm', 'db'])}
         FROM kept_item GROUP BY customer_id, currency)`,
    `kept_rcp_piv AS (
       SELECT customer_id, currency, ${receiptPivotSums(codes, RECEIPT_COLUMNS)},
              (count(*) FILTER (WHERE on_account_minor <> 0 OR on_account_base_minor <> 0)
               + count(*) FILTER (WHERE unapplied_minor <> 0 OR unapplied_base_minor <> 0))::int8 AS items,
              ${zeros(['dm', 'db'])}
         FROM collections_ar_snapshot_receipt
        WHERE company_id = $1 AND as_of = ${s} AND ${inRange('customer_id', range, true)}
        GROUP BY customer_id, currency)`,
    `change_item AS (
       SELECT customer_id, currency, ${bucketSql(basis)} AS bucket, minor,
              CASE WHEN currency <> $5::bpchar THEN base_minor END AS base, items
         FROM collections_ar_change
        WHERE company_id = $1 AND change_date > ${s} AND change_date <= $2 AND ${inRange('customer_id', range, true)}
       OFFSET 0)`,
    `change_piv AS (
       SELECT customer_id, currency, ${pivotSums(codes, 'minor', 'm')}, ${pivotSums(codes, 'base', 'b')},
              sum(items)::int8 AS items, ${zeros(['dm', 'db'])}
         FROM change_item GROUP BY customer_id, currency)`,
    // The disputed documents on $2 (few: fetched by id), as open_item signs them (none is a credit memo).
    `dis_open AS (
       SELECT item_id, customer_id, currency, doc_type, sum(m)::int8 AS m, sum(b)::int8 AS b
         FROM (SELECT document_id AS item_id, customer_id, currency, doc_type, open_minor AS m, open_base_minor AS b
                 FROM collections_ar_snapshot_document
                WHERE company_id = $1 AND as_of = ${s} AND document_id = ANY (ARRAY(SELECT document_id FROM disputed_doc))
               UNION ALL
               SELECT item_id, customer_id, currency, doc_type, minor, base_minor
                 FROM collections_ar_change
                WHERE company_id = $1 AND item_id = ANY (ARRAY(SELECT document_id FROM disputed_doc))
                  AND change_date > ${s} AND change_date <= $2) x
        WHERE ${inRange('customer_id', range, false)}
        GROUP BY item_id, customer_id, currency, doc_type)`,
    `dis_piv AS (
       SELECT o.customer_id, o.currency, ${zeros([...amounts, 'items'])}, sum(${dm})::int8 AS dm,
              sum(CASE WHEN o.currency <> $5::bpchar THEN ${baseShareSql(dm, 'o.m', 'o.b')} END)::int8 AS db
         FROM dis_open o JOIN disputed_doc dd ON dd.document_id = o.item_id
        WHERE o.m > 0 AND o.doc_type <> 'credit_memo'
        GROUP BY o.customer_id, o.currency)`,
    `pivd AS (
       SELECT customer_id, currency, ${columns.map((c) => `sum(${c})::int8 AS ${c}`).join(', ')}
         FROM (SELECT * FROM kept_piv UNION ALL SELECT * FROM kept_rcp_piv
               UNION ALL SELECT * FROM change_piv UNION ALL SELECT * FROM dis_piv) p
        GROUP BY customer_id, currency
        -- A customer and currency whose items were all closed since has nothing open.
       HAVING sum(items) > 0)`,
  ];
}

/**
 * `pivd` (customer_id, currency, m0…, b0…, items, dm, db): open amounts per customer and currency,
 * one column per bucket and line, in base (b) beside the currency (m), and the disputed part. As
 * of today straight from the two covering indexes of open documents and of receipts with cash
 * left, which are in customer and currency order, so the sums stream (no sort, no hash table,
 * nothing spilled to disk however many customers); from an AR snapshot likewise for its documents
 * that did not move (see snapshotPivotCtes); for other dates from the rebuilt open items, by hash.
 * The bucket is computed once per row (the OFFSET 0 keeps the planner from copying its CASE into
 * every sum).
 */
function pivotCtes(r: Resolved, bucketCount: number, range: PivotFilter | null): string[] {
  const { rebuild, spec } = r;
  const basis = spec.basis;
  const codes = pivotCodes(bucketCount);
  const listed = range !== null && ('ids' in range || 'kept' in range);
  invariant(range === null || listed || canSplit(r), 'internal', 'a split of an aging that cannot split');
  invariant(
    !listed || rebuild.strategy === 'current' || rebuild.strategy === 'backward',
    'internal',
    'a list of customers rebuilt other than from the balances as they stand',
  );
  if (range !== null && 'kept' in range) return keptPivotCtes(rebuild, basis, codes, range);
  // On a snapshot's own date nothing moved since: the snapshot alone, read as the change log's
  // start (an empty log), which splits by customer.
  if (rebuild.strategy === 'changes' || onSnapshot(r)) return changesPivotCtes(rebuild, basis, codes, range);
  if (rebuild.strategy === 'snapshot') return snapshotPivotCtes(rebuild, basis, codes);
  if (rebuild.strategy !== 'current') {
    const list = range !== null && 'ids' in range ? range : null;
    return listPivotCtes(rebuild, basis, codes, list, 'pivd');
  }
  return todayPivotCtes(basis, codes, range, 'pivd');
}

/**
 * `<name>` from the open items rebuilt by `rebuild`, of every customer or (a backward rebuild
 * only) of those `list` names: by hash, the open items being few or of a past date.
 */
function listPivotCtes(
  rebuild: Rebuild,
  basis: AgingBasis,
  codes: readonly number[],
  list: CustomerList | null,
  name: string,
): string[] {
  const only = list === null ? null : (column: string, nullable: boolean) => inRange(column, list, nullable);
  return [
    openItemCtes(rebuild, only),
    disputedDocumentCte('$1', '$2'),
    ...itemPivotCtes('open_item', name, basis, codes),
  ];
}

/**
 * `pivd` from the kept pivot (migration 0026) with the listed customers' rows taken out and
 * computed from the open items instead (`live_pivd`): from their balances as they stand, or by a
 * backward rebuild of theirs when something is dated after the day. The list is short (see
 * aging-cache.ts): taken out by a hash anti-join, not a comparison with every element per row.
 */
function keptPivotCtes(
  rebuild: Rebuild,
  basis: AgingBasis,
  codes: readonly number[],
  source: KeptPivot,
): string[] {
  const element = (array: string, i: number) => `${array}[${i + 1}]`;
  const m = codes.map((_, i) => `${element('k.m', i)} AS m${i}`).join(', ');
  // Null in the base currency, where no one reads them (see summaryBatchesSql's numbers): summing
  // nulls costs nothing, summing zeros a numeric addition each.
  const b = codes.map((_, i) => `${element('k.b', i)} AS b${i}`).join(', ');
  const noCustomer = source.kept.noCustomer ? 'k.customer_id IS NOT NULL AND ' : '';
  return [
    ...(rebuild.strategy === 'current'
      ? todayPivotCtes(basis, codes, source.kept, 'live_pivd')
      : listPivotCtes(rebuild, basis, codes, source.kept, 'live_pivd')),
    `pivd AS (
       SELECT k.customer_id, k.currency, ${m}, ${b}, k.items, k.dm, k.db
         FROM collections_aging_today_pivot k
        WHERE k.company_id = $1
          AND ${noCustomer}NOT EXISTS (SELECT 1 FROM unnest($6::uuid[]) u (id) WHERE u.id = k.customer_id)
       UNION ALL
       SELECT * FROM live_pivd)`,
  ];
}

/**
 * `<name>` as of today (see pivotCtes) over the customers `range` passes: the open documents' and
 * receipts' pivots joined on customer and currency, and the disputed part beside.
 */
function todayPivotCtes(
  basis: AgingBasis,
  codes: readonly number[],
  range: CustomerFilter | null,
  name: string,
): string[] {
  const signed = (col: string) => `CASE WHEN doc_type = 'credit_memo' THEN -${col} ELSE ${col} END`;
  const docCodes = codes.map((c) => (c >= 0 || c === LINE_CODE.credits ? c : null));
  return [
    `doc_item AS (
       SELECT customer_id, currency,
              CASE WHEN doc_type = 'credit_memo' AND NOT $4::boolean THEN ${LINE_CODE.credits}
                   ELSE width_bucket($2::date - ${ageColumn(basis)}, $3::int4[]) END AS bucket,
              ${signed('open_minor')} AS minor,
              CASE WHEN currency <> $5::bpchar THEN ${signed('open_base_minor')} END AS base
         FROM document WHERE company_id = $1 AND open_minor > 0 AND ${inRange('customer_id', range, false)}
        ORDER BY customer_id, currency OFFSET 0)`,
    `doc_piv AS (
       SELECT customer_id, currency,
              ${pivotSums(docCodes, 'minor', 'm')},
              ${pivotSums(docCodes, 'base', 'b')},
              count(*)::int8 AS items
         FROM doc_item GROUP BY customer_id, currency)`,
    `rcp_piv AS (
       SELECT customer_id, currency, ${receiptPivotSums(codes, RECEIPT_COLUMNS)},
              (count(*) FILTER (WHERE on_account_minor > 0) + count(*) FILTER (WHERE unapplied_minor > 0))::int8 AS items
         FROM receipt WHERE company_id = $1 AND (unapplied_minor > 0 OR on_account_minor > 0)
          AND ${inRange('customer_id', range, true)}
        GROUP BY customer_id, currency)`,
    `piv AS (
       SELECT coalesce(d.customer_id, r.customer_id) AS customer_id, coalesce(d.currency, r.currency) AS currency,
              ${codes.map((_, i) => `coalesce(d.m${i}, 0) + coalesce(r.m${i}, 0) AS m${i}`).join(', ')},
              ${codes.map((_, i) => `coalesce(d.b${i}, 0) + coalesce(r.b${i}, 0) AS b${i}`).join(', ')},
              coalesce(d.items, 0) + coalesce(r.items, 0) AS items
         FROM doc_piv d FULL JOIN rcp_piv r ON r.customer_id = d.customer_id AND r.currency = d.currency)`,
    ...disputedPivCtes(range, name),
  ];
}

/** A batch of the summary: each group's key, number, name and currency, and its numbers packed. */
interface PackedBatch {
  heads: [string | null, string | null, string | null, string][] | null;
  nums: Uint8Array | null;
}

/**
 * The summary's groups from their batches: per group `codeCount` amounts, the open items and the
 * disputed amount, then, outside the base currency, `codeCount` base amounts and the disputed base.
 */
function readGroups(
  batches: readonly PackedBatch[],
  codeCount: number,
  baseCurrency: string,
): AgingGroupPivot[] {
  const groups: AgingGroupPivot[] = [];
  for (const batch of batches) {
    const numbers = new Int8Reader(batch.nums!);
    for (const [key, number, name, currency] of batch.heads!) {
      const amounts = numbers.take(codeCount);
      const items = numbers.next();
      const disputed = numbers.next();
      if (currency.trim() === baseCurrency) {
        groups.push([key, number, name, currency, amounts, null, items, disputed, null]);
      } else {
        const base = numbers.take(codeCount);
        groups.push([key, number, name, currency, amounts, base, items, disputed, numbers.next()]);
      }
    }
    invariant(numbers.done, 'internal', 'the aging summary sent more numbers than groups');
  }
  return groups;
}

/** The summary is of a snapshot's own date. */
const onSnapshot = (r: Resolved) => r.rebuild.strategy === 'snapshot' && r.rebuild.snapshot === r.asOf;

/**
 * Whether a summary can split by customer: today's, the change log's, and a snapshot's own date. A
 * snapshot rebuild's corrections are found per document, not per customer, so every part would
 * repeat them.
 */
const canSplit = (r: Resolved) =>
  r.rebuild.strategy === 'current' || r.rebuild.strategy === 'changes' || onSnapshot(r);

/** One connection's share of an aging summary: its groups in report order. */
interface AgingPart {
  groups: AgingGroupPivot[];
  hasDisputes: boolean;
  /** From a kept pivot that another build has replaced since (see KeptPivot): not to be used. */
  keptStale: boolean;
}

/**
 * How a summary's groups cross to Node. `packed`: per batch, the heads as JSON and the numbers as
 * packed int8s (see readGroups), the cheapest for the server to build. `pivots`: per batch, a JSON
 * array of the groups exactly as AgingGroupPivot holds them, costlier to build but half the bytes
 * and nothing to unpack: the form the cache keeps (built nightly, read all day).
 */
type BatchForm = 'packed' | 'pivots';

/**
 * The summary of `r` over the customers `range` passes, as SQL: `withCtes` (WITH and the CTEs),
 * then `batches`, a query over them of one row per batch in report order (batch_no, then heads and
 * nums, or groups; see BatchForm), both taking `params`.
 */
function summaryBatchesSql(
  ctx: CompanyContext,
  r: Resolved,
  range: PivotFilter | null,
  form: BatchForm = 'packed',
): { withCtes: string; batches: string; params: unknown[] } {
  const g = groupSql(r.by);
  const buckets = bucketsOf(r.spec);
  const codes = pivotCodes(buckets.length);
  const ctes = [...pivotCtes(r, buckets.length, range), ...g.ctes];
  // In the base currency the base amounts are the amounts (the ledger converts at rate 1): they are
  // neither summed nor sent (see readGroups), which halves the work for a one-currency company.
  const numbers = (sum: boolean) => {
    const v = (p: string) => (sum ? `sum(x.${p})` : `x.${p}`);
    const list = (p: string) => codes.map((_, i) => v(`${p}${i}`));
    if (form === 'pivots') {
      // The pivot's tail as JSON text (array_to_json writes no spaces; the heads join it below).
      const foreign = (e: string) => `CASE WHEN x.currency = $5::bpchar THEN 'null' ELSE ${e} END`;
      return `concat_ws(',', array_to_json(ARRAY[${list('m').join(', ')}])::text,
                        ${foreign(`array_to_json(ARRAY[${list('b').join(', ')}])::text`)},
                        (${v('items')})::text, (${v('dm')})::text, ${foreign(`coalesce(${v('db')}, 0)::text`)})`;
    }
    return `${packedInt8Sql([...list('m'), v('items'), v('dm')])}
            || CASE WHEN x.currency = $5::bpchar THEN ''::bytea
                    ELSE ${packedInt8Sql([...list('b'), `coalesce(${v('db')}, 0)`])} END`;
  };
  // Per customer the pivot is the answer; other groupings sum it (a customer is in one group).
  const described = (from: string, joins: string, key: string) =>
    `SELECT ${key} AS k, ${g.number} AS n, ${g.name} AS nm, x.currency AS ccy, ${numbers(false)} AS nums
       FROM ${from} x ${joins}`;
  // By parent, the pivot is summed per top parent's id first and the parent described after: a
  // grouping on an id and a currency, not on the described text columns.
  const byRoot = `(SELECT ${ROOT_OF_ROW} AS root_id, x.currency, ${codes.map((_, i) => `sum(x.m${i})::int8 AS m${i}, sum(x.b${i})::int8 AS b${i}`).join(', ')},
                          sum(x.items)::int8 AS items, sum(x.dm)::int8 AS dm, sum(x.db)::int8 AS db
                     FROM pivd x LEFT JOIN customer_root t ON t.customer_id = x.customer_id
                    GROUP BY 1, x.currency)`;
  const select =
    r.by === 'customer'
      ? described('pivd', g.joins, g.key)
      : r.by === 'parent'
        ? described(
            byRoot,
            'LEFT JOIN customer c ON c.company_id = $1 AND c.customer_id = x.root_id',
            'x.root_id::text',
          )
        : `SELECT ${g.key} AS k, ${g.number} AS n, ${g.name} AS nm, x.currency AS ccy, ${numbers(true)} AS nums
           FROM pivd x ${g.joins} GROUP BY 1, 2, 3, 4`;
  const build =
    form === 'pivots'
      ? `json_agg(('[' || concat_ws(',', ${['r.k', 'r.n', 'r.nm', 'r.ccy'].map((c) => `coalesce(to_json(${c})::text, 'null')`).join(', ')}, r.nums) || ']')::json
                  ORDER BY r.rn) AS groups`
      : `json_agg(json_build_array(r.k, r.n, r.nm, r.ccy) ORDER BY r.rn) AS heads,
         string_agg(r.nums, ''::bytea ORDER BY r.rn) AS nums`;
  // Report order: by customer number (or collector, currency), byte order so both engines agree
  // (and core/merge.ts can merge split parts); the key last, so no two groups tie.
  return {
    withCtes: `WITH ${g.recursive ? 'RECURSIVE ' : ''}${ctes.join(',\n')}`,
    batches: jsonBatchesSql(
      select,
      'coalesce(q.n, q.k) COLLATE "C" NULLS LAST, q.nm COLLATE "C" NULLS LAST, q.ccy COLLATE "C", q.k COLLATE "C" NULLS LAST',
      `(r.rn - 1) / ${JSON_BATCH_ROWS} AS batch_no, ${build}`,
    ),
    params: [...summaryParams(ctx, r), ...rangeParams(range)],
  };
}

async function agingPart(
  client: SqlClient,
  ctx: CompanyContext,
  r: Resolved,
  range: PivotFilter | null,
): Promise<AgingPart> {
  const { withCtes, batches, params } = summaryBatchesSql(ctx, r, range);
  // In the same statement as the kept pivot's rows, so in the same snapshot.
  const builtAt = range !== null && 'kept' in range ? range.builtAt : null;
  if (builtAt !== null) params.push(builtAt);
  const keptStale =
    builtAt === null
      ? 'false'
      : `NOT EXISTS (SELECT 1 FROM collections_aging_today WHERE company_id = $1 AND built_at = $${params.length}::timestamptz)`;
  const { rows } = await withReportPlan(client, r.rebuild, () =>
    client.query<PackedBatch & { has_disputes: boolean; kept_stale: boolean }>(
      `${withCtes}
     SELECT b.heads, b.nums, EXISTS (SELECT 1 FROM dispute_case WHERE company_id = $1) AS has_disputes,
            ${keptStale} AS kept_stale
       FROM (SELECT 1) one LEFT JOIN (${batches}) b ON true`,
      params,
    ),
  );
  const codeCount = pivotCodes(bucketsOf(r.spec).length).length;
  const groups =
    rows.length === 1 && rows[0]!.heads === null ? [] : readGroups(rows, codeCount, ctx.baseCurrency);
  const row = rows[0]!;
  return { groups, hasDisputes: row.has_disputes, keptStale: row.kept_stale };
}

/**
 * Where to cut the customers into `count` id ranges of about as many customers each (fewer
 * ranges when there are too few customers to cut).
 */
export async function customerRanges(
  client: SqlClient,
  ctx: CompanyContext,
  count: number,
): Promise<CustomerRange[]> {
  const fractions = Array.from({ length: count - 1 }, (_, i) => (i + 1) / count);
  const { rows } = await client.query<{ cuts: string[] | null }>(
    `SELECT percentile_disc($2::float8[]) WITHIN GROUP (ORDER BY customer_id)::text[] AS cuts
       FROM customer WHERE company_id = $1`,
    [ctx.companyId, fractions],
  );
  const cuts = [...new Set(rows[0]?.cuts ?? [])];
  const bounds = [null, ...cuts, null];
  return cuts.length === 0
    ? [{ from: null, to: null }]
    : bounds.slice(0, -1).map((from, i) => ({ from, to: bounds[i + 1] ?? null }));
}

/**
 * Aging summary: open items as of a date in configurable buckets, one row per group and currency,
 * with base-currency amounts beside. One set-based query: open amounts are pivoted per customer and
 * currency, then summed per group. The result comes back as JSON in batches (see batches.ts), so a
 * hundred thousand customers are fifty values to parse, not a hundred thousand rows.
 */
export async function agingReport(
  client: SqlClient,
  ctx: CompanyContext,
  options: AgingOptions,
): Promise<AgingReport> {
  return agingReportOn([client], ctx, options);
}

/**
 * agingReport over several connections that read one snapshot (Database.readTogether): today's
 * aging, a snapshot's date, and a date inside a closed month (from its change log), are split into customer id
 * ranges, one per connection, summed side by side and merged (core/merge.ts). Other dates use the
 * first connection alone (see canSplit).
 */
export async function agingReportOn(
  clients: readonly SqlClient[],
  ctx: CompanyContext,
  options: AgingOptions,
): Promise<AgingReport> {
  invariant(clients.length > 0, 'internal', 'aging needs a connection');
  const first = clients[0]!;
  const r = await summaryResolve(first, ctx, options);
  const asked = options.strategy ?? 'auto';
  if (asked === 'auto' || asked === 'cached') {
    const cached = await cachedAging(clients, ctx, r);
    if (cached !== null) return cached;
    invariant(
      asked === 'auto',
      'strategy-invalid',
      `no cached aging by customer serves ${r.asOf} with these buckets`,
    );
  }
  const ranges =
    clients.length > 1 && canSplit(r) ? await customerRanges(first, ctx, clients.length) : [null];
  const split = ranges.length > 1;
  const parts = await Promise.all(
    ranges.map((range, i) => agingPart(clients[i]!, ctx, r, split ? range : null)),
  );
  return assembleAging(split ? mergeAgingParts(parts.map((p) => p.groups)) : parts[0]!.groups, {
    ...reportHead(ctx, r),
    hasDisputes: parts.some((p) => p.hasDisputes),
  });
}

const reportHead = (ctx: CompanyContext, r: Resolved) => ({
  asOf: r.asOf,
  basis: r.spec.basis,
  by: r.by,
  buckets: bucketsOf(r.spec),
  baseCurrency: ctx.baseCurrency,
  strategy: r.strategy,
});

/**
 * `r` as a cached report recomputes the customers it lists: from their balances as they stand on
 * a day nothing is dated after, otherwise by a backward rebuild of theirs (aging-cache.ts).
 */
const listedRebuild = (r: Resolved): Resolved =>
  r.strategy === 'current' ? r : { ...r, strategy: 'backward', rebuild: { strategy: 'backward' } };

const cacheSpec = (r: Resolved): AgingCacheSpec => ({
  asOf: r.asOf,
  thresholds: r.spec.thresholds,
  basis: r.spec.basis,
  agedCredits: r.agedCredits,
});

/**
 * Today's aging from the cache (aging-cache.ts), or null when it does not serve `r`. By customer:
 * the cached groups, less those of the customers that moved since, which are recomputed (on a
 * second connection when there is one, beside the cache's read) and merged in report order. By
 * parent the same, then rolled up in Node (core/merge.ts, splitFamilies): a customer with neither
 * parent nor children is its own parent group, with the same head; the others are summed per top
 * parent, from the hierarchy as it stands (read beside the cache). By collector or currency: the
 * kept pivot, patched likewise, summed per group in SQL.
 */
async function cachedAging(
  clients: readonly SqlClient[],
  ctx: CompanyContext,
  r: Resolved,
): Promise<AgingReport | null> {
  const first = clients[0]!;
  const patch = await agingCachePatch(first, ctx, cacheSpec(r));
  if (patch === null) return null;
  if (r.by === 'collector' || r.by === 'currency') return keptRollup(first, ctx, r, patch);
  const list = { ids: patch.customerIds, noCustomer: patch.noCustomer };
  const recompute = list.ids.length > 0 || list.noCustomer;
  const beside = async (client: SqlClient) => ({
    moved: recompute ? await agingPart(client, ctx, { ...listedRebuild(r), by: 'customer' }, list) : null,
    rootOf: r.by === 'parent' ? await familyRoots(client, ctx) : null,
  });
  // One connection runs one query at a time.
  const [batches, { moved, rootOf }] =
    clients.length > 1
      ? await Promise.all([readAgingCache(first, ctx, patch), beside(clients[1]!)])
      : [await readAgingCache(first, ctx, patch), await beside(first)];
  if (batches === null) return null;
  const counted = { groups: 0 };
  const kept = cachedPivots(batches, pivotCodes(bucketsOf(r.spec).length).length, counted);
  const replaced = new Set(list.ids);
  const patched =
    moved === null
      ? kept
      : mergeSorted(
          filtered(kept, (g) => (g[0] === null ? !list.noCustomer : !replaced.has(g[0]))),
          moved.groups,
        );
  const head = { ...reportHead(ctx, r), strategy: 'cached' as const, hasDisputes: patch.hasDisputes };
  const report = rootOf === null ? assembleAging(patched, head) : rolledUpToParents(patched, rootOf, head);
  invariant(counted.groups === patch.groups, 'internal', 'the cached aging lost groups');
  return report;
}

/**
 * The aging by parent from the groups by customer: those alone, as they come, then the families'
 * (see splitFamilies), each run in report order, assembled and their rows merged into one order
 * (the totals do not depend on it). The groups alone are not held twice, only as the report's rows.
 */
function rolledUpToParents(
  groups: Iterable<AgingGroupPivot>,
  rootOf: ReadonlyMap<string, FamilyRoot>,
  head: Parameters<typeof assembleAging>[1],
): AgingReport {
  const split = splitFamilies(groups, rootOf);
  const counted = { alone: 0 };
  function* aloneThenFamilies(): Generator<AgingGroupPivot> {
    for (const g of split.alone) {
      counted.alone++;
      yield g;
    }
    yield* split.families();
  }
  const report = assembleAging(aloneThenFamilies(), head);
  return { ...report, rows: mergeRowRuns(report.rows, counted.alone) };
}

/**
 * The customers in a family (with a parent, or the top parent of one), each with its top parent's
 * head: the hierarchy as the aging by parent reads it (groups.ts), a row per customer with a parent.
 */
async function familyRoots(client: SqlClient, ctx: CompanyContext): Promise<Map<string, FamilyRoot>> {
  const { rows } = await client.query<{
    id: string;
    root: string;
    number: string | null;
    name: string | null;
  }>(
    `WITH RECURSIVE ${groupSql('parent').ctes.join(',')}
     SELECT t.customer_id::text AS id, t.root_id::text AS root, c.customer_number AS number, c.name
       FROM customer_root t JOIN customer c ON c.company_id = $1 AND c.customer_id = t.root_id`,
    [ctx.companyId],
  );
  const heads = new Map<string, FamilyRoot>();
  for (const row of rows)
    if (!heads.has(row.root)) heads.set(row.root, { key: row.root, number: row.number, name: row.name });
  // A top parent is its own family's, unless it has a parent itself (a chain cut at its depth
  // limit): then its own row, set after, says whose.
  const rootOf = new Map(heads);
  for (const row of rows) rootOf.set(row.id, heads.get(row.root)!);
  return rootOf;
}

/**
 * Today's aging by collector or currency from the kept pivot as `patch` says to patch it
 * (agingCachePatch), or null once another build replaced the pivot: what agingReport does when the
 * cache serves it, with the patch given (tests use it to read across a build).
 */
export async function agingFromKeptPivot(
  client: SqlClient,
  ctx: CompanyContext,
  options: AgingOptions,
  patch: AgingCachePatch,
): Promise<AgingReport | null> {
  const r = await summaryResolve(client, ctx, { ...options, strategy: 'cached' });
  invariant(
    r.by === 'collector' || r.by === 'currency',
    'internal',
    'the kept pivot is summed by collector or currency',
  );
  return keptRollup(client, ctx, r, patch);
}

/** Today's aging by collector or currency from the kept pivot, patched (see KeptPivot). */
async function keptRollup(
  client: SqlClient,
  ctx: CompanyContext,
  r: Resolved,
  patch: AgingCachePatch,
): Promise<AgingReport | null> {
  const list = { ids: patch.customerIds, noCustomer: patch.noCustomer };
  const part = await agingPart(client, ctx, listedRebuild(r), { kept: list, builtAt: patch.builtAt });
  if (part.keptStale) return null;
  return assembleAging(part.groups, {
    ...reportHead(ctx, r),
    strategy: 'cached',
    hasDisputes: part.hasDisputes,
  });
}

function* filtered<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item;
}

/**
 * After a bulk posting (an import, a cash-application run): keeps today's aging again, in the
 * settings it was kept with, when the kept one no longer serves `asOf` in them (kept for another
 * day, or more customers moved since than a report recomputes: agingCachePatch null). The day's
 * reports then read it rather than compute afresh. Null when none is kept, it still serves, or the
 * day cannot be kept. REPEATABLE READ.
 */
export async function refreshOutgrownAging(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
): Promise<AgingCacheBuilt | null> {
  const settings = await keptAgingSettings(client, ctx);
  if (settings === null) return null;
  if ((await agingCachePatch(client, ctx, { asOf, ...settings })) !== null) return null;
  return refreshAgingToday(client, ctx, asOf, settings);
}

/** The bucket settings a company keeps today's aging for: the report's defaults unless given. */
export type KeptAgingSpec = Pick<AgingOptions, 'thresholds' | 'basis' | 'agedCredits'>;

/**
 * Caches today's aging as of `asOf` (run nightly, for the day starting) with the buckets, basis
 * and credit setting of `keep` (default: those it was last kept with, else the report's): see
 * aging-cache.ts. Reports with those settings are read from it, any grouping; others are computed
 * afresh. Must run in a REPEATABLE READ transaction. The day may have postings dated after it (an
 * ERP's invoices dated tomorrow): the cache then holds every customer's balances as they stand, and
 * reports recompute those with such postings (see agingCachePatch). Returns null, and drops the
 * cache (keeping its settings), when they are more customers than a report would recompute. Either
 * way it clears the marks it saw.
 */
export async function refreshAgingToday(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
  keep?: KeptAgingSpec,
): Promise<AgingCacheBuilt | null> {
  const settings = keep ?? (await keptAgingSettings(client, ctx)) ?? {};
  const resolved = await resolve(client, ctx, { ...settings, asOf, by: 'customer' });
  if (resolved.strategy !== 'current' && !(await fewAhead(client, ctx, resolved.asOf)))
    return writeAgingCache(client, ctx, cacheSpec(resolved), null);
  const r: Resolved = { ...resolved, strategy: 'current', rebuild: { strategy: 'current' } };
  const codes = pivotCodes(bucketsOf(r.spec).length);
  const array = (p: string) => `ARRAY[${codes.map((_, i) => `${p}${i}`).join(', ')}]`;
  // The pivot first, from the open items; the batches then from the kept pivot (an empty list),
  // so both hold the same figures and the open items are read once.
  const pivot = summaryBatchesSql(ctx, r, null, 'pivots');
  const batched = summaryBatchesSql(
    ctx,
    r,
    { kept: { ids: [], noCustomer: false }, builtAt: null },
    'pivots',
  );
  return writeAgingCache(client, ctx, cacheSpec(r), async () => {
    await withReportPlan(client, r.rebuild, async () => {
      await client.query(
        `${pivot.withCtes}
         INSERT INTO collections_aging_today_pivot (company_id, customer_id, currency, m, b, items, dm, db)
         SELECT $1, customer_id, currency, ${array('m')},
                CASE WHEN currency = $5::bpchar THEN NULL ELSE ${array('b')} END, items, dm,
                CASE WHEN currency = $5::bpchar THEN NULL ELSE coalesce(db, 0) END
           FROM pivd`,
        pivot.params,
      );
      await client.query(
        `${batched.withCtes}
         INSERT INTO collections_aging_today_batch (company_id, batch_no, groups)
         SELECT $1, b.batch_no, b.groups::text FROM (${batched.batches}) b`,
        batched.params,
      );
    });
  });
}

/** Whether the customers with postings dated after `asOf` are few enough to recompute per report. */
async function fewAhead(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<boolean> {
  const ahead = await aheadCustomers(client, ctx, asOf);
  if (ahead === null) return false;
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int4 AS n FROM customer WHERE company_id = $1',
    [ctx.companyId],
  );
  return patchWorthIt(ahead.ids.length + (ahead.noCustomer ? 1 : 0), rows[0]!.n);
}

export interface AgingDetailRow {
  itemKind: 'document' | 'receipt';
  /** invoice, credit_memo, debit_memo, on_account or unapplied_cash. */
  docType: string;
  /** Document number or receipt key. */
  number: string;
  customerNumber: string | null;
  customerName: string | null;
  parentNumber: string | null;
  collector: string | null;
  currency: string;
  /** Document date, or the date the cash was received. */
  documentDate: string;
  dueDate: string | null;
  /** Days past due (due basis) or since the document date (invoice basis); receipts: since received. */
  ageDays: number;
  /** Bucket index, or a LINE_CODE for credits, on-account and unapplied cash. */
  bucket: number;
  openMinor: number;
  openBaseMinor: number;
  /** The part of an open invoice or debit memo in a live dispute case on the as-of date (0 if none). */
  disputedMinor: number;
}

interface DetailSqlRow {
  item_kind: 'document' | 'receipt';
  doc_type: string;
  number: string;
  customer_number: string | null;
  customer_name: string | null;
  parent_number: string | null;
  collector: string | null;
  currency: string;
  document_date: string;
  due_date: string | null;
  age_days: number;
  bucket: number;
  minor: number;
  base: number;
  disputed: number;
}

/**
 * Aging detail, one row per open document or receipt line, in customer order, streamed in batches
 * through a cursor so a million open items never sit in memory at once. Must run inside a
 * transaction (the cursor lives until it ends). Returns how many rows there were.
 */
export async function agingDetail(
  client: SqlClient,
  ctx: CompanyContext,
  options: AgingOptions,
  onBatch: (rows: AgingDetailRow[]) => Promise<void> | void,
  batchSize = 5000,
): Promise<{ strategy: Exclude<AgingStrategy, 'auto'>; count: number }> {
  const r = await resolve(client, ctx, options);
  const ageFrom = r.spec.basis === 'due' ? 'coalesce(x.due_date, x.document_date)' : 'x.document_date';
  const cursor = 'openar_aging_detail';
  await withReportPlan(client, r.rebuild, () =>
    client.query(
      `DECLARE ${cursor} NO SCROLL CURSOR FOR
     WITH ${openItemCtes(r.rebuild)},
     ${disputedDocumentCte('$1', '$2')},
     item AS (SELECT x.*, ${bucketSql(r.spec.basis)} AS bucket FROM open_item x)
     SELECT x.item_kind, x.doc_type, coalesce(d.document_number, rc.receipt_key) AS number,
            c.customer_number, c.name AS customer_name, p.customer_number AS parent_number, c.collector,
            x.currency, x.document_date, x.due_date, ($2::date - ${ageFrom})::int4 AS age_days, x.bucket,
            x.minor, x.base,
            CASE WHEN dd.document_id IS NOT NULL AND x.minor > 0 AND x.doc_type <> 'credit_memo'
                 THEN least(x.minor, dd.disputed_minor) ELSE 0 END::int8 AS disputed
       FROM item x
       LEFT JOIN disputed_doc dd ON x.item_kind = 'document' AND dd.document_id = x.item_id
       LEFT JOIN document d ON x.item_kind = 'document' AND d.company_id = $1 AND d.document_id = x.item_id
       LEFT JOIN receipt rc ON x.item_kind = 'receipt' AND rc.company_id = $1 AND rc.receipt_id = x.item_id
       LEFT JOIN customer c ON c.company_id = $1 AND c.customer_id = x.customer_id
       LEFT JOIN customer p ON p.company_id = $1 AND p.customer_id = c.parent_customer_id
      ORDER BY c.customer_number NULLS LAST, x.currency, x.bucket DESC, x.due_date NULLS LAST,
               x.document_date, number`,
      params(ctx, r),
    ),
  );
  let count = 0;
  try {
    for (;;) {
      const { rows } = await client.query<DetailSqlRow>(`FETCH ${batchSize} FROM ${cursor}`);
      if (rows.length === 0) break;
      count += rows.length;
      await onBatch(rows.map(detailRow));
      if (rows.length < batchSize) break;
    }
  } finally {
    await client.query(`CLOSE ${cursor}`);
  }
  return { strategy: r.strategy, count };
}

function detailRow(x: DetailSqlRow): AgingDetailRow {
  return {
    itemKind: x.item_kind,
    docType: x.doc_type,
    number: x.number,
    customerNumber: x.customer_number,
    customerName: x.customer_name,
    parentNumber: x.parent_number,
    collector: x.collector,
    currency: x.currency.trim(),
    documentDate: x.document_date,
    dueDate: x.due_date,
    ageDays: x.age_days,
    bucket: x.bucket,
    openMinor: x.minor,
    openBaseMinor: x.base,
    disputedMinor: x.disputed,
  };
}
