/**
 * `import remittance`: reads a remittance advice a customer sent (.eml, .csv, .txt, .pdf, .html) and
 * stores it through the banking module, which owns the remittance tables. Nothing is stored when the
 * file says nothing cash application could use; the same file twice adds nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type RemittanceChannel, storeRemittanceAdvices } from '../banking/index.js';
import { ParseError } from '../formats/errors.js';
import type { CompanyContext } from '../ledger/index.js';
import type { Database } from '../store/database.js';
import { readRemittanceCsv } from './csv.js';
import { readRemittanceEmail } from './email.js';
import { type ExtractedAdvice, type ExtractOptions, extractRemittance, isEmptyAdvice } from './extract.js';
import { htmlToText } from './html.js';
import { pdfToText } from './pdf.js';

export type RemittanceFileKind = 'email' | 'csv' | 'text' | 'pdf' | 'html';

export const REMITTANCE_FILE_KINDS: readonly RemittanceFileKind[] = ['email', 'csv', 'text', 'pdf', 'html'];

export interface RemittanceRead {
  file: string;
  kind: RemittanceFileKind;
  advices: ExtractedAdvice[];
  warnings: string[];
  sha256: string;
}

const EXPECTED = 'a remittance advice: invoice numbers with amounts, a payment amount or a payment reference';

/** The kind of file, from its extension or, failing that, its first bytes. */
export function remittanceKindOf(path: string, head: Uint8Array): RemittanceFileKind | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.eml' || ext === '.msg822') return 'email';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.txt' || ext === '.text') return 'text';
  if (ext === '.pdf') return 'pdf';
  if (ext === '.html' || ext === '.htm') return 'html';
  const start = Buffer.from(head.subarray(0, 1024)).toString('latin1');
  if (start.startsWith('%PDF-')) return 'pdf';
  if (
    /^(?:(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To):.*\r?\n){2}/im.test(
      start,
    )
  )
    return 'email';
  if (/^\s*<(?:!doctype html|html)/i.test(start)) return 'html';
  return null;
}

/** Reads a remittance file into advices (no database). Throws a ParseError when it holds none. */
export async function readRemittanceFile(
  path: string,
  options: ExtractOptions & { kind?: RemittanceFileKind } = {},
): Promise<RemittanceRead> {
  const file = basename(path);
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const kind = options.kind ?? remittanceKindOf(path, bytes);
  if (kind === null)
    throw new ParseError(
      'remittance-kind',
      {
        file,
        expected:
          'an e-mail (.eml), a CSV file (.csv), text (.txt), HTML (.html) or a PDF with a text layer (.pdf)',
      },
      'not a remittance file this command reads',
    );
  const { advices, warnings } = await readByKind(kind, bytes, file, options);
  const useful = advices.filter((a) => !isEmptyAdvice(a));
  if (useful.length === 0)
    throw new ParseError(
      'remittance-empty',
      { file, expected: EXPECTED },
      `no remittance advice found${warnings.length > 0 ? ` (${warnings.join('; ')})` : ''}; nothing was stored`,
    );
  return { file, kind, advices: useful, warnings, sha256 };
}

async function readByKind(
  kind: RemittanceFileKind,
  bytes: Buffer,
  file: string,
  options: ExtractOptions,
): Promise<{ advices: ExtractedAdvice[]; warnings: string[] }> {
  switch (kind) {
    case 'email':
      return readRemittanceEmail(bytes, file, options);
    case 'csv':
      return readRemittanceCsv(bytes, file, options);
    case 'pdf': {
      let text: string;
      try {
        text = await pdfToText(bytes);
      } catch (error) {
        throw new ParseError('pdf-unreadable', { file, expected: 'a PDF file' }, 'cannot read the PDF', {
          cause: error,
        });
      }
      if (text.trim() === '')
        throw new ParseError(
          'pdf-no-text',
          { file, expected: 'a PDF with a text layer' },
          'the PDF has no text (a scan?); nothing was stored',
        );
      return { advices: [extractRemittance(text, options)], warnings: [] };
    }
    case 'html':
      return { advices: [extractRemittance(htmlToText(decodeText(bytes)), options)], warnings: [] };
    default:
      return { advices: [extractRemittance(decodeText(bytes), options)], warnings: [] };
  }
}

function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

export interface RemittanceImportOptions {
  path: string;
  actor: string;
  kind?: RemittanceFileKind;
}

export interface ImportedAdvice {
  status: 'new' | 'existing';
  payer: string | null;
  payer_email: string | null;
  payment_reference: string | null;
  amount: string | null;
  currency: string | null;
  payment_date: string | null;
  lines: number;
  unparsed_references: string[];
  warnings: string[];
}

export interface RemittanceImportSummary {
  /** The bank_file row the new advices belong to; null when nothing was new. */
  fileId: string | null;
  file: string;
  kind: RemittanceFileKind;
  advicesNew: number;
  advicesExisting: number;
  linesNew: number;
  advices: ImportedAdvice[];
  warnings: string[];
}

const CHANNEL: Record<RemittanceFileKind, RemittanceChannel> = {
  email: 'email',
  csv: 'csv',
  text: 'text',
  pdf: 'pdf',
  html: 'text',
};

const DOLLAR_CURRENCIES = new Set(['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD']);

export async function importRemittanceFile(
  database: Database,
  ctx: CompanyContext,
  options: RemittanceImportOptions,
): Promise<RemittanceImportSummary> {
  const read = await readRemittanceFile(options.path, {
    kind: options.kind,
    dollarCurrency: DOLLAR_CURRENCIES.has(ctx.baseCurrency) ? ctx.baseCurrency : 'USD',
    ownNames: [ctx.name],
  });
  const stored = await database.transaction(({ client }) =>
    storeRemittanceAdvices(client, ctx, {
      file: {
        name: read.file,
        sha256: read.sha256,
        format: `remittance-${read.kind}`,
        actor: options.actor,
        warnings: read.warnings,
      },
      advices: read.advices,
      receivedVia: CHANNEL[read.kind],
    }),
  );
  return {
    fileId: stored.fileId,
    file: read.file,
    kind: read.kind,
    advicesNew: stored.fresh,
    advicesExisting: stored.existing,
    linesNew: stored.lines,
    advices: read.advices.map((a, k) => ({
      status: stored.isNew[k] ? 'new' : 'existing',
      payer: a.payer,
      payer_email: typeof a.payer_email === 'string' ? a.payer_email : null,
      payment_reference: a.payment_reference,
      amount: a.amount,
      currency: a.currency ?? ctx.baseCurrency,
      payment_date: a.payment_date,
      lines: a.lines.length,
      unparsed_references: a.unparsed_references,
      warnings: a.warnings,
    })),
    warnings: read.warnings,
  };
}
