/**
 * Remittance e-mails as customers' AP departments send them: a plain-text body (an aligned table or a
 * simple list), an HTML table, or a short note with the advice as a PDF attachment (made with pdfkit,
 * so it has a text layer). The subject and body carry the payment reference the bank entry shows
 * (or, for some, nothing the entry shows: then only payer, amount and date link them).
 */
import PDFDocument from 'pdfkit';
import type { Rng } from '../../src/demo/prng.js';
import { usDate } from './dates.js';
import type { RemitDoc } from './plan.js';

export const AR_ADDRESS = 'ar@openar-bench.example';

const CONTACTS = [
  'Jane Porter',
  'Michael Chen',
  'Priya Raman',
  'Tom Walsh',
  'Ana Souza',
  'Greg Olsen',
  'Lisa Park',
];

/** How the sender writes amounts and dates: US, British, continental European, Canadian (ISO dates). */
export type Locale = 'us' | 'gb' | 'de' | 'fr' | 'nl' | 'ca';

export interface EmailInput {
  kind: 'eml-text' | 'eml-html' | 'eml-pdf';
  locale: Locale;
  payerName: string;
  payerEmail: string;
  paymentReference: string;
  paymentDate: string;
  sentDate: string;
  amountMinor: number;
  docs: RemitDoc[];
  isoDate: (day: number) => string;
  messageId: string;
}

/** An amount as the sender's locale writes it: 1,355.80 or 1.355,80. */
export function amountText(minor: number, locale: Locale = 'us'): string {
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const continental = locale === 'de' || locale === 'fr' || locale === 'nl';
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, continental ? '.' : ',');
  return `${negative ? '-' : ''}${whole}${continental ? ',' : '.'}${String(abs % 100).padStart(2, '0')}`;
}

/** A date as the sender's locale writes it. */
export function dateText(iso: string, locale: Locale): string {
  const [y, m, d] = iso.split('-');
  switch (locale) {
    case 'us':
      return usDate(iso);
    case 'gb':
    case 'fr':
      return `${d}/${m}/${y}`;
    case 'de':
      return `${d}.${m}.${y}`;
    case 'nl':
      return `${d}-${m}-${y}`;
    default:
      return iso;
  }
}

interface Row {
  invoice: string;
  date: string;
  gross: string;
  discount: string;
  deduction: string;
  paid: string;
  note: string;
}

function rows(input: EmailInput): Row[] {
  const money = (minor: number) => amountText(minor, input.locale);
  return input.docs.map((d) => ({
    invoice: d.ref,
    date: d.date === null ? '' : dateText(input.isoDate(d.date), input.locale),
    gross: money(d.invoicedMinor ?? d.paidMinor),
    discount: money(d.discountMinor),
    deduction: money(d.deduction?.amountMinor ?? 0),
    paid: money(d.paidMinor),
    note:
      d.deduction !== null
        ? `Deduction: ${d.deduction.reason} (code ${d.deduction.code})`
        : d.type === 'credit_memo'
          ? 'Credit memo applied'
          : '',
  }));
}

function rfc2822(iso: string, rng: Rng): string {
  const date = new Date(`${iso}T00:00:00Z`);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][date.getUTCDay()]!;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    date.getUTCMonth()
  ]!;
  const hh = String(rng.int(7, 18)).padStart(2, '0');
  const mm = String(rng.int(0, 59)).padStart(2, '0');
  return `${day}, ${String(date.getUTCDate()).padStart(2, '0')} ${month} ${iso.slice(0, 4)} ${hh}:${mm}:00 -0500`;
}

function headers(input: EmailInput, rng: Rng, subject: string, contentType: string): string[] {
  return [
    `From: "Accounts Payable - ${input.payerName.replaceAll('"', '')}" <${input.payerEmail}>`,
    `To: Accounts Receivable <${AR_ADDRESS}>`,
    `Subject: ${subject}`,
    `Date: ${rfc2822(input.sentDate, rng)}`,
    `Message-ID: <${input.messageId}@${input.payerEmail.split('@')[1]}>`,
    'MIME-Version: 1.0',
    contentType,
  ];
}

