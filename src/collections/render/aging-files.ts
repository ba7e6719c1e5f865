import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { AgingDetailRow } from '../aging.js';
import { type AgingAmounts, type AgingReport, type AgingRow, LINE_CODE } from '../core/aging.js';
import type { Bucket } from '../core/buckets.js';
import { CollectionsError } from '../core/errors.js';
import { cellNumber, csvLine, decimal, groupLabel, moneyFormat } from './common.js';

/** The lines beside the buckets, in report order, with their JSON/CSV names. */
const LINES = [
  { code: LINE_CODE.credits, name: 'credits', title: 'credits' },
  { code: LINE_CODE.onAccount, name: 'on_account', title: 'on account' },
] as const;

/** Label of a bucket index or line code (detail rows carry either). */
export function bucketLabel(buckets: readonly Bucket[], code: number): string {
  if (code === LINE_CODE.credits) return 'credits';
  if (code === LINE_CODE.onAccount) return 'on account';
  if (code === LINE_CODE.unappliedCash) return 'unapplied cash';
  return buckets[code]?.label ?? String(code);
}

function amountsJson(a: AgingAmounts, buckets: readonly Bucket[], currency: string) {
  return {
    buckets: Object.fromEntries(buckets.map((b, i) => [b.label, decimal(a.buckets[i]!, currency)])),
    credits: decimal(a.credits, currency),
    on_account: decimal(a.onAccount, currency),
    ar: decimal(a.ar, currency),
    unapplied_cash: decimal(a.unappliedCash, currency),
    net: decimal(a.net, currency),
  };
}

function rowJson(r: AgingReport, row: AgingRow) {
  return {
    key: row.key,
    number: row.number,
    name: row.name,
    label: groupLabel(r.by, row.key, row.number, row.currency),
    currency: row.currency,
    items: row.items,
    amounts: amountsJson(row.amounts, r.buckets, row.currency),
    base: amountsJson(row.base, r.buckets, r.baseCurrency),
    disputed: decimal(row.disputedMinor, row.currency),
    disputed_base: decimal(row.disputedBaseMinor, r.baseCurrency),
  };
}

/** Money as decimal strings, one object per group and currency, totals per currency and in base. */
export function agingJson(r: AgingReport) {
  return {
    as_of: r.asOf,
    basis: r.basis,
    by: r.by,
    strategy: r.strategy,
    base_currency: r.baseCurrency,
    buckets: r.buckets.map((b) => ({ label: b.label, from_days: b.fromDays, to_days: b.toDays })),
    rows: r.rows.map((row) => rowJson(r, row)),
    totals_by_currency: r.totalsByCurrency.map((row) => rowJson(r, row)),
    total_base: amountsJson(r.totalBase, r.buckets, r.baseCurrency),
    total_items: r.totalItems,
    total_disputed_base: decimal(r.totalDisputedBase, r.baseCurrency),
  };
}

/**
 * One line per group and currency, then a total per currency and one in the base currency. Once the
 * company has dispute cases, two more columns: the disputed part (already in the buckets) and its
 * base value.
 */
export function agingCsv(r: AgingReport): string {
  const disputed = r.hasDisputes;
  const head = [
    'row_type',
    'group_key',
    'group_number',
    'group_name',
    'currency',
    ...r.buckets.map((b) => b.label),
    'credits',
    'on_account',
    'ar',
    'unapplied_cash',
    'net',
    'base_ar',
    'base_net',
    'items',
    ...(disputed ? ['disputed', 'base_disputed'] : []),
  ];
  const line = (type: string, row: AgingRow) =>
    csvLine([
      type,
      row.key,
      row.number,
      type === 'group' ? row.name : 'TOTAL',
      row.currency,
      ...amountCells(row.amounts, row.currency),
      decimal(row.base.ar, r.baseCurrency),
      decimal(row.base.net, r.baseCurrency),
      row.items,
      ...(disputed
        ? [decimal(row.disputedMinor, row.currency), decimal(row.disputedBaseMinor, r.baseCurrency)]
        : []),
    ]);
  const a = r.totalBase;
  return [
    csvLine(head),
    ...r.rows.map((row) => line('group', row)),
    ...r.totalsByCurrency.map((row) => line('total', row)),
    csvLine([
      'total_base',
      null,
      null,
      `TOTAL in ${r.baseCurrency}`,
      r.baseCurrency,
      ...amountCells(a, r.baseCurrency),
      decimal(a.ar, r.baseCurrency),
      decimal(a.net, r.baseCurrency),
      r.totalItems,
      ...(disputed
        ? [decimal(r.totalDisputedBase, r.baseCurrency), decimal(r.totalDisputedBase, r.baseCurrency)]
        : []),
    ]),
  ].join('');
}

