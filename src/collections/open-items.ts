import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import type { AgingStrategy } from './core/aging.js';
import { assertIsoDate, daysBetween } from './core/dates.js';
import { CollectionsError, invariant } from './core/errors.js';

/**
 * Open items as of a date, rebuilt from the ledger's tables as SQL common table expressions. This is
 * a reporting read of the ledger module's tables (documented in docs/ARCHITECTURE.md): nothing here
 * writes them.
 *
 * A document's open amount on date D is its amount (with the revisions posted by D) less the
 * applications and adjustments posted by D (reversals are negative rows, so they count by their own
 * date). A document dated after D contributes only what was applied to it by D: cash applied ahead of
 * the invoice, a credit on D. A receipt's unapplied cash on D is its amount (if received by D) less
 * the cash that left it by D; its on-account credit is the cash put on account by D.
 *
 * Every strategy ends in the CTE `open_item` (item_kind, item_id, customer_id, currency, doc_type,
 * document_date, due_date, minor, base): one row per open document (doc_type invoice, credit_memo,
 * debit_memo; minor/base signed, credit memos negative) and per receipt line (doc_type on_account
 * or unapplied_cash, negative, document_date = receipt date, no due date). Parameters: $1 the
 * company, $2 the as-of date.
 */

/**
 * Two CTEs over what was posted in a window (`posted` is an SQL condition on `posting_date`): the
 * applications (`<apps>`, read once for documents and receipts alike) and, per document, the
 * applications, adjustments and amount revisions (`<docs>`).
 */
function postedIn(apps: string, docs: string, posted: string): string {
  return `
${apps} AS MATERIALIZED (
  SELECT kind, document_id, credit_document_id, receipt_id, applied_minor, cash_minor, document_base_minor,
         source_base_minor
    FROM application WHERE company_id = $1 AND ${posted}),
${docs} AS (
  SELECT id, sum(acts_minor)::int8 AS acts_minor, sum(acts_base)::int8 AS acts_base,
         sum(rev_minor)::int8 AS rev_minor, sum(rev_base)::int8 AS rev_base
    FROM (SELECT document_id AS id, applied_minor AS acts_minor, document_base_minor AS acts_base,
                 0::int8 AS rev_minor, 0::int8 AS rev_base
            FROM ${apps} WHERE document_id IS NOT NULL
          UNION ALL
          SELECT credit_document_id, cash_minor, source_base_minor, 0, 0
            FROM ${apps} WHERE credit_document_id IS NOT NULL
          UNION ALL
          SELECT document_id, amount_minor, base_amount_minor, 0, 0
            FROM adjustment WHERE company_id = $1 AND ${posted}
          UNION ALL
          SELECT document_id, 0, 0, amount_delta_minor, base_delta_minor
            FROM document_revision
           WHERE company_id = $1 AND ${posted} AND (amount_delta_minor <> 0 OR base_delta_minor <> 0)) x
   GROUP BY id)`;
}

/** Applications (`app_after`) and per-document activity (`doc_after`) posted after $2. */
const APP_DOC_AFTER = postedIn('app_after', 'doc_after', 'posting_date > $2');

const DOC_COLUMNS = 'd.document_id, d.customer_id, d.currency, d.doc_type, d.document_date, d.due_date';

/**
 * An SQL condition that a customer id column passes (for cash of no customer too when `nullable`):
 * how a caller limits a rebuild to some customers (see CustomerCondition's users).
 */
export type CustomerCondition = (column: string, nullable: boolean) => string;

const EVERY_CUSTOMER: CustomerCondition = () => 'true';

/**
 * From the cached balances, adding back what was posted after $2 (cheap for recent dates), for the
 * customers `only` passes. The documents that are settled now but were open on $2 are fetched by
 * key (`= ANY (ARRAY(...))`): the planner cannot estimate how few they are and would otherwise scan
 * them all.
 */
const docOpenBackward = (only: CustomerCondition) => `${APP_DOC_AFTER},
doc_open AS (
  SELECT ${DOC_COLUMNS},
         d.open_minor + coalesce(a.acts_minor, 0) - coalesce(a.rev_minor, 0) AS open_minor,
         d.open_base_minor + coalesce(a.acts_base, 0) - coalesce(a.rev_base, 0) AS open_base
    FROM document d LEFT JOIN doc_after a ON a.id = d.document_id
   WHERE d.company_id = $1 AND d.open_minor > 0 AND d.document_date <= $2 AND ${only('d.customer_id', false)}
  UNION ALL
  SELECT ${DOC_COLUMNS}, a.acts_minor - a.rev_minor, a.acts_base - a.rev_base
    FROM document d JOIN doc_after a ON a.id = d.document_id
   WHERE d.company_id = $1 AND d.document_id = ANY (ARRAY(SELECT id FROM doc_after))
     AND d.open_minor = 0 AND d.document_date <= $2 AND ${only('d.customer_id', false)}
  UNION ALL
  SELECT ${DOC_COLUMNS},
         d.open_minor + coalesce(a.acts_minor, 0) - d.amount_minor,
         d.open_base_minor + coalesce(a.acts_base, 0) - d.base_amount_minor
    FROM document d LEFT JOIN doc_after a ON a.id = d.document_id
   WHERE d.company_id = $1 AND d.document_date > $2 AND ${only('d.customer_id', false)})`;

