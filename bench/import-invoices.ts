/**
 * The one-million-invoice import benchmark:
 *
 *   node --import tsx bench/import-invoices.ts [--rows 1000000] [--customers 20000] [--engine pglite|postgres|both]
 *     [--repeat N] [--pg postgres://…/db] [--write-docs] [--cpu-prof] [--generate-only]
 *
 * Generates (deterministically, into bench/out/, reused when already there) a canonical customers CSV and an
 * invoices CSV of `--rows` rows. Then, for each engine and each repeat: a fresh database (PGlite in a new
 * temporary directory, PostgreSQL in a new scratch database on the `--pg` server, dropped afterwards), a
 * company, the customers imported, FX rates for EUR and GBP; then `importFile(…, 'invoices', …)` timed in a
 * child process (bench/import-child.ts) so its peak RSS is its own, then the same file again on the same
 * database (the idempotent re-import: every row unchanged). Baselines: PostgreSQL's own COPY of the same
 * file (FORMAT csv, HEADER) into an unindexed table of text columns, server-side (`COPY … FROM '/path'`)
 * and client-side (pg-copy-streams streaming the file from Node); and PGlite's COPY of it.
 *
 * Prints a markdown table (best and median of the repeats) and a breakdown of where the time went;
 * `--write-docs` also writes the figures into docs/BENCHMARKS.md, between markers inside the section
 * "## Foundation: importing one million invoices" (text outside the markers is kept).
 * Not a test: the figures depend on the machine and on whatever else runs on it.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { importFile } from '../src/imports/index.js';
import { createCompany } from '../src/ledger/index.js';
import { formatMinor } from '../src/money/index.js';
import { Database } from '../src/store/database.js';
import { ALL_MIGRATIONS } from '../src/store/migrations.js';
import type { ChildReport } from './import-child.js';
import { oneOf, PG_FLAG, parseFlags, positive } from './lib/args.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const OUT_DIR = join(REPO, 'bench', 'out');
const DOCS = join(REPO, 'docs', 'BENCHMARKS.md');
const SECTION = '## Foundation: importing one million invoices';
const BEGIN_MARK = '<!-- bench/import-invoices.ts: begin (generated; edit outside the markers) -->';
const END_MARK = '<!-- bench/import-invoices.ts: end -->';
const COMPANY = 'bench';

type Engine = 'pglite' | 'postgres';

const TARGET_ROWS_PER_S: Record<Engine, number> = { pglite: 20_000, postgres: 50_000 };
const MEMORY_TARGET_MIB = 1024;

interface Args {
  rows: number;
  customers: number;
  engines: Engine[];
  repeat: number;
  pg: string;
  writeDocs: boolean;
  cpuProf: boolean;
  generateOnly: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const v = parseFlags(
    argv,
    {
      rows: { type: 'string', default: '1_000_000' },
      customers: { type: 'string', default: '20_000' },
      engine: { type: 'string', default: 'both' },
      repeat: { type: 'string', default: '1' },
      pg: PG_FLAG,
      'write-docs': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'generate-only': { type: 'boolean', default: false },
    },
    'usage: import-invoices.ts [--rows N] [--customers N] [--engine pglite|postgres|both] [--repeat N] [--pg URL] [--write-docs] [--cpu-prof] [--generate-only]',
  );
  const engine = oneOf('--engine', v.engine, ['pglite', 'postgres', 'both']);
  return {
    rows: positive('--rows', v.rows),
    customers: positive('--customers', v.customers),
    engines: engine === 'both' ? ['pglite', 'postgres'] : [engine],
    repeat: positive('--repeat', v.repeat),
    pg: v.pg,
    writeDocs: v['write-docs'],
    cpuProf: v['cpu-prof'],
    generateOnly: v['generate-only'],
  };
}

// ---------------------------------------------------------------- data

/** mulberry32: a small seeded generator, so the files are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

const NAME_A = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Wonka',
  'Hooli',
  'Soylent',
  'Vandelay',
  'Tyrell',
  'Cyberdyne',
  'Aperture',
  'Massive',
  'Dunder',
];
const NAME_B = [
  'Industrial',
  'Logistics',
  'Foods',
  'Systems',
  'Holdings',
  'Retail',
  'Medical',
  'Energy',
  'Partners',
  'Labs',
];
const NAME_C = ['Inc.', 'LLC', 'GmbH', 'Ltd', 'Corp.', 'S.A.', '& Co.'];
const COLLECTORS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const TERMS = [15, 30, 30, 30, 30, 45, 60, 60, 90];
const DESCRIPTIONS = [
  'Widgets',
  'Consulting services',
  'Freight, March',
  'Maintenance contract',
  'Spare parts',
  'Software subscription',
  'Installation, on site',
  'Licence renewal',
  'Support "gold" plan',
  'Training',
];
/** 2025-01-01 to 2026-06-30: 546 posting dates. */
const FIRST_DAY = Date.UTC(2025, 0, 1);
const DAYS = 546;