function amountCells(a: AgingAmounts, currency: string): string[] {
  return [...a.buckets, a.credits, a.onAccount, a.ar, a.unappliedCash, a.net].map((m) =>
    decimal(m, currency),
  );
}

const BOLD = { bold: true };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDE5F0' } };

function describe(r: AgingReport): string {
  return `by ${r.basis === 'due' ? 'due date' : 'invoice date'}, grouped by ${r.by}; amounts in each line's currency, totals also in ${r.baseCurrency}`;
}

/**
 * XLSX: a formatted sheet (title, bold header, each line's currency format, totals) and a
 * pivot-ready data sheet (one row per group, currency and bucket or line, plain typed columns).
 */
export async function agingXlsx(r: AgingReport, path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'openar';
  const ws = wb.addWorksheet('Aging', { views: [{ state: 'frozen', ySplit: 4, xSplit: 2 }] });
  ws.getCell('A1').value = `Aging as of ${r.asOf}`;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value = describe(r);
  const header = [
    r.by === 'collector' ? 'collector' : r.by === 'currency' ? 'currency' : 'customer',
    'name',
    'currency',
    ...r.buckets.map((b) => b.label),
    ...LINES.map((l) => l.title),
    'AR total',
    'unapplied cash',
    'net',
    `AR in ${r.baseCurrency}`,
    'items',
    ...(r.hasDisputes ? ['disputed', `disputed in ${r.baseCurrency}`] : []),
  ];
  const headerRow = ws.getRow(4);
  headerRow.values = header;
  headerRow.font = BOLD;
  headerRow.eachCell((c) => {
    c.fill = HEADER_FILL;
  });
  const moneyCols = r.buckets.length + LINES.length + 3;
  const put = (row: AgingRow, label: string, name: string | null, bold: boolean, base = false) => {
    const currency = base ? r.baseCurrency : row.currency;
    const a = base ? row.base : row.amounts;
    const x = ws.addRow([
      label,
      name ?? '',
      currency,
      ...[...a.buckets, a.credits, a.onAccount, a.ar, a.unappliedCash, a.net].map((m) =>
        cellNumber(m, currency),
      ),
      cellNumber(row.base.ar, r.baseCurrency),
      row.items,
      ...(r.hasDisputes
        ? [
            cellNumber(base ? row.disputedBaseMinor : row.disputedMinor, currency),
            cellNumber(row.disputedBaseMinor, r.baseCurrency),
          ]
        : []),
    ]);
    for (let i = 0; i < moneyCols; i++) x.getCell(4 + i).numFmt = moneyFormat(currency);
    x.getCell(4 + moneyCols).numFmt = moneyFormat(r.baseCurrency);
    if (r.hasDisputes) {
      x.getCell(6 + moneyCols).numFmt = moneyFormat(currency);
      x.getCell(7 + moneyCols).numFmt = moneyFormat(r.baseCurrency);
    }
    if (bold) x.font = BOLD;
  };
  for (const row of r.rows)
    put(
      row,
      groupLabel(r.by, row.key, row.number, row.currency),
      r.by === 'collector' ? null : row.name,
      false,
    );
  ws.addRow([]);
  for (const row of r.totalsByCurrency) put(row, `TOTAL ${row.currency}`, null, true);
  const baseRow: AgingRow = {
    key: null,
    number: null,
    name: null,
    currency: r.baseCurrency,
    amounts: r.totalBase,
    base: r.totalBase,
    items: r.totalItems,
    disputedMinor: r.totalDisputedBase,
    disputedBaseMinor: r.totalDisputedBase,
  };
  put(baseRow, `TOTAL in ${r.baseCurrency}`, null, true, true);
  ws.autoFilter = { from: { row: 4, column: 1 }, to: { row: 4, column: header.length } };
  ws.columns.forEach((col, i) => {
    col.width = i === 1 ? 32 : i === 2 ? 9 : 14;
  });

  const data = wb.addWorksheet('Data');
  data.addRow([
    'as_of',
    'basis',
    'group_by',
    'group_key',
    'group_label',
    'group_name',
    'currency',
    'line',
    'line_order',
    'amount',
    'amount_base',
    'base_currency',
  ]).font = BOLD;
  const asOf = new Date(`${r.asOf}T00:00:00Z`);
  for (const row of r.rows) {
    const cells: [string, number, number, number][] = [
      ...r.buckets.map(
        (b, i) =>
          [b.label, i + 1, row.amounts.buckets[i]!, row.base.buckets[i]!] as [string, number, number, number],
      ),
      ['credits', r.buckets.length + 1, row.amounts.credits, row.base.credits],
      ['on account', r.buckets.length + 2, row.amounts.onAccount, row.base.onAccount],
      ['unapplied cash', r.buckets.length + 3, row.amounts.unappliedCash, row.base.unappliedCash],
      // A memo line: the disputed part of the buckets above (not to be added to them).
      ['disputed', r.buckets.length + 4, row.disputedMinor, row.disputedBaseMinor],
    ];
    for (const [line, order, minor, base] of cells) {
      if (minor === 0 && base === 0) continue;
      const x = data.addRow([
        asOf,
        r.basis,
        r.by,
        row.key,
        groupLabel(r.by, row.key, row.number, row.currency),
        row.name,
        row.currency,
        line,
        order,
        cellNumber(minor, row.currency),
        cellNumber(base, r.baseCurrency),
        r.baseCurrency,
      ]);
      x.getCell(1).numFmt = 'yyyy-mm-dd';
      x.getCell(10).numFmt = moneyFormat(row.currency);
      x.getCell(11).numFmt = moneyFormat(r.baseCurrency);
    }
  }
  data.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 12 } };
  data.views = [{ state: 'frozen', ySplit: 1 }];
  await wb.xlsx.writeFile(path);
}

