import type { SqlClient } from '../../store/client.js';
import { parseInt8 } from '../../store/types.js';
import { DAYS_LATE_CAP, DAYS_LATE_FLOOR, type HistoryFacts, RECENT_DAYS } from './core/features.js';
import type { LabelledRow } from './core/model.js';

/**
 * Payment-behaviour facts out of the ledger's tables (a reporting read: document, application,
 * adjustment, document_revision; nothing here writes them), set-based.
 *
 * A document (invoice or debit memo) is settled on the date of the last application or adjustment
 * that brought its open amount to zero, counting only postings made by the as-of date. Every
 * customer's history is a stream of events: a document issued (adds to what was invoiced and is
 * open), settled (its days late; no longer open or overdue), overdue (past due + grace and not yet
 * settled). Window sums over each customer's events give, for any day T, the history strictly
 * before T: for a document on its issue date, a training row (the history the model would have
 * seen when the invoice went out). For each document still open on the as-of date, a prediction
 * row: the same sums over everything dated up to and including that date.
 *
 * The facts land in a temporary table (`prediction_input`, dropped at the end of the transaction)
 * and are read back through a cursor, so a million invoices never sit in memory at once.
 */

/** Column list of the temporary table's rows as read back. */
interface InputRow {
  kind: number;
  document_id: string;
  customer_id: string;
  document_number: string;
  currency: string;
  document_date: string;
  due_date: string;
  open_minor: number;
  open_base: number;
  amount_base: number;
  settled_on: string | null;
  late: boolean;
  paid_n: number;
  dl_sum: number;
  late_n: number;
  recent_n: number;
  recent_dl: number;
  issued_n: number;
  issued_sum: number;
  open_sum: number;
  overdue_n: number;
  tenure_days: number;
}

export const KIND_TRAINING = 1;
export const KIND_OPEN = 4;

const whole = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`expected a whole number, got ${n}`);
  return n;
};

/**
 * Builds `prediction_input`: training rows (documents whose outcome was known by the as-of date,
 * due + grace before it and due on or after `trainFrom`, at most `trainLimit`, the latest by due date)
 * and one row per document open on the as-of date. Returns the counts. Parameters are validated
 * numbers and dates.
 *
 * Three statements over a temporary `prediction_fact` (one row per invoice and debit memo dated by
 * the as-of date: amount, open amount and settled date as of that date, late or not):
 * - training rows need each customer's history at every issue date: a window over the customer's
 *   events. When more documents qualify than `trainLimit`, whole customers are sampled (a fixed
 *   hash of their id), so each sampled customer's history stays complete and the window only sorts
 *   the sample's events;
 * - open rows need every customer's history on one day: plain grouped sums, the same quantities the
 *   window would give at that day (test/collections/prediction.test.ts checks both on one ledger).
 */
