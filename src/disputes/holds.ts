import type { SqlClient } from '../store/client.js';

/**
 * What other modules (dunning, the collector's worklist, aging) need to know about disputes, read
 * set-based from this module's tables. A case is live until it is resolved or closed; while live,
 * its amounts are held out of dunning.
 */

const LIVE = `status NOT IN ('resolved', 'closed')`;

/** Amounts in dispute per document, over live cases (a document may be in several). */
export async function disputedByDocument(
  client: SqlClient,
  companyId: string,
): Promise<Map<string, { disputedMinor: number; caseIds: string[] }>> {
  const { rows } = await client.query<{ document_id: string; disputed_minor: number; case_ids: string[] }>(
    `SELECT l.document_id, sum(l.amount_minor)::int8 AS disputed_minor, array_agg(l.case_id ORDER BY l.case_id) AS case_ids
       FROM dispute_case c
       JOIN dispute_case_line l ON l.company_id = c.company_id AND l.case_id = c.case_id
      WHERE c.company_id = $1 AND c.${LIVE}
      GROUP BY l.document_id`,
    [companyId],
  );
  const out = new Map<string, { disputedMinor: number; caseIds: string[] }>();
  for (const r of rows) out.set(r.document_id, { disputedMinor: r.disputed_minor, caseIds: r.case_ids });
  return out;
}

export interface OverdueCase {
  caseId: string;
  customerId: string;
  owner: string;
  deadline: string;
  amountMinor: number;
  currency: string;
  reasonCode: string;
  escalationLevel: number;
}

/** Live cases whose deadline is before the date, oldest deadline first. */
export async function overdueCases(
  client: SqlClient,
  companyId: string,
  asOfDate: string,
): Promise<OverdueCase[]> {
  const { rows } = await client.query<{
    case_id: string;
    customer_id: string;
    owner: string;
    deadline: string;
    amount_minor: number;
    currency: string;
    reason_code: string;
    escalation_level: number;
  }>(
    `SELECT case_id, customer_id, owner, deadline, amount_minor,
            currency, reason_code, escalation_level
       FROM dispute_case
      WHERE company_id = $1 AND ${LIVE} AND deadline < $2::date
      ORDER BY deadline, case_number`,
    [companyId, asOfDate],
  );
  return rows.map((r) => ({
    caseId: r.case_id,
    customerId: r.customer_id,
    owner: r.owner,
    deadline: r.deadline,
    amountMinor: r.amount_minor,
    currency: r.currency.trim(),
    reasonCode: r.reason_code,
    escalationLevel: r.escalation_level,
  }));
}

/** Cases opened on or after the date per customer (any status): how often a customer disputes. */
export async function disputeCountsByCustomer(
  client: SqlClient,
  companyId: string,
  sinceDate: string,
): Promise<Map<string, { cases: number; amountMinor: number }>> {
  const { rows } = await client.query<{ customer_id: string; cases: number; amount_minor: number }>(
    `SELECT customer_id, count(*)::int8 AS cases, sum(amount_minor)::int8 AS amount_minor
       FROM dispute_case WHERE company_id = $1 AND opened_on >= $2::date
      GROUP BY customer_id`,
    [companyId, sinceDate],
  );
  const out = new Map<string, { cases: number; amountMinor: number }>();
  for (const r of rows) out.set(r.customer_id, { cases: r.cases, amountMinor: r.amount_minor });
  return out;
}

/**
 * Collect-backs: documents whose case was resolved invalid or partial with an amount to collect,
 * and the owner's finding, so dunning can tell the customer why the amount is still due. The latest
 * resolution per document wins.
 */
export async function collectBackFindings(
  client: SqlClient,
  companyId: string,
  sinceDate: string,
): Promise<
  Map<
    string,
    { caseId: string; caseNumber: string; collectMinor: number; finding: string; resolvedOn: string }
  >
> {
  const { rows } = await client.query<{
    document_id: string;
    case_id: string;
    case_number: string;
    collect_minor: number;
    finding: string;
    resolved_on: string;
  }>(
    `SELECT DISTINCT ON (l.document_id) l.document_id, c.case_id, c.case_number,
            (l.amount_minor - coalesce(l.credit_minor, 0))::int8 AS collect_minor, c.finding,
            c.resolved_on
       FROM dispute_case c
       JOIN dispute_case_line l ON l.company_id = c.company_id AND l.case_id = c.case_id
      WHERE c.company_id = $1 AND c.status = 'resolved' AND c.outcome IN ('invalid', 'partial')
        AND c.resolved_on >= $2::date AND l.amount_minor > coalesce(l.credit_minor, 0)
      ORDER BY l.document_id, c.resolved_on DESC, c.case_id DESC`,
    [companyId, sinceDate],
  );
  const out = new Map<
    string,
    { caseId: string; caseNumber: string; collectMinor: number; finding: string; resolvedOn: string }
  >();
  for (const r of rows) {
    out.set(r.document_id, {
      caseId: r.case_id,
      caseNumber: r.case_number,
      collectMinor: r.collect_minor,
      finding: r.finding,
      resolvedOn: r.resolved_on,
    });
  }
  return out;
}

/**
 * The CTE `disputed_doc (document_id, disputed_minor)`: amounts in dispute per document on the date
 * in parameter `$n` (cases opened by then and not resolved or closed by then), for reports that join
 * it in SQL (aging). The disputes module owns the SQL over its tables; callers only join the CTE.
 */
export function disputedDocumentCte(companyParam: string, asOfParam: string): string {
  // Live now (the partial index of live cases) or resolved after the date (the resolution-date
  // index): never a scan of every case the company ever had.
  return `disputed_doc AS (
  SELECT l.document_id, sum(l.amount_minor)::int8 AS disputed_minor
    FROM (SELECT case_id FROM dispute_case
           WHERE company_id = ${companyParam} AND status NOT IN ('resolved', 'closed') AND opened_on <= ${asOfParam}::date
          UNION ALL
          SELECT case_id FROM dispute_case
           WHERE company_id = ${companyParam} AND resolved_on > ${asOfParam}::date AND opened_on <= ${asOfParam}::date) c
    JOIN dispute_case_line l ON l.company_id = ${companyParam} AND l.case_id = c.case_id
   GROUP BY l.document_id)`;
}