/** From the whole history: amounts less everything posted up to $2 (cheap for old dates). */
const DOC_OPEN_FORWARD = `
doc_upto AS (
  SELECT id, sum(m)::int8 AS acts_minor, sum(b)::int8 AS acts_base
    FROM (SELECT document_id AS id, applied_minor AS m, document_base_minor AS b
            FROM application WHERE company_id = $1 AND posting_date <= $2 AND document_id IS NOT NULL
          UNION ALL
          SELECT credit_document_id, cash_minor, source_base_minor
            FROM application WHERE company_id = $1 AND posting_date <= $2 AND credit_document_id IS NOT NULL
          UNION ALL
          SELECT document_id, amount_minor, base_amount_minor
            FROM adjustment WHERE company_id = $1 AND posting_date <= $2) x
   GROUP BY id),
rev_after AS (
  SELECT document_id AS id, sum(amount_delta_minor)::int8 AS rev_minor, sum(base_delta_minor)::int8 AS rev_base
    FROM document_revision WHERE company_id = $1 AND posting_date > $2 GROUP BY document_id),
doc_open AS (
  SELECT ${DOC_COLUMNS},
         d.amount_minor - coalesce(r.rev_minor, 0) - coalesce(u.acts_minor, 0) AS open_minor,
         d.base_amount_minor - coalesce(r.rev_base, 0) - coalesce(u.acts_base, 0) AS open_base
    FROM document d
    LEFT JOIN rev_after r ON r.id = d.document_id
    LEFT JOIN doc_upto u ON u.id = d.document_id
   WHERE d.company_id = $1 AND d.document_date <= $2
  UNION ALL
  SELECT ${DOC_COLUMNS}, -u.acts_minor, -u.acts_base
    FROM doc_upto u JOIN document d ON d.company_id = $1 AND d.document_id = u.id
   WHERE d.document_date > $2)`;

/** The cached balances as they are: valid when nothing was posted or revised after $2. */
const DOC_OPEN_CURRENT = `
doc_open AS (
  SELECT ${DOC_COLUMNS}, d.open_minor, d.open_base_minor AS open_base
    FROM document d WHERE d.company_id = $1 AND d.open_minor > 0)`;

const RCP_COLUMNS = 'r.receipt_id, r.customer_id, r.currency, r.receipt_date';

const rcpOpenBackward = (only: CustomerCondition) => `
rcp_after AS (
  SELECT receipt_id AS id, sum(cash_minor)::int8 AS cash, sum(source_base_minor)::int8 AS cash_base,
         coalesce(sum(cash_minor) FILTER (WHERE kind = 'on_account'), 0)::int8 AS oa,
         coalesce(sum(source_base_minor) FILTER (WHERE kind = 'on_account'), 0)::int8 AS oa_base
    FROM app_after WHERE receipt_id IS NOT NULL
   GROUP BY receipt_id),
rcp_open AS (
  SELECT ${RCP_COLUMNS},
         r.unapplied_minor + coalesce(a.cash, 0) AS unapplied,
         r.unapplied_base_minor + coalesce(a.cash_base, 0) AS unapplied_base,
         r.on_account_minor - coalesce(a.oa, 0) AS on_account,
         r.on_account_base_minor - coalesce(a.oa_base, 0) AS on_account_base
    FROM receipt r LEFT JOIN rcp_after a ON a.id = r.receipt_id
   WHERE r.company_id = $1 AND (r.unapplied_minor > 0 OR r.on_account_minor > 0) AND r.receipt_date <= $2
     AND ${only('r.customer_id', true)}
  UNION ALL
  SELECT ${RCP_COLUMNS}, a.cash, a.cash_base, -a.oa, -a.oa_base
    FROM receipt r JOIN rcp_after a ON a.id = r.receipt_id
   WHERE r.company_id = $1 AND r.receipt_id = ANY (ARRAY(SELECT id FROM rcp_after))
     AND r.unapplied_minor = 0 AND r.on_account_minor = 0 AND r.receipt_date <= $2 AND ${only('r.customer_id', true)}
  UNION ALL
  SELECT ${RCP_COLUMNS},
         r.unapplied_minor + coalesce(a.cash, 0) - r.amount_minor,
         r.unapplied_base_minor + coalesce(a.cash_base, 0) - r.base_amount_minor,
         r.on_account_minor - coalesce(a.oa, 0),
         r.on_account_base_minor - coalesce(a.oa_base, 0)
    FROM receipt r LEFT JOIN rcp_after a ON a.id = r.receipt_id
   WHERE r.company_id = $1 AND r.receipt_date > $2 AND ${only('r.customer_id', true)})`;