export async function buildPredictionInput(
  client: SqlClient,
  companyId: string,
  p: { asOf: string; graceDays: number; trainFrom: string; trainLimit: number },
): Promise<{ training: number; open: number; sampledOneIn: number }> {
  const grace = whole(p.graceDays);
  const limit = whole(p.trainLimit);
  // Sorts and hashes of every customer's events: give them memory rather than disk. No JIT: it
  // compiles longer than these statements run. (SET LOCAL: this transaction only.)
  await client.query(`SET LOCAL work_mem = '256MB'`);
  await client.query('SET LOCAL jit = off');
  await client.query('DROP TABLE IF EXISTS prediction_fact');
  await client.query('DROP TABLE IF EXISTS prediction_input');
  await client.query(
    `CREATE TEMP TABLE prediction_fact ON COMMIT DROP AS
     WITH
     rev_after AS (
       SELECT document_id AS id, sum(amount_delta_minor)::int8 AS rev_minor, sum(base_delta_minor)::int8 AS rev_base
         FROM document_revision
        WHERE company_id = $1 AND posting_date > $2 AND (amount_delta_minor <> 0 OR base_delta_minor <> 0)
        GROUP BY document_id),
     -- Applications and adjustments summed apart: the planner knows how many documents have
     -- applications (a union of the two it cannot estimate, and plans for 200 groups).
     applied AS (
       SELECT document_id AS id, max(posting_date) AS last_posting, sum(applied_minor)::int8 AS m,
              sum(document_base_minor)::int8 AS b
         FROM application WHERE company_id = $1 AND document_id IS NOT NULL AND posting_date <= $2
        GROUP BY document_id),
     adjusted AS (
       SELECT document_id AS id, max(posting_date) AS last_posting, sum(amount_minor)::int8 AS m,
              sum(base_amount_minor)::int8 AS b
         FROM adjustment WHERE company_id = $1 AND posting_date <= $2
        GROUP BY document_id),
     cleared AS (
       SELECT coalesce(a.id, j.id) AS id,
              greatest(a.last_posting, j.last_posting) AS last_posting,
              coalesce(a.m, 0) + coalesce(j.m, 0) AS cleared_minor,
              coalesce(a.b, 0) + coalesce(j.b, 0) AS cleared_base
         FROM applied a FULL JOIN adjusted j ON j.id = a.id),
     fact AS (
       SELECT d.document_id, d.customer_id, d.document_number, d.currency, d.document_date, d.due_date,
              d.amount_minor - coalesce(r.rev_minor, 0) - coalesce(c.cleared_minor, 0) AS open_minor,
              d.base_amount_minor - coalesce(r.rev_base, 0) - coalesce(c.cleared_base, 0) AS open_base,
              d.base_amount_minor - coalesce(r.rev_base, 0) AS amount_base,
              CASE WHEN coalesce(c.cleared_minor, 0) >= d.amount_minor - coalesce(r.rev_minor, 0)
                   THEN c.last_posting END AS settled_on
         FROM document d
         LEFT JOIN rev_after r ON r.id = d.document_id
         LEFT JOIN cleared c ON c.id = d.document_id
        WHERE d.company_id = $1 AND d.doc_type <> 'credit_memo' AND d.document_date <= $2)
     SELECT f.*,
            CASE WHEN f.settled_on IS NOT NULL THEN f.settled_on > f.due_date + ${grace}
                 ELSE $2::date > f.due_date + ${grace} END AS late,
            -- A fixed number from the id's last (random) hex digits, for sampling whole customers.
            ('x' || right(f.customer_id::text, 7))::bit(28)::int4 AS customer_hash
       FROM fact f`,
    [companyId, p.asOf],
  );
  await client.query('ANALYZE prediction_fact');
  const { rows: eligible } = await client.query<{ n: number }>(
    `SELECT count(*)::int8 AS n FROM prediction_fact WHERE due_date + ${grace} < $1::date AND due_date >= $2::date`,
    [p.asOf, p.trainFrom],
  );
  // Sample one customer in m so that about 2 × the limit qualify (customers differ in size; the
  // latest `limit` are kept).
  const sampledOneIn = Math.max(1, Math.floor(eligible[0]!.n / (2 * limit)));
  await client.query(
    `CREATE TEMP TABLE prediction_input ON COMMIT DROP AS
     WITH
     labelled AS MATERIALIZED (
       SELECT * FROM prediction_fact WHERE customer_hash % ${sampledOneIn} = 0),
     ev AS (
       SELECT customer_id, document_date AS e, ${KIND_TRAINING} AS kind, document_id,
              1 AS issued, amount_base AS issued_base, amount_base AS open_delta,
              0 AS paid, 0 AS dl, 0 AS late_n, 0 AS overdue_delta,
              document_number, currency, document_date, due_date, open_minor, open_base, amount_base, settled_on, late
         FROM labelled
       UNION ALL
       SELECT customer_id, settled_on, 2, NULL, 0, 0, -amount_base, 1,
              least(greatest(settled_on - due_date, ${DAYS_LATE_FLOOR}), ${DAYS_LATE_CAP}),
              late::int, -(late::int), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
         FROM labelled WHERE settled_on IS NOT NULL
       UNION ALL
       SELECT customer_id, due_date + ${grace}, 3, NULL, 0, 0, 0, 0, 0, 0, 1,
              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
         FROM labelled WHERE late),
     w AS (
       SELECT kind, document_id, customer_id, document_number, currency, document_date, due_date, open_minor, open_base,
              amount_base, settled_on, late,
              coalesce(sum(paid) OVER h, 0)::int8 AS paid_n,
              coalesce(sum(dl) OVER h, 0)::int8 AS dl_sum,
              coalesce(sum(late_n) OVER h, 0)::int8 AS late_n,
              coalesce(sum(paid) OVER r, 0)::int8 AS recent_n,
              coalesce(sum(dl) OVER r, 0)::int8 AS recent_dl,
              coalesce(sum(issued) OVER h, 0)::int8 AS issued_n,
              coalesce(sum(issued_base) OVER h, 0)::int8 AS issued_sum,
              coalesce(sum(open_delta) OVER h, 0)::int8 AS open_sum,
              coalesce(sum(overdue_delta) OVER h, 0)::int8 AS overdue_n,
              coalesce(e - min(CASE WHEN kind = ${KIND_TRAINING} THEN e END) OVER h, 0) AS tenure_days
         FROM ev
       WINDOW h AS (PARTITION BY customer_id ORDER BY e
                    RANGE BETWEEN UNBOUNDED PRECEDING AND interval '1 day' PRECEDING),
              r AS (PARTITION BY customer_id ORDER BY e
                    RANGE BETWEEN interval '${whole(RECENT_DAYS)} days' PRECEDING AND interval '1 day' PRECEDING))
     SELECT * FROM w
      WHERE kind = ${KIND_TRAINING} AND due_date + ${grace} < $1::date AND due_date >= $2::date
      ORDER BY due_date DESC, document_id
      LIMIT ${limit}`,
    [p.asOf, p.trainFrom],
  );
  // History on the as-of date: everything dated by it (a window's frame "before the next day").
  await client.query(
    `INSERT INTO prediction_input
     WITH h AS (
       SELECT customer_id,
              count(*) FILTER (WHERE settled_on IS NOT NULL)::int8 AS paid_n,
              coalesce(sum(least(greatest(settled_on - due_date, ${DAYS_LATE_FLOOR}), ${DAYS_LATE_CAP}))
                FILTER (WHERE settled_on IS NOT NULL), 0)::int8 AS dl_sum,
              count(*) FILTER (WHERE settled_on IS NOT NULL AND late)::int8 AS late_n,
              count(*) FILTER (WHERE settled_on > $1::date - ${whole(RECENT_DAYS)})::int8 AS recent_n,
              coalesce(sum(least(greatest(settled_on - due_date, ${DAYS_LATE_FLOOR}), ${DAYS_LATE_CAP}))
                FILTER (WHERE settled_on > $1::date - ${whole(RECENT_DAYS)}), 0)::int8 AS recent_dl,
              count(*)::int8 AS issued_n,
              sum(amount_base)::int8 AS issued_sum,
              coalesce(sum(amount_base) FILTER (WHERE settled_on IS NULL), 0)::int8 AS open_sum,
              count(*) FILTER (WHERE settled_on IS NULL AND late)::int8 AS overdue_n,
              $1::date + 1 - min(document_date) AS tenure_days
         FROM prediction_fact
        WHERE customer_id IN (SELECT customer_id FROM prediction_fact WHERE settled_on IS NULL AND open_minor > 0)
        GROUP BY customer_id)
     SELECT ${KIND_OPEN}, f.document_id, f.customer_id, f.document_number, f.currency, f.document_date, f.due_date,
            f.open_minor, f.open_base, f.amount_base, f.settled_on, f.late,
            h.paid_n, h.dl_sum, h.late_n, h.recent_n, h.recent_dl, h.issued_n, h.issued_sum, h.open_sum, h.overdue_n,
            h.tenure_days
       FROM prediction_fact f JOIN h USING (customer_id)
      WHERE f.settled_on IS NULL AND f.open_minor > 0`,
    [p.asOf],
  );
  const { rows } = await client.query<{ kind: number; n: number }>(
    'SELECT kind, count(*)::int8 AS n FROM prediction_input GROUP BY kind',
  );
  const count = (k: number) => rows.find((r) => r.kind === k)?.n ?? 0;
  return { training: count(KIND_TRAINING), open: count(KIND_OPEN), sampledOneIn };
}

