import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { CollectionsError } from '../collections/core/errors.js';
import { PredictionError } from '../collections/prediction/core/errors.js';
import { FEATURES } from '../collections/prediction/core/features.js';
import { evaluatePredictions } from '../collections/prediction/evaluate.js';
import { type PredictionRunSummary, runPrediction } from '../collections/prediction/predict.js';
import {
  latestPredictionRun,
  type PredictedDocument,
  predictedDocuments,
} from '../collections/prediction/reports.js';
import { csvLine, decimal } from '../collections/render/common.js';
import { buildWorklist, MAX_LIMIT, viewOf, type Worklist } from '../collections/worklist/build.js';
import { WorklistError } from '../collections/worklist/core/errors.js';
import { worklistCsv, worklistJson, worklistLines, worklistXlsx } from '../collections/worklist/render.js';
import { findCustomer, liftSnoozes, listSnoozes, snoozeAccount } from '../collections/worklist/snooze.js';
import type { CompanyContext } from '../ledger/index.js';
import type { Database } from '../store/database.js';
import { actorOf, type GlobalOptions, globals, withCompany } from './context.js';
import { parseCount, parseIsoDate, today, UsageError } from './format.js';
import { print, printJson, renderTable } from './output.js';

/**
 * CLI adapter for payment prediction and the worklist: `openar predict`, `openar worklist` (with
 * snooze / unsnooze / snoozes), `openar report worklist` and `openar report predictions`.
 */

const USAGE_CODES = new Set([
  'bad-date',
  'bad-limit',
  'bad-grace',
  'bad-option',
  'bad-reason',
  'bad-cutoff',
  'bad-settings',
]);

