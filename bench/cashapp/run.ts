/**
 * The cash-application benchmark, end to end through the CLI:
 *
 *   node --import tsx bench/cashapp/run.ts [--dir bench/out/cashapp] [--regenerate]
 *     [--customers 2000] [--open-invoices 100000] [--payments 10000] [--days 5] [--seed 42]
 *     [--engine pglite|postgres] [--pg postgres://postgres@127.0.0.1:5432/test] [--single-run]
 *     [--skip-remittance] [--keep] [--json]
 *
 * Generates the data set into DIR (or reuses it when its truth has the same parameters), then, on a
 * fresh database (PGlite in a new temporary directory, or a scratch database on the PostgreSQL server,
 * dropped afterwards unless --keep), runs `openar` as a child process for each step, timing each:
 * init, import customers, import invoices, then day by day every bank file (`import bank`: camt.053,
 * BAI2, lockbox, X12 820) and the day's remittance e-mails (`import remittance`) followed by
 * `cashapp run` (with --single-run: all days first, one run at the end); finally `cashapp queue --json`
 * and `export applications --format json`, which are scored against truth.json (score.ts).
 * --skip-remittance leaves the e-mails out (each is a process start while `import remittance` takes
 * one file): their payments are then scored as they stand without their advices.
 * Writes DIR/results-ENGINE/{export,queue,score,timings}.json and prints the timings and the scores.
 * Not a test: the timings depend on the machine and on whatever else runs on it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { oneOf, PG_FLAG, parseFlags } from '../lib/args.js';
import {
  describe,
  GENERATE_FLAGS,
  type GenerateOptions,
  generateBench,
  generateOptionsOf,
} from './generate.js';
import type { ExportRow, Manifest, QueueEntry, Truth } from './model.js';
import { formatReport, type ScoreReport, scoreRun } from './score.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const CLI = join(REPO, 'bin', 'openar.js');

type Engine = 'pglite' | 'postgres';

interface Args {
  generate: GenerateOptions;
  regenerate: boolean;
  engine: Engine;
  pg: string;
  singleRun: boolean;
  skipRemittance: boolean;
  keep: boolean;
  json: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const v = parseFlags(
    argv,
    {
      dir: { type: 'string' },
      regenerate: { type: 'boolean', default: false },
      ...GENERATE_FLAGS,
      engine: { type: 'string', default: 'pglite' },
      pg: PG_FLAG,
      'single-run': { type: 'boolean', default: false },
      'skip-remittance': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    'usage: run.ts [--dir DIR] [--regenerate] [--customers N] [--open-invoices N] [--payments N] [--days N] [--seed N] [--engine pglite|postgres] [--pg URL] [--single-run] [--skip-remittance] [--keep] [--json]',
  );
  return {
    generate: generateOptionsOf(
      v,
      v.dir === undefined ? join(REPO, 'bench', 'out', 'cashapp') : resolve(v.dir),
    ),
    regenerate: v.regenerate,
    engine: oneOf('--engine', v.engine, ['pglite', 'postgres']),
    pg: v.pg,
    singleRun: v['single-run'],
    skipRemittance: v['skip-remittance'],
    keep: v.keep,
    json: v.json,
  };
}

/** Reuses DIR when its truth was generated with the same parameters; generates it otherwise. */
async function ensureData(
  options: GenerateOptions,
  regenerate: boolean,
): Promise<{ truth: Truth; manifest: Manifest }> {
  const manifestPath = join(options.out, 'manifest.json');
  if (!regenerate && existsSync(manifestPath)) {
    const truth = JSON.parse(await readFile(join(options.out, 'truth.json'), 'utf8')) as Truth;
    const p = truth.params;
    if (
      truth.seed === options.seed &&
      p.customers === options.customers &&
      p.open_invoices === options.openInvoices &&
      p.payments === options.payments &&
      p.days === options.days &&
      p.start === options.start
    ) {
      console.error(`reusing the data set in ${options.out}`);
      return { truth, manifest: JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest };
    }
  }
  console.error(`generating the data set into ${options.out} …`);
  const { truth, manifest } = await generateBench(options);
  return { truth, manifest };
}

// ------------------------------------------------------------------------------------------------
// Databases

interface Target {
  url: string;
  dispose(): Promise<void>;
}