interface Generated {
  customersPath: string;
  invoicesPath: string;
  invoiceBytes: number;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp);
  let buffer = '';
  for (const line of lines) {
    buffer += line;
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  renameSync(tmp, path);
}

function customerCurrency(i: number): string {
  // Fixed by the customer number, so the invoices generator knows it without a table.
  const r = (Math.imul(i, 2654435761) >>> 0) % 100;
  return r < 90 ? 'USD' : r < 96 ? 'EUR' : 'GBP';
}

function* customerLines(count: number): Generator<string> {
  const rnd = random(1);
  yield 'customer_id,name,parent_id,currency,terms_days,discount_percent,discount_days,credit_limit,email,phone,collector,bank_accounts\n';
  for (let i = 1; i <= count; i++) {
    const id = `C${pad(i, 6)}`;
    const name = `${pick(rnd, NAME_A)} ${pick(rnd, NAME_B)} ${i} ${pick(rnd, NAME_C)}`;
    // Parents only among the first 500, which have none themselves: a two-level hierarchy, no cycles.
    const parent = i > 500 && rnd() < 0.05 ? `C${pad(1 + Math.floor(rnd() * 500), 6)}` : '';
    const discount = rnd() < 0.1;
    const creditLimit = rnd() < 0.7 ? formatMinor((1 + Math.floor(rnd() * 500)) * 100_000, 2) : '';
    const email = rnd() < 0.8 ? `ap@customer${i}.example` : '';
    const phone = rnd() < 0.5 ? `+1 555 ${pad(i % 10_000, 4)}` : '';
    const account = rnd() < 0.5 ? `US${pad(i, 10)}` : '';
    yield `${[
      id,
      csvField(name),
      parent,
      customerCurrency(i),
      String(pick(rnd, TERMS)),
      discount ? '2' : '',
      discount ? '10' : '',
      creditLimit,
      email,
      phone,
      pick(rnd, COLLECTORS),
      account,
    ].join(',')}\n`;
  }
}

function* invoiceLines(rows: number, customers: number): Generator<string> {
  const rnd = random(2);
  yield 'invoice_number,customer_id,type,invoice_date,due_date,amount,currency,po_number,description\n';
  for (let i = 1; i <= rows; i++) {
    // Skewed: a few customers get most invoices, as in real ledgers.
    const c = 1 + Math.floor(rnd() ** 2 * customers);
    const t = rnd();
    const type = t < 0.93 ? 'invoice' : t < 0.98 ? 'credit_memo' : 'debit_memo';
    const number = `${type === 'credit_memo' ? 'CM' : type === 'debit_memo' ? 'DM' : 'INV'}-${pad(i, 8)}`;
    const day = Math.floor(rnd() * DAYS);
    const date = new Date(FIRST_DAY + day * 86_400_000).toISOString().slice(0, 10);
    const due =
      rnd() < 0.4
        ? new Date(FIRST_DAY + (day + pick(rnd, [30, 45, 60])) * 86_400_000).toISOString().slice(0, 10)
        : '';
    // Integer cents, log-uniform from 10.00 to 250,000.00, formatted exactly: never a float.
    const cents = Math.floor(1000 * 25_000 ** rnd());
    const currency = customerCurrency(c);
    const po = rnd() < 0.7 ? `PO-${pad(Math.floor(rnd() * 1_000_000), 6)}` : '';
    const description = rnd() < 0.9 ? pick(rnd, DESCRIPTIONS) : '';
    yield `${[
      number,
      `C${pad(c, 6)}`,
      type,
      date,
      due,
      formatMinor(cents, 2),
      rnd() < 0.2 ? '' : currency,
      po,
      csvField(description),
    ].join(',')}\n`;
  }
}

