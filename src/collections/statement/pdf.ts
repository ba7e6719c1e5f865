import PDFDocument from 'pdfkit';
import { decimal } from '../render/common.js';
import type { Statement } from './core/statement.js';
import { agingCells, kindLabel, PDF_LABELS } from './render.js';

/**
 * A statement as a PDF (A4, pdfkit's built-in Helvetica), labels in English, German or French:
 * the balances per currency, the period's lines with a running balance, the open items on the last
 * day and their aging. Amounts are the exact decimal strings with thousands grouped for print.
 */

/** Groups thousands for print; the digits are the exact decimal string's. */
function printed(minor: number, currency: string, language: string): string {
  const text = decimal(minor, currency);
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.') as [string, string | undefined];
  const [group, point] = language === 'de' ? ['.', ','] : language === 'fr' ? [' ', ','] : [',', '.'];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : point + fraction}`;
}

const clip = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars - 1)}…` : text);

/** The statement as a PDF document (A4), in the given language ('en', 'de' or 'fr'; others get English). */
export function statementPdf(s: Statement, language = 'en'): Promise<Buffer> {
  const L = PDF_LABELS[language] ?? PDF_LABELS.en!;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    info: { Title: `${L.title} ${s.customer.customerNumber}`, Author: s.companyName },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const bottom = 800;
  let y = 40;
  const need = (height: number) => {
    if (y + height > bottom) {
      doc.addPage();
      y = 40;
    }
  };
  const cell = (text: string, x: number, width: number, right = false) =>
    doc.text(text, x, y, { width, align: right ? 'right' : 'left', lineBreak: false });

  doc.font('Helvetica-Bold').fontSize(16);
  cell(L.title, 40, 515);
  y += 24;
  doc.font('Helvetica').fontSize(10);
  cell(s.companyName, 40, 515);
  y += 14;
  cell(`${L.customer}: ${s.customer.name} (${s.customer.customerNumber})`, 40, 515);
  y += 14;
  cell(`${L.period}: ${s.from} – ${s.to}`, 40, 515);
  y += 22;

  // Date, type, reference, description, debit, credit, balance.
  const cols = [
    { x: 40, w: 52 },
    { x: 94, w: 70 },
    { x: 166, w: 80 },
    { x: 248, w: 130 },
    { x: 380, w: 56, right: true },
    { x: 438, w: 56, right: true },
    { x: 496, w: 59, right: true },
  ];
  const row = (values: string[], bold = false) => {
    need(12);
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    values.forEach((v, i) => {
      const c = cols[i]!;
      cell(clip(v, Math.floor(c.w / 4.2)), c.x, c.w, c.right ?? false);
    });
    y += 12;
  };
  if (s.sections.length === 0) {
    doc.fontSize(10);
    cell(L.nothingOpen, 40, 515);
    y += 14;
  }
  for (const sec of s.sections) {
    const m = (x: number) => printed(x, sec.currency, language);
    need(60);
    doc.font('Helvetica-Bold').fontSize(11);
    cell(`${L.currency} ${sec.currency}`, 40, 515);
    y += 16;
    doc.font('Helvetica').fontSize(9);
    cell(
      `${L.opening} ${m(sec.openingMinor)}   ${L.charges} ${m(sec.chargesMinor)}   ${L.payments} ${m(sec.paymentsAndCreditsMinor)}   ${L.closing} ${m(sec.closingMinor)}`,
      40,
      515,
    );
    y += 16;
    row([L.date, L.type, L.reference, L.description, L.debit, L.credit, L.balance], true);
    row([s.from, '', '', L.opening, '', '', m(sec.openingMinor)]);
    for (const l of sec.lines)
      row([
        l.date,
        kindLabel(l.kind, language),
        l.reference,
        l.kind === 'applied' ? `${l.description} ${m(l.infoMinor)}` : l.description,
        l.amountMinor > 0 ? m(l.amountMinor) : '',
        l.amountMinor < 0 ? m(-l.amountMinor) : '',
        m(l.balanceMinor),
      ]);
    row(
      [s.to, '', '', L.closing, m(sec.chargesMinor), m(sec.paymentsAndCreditsMinor), m(sec.closingMinor)],
      true,
    );
    y += 10;
    need(40);
    doc.font('Helvetica-Bold').fontSize(10);
    cell(`${L.openItems} ${s.to}`, 40, 515);
    y += 14;
    if (sec.openItems.length === 0) {
      doc.font('Helvetica').fontSize(8);
      cell(L.nothingOpen, 40, 515);
      y += 12;
    } else {
      row([L.reference, L.type, L.date, L.due, L.days, L.bucket, L.open], true);
      for (const o of sec.openItems)
        row([
          o.reference,
          kindLabel(o.kind, language),
          o.documentDate,
          o.dueDate ?? '',
          o.daysOverdue === null ? '' : String(o.daysOverdue),
          o.bucket,
          m(o.openMinor),
        ]);
    }
    y += 8;
    need(30);
    doc.font('Helvetica-Bold').fontSize(9);
    cell(L.aging, 40, 515);
    y += 12;
    doc.font('Helvetica').fontSize(8);
    const cells = [
      ...agingCells(sec).filter(([, v], i) => v !== 0 || i < sec.aging.buckets.length),
      [L.total, sec.aging.totalMinor] as [string, number],
    ];
    const width = 515 / cells.length;
    cells.forEach(([label], i) => {
      doc.text(label, 40 + i * width, y, { width: width - 2, align: 'right', lineBreak: false });
    });
    y += 11;
    cells.forEach(([, v], i) => {
      doc.text(m(v), 40 + i * width, y, { width: width - 2, align: 'right', lineBreak: false });
    });
    y += 20;
  }
  doc.end();
  return done;
}
