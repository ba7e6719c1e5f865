import type { CompanyContext } from '../../ledger/index.js';
import type { SqlClient } from '../../store/client.js';
import { invariant } from './core/errors.js';
import type { MovementRow, OpenItemRow, StatementCustomer } from './core/statement.js';

/**
 * Reporting reads of the ledger's tables for customers' statements (read-only: nothing here writes
 * a ledger table). Everything is scoped to a set of customers through the ledger's indexes
 * (documents and receipts by customer, applications by document and by receipt, adjustments and
 * revisions by document), so one statement costs what that customer's history costs, and the
 * statements attached to a dunning run's letters are read in the same two queries for all of them.
 * Parameters: $1 the company, $2 the customers (uuid[]), $3 the first day of the period, $4 the last.
 */

export const MAX_STATEMENT_CUSTOMERS = 100_000;

/** The customers' documents and receipts, and the applications that touch them up to $4. */
const SCOPE = `
docs AS MATERIALIZED (
  SELECT document_id, customer_id, currency, doc_type, document_number, document_date, due_date, amount_minor,
         description, CASE WHEN doc_type = 'credit_memo' THEN -1 ELSE 1 END AS sign
    FROM document WHERE company_id = $1 AND customer_id = ANY ($2::uuid[])),
rcps AS MATERIALIZED (
  SELECT receipt_id, customer_id, currency, receipt_key, receipt_date, amount_minor, method, reference
    FROM receipt WHERE company_id = $1 AND customer_id = ANY ($2::uuid[])),
rev AS MATERIALIZED (
  SELECT document_id, posting_date, amount_delta_minor, reason FROM document_revision
   WHERE company_id = $1 AND document_id = ANY (ARRAY(SELECT document_id FROM docs)) AND amount_delta_minor <> 0),
adj AS MATERIALIZED (
  SELECT document_id, kind, amount_minor, reason, posting_date FROM adjustment
   WHERE company_id = $1 AND document_id = ANY (ARRAY(SELECT document_id FROM docs)) AND posting_date <= $4),
apps AS MATERIALIZED (
  SELECT application_id, kind, receipt_id, credit_document_id, document_id, applied_minor, cash_minor, discount_minor,
         write_off_minor, write_off_reason, posting_date
    FROM application
   WHERE company_id = $1 AND posting_date <= $4 AND document_id = ANY (ARRAY(SELECT document_id FROM docs))
  UNION
  SELECT application_id, kind, receipt_id, credit_document_id, document_id, applied_minor, cash_minor, discount_minor,
         write_off_minor, write_off_reason, posting_date
    FROM application
   WHERE company_id = $1 AND posting_date <= $4 AND receipt_id = ANY (ARRAY(SELECT receipt_id FROM rcps))
  UNION
  SELECT application_id, kind, receipt_id, credit_document_id, document_id, applied_minor, cash_minor, discount_minor,
         write_off_minor, write_off_reason, posting_date
    FROM application
   WHERE company_id = $1 AND posting_date <= $4 AND credit_document_id = ANY (ARRAY(SELECT document_id FROM docs)))`;

/**
 * Every movement of the customers' balances up to $4, each signed by its effect on what the customer
 * owes: documents at their date (at their original amount; amount revisions are their own lines),
 * receipts at their date, discounts and write-offs taken with payments, adjustments, and cash one
 * customer paid for another's document (a parent paying a subsidiary). Applications inside the
 * period are listed with amount 0 (they move nothing between what is owed and what was paid).
 */
