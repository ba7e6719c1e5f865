import { createHash } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import type { RemittanceAdvice } from '../formats/model.js';
import type { CompanyContext } from '../ledger/index.js';
import { minorUnitExponent, parseDecimalToMinor } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import { adviceKey, BankImportError } from './normalize.js';

/** How an advice reached us: inside a bank file, or sent by the customer (e-mail, their CSV, a PDF). */
export type RemittanceChannel = 'bank-file' | 'email' | 'csv' | 'text' | 'pdf';

/** A file that carried only remittance advices (no bank entries): recorded as a bank_file when it adds any. */
export interface RemittanceFileMeta {
  name: string;
  sha256: string;
  /** What kind of file it was, stored as bank_file.format ("remittance-email", "remittance-csv", …). */
  format: string;
  actor: string;
  warnings?: readonly string[];
}

export interface StoreRemittanceInput {
  /** The bank_file the advices came in, already written (bank import). */
  fileId?: string;
  /** Or a remittance-only file: its bank_file row is written here, only when an advice is new. */
  file?: RemittanceFileMeta;
  advices: readonly RemittanceAdvice[];
  receivedVia?: RemittanceChannel;
  /** Names the file in error messages. */
  fileName?: string;
}

export interface StoredRemittances {
  /** The bank_file the new advices belong to; null when nothing was new (no file row was written). */
  fileId: string | null;
  fresh: number;
  existing: number;
  lines: number;
  /** Per advice, in input order: whether it was new. */
  isNew: boolean[];
}

/**
 * What makes two advices the same. Bank-file advices keep the key bank import has always used
 * (payer, reference, amount, lines). A received advice with a message id is that message's n-th
 * advice, so re-reading the same e-mail adds nothing even if the reader has since improved; without
 * one, its content (including the sender's address, since two customers can send alike advices).
 */
export function remittanceAdviceKey(
  advice: RemittanceAdvice,
  channel: RemittanceChannel,
  ordinal: number,
): string {
  if (channel === 'bank-file') return adviceKey(advice);
  const messageId =
    typeof advice.message_id === 'string' && advice.message_id !== '' ? advice.message_id : null;
  const identity = messageId
    ? ['message', messageId, ordinal]
    : [
        'content',
        channel,
        advice.payer_email ?? null,
        advice.payer,
        advice.payment_reference,
        advice.amount,
        advice.currency ?? null,
        advice.payment_date ?? null,
        advice.lines.map((l) => [l.document_number, l.amount_paid]),
      ];
  return createHash('sha256').update(JSON.stringify(identity)).digest('base64url');
}

/**
 * Stores remittance advices and their lines, set-based (one statement per table). An advice whose
 * key is already stored adds nothing. Used by bank import (advices inside bank files) and by
 * `import remittance` (advices customers send).
 */
export async function storeRemittanceAdvices(
  client: SqlClient,
  ctx: CompanyContext,
  input: StoreRemittanceInput,
): Promise<StoredRemittances> {
  const channel = input.receivedVia ?? 'bank-file';
  const fileName = input.fileName ?? input.file?.name ?? 'file';
  if (input.advices.length === 0)
    return { fileId: input.fileId ?? null, fresh: 0, existing: 0, lines: 0, isNew: [] };
  const advices = input.advices.map((a, ordinal) =>
    adviceRow(a, channel, ordinal, ctx.baseCurrency, fileName),
  );
  let fileId = input.fileId ?? null;
  if (fileId === null) {
    if (input.file === undefined)
      throw new Error('storeRemittanceAdvices needs a fileId or the file it came in');
    const known = await existingKeys(
      client,
      ctx,
      advices.map((a) => a.advice_key),
    );
    if (advices.every((a) => known.has(a.advice_key)))
      return { fileId: null, fresh: 0, existing: advices.length, lines: 0, isNew: advices.map(() => false) };
    fileId = await insertFile(client, ctx, input.file);
  }
  const { rows } = await client.query<{ advice_id: string }>(
    `INSERT INTO remittance_advice (company_id, advice_id, advice_key, file_id, payer, payment_reference, amount_minor, currency,
       details, received_via, payment_date, advice_date, payer_email)
     SELECT $1, x.advice_id, x.advice_key, $2, x.payer, x.payment_reference, x.amount_minor, x.currency, x.details,
            x.received_via, x.payment_date, x.advice_date, x.payer_email
       FROM jsonb_to_recordset($3::jsonb) AS x(advice_id uuid, advice_key text, payer text, payment_reference text,
            amount_minor int8, currency text, details jsonb, received_via text, payment_date date, advice_date date,
            payer_email text)
     ON CONFLICT (company_id, advice_key) DO NOTHING RETURNING advice_id`,
    [ctx.companyId, fileId, JSON.stringify(advices)],
  );
  const fresh = new Set(rows.map((r) => r.advice_id));
  const lines = advices
    .filter((a) => fresh.has(a.advice_id))
    .flatMap((a) => a.lines.map((l) => ({ advice_id: a.advice_id, ...l })));
  if (lines.length > 0) {
    await client.query(
      `INSERT INTO remittance_line (company_id, advice_id, line_no, document_number, amount_paid_minor, amount_invoiced_minor,
         discount_minor, adjustments, document_type, details)
       SELECT $1, x.advice_id, x.line_no, x.document_number, x.amount_paid_minor, x.amount_invoiced_minor, x.discount_minor,
              x.adjustments, x.document_type, x.details
         FROM jsonb_to_recordset($2::jsonb) AS x(advice_id uuid, line_no int4, document_number text, amount_paid_minor int8,
              amount_invoiced_minor int8, discount_minor int8, adjustments jsonb, document_type text, details jsonb)`,
      [ctx.companyId, JSON.stringify(lines)],
    );
  }
  if (input.fileId === undefined)
    await client.query(`UPDATE bank_file SET remittances_new = $3 WHERE company_id = $1 AND file_id = $2`, [
      ctx.companyId,
      fileId,
      fresh.size,
    ]);
  return {
    fileId,
    fresh: fresh.size,
    existing: advices.length - fresh.size,
    lines: lines.length,
    isNew: advices.map((a) => fresh.has(a.advice_id)),
  };
}

