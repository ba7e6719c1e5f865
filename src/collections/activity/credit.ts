import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { addDays, assertIsoDate } from '../core/dates.js';
import { type CreditReason, creditReasons, decideCredit } from './core/credit.js';
import { ActivityError, check } from './errors.js';
import { loadCustomerCredit } from './exposure.js';
import { type HoldSource, insertActivities, type NewActivity, recordActivity } from './holds.js';
import { loadSettings } from './settings.js';

export const CREDIT_ROLES = ['credit_manager'] as const;
export type CreditRole = (typeof CREDIT_ROLES)[number];

export interface CreditCheckSummary {
  asOfDate: string;
  dryRun: boolean;
  customersEvaluated: number;
  placed: Array<{ customerId: string; customerNumber: string; reasons: CreditReason[] }>;
  lifted: Array<{ customerId: string; customerNumber: string; holdId: string }>;
  /** Customers a rule would hold but a manager's release overrides. */
  overridden: number;
  onRuleHold: number;
}

/**
 * Evaluates the credit rules for every customer and places or lifts rule holds, with their
 * reasons, in a few statements: the exposure read (one grouped query), the hold states (one),
 * then one insert of new holds, one update of lifted ones, one insert of their timeline entries.
 */
export async function creditCheck(
  client: SqlClient,
  ctx: CompanyContext,
  options: { asOfDate: string; dryRun?: boolean; actor: string },
): Promise<CreditCheckSummary> {
  assertIsoDate(options.asOfDate, 'as-of date');
  const settings = await loadSettings(client, ctx.companyId);
  const credit = await loadCustomerCredit(client, ctx, options.asOfDate, settings.creditPastDueDays);
  const states = await client.query<{
    customer_id: string;
    rule_hold_id: string | null;
    override_until: string | null;
  }>(
    `SELECT customer_id,
            (array_agg(hold_id) FILTER (WHERE source = 'rule' AND released_at IS NULL))[1] AS rule_hold_id,
            max(override_until) FILTER (WHERE release_source = 'manual' AND released_on <= $2) AS override_until
       FROM credit_hold WHERE company_id = $1 AND (released_at IS NULL OR override_until >= $2)
      GROUP BY customer_id`,
    [ctx.companyId, options.asOfDate],
  );
  const stateOf = new Map(states.rows.map((s) => [s.customer_id, s]));
  const summary: CreditCheckSummary = {
    asOfDate: options.asOfDate,
    dryRun: Boolean(options.dryRun),
    customersEvaluated: credit.size,
    placed: [],
    lifted: [],
    overridden: 0,
    onRuleHold: 0,
  };
  for (const c of credit.values()) {
    const s = stateOf.get(c.customerId);
    const d = decideCredit(
      { ...c },
      { ruleHoldId: s?.rule_hold_id ?? null, overrideUntil: s?.override_until ?? null },
      settings,
      options.asOfDate,
    );
    if (d.action === 'place') {
      summary.placed.push({ customerId: c.customerId, customerNumber: c.customerNumber, reasons: d.reasons });
      summary.onRuleHold++;
    } else if (d.action === 'lift') {
      summary.lifted.push({ customerId: c.customerId, customerNumber: c.customerNumber, holdId: d.holdId });
    } else {
      if (d.overridden && d.reasons.length > 0) summary.overridden++;
      if (s?.rule_hold_id) summary.onRuleHold++;
    }
  }
  summary.placed.sort((a, b) => (a.customerNumber < b.customerNumber ? -1 : 1));
  summary.lifted.sort((a, b) => (a.customerNumber < b.customerNumber ? -1 : 1));
  if (options.dryRun) return summary;

  const activities: NewActivity[] = [];
  if (summary.placed.length > 0) {
    const rows = summary.placed.map((p) => ({
      hold_id: uuidv7(),
      customer_id: p.customerId,
      reason: p.reasons
        .map((r) => r.text)
        .join('; ')
        .slice(0, 2000),
      reasons: p.reasons,
    }));
    await client.query(
      `INSERT INTO credit_hold (company_id, hold_id, customer_id, source, reason, reasons, placed_on, placed_by)
       SELECT $1, x.hold_id, x.customer_id, 'rule', x.reason, x.reasons, $3, $4
         FROM jsonb_to_recordset($2::jsonb) AS x(hold_id uuid, customer_id uuid, reason text, reasons jsonb)`,
      [ctx.companyId, JSON.stringify(rows), options.asOfDate, options.actor],
    );
    for (const r of rows)
      activities.push({
        customerId: r.customer_id,
        kind: 'hold',
        text: `credit hold (rule): ${r.reason}`.slice(0, 4000),
        refType: 'credit_hold',
        refId: r.hold_id,
        actor: options.actor,
        date: options.asOfDate,
      });
  }
  if (summary.lifted.length > 0) {
    await client.query(
      `UPDATE credit_hold h SET released_on = $3, released_at = clock_timestamp(), released_by = $4,
              release_reason = 'no credit rule applies any more', release_source = 'rule'
         FROM jsonb_to_recordset($2::jsonb) AS x(hold_id uuid)
        WHERE h.company_id = $1 AND h.hold_id = x.hold_id AND h.released_at IS NULL`,
      [
        ctx.companyId,
        JSON.stringify(summary.lifted.map((l) => ({ hold_id: l.holdId }))),
        options.asOfDate,
        options.actor,
      ],
    );
    for (const l of summary.lifted)
      activities.push({
        customerId: l.customerId,
        kind: 'release',
        text: 'credit hold (rule) lifted: no credit rule applies any more',
        refType: 'credit_hold',
        refId: l.holdId,
        actor: options.actor,
        date: options.asOfDate,
      });
  }
  await insertActivities(client, ctx, activities);
  return summary;
}