/** Bad input is bad usage (exit 2); a refusal (unknown customer, nothing to undo) exits 1 with its reason. */
async function guarded<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CollectionsError) throw new UsageError(error.message);
    if (error instanceof WorklistError || error instanceof PredictionError) {
      if (USAGE_CODES.has(error.code)) throw new UsageError(error.message);
      process.stderr.write(`openar: ${error.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw error;
  }
}

function graceOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseCount(text);
  if (n > 90) throw new UsageError('--grace takes 0 to 90 days');
  return n;
}

function limitOf(text: string | undefined, fallback: number): number {
  const n = text === undefined ? fallback : parseCount(text);
  if (n < 1 || n > MAX_LIMIT) throw new UsageError(`--limit takes 1 to ${MAX_LIMIT}`);
  return n;
}

type Format = 'table' | 'csv' | 'json' | 'xlsx';

function formatOf(
  opts: { json?: boolean; format: string; output?: string },
  allowed: readonly Format[],
): Format {
  const format = (opts.json ? 'json' : opts.format) as Format;
  if (!allowed.includes(format))
    throw new UsageError(`--format must be one of ${allowed.join(', ')}; got ${JSON.stringify(opts.format)}`);
  if (format === 'xlsx' && !opts.output) throw new UsageError('--format xlsx needs --output FILE');
  return format;
}

async function emit(text: string, output: string | undefined): Promise<void> {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (!output) {
    process.stdout.write(body);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(output);
    out.once('error', reject);
    out.end(body, () => resolve());
  });
}

async function worklistOf(
  database: Database,
  ctx: CompanyContext,
  g: GlobalOptions,
  opts: { asOf?: string; grace?: string; repredict?: boolean },
): Promise<Worklist | undefined> {
  const asOf = opts.asOf ? parseIsoDate(opts.asOf) : today();
  const graceDays = graceOf(opts.grace);
  return guarded(() =>
    database.transaction(({ client }) =>
      buildWorklist(client, ctx, {
        asOf,
        actor: actorOf(g),
        graceDays,
        predict: opts.repredict ? 'always' : 'auto',
      }),
    ),
  );
}

function summaryLines(s: PredictionRunSummary, baseCurrency: string): string[] {
  const t = s.training;
  const m = (minor: number) => `${baseCurrency} ${decimal(minor, baseCurrency)}`;
  return [
    `Prediction ${s.runId} as of ${s.asOf} (model ${s.modelVersion}, late = paid more than ${s.graceDays} days after due)`,
    `  trained on ${t.rows} documents due ${t.firstDueDate ?? '—'} to ${t.lastDueDate ?? '—'}: ${t.positives} paid late (${pct(t.rows ? t.positives / t.rows : 0)})${t.fallback ? '; too little history: base rate only' : `; ${t.iterations} Newton steps${t.converged ? '' : ' (not converged)'}`}`,
    `  company averages: ${s.priors.daysLate.toFixed(1)} days late, ${pct(s.priors.lateShare)} late`,
    `  predicted ${s.documents} open documents of ${s.customers} customers (${s.alreadyLate} already late): ${m(s.expectedLateBaseMinor)} of ${m(s.openBaseMinor)} expected to be paid late`,
    `  (${(s.elapsedMs / 1000).toFixed(1)} s)`,
  ];
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

/** A subcommand's --as-of: commander hands it to the parent `worklist`, which has one too. */
function asOfOf(opts: { asOf?: string }, command: Command): string {
  const text = opts.asOf ?? (command.optsWithGlobals() as { asOf?: string }).asOf;
  return text ? parseIsoDate(text) : today();
}

export function registerWorklist(program: Command, report: Command): void {
  program
    .command('predict')
    .description(
      'train the payment model on the ledger and predict every open invoice (stored for the worklist)',
    )
    .option('--as-of <date>', 'predict as of this date (default today)')
    .option('--grace <days>', 'days after due before a payment counts as late (default 5)')
    .option('--evaluate', 'instead: evaluate on a time-ordered split against the majority-class baseline')
    .option('--cutoff <date>', 'with --evaluate: train before this date, test on documents issued from it')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      const asOf = opts.asOf ? parseIsoDate(opts.asOf) : today();
      const graceDays = graceOf(opts.grace);
      const cutoff = opts.cutoff ? parseIsoDate(opts.cutoff) : undefined;
      if (cutoff && !opts.evaluate) throw new UsageError('--cutoff goes with --evaluate');
      await withCompany(g, async (database, ctx) => {
        if (opts.evaluate) {
          const e = await guarded(() =>
            database.transaction(({ client }) =>
              evaluatePredictions(client, ctx, { end: asOf, cutoff, graceDays }),
            ),
          );
          if (!e) return;
          if (opts.json) return printJson(e);
          const row = (name: string, s: typeof e.model) =>
            `  ${name.padEnd(22)} accuracy ${pct(s.accuracy)}  log loss ${s.logLoss.toFixed(4)}  AUC ${s.auc.toFixed(3)}  Brier ${s.brier.toFixed(4)}`;
          print(
            [
              `Time-split evaluation: train on ${e.train.rows} documents due + ${e.graceDays} days before ${e.cutoff}, test on ${e.model.rows} issued ${e.cutoff} to ${e.end} (${e.model.positives} late)`,
              row('model', e.model),
              row(`always "${e.baseline.majorityClass}"`, e.baseline),
              `  accuracy ${e.accuracyGainPoints >= 0 ? '+' : ''}${e.accuracyGainPoints.toFixed(1)} points over the majority class`,
              e.dates
                ? `  payment date, mean absolute error over ${e.dates.rows} paid: model ${e.dates.modelMae.toFixed(2)} days, "on the due date" ${e.dates.dueDateMae.toFixed(2)}, "customer's average" ${e.dates.customerAverageMae.toFixed(2)}`
                : '  no test document was paid: no date error',
            ].join('\n'),
          );
          return;
        }
        const s = await guarded(() =>
          database.transaction(({ client }) =>
            runPrediction(client, ctx, { asOf, actor: actorOf(g), graceDays }),
          ),
        );
        if (!s) return;
        if (opts.json) return printJson({ ...s, features: FEATURES });
        print(summaryLines(s, ctx.baseCurrency).join('\n'));
      });
    });

  const worklist = program
    .command('worklist')
    .description(
      "today's accounts ranked by what a collector's action is worth, with reasons and next actions",
    )
    .option('--collector <name>', "only this collector's portfolio")
    .option('--as-of <date>', 'as of this date (default today)')
    .option('--limit <n>', 'at most N accounts', '25')
    .option('--snoozed', 'include snoozed accounts')
    .option('--grace <days>', 'days after due before a payment counts as late (default 5)')
    .option('--repredict', 'predict again even when the date has a fresh prediction')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      const limit = limitOf(opts.limit, 25);
      await withCompany(g, async (database, ctx) => {
        const w = await worklistOf(database, ctx, g, opts);
        if (!w) return;
        const rows = viewOf(w, { collector: opts.collector, includeSnoozed: Boolean(opts.snoozed), limit });
        const head = { worklist: w, rows, collector: opts.collector ?? null };
        if (opts.json) return printJson(worklistJson(head));
        print(worklistLines(head).join('\n'));
      });
    });

  worklist
    .command('snooze <customer>')
    .description('take an account off the worklist until a date')
    .requiredOption('--until <date>', 'back on the worklist on this date')
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--as-of <date>', 'today (default the real today)')
    .action(async (customer: string, opts, command: Command) => {
      const g = globals(command);
      const until = parseIsoDate(opts.until);
      const now = asOfOf(opts, command);
      await withCompany(g, async (database, ctx) => {
        const done = await guarded(() =>
          database.transaction(async ({ client }) => {
            const c = await findCustomer(client, ctx, customer);
            const id = await snoozeAccount(client, ctx, {
              customerId: c.customerId,
              until,
              reason: opts.reason,
              actor: actorOf(g),
              today: now,
            });
            return { c, id };
          }),
        );
        if (done)
          print(
            `snoozed ${done.c.customerNumber} (${done.c.name}) until ${until} (undo: openar worklist unsnooze ${done.c.customerNumber})`,
          );
      });
    });

  worklist
    .command('unsnooze <customer>')
    .description('undo a snooze: the account is back on the worklist')
    .option('--reason <text>', 'why (recorded)', 'snooze undone')
    .option('--as-of <date>', 'today (default the real today)')
    .action(async (customer: string, opts, command: Command) => {
      const g = globals(command);
      const now = asOfOf(opts, command);
      await withCompany(g, async (database, ctx) => {
        const done = await guarded(() =>
          database.transaction(async ({ client }) => {
            const c = await findCustomer(client, ctx, customer);
            const n = await liftSnoozes(client, ctx, {
              customerId: c.customerId,
              actor: actorOf(g),
              reason: opts.reason,
              today: now,
            });
            return { c, n };
          }),
        );
        if (done)
          print(
            `lifted ${done.n} snooze${done.n === 1 ? '' : 's'} of ${done.c.customerNumber}: back on the worklist`,
          );
      });
    });

  worklist
    .command('snoozes')
    .description('snoozed accounts (live first) and lifted snoozes')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      await withCompany(globals(command), async (database, ctx) => {
        const rows = await database.transaction(({ client }) => listSnoozes(client, ctx, today()));
        if (opts.json) return printJson(rows);
        print(
          renderTable(rows, [
            { header: 'customer', value: (r) => r.customerNumber },
            { header: 'until', value: (r) => r.until },
            { header: 'reason', value: (r) => r.reason },
            { header: 'by', value: (r) => r.createdBy },
            { header: 'lifted by', value: (r) => r.liftedBy ?? '' },
          ]),
        );
      });
    });

  report
    .command('worklist')
    .description('the worklist as a table, CSV, JSON or XLSX')
    .option('--collector <name>', "only this collector's portfolio")
    .option('--as-of <date>', 'as of this date (default today)')
    .option('--limit <n>', 'at most N accounts (default all)')
    .option('--snoozed', 'include snoozed accounts')
    .option('--grace <days>', 'days after due before a payment counts as late (default 5)')
    .option('--format <format>', 'output format: table, csv, json, xlsx', 'table')
    .option('--output <file>', 'write to FILE instead of the terminal (xlsx needs it)')
    .option('--json', 'same as --format json')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      const format = formatOf(opts, ['table', 'csv', 'json', 'xlsx']);
      const limit = limitOf(opts.limit, MAX_LIMIT);
      await withCompany(g, async (database, ctx) => {
        const w = await worklistOf(database, ctx, g, opts);
        if (!w) return;
        const rows = viewOf(w, { collector: opts.collector, includeSnoozed: Boolean(opts.snoozed), limit });
        const head = { worklist: w, rows, collector: opts.collector ?? null };
        if (format === 'xlsx') return worklistXlsx(head, opts.output);
        if (format === 'json') return emit(JSON.stringify(worklistJson(head), null, 2), opts.output);
        if (format === 'csv') return emit(worklistCsv(head), opts.output);
        return emit(worklistLines(head, { reasons: 5 }).join('\n'), opts.output);
      });
    });

  report
    .command('predictions')
    .description('the latest prediction: each open document with its probability of being paid late and date')
    .option('--as-of <date>', 'the latest prediction on or before this date (default the latest)')
    .option('--customer <number>', "only this customer's documents")
    .option('--limit <n>', 'at most N documents', '50')
    .option('--format <format>', 'output format: table, csv, json', 'table')
    .option('--output <file>', 'write to FILE instead of the terminal')
    .option('--json', 'same as --format json')
    .action(async (opts, command: Command) => {
      const format = formatOf(opts, ['table', 'csv', 'json']);
      const asOf = opts.asOf ? parseIsoDate(opts.asOf) : undefined;
      const limit = limitOf(opts.limit, 50);
      await withCompany(globals(command), async (database, ctx) => {
        const found = await guarded(() =>
          database.transaction(async ({ client }) => {
            const run = await latestPredictionRun(client, ctx, asOf);
            const customerId = opts.customer
              ? (await findCustomer(client, ctx, opts.customer)).customerId
              : undefined;
            return { run, docs: await predictedDocuments(client, ctx, run.runId, { customerId, limit }) };
          }),
        );
        if (!found) return;
        const { run, docs } = found;
        if (format === 'json')
          return emit(
            JSON.stringify(
              {
                run_id: run.runId,
                as_of: run.asOf,
                model_version: run.modelVersion,
                grace_days: run.graceDays,
                documents: run.documents,
                customers: run.customers,
                training: run.training,
                rows: docs.map(documentJson),
              },
              null,
              2,
            ),
            opts.output,
          );
        if (format === 'csv') return emit(predictionsCsv(docs), opts.output);
        const head = `Prediction as of ${run.asOf} (${run.modelVersion}; ${run.documents} open documents, ${run.customers} customers; late = more than ${run.graceDays} days after due)`;
        return emit(`${head}\n\n${predictionsTable(docs)}`, opts.output);
      });
    });
}

function documentJson(d: PredictedDocument) {
  return {
    document: d.documentNumber,
    customer: d.customerNumber,
    name: d.customerName,
    collector: d.collector,
    currency: d.currency,
    document_date: d.documentDate,
    due_date: d.dueDate,
    open: decimal(d.openMinor, d.currency),
    days_past_due: d.daysPastDue,
    p_late: Math.round(d.pLate * 10_000) / 10_000,
    already_late: d.alreadyLate,
    predicted_days_late: d.predictedDaysLate,
    predicted_payment_date: d.predictedPaymentDate,
    reasons: d.reasons,
  };
}

function predictionsCsv(docs: PredictedDocument[]): string {
  const lines = [
    csvLine([
      'document',
      'customer',
      'currency',
      'due_date',
      'open',
      'days_past_due',
      'p_late',
      'already_late',
      'predicted_payment_date',
      'reasons',
    ]),
  ];
  for (const d of docs) {
    lines.push(
      csvLine([
        d.documentNumber,
        d.customerNumber,
        d.currency,
        d.dueDate,
        decimal(d.openMinor, d.currency),
        d.daysPastDue,
        d.pLate.toFixed(4),
        d.alreadyLate ? 'yes' : 'no',
        d.predictedPaymentDate,
        d.reasons.map((r) => r.text).join('; '),
      ]),
    );
  }
  return lines.join('');
}

function predictionsTable(docs: PredictedDocument[]): string {
  return renderTable(docs, [
    { header: 'document', value: (d) => d.documentNumber },
    { header: 'customer', value: (d) => d.customerNumber },
    { header: 'due', value: (d) => d.dueDate },
    { header: 'open', value: (d) => `${decimal(d.openMinor, d.currency)} ${d.currency}`, align: 'right' },
    { header: 'P(late)', value: (d) => pct(d.pLate), align: 'right' },
    { header: 'expected', value: (d) => d.predictedPaymentDate },
    {
      header: 'why',
      value: (d) =>
        d.reasons
          .slice(0, 2)
          .map((r) => r.text)
          .join('; '),
    },
  ]);
}
