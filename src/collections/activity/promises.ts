import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/context.js';
import { assertSafeMinor } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { addDays, assertIsoDate } from '../core/dates.js';
import { moneyText } from './core/money.js';
import { ActivityError, check } from './errors.js';
import { recordActivity } from './holds.js';
import { loadSettings } from './settings.js';

export const PROMISE_CHANNELS = ['phone', 'email', 'portal', 'letter', 'other'] as const;
export type PromiseChannel = (typeof PROMISE_CHANNELS)[number];
export type PromiseStatusName = 'open' | 'kept' | 'partial' | 'broken' | 'cancelled';
export const MAX_PROMISE_DOCUMENTS = 500;

export interface NewPromise {
  customerId: string;
  amountMinor: number;
  /** Default: the documents' currency, else the customer's. */
  currency?: string;
  promisedDate: string;
  /** The day the promise was made (default: today in the database). */
  madeOn?: string;
  channel: PromiseChannel;
  promisedBy?: string | null;
  documentIds?: readonly string[];
  note?: string | null;
  actor: string;
}

/** Records a promise to pay and puts it on the timeline, with a follow-up the day after its grace ends. */
export async function createPromise(
  client: SqlClient,
  ctx: CompanyContext,
  p: NewPromise,
): Promise<{ promiseId: string; activityId: string }> {
  assertSafeMinor(p.amountMinor, 'promised amount');
  check(p.amountMinor > 0, 'bad-amount', 'a promised amount must be positive');
  assertIsoDate(p.promisedDate, 'promised date');
  if (p.madeOn !== undefined) assertIsoDate(p.madeOn, 'made-on date');
  check(
    PROMISE_CHANNELS.includes(p.channel),
    'bad-channel',
    `channel: one of ${PROMISE_CHANNELS.join(', ')}`,
  );
  check(
    p.promisedBy == null || (p.promisedBy.length >= 1 && p.promisedBy.length <= 200),
    'bad-name',
    'who promised: 1–200 chars',
  );
  check(p.note == null || p.note.length <= 2000, 'bad-note', 'a note has at most 2000 characters');
  const documentIds = [...new Set(p.documentIds ?? [])];
  check(
    documentIds.length <= MAX_PROMISE_DOCUMENTS,
    'too-many',
    `at most ${MAX_PROMISE_DOCUMENTS} documents`,
  );
  const { rows } = await client.query<{ currency: string; today: string }>(
    `SELECT currency, to_char(current_date, 'YYYY-MM-DD') AS today FROM customer
      WHERE company_id = $1 AND customer_id = $2`,
    [ctx.companyId, p.customerId],
  );
  check(rows[0], 'unknown-customer', `no customer ${p.customerId} in company ${ctx.code}`);
  const madeOn = p.madeOn ?? rows[0].today;
  check(
    p.promisedDate >= madeOn,
    'bad-date',
    `the promised date ${p.promisedDate} is before the promise (${madeOn})`,
  );
  let currency = p.currency ?? rows[0].currency.trim();
  if (documentIds.length > 0) {
    const docs = await client.query<{ currency: string; n: number }>(
      `SELECT currency, count(*)::int8 AS n FROM document
        WHERE company_id = $1 AND customer_id = $2 AND document_id = ANY ($3::uuid[]) AND doc_type <> 'credit_memo'
        GROUP BY currency`,
      [ctx.companyId, p.customerId, documentIds],
    );
    const n = docs.rows.reduce((s, r) => s + r.n, 0);
    check(
      n === documentIds.length,
      'bad-documents',
      "a promise's documents must be the customer's invoices or debit memos",
    );
    check(docs.rows.length === 1, 'bad-documents', "a promise's documents must share one currency");
    currency = p.currency ?? docs.rows[0]!.currency.trim();
    check(
      docs.rows[0]!.currency.trim() === currency,
      'bad-currency',
      `the documents are in ${docs.rows[0]!.currency}, not ${currency}`,
    );
  }
  const settings = await loadSettings(client, ctx.companyId);
  const promiseId = uuidv7();
  await client.query(
    `INSERT INTO payment_promise (company_id, promise_id, customer_id, currency, amount_minor, promised_date, made_on,
       channel, promised_by, document_ids, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::uuid[], $11, $12)`,
    [
      ctx.companyId,
      promiseId,
      p.customerId,
      currency,
      p.amountMinor,
      p.promisedDate,
      madeOn,
      p.channel,
      p.promisedBy ?? null,
      documentIds,
      p.note ?? null,
      p.actor,
    ],
  );
  const who = p.promisedBy ? ` by ${p.promisedBy}` : '';
  const docs = documentIds.length > 0 ? ` for ${documentIds.length} document(s)` : '';
  const activityId = await recordActivity(client, ctx, {
    customerId: p.customerId,
    kind: 'promise',
    text: `promise to pay ${moneyText(p.amountMinor, currency)} by ${p.promisedDate}${who} (${p.channel})${docs}${p.note ? `: ${p.note}` : ''}`.slice(
      0,
      4000,
    ),
    followUpDate: addDays(p.promisedDate, settings.promiseGraceDays + 1),
    refType: 'promise',
    refId: promiseId,
    actor: p.actor,
    date: madeOn,
  });
  return { promiseId, activityId };
}