/** True when the user holds the role now. */
export async function hasCreditRole(
  client: SqlClient,
  ctx: CompanyContext,
  user: string,
  role: CreditRole,
): Promise<boolean> {
  const { rows } = await client.query(
    'SELECT 1 FROM credit_role WHERE company_id = $1 AND user_name = $2 AND role = $3 AND revoked_at IS NULL',
    [ctx.companyId, user, role],
  );
  return rows.length > 0;
}

/**
 * Grants a role. Only a credit manager may grant; the company's very first credit manager can be
 * granted by anyone (someone has to be first), and that grant is on the record like any other.
 */
export async function grantCreditRole(
  client: SqlClient,
  ctx: CompanyContext,
  user: string,
  role: CreditRole,
  actor: string,
): Promise<{ grantId: string; bootstrap: boolean }> {
  check(user.length >= 1 && user.length <= 200, 'bad-user', 'a user name has 1 to 200 characters');
  check(CREDIT_ROLES.includes(role), 'bad-role', `unknown role ${role}; roles: ${CREDIT_ROLES.join(', ')}`);
  const { rows } = await client.query<{ managers: number; actor_is: boolean; user_has: boolean }>(
    `SELECT count(*)::int8 AS managers, coalesce(bool_or(user_name = $2), false) AS actor_is,
            coalesce(bool_or(user_name = $3 AND role = $4), false) AS user_has
       FROM credit_role WHERE company_id = $1 AND revoked_at IS NULL AND role = 'credit_manager'`,
    [ctx.companyId, actor, user, role],
  );
  const r = rows[0]!;
  const bootstrap = r.managers === 0;
  if (!bootstrap && !r.actor_is)
    throw new ActivityError(
      'role-required',
      `${actor} is not a credit_manager: only a credit manager can grant roles`,
    );
  if (r.user_has) throw new ActivityError('no-change', `${user} is already ${role}`);
  const grantId = uuidv7();
  await client.query(
    'INSERT INTO credit_role (company_id, grant_id, user_name, role, granted_by) VALUES ($1, $2, $3, $4, $5)',
    [ctx.companyId, grantId, user, role, actor],
  );
  return { grantId, bootstrap };
}

