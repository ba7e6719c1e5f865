import ExcelJS from 'exceljs';
import { cellNumber, csvLine, decimal, moneyFormat } from '../render/common.js';
import type { Statement, StatementSection } from './core/statement.js';

/**
 * A statement as a terminal table, CSV, JSON, XLSX (a formatted sheet, the open items, and a
 * pivot-ready data sheet); pdf.ts writes the PDF. Money is written
 * from minor units as exact decimal strings; spreadsheet cells get the nearest number.
 */

export interface PdfLabels {
  title: string;
  customer: string;
  period: string;
  currency: string;
  opening: string;
  closing: string;
  charges: string;
  payments: string;
  date: string;
  type: string;
  reference: string;
  description: string;
  debit: string;
  credit: string;
  balance: string;
  openItems: string;
  due: string;
  days: string;
  bucket: string;
  open: string;
  aging: string;
  total: string;
  nothingOpen: string;
  kinds: Record<string, string>;
}

const EN: PdfLabels = {
  title: 'Statement of account',
  customer: 'Customer',
  period: 'Period',
  currency: 'Currency',
  opening: 'Opening balance',
  closing: 'Closing balance',
  charges: 'Charges',
  payments: 'Payments and credits',
  date: 'Date',
  type: 'Type',
  reference: 'Reference',
  description: 'Description',
  debit: 'Debit',
  credit: 'Credit',
  balance: 'Balance',
  openItems: 'Open items on',
  due: 'Due',
  days: 'Days',
  bucket: 'Aging',
  open: 'Open',
  aging: 'Aging',
  total: 'Total',
  nothingOpen: 'Nothing is open.',
  kinds: {
    invoice: 'Invoice',
    credit_memo: 'Credit memo',
    debit_memo: 'Debit memo',
    revision: 'Amount change',
    write_off: 'Write-off',
    small_balance: 'Small balance',
    bad_debt: 'Bad debt',
    adjustment_reversal: 'Adjustment reversed',
    payment: 'Payment',
    discount: 'Discount',
    paid_by_other: 'Paid by other account',
    paid_for_other: 'Paid for other account',
    applied: 'Applied',
    on_account: 'On account',
    unapplied_cash: 'Unapplied cash',
  },
};

const DE: PdfLabels = {
  title: 'Kontoauszug',
  customer: 'Kunde',
  period: 'Zeitraum',
  currency: 'Währung',
  opening: 'Anfangssaldo',
  closing: 'Endsaldo',
  charges: 'Belastungen',
  payments: 'Zahlungen und Gutschriften',
  date: 'Datum',
  type: 'Art',
  reference: 'Beleg',
  description: 'Text',
  debit: 'Soll',
  credit: 'Haben',
  balance: 'Saldo',
  openItems: 'Offene Posten am',
  due: 'Fällig',
  days: 'Tage',
  bucket: 'Fälligkeit',
  open: 'Offen',
  aging: 'Altersstruktur',
  total: 'Summe',
  nothingOpen: 'Keine offenen Posten.',
  kinds: {
    ...EN.kinds,
    invoice: 'Rechnung',
    credit_memo: 'Gutschrift',
    debit_memo: 'Belastung',
    payment: 'Zahlung',
    discount: 'Skonto',
    write_off: 'Ausbuchung',
    applied: 'Ausgeglichen',
    on_account: 'Guthaben',
    unapplied_cash: 'Nicht zugeordnet',
  },
};

const FR: PdfLabels = {
  title: 'Relevé de compte',
  customer: 'Client',
  period: 'Période',
  currency: 'Devise',
  opening: 'Solde initial',
  closing: 'Solde final',
  charges: 'Débits',
  payments: 'Paiements et avoirs',
  date: 'Date',
  type: 'Type',
  reference: 'Pièce',
  description: 'Libellé',
  debit: 'Débit',
  credit: 'Crédit',
  balance: 'Solde',
  openItems: 'Pièces ouvertes au',
  due: 'Échéance',
  days: 'Jours',
  bucket: 'Ancienneté',
  open: 'Ouvert',
  aging: 'Balance âgée',
  total: 'Total',
  nothingOpen: 'Aucune pièce ouverte.',
  kinds: {
    ...EN.kinds,
    invoice: 'Facture',
    credit_memo: 'Avoir',
    debit_memo: 'Note de débit',
    payment: 'Paiement',
    discount: 'Escompte',
    write_off: 'Passage en perte',
    applied: 'Lettrage',
    on_account: 'Acompte',
    unapplied_cash: 'Paiement non affecté',
  },
};

