import type { SqlClient } from '../store/client.js';
import type { CompanyContext } from './context.js';
import { LedgerError } from './core/errors.js';

const PERIOD_CODE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Closes (or reopens) a calendar-month period: the database then refuses postings dated in it. */
export async function setPeriodStatus(
  client: SqlClient,
  ctx: CompanyContext,
  periodCode: string,
  status: 'open' | 'closed',
  actor: string,
  reason: string,
): Promise<void> {
  const match = PERIOD_CODE.exec(periodCode);
  if (!match) throw new LedgerError('bad-period', `a period is YYYY-MM, got ${JSON.stringify(periodCode)}`);
  const year = Number.parseInt(match[1]!, 10);
  const month = Number.parseInt(match[2]!, 10);
  const start = `${periodCode}-01`;
  const endDate = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  await client.query(
    `INSERT INTO fiscal_period (company_id, period_code, fiscal_year, period_number, start_date, end_date, status,
       changed_at, changed_by, change_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9)
     ON CONFLICT (company_id, period_code) DO UPDATE
       SET status = EXCLUDED.status, changed_at = now(), changed_by = EXCLUDED.changed_by,
           change_reason = EXCLUDED.change_reason`,
    [ctx.companyId, periodCode, year, month, start, endDate, status, actor, reason],
  );
}
