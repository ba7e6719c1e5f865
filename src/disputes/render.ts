import ExcelJS from 'exceljs';
import { cellNumber, csvLine, decimal, moneyFormat } from '../collections/render/common.js';
import type { DisputeGroupRow, DisputeReport } from './reports.js';

/** The root-cause report's columns: name, title, value (money in base currency as decimal strings). */
interface Column {
  name: string;
  title: string;
  money?: boolean;
  value: (r: DisputeGroupRow) => number | string | null;
}

const COLUMNS: readonly Column[] = [
  { name: 'opened', title: 'opened', value: (r) => r.opened },
  { name: 'opened_amount', title: 'opened amount', money: true, value: (r) => r.openedBaseMinor },
  { name: 'resolved', title: 'decided', value: (r) => r.resolved },
  { name: 'valid', title: 'valid', value: (r) => r.valid },
  { name: 'invalid', title: 'invalid', value: (r) => r.invalid },
  { name: 'partial', title: 'partial', value: (r) => r.partial },
  { name: 'withdrawn', title: 'closed', value: (r) => r.withdrawn },
  { name: 'valid_percent', title: 'valid %', value: (r) => r.validPercent },
  { name: 'credited', title: 'credited', money: true, value: (r) => r.creditedBaseMinor },
  { name: 'collected_back', title: 'collected back', money: true, value: (r) => r.collectedBackBaseMinor },
  { name: 'open_at_end', title: 'open at end', value: (r) => r.liveAtEnd },
  { name: 'open_amount_at_end', title: 'open amount', money: true, value: (r) => r.liveAtEndBaseMinor },
  { name: 'overdue_at_end', title: 'overdue', value: (r) => r.overdueAtEnd },
  { name: 'avg_days_to_resolve', title: 'avg days', value: (r) => r.avgDaysToResolve },
  { name: 'ddo', title: 'DDO', value: (r) => r.ddo },
];

function text(r: DisputeReport, c: Column, row: DisputeGroupRow): string {
  const v = c.value(row);
  if (v === null) return '';
  return c.money ? decimal(v as number, r.baseCurrency) : String(v);
}

const heading = (r: DisputeReport) =>
  `Disputes and deductions ${r.from} to ${r.to} (${r.days} days) by ${r.by.replace('_', ' ')}; amounts in ${r.baseCurrency}`;

/** A plain-text table with the lists of repeat offenders and recurring reasons below it. */
export function disputeTable(r: DisputeReport): string {
  const all = [...r.rows, r.total];
  const head = [
    r.by.replace('_', ' '),
    ...(r.by === 'reason' || r.by === 'customer' ? ['name'] : []),
    ...COLUMNS.map((c) => c.title),
  ];
  const cells = all.map((row) => [
    row.label.slice(0, 40),
    ...(r.by === 'reason' || r.by === 'customer' ? [(row.name ?? '').slice(0, 28)] : []),
    ...COLUMNS.map((c) => text(r, c, row)),
  ]);
  const first = r.by === 'reason' || r.by === 'customer' ? 2 : 1;
  const out = [heading(r), '', ...grid(head, cells, first)];
  if (r.repeatOffenders.length > 0) {
    out.push('', 'Repeat offenders (most cases in the period):');
    out.push(
      ...grid(
        ['customer', 'name', 'cases', 'amount', 'reasons', 'top reason', 'found valid'],
        r.repeatOffenders.map((o) => [
          o.customerNumber ?? o.customerId,
          (o.customerName ?? '').slice(0, 28),
          String(o.cases),
          decimal(o.baseMinor, r.baseCurrency),
          String(o.reasons),
          o.topReason,
          String(o.validFound),
        ]),
        2,
      ),
    );
  }
  if (r.recurringReasons.length > 0) {
    out.push('', 'Recurring reasons (the same customer and reason in several months):');
    out.push(
      ...grid(
        ['customer', 'name', 'reason', 'months', 'cases', 'amount'],
        r.recurringReasons.map((x) => [
          x.customerNumber ?? x.customerId,
          (x.customerName ?? '').slice(0, 28),
          x.reasonCode,
          String(x.months),
          String(x.cases),
          decimal(x.baseMinor, r.baseCurrency),
        ]),
        3,
      ),
    );
  }
  return out.join('\n');
}

