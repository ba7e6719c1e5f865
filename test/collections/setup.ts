import { uuidv7 } from 'uuidv7';
import { type CompanyContext, createCompany } from '../../src/ledger/index.js';
import type { Database } from '../../src/store/database.js';

export const actor = 'collections-test';

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