async function generate(args: Args): Promise<Generated> {
  mkdirSync(OUT_DIR, { recursive: true });
  const customersPath = join(OUT_DIR, `customers-${args.customers}.csv`);
  const invoicesPath = join(OUT_DIR, `invoices-${args.rows}-c${args.customers}.csv`);
  if (!existsSync(customersPath)) await writeLines(customersPath, customerLines(args.customers));
  if (!existsSync(invoicesPath)) {
    const started = performance.now();
    process.stderr.write(`generating ${invoicesPath}… `);
    await writeLines(invoicesPath, invoiceLines(args.rows, args.customers));
    process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return { customersPath, invoicesPath, invoiceBytes: statSync(invoicesPath).size };
}

// ---------------------------------------------------------------- databases

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface Scratch {
  target: string;
  dispose(): Promise<void>;
}

async function scratchDatabase(engine: Engine, args: Args): Promise<Scratch> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'openar-bench-'));
    return { target: dir, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `openar_bench_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  await withAdmin(args.pg, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(args.pg);
  url.pathname = `/${name}`;
  return {
    target: url.toString(),
    dispose: () =>
      withAdmin(args.pg, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** A company with the customers imported and daily EUR and GBP rates over the invoices' dates. */
async function setUp(target: string, data: Generated): Promise<number> {
  const database = await Database.open({ target, migrations: ALL_MIGRATIONS });
  try {
    const ctx = await database.transaction(async ({ client }) => {
      const company = await createCompany(client, {
        code: COMPANY,
        name: 'Bench Co',
        baseCurrency: 'USD',
        actor: 'bench',
      });
      await client.query(
        `INSERT INTO fx_rate (company_id, currency, rate_date, rate)
         SELECT $1, c.code, d::date, round((c.base + 0.03 * sin(extract(epoch FROM d) / 864000.0))::numeric, 6)
           FROM (VALUES ('EUR', 1.08), ('GBP', 1.27)) AS c(code, base)
          CROSS JOIN generate_series('2024-12-01'::date, '2026-08-31'::date, interval '1 day') AS d`,
        [company.companyId],
      );
      return company;
    });
    const started = performance.now();
    const summary = await importFile(database, ctx, 'customers', {
      path: data.customersPath,
      actor: 'bench',
    });
    if (summary.inserted === 0) throw new Error('no customers imported');
    return (performance.now() - started) / 1000;
  } finally {
    await database.close();
  }
}

async function countDocuments(target: string): Promise<{ documents: number; entries: number }> {
  const database = await Database.open({ target, migrations: ALL_MIGRATIONS });
  try {
    const rows = await database.query<{ documents: number; entries: number }>(
      'SELECT (SELECT count(*) FROM document)::int8 AS documents, (SELECT count(*) FROM journal_entry)::int8 AS entries',
    );
    return rows[0]!;
  } finally {
    await database.close();
  }
}

function runChild(childArgs: string[], cpuProf: boolean): Promise<ChildReport> {
  const node = ['--import', 'tsx', '--expose-gc'];
  if (cpuProf) node.push('--cpu-prof', '--cpu-prof-dir', join(OUT_DIR, 'prof'));
  return new Promise((resolveChild, reject) => {
    const child = spawn(process.execPath, [...node, join(HERE, 'import-child.ts'), ...childArgs], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const report = JSON.parse(last) as ChildReport;
        if (report.error) reject(new Error(`child failed: ${report.error}`));
        else resolveChild(report);
      } catch {
        reject(new Error(`child exited with ${code} without a report: ${stdout.slice(-500)}`));
      }
    });
  });
}

const COPY_TABLE = `CREATE TABLE bare_invoice (invoice_number text, customer_id text, type text, invoice_date text,
  due_date text, amount text, currency text, po_number text, description text)`;

/** PostgreSQL's own COPY into an unindexed text table: server-side from the path, and streamed from Node. */
async function postgresCopy(
  target: string,
  path: string,
): Promise<{ serverS: number; clientS: number; rows: number }> {
  return withAdmin(target, async (client) => {
    await client.query(COPY_TABLE);
    let started = performance.now();
    const server = await client.query(
      `COPY bare_invoice FROM '${path.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER)`,
    );
    const serverS = (performance.now() - started) / 1000;
    await client.query('DROP TABLE bare_invoice');
    await client.query(COPY_TABLE);
    started = performance.now();
    const stream = client.query(copyFrom('COPY bare_invoice FROM STDIN WITH (FORMAT csv, HEADER)'));
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), stream);
    const clientS = (performance.now() - started) / 1000;
    await client.query('DROP TABLE bare_invoice');
    return { serverS, clientS, rows: server.rowCount ?? 0 };
  });
}

