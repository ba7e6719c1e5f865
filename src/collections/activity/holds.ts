import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/context.js';
import { formatMinor, minorUnitExponent } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { assertIsoDate } from '../core/dates.js';
import { ActivityError, check } from './errors.js';
import { loadCustomerCredit } from './exposure.js';
import { loadSettings } from './settings.js';

/**
 * The functions other collections modules call (contract B): what holds a customer back from
 * dunning, the collection facts the worklist ranks by, recording timeline entries, and placing a
 * credit hold. Everything here is set-based: one statement per table, whatever the customer count.
 */

export const ACTIVITY_KINDS = [
  'call',
  'email',
  'note',
  'promise',
  'plan',
  'hold',
  'release',
  'dunning',
  'dispute',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface NewActivity {
  customerId: string;
  kind: ActivityKind;
  text: string;
  followUpDate?: string | null;
  refType?: string;
  refId?: string;
  actor: string;
  /** The business date of the activity (default: today in the database). */
  date?: string;
  /** A call's or e-mail's outcome: reached, voicemail, no_answer, promised, refused... */
  outcome?: string;
}

export const MAX_TEXT_CHARS = 4000;
export const MAX_ACTIVITIES_PER_CALL = 500_000;
const CHUNK_ROWS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateActivity(a: NewActivity): void {
  check(UUID.test(a.customerId), 'bad-customer', `not a customer id: ${JSON.stringify(a.customerId)}`);
  check(ACTIVITY_KINDS.includes(a.kind), 'bad-kind', `unknown activity kind ${JSON.stringify(a.kind)}`);
  check(
    typeof a.text === 'string' && a.text.trim().length > 0 && a.text.length <= MAX_TEXT_CHARS,
    'bad-text',
    `an activity's text must be 1 to ${MAX_TEXT_CHARS} characters`,
  );
  check(
    typeof a.actor === 'string' && a.actor.length > 0 && a.actor.length <= 200,
    'bad-actor',
    'who did it is required (at most 200 characters)',
  );
  if (a.followUpDate != null) assertIsoDate(a.followUpDate, 'follow-up date');
  if (a.date !== undefined) assertIsoDate(a.date, 'activity date');
  check(
    a.refType === undefined || (a.refType.length >= 1 && a.refType.length <= 40),
    'bad-ref',
    'refType: 1–40 chars',
  );
  check(
    a.refId === undefined || (a.refId.length >= 1 && a.refId.length <= 200),
    'bad-ref',
    'refId: 1–200 chars',
  );
  check(
    a.outcome === undefined || (a.outcome.length >= 1 && a.outcome.length <= 60),
    'bad-outcome',
    'outcome: 1–60 chars',
  );
}

/** Records one timeline entry; returns its id. */
export async function recordActivity(
  client: SqlClient,
  ctx: CompanyContext,
  a: NewActivity,
): Promise<string> {
  const [id] = await insertActivities(client, ctx, [a]);
  return id!;
}

/** Records many timeline entries in a few statements (a dunning run's steps); returns how many. */
export async function recordActivities(
  client: SqlClient,
  ctx: CompanyContext,
  list: readonly NewActivity[],
): Promise<number> {
  return (await insertActivities(client, ctx, list)).length;
}

/** Inserts in chunks of 10,000 rows; every customer must exist in the company, or nothing is recorded. */
export async function insertActivities(
  client: SqlClient,
  ctx: Pick<CompanyContext, 'companyId'>,
  list: readonly NewActivity[],
): Promise<string[]> {
  check(
    list.length <= MAX_ACTIVITIES_PER_CALL,
    'too-many',
    `at most ${MAX_ACTIVITIES_PER_CALL} activities at once`,
  );
  for (const a of list) validateActivity(a);
  const ids: string[] = [];
  for (let start = 0; start < list.length; start += CHUNK_ROWS) {
    const chunk = list.slice(start, start + CHUNK_ROWS).map((a) => ({
      id: uuidv7(),
      customer_id: a.customerId,
      kind: a.kind,
      text: a.text,
      outcome: a.outcome ?? null,
      follow_up_date: a.followUpDate ?? null,
      ref_type: a.refType ?? null,
      ref_id: a.refId ?? null,
      actor: a.actor,
      activity_date: a.date ?? null,
    }));
    const { rowCount } = await client.query(
      `INSERT INTO activity (company_id, activity_id, customer_id, kind, activity_date, text, outcome,
         follow_up_date, ref_type, ref_id, created_by)
       SELECT $1, x.id, x.customer_id, x.kind, coalesce(x.activity_date, current_date), x.text, x.outcome,
              x.follow_up_date, x.ref_type, x.ref_id, x.actor
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, customer_id uuid, kind text, activity_date date, text text,
              outcome text, follow_up_date date, ref_type text, ref_id text, actor text)
         JOIN customer c ON c.company_id = $1 AND c.customer_id = x.customer_id`,
      [ctx.companyId, JSON.stringify(chunk)],
    );
    if (rowCount !== chunk.length) {
      throw new ActivityError(
        'unknown-customer',
        `${chunk.length - rowCount} of the activities name a customer that is not in this company`,
      );
    }
    for (const c of chunk) ids.push(c.id);
  }
  return ids;
}

export type HoldSource = 'manual' | 'dunning' | 'rule';

export interface NewCreditHold {
  customerId: string;
  reason: string;
  actor: string;
  source: HoldSource;
  /** Business date of the hold (default: today in the database). */
  date?: string;
  reasons?: unknown[];
}

/**
 * Puts a customer on credit hold and records it on the timeline; returns the hold's id. One active
 * hold per customer and source: placing it again returns the active one. A dunning or rule hold
 * is not placed while a credit manager's release overrides it (until its override date): the id
 * returned is then that released hold's, and nothing changes.
 */
export async function placeCreditHold(
  client: SqlClient,
  ctx: CompanyContext,
  h: NewCreditHold,
): Promise<string> {
  check(UUID.test(h.customerId), 'bad-customer', `not a customer id: ${JSON.stringify(h.customerId)}`);
  check(
    h.reason.trim().length > 0 && h.reason.length <= 2000,
    'bad-reason',
    'a hold needs a reason (at most 2000 characters)',
  );
  check(['manual', 'dunning', 'rule'].includes(h.source), 'bad-source', `unknown hold source ${h.source}`);
  if (h.date !== undefined) assertIsoDate(h.date, 'hold date');
  const { rows: found } = await client.query<{ d: string }>(
    `SELECT to_char(coalesce($3::date, current_date), 'YYYY-MM-DD') AS d FROM customer
      WHERE company_id = $1 AND customer_id = $2 FOR UPDATE`,
    [ctx.companyId, h.customerId, h.date ?? null],
  );
  check(found.length === 1, 'unknown-customer', `no customer ${h.customerId} in company ${ctx.code}`);
  const date = found[0]!.d;
  if (h.source !== 'manual') {
    const override = await client.query<{ hold_id: string }>(
      `SELECT hold_id FROM credit_hold
        WHERE company_id = $1 AND customer_id = $2 AND release_source = 'manual' AND override_until >= $3
          AND released_on <= $3
        ORDER BY released_at DESC LIMIT 1`,
      [ctx.companyId, h.customerId, date],
    );
    if (override.rows[0]) return override.rows[0].hold_id;
  }
  const inserted = await client.query<{ hold_id: string }>(
    `INSERT INTO credit_hold (company_id, hold_id, customer_id, source, reason, reasons, placed_on, placed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (company_id, customer_id, source) WHERE released_at IS NULL DO NOTHING
     RETURNING hold_id`,
    [
      ctx.companyId,
      uuidv7(),
      h.customerId,
      h.source,
      h.reason,
      JSON.stringify(h.reasons ?? []),
      date,
      h.actor,
    ],
  );
  if (inserted.rows[0]) {
    const holdId = inserted.rows[0].hold_id;
    await recordActivity(client, ctx, {
      customerId: h.customerId,
      kind: 'hold',
      text: `credit hold (${h.source}): ${h.reason}`.slice(0, MAX_TEXT_CHARS),
      refType: 'credit_hold',
      refId: holdId,
      actor: h.actor,
      date,
    });
    return holdId;
  }
  const active = await client.query<{ hold_id: string }>(
    `SELECT hold_id FROM credit_hold
      WHERE company_id = $1 AND customer_id = $2 AND source = $3 AND released_at IS NULL`,
    [ctx.companyId, h.customerId, h.source],
  );
  return active.rows[0]!.hold_id;
}

export interface DunningHold {
  kind: 'promise' | 'plan' | 'credit_hold_released';
  until: string | null;
  reason: string;
}

const money = (minor: number, currency: string) =>
  `${formatMinor(minor, minorUnitExponent(currency))} ${currency}`;

/**
 * Customers dunning should leave alone on `asOfDate`: an open promise whose date (plus the grace
 * days) has not passed, a payment plan in good standing (and with no installment past its grace
 * still unpaid, should the promise check not have run yet), or a credit manager's release of a
 * hold still within its override period.
 */
export async function dunningHolds(
  client: SqlClient,
  companyId: string,
  asOfDate: string,
): Promise<Map<string, DunningHold[]>> {
  assertIsoDate(asOfDate, 'as-of date');
  const settings = await loadSettings(client, companyId);
  const { rows } = await client.query<{
    customer_id: string;
    kind: DunningHold['kind'];
    until: string | null;
    amount_minor: number | null;
    currency: string | null;
    detail: string | null;
    on_date: string | null;
  }>(
    `SELECT customer_id, 'promise' AS kind, to_char(promised_date + $3::int, 'YYYY-MM-DD') AS until,
            amount_minor, currency, coalesce(promised_by, '') || ' ' || channel AS detail,
            to_char(promised_date, 'YYYY-MM-DD') AS on_date
       FROM payment_promise
      WHERE company_id = $1 AND status = 'open' AND made_on <= $2 AND promised_date + $3::int >= $2
     UNION ALL
     SELECT p.customer_id, 'plan', to_char(max(i.due_date) + $4::int, 'YYYY-MM-DD'), p.total_minor - p.paid_minor,
            p.currency, p.installment_count::text || ' installments', to_char(min(i.due_date), 'YYYY-MM-DD')
       FROM payment_plan p JOIN plan_installment i USING (company_id, plan_id)
      WHERE p.company_id = $1 AND p.status = 'active' AND p.standing = 'good' AND p.made_on <= $2
        -- An installment past its grace and not recorded as paid: the plan is not (yet) known to be good.
        AND NOT EXISTS (SELECT 1 FROM plan_installment o WHERE o.company_id = p.company_id AND o.plan_id = p.plan_id
                         AND o.status IN ('open', 'missed') AND o.due_date + $4::int < $2)
      GROUP BY p.customer_id, p.plan_id, p.total_minor, p.paid_minor, p.currency, p.installment_count
     UNION ALL
     SELECT customer_id, 'credit_hold_released', to_char(override_until, 'YYYY-MM-DD'), NULL, NULL,
            released_by || ': ' || release_reason, to_char(released_on, 'YYYY-MM-DD')
       FROM credit_hold
      WHERE company_id = $1 AND release_source = 'manual' AND released_on <= $2 AND override_until >= $2
      ORDER BY 1, 3`,
    [companyId, asOfDate, settings.promiseGraceDays, settings.planGraceDays],
  );
  const result = new Map<string, DunningHold[]>();
  for (const r of rows) {
    const currency = r.currency?.trim() ?? '';
    const reason =
      r.kind === 'promise'
        ? `promise to pay ${money(r.amount_minor!, currency)} by ${r.on_date} (${r.detail!.trim()})`
        : r.kind === 'plan'
          ? `payment plan in good standing: ${money(r.amount_minor!, currency)} left, ${r.detail}`
          : `credit hold released on ${r.on_date} by ${r.detail}`;
    let list = result.get(r.customer_id);
    if (!list) {
      list = [];
      result.set(r.customer_id, list);
    }
    list.push({ kind: r.kind, until: r.until, reason });
  }
  return result;
}

export interface CollectionFacts {
  promisesKept: number;
  promisesBroken: number;
  livePromiseMinor: number;
  planMissedInstallments: number;
  onCreditHold: boolean;
  creditLimitMinor: number | null;
  exposureMinor: number;
  nextFollowUpDate: string | null;
  lastContactDate: string | null;
}

/**
 * Contact with the customer: calls, e-mails, dunning letters, and the promises and plans agreed
 * with it (ref_type promise / plan). Notes are internal, and the status changes the system records
 * on a promise or plan (ref_type promise_status / plan_status) are not contact either.
 */
export const CONTACT_KINDS: readonly ActivityKind[] = ['call', 'email', 'dunning'];

/**
 * What the worklist weighs, for every customer of the company: promises kept and broken (partly
 * kept counts as broken) settled by `asOfDate`, the amount of live promises, missed installments
 * (paid late or not at all), whether a credit hold is active, the credit limit and exposure (see
 * core/exposure.ts), the next open follow-up and the last contact.
 */
export async function collectionFacts(
  client: SqlClient,
  companyId: string,
  asOfDate: string,
): Promise<Map<string, CollectionFacts>> {
  assertIsoDate(asOfDate, 'as-of date');
  const settings = await loadSettings(client, companyId);
  const company = await client.query<{ base_currency: string }>(
    'SELECT base_currency FROM company WHERE company_id = $1',
    [companyId],
  );
  check(company.rows[0], 'no-company', `no company ${companyId}`);
  const credit = await loadCustomerCredit(
    client,
    { companyId, baseCurrency: company.rows[0].base_currency.trim() },
    asOfDate,
    null,
  );
  const { rows } = await client.query<{
    customer_id: string;
    kept: number;
    broken: number;
    live_minor: number;
    missed: number;
    on_hold: boolean;
    next_follow_up: string | null;
    last_contact: string | null;
  }>(
    `WITH p AS (
       SELECT customer_id,
              count(*) FILTER (WHERE status = 'kept' AND settled_on <= $2) AS kept,
              count(*) FILTER (WHERE status IN ('broken', 'partial') AND settled_on <= $2) AS broken,
              coalesce(sum(amount_minor) FILTER (WHERE (status = 'open' OR settled_on > $2)
                AND made_on <= $2 AND promised_date + $3::int >= $2), 0) AS live_minor
         FROM payment_promise WHERE company_id = $1 AND status <> 'cancelled' GROUP BY customer_id),
     m AS (
       SELECT p.customer_id, count(*) AS missed
         FROM payment_plan p JOIN plan_installment i USING (company_id, plan_id)
        WHERE p.company_id = $1 AND p.status <> 'cancelled' AND i.status IN ('missed', 'paid_late')
        GROUP BY p.customer_id),
     h AS (
       SELECT DISTINCT customer_id FROM credit_hold
        WHERE company_id = $1 AND released_at IS NULL AND placed_on <= $2),
     f AS (
       SELECT customer_id,
              min(follow_up_date) FILTER (WHERE follow_up_date IS NOT NULL AND NOT follow_up_done) AS next_follow_up,
              max(activity_date) FILTER (WHERE (kind = ANY ($4::text[]) OR (kind IN ('promise', 'plan') AND ref_type IN ('promise', 'plan')))
                AND activity_date <= $2) AS last_contact
         FROM activity WHERE company_id = $1 GROUP BY customer_id)
     SELECT c.customer_id, coalesce(p.kept, 0)::int8 AS kept, coalesce(p.broken, 0)::int8 AS broken,
            coalesce(p.live_minor, 0)::int8 AS live_minor, coalesce(m.missed, 0)::int8 AS missed,
            h.customer_id IS NOT NULL AS on_hold,
            to_char(f.next_follow_up, 'YYYY-MM-DD') AS next_follow_up,
            to_char(f.last_contact, 'YYYY-MM-DD') AS last_contact
       FROM customer c
       LEFT JOIN p ON p.customer_id = c.customer_id
       LEFT JOIN m ON m.customer_id = c.customer_id
       LEFT JOIN h ON h.customer_id = c.customer_id
       LEFT JOIN f ON f.customer_id = c.customer_id
      WHERE c.company_id = $1`,
    [companyId, asOfDate, settings.promiseGraceDays, CONTACT_KINDS],
  );
  const result = new Map<string, CollectionFacts>();
  for (const r of rows) {
    const c = credit.get(r.customer_id);
    result.set(r.customer_id, {
      promisesKept: r.kept,
      promisesBroken: r.broken,
      livePromiseMinor: r.live_minor,
      planMissedInstallments: r.missed,
      onCreditHold: r.on_hold,
      creditLimitMinor: c?.creditLimitMinor ?? null,
      exposureMinor: c?.exposureMinor ?? 0,
      nextFollowUpDate: r.next_follow_up,
      lastContactDate: r.last_contact,
    });
  }
  return result;
}
