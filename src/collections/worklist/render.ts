import ExcelJS from 'exceljs';
import { cellNumber, csvLine, decimal, moneyFormat } from '../render/common.js';
import { inPortfolio, type Portfolio, portfolios, type RankedRow, type Worklist } from './build.js';

/** The worklist as a terminal table, CSV, JSON and XLSX (a formatted sheet, portfolios, pivot-ready data). */

export interface RenderHead {
  worklist: Worklist;
  rows: RankedRow[];
  collector: string | null;
}

const collectorLabel = (c: string | null) => (c === null || c.trim() === '' ? '(no collector)' : c);

function rowJson(w: Worklist, r: RankedRow) {
  const m = (minor: number) => decimal(minor, w.baseCurrency);
  return {
    rank: r.rank,
    customer: r.customerNumber,
    name: r.name,
    collector: r.collector,
    score: m(r.scoreBaseMinor),
    action: r.action,
    action_text: r.actionText,
    next_action_date: r.nextActionDate,
    open: m(r.openBaseMinor),
    past_due: m(r.pastDueBaseMinor),
    max_days_past_due: r.maxDaysPastDue,
    snoozed_until: r.snoozedUntil,
    snooze_reason: r.snoozeReason,
    reasons: r.terms.map((t) => ({ code: t.code, value: m(t.valueBaseMinor), text: t.text })),
  };
}

function portfolioJson(w: Worklist, p: Portfolio) {
  const m = (minor: number) => decimal(minor, w.baseCurrency);
  return {
    collector: p.collector,
    accounts: p.accounts,
    to_act_today: p.toActToday,
    snoozed: p.snoozed,
    open: m(p.openBaseMinor),
    past_due: m(p.pastDueBaseMinor),
    score: m(p.scoreBaseMinor),
  };
}

export function worklistJson(h: RenderHead) {
  const w = h.worklist;
  return {
    as_of: w.asOf,
    base_currency: w.baseCurrency,
    run_id: w.runId,
    prediction_run_id: w.predictionRunId,
    grace_days: w.graceDays,
    collector: h.collector,
    accounts: w.rows.length,
    shown: h.rows.length,
    rows: h.rows.map((r) => rowJson(w, r)),
    portfolios: portfolios(w).map((p) => portfolioJson(w, p)),
  };
}

const CSV_COLUMNS = [
  'rank',
  'customer',
  'name',
  'collector',
  'score',
  'action',
  'action_text',
  'next_action_date',
  'open',
  'past_due',
  'max_days_past_due',
  'snoozed_until',
  'reasons',
];

export function worklistCsv(h: RenderHead): string {
  const w = h.worklist;
  const lines = [csvLine(CSV_COLUMNS)];
  for (const r of h.rows) {
    const j = rowJson(w, r);
    lines.push(
      csvLine([
        j.rank,
        j.customer,
        j.name,
        j.collector,
        j.score,
        j.action,
        j.action_text,
        j.next_action_date,
        j.open,
        j.past_due,
        j.max_days_past_due,
        j.snoozed_until,
        r.terms.map((t) => t.text).join('; '),
      ]),
    );
  }
  return lines.join('');
}