const RCP_OPEN_FORWARD = `
rcp_upto AS (
  SELECT receipt_id AS id, sum(cash_minor)::int8 AS cash, sum(source_base_minor)::int8 AS cash_base,
         coalesce(sum(cash_minor) FILTER (WHERE kind = 'on_account'), 0)::int8 AS oa,
         coalesce(sum(source_base_minor) FILTER (WHERE kind = 'on_account'), 0)::int8 AS oa_base
    FROM application WHERE company_id = $1 AND posting_date <= $2 AND receipt_id IS NOT NULL
   GROUP BY receipt_id),
rcp_open AS (
  SELECT ${RCP_COLUMNS},
         CASE WHEN r.receipt_date <= $2 THEN r.amount_minor ELSE 0 END - coalesce(u.cash, 0) AS unapplied,
         CASE WHEN r.receipt_date <= $2 THEN r.base_amount_minor ELSE 0 END - coalesce(u.cash_base, 0) AS unapplied_base,
         coalesce(u.oa, 0) AS on_account,
         coalesce(u.oa_base, 0) AS on_account_base
    FROM receipt r LEFT JOIN rcp_upto u ON u.id = r.receipt_id
   WHERE r.company_id = $1 AND (r.receipt_date <= $2 OR u.id IS NOT NULL))`;

const RCP_OPEN_CURRENT = `
rcp_open AS (
  SELECT ${RCP_COLUMNS}, r.unapplied_minor AS unapplied, r.unapplied_base_minor AS unapplied_base,
         r.on_account_minor AS on_account, r.on_account_base_minor AS on_account_base
    FROM receipt r WHERE r.company_id = $1 AND (r.unapplied_minor > 0 OR r.on_account_minor > 0))`;

/**
 * The due date a document had on $2: a revision posted after $2 that changed the due date holds
 * the old one (the earliest such revision holds the date in force on $2).
 */
const DUE_AS_OF = `
due_as_of AS (
  SELECT DISTINCT ON (document_id) document_id, (changes -> 'due_date' ->> 0)::date AS due_date
    FROM document_revision
   WHERE company_id = $1 AND posting_date > $2 AND changes -> 'due_date' IS NOT NULL
   ORDER BY document_id, posting_date, created_at, revision_id)`;

/**
 * From the AR snapshot of an earlier date S (a literal: validated ISO date) forward to $2: the
 * snapshot's open amounts, less what was posted in (S, $2], plus the documents and receipts dated
 * in (S, $2]. The same arithmetic as the forward rebuild, started from S instead of from nothing:
 * - a document dated by S: open on S + amount revisions in (S, $2] − applications and adjustments in (S, $2];
 * - a document dated in (S, $2]: its amount as revised by $2 + open on S (cash applied ahead of it, ≤ 0)
 *   − applications and adjustments in (S, $2];
 * - a document dated after $2: open on S − applications in (S, $2];
 * and a receipt likewise (its amount counts from its date). The snapshot is read once, joined by
 * hash to the little that moved since; the documents and receipts it does not hold are either dated
 * in (S, $2] (read by date) or touched in (S, $2] and dated outside it (fetched by key: those dated
 * in it, usually most of what was touched, are left out of the keys, being read by date already).
 */
function snapshotMoves(s: string): string {
  return `${postedIn('app_in', 'doc_in', `posting_date > '${s}'::date AND posting_date <= $2`)},
rev_after AS (
  SELECT document_id AS id, sum(amount_delta_minor)::int8 AS rev_minor, sum(base_delta_minor)::int8 AS rev_base
    FROM document_revision WHERE company_id = $1 AND posting_date > $2 GROUP BY document_id),
due_fix AS (
  SELECT d.document_id, d.due_date
    FROM document d
   WHERE d.company_id = $1
     AND d.document_id = ANY (ARRAY(SELECT DISTINCT document_id FROM document_revision
                                     WHERE company_id = $1 AND posting_date > '${s}'::date
                                       AND changes -> 'due_date' IS NOT NULL))),
snap_ahead AS MATERIALIZED (
  SELECT document_id FROM collections_ar_snapshot_document
   WHERE company_id = $1 AND as_of = '${s}'::date AND document_date > as_of),
doc_new AS (
  SELECT ${DOC_COLUMNS}, d.amount_minor - coalesce(r.rev_minor, 0) AS amount_minor,
         d.base_amount_minor - coalesce(r.rev_base, 0) AS base_minor
    FROM document d LEFT JOIN rev_after r ON r.id = d.document_id
   WHERE d.company_id = $1 AND d.document_date > '${s}'::date AND d.document_date <= $2)`;
}

/**
 * The snapshot's documents (`source` aliased s, filtered by `where`) with what moved since:
 * doc_open's rows for documents in the snapshot.
 */
