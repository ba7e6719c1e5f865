import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { assertIsoDate } from '../core/dates.js';
import { WorklistError } from './core/errors.js';

/**
 * Snoozing takes an account off the worklist until a date, with a reason and who did it. Undoing
 * a snooze lifts it (who, when, why are kept beside it); nothing is deleted.
 */

export const MAX_REASON_CHARS = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A customer by number (or id); refused when it is not in the company. */
export async function findCustomer(
  client: SqlClient,
  ctx: CompanyContext,
  numberOrId: string,
): Promise<{ customerId: string; customerNumber: string; name: string }> {
  const { rows } = await client.query<{ customer_id: string; customer_number: string; name: string }>(
    `SELECT customer_id, customer_number, name FROM customer
      WHERE company_id = $1 AND (customer_number = $2 OR ($3::uuid IS NOT NULL AND customer_id = $3::uuid))`,
    [ctx.companyId, numberOrId, UUID.test(numberOrId) ? numberOrId : null],
  );
  if (rows.length !== 1)
    throw new WorklistError(
      'unknown-customer',
      `no customer ${JSON.stringify(numberOrId)} in company ${ctx.code}`,
    );
  const r = rows[0]!;
  return { customerId: r.customer_id, customerNumber: r.customer_number, name: r.name };
}

function checkReason(reason: string, what: string): string {
  const text = reason.trim();
  if (text.length < 1 || text.length > MAX_REASON_CHARS)
    throw new WorklistError('bad-reason', `${what} needs a reason of 1 to ${MAX_REASON_CHARS} characters`);
  return text;
}

export interface Snooze {
  customerId: string;
  until: string;
  reason: string;
  actor: string;
}

/** Snoozes an account until a date (it is back on the worklist on that date); returns the snooze's id. */
export async function snoozeAccount(
  client: SqlClient,
  ctx: CompanyContext,
  s: Snooze & { today: string },
): Promise<string> {
  assertIsoDate(s.until, 'snooze date');
  if (s.until <= s.today)
    throw new WorklistError('bad-date', `a snooze must end after today (${s.today}); got ${s.until}`);
  const id = uuidv7();
  const { rowCount } = await client.query(
    `INSERT INTO worklist_snooze (company_id, snooze_id, customer_id, until_date, reason, created_by)
     SELECT $1, $2, customer_id, $4, $5, $6 FROM customer WHERE company_id = $1 AND customer_id = $3`,
    [ctx.companyId, id, s.customerId, s.until, checkReason(s.reason, 'a snooze'), s.actor],
  );
  if (rowCount !== 1) throw new WorklistError('unknown-customer', `no customer ${s.customerId}`);
  return id;
}

/** Lifts the customer's live snoozes (undo); returns how many. Refused when there is none. */
export async function liftSnoozes(
  client: SqlClient,
  ctx: CompanyContext,
  l: { customerId: string; actor: string; reason?: string; today: string },
): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE worklist_snooze SET lifted_at = now(), lifted_by = $3, lift_reason = $4
      WHERE company_id = $1 AND customer_id = $2 AND lifted_at IS NULL AND until_date > $5`,
    [
      ctx.companyId,
      l.customerId,
      l.actor,
      checkReason(l.reason ?? 'snooze undone', 'lifting a snooze'),
      l.today,
    ],
  );
  if (rowCount === 0) throw new WorklistError('no-snooze', 'the account is not snoozed');
  return rowCount;
}

export interface SnoozeRow {
  snoozeId: string;
  customerNumber: string;
  until: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  liftedBy: string | null;
  liftReason: string | null;
}

/** Snoozes, live first, then the latest lifted or ended ones (at most `limit`). */
export async function listSnoozes(
  client: SqlClient,
  ctx: CompanyContext,
  today: string,
  limit = 200,
): Promise<SnoozeRow[]> {
  const { rows } = await client.query<{
    snooze_id: string;
    customer_number: string;
    until_date: string;
    reason: string;
    created_by: string;
    created_at: Date;
    lifted_by: string | null;
    lift_reason: string | null;
  }>(
    `SELECT s.snooze_id, c.customer_number, s.until_date, s.reason, s.created_by, s.created_at, s.lifted_by, s.lift_reason
       FROM worklist_snooze s JOIN customer c ON c.company_id = s.company_id AND c.customer_id = s.customer_id
      WHERE s.company_id = $1
      ORDER BY (s.lifted_at IS NULL AND s.until_date > $2) DESC, s.created_at DESC LIMIT $3`,
    [ctx.companyId, today, limit],
  );
  return rows.map((r) => ({
    snoozeId: r.snooze_id,
    customerNumber: r.customer_number,
    until: r.until_date,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    liftedBy: r.lifted_by,
    liftReason: r.lift_reason,
  }));
}
