import ExcelJS from 'exceljs';
import { type Metrics, type MetricsInputs, roundMetrics } from '../core/metrics.js';
import type { MetricsGroup, MetricsReport, MetricsTrend } from '../metrics.js';
import { cellNumber, csvLine, decimal, groupLabel, moneyFormat } from './common.js';

/** The metrics in print order, with a short title for tables and sheets. */
export const METRIC_COLUMNS: readonly { key: keyof Metrics; title: string; format: string }[] = [
  { key: 'dso', title: 'DSO', format: '0.0' },
  { key: 'dso_countback', title: 'DSO countback', format: '0.0' },
  { key: 'best_possible_dso', title: 'best possible DSO', format: '0.0' },
  { key: 'add', title: 'ADD', format: '0.0' },
  { key: 'cei', title: 'CEI', format: '0.0' },
  { key: 'percent_current', title: '% current', format: '0.0' },
  { key: 'percent_past_due', title: '% past due', format: '0.0' },
  { key: 'percent_over_90', title: '% over 90', format: '0.0' },
  { key: 'ar_turnover', title: 'AR turnover', format: '0.00' },
  { key: 'ar_turnover_annualized', title: 'AR turnover / yr', format: '0.00' },
  { key: 'average_days_to_pay', title: 'days to pay', format: '0.0' },
  { key: 'weighted_days_to_pay', title: 'days to pay (weighted)', format: '0.0' },
  { key: 'average_days_beyond_terms', title: 'days beyond terms', format: '0.0' },
  { key: 'weighted_days_beyond_terms', title: 'days beyond terms (weighted)', format: '0.0' },
];

function inputsJson(x: MetricsInputs, currency: string) {
  return {
    ar_begin: decimal(x.arBeginMinor, currency),
    ar_end: decimal(x.arEndMinor, currency),
    current_end: decimal(x.currentEndMinor, currency),
    past_due_end: decimal(x.arEndMinor - x.currentEndMinor, currency),
    over_90_end: decimal(x.over90EndMinor, currency),
    credit_sales: decimal(x.creditSalesMinor, currency),
    payments: x.payments.count,
    cash_applied: decimal(x.payments.weight, currency),
  };
}

function groupJson(r: MetricsReport, g: MetricsGroup) {
  return {
    key: g.key,
    number: g.number,
    name: g.name,
    label: groupLabel(r.by === 'parent' ? 'customer' : r.by, g.key, g.number),
    ...roundMetrics(g.metrics),
    inputs: inputsJson(g.inputs, r.baseCurrency),
  };
}

/** The portfolio's metrics at the top level (numbers), money inputs as decimal strings, groups beside. */
export function metricsJson(r: MetricsReport) {
  return {
    from: r.period.from,
    to: r.period.to,
    days: r.period.days,
    months: Math.round(r.period.months * 10_000) / 10_000,
    base_currency: r.baseCurrency,
    by: r.by,
    cei_convention: r.cei,
    ...roundMetrics(r.portfolio.metrics),
    inputs: inputsJson(r.portfolio.inputs, r.baseCurrency),
    ...(r.by === 'portfolio' ? {} : { groups: r.groups.map((g) => groupJson(r, g)) }),
  };
}

const INPUT_COLUMNS = [
  'ar_begin',
  'ar_end',
  'current_end',
  'past_due_end',
  'over_90_end',
  'credit_sales',
  'payments',
  'cash_applied',
] as const;

const CSV_HEADER = [
  'group_key',
  'group_number',
  'group_name',
  ...METRIC_COLUMNS.map((c) => c.key),
  ...INPUT_COLUMNS,
];

/** The CSV cells of a report: portfolio first, then one line per group. */
function csvCells(r: MetricsReport): (string | number | null)[][] {
  return [r.portfolio, ...r.groups].map((g) => {
    const m = roundMetrics(g.metrics);
    const inputs = inputsJson(g.inputs, r.baseCurrency);
    return [
      g.key,
      g.number,
      g.name,
      ...METRIC_COLUMNS.map((c) => m[c.key]),
      ...INPUT_COLUMNS.map((c) => inputs[c]),
    ];
  });
}