export const PDF_LABELS: Record<string, PdfLabels> = { en: EN, de: DE, fr: FR };
export const kindLabel = (kind: string, language = 'en'): string =>
  (PDF_LABELS[language] ?? EN).kinds[kind] ?? kind;

interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'right';
}

function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ].join('\n');
}

const debit = (m: number, ccy: string) => (m > 0 ? decimal(m, ccy) : '');
const credit = (m: number, ccy: string) => (m < 0 ? decimal(-m, ccy) : '');

// ---- terminal table ---------------------------------------------------------------------------

export function statementTable(s: Statement): string {
  const out: string[] = [
    `Statement of account: ${s.customer.name} (${s.customer.customerNumber}), ${s.from} to ${s.to}`,
  ];
  if (s.sections.length === 0) out.push('', 'No balance and no movements in the period.');
  for (const sec of s.sections) {
    type Row = { date: string; kind: string; ref: string; text: string; dr: string; cr: string; bal: string };
    const rows: Row[] = [
      {
        date: s.from,
        kind: '',
        ref: '',
        text: 'opening balance',
        dr: '',
        cr: '',
        bal: decimal(sec.openingMinor, sec.currency),
      },
      ...sec.lines.map((l) => ({
        date: l.date,
        kind: kindLabel(l.kind),
        ref: l.reference,
        text: (l.kind === 'applied'
          ? `${l.description} ${decimal(l.infoMinor, sec.currency)}`
          : l.description
        ).slice(0, 40),
        dr: debit(l.amountMinor, sec.currency),
        cr: credit(l.amountMinor, sec.currency),
        bal: decimal(l.balanceMinor, sec.currency),
      })),
      {
        date: s.to,
        kind: '',
        ref: '',
        text: 'closing balance',
        dr: '',
        cr: '',
        bal: decimal(sec.closingMinor, sec.currency),
      },
    ];
    out.push(
      '',
      `${sec.currency}: opening ${decimal(sec.openingMinor, sec.currency)}, charges ${decimal(sec.chargesMinor, sec.currency)}, payments and credits ${decimal(sec.paymentsAndCreditsMinor, sec.currency)}, closing ${decimal(sec.closingMinor, sec.currency)}`,
      '',
      renderTable(rows, [
        { header: 'date', value: (r) => r.date },
        { header: 'type', value: (r) => r.kind },
        { header: 'reference', value: (r) => r.ref },
        { header: 'description', value: (r) => r.text },
        { header: 'debit', value: (r) => r.dr, align: 'right' },
        { header: 'credit', value: (r) => r.cr, align: 'right' },
        { header: 'balance', value: (r) => r.bal, align: 'right' },
      ]),
      '',
      `Open on ${s.to}:`,
      sec.openItems.length === 0
        ? '(nothing)'
        : renderTable(sec.openItems, [
            { header: 'reference', value: (o) => o.reference },
            { header: 'type', value: (o) => kindLabel(o.kind) },
            { header: 'date', value: (o) => o.documentDate },
            { header: 'due', value: (o) => o.dueDate ?? '' },
            {
              header: 'days',
              value: (o) => (o.daysOverdue === null ? '' : String(o.daysOverdue)),
              align: 'right',
            },
            { header: 'aging', value: (o) => o.bucket },
            { header: 'open', value: (o) => decimal(o.openMinor, sec.currency), align: 'right' },
          ]),
      '',
      `Aging: ${agingCells(sec)
        .map(([label, m]) => `${label} ${decimal(m, sec.currency)}`)
        .join(' | ')} | total ${decimal(sec.aging.totalMinor, sec.currency)}`,
    );
  }
  return out.join('\n');
}

export function agingCells(sec: StatementSection): [string, number][] {
  return [
    ...sec.aging.buckets.map((b): [string, number] => [b.label, b.amountMinor]),
    ['credits', sec.aging.creditsMinor],
    ['on account', sec.aging.onAccountMinor],
    ['unapplied cash', sec.aging.unappliedCashMinor],
  ];
}