function snapshotDocs(s: string, source: string, where: string): string {
  return `
  SELECT s.document_id, s.customer_id, s.currency, s.doc_type, s.document_date, coalesce(f.due_date, s.due_date) AS due_date,
         s.open_minor - coalesce(a.acts_minor, 0)
           + CASE WHEN s.document_date <= '${s}'::date THEN coalesce(a.rev_minor, 0) ELSE 0 END
           + CASE WHEN s.document_date > '${s}'::date AND s.document_date <= $2
                  THEN (SELECT n.amount_minor FROM doc_new n WHERE n.document_id = s.document_id) ELSE 0 END AS open_minor,
         s.open_base_minor - coalesce(a.acts_base, 0)
           + CASE WHEN s.document_date <= '${s}'::date THEN coalesce(a.rev_base, 0) ELSE 0 END
           + CASE WHEN s.document_date > '${s}'::date AND s.document_date <= $2
                  THEN (SELECT n.base_minor FROM doc_new n WHERE n.document_id = s.document_id) ELSE 0 END AS open_base
    FROM ${source} s
    LEFT JOIN doc_in a ON a.id = s.document_id
    LEFT JOIN due_fix f ON f.document_id = s.document_id
   WHERE ${where}`;
}

/**
 * doc_open's rows for documents not in the snapshot: dated in (S, $2], or touched in (S, $2].
 * `held` is a relation (alias x, column document_id) holding every touched document that the
 * snapshot holds: the snapshot itself, or (see snapshotSplitCtes) its rows of the moved documents,
 * a fifth of its size to hash for the anti-join.
 */
function docsBesideSnapshot(s: string, held = snapshotDocumentRows(s)): string {
  return `
  SELECT n.document_id, n.customer_id, n.currency, n.doc_type, n.document_date, n.due_date,
         n.amount_minor - coalesce(a.acts_minor, 0), n.base_minor - coalesce(a.acts_base, 0)
    FROM doc_new n LEFT JOIN doc_in a ON a.id = n.document_id
   WHERE n.document_id NOT IN (SELECT document_id FROM snap_ahead)
  UNION ALL
  SELECT ${DOC_COLUMNS},
         CASE WHEN d.document_date <= '${s}'::date THEN a.rev_minor ELSE 0 END - a.acts_minor,
         CASE WHEN d.document_date <= '${s}'::date THEN a.rev_base ELSE 0 END - a.acts_base
    FROM document d JOIN doc_in a ON a.id = d.document_id
   WHERE d.company_id = $1
     AND d.document_id = ANY (ARRAY(
           SELECT a.id FROM doc_in a
            WHERE NOT EXISTS (SELECT 1 FROM ${held} AND x.document_id = a.id)
              AND NOT EXISTS (SELECT 1 FROM doc_new n WHERE n.document_id = a.id)))
     AND (d.document_date <= '${s}'::date OR d.document_date > $2)`;
}

/** The snapshot's document rows, alias x, as the start of a WHERE clause. */
const snapshotDocumentRows = (s: string) =>
  `collections_ar_snapshot_document x WHERE x.company_id = $1 AND x.as_of = '${s}'::date`;

function docOpenSnapshot(s: string): string {
  return `${snapshotMoves(s)},
doc_open AS (${snapshotDocs(s, 'collections_ar_snapshot_document', `s.company_id = $1 AND s.as_of = '${s}'::date`)}
  UNION ALL${docsBesideSnapshot(s)})`;
}

function rcpOpenSnapshot(s: string): string {
  const dated = (r: string) => `${r}.receipt_date > '${s}'::date AND ${r}.receipt_date <= $2`;
  return `
rcp_in AS (
  SELECT receipt_id AS id, sum(cash_minor)::int8 AS cash, sum(source_base_minor)::int8 AS cash_base,
         coalesce(sum(cash_minor) FILTER (WHERE kind = 'on_account'), 0)::int8 AS oa,
         coalesce(sum(source_base_minor) FILTER (WHERE kind = 'on_account'), 0)::int8 AS oa_base
    FROM app_in WHERE receipt_id IS NOT NULL
   GROUP BY receipt_id),
rcp_snap AS MATERIALIZED (
  SELECT s.receipt_id, s.customer_id, s.currency, s.receipt_date, s.unapplied_minor, s.unapplied_base_minor,
         s.on_account_minor, s.on_account_base_minor
    FROM collections_ar_snapshot_receipt s WHERE s.company_id = $1 AND s.as_of = '${s}'::date),
rcp_new AS (
  SELECT ${RCP_COLUMNS}, r.amount_minor, r.base_amount_minor FROM receipt r WHERE r.company_id = $1 AND ${dated('r')}),
rcp_open AS (
  -- In the snapshot (its customer kept current by a trigger), with what moved since.
  SELECT s.receipt_id, s.customer_id, s.currency, s.receipt_date,
         s.unapplied_minor - coalesce(a.cash, 0)
           + CASE WHEN ${dated('s')} THEN (SELECT r.amount_minor FROM receipt r
                                            WHERE r.company_id = $1 AND r.receipt_id = s.receipt_id) ELSE 0 END AS unapplied,
         s.unapplied_base_minor - coalesce(a.cash_base, 0)
           + CASE WHEN ${dated('s')} THEN (SELECT r.base_amount_minor FROM receipt r
                                            WHERE r.company_id = $1 AND r.receipt_id = s.receipt_id) ELSE 0 END AS unapplied_base,
         s.on_account_minor + coalesce(a.oa, 0) AS on_account,
         s.on_account_base_minor + coalesce(a.oa_base, 0) AS on_account_base
    FROM rcp_snap s LEFT JOIN rcp_in a ON a.id = s.receipt_id
  UNION ALL
  -- Received in (S, $2]: the amount, less what moved since.
  SELECT ${RCP_COLUMNS}, r.amount_minor - coalesce(a.cash, 0), r.base_amount_minor - coalesce(a.cash_base, 0),
         coalesce(a.oa, 0), coalesce(a.oa_base, 0)
    FROM rcp_new r LEFT JOIN rcp_in a ON a.id = r.receipt_id
   WHERE NOT EXISTS (SELECT 1 FROM collections_ar_snapshot_receipt x
                      WHERE x.company_id = $1 AND x.as_of = '${s}'::date AND x.receipt_id = r.receipt_id)
  UNION ALL
  -- Not in the snapshot, received by S or after $2, touched in (S, $2]: fetched by key.
  SELECT ${RCP_COLUMNS}, -a.cash, -a.cash_base, a.oa, a.oa_base
    FROM receipt r JOIN rcp_in a ON a.id = r.receipt_id
   WHERE r.company_id = $1
     AND r.receipt_id = ANY (ARRAY(
           SELECT a.id FROM rcp_in a
            WHERE NOT EXISTS (SELECT 1 FROM collections_ar_snapshot_receipt x
                               WHERE x.company_id = $1 AND x.as_of = '${s}'::date AND x.receipt_id = a.id)
              AND NOT EXISTS (SELECT 1 FROM rcp_new n WHERE n.receipt_id = a.id)))
     AND NOT (${dated('r')}))`;
}