function subjectOf(input: EmailInput, rng: Rng): string {
  return rng.pick([
    `Remittance Advice - Payment ${input.paymentReference}`,
    `Payment notification ${input.paymentReference} from ${input.payerName}`,
    `Remittance advice for payment ${input.paymentReference} (USD ${amountText(input.amountMinor, input.locale)})`,
    `${input.payerName}: ACH payment ${input.paymentReference}`,
  ]);
}

const pad = (text: string, width: number) => text.padEnd(width);
const left = (text: string, width: number) => text.padStart(width);

function textTable(input: EmailInput): string[] {
  const lines = [
    `${pad('Invoice #', 18)}${pad('Invoice Date', 14)}${left('Invoice Amt', 13)}${left('Discount', 11)}${left('Deduction', 11)}${left('Amount Paid', 14)}`,
  ];
  for (const r of rows(input)) {
    lines.push(
      `${pad(r.invoice, 18)}${pad(r.date, 14)}${left(r.gross, 13)}${left(r.discount, 11)}${left(r.deduction, 11)}${left(r.paid, 14)}${r.note ? `   ${r.note}` : ''}`,
    );
  }
  lines.push(`${' '.repeat(67)}${'-'.repeat(14)}`);
  lines.push(`${pad('Total', 67)}${left(amountText(input.amountMinor, input.locale), 14)}`);
  return lines;
}

function textList(input: EmailInput): string[] {
  return input.docs.map((d) => {
    const money = (minor: number) => amountText(minor, input.locale);
    const base = `- ${d.ref}: $${money(d.paidMinor)}`;
    if (d.deduction !== null)
      return `${base} (invoice $${money(d.invoicedMinor ?? 0)}, less $${money(d.deduction.amountMinor)} ${d.deduction.reason.toLowerCase()})`;
    if (d.discountMinor > 0) return `${base} (less ${money(d.discountMinor)} early payment discount)`;
    return base;
  });
}

function summary(input: EmailInput): string[] {
  return [
    `Payment reference:  ${input.paymentReference}`,
    `Payment date:       ${dateText(input.paymentDate, input.locale)}`,
    'Payment method:     ACH',
    `Payment amount:     $${amountText(input.amountMinor, input.locale)}`,
  ];
}

function plainBody(input: EmailInput, rng: Rng): string {
  const contact = rng.pick(CONTACTS);
  const table = rng.chance(0.6);
  return [
    'Hello,',
    '',
    `Please be advised that ${input.payerName} has released the following payment to your account.`,
    '',
    ...summary(input),
    '',
    table ? 'The payment covers:' : 'This payment is for the following invoices:',
    '',
    ...(table ? textTable(input) : textList(input)),
    '',
    'Please contact us with any questions regarding this remittance.',
    '',
    'Regards,',
    contact,
    `Accounts Payable | ${input.payerName}`,
    '',
  ].join('\r\n');
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function htmlBody(input: EmailInput, rng: Rng): string {
  const cells = (values: string[], tag: 'td' | 'th') =>
    values.map((v) => `<${tag}>${escapeHtml(v)}</${tag}>`).join('');
  const body = rows(input).map(
    (r) => `<tr>${cells([r.invoice, r.date, r.gross, r.discount, r.deduction, r.paid, r.note], 'td')}</tr>`,
  );
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>Remittance Advice</title></head>',
    '<body style="font-family: Arial, sans-serif; font-size: 12px">',
    `<p>Dear Supplier,</p><p>${escapeHtml(input.payerName)} has initiated the payment below. ${rng.pick(['Thank you for your business.', 'Please allocate accordingly.', 'This is an automated message.'])}</p>`,
    '<table border="0" cellpadding="2">',
    `<tr><td><b>Payment Number</b></td><td>${escapeHtml(input.paymentReference)}</td></tr>`,
    `<tr><td><b>Payment Date</b></td><td>${dateText(input.paymentDate, input.locale)}</td></tr>`,
    `<tr><td><b>Payment Amount</b></td><td>USD ${amountText(input.amountMinor, input.locale)}</td></tr>`,
    '</table><br>',
    '<table border="1" cellspacing="0" cellpadding="3">',
    `<thead><tr>${cells(['Invoice Number', 'Invoice Date', 'Invoice Amount', 'Discount Taken', 'Deduction', 'Amount Paid', 'Comments'], 'th')}</tr></thead>`,
    `<tbody>${body.join('\n')}</tbody>`,
    `<tfoot><tr><td colspan="5"><b>Total</b></td><td><b>${amountText(input.amountMinor, input.locale)}</b></td><td></td></tr></tfoot>`,
    '</table>',
    `<p>Regards,<br>${escapeHtml(rng.pick(CONTACTS))}<br>Accounts Payable</p>`,
    '</body></html>',
    '',
  ].join('\r\n');
}