/** 1234567.89 → 1,234,567.89 (for the terminal; files carry plain decimals). */
export function groupDigits(text: string): string {
  const [whole, fraction] = text.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** Lines for a terminal: one block per account (its reasons beneath it), then the portfolios. */
export function worklistLines(h: RenderHead, o: { reasons?: number; portfolios?: boolean } = {}): string[] {
  const w = h.worklist;
  const m = (minor: number) => groupDigits(decimal(minor, w.baseCurrency));
  const accounts = h.collector ? w.rows.filter((r) => inPortfolio(r, h.collector)).length : w.rows.length;
  const lines = [
    `Worklist as of ${w.asOf}${h.collector ? ` for ${h.collector}` : ''}: ${h.rows.length} of ${accounts} accounts (amounts in ${w.baseCurrency}; grace ${w.graceDays} days)`,
    '',
  ];
  if (h.rows.length === 0) lines.push('  nothing to do');
  const maxReasons = o.reasons ?? 3;
  for (const r of h.rows) {
    const when = r.snoozedUntil ? `snoozed until ${r.snoozedUntil}` : `next ${r.nextActionDate}`;
    lines.push(
      `${String(r.rank).padStart(4)}. ${r.customerNumber} ${clip(r.name, 34)} [${collectorLabel(r.collector)}]  score ${m(r.scoreBaseMinor)}  past due ${m(r.pastDueBaseMinor)} (${r.maxDaysPastDue} d)`,
    );
    lines.push(`      → ${r.actionText} (${when})${r.snoozeReason ? ` — ${r.snoozeReason}` : ''}`);
    const shown = r.terms.filter((t) => t.valueBaseMinor !== 0).slice(0, maxReasons);
    const context = r.terms.filter((t) => t.valueBaseMinor === 0).slice(0, 1);
    for (const t of [...shown, ...context])
      lines.push(
        `        ${t.valueBaseMinor === 0 ? '·' : t.valueBaseMinor > 0 ? '+' : '−'} ${t.text}${t.valueBaseMinor === 0 ? '' : ` = ${m(Math.abs(t.valueBaseMinor))}`}`,
      );
  }
  if (o.portfolios ?? h.collector === null) {
    lines.push('', 'Portfolios');
    for (const p of portfolios(w)) {
      lines.push(
        `  ${clip(collectorLabel(p.collector), 24).padEnd(24)} ${String(p.accounts).padStart(6)} accounts, ${String(p.toActToday).padStart(5)} to act on today, ${String(p.snoozed).padStart(4)} snoozed; past due ${m(p.pastDueBaseMinor)}`,
      );
    }
  }
  return lines;
}

/** Formatted worklist, portfolios, and a pivot-ready data sheet (one line per score term). */
export async function worklistXlsx(h: RenderHead, path: string): Promise<void> {
  const w = h.worklist;
  const money = moneyFormat(w.baseCurrency);
  const n = (minor: number) => cellNumber(minor, w.baseCurrency);
  const day = (iso: string | null) => (iso === null ? null : new Date(`${iso}T00:00:00Z`));
  const wb = new ExcelJS.Workbook();
  wb.creator = 'openar';
  const ws = wb.addWorksheet('Worklist', { views: [{ state: 'frozen', ySplit: 4, xSplit: 2 }] });
  ws.getCell('A1').value = `Worklist as of ${w.asOf}${h.collector ? ` for ${h.collector}` : ''}`;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value =
    `Amounts in ${w.baseCurrency}; ${h.rows.length} of ${w.rows.length} accounts; grace ${w.graceDays} days`;
  const header = ws.getRow(4);
  header.values = [
    'rank',
    'customer',
    'name',
    'collector',
    'score',
    'past due',
    'open',
    'max days past due',
    'action',
    'next action',
    'snoozed until',
    'reasons',
  ];
  header.font = { bold: true };
  for (const r of h.rows) {
    const row = ws.addRow([
      r.rank,
      r.customerNumber,
      r.name,
      r.collector ?? '',
      n(r.scoreBaseMinor),
      n(r.pastDueBaseMinor),
      n(r.openBaseMinor),
      r.maxDaysPastDue,
      r.actionText,
      day(r.nextActionDate),
      day(r.snoozedUntil),
      r.terms.map((t) => t.text).join('\n'),
    ]);
    for (const c of [5, 6, 7]) row.getCell(c).numFmt = money;
    for (const c of [10, 11]) row.getCell(c).numFmt = 'yyyy-mm-dd';
    row.getCell(12).alignment = { wrapText: true, vertical: 'top' };
  }
  const widths = [6, 12, 34, 16, 14, 14, 14, 10, 40, 12, 12, 90];
  ws.columns.forEach((col, i) => {
    col.width = widths[i] ?? 14;
  });

  const ps = wb.addWorksheet('Portfolios', { views: [{ state: 'frozen', ySplit: 1 }] });
  ps.addRow(['collector', 'accounts', 'to act on today', 'snoozed', 'open', 'past due', 'score']).font = {
    bold: true,
  };
  for (const p of portfolios(w)) {
    const row = ps.addRow([
      collectorLabel(p.collector),
      p.accounts,
      p.toActToday,
      p.snoozed,
      n(p.openBaseMinor),
      n(p.pastDueBaseMinor),
      n(p.scoreBaseMinor),
    ]);
    for (const c of [5, 6, 7]) row.getCell(c).numFmt = money;
  }
  ps.columns.forEach((col, i) => {
    col.width = i === 0 ? 24 : 14;
  });

  const data = wb.addWorksheet('Data', { views: [{ state: 'frozen', ySplit: 1 }] });
  data.addRow([
    'as_of',
    'rank',
    'customer',
    'collector',
    'action',
    'next_action_date',
    'snoozed',
    'term',
    'value',
    'text',
  ]).font = { bold: true };
  for (const r of h.rows) {
    for (const t of r.terms) {
      const row = data.addRow([
        day(w.asOf),
        r.rank,
        r.customerNumber,
        collectorLabel(r.collector),
        r.action,
        day(r.nextActionDate),
        r.snoozedUntil !== null,
        t.code,
        n(t.valueBaseMinor),
        t.text,
      ]);
      row.getCell(1).numFmt = 'yyyy-mm-dd';
      row.getCell(6).numFmt = 'yyyy-mm-dd';
      row.getCell(9).numFmt = money;
    }
  }
  await wb.xlsx.writeFile(path);
}