/** The CTE `name` shaped like open_item: doc_open's rows, and rcp_open's unless `receipts` is false. */
function openItem(dueAsOf: boolean, name = 'open_item', receipts = true): string {
  const signed = (col: string) => `CASE WHEN o.doc_type = 'credit_memo' THEN -${col} ELSE ${col} END`;
  const documents = `
  SELECT 'document'::text AS item_kind, o.document_id AS item_id, o.customer_id, o.currency, o.doc_type,
         o.document_date, ${dueAsOf ? 'coalesce(f.due_date, o.due_date)' : 'o.due_date'} AS due_date,
         ${signed('o.open_minor')} AS minor, ${signed('o.open_base')} AS base
    FROM doc_open o ${dueAsOf ? 'LEFT JOIN due_as_of f ON f.document_id = o.document_id' : ''}
   WHERE o.open_minor <> 0 OR o.open_base <> 0`;
  if (!receipts)
    return `
${name} AS (${documents})`;
  return `
${name} AS (${documents}
  UNION ALL
  SELECT 'receipt'::text, r.receipt_id, r.customer_id, r.currency, v.kind, r.receipt_date, NULL::date,
         v.minor, v.base
    FROM rcp_open r
    CROSS JOIN LATERAL (VALUES ('on_account'::text, -r.on_account, -r.on_account_base),
                               ('unapplied_cash'::text, -r.unapplied, -r.unapplied_base)) v (kind, minor, base)
   WHERE v.minor <> 0 OR v.base <> 0)`;
}

/** How open items are rebuilt for a date: a strategy, and for `snapshot` the snapshot's date. */
export interface Rebuild {
  strategy: Exclude<AgingStrategy, 'auto'>;
  /** The AR snapshot the rebuild starts from (strategy `snapshot` only). */
  snapshot?: string;
}

const snapshotDate = (r: Rebuild): string => assertIsoDate(r.snapshot ?? '', 'the snapshot date');

/**
 * The CTEs (without WITH) that define doc_open and rcp_open (see the top of this file); a backward
 * rebuild over the customers `only` passes (the others over all).
 */
export function openAmountCtes(r: Rebuild, only: CustomerCondition | null = null): string {
  invariant(
    only === null || r.strategy === 'backward',
    'internal',
    'only a backward rebuild is limited to customers',
  );
  switch (r.strategy) {
    case 'current':
      return [DOC_OPEN_CURRENT, RCP_OPEN_CURRENT].join(',');
    case 'backward':
      return [docOpenBackward(only ?? EVERY_CUSTOMER), rcpOpenBackward(only ?? EVERY_CUSTOMER)].join(',');
    case 'forward':
      return [DOC_OPEN_FORWARD, RCP_OPEN_FORWARD].join(',');
    case 'snapshot':
      return [docOpenSnapshot(snapshotDate(r)), rcpOpenSnapshot(snapshotDate(r))].join(',');
    case 'changes':
    case 'cached':
      // The change log holds sums by bucket key, the cache summary batches, not documents: only
      // the aging summary reads them.
      throw new CollectionsError(
        'strategy-invalid',
        `the ${r.strategy === 'changes' ? 'change log' : 'cached aging'} rebuilds no open items, only the aging summary`,
      );
  }
}