export async function revokeCreditRole(
  client: SqlClient,
  ctx: CompanyContext,
  user: string,
  role: CreditRole,
  actor: string,
): Promise<void> {
  if (!(await hasCreditRole(client, ctx, actor, 'credit_manager')))
    throw new ActivityError(
      'role-required',
      `${actor} is not a credit_manager: only a credit manager can revoke roles`,
    );
  const { rowCount } = await client.query(
    `UPDATE credit_role SET revoked_at = clock_timestamp(), revoked_by = $4
      WHERE company_id = $1 AND user_name = $2 AND role = $3 AND revoked_at IS NULL`,
    [ctx.companyId, user, role, actor],
  );
  if (rowCount === 0) throw new ActivityError('no-change', `${user} is not ${role}`);
}

export async function listCreditRoles(client: SqlClient, ctx: CompanyContext) {
  const { rows } = await client.query<{
    user_name: string;
    role: string;
    granted_by: string;
    granted_at: string;
  }>(
    `SELECT user_name, role, granted_by, to_char(granted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS granted_at
       FROM credit_role WHERE company_id = $1 AND revoked_at IS NULL ORDER BY user_name, role`,
    [ctx.companyId],
  );
  return rows;
}

export interface ReleaseResult {
  released: Array<{ holdId: string; source: HoldSource }>;
  overrideUntil: string;
}

/**
 * A credit manager releases a customer's active holds (all, or one source's), with a reason. The
 * release overrides the rules and dunning holds until `until` (default: the override days
 * setting), so the next credit check does not put the customer straight back on hold.
 */
export async function releaseCreditHold(
  client: SqlClient,
  ctx: CompanyContext,
  r: {
    customerId: string;
    reason: string;
    actor: string;
    date?: string;
    until?: string;
    source?: HoldSource;
  },
): Promise<ReleaseResult> {
  check(r.reason.trim().length > 0 && r.reason.length <= 2000, 'reason-required', 'a release needs a reason');
  if (r.date !== undefined) assertIsoDate(r.date, 'release date');
  if (r.until !== undefined) assertIsoDate(r.until, 'override date');
  if (!(await hasCreditRole(client, ctx, r.actor, 'credit_manager')))
    throw new ActivityError(
      'role-required',
      `${r.actor} may not release a credit hold: it needs the credit_manager role (openar credit role grant USER credit_manager)`,
    );
  const settings = await loadSettings(client, ctx.companyId);
  const { rows: today } = await client.query<{ d: string }>(
    `SELECT to_char(current_date, 'YYYY-MM-DD') AS d`,
  );
  const date = r.date ?? today[0]!.d;
  const until = r.until ?? addDays(date, settings.creditOverrideDays);
  check(until >= date, 'bad-date', `the override ends (${until}) before the release (${date})`);
  const { rows } = await client.query<{ hold_id: string; source: HoldSource }>(
    `UPDATE credit_hold SET released_on = $3, released_at = clock_timestamp(), released_by = $4, release_reason = $5,
            release_source = 'manual', override_until = $6
      WHERE company_id = $1 AND customer_id = $2 AND released_at IS NULL AND ($7::text IS NULL OR source = $7)
      RETURNING hold_id, source`,
    [ctx.companyId, r.customerId, date, r.actor, r.reason, until, r.source ?? null],
  );
  if (rows.length === 0)
    throw new ActivityError('not-on-hold', 'the customer has no active credit hold to release');
  await recordActivity(client, ctx, {
    customerId: r.customerId,
    kind: 'release',
    text: `credit hold released (${rows.map((h) => h.source).join(', ')}) by a credit manager, overriding until ${until}: ${r.reason}`.slice(
      0,
      4000,
    ),
    refType: 'credit_hold',
    refId: rows[0]!.hold_id,
    actor: r.actor,
    date,
  });
  return { released: rows.map((h) => ({ holdId: h.hold_id, source: h.source })), overrideUntil: until };
}

