/**
 * A remittance email (.eml): the HTML body (or the plain-text body when there is no HTML, or the HTML
 * says nothing), PDF attachments with a text layer, text and CSV attachments. The parts are combined
 * into one advice when they describe one payment; an attachment with its own payment amount or
 * reference per file becomes an advice of its own. The sender's address is the payer's e-mail, the
 * Date header the advice date, and the subject is read for the payment reference.
 */
import PostalMime, { type Attachment, type Email } from 'postal-mime';
import { ParseError } from '../formats/errors.js';
import { readRemittanceCsvText } from './csv.js';
import {
  applyDeductionNotes,
  type ExtractedAdvice,
  type ExtractOptions,
  extractRemittance,
  isEmptyAdvice,
  TEXT_LIMIT,
} from './extract.js';
import { htmlToText } from './html.js';
import { pdfToText } from './pdf.js';
import { documentKey, hasCompanySuffix } from './prose.js';

export interface ReceivedAdvice extends ExtractedAdvice {
  payer_email: string | null;
  /** The day the advice was sent (Date header), in the sender's own time zone. */
  advice_date: string | null;
  subject: string | null;
  message_id: string | null;
  /** Which parts of the message it was read from: "body:html", "body:text", "attachment:remit.pdf". */
  sources: string[];
}

export interface EmailReadResult {
  advices: ReceivedAdvice[];
  /** Parts that could not be read (a scanned PDF, say): reported, not fatal. */
  warnings: string[];
}

interface PartAdvice {
  source: string;
  advice: ExtractedAdvice;
}

export async function readRemittanceEmail(
  bytes: Uint8Array,
  fileName: string,
  options: ExtractOptions = {},
): Promise<EmailReadResult> {
  let email: Email;
  try {
    email = await PostalMime.parse(bytes);
  } catch (error) {
    throw new ParseError(
      'email-unreadable',
      { file: fileName, expected: 'an RFC 822 e-mail message (.eml)' },
      'cannot read the message',
      {
        cause: error,
      },
    );
  }
  if (email.headers.length === 0 || (email.from === undefined && email.subject === undefined))
    throw new ParseError(
      'email-unreadable',
      { file: fileName, expected: 'an RFC 822 e-mail message (.eml) with From and Subject headers' },
      'no e-mail headers',
    );
  const warnings: string[] = [];
  const subject = email.subject?.trim() || undefined;
  const body = bodyAdvice(email, { ...options, subject });
  const attachments = await attachmentAdvices(email, fileName, options, warnings);
  const combined = combine(body, attachments, warnings);
  const sender = senderOf(email);
  return {
    advices: combined.map(({ advice, sources }) => ({
      ...advice,
      payer: advice.payer ?? sender.company,
      payer_email: sender.address,
      advice_date: adviceDate(email),
      subject: subject ?? null,
      message_id: email.messageId ?? null,
      sources,
    })),
    warnings,
  };
}

function bodyAdvice(email: Email, options: ExtractOptions): PartAdvice {
  const html = email.html ? extractRemittance(htmlToText(email.html), options) : null;
  if (html !== null && !isEmptyAdvice(html)) return { source: 'body:html', advice: html };
  const text = extractRemittance(email.text ?? '', options);
  if (!isEmptyAdvice(text) || html === null) return { source: 'body:text', advice: text };
  return { source: 'body:html', advice: html };
}

async function attachmentAdvices(
  email: Email,
  fileName: string,
  options: ExtractOptions,
  warnings: string[],
): Promise<PartAdvice[]> {
  const out: PartAdvice[] = [];
  for (const attachment of email.attachments) {
    const name = attachment.filename ?? attachment.mimeType;
    const source = `attachment:${name}`;
    const kind = attachmentKind(attachment);
    if (kind === null) continue;
    const bytes = contentBytes(attachment);
    if (kind === 'csv') {
      const advices = readRemittanceCsvText(
        new TextDecoder().decode(bytes),
        `${fileName} (${name})`,
        options,
      );
      for (const advice of advices.advices) out.push({ source, advice });
      warnings.push(...advices.warnings.map((w) => `${name}: ${w}`));
      continue;
    }
    const text = kind === 'pdf' ? await pdfText(bytes, name, warnings) : new TextDecoder().decode(bytes);
    if (text === null) continue;
    const advice = extractRemittance(text, options);
    if (isEmptyAdvice(advice)) warnings.push(`${name}: no remittance information found`);
    else out.push({ source, advice });
  }
  return out;
}

