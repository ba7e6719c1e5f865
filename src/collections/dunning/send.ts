import nodemailer from 'nodemailer';
import type { CompanyContext } from '../../ledger/index.js';
import type { SqlClient } from '../../store/client.js';
import { type NewActivity, recordActivities } from '../activity/holds.js';
import { addDays } from '../core/dates.js';
import { type Statement, statementsFor } from '../statement/index.js';
import { statementPdf } from '../statement/pdf.js';
import { parseConfig } from './core/config.js';
import { DunningError, invariant } from './core/errors.js';

/**
 * Sends a run's e-mail letters over SMTP (nodemailer, `SMTP_URL`), each with the customer's
 * statement as a PDF attachment, and marks each one sent (with the server's message id) or failed
 * (with the error) as soon as the server answers, so a crash never leaves a sent letter looking
 * unsent. Statements for all the letters are read together (two queries).
 */

/** Runs work in a transaction (the CLI: one per letter's status), or on one client (tests, the demo). */
export type InTransaction = <T>(work: (client: SqlClient) => Promise<T>) => Promise<T>;

export interface SendOptions {
  smtpUrl: string;
  actor: string;
  /** Also retry letters that failed before ('dunning resend'); default: pending letters only. */
  retryFailed?: boolean;
}

export interface SendResult {
  letterId: string;
  customerId: string;
  recipient: string;
  status: 'sent' | 'failed';
  messageId: string | null;
  error: string | null;
}

export function checkSmtpUrl(url: string | undefined): string {
  if (url === undefined || url === '')
    throw new DunningError(
      'smtp-missing',
      'SMTP_URL is not set (for example smtp://127.0.0.1:2525); use --dry-run to see the letters without sending',
    );
  invariant(
    /^smtps?:\/\/[^\s]+$/i.test(url),
    'smtp-bad',
    `SMTP_URL must be smtp://host:port or smtps://…, got ${JSON.stringify(url)}`,
  );
  return url;
}

interface LetterRow {
  letter_id: string;
  customer_id: string;
  customer_number: string;
  recipient: string;
  subject: string;
  body: string;
  language: string;
  step_code: string;
  level: number;
  as_of: string;
  config: unknown;
}

export async function sendLetters(
  tx: InTransaction,
  ctx: CompanyContext,
  runId: string,
  opts: SendOptions,
): Promise<SendResult[]> {
  const smtpUrl = checkSmtpUrl(opts.smtpUrl);
  const { letters, statements, contact } = await tx(async (client) => {
    const { rows } = await client.query<LetterRow>(
      `SELECT l.letter_id, l.customer_id, c.customer_number, l.recipient, l.subject, l.body, l.language, l.step_code,
              l.level, r.as_of, r.config
         FROM dunning_letter l
         JOIN dunning_run r ON r.company_id = l.company_id AND r.run_id = l.run_id
         JOIN customer c ON c.company_id = l.company_id AND c.customer_id = l.customer_id
        WHERE l.company_id = $1 AND l.run_id = $2 AND l.action = 'email' AND l.undone_at IS NULL
          AND l.status = ANY ($3::text[])
        ORDER BY c.customer_number, l.letter_id`,
      [ctx.companyId, runId, opts.retryFailed ? ['pending', 'failed'] : ['pending']],
    );
    if (rows.length === 0) return { letters: rows, statements: new Map<string, Statement>(), contact: null };
    const first = rows[0]!;
    const config = parseConfig(
      typeof first.config === 'string' ? JSON.parse(first.config) : first.config,
      'run configuration',
    );
    const statements = await statementsFor(
      client,
      ctx,
      rows.map((r) => r.customer_id),
      { from: addDays(first.as_of, 1 - config.statementDays), to: first.as_of },
    );
    return { letters: rows, statements, contact: config.contact };
  });
  if (letters.length === 0) return [];
  const transport = nodemailer.createTransport(smtpUrl);
  const results: SendResult[] = [];
  try {
    for (const l of letters) {
      const statement = statements.get(l.customer_id);
      let result: SendResult;
      try {
        if (!statement)
          throw new DunningError('statement-missing', `no statement for customer ${l.customer_number}`);
        const pdf = await statementPdf(statement, l.language);
        const info = await transport.sendMail({
          from: { name: contact!.name, address: contact!.email },
          to: l.recipient,
          subject: l.subject,
          text: l.body,
          headers: { 'Content-Language': l.language, 'X-Openar-Dunning-Letter': l.letter_id },
          attachments: [
            {
              filename: `statement-${l.customer_number.replace(/[^A-Za-z0-9_.-]/g, '_')}-${l.as_of}.pdf`,
              content: pdf,
              contentType: 'application/pdf',
            },
          ],
        });
        result = {
          letterId: l.letter_id,
          customerId: l.customer_id,
          recipient: l.recipient,
          status: 'sent',
          messageId: String(info.messageId ?? ''),
          error: null,
        };
      } catch (error) {
        result = {
          letterId: l.letter_id,
          customerId: l.customer_id,
          recipient: l.recipient,
          status: 'failed',
          messageId: null,
          error: ((error as Error).message ?? String(error)).slice(0, 1000),
        };
      }
      results.push(result);
      await tx((client) =>
        client.query(
          `UPDATE dunning_letter SET status = $3, message_id = $4, error = $5,
                  sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END
            WHERE company_id = $1 AND letter_id = $2`,
          [ctx.companyId, result.letterId, result.status, result.messageId, result.error],
        ),
      );
    }
  } finally {
    transport.close();
  }
  const byId = new Map(letters.map((l) => [l.letter_id, l]));
  const activities: NewActivity[] = results.map((r) => {
    const l = byId.get(r.letterId)!;
    return {
      customerId: r.customerId,
      kind: 'dunning',
      text: `Dunning letter ${l.step_code} (level ${l.level}) ${r.status === 'sent' ? 'e-mailed' : 'could not be e-mailed'} to ${r.recipient}: "${l.subject}"${r.error ? `; ${r.error}` : ''}`.slice(
        0,
        4000,
      ),
      refType: 'dunning_letter',
      refId: r.letterId,
      actor: opts.actor,
      date: l.as_of,
      outcome: r.status,
    };
  });
  await tx((client) => recordActivities(client, ctx, activities));
  return results;
}
