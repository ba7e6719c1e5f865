/**
 * The payment-prediction evaluation: a time-ordered split (train on what was known before a cutoff,
 * test on the documents issued after it) against always predicting the majority class, and payment
 * dates against "on the due date" and "the customer's average".
 *
 *   node --import tsx bench/prediction.ts [--customers 300] [--seeds 42,7] [--grace 5] [--write FILE]
 *
 * Ledgers:
 * - generated: the demo company's year (src/demo: customers with prompt, late, slow and chronic
 *   habits, pay runs, disputes, a few who stopped paying), one per seed, imported into an in-memory
 *   PGlite through the ordinary importers;
 * - the public IBM "Factored Accounts Receivable" sample (2,466 invoices of 100 customers, 2012–2013),
 *   read from ../shared/corpus/datasets/WA_Fn-UseC_-Accounts-Receivable.csv when it is there (never
 *   copied into the repository; skipped when absent): each invoice and its settlement imported as
 *   an invoice and a payment; its Disputed and PaperlessBill columns are not ledger facts and are
 *   not used. Evaluated with 0 days' grace (its DaysLate > 0) and with `--grace`.
 * Writes a section between markers into FILE (default /work/briefs/bench-worklist.md).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SplitEvaluation } from '../src/collections/prediction/core/split.js';
import { evaluatePredictions } from '../src/collections/prediction/evaluate.js';
import { runPrediction } from '../src/collections/prediction/predict.js';
import { runDemo } from '../src/demo/run.js';
import { importFile } from '../src/imports/index.js';
import { createCompany, loadCompany } from '../src/ledger/index.js';
import { Database } from '../src/store/database.js';
import { ALL_MIGRATIONS } from '../src/store/migrations.js';
import { list, nonNegative, parseFlags } from './lib/args.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATASET = resolve(
  HERE,
  '..',
  '..',
  'shared',
  'corpus',
  'datasets',
  'WA_Fn-UseC_-Accounts-Receivable.csv',
);
const BEGIN = '<!-- bench/prediction.ts: begin -->';
const END = '<!-- bench/prediction.ts: end -->';
const DEMO_AS_OF = '2025-06-30';
const ACTOR = 'bench';

interface Args {
  customers: number;
  seeds: number[];
  grace: number;
  write: string;
}

function parseArgs(argv: readonly string[]): Args {
  const v = parseFlags(
    argv,
    {
      customers: { type: 'string', default: '300' },
      seeds: { type: 'string', default: '42,7' },
      grace: { type: 'string', default: '5' },
      write: { type: 'string', default: '/work/briefs/bench-worklist.md' },
    },
    'see the comment at the top of bench/prediction.ts',
  );
  return {
    customers: nonNegative('--customers', v.customers),
    seeds: list(v.seeds).map((seed) => nonNegative('--seeds', seed)),
    grace: nonNegative('--grace', v.grace),
    write: v.write,
  };
}

interface Line {
  ledger: string;
  e: SplitEvaluation & { end: string; labelled: number };
  seconds: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f = (x: number, d = 3) => x.toFixed(d);

function table(lines: Line[]): string[] {
  return [
    '| ledger | grace | cutoff | train / test docs | test late | model acc. | majority acc. | gain (points) | log loss model / base | AUC | Brier model / base | date MAE model / due date / customer avg (days, paid) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---|---:|---|---|',
    ...lines.map(
      ({ ledger, e }) =>
        `| ${ledger} | ${e.graceDays} | ${e.cutoff} | ${e.train.rows} / ${e.model.rows} | ${pct(e.model.positives / e.model.rows)} | ${pct(e.model.accuracy)} | ${pct(e.baseline.accuracy)} (${e.baseline.majorityClass}) | ${e.accuracyGainPoints >= 0 ? '+' : ''}${e.accuracyGainPoints.toFixed(1)} | ${f(e.model.logLoss)} / ${f(e.baseline.logLoss)} | ${f(e.model.auc)} | ${f(e.model.brier)} / ${f(e.baseline.brier)} | ${e.dates ? `${e.dates.modelMae.toFixed(2)} / ${e.dates.dueDateMae.toFixed(2)} / ${e.dates.customerAverageMae.toFixed(2)} (${e.dates.rows})` : '—'} |`,
    ),
  ];
}

async function generated(
  args: Args,
  seed: number,
): Promise<{ lines: Line[]; predictSeconds: number; docs: number }> {
  const database = await Database.open({ target: 'memory://', migrations: ALL_MIGRATIONS });
  try {
    await runDemo(database, { seed, customers: args.customers, asOf: DEMO_AS_OF, actor: ACTOR });
    const ctx = await database.transaction(({ client }) => loadCompany(client, 'demo'));
    const lines: Line[] = [];
    for (const grace of [args.grace]) {
      const t = performance.now();
      const e = await database.transaction(({ client }) =>
        evaluatePredictions(client, ctx, { end: DEMO_AS_OF, graceDays: grace }),
      );
      lines.push({
        ledger: `generated (demo, ${args.customers} customers, seed ${seed})`,
        e,
        seconds: (performance.now() - t) / 1000,
      });
    }
    const t = performance.now();
    const s = await database.transaction(({ client }) =>
      runPrediction(client, ctx, { asOf: DEMO_AS_OF, actor: ACTOR }),
    );
    return { lines, predictSeconds: (performance.now() - t) / 1000, docs: s.documents };
  } finally {
    await database.close();
  }
}

/** M/D/YYYY → YYYY-MM-DD. */
function isoOf(us: string): string {
  const [m, d, y] = us.split('/').map(Number);
  if (!m || !d || !y) throw new Error(`not a date M/D/YYYY: ${us}`);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

async function ibm(args: Args): Promise<Line[] | null> {
  if (!existsSync(DATASET)) return null;
  const rows = readFileSync(DATASET, 'utf8').trim().split(/\r?\n/);
  const header = rows.shift()!.split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`the dataset has no column ${name}`);
    return i;
  };
  const [cCustomer, cInvoice, cDate, cDue, cAmount, cSettled] = [
    'customerID',
    'invoiceNumber',
    'InvoiceDate',
    'DueDate',
    'InvoiceAmount',
    'SettledDate',
  ].map(col) as [number, number, number, number, number, number];
  const records = rows.map((line) => line.split(','));
  const dir = mkdtempSync(join(tmpdir(), 'openar-ibm-'));
  const database = await Database.open({ target: 'memory://', migrations: ALL_MIGRATIONS });
  try {
    const customers = [...new Set(records.map((r) => r[cCustomer]!))].sort();
    writeFileSync(
      join(dir, 'customers.csv'),
      `customer_id,name,parent_id,currency,terms_days\n${customers.map((c) => `${c},Customer ${c},,USD,30`).join('\n')}\n`,
    );
    writeFileSync(
      join(dir, 'invoices.csv'),
      `invoice_number,customer_id,type,invoice_date,due_date,amount,currency\n${records
        .map(
          (r) =>
            `I${r[cInvoice]},${r[cCustomer]},invoice,${isoOf(r[cDate]!)},${isoOf(r[cDue]!)},${Number(r[cAmount]).toFixed(2)},USD`,
        )
        .join('\n')}\n`,
    );
    writeFileSync(
      join(dir, 'payments.csv'),
      `payment_id,customer_id,payment_date,amount,currency,method,reference,invoice_number,applied_amount\n${records
        .map((r) => {
          const amount = Number(r[cAmount]).toFixed(2);
          return `P${r[cInvoice]},${r[cCustomer]},${isoOf(r[cSettled]!)},${amount},USD,ach,,I${r[cInvoice]},${amount}`;
        })
        .join('\n')}\n`,
    );
    const ctx = await database.transaction(({ client }) =>
      createCompany(client, { code: 'ibm', name: 'IBM sample', baseCurrency: 'USD', actor: ACTOR }),
    );
    for (const kind of ['customers', 'invoices', 'payments'] as const) {
      const s = await importFile(database, ctx, kind, { path: join(dir, `${kind}.csv`), actor: ACTOR });
      if (s.rejected > 0) throw new Error(`${s.rejected} ${kind} rows rejected`);
    }
    const end = records
      .map((r) => isoOf(r[cSettled]!))
      .sort()
      .at(-1)!;
    const lines: Line[] = [];
    for (const grace of [0, args.grace]) {
      const t = performance.now();
      const e = await database.transaction(({ client }) =>
        evaluatePredictions(client, ctx, { end, graceDays: grace }),
      );
      lines.push({
        ledger: `IBM AR sample (${records.length} invoices)`,
        e,
        seconds: (performance.now() - t) / 1000,
      });
    }
    return lines;
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const lines: Line[] = [];
  const notes: string[] = [];
  for (const seed of args.seeds) {
    const g = await generated(args, seed);
    lines.push(...g.lines);
    notes.push(
      `- seed ${seed}: evaluation ${g.lines[0]!.seconds.toFixed(1)} s; \`runPrediction\` (train on all history, predict ${g.docs} open documents, store) ${g.predictSeconds.toFixed(1)} s (PGlite in memory)`,
    );
    process.stderr.write(`seed ${seed} done\n`);
  }
  const sample = await ibm(args);
  if (sample) lines.push(...sample);
  else notes.push(`- IBM AR sample: ${DATASET} is absent: skipped`);
  const text = [
    BEGIN,
    `Command: \`node --import tsx bench/prediction.ts --customers ${args.customers} --seeds ${args.seeds.join(',')} --grace ${args.grace}\` (${new Date().toISOString().slice(0, 10)}).`,
    'Time-ordered split: train on documents due + grace before the cutoff (the issue date three quarters of the way through the documents whose outcome is known), test on documents issued from the cutoff on; each document described by its customer\'s history before its issue date. Baseline: always the training set\'s majority class (log loss and Brier at its rate). Dates: mean absolute error in days of settled − due, over the paid test documents, against "paid on the due date" and "the customer\'s average days late before the invoice".',
    '',
    ...table(lines),
    '',
    ...notes,
    END,
  ].join('\n');
  process.stdout.write(`${text}\n`);
  const old = existsSync(args.write) ? readFileSync(args.write, 'utf8') : '';
  const start = old.indexOf(BEGIN);
  const stop = old.indexOf(END);
  writeFileSync(
    args.write,
    start >= 0 && stop > start
      ? `${old.slice(0, start)}${text}${old.slice(stop + END.length)}`
      : `${old}${old ? '\n\n' : ''}## Payment prediction\n\n${text}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