// ---------------------------------------------------------------- runs

interface Measured {
  engine: Engine;
  what: 'import' | 're-import' | 'COPY (server-side)' | 'COPY (client-side stream)' | 'COPY (PGlite)';
  rows: number;
  seconds: number[];
  peakRssMiB: number[];
  backendPeakRssMiB: number[];
  reports: ChildReport[];
}

function record(all: Measured[], engine: Engine, what: Measured['what'], rows: number): Measured {
  let m = all.find((x) => x.engine === engine && x.what === what);
  if (!m) {
    m = { engine, what, rows, seconds: [], peakRssMiB: [], backendPeakRssMiB: [], reports: [] };
    all.push(m);
  }
  return m;
}

function addReport(m: Measured, report: ChildReport) {
  m.seconds.push(report.seconds);
  m.peakRssMiB.push(report.peakRssMiB);
  if (report.backendPeakRssMiB !== null) m.backendPeakRssMiB.push(report.backendPeakRssMiB);
  m.reports.push(report);
}

async function benchEngine(engine: Engine, args: Args, data: Generated, all: Measured[], notes: string[]) {
  for (let round = 1; round <= args.repeat; round++) {
    const scratch = await scratchDatabase(engine, args);
    try {
      process.stderr.write(`${engine} #${round}: set-up… `);
      const customersS = await setUp(scratch.target, data);
      if (round === 1)
        notes.push(
          `${engine}: ${args.customers} customers imported in ${customersS.toFixed(1)} s (set-up, not timed below)`,
        );
      process.stderr.write('import… ');
      const childArgs = [
        'import',
        '--target',
        scratch.target,
        '--company',
        COMPANY,
        '--file',
        data.invoicesPath,
      ];
      const first = await runChild(childArgs, args.cpuProf);
      if (first.summary?.inserted !== args.rows)
        throw new Error(`import inserted ${first.summary?.inserted}, expected ${args.rows}`);
      addReport(record(all, engine, 'import', args.rows), first);
      process.stderr.write(`${first.seconds.toFixed(1)} s; re-import… `);
      const again = await runChild(childArgs, args.cpuProf);
      if (again.summary?.unchanged !== args.rows)
        throw new Error(`re-import left ${again.summary?.unchanged} unchanged, expected ${args.rows}`);
      addReport(record(all, engine, 're-import', args.rows), again);
      process.stderr.write(`${again.seconds.toFixed(1)} s; `);
      const counts = await countDocuments(scratch.target);
      if (counts.documents !== args.rows)
        throw new Error(`${counts.documents} documents after the imports, expected ${args.rows}`);
      if (round === 1)
        notes.push(`${engine}: ${counts.entries} summary journal entries for ${counts.documents} documents`);
      if (engine === 'postgres') {
        process.stderr.write('bare COPY… ');
        const copy = await postgresCopy(scratch.target, data.invoicesPath);
        const none = { backendPeakRssMiB: null } as const;
        addReport(record(all, engine, 'COPY (server-side)', copy.rows), {
          ...emptyReport(copy.serverS),
          ...none,
        });
        addReport(record(all, engine, 'COPY (client-side stream)', copy.rows), {
          ...emptyReport(copy.clientS),
          ...none,
        });
      } else {
        process.stderr.write('bare COPY… ');
        const copy = await runChild(['pglite-copy', '--file', data.invoicesPath], false);
        addReport(record(all, engine, 'COPY (PGlite)', copy.rows), copy);
      }
      process.stderr.write('done\n');
    } finally {
      await scratch.dispose();
    }
  }
}