// ---------------------------------------------------------------- detail

export const DETAIL_COLUMNS = [
  'customer_number',
  'customer_name',
  'parent_number',
  'collector',
  'kind',
  'number',
  'document_date',
  'due_date',
  'age_days',
  'bucket',
  'currency',
  'open',
  'open_base',
  'disputed',
] as const;

export interface DetailHead {
  asOf: string;
  buckets: readonly Bucket[];
  baseCurrency: string;
}

function detailValues(h: DetailHead, x: AgingDetailRow) {
  return [
    x.customerNumber,
    x.customerName,
    x.parentNumber,
    x.collector,
    x.docType,
    x.number,
    x.documentDate,
    x.dueDate,
    x.ageDays,
    bucketLabel(h.buckets, x.bucket),
    x.currency,
    decimal(x.openMinor, x.currency),
    decimal(x.openBaseMinor, h.baseCurrency),
    decimal(x.disputedMinor, x.currency),
  ];
}

/** Streams detail rows as CSV or JSON (an object with an `items` array) to `out`. */
export function textDetailWriter(format: 'csv' | 'json', h: DetailHead, out: Writable) {
  let first = true;
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.write(text)) resolve();
      else {
        out.once('drain', resolve);
        out.once('error', reject);
      }
    });
  return {
    async start() {
      if (format === 'csv') await write(csvLine([...DETAIL_COLUMNS]));
      else
        await write(
          `{"as_of":${JSON.stringify(h.asOf)},"base_currency":${JSON.stringify(h.baseCurrency)},"items":[`,
        );
    },
    async rows(rows: AgingDetailRow[]) {
      let text = '';
      for (const x of rows) {
        const values = detailValues(h, x);
        if (format === 'csv') text += csvLine(values);
        else {
          text += `${first ? '\n' : ',\n'}${JSON.stringify(Object.fromEntries(DETAIL_COLUMNS.map((c, i) => [c, values[i]])))}`;
          first = false;
        }
      }
      await write(text);
    },
    async end(count: number) {
      if (format === 'json') await write(`\n],"count":${count}}\n`);
    },
  };
}