const MOVEMENTS = `
WITH ${SCOPE}
SELECT customer_id, currency, date, ord, kind, reference, description, amount_minor, info_minor FROM (
  SELECT d.customer_id, d.currency, d.document_date AS date, 1 AS ord, d.doc_type AS kind,
         d.document_number AS reference, coalesce(d.description, '') AS description,
         d.sign * (d.amount_minor - coalesce(rs.m, 0))::int8 AS amount_minor, 0::int8 AS info_minor
    FROM docs d
    LEFT JOIN (SELECT document_id, sum(amount_delta_minor)::int8 AS m FROM rev GROUP BY document_id) rs
      ON rs.document_id = d.document_id
   WHERE d.document_date <= $4
  UNION ALL
  SELECT d.customer_id, d.currency, r.posting_date, 2, 'revision', d.document_number, r.reason,
         d.sign * r.amount_delta_minor, 0
    FROM rev r JOIN docs d ON d.document_id = r.document_id WHERE r.posting_date <= $4
  UNION ALL
  SELECT d.customer_id, d.currency, a.posting_date, 3,
         CASE WHEN a.amount_minor < 0 THEN 'adjustment_reversal' ELSE a.kind END, d.document_number, a.reason,
         -d.sign * a.amount_minor, 0
    FROM adj a JOIN docs d ON d.document_id = a.document_id
  UNION ALL
  SELECT r.customer_id, r.currency, r.receipt_date, 4, 'payment', r.receipt_key,
         concat_ws(' ', r.method, r.reference), -r.amount_minor, 0
    FROM rcps r WHERE r.receipt_date <= $4
  UNION ALL
  SELECT d.customer_id, d.currency, a.posting_date, 5, 'discount', d.document_number,
         'discount taken with ' || coalesce(rc.receipt_key, 'a payment'), -a.discount_minor, 0
    FROM apps a JOIN docs d ON d.document_id = a.document_id
    LEFT JOIN receipt rc ON rc.company_id = $1 AND rc.receipt_id = a.receipt_id
   WHERE a.kind = 'payment' AND a.discount_minor <> 0
  UNION ALL
  SELECT d.customer_id, d.currency, a.posting_date, 5, 'write_off', d.document_number,
         coalesce(a.write_off_reason, 'written off with a payment'), -a.write_off_minor, 0
    FROM apps a JOIN docs d ON d.document_id = a.document_id
   WHERE a.kind = 'payment' AND a.write_off_minor <> 0
  UNION ALL
  SELECT d.customer_id, d.currency, a.posting_date, 6, 'paid_by_other', rc.receipt_key,
         'paid by ' || coalesce(pc.customer_number, 'another customer') || ' for ' || d.document_number,
         -a.cash_minor, 0
    FROM apps a JOIN docs d ON d.document_id = a.document_id
    JOIN receipt rc ON rc.company_id = $1 AND rc.receipt_id = a.receipt_id
    LEFT JOIN customer pc ON pc.company_id = $1 AND pc.customer_id = rc.customer_id
   WHERE a.kind = 'payment' AND rc.customer_id IS DISTINCT FROM d.customer_id
  UNION ALL
  SELECT r.customer_id, r.currency, a.posting_date, 6, 'paid_for_other', od.document_number,
         'applied to ' || coalesce(oc.customer_number, 'another customer') || ' ' || od.document_number,
         a.cash_minor, 0
    FROM apps a JOIN rcps r ON r.receipt_id = a.receipt_id
    JOIN document od ON od.company_id = $1 AND od.document_id = a.document_id
    LEFT JOIN customer oc ON oc.company_id = $1 AND oc.customer_id = od.customer_id
   WHERE a.kind = 'payment' AND od.customer_id IS DISTINCT FROM r.customer_id
  UNION ALL
  SELECT d.customer_id, d.currency, a.posting_date, 7, 'applied',
         coalesce(rc.receipt_key, cd.document_number, ''),
         CASE WHEN a.applied_minor < 0 THEN 'unapplied from ' ELSE 'applied to ' END || d.document_number,
         0, a.applied_minor
    FROM apps a JOIN docs d ON d.document_id = a.document_id
    LEFT JOIN receipt rc ON rc.company_id = $1 AND rc.receipt_id = a.receipt_id
    LEFT JOIN document cd ON cd.company_id = $1 AND cd.document_id = a.credit_document_id
   WHERE a.posting_date >= $3
) x
ORDER BY customer_id, currency, date, ord, reference COLLATE "C", kind`;

/** What was open on $4: documents (amount by then less what cleared them by then) and receipt cash. */
const OPEN_ITEMS = `
WITH ${SCOPE},
acts AS (
  SELECT id, sum(m)::int8 AS m FROM (
    SELECT document_id AS id, applied_minor AS m FROM apps WHERE document_id IS NOT NULL
    UNION ALL SELECT credit_document_id, cash_minor FROM apps WHERE credit_document_id IS NOT NULL
    UNION ALL SELECT document_id, amount_minor FROM adj) x
   GROUP BY id),
rev_after AS (SELECT document_id, sum(amount_delta_minor)::int8 AS m FROM rev WHERE posting_date > $4 GROUP BY document_id),
cash_out AS (
  SELECT receipt_id, sum(cash_minor)::int8 AS cash,
         coalesce(sum(cash_minor) FILTER (WHERE kind = 'on_account'), 0)::int8 AS oa
    FROM apps WHERE receipt_id IS NOT NULL GROUP BY receipt_id)
SELECT customer_id, currency, item_kind, reference, document_date, due_date, open_minor FROM (
  SELECT d.customer_id, d.currency, d.doc_type AS item_kind, d.document_number AS reference, d.document_date,
         d.due_date,
         d.sign * (CASE WHEN d.document_date <= $4 THEN d.amount_minor - coalesce(v.m, 0) ELSE 0 END
                   - coalesce(a.m, 0)) AS open_minor
    FROM docs d LEFT JOIN acts a ON a.id = d.document_id LEFT JOIN rev_after v ON v.document_id = d.document_id
  UNION ALL
  SELECT r.customer_id, r.currency, 'unapplied_cash', r.receipt_key, r.receipt_date, NULL::date,
         -(CASE WHEN r.receipt_date <= $4 THEN r.amount_minor ELSE 0 END - coalesce(c.cash, 0))
    FROM rcps r LEFT JOIN cash_out c ON c.receipt_id = r.receipt_id
  UNION ALL
  SELECT r.customer_id, r.currency, 'on_account', r.receipt_key, r.receipt_date, NULL::date, -coalesce(c.oa, 0)
    FROM rcps r LEFT JOIN cash_out c ON c.receipt_id = r.receipt_id
) x
WHERE open_minor <> 0 AND $3::date <= $4::date
ORDER BY customer_id, currency, due_date NULLS LAST, document_date, reference COLLATE "C"`;

