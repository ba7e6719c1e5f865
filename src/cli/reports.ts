import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import {
  AGING_GROUP_BYS,
  type AgingGroupBy,
  type AgingOptions,
  type AgingReport,
  agingDetail,
  agingReportOn,
  bucketsOf,
  CollectionsError,
  DEFAULT_THRESHOLDS,
  METRICS_GROUP_BYS,
  type MetricsGroupBy,
  type MetricsReport,
  type MetricsTrend,
  metricsReportOn,
  metricsTrend,
  parseThresholds,
  TREND_STEPS,
  type TrendStep,
} from '../collections/index.js';
import {
  agingCsv,
  agingJson,
  agingXlsx,
  bucketLabel,
  textDetailWriter,
  xlsxDetailWriter,
} from '../collections/render/aging-files.js';
import { decimal, groupLabel } from '../collections/render/common.js';
import {
  METRIC_COLUMNS,
  metricsCsv,
  metricsJson,
  metricsTrendCsv,
  metricsTrendJson,
  metricsTrendXlsx,
  metricsXlsx,
} from '../collections/render/metrics-files.js';
import { MAX_READERS } from '../store/database.js';
import { globals, withCompany } from './context.js';
import { parseCount, parseIsoDate, today, UsageError } from './format.js';
import { renderTable } from './output.js';

type Format = 'table' | 'csv' | 'json' | 'xlsx';
const FORMATS: readonly Format[] = ['table', 'csv', 'json', 'xlsx'];

export function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  return value as T;
}

function formatOf(opts: { json?: boolean; format: string; output?: string }): Format {
  const format = opts.json ? 'json' : oneOf('--format', opts.format, FORMATS);
  if (format === 'xlsx' && !opts.output) throw new UsageError('--format xlsx needs --output FILE');
  return format;
}

/**
 * A report's bad input (a date, buckets, a period) is bad usage: exit code 2, the reason on stderr.
 * A reader that stops early (`| head`) closes the pipe: that is not an error.
 */
export async function asUsage<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CollectionsError) throw new UsageError(error.message);
    if ((error as NodeJS.ErrnoException)?.code === 'EPIPE') return undefined;
    throw error;
  }
}

/** Text to --output FILE or stdout; resolves when it is all written. */
async function emit(text: string, output: string | undefined): Promise<void> {
  const out = open(output);
  out.write(text.endsWith('\n') ? text : `${text}\n`);
  await close(out, output);
}

function open(output: string | undefined): Writable {
  if (output) return createWriteStream(output);
  // A closed pipe is reported once per write; the first one ends the report (see asUsage).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  return process.stdout;
}

