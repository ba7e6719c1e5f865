import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { assertIsoDate } from '../core/dates.js';
import { ActivityError, check } from './errors.js';
import type { ActivityKind } from './holds.js';

export interface TimelineEntry {
  activityId: string;
  date: string;
  kind: ActivityKind;
  text: string;
  outcome: string | null;
  followUpDate: string | null;
  followUpDone: boolean;
  refType: string | null;
  refId: string | null;
  by: string;
  recordedAt: string;
}

interface EntryRow {
  activity_id: string;
  activity_date: string;
  kind: ActivityKind;
  text: string;
  outcome: string | null;
  follow_up_date: string | null;
  follow_up_done: boolean;
  ref_type: string | null;
  ref_id: string | null;
  created_by: string;
  recorded_at: string;
}

const toEntry = (r: EntryRow): TimelineEntry => ({
  activityId: r.activity_id,
  date: r.activity_date,
  kind: r.kind,
  text: r.text,
  outcome: r.outcome,
  followUpDate: r.follow_up_date,
  followUpDone: r.follow_up_done,
  refType: r.ref_type,
  refId: r.ref_id,
  by: r.created_by,
  recordedAt: r.recorded_at,
});

export const MAX_TIMELINE = 10_000;

/**
 * A customer's timeline in the order things happened: by business date, then by when they were
 * recorded (ids are UUIDv7, so they break a tie in recording order). `limit` keeps the latest N.
 */
export async function customerTimeline(
  client: SqlClient,
  ctx: CompanyContext,
  customerId: string,
  options: { limit?: number; kinds?: readonly ActivityKind[] } = {},
): Promise<TimelineEntry[]> {
  const limit = options.limit ?? 200;
  check(
    Number.isSafeInteger(limit) && limit >= 1 && limit <= MAX_TIMELINE,
    'bad-limit',
    `limit: 1 to ${MAX_TIMELINE}`,
  );
  const { rows } = await client.query<EntryRow>(
    `SELECT * FROM (
       SELECT activity_id, activity_date, kind, text, outcome, follow_up_date, follow_up_done, ref_type, ref_id,
              created_by, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS recorded_at,
              created_at
         FROM activity
        WHERE company_id = $1 AND customer_id = $2 AND ($4::text[] IS NULL OR kind = ANY ($4::text[]))
        ORDER BY activity_date DESC, created_at DESC, activity_id DESC
        LIMIT $3) t
     ORDER BY activity_date, created_at, activity_id`,
    [ctx.companyId, customerId, limit, options.kinds ?? null],
  );
  return rows.map(toEntry);
}

export interface FollowUp extends TimelineEntry {
  customerId: string;
  customerNumber: string;
  customerName: string;
  collector: string | null;
  daysOverdue: number;
}

/**
 * Follow-ups not done and due on or before `asOfDate` (oldest first), optionally for one
 * collector's customers: the collector's to-do list for the day.
 */
export async function dueFollowUps(
  client: SqlClient,
  ctx: CompanyContext,
  options: { asOfDate: string; collector?: string | null; limit?: number },
): Promise<FollowUp[]> {
  assertIsoDate(options.asOfDate, 'as-of date');
  const limit = options.limit ?? 1000;
  check(Number.isSafeInteger(limit) && limit >= 1 && limit <= 100_000, 'bad-limit', 'limit: 1 to 100000');
  const { rows } = await client.query<
    EntryRow & {
      customer_id: string;
      customer_number: string;
      name: string;
      collector: string | null;
      days_overdue: number;
    }
  >(
    `SELECT a.activity_id, a.activity_date, a.kind, a.text, a.outcome, a.follow_up_date, a.follow_up_done,
            a.ref_type, a.ref_id, a.created_by,
            to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS recorded_at,
            c.customer_id, c.customer_number, c.name, c.collector, ($2::date - a.follow_up_date) AS days_overdue
       FROM activity a
       JOIN customer c ON c.company_id = a.company_id AND c.customer_id = a.customer_id
      WHERE a.company_id = $1 AND a.follow_up_date IS NOT NULL AND NOT a.follow_up_done
        AND a.follow_up_date <= $2 AND ($3::text IS NULL OR c.collector = $3)
      ORDER BY a.follow_up_date, c.customer_number, a.created_at
      LIMIT $4`,
    [ctx.companyId, options.asOfDate, options.collector ?? null, limit],
  );
  return rows.map((r) => ({
    ...toEntry(r),
    customerId: r.customer_id,
    customerNumber: r.customer_number,
    customerName: r.name,
    collector: r.collector,
    daysOverdue: r.days_overdue,
  }));
}

/** Marks a follow-up done (or not done again); the change is kept with who and why. */
export async function setFollowUpDone(
  client: SqlClient,
  ctx: CompanyContext,
  activityId: string,
  done: boolean,
  actor: string,
  reason?: string,
): Promise<void> {
  check(/^[0-9a-f-]{36}$/i.test(activityId), 'bad-id', `not an activity id: ${activityId}`);
  const { rows } = await client.query<{ follow_up_date: string | null; follow_up_done: boolean }>(
    'SELECT follow_up_date, follow_up_done FROM activity WHERE company_id = $1 AND activity_id = $2 FOR UPDATE',
    [ctx.companyId, activityId],
  );
  const row = rows[0];
  if (!row) throw new ActivityError('unknown-activity', `no activity ${activityId}`);
  if (row.follow_up_date === null)
    throw new ActivityError('no-follow-up', `activity ${activityId} has no follow-up`);
  if (row.follow_up_done === done)
    throw new ActivityError('no-change', `the follow-up is already ${done ? 'done' : 'open'}`);
  await client.query('UPDATE activity SET follow_up_done = $3 WHERE company_id = $1 AND activity_id = $2', [
    ctx.companyId,
    activityId,
    done,
  ]);
  await client.query(
    `INSERT INTO activity_follow_up_change (company_id, change_id, activity_id, done, reason, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [ctx.companyId, uuidv7(), activityId, done, reason?.slice(0, 1000) ?? null, actor],
  );
}