export interface OpenInput {
  documentId: string;
  customerId: string;
  documentNumber: string;
  currency: string;
  documentDate: string;
  dueDate: string;
  openMinor: number;
  openBaseMinor: number;
  facts: HistoryFacts;
}

function factsOf(r: InputRow, amountBase: number): HistoryFacts {
  return {
    paidCount: r.paid_n,
    daysLateSum: r.dl_sum,
    lateCount: r.late_n,
    recentPaidCount: r.recent_n,
    recentDaysLateSum: r.recent_dl,
    issuedCount: r.issued_n,
    issuedBaseMinor: r.issued_sum,
    openBaseMinor: r.open_sum,
    overdueCount: r.overdue_n,
    tenureDays: r.tenure_days,
    amountBaseMinor: amountBase,
    termsDays: daysFrom(r.document_date, r.due_date),
  };
}

const daysFrom = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

export function labelledOf(r: InputRow): LabelledRow {
  return {
    documentDate: r.document_date,
    dueDate: r.due_date,
    facts: factsOf(r, r.amount_base),
    late: r.late,
    daysLate: r.settled_on === null ? null : daysFrom(r.due_date, r.settled_on),
  };
}

export function openOf(r: InputRow): OpenInput {
  return {
    documentId: r.document_id,
    customerId: r.customer_id,
    documentNumber: r.document_number,
    currency: r.currency.trim(),
    documentDate: r.document_date,
    dueDate: r.due_date,
    openMinor: r.open_minor,
    openBaseMinor: r.open_base,
    // The open balance before the as-of date includes this document: the customer's exposure.
    facts: factsOf(r, r.amount_base),
  };
}

/** Reads one kind of row of `prediction_input` in batches through a cursor (inside the transaction). */
export async function readInput(
  client: SqlClient,
  kind: number,
  onBatch: (rows: InputRow[]) => Promise<void> | void,
  batchSize = 20_000,
): Promise<number> {
  const cursor = `prediction_input_${kind}`;
  await client.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR
     SELECT * FROM prediction_input WHERE kind = ${whole(kind)}`,
  );
  let count = 0;
  try {
    for (;;) {
      const { rows } = await client.query<InputRow>(`FETCH ${whole(batchSize)} FROM ${cursor}`);
      if (rows.length === 0) break;
      count += rows.length;
      await onBatch(rows.map(normalize));
    }
  } finally {
    await client.query(`CLOSE ${cursor}`);
  }
  return count;
}

/** int8 columns arrive as numbers already; plain ints (kind, tenure) as numbers; sums checked safe. */
function normalize(r: InputRow): InputRow {
  for (const key of ['open_minor', 'open_base', 'amount_base', 'issued_sum', 'open_sum'] as const) {
    if (typeof r[key] === 'string') r[key] = parseInt8(r[key] as unknown as string);
  }
  return r;
}