async function pdfAdvice(input: EmailInput): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 40,
    info: {
      CreationDate: new Date(`${input.sentDate}T12:00:00Z`),
      Title: `Remittance ${input.paymentReference}`,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.font('Helvetica-Bold').fontSize(14).text(input.payerName, 40, 40);
  doc.fontSize(12).text('REMITTANCE ADVICE', 40, 62);
  doc.font('Helvetica').fontSize(9);
  const info: [string, string][] = [
    ['Payment Number:', input.paymentReference],
    ['Payment Date:', dateText(input.paymentDate, input.locale)],
    ['Payment Amount:', `$${amountText(input.amountMinor, input.locale)}`],
    ['Payee:', 'Openar Bench Industrial Supply Inc.'],
  ];
  info.forEach(([label, value], i) => {
    doc.text(label, 40, 90 + i * 13).text(value, 140, 90 + i * 13);
  });
  const columns = [
    { title: 'Invoice Number', x: 40, width: 95, align: 'left' as const },
    { title: 'Invoice Date', x: 140, width: 60, align: 'left' as const },
    { title: 'Gross Amount', x: 205, width: 70, align: 'right' as const },
    { title: 'Discount', x: 280, width: 55, align: 'right' as const },
    { title: 'Deduction', x: 340, width: 55, align: 'right' as const },
    { title: 'Net Paid', x: 400, width: 70, align: 'right' as const },
    { title: 'Remarks', x: 478, width: 100, align: 'left' as const },
  ];
  let y = 160;
  doc.font('Helvetica-Bold');
  for (const c of columns) doc.text(c.title, c.x, y, { width: c.width, align: c.align, lineBreak: false });
  doc.font('Helvetica');
  for (const r of rows(input)) {
    y += 14;
    if (y > 720) {
      doc.addPage();
      y = 40;
    }
    const values = [
      r.invoice,
      r.date,
      r.gross,
      r.discount,
      r.deduction,
      r.paid,
      r.note.replace('Deduction: ', ''),
    ];
    columns.forEach((c, i) => {
      doc.text(values[i]!, c.x, y, { width: c.width, align: c.align, lineBreak: false });
    });
  }
  y += 20;
  doc
    .font('Helvetica-Bold')
    .text('Total', 40, y)
    .text(amountText(input.amountMinor, input.locale), 400, y, { width: 70, align: 'right' });
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** The whole message (RFC 5322 / MIME) with CRLF line ends. */
export async function writeEmail(input: EmailInput, rng: Rng): Promise<string> {
  const subject = subjectOf(input, rng);
  if (input.kind === 'eml-text') {
    return [
      ...headers(input, rng, subject, 'Content-Type: text/plain; charset=utf-8'),
      'Content-Transfer-Encoding: 8bit',
      '',
      plainBody(input, rng),
    ].join('\r\n');
  }
  if (input.kind === 'eml-html') {
    return [
      ...headers(input, rng, subject, 'Content-Type: text/html; charset=utf-8'),
      'Content-Transfer-Encoding: 8bit',
      '',
      htmlBody(input, rng),
    ].join('\r\n');
  }
  const boundary = `----=_Part_${input.messageId.replace(/[^A-Za-z0-9]/g, '')}`;
  const pdf = await pdfAdvice(input);
  const note = [
    'Hello,',
    '',
    `Please find attached the remittance advice for our payment ${input.paymentReference} of USD ${amountText(input.amountMinor, input.locale)} dated ${dateText(input.paymentDate, input.locale)}.`,
    '',
    'Kind regards,',
    `Accounts Payable | ${input.payerName}`,
    '',
  ].join('\r\n');
  return [
    ...headers(input, rng, subject, `Content-Type: multipart/mixed; boundary="${boundary}"`),
    '',
    'This is a multi-part message in MIME format.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    note,
    `--${boundary}`,
    `Content-Type: application/pdf; name="Remittance_${input.paymentReference}.pdf"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="Remittance_${input.paymentReference}.pdf"`,
    '',
    base64Lines(pdf),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