export interface PromiseRow {
  promiseId: string;
  customerId: string;
  customerNumber: string;
  customerName: string;
  currency: string;
  amountMinor: number;
  keptMinor: number;
  promisedDate: string;
  madeOn: string;
  channel: string;
  promisedBy: string | null;
  documentNumbers: string[];
  status: PromiseStatusName;
  settledOn: string | null;
  createdBy: string;
}

const PROMISE_SELECT = `
  SELECT p.promise_id, p.customer_id, c.customer_number, c.name, p.currency, p.amount_minor, p.kept_minor,
         p.promised_date, p.made_on, p.channel, p.promised_by, p.status, p.settled_on, p.created_by,
         coalesce((SELECT jsonb_agg(d.document_number ORDER BY d.document_number) FROM document d
                    WHERE d.company_id = p.company_id AND d.document_id = ANY (p.document_ids)), '[]'::jsonb) AS document_numbers
    FROM payment_promise p
    JOIN customer c ON c.company_id = p.company_id AND c.customer_id = p.customer_id`;

interface PromiseDbRow {
  promise_id: string;
  customer_id: string;
  customer_number: string;
  name: string;
  currency: string;
  amount_minor: number;
  kept_minor: number;
  promised_date: string;
  made_on: string;
  channel: string;
  promised_by: string | null;
  status: PromiseStatusName;
  settled_on: string | null;
  created_by: string;
  document_numbers: string[];
}

const toPromise = (r: PromiseDbRow): PromiseRow => ({
  promiseId: r.promise_id,
  customerId: r.customer_id,
  customerNumber: r.customer_number,
  customerName: r.name,
  currency: r.currency.trim(),
  amountMinor: r.amount_minor,
  keptMinor: r.kept_minor,
  promisedDate: r.promised_date,
  madeOn: r.made_on,
  channel: r.channel,
  promisedBy: r.promised_by,
  documentNumbers: r.document_numbers,
  status: r.status,
  settledOn: r.settled_on,
  createdBy: r.created_by,
});

export async function listPromises(
  client: SqlClient,
  ctx: CompanyContext,
  options: { status?: PromiseStatusName; customerId?: string; limit?: number } = {},
): Promise<PromiseRow[]> {
  const limit = options.limit ?? 1000;
  check(Number.isSafeInteger(limit) && limit >= 1 && limit <= 1_000_000, 'bad-limit', 'limit: 1 to 1000000');
  const { rows } = await client.query<PromiseDbRow>(
    `${PROMISE_SELECT}
      WHERE p.company_id = $1 AND ($2::text IS NULL OR p.status = $2) AND ($3::uuid IS NULL OR p.customer_id = $3)
      ORDER BY p.promised_date, c.customer_number, p.promise_id
      LIMIT $4`,
    [ctx.companyId, options.status ?? null, options.customerId ?? null, limit],
  );
  return rows.map(toPromise);
}

