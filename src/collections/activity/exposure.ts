import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { addDays } from '../core/dates.js';
import { type Exposure, type ExposureGroup, foldExposure } from './core/exposure.js';

/**
 * A reporting read of the ledger's open items (document and receipt, through the collections
 * indexes): one grouped statement for all customers, folded per customer in memory.
 */
export interface CustomerCredit extends Exposure {
  customerId: string;
  customerNumber: string;
  name: string;
  collector: string | null;
  creditLimitMinor: number | null;
}

interface GroupRow {
  customer_id: string;
  currency: string;
  debit_minor: number;
  debit_base_minor: number;
  credit_minor: number;
  credit_base_minor: number;
  late_minor: number;
  late_base_minor: number;
  oldest_past_due: string | null;
}

/**
 * Exposure of every customer (or of `customerIds`) as of `asOfDate`: balances are the ledger's
 * current open amounts; `asOfDate` sets which items are past due, and by more than
 * `pastDueDays` (null: no lateness rule, lateMinor 0).
 */
export async function loadCustomerCredit(
  client: SqlClient,
  ctx: Pick<CompanyContext, 'companyId' | 'baseCurrency'>,
  asOfDate: string,
  pastDueDays: number | null,
  customerIds: readonly string[] | null = null,
): Promise<Map<string, CustomerCredit>> {
  const lateBefore = pastDueDays === null ? null : addDays(asOfDate, -pastDueDays);
  const groups = await client.query<GroupRow>(
    `WITH items AS (
       SELECT d.customer_id, d.currency,
              CASE WHEN d.doc_type = 'credit_memo' THEN 0 ELSE d.open_minor END AS debit_minor,
              CASE WHEN d.doc_type = 'credit_memo' THEN 0 ELSE d.open_base_minor END AS debit_base_minor,
              CASE WHEN d.doc_type = 'credit_memo' THEN d.open_minor ELSE 0 END AS credit_minor,
              CASE WHEN d.doc_type = 'credit_memo' THEN d.open_base_minor ELSE 0 END AS credit_base_minor,
              CASE WHEN d.doc_type <> 'credit_memo' AND d.due_date < $3::date THEN d.open_minor ELSE 0 END AS late_minor,
              CASE WHEN d.doc_type <> 'credit_memo' AND d.due_date < $3::date THEN d.open_base_minor ELSE 0 END AS late_base_minor,
              CASE WHEN d.doc_type <> 'credit_memo' AND d.due_date < $2::date THEN d.due_date END AS past_due
         FROM document d
        WHERE d.company_id = $1 AND d.open_minor > 0
          AND ($4::uuid[] IS NULL OR d.customer_id = ANY ($4::uuid[]))
       UNION ALL
       SELECT r.customer_id, r.currency, 0, 0,
              r.unapplied_minor + r.on_account_minor, r.unapplied_base_minor + r.on_account_base_minor,
              0, 0, NULL
         FROM receipt r
        WHERE r.company_id = $1 AND r.customer_id IS NOT NULL AND (r.unapplied_minor > 0 OR r.on_account_minor > 0)
          AND ($4::uuid[] IS NULL OR r.customer_id = ANY ($4::uuid[])))
     SELECT customer_id, currency,
            sum(debit_minor)::int8 AS debit_minor, sum(debit_base_minor)::int8 AS debit_base_minor,
            sum(credit_minor)::int8 AS credit_minor, sum(credit_base_minor)::int8 AS credit_base_minor,
            sum(late_minor)::int8 AS late_minor, sum(late_base_minor)::int8 AS late_base_minor,
            to_char(min(past_due), 'YYYY-MM-DD') AS oldest_past_due
       FROM items GROUP BY customer_id, currency`,
    [ctx.companyId, asOfDate, lateBefore ?? '-infinity', customerIds],
  );
  const customers = await client.query<{
    customer_id: string;
    customer_number: string;
    name: string;
    currency: string;
    collector: string | null;
    credit_limit_minor: number | null;
  }>(
    `SELECT customer_id, customer_number, name, currency, collector, credit_limit_minor
       FROM customer WHERE company_id = $1 AND ($2::uuid[] IS NULL OR customer_id = ANY ($2::uuid[]))`,
    [ctx.companyId, customerIds],
  );
  const rates = await client.query<{ currency: string; rate: string }>(
    `SELECT DISTINCT ON (currency) currency, rate::text AS rate FROM fx_rate
      WHERE company_id = $1 AND rate_date <= $2 ORDER BY currency, rate_date DESC`,
    [ctx.companyId, asOfDate],
  );
  const rateMap = new Map(rates.rows.map((r) => [r.currency.trim(), r.rate]));
  const byCustomer = new Map<string, ExposureGroup[]>();
  for (const g of groups.rows) {
    let list = byCustomer.get(g.customer_id);
    if (!list) {
      list = [];
      byCustomer.set(g.customer_id, list);
    }
    list.push({
      currency: g.currency.trim(),
      debitMinor: g.debit_minor,
      debitBaseMinor: g.debit_base_minor,
      creditMinor: g.credit_minor,
      creditBaseMinor: g.credit_base_minor,
      lateMinor: pastDueDays === null ? 0 : g.late_minor,
      lateBaseMinor: pastDueDays === null ? 0 : g.late_base_minor,
      oldestPastDueDate: g.oldest_past_due,
    });
  }
  const result = new Map<string, CustomerCredit>();
  for (const c of customers.rows) {
    const exposure = foldExposure(
      byCustomer.get(c.customer_id) ?? [],
      c.currency.trim(),
      ctx.baseCurrency,
      rateMap,
    );
    result.set(c.customer_id, {
      ...exposure,
      customerId: c.customer_id,
      customerNumber: c.customer_number,
      name: c.name,
      collector: c.collector,
      creditLimitMinor: c.credit_limit_minor,
    });
  }
  return result;
}
