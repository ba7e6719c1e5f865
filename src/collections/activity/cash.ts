import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import type { CashPiece } from './core/promises.js';

/**
 * A reporting read of the ledger's receipts and applications (never written here): the cash each
 * receipt brought each of the given customers from `fromDate` to `asOfDate`, as pieces —
 * cash applied to one of the customer's documents (whoever paid it: a parent paying a
 * subsidiary's invoice counts for the subsidiary), and the rest of a customer's own receipt not
 * applied to any document (unapplied or on account). Applications count net of their reversals
 * posted by the as-of date. A receipt partly applied in another currency leaves no "rest" piece
 * (the amounts cannot be subtracted across currencies). Two statements' worth of work in one.
 */
export async function loadCashPieces(
  client: SqlClient,
  ctx: Pick<CompanyContext, 'companyId'>,
  customerIds: readonly string[],
  fromDate: string,
  asOfDate: string,
): Promise<CashPiece[]> {
  if (customerIds.length === 0) return [];
  const { rows } = await client.query<{
    customer_id: string;
    currency: string;
    receipt_id: string;
    receipt_key: string;
    receipt_date: string;
    document_id: string | null;
    amount_minor: number;
  }>(
    `WITH applied AS (
       SELECT a.receipt_id, d.customer_id, a.document_id, a.currency, sum(a.cash_minor) AS cash_minor
         FROM document d
         JOIN application a ON a.company_id = d.company_id AND a.document_id = d.document_id
        WHERE d.company_id = $1 AND d.customer_id = ANY ($2::uuid[]) AND a.kind = 'payment'
          AND a.posting_date <= $4
        GROUP BY a.receipt_id, d.customer_id, a.document_id, a.currency
       HAVING sum(a.cash_minor) > 0),
     own AS (
       SELECT r.receipt_id, r.customer_id, r.currency,
              r.amount_minor - coalesce(sum(a.cash_minor), 0) AS rest_minor,
              coalesce(bool_and(a.currency = r.currency), true) AS same_currency
         FROM receipt r
         LEFT JOIN application a ON a.company_id = r.company_id AND a.receipt_id = r.receipt_id
              AND a.kind = 'payment' AND a.posting_date <= $4
        WHERE r.company_id = $1 AND r.customer_id = ANY ($2::uuid[]) AND r.receipt_date BETWEEN $3 AND $4
        GROUP BY r.receipt_id, r.customer_id, r.currency, r.amount_minor)
     SELECT x.customer_id, x.currency, x.receipt_id, r.receipt_key, to_char(r.receipt_date, 'YYYY-MM-DD') AS receipt_date,
            x.document_id, x.amount_minor::int8 AS amount_minor
       FROM (SELECT customer_id, currency, receipt_id, document_id, cash_minor AS amount_minor FROM applied
             UNION ALL
             SELECT customer_id, currency, receipt_id, NULL, rest_minor FROM own WHERE same_currency AND rest_minor > 0) x
       JOIN receipt r ON r.company_id = $1 AND r.receipt_id = x.receipt_id
      WHERE r.receipt_date BETWEEN $3 AND $4`,
    [ctx.companyId, customerIds, fromDate, asOfDate],
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    currency: r.currency.trim(),
    receiptId: r.receipt_id,
    receiptKey: r.receipt_key,
    receiptDate: r.receipt_date,
    documentId: r.document_id,
    amountMinor: r.amount_minor,
  }));
}