export interface PromiseEventRow {
  eventId: string;
  fromStatus: string;
  toStatus: string;
  keptMinor: number;
  asOfDate: string;
  source: 'auto' | 'manual' | 'undo';
  reason: string;
  reasons: unknown;
  reversesEventId: string | null;
  reversedBy: string | null;
  by: string;
}

export async function promiseDetail(
  client: SqlClient,
  ctx: CompanyContext,
  promiseId: string,
): Promise<{ promise: PromiseRow; events: PromiseEventRow[] }> {
  check(/^[0-9a-f-]{36}$/i.test(promiseId), 'bad-id', `not a promise id: ${promiseId}`);
  const { rows } = await client.query<PromiseDbRow>(
    `${PROMISE_SELECT} WHERE p.company_id = $1 AND p.promise_id = $2`,
    [ctx.companyId, promiseId],
  );
  if (!rows[0]) throw new ActivityError('unknown-promise', `no promise ${promiseId}`);
  const events = await client.query<{
    event_id: string;
    from_status: string;
    to_status: string;
    kept_minor: number;
    as_of_date: string;
    source: 'auto' | 'manual' | 'undo';
    reason: string;
    reasons: unknown;
    reverses_event_id: string | null;
    reversed_by: string | null;
    created_by: string;
  }>(
    `SELECT e.event_id, e.from_status, e.to_status, e.kept_minor, e.as_of_date, e.source, e.reason, e.reasons,
            e.reverses_event_id, u.event_id AS reversed_by, e.created_by
       FROM promise_event e
       LEFT JOIN promise_event u ON u.company_id = e.company_id AND u.reverses_event_id = e.event_id
      WHERE e.company_id = $1 AND e.promise_id = $2
      ORDER BY e.created_at, e.event_id`,
    [ctx.companyId, promiseId],
  );
  return {
    promise: toPromise(rows[0]),
    events: events.rows.map((e) => ({
      eventId: e.event_id,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      keptMinor: e.kept_minor,
      asOfDate: e.as_of_date,
      source: e.source,
      reason: e.reason,
      reasons: e.reasons,
      reversesEventId: e.reverses_event_id,
      reversedBy: e.reversed_by,
      by: e.created_by,
    })),
  };
}

/**
 * A person settles an open promise by hand: kept (paid by a way the ledger does not show yet),
 * broken (the customer withdrew it), or cancelled (recorded by mistake, replaced by a new one).
 */
export async function setPromiseStatus(
  client: SqlClient,
  ctx: CompanyContext,
  promiseId: string,
  to: 'kept' | 'broken' | 'cancelled',
  options: { reason: string; actor: string; date?: string },
): Promise<string> {
  check(['kept', 'broken', 'cancelled'].includes(to), 'bad-status', `cannot set a promise to ${to}`);
  check(
    options.reason.trim().length > 0 && options.reason.length <= 2000,
    'reason-required',
    'a reason is required',
  );
  const p = await lockPromise(client, ctx, promiseId);
  if (p.status !== 'open')
    throw new ActivityError(
      'not-open',
      `the promise is ${p.status}; undo its last change first to change it again`,
    );
  const date = options.date ?? p.today;
  assertIsoDate(date, 'date');
  const keptMinor = to === 'kept' ? p.amount_minor : 0;
  const eventId = uuidv7();
  await client.query(
    `INSERT INTO promise_event (company_id, event_id, promise_id, from_status, to_status, kept_minor, as_of_date, source,
       reason, created_by)
     VALUES ($1, $2, $3, 'open', $4, $5, $6, 'manual', $7, $8)`,
    [ctx.companyId, eventId, promiseId, to, keptMinor, date, options.reason, options.actor],
  );
  await client.query(
    `UPDATE payment_promise SET status = $3, kept_minor = $4, settled_on = $5 WHERE company_id = $1 AND promise_id = $2`,
    [ctx.companyId, promiseId, to, keptMinor, date],
  );
  await recordActivity(client, ctx, {
    customerId: p.customer_id,
    kind: 'promise',
    text: `promise of ${moneyText(p.amount_minor, p.currency.trim())} marked ${to} by hand: ${options.reason}`.slice(
      0,
      4000,
    ),
    refType: 'promise_status',
    refId: promiseId,
    actor: options.actor,
    date,
  });
  return eventId;
}