function close(out: Writable, output: string | undefined): Promise<void> {
  if (!output) return Promise.resolve();
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

export function registerReports(program: Command): Command {
  const report = program
    .command('report')
    .description('collections reports: aging, metrics, worklist, predictions, statements, disputes');

  report
    .command('aging')
    .description('open AR in aging buckets as of a date (rebuilt from the ledger for past dates)')
    .option('--as-of <date>', 'age as of this date (default today)')
    .option('--buckets <days>', 'upper ends of the past-due ranges in days', DEFAULT_THRESHOLDS.join(','))
    .option('--by <group>', `summarize by ${AGING_GROUP_BYS.join(', ')}`, 'customer')
    .option('--basis <basis>', 'age from the due date or the invoice date (due|invoice)', 'due')
    .option('--age-credits', 'age open credit memos into the buckets instead of their own line')
    .option('--detail', 'one line per open document and receipt instead of a summary')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option('--output <file>', 'write to FILE instead of the terminal (xlsx needs it)')
    .option('--json', 'same as --format json')
    .action(async (opts, command: Command) => {
      const format = formatOf(opts);
      const options: AgingOptions = (await asUsage(async () => ({
        asOf: opts.asOf ? parseIsoDate(opts.asOf) : today(),
        thresholds: parseThresholds(opts.buckets),
        basis: oneOf('--basis', opts.basis, ['due', 'invoice'] as const),
        by: oneOf('--by', opts.by, AGING_GROUP_BYS),
        agedCredits: Boolean(opts.ageCredits),
      })))!;
      await withCompany(globals(command), async (database, ctx) => {
        if (opts.detail) {
          const head = {
            asOf: options.asOf,
            buckets: bucketsOf({ thresholds: options.thresholds!, basis: options.basis! }),
            baseCurrency: ctx.baseCurrency,
          };
          await asUsage(() =>
            database.transaction(async ({ client }) => {
              if (format === 'xlsx') {
                const w = xlsxDetailWriter(head, opts.output);
                w.startFormatted();
                await agingDetail(client, ctx, options, (rows) => w.rows(rows, true));
                w.startData();
                await agingDetail(client, ctx, options, (rows) => w.rows(rows, false));
                await w.end();
                return;
              }
              const out = open(opts.output);
              if (format === 'table') {
                const printer = detailTablePrinter(head, out);
                await agingDetail(client, ctx, options, printer);
              } else {
                const w = textDetailWriter(format, head, out);
                await w.start();
                const { count } = await agingDetail(client, ctx, options, (rows) => w.rows(rows));
                await w.end(count);
              }
              await close(out, opts.output);
            }),
          );
          return;
        }
        // Today's aging is split across connections reading one snapshot (one on PGlite).
        const readers = Math.min(availableParallelism(), MAX_READERS);
        const r = await asUsage(() =>
          database.readTogether(readers, (clients) => agingReportOn(clients, ctx, options)),
        );
        if (!r) return;
        if (format === 'xlsx') return agingXlsx(r, opts.output);
        if (format === 'json') return emit(JSON.stringify(agingJson(r), null, 2), opts.output);
        if (format === 'csv') return emit(agingCsv(r), opts.output);
        return emit(agingTable(r), opts.output);
      });
    });

  report
    .command('metrics')
    .description('DSO (period and countback), best possible DSO, ADD, CEI, % current, turnover, days to pay')
    .requiredOption('--from <date>', 'first day of the period')
    .requiredOption('--to <date>', 'last day of the period')
    .option(
      '--by <group>',
      `also per ${METRICS_GROUP_BYS.filter((b) => b !== 'portfolio').join(', ')}`,
      'portfolio',
    )
    .option('--cei <convention>', 'CEI convention: crf (Credit Research Foundation) or total-sales', 'crf')
    .option('--countback-months <n>', 'months of sales the countback may walk back', '36')
    .option('--trend <step>', `the metrics of each ${TREND_STEPS.join(' or ')} of the period, oldest first`)
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option('--output <file>', 'write to FILE instead of the terminal (xlsx needs it)')
    .option('--json', 'same as --format json')
    .action(async (opts, command: Command) => {
      const format = formatOf(opts);
      const from = parseIsoDate(opts.from);
      const to = parseIsoDate(opts.to);
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      const by = oneOf('--by', opts.by, METRICS_GROUP_BYS) as MetricsGroupBy;
      const cei = oneOf('--cei', opts.cei, ['crf', 'total-sales'] as const) === 'crf' ? 'crf' : 'total_sales';
      const countbackMonths = parseCount(opts.countbackMonths);
      if (opts.trend !== undefined) {
        const step = oneOf('--trend', opts.trend, TREND_STEPS) as TrendStep;
        return withCompany(globals(command), async (database, ctx) => {
          const t = await asUsage(() =>
            database.transaction(({ client }) =>
              metricsTrend(client, ctx, { from, to, by, cei, countbackMonths, step }),
            ),
          );
          if (!t) return;
          if (format === 'xlsx') return metricsTrendXlsx(t, opts.output);
          if (format === 'json') return emit(JSON.stringify(metricsTrendJson(t), null, 2), opts.output);
          if (format === 'csv') return emit(metricsTrendCsv(t), opts.output);
          return emit(metricsTrendTable(t), opts.output);
        });
      }
      await withCompany(globals(command), async (database, ctx) => {
        // A closed month's summaries are read across connections reading one snapshot (one on PGlite).
        const readers = Math.min(availableParallelism(), MAX_READERS);
        const r = await asUsage(() =>
          database.readTogether(readers, (clients) =>
            metricsReportOn(clients, ctx, { from, to, by, cei, countbackMonths }),
          ),
        );
        if (!r) return;
        if (format === 'xlsx') return metricsXlsx(r, opts.output);
        if (format === 'json') return emit(JSON.stringify(metricsJson(r), null, 2), opts.output);
        if (format === 'csv') return emit(metricsCsv(r), opts.output);
        return emit(metricsTable(r), opts.output);
      });
    });
  return report;
}

function agingTable(r: AgingReport): string {
  type Line = { label: string; name: string; currency: string; values: number[]; items: number };
  // Disputed is a memo column (already inside the buckets), shown once the company has a case.
  const line = (
    label: string,
    name: string | null,
    currency: string,
    a: AgingReport['totalBase'],
    items: number,
    disputedMinor: number,
  ): Line => ({
    label,
    name: (name ?? '').slice(0, 30),
    currency,
    values: [
      ...a.buckets,
      a.credits,
      a.onAccount,
      a.ar,
      a.unappliedCash,
      a.net,
      ...(r.hasDisputes ? [disputedMinor] : []),
    ],
    items,
  });
  const lines: Line[] = r.rows.map((row) =>
    line(
      groupLabel(r.by, row.key, row.number, row.currency),
      r.by === 'collector' ? null : row.name,
      row.currency,
      row.amounts,
      row.items,
      row.disputedMinor,
    ),
  );
  const totals: Line[] = [
    ...r.totalsByCurrency.map((row) =>
      line(`TOTAL ${row.currency}`, null, row.currency, row.amounts, row.items, row.disputedMinor),
    ),
    line(`TOTAL in ${r.baseCurrency}`, null, r.baseCurrency, r.totalBase, r.totalItems, r.totalDisputedBase),
  ];
  const titles = [
    ...r.buckets.map((b) => b.label),
    'credits',
    'on account',
    'AR total',
    'unapplied cash',
    'net',
    ...(r.hasDisputes ? ['disputed'] : []),
  ];
  const columns = [
    { header: r.by, value: (l: Line) => l.label },
    ...(r.by === 'customer' || r.by === 'parent' ? [{ header: 'name', value: (l: Line) => l.name }] : []),
    { header: 'ccy', value: (l: Line) => l.currency },
    ...titles.map((header, i) => ({
      header,
      value: (l: Line) => (l.label === '' ? '' : decimal(l.values[i]!, l.currency)),
      align: 'right' as const,
    })),
    { header: 'items', value: (l: Line) => (l.label === '' ? '' : String(l.items)), align: 'right' as const },
  ];
  const blank: Line = { label: '', name: '', currency: '', values: [], items: 0 };
  const heading = `Aging as of ${r.asOf}, by ${r.basis === 'due' ? 'due date' : 'invoice date'}, per ${r.by}`;
  return `${heading}\n\n${renderTable([...lines, blank, ...totals], columns)}`;
}

function detailTablePrinter(
  head: { buckets: ReturnType<typeof bucketsOf>; baseCurrency: string },
  out: Writable,
) {
  const widths = [12, 24, 14, 16, 10, 10, 5, 14, 3, 16, 16];
  const right = new Set([6, 9, 10]);
  const fmt = (cells: string[]) =>
    `${cells
      .map((c, i) =>
        right.has(i) ? c.slice(0, widths[i]).padStart(widths[i]!) : c.slice(0, widths[i]).padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd()}\n`;
  let started = false;
  return (rows: Awaited<Parameters<Parameters<typeof agingDetail>[3]>[0]>) => {
    let text = '';
    if (!started) {
      text += fmt([
        'customer',
        'name',
        'type',
        'number',
        'date',
        'due',
        'age',
        'bucket',
        'ccy',
        'open',
        `open ${head.baseCurrency}`,
      ]);
      text += fmt(widths.map((w) => '-'.repeat(w)));
      started = true;
    }
    for (const x of rows) {
      text += fmt([
        x.customerNumber ?? '(unidentified)',
        x.customerName ?? '',
        x.docType,
        x.number,
        x.documentDate,
        x.dueDate ?? '',
        String(x.ageDays),
        bucketLabel(head.buckets, x.bucket),
        x.currency,
        decimal(x.openMinor, x.currency),
        decimal(x.openBaseMinor, head.baseCurrency),
      ]);
    }
    return new Promise<void>((resolve) => {
      if (out.write(text)) resolve();
      else out.once('drain', () => resolve());
    });
  };
}

const SHOWN_METRICS = [
  'dso',
  'dso_countback',
  'best_possible_dso',
  'add',
  'cei',
  'percent_current',
  'ar_turnover',
  'average_days_to_pay',
  'weighted_days_to_pay',
  'average_days_beyond_terms',
];
const SHOWN_COLUMNS = METRIC_COLUMNS.filter((c) => SHOWN_METRICS.includes(c.key));

type Group = MetricsReport['portfolio'];

/** A group's label in a metrics table: PORTFOLIO for the total line. */
function metricsLabel(r: MetricsReport, g: Group): string {
  return g === r.portfolio
    ? 'PORTFOLIO'
    : groupLabel(r.by === 'parent' ? 'customer' : (r.by as AgingGroupBy), g.key, g.number);
}

/** The shown metrics, AR at the end and credit sales of the group each table line stands for. */
function figureColumns<L>(groupOf: (line: L) => Group, baseCurrency: string) {
  const right = 'right' as const;
  return [
    ...SHOWN_COLUMNS.map((c) => ({
      header: c.title,
      value: (l: L) => {
        const v = groupOf(l).metrics[c.key];
        return v === null ? '—' : v.toFixed(c.format === '0.00' ? 2 : 1);
      },
      align: right,
    })),
    {
      header: `AR end (${baseCurrency})`,
      value: (l: L) => decimal(groupOf(l).inputs.arEndMinor, baseCurrency),
      align: right,
    },
    {
      header: 'credit sales',
      value: (l: L) => decimal(groupOf(l).inputs.creditSalesMinor, baseCurrency),
      align: right,
    },
  ];
}

const ceiName = (cei: MetricsReport['cei']) => (cei === 'crf' ? 'Credit Research Foundation' : 'total sales');

/** A line per period (per period and group with --by): the period's metrics, oldest first. */
function metricsTrendTable(t: MetricsTrend): string {
  type Line = { r: MetricsReport; group: Group };
  const lines: Line[] = t.periods.flatMap((r) => [r.portfolio, ...r.groups].map((group) => ({ r, group })));
  const columns = [
    { header: 'period', value: (l: Line) => `${l.r.period.from} – ${l.r.period.to}` },
    ...(t.by === 'portfolio' ? [] : [{ header: t.by, value: (l: Line) => metricsLabel(l.r, l.group) }]),
    ...figureColumns((l: Line) => l.group, t.baseCurrency),
  ];
  return `Collection metrics by ${t.step} (CEI: ${ceiName(t.cei)})\n\n${renderTable(lines, columns)}`;
}

function metricsTable(r: MetricsReport): string {
  const columns = [
    { header: r.by === 'portfolio' ? '' : r.by, value: (g: Group) => metricsLabel(r, g) },
    ...figureColumns((g: Group) => g, r.baseCurrency),
  ];
  const heading = `Collection metrics ${r.period.from} to ${r.period.to} (${r.period.days} days; CEI: ${ceiName(r.cei)})`;
  return `${heading}\n\n${renderTable([r.portfolio, ...r.groups], columns)}`;
}