function attachmentKind(attachment: Attachment): 'pdf' | 'csv' | 'text' | null {
  const name = (attachment.filename ?? '').toLowerCase();
  const type = attachment.mimeType.toLowerCase();
  if (type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  if (type === 'text/csv' || name.endsWith('.csv')) return 'csv';
  if ((type === 'text/plain' && attachment.disposition === 'attachment') || name.endsWith('.txt'))
    return 'text';
  return null;
}

function contentBytes(attachment: Attachment): Uint8Array {
  const content = attachment.content;
  if (typeof content === 'string')
    return attachment.encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

async function pdfText(bytes: Uint8Array, name: string, warnings: string[]): Promise<string | null> {
  try {
    const text = await pdfToText(bytes);
    if (text.trim() === '') {
      warnings.push(`${name}: the PDF has no text layer (a scan?); it was not read`);
      return null;
    }
    return text;
  } catch (error) {
    warnings.push(
      `${name}: the PDF cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
    return null;
  }
}

/**
 * One payment described by the body and one attachment: the attachment's table wins, the body fills
 * what the attachment leaves open. Several attachments with a payment each: one advice per attachment,
 * the body kept apart only when it lists documents none of them does.
 */
function combine(
  body: PartAdvice,
  attachments: PartAdvice[],
  warnings: string[],
): { advice: ExtractedAdvice; sources: string[] }[] {
  if (attachments.length === 0)
    return isEmptyAdvice(body.advice) ? [] : [{ advice: body.advice, sources: [body.source] }];
  if (attachments.length === 1) {
    const only = attachments[0]!;
    return [{ advice: merge(only.advice, body.advice), sources: [only.source, body.source] }];
  }
  const out = attachments.map((a) => ({
    advice: { ...a.advice, payer: a.advice.payer ?? body.advice.payer },
    sources: [a.source],
  }));
  const covered = new Set(
    attachments.flatMap((a) => a.advice.lines.map((l) => documentKey(l.document_number ?? ''))),
  );
  const extra = body.advice.lines.filter((l) => !covered.has(documentKey(l.document_number ?? '')));
  if (extra.length > 0) {
    warnings.push(
      `the message body lists documents that no attachment does (${extra.map((l) => l.document_number).join(', ')}); kept as a separate advice`,
    );
    out.push({ advice: body.advice, sources: [body.source] });
  }
  return out;
}

function merge(primary: ExtractedAdvice, secondary: ExtractedAdvice): ExtractedAdvice {
  const keys = new Set(primary.lines.map((l) => documentKey(l.document_number ?? '')));
  const references = [...primary.payment_references];
  for (const r of secondary.payment_references)
    if (!references.some((p) => p.value === r.value)) references.push(r);
  const merged: ExtractedAdvice = {
    ...primary,
    payer: primary.payer ?? secondary.payer,
    payment_reference: references[0]?.value ?? null,
    payment_references: references,
    amount: primary.amount ?? secondary.amount,
    amount_source: primary.amount !== null ? primary.amount_source : secondary.amount_source,
    currency: primary.currency ?? secondary.currency,
    payment_date: primary.payment_date ?? secondary.payment_date,
    payment_method: primary.payment_method ?? secondary.payment_method,
    customer_number: primary.customer_number ?? secondary.customer_number,
    vendor_number: primary.vendor_number ?? secondary.vendor_number,
    po_numbers: [...new Set([...primary.po_numbers, ...secondary.po_numbers])],
    lines: [
      ...primary.lines,
      ...secondary.lines.filter((l) => !keys.has(documentKey(l.document_number ?? ''))),
    ],
    adjustments: primary.adjustments.length > 0 ? primary.adjustments : secondary.adjustments,
    deductions: [primary.deductions, secondary.deductions].filter((d) => d !== null).join(' ') || null,
    unparsed_references: [
      ...new Set([...primary.unparsed_references, ...secondary.unparsed_references]),
    ].filter((r) => !keys.has(documentKey(r))),
    warnings: [...primary.warnings, ...secondary.warnings],
    text:
      [primary.text, secondary.text]
        .filter((t) => t !== null)
        .join('\n\n')
        .slice(0, TEXT_LIMIT) || null,
  };
  merged.deduction_notes = applyDeductionNotes(merged.lines, [
    ...primary.deduction_notes,
    ...secondary.deduction_notes,
  ]);
  if (primary.amount !== null && secondary.amount !== null && primary.amount !== secondary.amount)
    merged.warnings.push(`the attachment says ${primary.amount}, the message body ${secondary.amount}`);
  return merged;
}

/** The sender: the address, and the display name as payer when it is a company's ("Acme Corp AP"). */
function senderOf(email: Email): { address: string | null; company: string | null } {
  const from = email.from;
  const mailbox = from && 'address' in from && from.address ? from : from?.group?.[0];
  const address = mailbox?.address?.toLowerCase() ?? null;
  const name = (mailbox?.name ?? '')
    .replace(
      /\s*[-–(]?\s*(?:accounts\s+payable|a\/p|ap(?:\s+dept)?|payables|accounting|finance|treasury|(?:kreditoren)?buchhaltung)\s*\)?\s*$/i,
      '',
    )
    .trim();
  return { address, company: name !== '' && hasCompanySuffix(name) ? name : null };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The calendar day of the Date header as the sender wrote it (not shifted to UTC). */
function adviceDate(email: Email): string | null {
  const raw = email.headers.find((h) => h.key === 'date')?.value ?? '';
  const match = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(raw);
  if (match) {
    const month = MONTHS.indexOf(match[2]!.toLowerCase()) + 1;
    if (month > 0) return `${match[3]}-${String(month).padStart(2, '0')}-${match[1]!.padStart(2, '0')}`;
  }
  return email.date && /^\d{4}-\d{2}-\d{2}/.test(email.date) ? email.date.slice(0, 10) : null;
}