/**
 * Undoes a promise's last status change (automatic or manual): a reversal event puts it back to
 * open, and the cash an automatic settlement counted is free again. The next check evaluates it
 * afresh — so undoing a settlement the ledger still supports only helps after the ledger changed
 * (a receipt re-applied) or together with a manual status.
 */
export async function undoPromiseEvent(
  client: SqlClient,
  ctx: CompanyContext,
  eventId: string,
  options: { reason: string; actor: string },
): Promise<string> {
  check(/^[0-9a-f-]{36}$/i.test(eventId), 'bad-id', `not an event id: ${eventId}`);
  check(
    options.reason.trim().length > 0 && options.reason.length <= 2000,
    'reason-required',
    'a reason is required',
  );
  const { rows } = await client.query<{
    promise_id: string;
    to_status: string;
    source: string;
    reversed: boolean;
  }>(
    `SELECT e.promise_id, e.to_status, e.source,
            EXISTS (SELECT 1 FROM promise_event u WHERE u.company_id = e.company_id AND u.reverses_event_id = e.event_id) AS reversed
       FROM promise_event e WHERE e.company_id = $1 AND e.event_id = $2`,
    [ctx.companyId, eventId],
  );
  const e = rows[0];
  if (!e) throw new ActivityError('unknown-event', `no promise event ${eventId}`);
  check(e.source !== 'undo', 'cannot-undo', 'an undo cannot itself be undone; record the status again');
  check(!e.reversed, 'already-undone', 'this change was undone already');
  const p = await lockPromise(client, ctx, e.promise_id);
  check(
    p.status === e.to_status,
    'not-latest',
    `the promise is now ${p.status}: only its last change can be undone`,
  );
  const undoId = uuidv7();
  await client.query(
    `INSERT INTO promise_event (company_id, event_id, promise_id, from_status, to_status, kept_minor, as_of_date, source,
       reason, reverses_event_id, created_by)
     VALUES ($1, $2, $3, $4, 'open', 0, $5, 'undo', $6, $7, $8)`,
    [ctx.companyId, undoId, e.promise_id, e.to_status, p.today, options.reason, eventId, options.actor],
  );
  await client.query(
    `UPDATE payment_promise SET status = 'open', kept_minor = 0, settled_on = NULL WHERE company_id = $1 AND promise_id = $2`,
    [ctx.companyId, e.promise_id],
  );
  await recordActivity(client, ctx, {
    customerId: p.customer_id,
    kind: 'promise',
    text: `promise status ${e.to_status} undone (open again): ${options.reason}`.slice(0, 4000),
    refType: 'promise_status',
    refId: e.promise_id,
    actor: options.actor,
    date: p.today,
  });
  return undoId;
}

async function lockPromise(client: SqlClient, ctx: CompanyContext, promiseId: string) {
  check(/^[0-9a-f-]{36}$/i.test(promiseId), 'bad-id', `not a promise id: ${promiseId}`);
  const { rows } = await client.query<{
    customer_id: string;
    status: PromiseStatusName;
    amount_minor: number;
    currency: string;
    today: string;
  }>(
    `SELECT customer_id, status, amount_minor, currency, to_char(current_date, 'YYYY-MM-DD') AS today
       FROM payment_promise WHERE company_id = $1 AND promise_id = $2 FOR UPDATE`,
    [ctx.companyId, promiseId],
  );
  if (!rows[0]) throw new ActivityError('unknown-promise', `no promise ${promiseId}`);
  return rows[0];
}