/** Excel's last row: a detail with more open items than this does not fit in one sheet. */
export const XLSX_MAX_ROWS = 1_048_576;

/**
 * Detail as XLSX, streamed: a formatted sheet, then a pivot-ready data sheet (the caller reads the
 * items twice, once per sheet, so neither sheet is held in memory).
 */
export function xlsxDetailWriter(h: DetailHead, path: string) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true });
  let sheet: ExcelJS.Worksheet | null = null;
  let count = 0;
  const titles = [
    'customer',
    'name',
    'parent',
    'collector',
    'type',
    'number',
    'date',
    'due',
    'age',
    'bucket',
    'ccy',
    'open',
    `open ${h.baseCurrency}`,
    'disputed',
  ];
  return {
    startFormatted() {
      sheet = wb.addWorksheet('Detail', { views: [{ state: 'frozen', ySplit: 2 }] });
      [12, 32, 12, 14, 14, 16, 11, 11, 6, 14, 5, 16, 16, 14].forEach((width, i) => {
        sheet!.getColumn(i + 1).width = width;
      });
      const title = sheet.addRow([`Open items as of ${h.asOf}`]);
      title.font = { bold: true, size: 14 };
      title.commit();
      const head = sheet.addRow(titles);
      head.font = BOLD;
      head.eachCell((c) => {
        c.fill = HEADER_FILL;
      });
      head.commit();
      count = 2;
    },
    startData() {
      sheet?.commit();
      sheet = wb.addWorksheet('Data', { views: [{ state: 'frozen', ySplit: 1 }] });
      const head = sheet.addRow([...DETAIL_COLUMNS, 'as_of', 'base_currency']);
      head.font = BOLD;
      head.commit();
      count = 1;
    },
    rows(rows: AgingDetailRow[], formatted: boolean) {
      if (count + rows.length > XLSX_MAX_ROWS)
        throw new CollectionsError(
          'too-many-rows',
          `more open items than an XLSX sheet holds (${XLSX_MAX_ROWS - 1}): use --format csv`,
        );
      for (const x of rows) {
        const date = (iso: string | null) => (iso === null ? null : new Date(`${iso}T00:00:00Z`));
        const values = [
          x.customerNumber,
          x.customerName,
          x.parentNumber,
          x.collector,
          x.docType,
          x.number,
          date(x.documentDate),
          date(x.dueDate),
          x.ageDays,
          bucketLabel(h.buckets, x.bucket),
          x.currency,
          cellNumber(x.openMinor, x.currency),
          cellNumber(x.openBaseMinor, h.baseCurrency),
          cellNumber(x.disputedMinor, x.currency),
          ...(formatted ? [] : [date(h.asOf), h.baseCurrency]),
        ];
        const row = sheet!.addRow(values);
        row.getCell(7).numFmt = 'yyyy-mm-dd';
        row.getCell(8).numFmt = 'yyyy-mm-dd';
        row.getCell(12).numFmt = moneyFormat(x.currency);
        row.getCell(13).numFmt = moneyFormat(h.baseCurrency);
        row.getCell(14).numFmt = moneyFormat(x.currency);
        if (!formatted) row.getCell(15).numFmt = 'yyyy-mm-dd';
        row.commit();
      }
      count += rows.length;
    },
    async end() {
      await wb.commit();
    },
  };
}