function grid(head: string[], rows: string[][], leftColumns: number): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i < leftColumns ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function disputeCsv(r: DisputeReport): string {
  const head = [
    'row_type',
    'group_by',
    'key',
    'label',
    'name',
    'from',
    'to',
    ...COLUMNS.map((c) => c.name),
    'currency',
  ];
  const line = (type: string, row: DisputeGroupRow) =>
    csvLine([
      type,
      r.by,
      row.key,
      row.label,
      row.name,
      row.from,
      row.to,
      ...COLUMNS.map((c) => text(r, c, row)),
      r.baseCurrency,
    ]);
  return [csvLine(head), ...r.rows.map((row) => line('group', row)), line('total', r.total)].join('');
}

function rowJson(r: DisputeReport, row: DisputeGroupRow) {
  return {
    key: row.key,
    label: row.label,
    name: row.name,
    from: row.from,
    to: row.to,
    ...Object.fromEntries(
      COLUMNS.map((c) => {
        const v = c.value(row);
        return [c.name, c.money && v !== null ? decimal(v as number, r.baseCurrency) : v];
      }),
    ),
  };
}

/** Money as decimal strings in the base currency; rates and days as numbers. */
export function disputeJson(r: DisputeReport) {
  return {
    from: r.from,
    to: r.to,
    days: r.days,
    by: r.by,
    base_currency: r.baseCurrency,
    rows: r.rows.map((row) => rowJson(r, row)),
    total: rowJson(r, r.total),
    repeat_offenders: r.repeatOffenders.map((o) => ({
      customer_id: o.customerId,
      customer_number: o.customerNumber,
      customer_name: o.customerName,
      cases: o.cases,
      amount: decimal(o.baseMinor, r.baseCurrency),
      reasons: o.reasons,
      top_reason: o.topReason,
      found_valid: o.validFound,
    })),
    recurring_reasons: r.recurringReasons.map((x) => ({
      customer_id: x.customerId,
      customer_number: x.customerNumber,
      customer_name: x.customerName,
      reason: x.reasonCode,
      months: x.months,
      cases: x.cases,
      amount: decimal(x.baseMinor, r.baseCurrency),
    })),
  };
}

const BOLD = { bold: true };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE5F0' } };

/** XLSX: the grouped report, then repeat offenders and recurring reasons on their own sheets. */
export async function disputeXlsx(r: DisputeReport, path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'openar';
  const ws = wb.addWorksheet('Disputes', { views: [{ state: 'frozen', ySplit: 3, xSplit: 1 }] });
  ws.getCell('A1').value = heading(r);
  ws.getCell('A1').font = { bold: true, size: 13 };
  const header = ws.getRow(3);
  header.values = [r.by.replace('_', ' '), 'name', ...COLUMNS.map((c) => c.title)];
  header.font = BOLD;
  header.eachCell((c) => {
    c.fill = HEADER_FILL;
  });
  const put = (row: DisputeGroupRow, bold: boolean) => {
    const x = ws.addRow([
      row.label,
      row.name ?? '',
      ...COLUMNS.map((c) => {
        const v = c.value(row);
        return v === null ? null : c.money ? cellNumber(v as number, r.baseCurrency) : v;
      }),
    ]);
    COLUMNS.forEach((c, i) => {
      if (c.money) x.getCell(3 + i).numFmt = moneyFormat(r.baseCurrency);
    });
    if (bold) x.font = BOLD;
  };
  for (const row of r.rows) put(row, false);
  put(r.total, true);
  ws.columns.forEach((col, i) => {
    col.width = i === 0 ? 28 : i === 1 ? 28 : 13;
  });
  const sheet = (name: string, head: string[], rows: (string | number | null)[][], moneyCol: number) => {
    const s = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    const h = s.addRow(head);
    h.font = BOLD;
    for (const values of rows) s.addRow(values).getCell(moneyCol).numFmt = moneyFormat(r.baseCurrency);
    s.columns.forEach((col, i) => {
      col.width = i === 1 ? 30 : 14;
    });
  };
  sheet(
    'Repeat offenders',
    ['customer', 'name', 'cases', `amount (${r.baseCurrency})`, 'reasons', 'top reason', 'found valid'],
    r.repeatOffenders.map((o) => [
      o.customerNumber,
      o.customerName,
      o.cases,
      cellNumber(o.baseMinor, r.baseCurrency),
      o.reasons,
      o.topReason,
      o.validFound,
    ]),
    4,
  );
  sheet(
    'Recurring reasons',
    ['customer', 'name', 'reason', 'months', 'cases', `amount (${r.baseCurrency})`],
    r.recurringReasons.map((x) => [
      x.customerNumber,
      x.customerName,
      x.reasonCode,
      x.months,
      x.cases,
      cellNumber(x.baseMinor, r.baseCurrency),
    ]),
    6,
  );
  await wb.xlsx.writeFile(path);
}