/**
 * Runs a report's queries (`work`) with just-in-time compilation off, and nested-loop joins off
 * too when the rebuild `r` starts from a snapshot; the previous settings are put back after.
 *
 * JIT: these queries read a million rows once; compiling their expressions took longer than it
 * saved (at 10M invoices, the aging by parent spent 1.0 of its 3.0 s compiling: the recursive
 * parent lookup's estimate crosses PostgreSQL's inlining and optimization thresholds).
 *
 * Nested loops: a snapshot rebuild's CTEs (what moved since the snapshot, grouped per document)
 * have no statistics, so the planner guesses a few hundred rows where a month of postings gives
 * hundreds of thousands, and a nested loop over them is quadratic; hash joins are linear whatever
 * the sizes.
 */
export async function withReportPlan<T>(
  client: SqlClient,
  r: Rebuild | null,
  work: () => Promise<T>,
): Promise<T> {
  const nestloop = r?.strategy === 'snapshot' || r?.strategy === 'changes' ? 'off' : null;
  const { rows } = await client.query<{ was: string; jit: string }>(
    `SELECT current_setting('enable_nestloop') AS was, set_config('enable_nestloop', coalesce($1, current_setting('enable_nestloop')), true),
            current_setting('jit') AS jit, set_config('jit', 'off', true)`,
    [nestloop],
  );
  try {
    return await work();
  } finally {
    await client.query("SELECT set_config('enable_nestloop', $1, true), set_config('jit', $2, true)", [
      rows[0]!.was,
      rows[0]!.jit,
    ]);
  }
}

/** The CTEs (without WITH) that define open_item for a rebuild (see openAmountCtes for `only`). */
export function openItemCtes(
  r: Rebuild | Exclude<AgingStrategy, 'auto'>,
  only: CustomerCondition | null = null,
): string {
  const rebuild = typeof r === 'string' ? { strategy: r } : r;
  if (rebuild.strategy === 'current') return [openAmountCtes(rebuild, only), openItem(false)].join(',');
  return [openAmountCtes(rebuild, only), DUE_AS_OF, openItem(true)].join(',');
}

/**
 * The snapshot rebuild split for a pivot that streams the snapshot in its (customer, currency)
 * index order (see aging.ts): all the snapshot's documents as they stand (`snapshotDocumentsSql`),
 * plus corrections. Most documents did not move between the snapshot's date S and $2; for those
 * that did (applied, adjusted or revised in (S, $2], due date revised after S, dated after S) and
 * those `alsoMoved` (an SQL query of document ids, e.g. the disputed ones, whose amounts need the
 * document), the CTE `moved_snap` holds their snapshot rows, to be taken off, and the CTE
 * `moved_item` (shaped like open_item, documents only) their open items on $2, with every document
 * the snapshot does not hold. The receipts on $2 are the CTE `rcp_open` (see the top of this file),
 * for the caller to sum: they have no bucket to find and no dispute to look up. The streamed part
 * is never filtered by the moved ones: a join would lose the index order (a hash join's output has
 * no order the planner can count on), and a NOT IN is a hashed subplan only while the planner's
 * guess of its size fits in work_mem (beyond, one scan of the list per row).
 */
export function snapshotSplitCtes(r: Rebuild, alsoMoved: string): string {
  const s = snapshotDate(r);
  return [
    `${snapshotMoves(s)},
moved AS MATERIALIZED (
  SELECT id FROM (SELECT id FROM doc_in
                  UNION ALL SELECT document_id FROM due_fix
                  UNION ALL SELECT document_id FROM snap_ahead
                  UNION ALL ${alsoMoved}) m (id)
   WHERE id IS NOT NULL),
moved_snap AS MATERIALIZED (
  SELECT s.document_id, s.customer_id, s.currency, s.doc_type, s.document_date, s.due_date, s.open_minor,
         s.open_base_minor
    FROM collections_ar_snapshot_document s
   WHERE s.company_id = $1 AND s.as_of = '${s}'::date AND s.document_id IN (SELECT id FROM moved)),
doc_open AS (${snapshotDocs(s, 'moved_snap', 'true')}
  UNION ALL${docsBesideSnapshot(s, 'moved_snap x WHERE true')})`,
    rcpOpenSnapshot(s),
    DUE_AS_OF,
    openItem(true, 'moved_item', false),
  ].join(',');
}

/** FROM and WHERE (alias s) of the snapshot's documents (see snapshotSplitCtes). */
export function snapshotDocumentsSql(r: Rebuild): string {
  return `collections_ar_snapshot_document s WHERE s.company_id = $1 AND s.as_of = '${snapshotDate(r)}'::date`;
}

/** The CTE due_as_of (document_id, due_date): the due dates in force on $2 that differ from today's. */
export const DUE_AS_OF_CTE = DUE_AS_OF;