/** Portfolio first, then one line per group. */
export function metricsCsv(r: MetricsReport): string {
  return [CSV_HEADER, ...csvCells(r)].map((cells) => csvLine(cells)).join('');
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** The pivot-ready lines (from, to, group_by, group_key, group_label, metric, value) of each report. */
function addDataRows(data: ExcelJS.Worksheet, reports: readonly MetricsReport[]): void {
  data.addRow(['from', 'to', 'group_by', 'group_key', 'group_label', 'metric', 'value']).font = {
    bold: true,
  };
  for (const r of reports)
    for (const g of [r.portfolio, ...r.groups]) {
      for (const c of METRIC_COLUMNS) {
        const value = g.metrics[c.key];
        if (value === null) continue;
        const row = data.addRow([
          day(r.period.from),
          day(r.period.to),
          g === r.portfolio ? 'portfolio' : r.by,
          g.key,
          g === r.portfolio
            ? 'portfolio'
            : groupLabel(r.by === 'parent' ? 'customer' : r.by, g.key, g.number),
          c.key,
          value,
        ]);
        row.getCell(1).numFmt = 'yyyy-mm-dd';
        row.getCell(2).numFmt = 'yyyy-mm-dd';
      }
    }
}

/** A formatted sheet (one line per group) and a pivot-ready data sheet (group, metric, value). */
export async function metricsXlsx(r: MetricsReport, path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'openar';
  const ws = wb.addWorksheet('Metrics', { views: [{ state: 'frozen', ySplit: 4, xSplit: 1 }] });
  ws.getCell('A1').value = `Collection metrics ${r.period.from} to ${r.period.to}`;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value =
    `${r.period.days} days; CEI by the ${r.cei === 'crf' ? 'Credit Research Foundation' : 'total-sales'} convention; money in ${r.baseCurrency}`;
  const header = ws.getRow(4);
  header.values = [
    'group',
    ...METRIC_COLUMNS.map((c) => c.title),
    'AR at start',
    'AR at end',
    'current at end',
    'credit sales',
  ];
  header.font = { bold: true };
  const all = [r.portfolio, ...r.groups];
  for (const g of all) {
    const m = g.metrics;
    const row = ws.addRow([
      g === r.portfolio ? 'PORTFOLIO' : groupLabel(r.by === 'parent' ? 'customer' : r.by, g.key, g.number),
      ...METRIC_COLUMNS.map((c) => m[c.key]),
      cellNumber(g.inputs.arBeginMinor, r.baseCurrency),
      cellNumber(g.inputs.arEndMinor, r.baseCurrency),
      cellNumber(g.inputs.currentEndMinor, r.baseCurrency),
      cellNumber(g.inputs.creditSalesMinor, r.baseCurrency),
    ]);
    METRIC_COLUMNS.forEach((c, i) => {
      row.getCell(2 + i).numFmt = c.format;
    });
    for (let i = 0; i < 4; i++)
      row.getCell(2 + METRIC_COLUMNS.length + i).numFmt = moneyFormat(r.baseCurrency);
    if (g === r.portfolio) row.font = { bold: true };
  }
  ws.columns.forEach((col, i) => {
    col.width = i === 0 ? 24 : 14;
  });
  const data = wb.addWorksheet('Data', { views: [{ state: 'frozen', ySplit: 1 }] });
  addDataRows(data, [r]);
  await wb.xlsx.writeFile(path);
}

/** The trend: its settings once, then each period's report as metricsJson gives it, oldest first. */
export function metricsTrendJson(t: MetricsTrend) {
  return {
    step: t.step,
    base_currency: t.baseCurrency,
    by: t.by,
    cei_convention: t.cei,
    periods: t.periods.map((r) => {
      const { base_currency: _, by: __, cei_convention: ___, ...rest } = metricsJson(r);
      return rest;
    }),
  };
}

/** One line per period and group (portfolio first in each period), with the period's dates. */
export function metricsTrendCsv(t: MetricsTrend): string {
  const lines = [csvLine(['from', 'to', ...CSV_HEADER])];
  for (const r of t.periods)
    for (const cells of csvCells(r)) lines.push(csvLine([r.period.from, r.period.to, ...cells]));
  return lines.join('');
}

/** A sheet with a line per period (the portfolio's metrics) and a pivot-ready data sheet. */
export async function metricsTrendXlsx(t: MetricsTrend, path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'openar';
  const ws = wb.addWorksheet('Trend', { views: [{ state: 'frozen', ySplit: 4, xSplit: 2 }] });
  const first = t.periods[0]!.period.from;
  const last = t.periods[t.periods.length - 1]!.period.to;
  ws.getCell('A1').value = `Collection metrics by ${t.step}, ${first} to ${last}`;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value =
    `CEI by the ${t.cei === 'crf' ? 'Credit Research Foundation' : 'total-sales'} convention; money in ${t.baseCurrency}`;
  const header = ws.getRow(4);
  header.values = ['from', 'to', ...METRIC_COLUMNS.map((c) => c.title), 'AR at end', 'credit sales'];
  header.font = { bold: true };
  for (const r of t.periods) {
    const g = r.portfolio;
    const row = ws.addRow([
      day(r.period.from),
      day(r.period.to),
      ...METRIC_COLUMNS.map((c) => g.metrics[c.key]),
      cellNumber(g.inputs.arEndMinor, t.baseCurrency),
      cellNumber(g.inputs.creditSalesMinor, t.baseCurrency),
    ]);
    row.getCell(1).numFmt = 'yyyy-mm-dd';
    row.getCell(2).numFmt = 'yyyy-mm-dd';
    METRIC_COLUMNS.forEach((c, i) => {
      row.getCell(3 + i).numFmt = c.format;
    });
    for (let i = 0; i < 2; i++)
      row.getCell(3 + METRIC_COLUMNS.length + i).numFmt = moneyFormat(t.baseCurrency);
  }
  ws.columns.forEach((col, i) => {
    col.width = i < 2 ? 12 : 14;
  });
  const data = wb.addWorksheet('Data', { views: [{ state: 'frozen', ySplit: 1 }] });
  addDataRows(data, t.periods);
  await wb.xlsx.writeFile(path);
}
