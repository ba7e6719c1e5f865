import nodemailer from 'nodemailer';
import { newId } from '../imports/ids.js';
import type { CompanyContext } from '../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { ensureDisputeSetup } from './config.js';
import { copyLines, q } from './copy.js';
import { assertIsoDate, daysBetween, escalationLevelDue } from './core/dates.js';
import { mailboxOf } from './core/outcome.js';

export interface EscalationNotice {
  caseId: string;
  caseNumber: string;
  level: 1 | 2;
  recipient: string;
  subject: string;
  transport: 'smtp' | 'outbox';
}

export interface EscalationSummary {
  asOf: string;
  overdue: number;
  /** Notifications created by this run (none twice: one per case, round and level). */
  created: EscalationNotice[];
}

/**
 * The escalation run for a date: every live case past its deadline gets a reminder to its owner
 * (level 1) and, more than `manager_after_days` past it, a notice to the owner's manager (level 2;
 * the default owner when the case has no manager). Idempotent: a notification exists once per case,
 * assignment round and level (a unique key), so running again the same day, or the next, adds only
 * what is newly due. With `smtp` true, notices to a mailbox are queued for sending (see
 * `deliverNotifications`); the others are recorded in the outbox for a person to read.
 */
export async function runEscalation(
  client: SqlClient,
  ctx: CompanyContext,
  opts: { asOf: string; actor: string; smtp: boolean },
): Promise<EscalationSummary> {
  const asOf = assertIsoDate(opts.asOf, 'as-of date');
  const settings = await ensureDisputeSetup(client, ctx, opts.actor);
  const { rows } = await client.query<{
    case_id: string;
    case_number: string;
    owner: string;
    manager: string | null;
    deadline: string;
    escalation_level: number;
    escalation_round: number;
    currency: string;
    amount_minor: number;
    reason_code: string;
    customer_number: string | null;
    customer_name: string | null;
  }>(
    `SELECT c.case_id, c.case_number, c.owner, c.manager, c.deadline, c.escalation_level, c.escalation_round, c.currency,
            c.amount_minor, c.reason_code, cu.customer_number, cu.name AS customer_name
       FROM dispute_case c LEFT JOIN customer cu ON cu.company_id = c.company_id AND cu.customer_id = c.customer_id
      WHERE c.company_id = $1 AND c.status NOT IN ('resolved', 'closed') AND c.deadline < $2::date
        AND c.escalation_level < 2`,
    [ctx.companyId, asOf],
  );
  // Staged by COPY in slices (flat lines joined from arrays, which die young), then one statement:
  // the notifications not yet there (the unique key makes the run idempotent), the cases' levels,
  // and an event for each notification actually created.
  await client.query('DROP TABLE IF EXISTS pg_temp.dispute_notification_stage');
  await client.query(
    `CREATE TEMP TABLE dispute_notification_stage (notification_id uuid, event_id uuid, case_id uuid, round int4,
       level int2, recipient text, subject text, body text, transport text) ON COMMIT DROP`,
  );
  const columns = [
    'notification_id',
    'event_id',
    'case_id',
    'round',
    'level',
    'recipient',
    'subject',
    'body',
    'transport',
  ];
  let lines: string[] = [];
  let staged = 0;
  for (const c of rows) {
    const due = escalationLevelDue(asOf, c.deadline, settings.managerAfterDays);
    const late = daysBetween(c.deadline, asOf);
    const days = late === 1 ? '1 day' : `${late} days`;
    const currency = c.currency.trim();
    const amount = [formatMinor(c.amount_minor, minorUnitExponent(currency)), currency].join(' ');
    const who = [c.customer_number ?? '?', c.customer_name ?? ''].join(' ').trim();
    for (let level = c.escalation_level + 1; level <= due; level++) {
      const recipient = level === 1 ? c.owner : (c.manager ?? settings.defaultOwner);
      const subject =
        level === 1
          ? ['Dispute ', c.case_number, ' is ', days, ' past its deadline'].join('')
          : ['Escalation: dispute ', c.case_number, ' owned by ', c.owner, ' is ', days, ' overdue'].join('');
      const body = [
        level === 1 ? 'Hello,' : `Hello,\n\nthis dispute has not been decided by its owner, ${c.owner}.`,
        '',
        `Case ${c.case_number}: ${who}, ${amount}, reason ${c.reason_code}.`,
        `Deadline ${c.deadline}; today ${asOf}, ${days} late.`,
        '',
        `Decide it with: openar dispute resolve ${c.case_number} --outcome valid|invalid|partial --finding "..."`,
        `or see it with: openar dispute show ${c.case_number}`,
      ].join('\n');
      lines.push(
        [
          newId(),
          newId(),
          c.case_id,
          c.escalation_round,
          level,
          q(recipient),
          q(subject),
          q(body),
          opts.smtp && mailboxOf(recipient) !== null ? 'smtp' : 'outbox',
        ].join(','),
      );
      if (lines.length >= 5_000) {
        staged += await copyLines(client, 'dispute_notification_stage', columns, lines);
        lines = [];
      }
    }
  }
  staged += await copyLines(client, 'dispute_notification_stage', columns, lines);
  if (staged === 0) return { asOf, overdue: rows.length, created: [] };
  const { rows: created } = await client.query<{
    case_id: string;
    level: number;
    recipient: string;
    subject: string;
    transport: 'smtp' | 'outbox';
  }>(
    `WITH ins AS (
       INSERT INTO dispute_notification (company_id, notification_id, case_id, round, level, recipient, subject, body,
         as_of, transport, created_by)
       SELECT $1, notification_id, case_id, round, level, recipient, subject, body, $2, transport, $3
         FROM dispute_notification_stage
       ON CONFLICT (company_id, case_id, round, level) DO NOTHING
       RETURNING notification_id, case_id, level, recipient, subject, transport),
     upd AS (
       UPDATE dispute_case c SET escalation_level = greatest(c.escalation_level, m.level), updated_at = now(), updated_by = $3
         FROM (SELECT case_id, max(level) AS level FROM ins GROUP BY case_id) m
        WHERE c.company_id = $1 AND c.case_id = m.case_id
       RETURNING c.case_id),
     ev AS (
       INSERT INTO dispute_event (company_id, event_id, case_id, kind, text, data, actor)
       SELECT $1, s.event_id, i.case_id, 'escalated',
              CASE WHEN i.level = 1 THEN 'reminder to the owner ' ELSE 'escalated to the manager ' END || i.recipient || ': ' || i.subject,
              jsonb_build_object('level', i.level, 'recipient', i.recipient, 'transport', i.transport, 'as_of', $2::date),
              $3
         FROM ins i JOIN dispute_notification_stage s ON s.notification_id = i.notification_id
       RETURNING case_id)
     -- Data-modifying CTEs run to completion whether or not the SELECT reads them.
     SELECT case_id, level, recipient, subject, transport FROM ins`,
    [ctx.companyId, asOf, opts.actor],
  );
  const numbers = new Map(rows.map((r) => [r.case_id, r.case_number]));
  created.sort((a, b) =>
    a.case_id === b.case_id ? a.level - b.level : numbers.get(a.case_id)! < numbers.get(b.case_id)! ? -1 : 1,
  );
  return {
    asOf,
    overdue: rows.length,
    created: created.map((n) => ({
      caseId: n.case_id,
      caseNumber: numbers.get(n.case_id)!,
      level: n.level as 1 | 2,
      recipient: n.recipient,
      subject: n.subject,
      transport: n.transport,
    })),
  };
}