/**
 * The CTE `ahead` (customer_id; null: cash of no customer), at most `limit` rows (an SQL value),
 * with repeats: the customers whose open items on $2 may differ from their balances as they stand,
 * being those of what the backward rebuild adds back (the documents and receipts dated after $2,
 * and those an application, adjustment or revision posted after $2 touched; DUE_AS_OF's revisions
 * among them). Every other customer's open items on $2 are its current balances. Read by index,
 * from the newest postings: cheap for today, and bounded by the limit for an older day.
 */
export function aheadCte(limit: string): string {
  const posted = (t: string) => `${t}.company_id = $1 AND ${t}.posting_date > $2`;
  return `
ahead AS (
  SELECT customer_id FROM (
    SELECT customer_id FROM document WHERE company_id = $1 AND document_date > $2
    UNION ALL
    SELECT d.customer_id FROM application a
      JOIN document d ON d.company_id = $1 AND d.document_id IN (a.document_id, a.credit_document_id)
     WHERE ${posted('a')}
    UNION ALL
    SELECT d.customer_id FROM adjustment j JOIN document d ON d.company_id = $1 AND d.document_id = j.document_id
     WHERE ${posted('j')}
    UNION ALL
    SELECT d.customer_id FROM document_revision v JOIN document d ON d.company_id = $1 AND d.document_id = v.document_id
     WHERE ${posted('v')}
    UNION ALL
    SELECT customer_id FROM receipt WHERE company_id = $1 AND receipt_date > $2
    UNION ALL
    SELECT r.customer_id FROM application a JOIN receipt r ON r.company_id = $1 AND r.receipt_id = a.receipt_id
     WHERE ${posted('a')} AND a.receipt_id IS NOT NULL) x
  LIMIT ${limit})`;
}

/**
 * Which rebuild is cheapest for $2. `current` when nothing was posted or revised after the date
 * (the cached balances are the answer); else from the latest valid AR snapshot on or before the
 * date when less has happened since it than after the date; otherwise `backward` when the date is
 * nearer the last posting than the first (less history after it than before), else `forward`.
 */