// ---- JSON and CSV ------------------------------------------------------------------------------

export function statementJson(s: Statement) {
  return {
    customer: { number: s.customer.customerNumber, name: s.customer.name, email: s.customer.email },
    company: s.companyName,
    from: s.from,
    to: s.to,
    sections: s.sections.map((sec) => {
      const d = (m: number) => decimal(m, sec.currency);
      return {
        currency: sec.currency,
        opening_balance: d(sec.openingMinor),
        charges: d(sec.chargesMinor),
        payments_and_credits: d(sec.paymentsAndCreditsMinor),
        closing_balance: d(sec.closingMinor),
        lines: sec.lines.map((l) => ({
          date: l.date,
          kind: l.kind,
          reference: l.reference,
          description: l.description,
          amount: d(l.amountMinor),
          ...(l.kind === 'applied' ? { applied: d(l.infoMinor) } : {}),
          balance: d(l.balanceMinor),
        })),
        open_items: sec.openItems.map((o) => ({
          kind: o.kind,
          reference: o.reference,
          document_date: o.documentDate,
          due_date: o.dueDate,
          days_overdue: o.daysOverdue,
          bucket: o.bucket,
          open: d(o.openMinor),
        })),
        aging: {
          buckets: Object.fromEntries(sec.aging.buckets.map((b) => [b.label, d(b.amountMinor)])),
          credits: d(sec.aging.creditsMinor),
          on_account: d(sec.aging.onAccountMinor),
          unapplied_cash: d(sec.aging.unappliedCashMinor),
          total: d(sec.aging.totalMinor),
        },
        balanced: sec.balanced,
      };
    }),
  };
}

export function statementCsv(s: Statement): string {
  const head = [
    'row_type',
    'customer',
    'currency',
    'date',
    'kind',
    'reference',
    'description',
    'debit',
    'credit',
    'amount',
    'balance',
    'due_date',
    'days_overdue',
    'bucket',
  ];
  const out = [csvLine(head)];
  const n = s.customer.customerNumber;
  for (const sec of s.sections) {
    const c = sec.currency;
    out.push(
      csvLine([
        'opening',
        n,
        c,
        s.from,
        null,
        null,
        'opening balance',
        null,
        null,
        null,
        decimal(sec.openingMinor, c),
        null,
        null,
        null,
      ]),
    );
    for (const l of sec.lines)
      out.push(
        csvLine([
          'line',
          n,
          c,
          l.date,
          l.kind,
          l.reference,
          l.description,
          debit(l.amountMinor, c),
          credit(l.amountMinor, c),
          decimal(l.kind === 'applied' ? l.infoMinor : l.amountMinor, c),
          decimal(l.balanceMinor, c),
          null,
          null,
          null,
        ]),
      );
    out.push(
      csvLine([
        'closing',
        n,
        c,
        s.to,
        null,
        null,
        'closing balance',
        null,
        null,
        null,
        decimal(sec.closingMinor, c),
        null,
        null,
        null,
      ]),
    );
    for (const o of sec.openItems)
      out.push(
        csvLine([
          'open_item',
          n,
          c,
          o.documentDate,
          o.kind,
          o.reference,
          null,
          null,
          null,
          decimal(o.openMinor, c),
          null,
          o.dueDate,
          o.daysOverdue,
          o.bucket,
        ]),
      );
    for (const [label, m] of agingCells(sec))
      out.push(
        csvLine(['aging', n, c, s.to, null, null, label, null, null, decimal(m, c), null, null, null, label]),
      );
    out.push(
      csvLine([
        'aging_total',
        n,
        c,
        s.to,
        null,
        null,
        'total',
        null,
        null,
        decimal(sec.aging.totalMinor, c),
        null,
        null,
        null,
        null,
      ]),
    );
  }
  return out.join('');
}

// ---- XLSX ----------------------------------------------------------------------------------------

const BOLD = { bold: true };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE5F0' } };

function header(row: ExcelJS.Row, values: string[]): void {
  row.values = values;
  row.font = BOLD;
  row.eachCell((c) => {
    c.fill = HEADER_FILL;
  });
}