function adviceRow(
  a: RemittanceAdvice,
  channel: RemittanceChannel,
  ordinal: number,
  baseCurrency: string,
  file: string,
) {
  const currency = (typeof a.currency === 'string' ? a.currency : baseCurrency).toUpperCase();
  const exponent = minorUnitExponent(currency);
  const minor = (v: string | null) => {
    if (v === null) return null;
    try {
      return parseDecimalToMinor(v, exponent);
    } catch (error) {
      throw new BankImportError(`${file}: remittance amount ${v} is not a valid ${currency} amount`, {
        cause: error,
      });
    }
  };
  const { lines, payer, payment_reference, amount, ...details } = a;
  return {
    advice_id: uuidv7(),
    advice_key: remittanceAdviceKey(a, channel, ordinal),
    payer,
    payment_reference,
    amount_minor: minor(amount),
    currency,
    details,
    received_via: channel,
    payment_date: isoDateOrNull(a.payment_date),
    advice_date: isoDateOrNull(a.advice_date),
    payer_email: typeof a.payer_email === 'string' ? a.payer_email : null,
    lines: lines.map((l, i) => {
      const {
        document_number,
        amount_paid,
        amount_invoiced,
        discount,
        adjustments,
        document_type,
        ...lineDetails
      } = l;
      return {
        line_no: i + 1,
        document_number,
        amount_paid_minor: minor(amount_paid),
        amount_invoiced_minor: minor(amount_invoiced),
        discount_minor: minor(discount),
        adjustments: adjustments.map(({ amount: adjustmentAmount, ...rest }) => ({
          ...rest,
          amount_minor: minor(adjustmentAmount),
        })),
        document_type: typeof document_type === 'string' ? document_type : null,
        details: lineDetails,
      };
    }),
  };
}

function isoDateOrNull(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

async function existingKeys(client: SqlClient, ctx: CompanyContext, keys: string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ advice_key: string }>(
    'SELECT advice_key FROM remittance_advice WHERE company_id = $1 AND advice_key = ANY($2::text[])',
    [ctx.companyId, keys],
  );
  return new Set(rows.map((r) => r.advice_key));
}

async function insertFile(client: SqlClient, ctx: CompanyContext, file: RemittanceFileMeta): Promise<string> {
  const fileId = uuidv7();
  await client.query(
    `INSERT INTO bank_file (company_id, file_id, file_name, file_sha256, format, statements, entries_new, entries_existing,
       remittances_new, warnings, created_by) VALUES ($1, $2, $3, $4, $5, 0, 0, 0, 0, $6, $7)`,
    [
      ctx.companyId,
      fileId,
      file.name,
      file.sha256,
      file.format,
      JSON.stringify((file.warnings ?? []).map((message) => ({ code: 'remittance', message }))),
      file.actor,
    ],
  );
  return fileId;
}