interface MovementSql {
  customer_id: string;
  currency: string;
  date: string;
  ord: number;
  kind: string;
  reference: string;
  description: string;
  amount_minor: number;
  info_minor: number;
}

interface OpenSql {
  customer_id: string;
  currency: string;
  item_kind: string;
  reference: string;
  document_date: string;
  due_date: string | null;
  open_minor: number;
}

function checkScope(customerIds: readonly string[], from: string, to: string): void {
  invariant(
    customerIds.length <= MAX_STATEMENT_CUSTOMERS,
    'too-many-customers',
    `at most ${MAX_STATEMENT_CUSTOMERS} statements at once`,
  );
  invariant(from <= to, 'bad-period', `the period starts (${from}) after it ends (${to})`);
}

export async function readMovements(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
  from: string,
  to: string,
): Promise<MovementRow[]> {
  checkScope(customerIds, from, to);
  if (customerIds.length === 0) return [];
  const { rows } = await client.query<MovementSql>(MOVEMENTS, [ctx.companyId, customerIds, from, to]);
  return rows.map((r) => ({
    customerId: r.customer_id,
    currency: r.currency.trim(),
    date: r.date,
    kind: r.kind,
    reference: r.reference,
    description: r.description,
    amountMinor: r.amount_minor,
    infoMinor: r.info_minor,
  }));
}

export async function readOpenItems(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
  to: string,
): Promise<OpenItemRow[]> {
  checkScope(customerIds, to, to);
  if (customerIds.length === 0) return [];
  const { rows } = await client.query<OpenSql>(OPEN_ITEMS, [ctx.companyId, customerIds, to, to]);
  return rows.map((r) => ({
    customerId: r.customer_id,
    currency: r.currency.trim(),
    kind: r.item_kind,
    reference: r.reference,
    documentDate: r.document_date,
    dueDate: r.due_date,
    openMinor: r.open_minor,
  }));
}

/** Customers by id, with what a statement shows about them. */
export async function readStatementCustomers(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
): Promise<Map<string, StatementCustomer>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await client.query<{
    customer_id: string;
    customer_number: string;
    name: string;
    email: string | null;
    phone: string | null;
    terms_days: number;
  }>(
    `SELECT customer_id, customer_number, name, email, phone, terms_days FROM customer
      WHERE company_id = $1 AND customer_id = ANY ($2::uuid[])`,
    [ctx.companyId, customerIds],
  );
  return new Map(
    rows.map((r) => [
      r.customer_id,
      {
        customerId: r.customer_id,
        customerNumber: r.customer_number,
        name: r.name,
        email: r.email,
        phone: r.phone,
        termsDays: r.terms_days,
      },
    ]),
  );
}

/** A customer named by number (or id), as people type it on the command line. */
export async function findCustomer(
  client: SqlClient,
  ctx: CompanyContext,
  numberOrId: string,
): Promise<StatementCustomer> {
  const { rows } = await client.query<{ customer_id: string }>(
    `SELECT customer_id FROM customer WHERE company_id = $1 AND customer_number = $2
     UNION ALL
     SELECT customer_id FROM customer
      WHERE company_id = $1 AND $2 ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        AND customer_id::text = lower($2)
     LIMIT 1`,
    [ctx.companyId, numberOrId],
  );
  invariant(rows[0], 'customer-not-found', `no customer ${numberOrId}`);
  return (await readStatementCustomers(client, ctx, [rows[0].customer_id])).get(rows[0].customer_id)!;
}