async function freshDatabase(engine: Engine, admin: string, keep: boolean): Promise<Target> {
  if (engine === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'openar-cashapp-'));
    const url = join(dir, 'db');
    return { url, dispose: () => (keep ? Promise.resolve() : rm(dir, { recursive: true, force: true })) };
  }
  const name = `openar_cashapp_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async dispose() {
      if (keep) return;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Steps

interface StepResult {
  step: string;
  seconds: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `openar --db URL --user bench ARGS…` as a child process; stdout to a file when asked. */
function cli(url: string, args: readonly string[], stdoutFile?: string): Promise<StepResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, '--db', url, '--user', 'bench', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (stdoutFile) child.stdout.pipe(createWriteStream(stdoutFile));
    else child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolvePromise({ step: args.slice(0, 2).join(' '), seconds, code: code ?? 1, stdout, stderr });
    });
  });
}

/** Whether `import remittance` exists and takes several files at once (one process per file is slow). */
async function remittanceCommand(url: string): Promise<'none' | 'one' | 'many'> {
  const help = await cli(url, ['import', 'remittance', '--help']);
  if (help.code !== 0 || !/Usage: openar import remittance/.test(help.stdout)) return 'none';
  return /import remittance .*\.\.\.[>\]]/.test(help.stdout) ? 'many' : 'one';
}

interface Timing {
  step: string;
  seconds: number;
  detail?: string;
}

async function runBench(args: Args): Promise<void> {
  const dir = args.generate.out;
  const { truth, manifest } = await ensureData(args.generate, args.regenerate);
  console.error(describe(truth));
  const results = join(dir, `results-${args.engine}`);
  await mkdir(results, { recursive: true });
  const target = await freshDatabase(args.engine, args.pg, args.keep);
  const timings: Timing[] = [];
  const runs: unknown[] = [];
  const problems: string[] = [];
  const step = async (label: string, cliArgs: string[], stdoutFile?: string): Promise<StepResult> => {
    const r = await cli(target.url, cliArgs, stdoutFile);
    timings.push({ step: label, seconds: r.seconds });
    // A failed step leaves nothing worth scoring (and every later step would fail the same way).
    if (r.code !== 0)
      throw new Error(`${label}: exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    console.error(`${label}: ${r.seconds.toFixed(1)} s`);
    return r;
  };
  try {
    const file = (path: string) => join(dir, path);
    await step('init', [
      'init',
      '--code',
      manifest.company.code,
      '--name',
      manifest.company.name,
      '--currency',
      manifest.company.currency,
    ]);
    await step('import customers', ['import', 'customers', file(manifest.customers), '--json']);
    await step('import invoices', ['import', 'invoices', file(manifest.invoices), '--json']);
    const emails = manifest.days.some((d) => d.remittance.length > 0);
    const remittance = emails && !args.skipRemittance ? await remittanceCommand(target.url) : 'none';
    if (emails && args.skipRemittance)
      problems.push('--skip-remittance: the remittance e-mails were not imported');
    else if (emails && remittance === 'none')
      problems.push('`import remittance` is not available: the remittance e-mails were not imported');
    const cashappRun = async (label: string) => {
      const r = await step(label, ['cashapp', 'run', '--json']);
      try {
        runs.push(JSON.parse(r.stdout));
      } catch {
        runs.push(r.stdout.trim());
      }
    };
    for (const day of manifest.days) {
      for (const bank of day.bank)
        await step(`day ${day.day + 1} import bank ${bank.split('/').pop()}`, [
          'import',
          'bank',
          file(bank),
          '--json',
        ]);
      if (day.remittance.length > 0 && remittance !== 'none') {
        const files = day.remittance.map(file);
        if (remittance === 'many') {
          await step(`day ${day.day + 1} import remittance (${files.length} e-mails)`, [
            'import',
            'remittance',
            ...files,
          ]);
        } else {
          const started = Date.now();
          for (const f of files) {
            const r = await cli(target.url, ['import', 'remittance', f]);
            if (r.code !== 0)
              problems.push(`import remittance ${f}: exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
          }
          timings.push({
            step: `day ${day.day + 1} import remittance (${files.length} e-mails, one process each)`,
            seconds: (Date.now() - started) / 1000,
          });
        }
      }
      if (!args.singleRun) await cashappRun(`day ${day.day + 1} cashapp run`);
    }
    if (args.singleRun) await cashappRun('cashapp run');
    const queuePath = join(results, 'queue.json');
    const exportPath = join(results, 'export.json');
    await step('cashapp queue', ['cashapp', 'queue', '--json', '--limit', '10000000'], queuePath);
    await step('export applications', ['export', 'applications', '--format', 'json', '--output', exportPath]);
    const report = scoreRun(
      truth,
      JSON.parse(await readFile(exportPath, 'utf8')) as ExportRow[],
      JSON.parse(await readFile(queuePath, 'utf8')) as QueueEntry[],
    );
    await writeFile(join(results, 'score.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(
      join(results, 'timings.json'),
      `${JSON.stringify({ engine: args.engine, timings, runs, problems }, null, 2)}\n`,
    );
    print(args, report, timings, runs, problems);
  } finally {
    await target.dispose();
  }
}

function print(
  args: Args,
  report: ScoreReport,
  timings: Timing[],
  runs: unknown[],
  problems: string[],
): void {
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ engine: args.engine, timings, runs, problems, score: report }, null, 2)}\n`,
    );
    return;
  }
  const total = timings.reduce((s, t) => s + t.seconds, 0);
  const lines = [
    `Engine: ${args.engine}; ${args.singleRun ? 'one cashapp run after all days' : 'one cashapp run per day'}`,
    '',
    '| step | seconds |',
    '|---|---:|',
  ];
  for (const t of timings) lines.push(`| ${t.step} | ${t.seconds.toFixed(1)} |`);
  lines.push(`| total | ${total.toFixed(1)} |`, '');
  if (problems.length > 0) lines.push('Problems:', ...problems.map((p) => `- ${p}`), '');
  process.stdout.write(`${lines.join('\n')}\n${formatReport(report)}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runBench(parseArgs(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