export async function chooseRebuild(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<Rebuild> {
  const { rows } = await client.query<{
    first: string | null;
    last: string | null;
    revised: boolean;
    snapshot: string | null;
  }>(
    `SELECT (SELECT min(posting_date) FROM journal_entry WHERE company_id = $1) AS first,
            (SELECT max(posting_date) FROM journal_entry WHERE company_id = $1) AS last,
            EXISTS (SELECT 1 FROM document_revision WHERE company_id = $1 AND posting_date > $2) AS revised,
            (SELECT max(as_of) FROM collections_ar_snapshot WHERE company_id = $1 AND as_of <= $2)::text AS snapshot`,
    [ctx.companyId, asOf],
  );
  const { first, last, revised, snapshot } = rows[0]!;
  if (first === null || last === null) return { strategy: 'current' };
  if (last <= asOf && !revised) return { strategy: 'current' };
  if (snapshot !== null && daysBetween(snapshot, asOf) <= daysBetween(asOf, last))
    return { strategy: 'snapshot', snapshot };
  if (asOf < first) return { strategy: 'forward' };
  return { strategy: daysBetween(asOf, last) <= daysBetween(first, asOf) ? 'backward' : 'forward' };
}

/** Which strategy rebuilds $2 cheapest (see chooseRebuild). */
export async function chooseStrategy(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
): Promise<Exclude<AgingStrategy, 'auto'>> {
  return (await chooseRebuild(client, ctx, asOf)).strategy;
}

/**
 * The rebuild asked for, or the cheapest; `current` only where it is valid, `snapshot` from the
 * latest valid snapshot on or before the date (there must be one).
 */
export async function resolveRebuild(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
  strategy: AgingStrategy,
): Promise<Rebuild> {
  if (strategy === 'backward' || strategy === 'forward') return { strategy };
  invariant(
    strategy !== 'changes' && strategy !== 'cached',
    'strategy-invalid',
    `the ${strategy === 'changes' ? 'change log' : 'cached aging'} serves the aging summary only`,
  );
  if (strategy === 'snapshot') {
    const { rows } = await client.query<{ s: string | null }>(
      'SELECT max(as_of)::text AS s FROM collections_ar_snapshot WHERE company_id = $1 AND as_of <= $2',
      [ctx.companyId, asOf],
    );
    invariant(rows[0]?.s, 'strategy-invalid', `there is no AR snapshot on or before ${asOf}`);
    return { strategy, snapshot: rows[0].s };
  }
  const chosen = await chooseRebuild(client, ctx, asOf);
  invariant(
    strategy === 'auto' || chosen.strategy === 'current',
    'strategy-invalid',
    `the cached balances are not those of ${asOf}: postings were made after it`,
  );
  return chosen;
}

/** The strategy asked for, or the cheapest (see resolveRebuild). */
export async function resolveStrategy(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
  strategy: AgingStrategy,
): Promise<Exclude<AgingStrategy, 'auto'>> {
  return (await resolveRebuild(client, ctx, asOf, strategy)).strategy;
}

/**
 * The AR behind the metrics at two dates in one pass, backward from the cached balances: $3 the
 * earlier date (the day before the period), $2 the later (its last day); $1 the company. Every
 * document open on either date is open now, was touched after $3, or is dated after $3, so one set
 * of candidates serves both. Ends in `ar_pair` (customer_id, doc_type, document_date, due_date as of
 * $2, b1, b2): signed base amounts open on $3 and on $2; on-account credits as doc_type
 * 'on_account'. Unapplied cash is not AR and is left out.
 */
export const AR_PAIR_CTES = `
app_after1 AS MATERIALIZED (
  SELECT kind, posting_date, document_id, credit_document_id, receipt_id, document_base_minor, source_base_minor
    FROM application WHERE company_id = $1 AND posting_date > $3),
pair_after AS (
  SELECT id, sum(b)::int8 AS a1, coalesce(sum(b) FILTER (WHERE p > $2), 0)::int8 AS a2,
         sum(rb)::int8 AS r1, coalesce(sum(rb) FILTER (WHERE p > $2), 0)::int8 AS r2
    FROM (SELECT document_id AS id, posting_date AS p, document_base_minor AS b, 0::int8 AS rb
            FROM app_after1 WHERE document_id IS NOT NULL
          UNION ALL
          SELECT credit_document_id, posting_date, source_base_minor, 0 FROM app_after1 WHERE credit_document_id IS NOT NULL
          UNION ALL
          SELECT document_id, posting_date, base_amount_minor, 0
            FROM adjustment WHERE company_id = $1 AND posting_date > $3
          UNION ALL
          SELECT document_id, posting_date, 0, base_delta_minor
            FROM document_revision WHERE company_id = $1 AND posting_date > $3 AND base_delta_minor <> 0) x
   GROUP BY id),
doc_pair AS (
  -- Dated by $3 (so by $2): the amount never counts, and the open documents' index holds the rest.
  SELECT d.document_id, d.customer_id, d.doc_type, d.document_date, d.due_date, d.open_base_minor AS open_now,
         0::int8 AS amount, a.a1, a.a2, a.r1, a.r2
    FROM document d LEFT JOIN pair_after a ON a.id = d.document_id
   WHERE d.company_id = $1 AND d.open_minor > 0 AND d.document_date <= $3
  UNION ALL
  SELECT d.document_id, d.customer_id, d.doc_type, d.document_date, d.due_date, d.open_base_minor, 0::int8,
         a.a1, a.a2, a.r1, a.r2
    FROM document d JOIN pair_after a ON a.id = d.document_id
   WHERE d.company_id = $1 AND d.document_id = ANY (ARRAY(SELECT id FROM pair_after))
     AND d.open_minor = 0 AND d.document_date <= $3
  UNION ALL
  SELECT d.document_id, d.customer_id, d.doc_type, d.document_date, d.due_date, d.open_base_minor, d.base_amount_minor,
         a.a1, a.a2, a.r1, a.r2
    FROM document d LEFT JOIN pair_after a ON a.id = d.document_id
   WHERE d.company_id = $1 AND d.document_date > $3),
${DUE_AS_OF.trim()},
rcp_pair AS (
  SELECT receipt_id AS id, sum(source_base_minor)::int8 AS oa1,
         coalesce(sum(source_base_minor) FILTER (WHERE posting_date > $2), 0)::int8 AS oa2
    FROM app_after1 WHERE receipt_id IS NOT NULL AND kind = 'on_account' GROUP BY receipt_id),
ar_pair AS (
  SELECT p.customer_id, p.doc_type, p.document_date, coalesce(f.due_date, p.due_date) AS due_date,
         CASE WHEN p.doc_type = 'credit_memo' THEN -1 ELSE 1 END
           * (p.open_now + coalesce(p.a1, 0) - coalesce(p.r1, 0)
              - CASE WHEN p.document_date > $3 THEN p.amount - coalesce(p.r1, 0) ELSE 0 END) AS b1,
         CASE WHEN p.doc_type = 'credit_memo' THEN -1 ELSE 1 END
           * (p.open_now + coalesce(p.a2, 0) - coalesce(p.r2, 0)
              - CASE WHEN p.document_date > $2 THEN p.amount - coalesce(p.r2, 0) ELSE 0 END) AS b2
    FROM doc_pair p LEFT JOIN due_as_of f ON f.document_id = p.document_id
  UNION ALL
  SELECT r.customer_id, 'on_account', r.receipt_date, NULL::date,
         -(r.on_account_base_minor - coalesce(a.oa1, 0)), -(r.on_account_base_minor - coalesce(a.oa2, 0))
    FROM receipt r LEFT JOIN rcp_pair a ON a.id = r.receipt_id
   WHERE r.company_id = $1 AND r.on_account_minor > 0
  UNION ALL
  SELECT r.customer_id, 'on_account', r.receipt_date, NULL::date, a.oa1, a.oa2
    FROM receipt r JOIN rcp_pair a ON a.id = r.receipt_id
   WHERE r.company_id = $1 AND r.receipt_id = ANY (ARRAY(SELECT id FROM rcp_pair)) AND r.on_account_minor = 0)`;
