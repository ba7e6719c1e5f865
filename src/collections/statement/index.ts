import type { CompanyContext } from '../../ledger/index.js';
import type { SqlClient } from '../../store/client.js';
import { assertIsoDate } from '../core/dates.js';
import { buildStatement, byCustomer, type Statement } from './core/statement.js';
import { findCustomer, readMovements, readOpenItems, readStatementCustomers } from './reads.js';

export * from './core/errors.js';
export * from './core/statement.js';
export { findCustomer } from './reads.js';

export interface StatementPeriod {
  from: string;
  to: string;
  /** Aging thresholds (default 30, 60, 90, 120). */
  thresholds?: readonly number[];
}

/** Statements for many customers at once (a dunning run's attachments): two queries in all. */
export async function statementsFor(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
  period: StatementPeriod,
): Promise<Map<string, Statement>> {
  assertIsoDate(period.from, 'the first day of the statement');
  assertIsoDate(period.to, 'the last day of the statement');
  const ids = [...new Set(customerIds)];
  const customers = await readStatementCustomers(client, ctx, ids);
  const movements = byCustomer(await readMovements(client, ctx, ids, period.from, period.to));
  const open = byCustomer(await readOpenItems(client, ctx, ids, period.to));
  const out = new Map<string, Statement>();
  for (const [id, customer] of customers)
    out.set(
      id,
      buildStatement(
        customer,
        ctx.name,
        period,
        movements.get(id) ?? [],
        open.get(id) ?? [],
        period.thresholds,
      ),
    );
  return out;
}

/** One customer's statement, the customer named by number or id. */
export async function customerStatement(
  client: SqlClient,
  ctx: CompanyContext,
  customer: string,
  period: StatementPeriod,
): Promise<Statement> {
  const c = await findCustomer(client, ctx, customer);
  return (await statementsFor(client, ctx, [c.customerId], period)).get(c.customerId)!;
}