export interface CreditStatusRow {
  customerId: string;
  customerNumber: string;
  name: string;
  collector: string | null;
  currency: string;
  creditLimitMinor: number | null;
  exposureMinor: number;
  availableMinor: number | null;
  openDebitMinor: number;
  creditsMinor: number;
  lateMinor: number;
  oldestPastDueDate: string | null;
  ruleReasons: string[];
  holds: Array<{ holdId: string; source: HoldSource; reason: string; placedOn: string; placedBy: string }>;
  overrideUntil: string | null;
  unconvertedCurrencies: string[];
}

/** Credit position of one customer or all: limit, exposure, what the rules say, active holds. */
export async function creditStatus(
  client: SqlClient,
  ctx: CompanyContext,
  options: { asOfDate: string; customerId?: string; onlyHeld?: boolean },
): Promise<CreditStatusRow[]> {
  assertIsoDate(options.asOfDate, 'as-of date');
  const settings = await loadSettings(client, ctx.companyId);
  const ids = options.customerId ? [options.customerId] : null;
  const credit = await loadCustomerCredit(client, ctx, options.asOfDate, settings.creditPastDueDays, ids);
  const { rows } = await client.query<{
    customer_id: string;
    hold_id: string | null;
    source: HoldSource;
    reason: string;
    placed_on: string;
    placed_by: string;
    released_at: string | null;
    override_until: string | null;
  }>(
    `SELECT customer_id, hold_id, source, reason, placed_on, placed_by, released_at::text AS released_at, override_until
       FROM credit_hold
      WHERE company_id = $1 AND ($2::uuid IS NULL OR customer_id = $2)
        AND (released_at IS NULL OR (release_source = 'manual' AND override_until >= $3 AND released_on <= $3))
      ORDER BY placed_at`,
    [ctx.companyId, options.customerId ?? null, options.asOfDate],
  );
  const holds = new Map<string, CreditStatusRow['holds']>();
  const overrides = new Map<string, string>();
  for (const h of rows) {
    if (h.released_at === null) {
      let list = holds.get(h.customer_id);
      if (!list) {
        list = [];
        holds.set(h.customer_id, list);
      }
      list.push({
        holdId: h.hold_id!,
        source: h.source,
        reason: h.reason,
        placedOn: h.placed_on,
        placedBy: h.placed_by,
      });
    } else if (h.override_until && (overrides.get(h.customer_id) ?? '') < h.override_until) {
      overrides.set(h.customer_id, h.override_until);
    }
  }
  const result: CreditStatusRow[] = [];
  for (const c of credit.values()) {
    const held = holds.get(c.customerId) ?? [];
    if (options.onlyHeld && held.length === 0) continue;
    result.push({
      customerId: c.customerId,
      customerNumber: c.customerNumber,
      name: c.name,
      collector: c.collector,
      currency: c.currency,
      creditLimitMinor: c.creditLimitMinor,
      exposureMinor: c.exposureMinor,
      availableMinor: c.creditLimitMinor === null ? null : c.creditLimitMinor - c.exposureMinor,
      openDebitMinor: c.openDebitMinor,
      creditsMinor: c.creditsMinor,
      lateMinor: c.lateMinor,
      oldestPastDueDate: c.oldestPastDueDate,
      ruleReasons: creditReasons(c, settings).map((r) => r.text),
      holds: held,
      overrideUntil: overrides.get(c.customerId) ?? null,
      unconvertedCurrencies: c.unconverted,
    });
  }
  return result.sort((a, b) =>
    a.customerNumber < b.customerNumber ? -1 : a.customerNumber > b.customerNumber ? 1 : 0,
  );
}