export async function statementXlsx(s: Statement, path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'openar';
  const ws = wb.addWorksheet('Statement');
  ws.getCell('A1').value = `Statement of account: ${s.customer.name} (${s.customer.customerNumber})`;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value = `${s.companyName}, ${s.from} to ${s.to}`;
  let r = 4;
  for (const sec of s.sections) {
    const fmt = moneyFormat(sec.currency);
    const money = (m: number) => cellNumber(m, sec.currency);
    ws.getRow(r).values = [`${sec.currency}`];
    ws.getRow(r).font = { bold: true, size: 12 };
    header(ws.getRow(r + 1), ['date', 'type', 'reference', 'description', 'debit', 'credit', 'balance']);
    r += 2;
    const put = (values: (string | number | null)[], bold = false) => {
      const row = ws.getRow(r++);
      row.values = values;
      for (const col of [5, 6, 7]) row.getCell(col).numFmt = fmt;
      if (bold) row.font = BOLD;
    };
    put([s.from, '', '', 'opening balance', null, null, money(sec.openingMinor)], true);
    for (const l of sec.lines)
      put([
        l.date,
        kindLabel(l.kind),
        l.reference,
        l.kind === 'applied' ? `${l.description} ${decimal(l.infoMinor, sec.currency)}` : l.description,
        l.amountMinor > 0 ? money(l.amountMinor) : null,
        l.amountMinor < 0 ? money(-l.amountMinor) : null,
        money(l.balanceMinor),
      ]);
    put(
      [
        s.to,
        '',
        '',
        'closing balance',
        money(sec.chargesMinor),
        money(sec.paymentsAndCreditsMinor),
        money(sec.closingMinor),
      ],
      true,
    );
    r++;
    const labels = agingCells(sec);
    header(ws.getRow(r++), ['aging', ...labels.map(([l]) => l), 'total']);
    const agingRow = ws.getRow(r++);
    agingRow.values = ['', ...labels.map(([, m]) => money(m)), money(sec.aging.totalMinor)];
    for (let i = 2; i <= labels.length + 2; i++) agingRow.getCell(i).numFmt = fmt;
    r++;
  }
  ws.columns.forEach((col, i) => {
    col.width = i === 3 ? 40 : i === 0 ? 12 : 16;
  });

  const open = wb.addWorksheet('Open items');
  header(open.getRow(1), ['currency', 'type', 'reference', 'date', 'due', 'days overdue', 'aging', 'open']);
  for (const sec of s.sections)
    for (const o of sec.openItems) {
      const row = open.addRow([
        sec.currency,
        kindLabel(o.kind),
        o.reference,
        o.documentDate,
        o.dueDate ?? '',
        o.daysOverdue,
        o.bucket,
        cellNumber(o.openMinor, sec.currency),
      ]);
      row.getCell(8).numFmt = moneyFormat(sec.currency);
    }
  open.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 8 } };

  const data = wb.addWorksheet('Data');
  data.addRow([
    'customer_number',
    'customer_name',
    'currency',
    'row_type',
    'date',
    'kind',
    'reference',
    'description',
    'amount',
    'balance',
    'bucket',
  ]);
  const id = [s.customer.customerNumber, s.customer.name];
  for (const sec of s.sections) {
    const m = (x: number) => cellNumber(x, sec.currency);
    data.addRow([
      ...id,
      sec.currency,
      'opening',
      s.from,
      null,
      null,
      null,
      m(sec.openingMinor),
      m(sec.openingMinor),
      null,
    ]);
    for (const l of sec.lines)
      data.addRow([
        ...id,
        sec.currency,
        'movement',
        l.date,
        l.kind,
        l.reference,
        l.description,
        m(l.amountMinor),
        m(l.balanceMinor),
        null,
      ]);
    data.addRow([
      ...id,
      sec.currency,
      'closing',
      s.to,
      null,
      null,
      null,
      m(sec.closingMinor),
      m(sec.closingMinor),
      null,
    ]);
    for (const o of sec.openItems)
      data.addRow([
        ...id,
        sec.currency,
        'open_item',
        o.documentDate,
        o.kind,
        o.reference,
        null,
        m(o.openMinor),
        null,
        o.bucket,
      ]);
  }
  await wb.xlsx.writeFile(path);
}