function emptyReport(seconds: number): ChildReport {
  return {
    mode: 'import',
    seconds,
    cpuSeconds: Number.NaN,
    rows: 0,
    summary: null,
    peakRssMiB: Number.NaN,
    startRssMiB: Number.NaN,
    peakHeapMiB: Number.NaN,
    backendPeakRssMiB: null,
    backendCpuSeconds: null,
    loadBefore: loadavg()[0]!,
    loadAfter: loadavg()[0]!,
    phases: null,
    statements: [],
    error: null,
  };
}

// ---------------------------------------------------------------- report

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const thousands = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—';

function bestMedian(
  values: readonly number[],
  format: (v: number) => string,
  higherIsBetter: boolean,
): string {
  if (values.length === 0) return '—';
  const best = higherIsBetter ? Math.max(...values) : Math.min(...values);
  return values.length === 1 ? format(best) : `${format(best)} / ${format(median(values))}`;
}

function renderTable(all: readonly Measured[]): string {
  const serverCopy = all.find((m) => m.what === 'COPY (server-side)');
  const copyRate = serverCopy ? serverCopy.rows / median(serverCopy.seconds) : null;
  const lines = [
    '| engine | run | rows | seconds | rows/s | peak RSS MiB | target | met? |',
    '|---|---|---:|---:|---:|---:|---|---|',
  ];
  for (const m of all) {
    const rates = m.seconds.map((s) => m.rows / s);
    const rss = m.peakRssMiB.filter(Number.isFinite);
    const rssCell = rss.length === 0 ? '—' : fixed(Math.max(...rss));
    const backend =
      m.backendPeakRssMiB.length === 0 ? '' : ` (+ server ${fixed(Math.max(...m.backendPeakRssMiB))})`;
    let target = '—';
    let met = '';
    if (m.what === 'import' || m.what === 're-import') {
      const speed = TARGET_ROWS_PER_S[m.engine];
      const rate = median(rates);
      const needCopy = m.engine === 'postgres' && copyRate !== null ? copyRate / 2 : 0;
      target = `≥ ${thousands(speed)} rows/s${needCopy > 0 ? ` and ≥ ½ COPY (${thousands(needCopy)})` : ''}, < 1 GiB`;
      const ok = rate >= speed && rate >= needCopy && Math.max(...rss) < MEMORY_TARGET_MIB;
      met = ok ? 'yes' : 'no';
    }
    lines.push(
      `| ${m.engine} | ${m.what} | ${thousands(m.rows)} | ${bestMedian(m.seconds, (v) => fixed(v, 1), false)} | ${bestMedian(rates, thousands, true)} | ${rssCell}${backend} | ${target} | ${met} |`,
    );
  }
  return lines.join('\n');
}

/** Where the time went, per engine and run, from the median run by wall time (of two, the faster). */
function renderBreakdown(all: readonly Measured[]): string {
  const out: string[] = [];
  for (const m of all) {
    const withPhases = m.reports.filter((r) => r.phases !== null);
    if (withPhases.length === 0) continue;
    const sorted = [...withPhases].sort((a, b) => a.seconds - b.seconds);
    const r = sorted[(sorted.length - 1) >> 1]!;
    const p = r.phases!;
    const readJs = p.readS - p.readSqlS;
    const server =
      r.backendCpuSeconds === null ? '' : `, ${fixed(r.backendCpuSeconds, 1)} s CPU in the server backend`;
    out.push(
      `- ${m.engine} ${m.what} (${fixed(r.seconds, 1)} s wall, ${fixed(r.cpuSeconds, 1)} s CPU in node${server}; ` +
        `load average ${fixed(r.loadBefore, 1)} → ${fixed(r.loadAfter, 1)}; RSS ${fixed(r.startRssMiB)} MiB before, ` +
        `peak ${fixed(r.peakRssMiB)} MiB, peak JS heap ${fixed(r.peakHeapMiB)} MiB): ` +
        `hash file ${fixed(p.hashS, 1)} s; read phase ${fixed(p.readS, 1)} s, in which statements ran for ` +
        `${fixed(p.readSqlS, 1)} s (COPY ${fixed(p.copyS, 1)} s, other SQL ${fixed(p.readSqlS - p.copyS, 1)} s) and node ` +
        `was not waiting on one for ${fixed(readJs, 1)} s (statements run while node parses the next batch); ` +
        `after reading ${fixed(p.afterReadS, 1)} s (SQL ${fixed(p.afterReadSqlS, 1)} s).`,
    );
    const afterRead = r.statements.filter((s) => !s.sql.startsWith('COPY ') && s.ms >= 100).slice(0, 10);
    for (const s of afterRead)
      out.push(`    - ${fixed(s.ms / 1000, 2)} s${s.calls > 1 ? ` (${s.calls}×)` : ''}: \`${s.sql}\``);
  }
  return out.join('\n');
}