/** At most this many e-mails per delivery call (a bound on one command's work). */
export const MAX_DELIVERIES = 10_000;

/**
 * Sends the queued notifications through SMTP (nodemailer, `smtpUrl` such as
 * smtp://user:pass@host:587), each recorded as sent (or with its error, to be retried next run) in
 * its own short transaction, after the escalation run committed: a mail is never sent for a
 * notification that was rolled back.
 */
export async function deliverNotifications(
  database: Database,
  ctx: CompanyContext,
  opts: { smtpUrl: string; from?: string },
): Promise<{ sent: number; failed: number }> {
  const pending = await database.transaction(({ client }) =>
    client.query<{ notification_id: string; recipient: string; subject: string; body: string }>(
      `SELECT notification_id, recipient, subject, body FROM dispute_notification
        WHERE company_id = $1 AND transport = 'smtp' AND sent_at IS NULL ORDER BY notification_id LIMIT $2`,
      [ctx.companyId, MAX_DELIVERIES],
    ),
  );
  if (pending.rows.length === 0) return { sent: 0, failed: 0 };
  const transport = nodemailer.createTransport(opts.smtpUrl);
  const from =
    opts.from ??
    process.env.SMTP_FROM ??
    `openar <openar@${ctx.code.toLowerCase().replace(/[^a-z0-9-]/g, '') || 'localhost'}.invalid>`;
  let sent = 0;
  let failed = 0;
  try {
    for (const n of pending.rows) {
      let error: string | null = null;
      try {
        await transport.sendMail({ from, to: mailboxOf(n.recipient)!, subject: n.subject, text: n.body });
        sent++;
      } catch (e) {
        error = (e as Error).message.slice(0, 500);
        failed++;
      }
      await database.transaction(({ client }) =>
        client.query(
          `UPDATE dispute_notification SET sent_at = CASE WHEN $3::text IS NULL THEN now() END, error = $3
            WHERE company_id = $1 AND notification_id = $2`,
          [ctx.companyId, n.notification_id, error],
        ),
      );
    }
  } finally {
    transport.close();
  }
  return { sent, failed };
}
