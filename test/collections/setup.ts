import { uuidv7 } from 'uuidv7';
import {
  applyReceipt,
  type CompanyContext,
  createCompany,
  postDocument,
  recordReceipt,
} from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import type { Database } from '../../src/store/database.js';

export const actor = 'collections-test';

/** Rows a company has in `table` (a module's bookkeeping: marks, kept rows). */
export async function companyRows(database: Database, table: string, ctx: CompanyContext): Promise<number> {
  const rows = await database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE company_id = $1`,
    [ctx.companyId],
  );
  return rows[0]!.n;
}

export interface TestCustomer {
  number: string;
  parent?: string;
  collector?: string;
  currency?: string;
  termsDays?: number;
}

/** A company with customers (parents before children); returns the context and ids by number. */
export async function companyWithCustomers(
  database: Database,
  code: string,
  customers: readonly TestCustomer[],
): Promise<{ ctx: CompanyContext; ids: Record<string, string> }> {
  return database.transaction(async ({ client }) => {
    const ctx = await createCompany(client, { code, name: code, baseCurrency: 'USD', actor });
    const ids: Record<string, string> = {};
    for (const c of customers) {
      ids[c.number] = uuidv7();
      await client.query(
        `INSERT INTO customer (company_id, customer_id, customer_number, name, parent_customer_id, currency,
           terms_days, collector, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
        [
          ctx.companyId,
          ids[c.number],
          c.number,
          `Customer ${c.number}`,
          c.parent ? ids[c.parent] : null,
          c.currency ?? 'USD',
          c.termsDays ?? 30,
          c.collector ?? null,
          actor,
        ],
      );
    }
    return { ctx, ids };
  });
}

/** A currency other than USD and its rate to USD. */
export interface Fx {
  currency: string;
  rate: string;
}

type DocType = 'invoice' | 'credit_memo';

const money = (amountMinor: number, fx?: Fx) => ({
  amountMinor,
  currency: fx?.currency ?? 'USD',
  fxRate: fx?.rate,
});

/**
 * Posting steps in one transaction of company `ctx` that name customers, documents and receipts by
 * their keys in `ids` (the customers as companyWithCustomers gives them). Each document and receipt
 * posted is added to `ids` under its number or key, so that later steps can name it; a key already
 * there is refused. Amounts are in USD unless `fx` gives another currency.
 */
export function postings(client: SqlClient, ctx: CompanyContext, ids: Record<string, string>) {
  const named = async (key: string, post: () => Promise<string>) => {
    if (key in ids) throw new Error(`${key} already names something in ids`);
    const id = await post();
    ids[key] = id;
    return id;
  };
  return {
    /** Posts document `n` of customer `c`; returns its id. */
    doc: (n: string, c: string, type: DocType, date: string, due: string, amountMinor: number, fx?: Fx) =>
      named(n, () =>
        postDocument(client, ctx, {
          documentNumber: n,
          customerId: ids[c]!,
          docType: type,
          documentDate: date,
          dueDate: due,
          ...money(amountMinor, fx),
          actor,
        }),
      ),
    /** Records ACH receipt `key` from customer `c` (null: not known); returns its id. */
    receipt: (key: string, c: string | null, date: string, amountMinor: number, fx?: Fx) =>
      named(key, () =>
        recordReceipt(client, ctx, {
          receiptKey: key,
          customerId: c === null ? null : ids[c]!,
          receiptDate: date,
          method: 'ach',
          ...money(amountMinor, fx),
          actor,
        }),
      ),
    /** Applies `cashMinor` of receipt `r` to document `d` on `date`; returns the application's id. */
    apply: (r: string, d: string, cashMinor: number, date: string) =>
      applyReceipt(client, ctx, {
        receiptId: ids[r]!,
        documentId: ids[d]!,
        cashMinor,
        postingDate: date,
        actor,
      }),
  };
}