function machine(args: Args, pgVersion: string | null): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return (
    `${cpus().length} cores (${cpu}), ${fixed(totalmem() / 1024 ** 3, 0)} GiB RAM, node ${process.version}` +
    `${pgVersion ? `, ${pgVersion}` : ''}, PGlite ${pgliteVersion()}; ${args.customers.toLocaleString('en-US')} customers`
  );
}

/** The commit measured, marked when the work tree had uncommitted changes to src/. */
function revision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim();
    return dirty === '' ? head : `${head} + uncommitted changes in src/`;
  } catch {
    return 'unknown';
  }
}

function pgliteVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(join(REPO, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
    ) as { version: string };
    return pkg.version;
  } catch {
    return '?';
  }
}

function writeDocs(block: string): void {
  const body = `${BEGIN_MARK}\n${block.trim()}\n${END_MARK}`;
  let text = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : '# Benchmarks\n';
  const at = text.indexOf(SECTION);
  if (at < 0) {
    text = `${text.trimEnd()}\n\n${SECTION}\n\n${body}\n`;
  } else {
    const begin = text.indexOf(BEGIN_MARK, at);
    const nextSection = text.indexOf('\n## ', at + SECTION.length);
    const sectionEnd = nextSection < 0 ? text.length : nextSection;
    const end = text.indexOf(END_MARK, at);
    if (begin >= 0 && begin < sectionEnd && end > begin) {
      text = `${text.slice(0, begin)}${body}${text.slice(end + END_MARK.length)}`;
    } else {
      text = `${text.slice(0, sectionEnd).trimEnd()}\n\n${body}\n${text.slice(sectionEnd)}`;
    }
  }
  writeFileSync(DOCS, text);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const data = await generate(args);
  if (args.generateOnly) {
    console.log(`${data.customersPath}\n${data.invoicesPath} (${fixed(data.invoiceBytes / 1e6, 1)} MB)`);
    return;
  }
  let pgVersion: string | null = null;
  if (args.engines.includes('postgres')) {
    pgVersion = await withAdmin(args.pg, async (c) => {
      const { rows } = await c.query<{ v: string }>(
        "SELECT 'PostgreSQL ' || current_setting('server_version') AS v",
      );
      return rows[0]!.v;
    });
  }
  const all: Measured[] = [];
  const notes: string[] = [];
  for (const engine of args.engines) await benchEngine(engine, args, data, all, notes);

  const command = `node --import tsx bench/import-invoices.ts ${process.argv.slice(2).join(' ')}`.trim();
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const block = [
    `Measured ${date} UTC on ${machine(args, pgVersion)}; openar ${revision()}.`,
    `Command: \`${command}\` (${args.repeat} run${args.repeat === 1 ? '' : 's'} per engine, each on a fresh database;` +
      ` ${args.repeat > 1 ? 'cells with two figures are best / median; targets are judged on the median' : 'one figure per cell'}).`,
    `File: ${thousands(args.rows)} invoice rows, ${fixed(data.invoiceBytes / 1e6, 1)} MB` +
      ` (\`invoice_number,customer_id,type,invoice_date,due_date,amount,currency,po_number,description\`).`,
    '',
    renderTable(all),
    '',
    `Where the time went (${args.repeat > 1 ? 'median run; of two, the faster' : 'the run'}; wall time of each statement as the import saw it):`,
    '',
    renderBreakdown(all),
    '',
    ...notes.map((n) => `- ${n}`),
  ].join('\n');
  console.log(`\n${block}\n`);
  if (args.writeDocs) {
    writeDocs(block);
    console.log(`written to ${DOCS}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
