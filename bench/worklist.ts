/**
 * The worklist benchmark: 100,000 customers, about a million invoices, on PostgreSQL.
 *
 *   node --import tsx bench/worklist.ts [--customers 100000] [--invoices 1000000] [--pg postgres://…/db]
 *     [--repeat 2] [--rebuild] [--drop] [--write FILE]
 *
 * Builds (once; reused while complete) a database `openar_bench_worklist_<customers>_<invoices>` holding
 * one company: customers with a payment habit each (prompt, late, slow, chronic: the day they pay
 * is due date + the habit's lag + noise, decided by hashes), 25 collectors, a credit limit on one
 * customer in five, and two years of invoices ending 2026-06-30, each paid by a receipt and an
 * application on its day unless that day is after the end (or the customer stopped paying), so about
 * a tenth are open. Every day's documents, receipts and applications have a summary journal entry,
 * so the ledger ties out. All of it by SQL (generate_series) in one transaction, then VACUUM ANALYZE.
 *
 * Then it times, `--repeat` times each: `runPrediction` (train on the history, predict every open
 * invoice, store), `buildWorklist` reading that prediction (score, rank, store the run) and
 * `buildWorklist` predicting first (the whole morning). For each: wall time, CPU of this process
 * and of the PostgreSQL backend (from /proc: the server runs on this machine), and the load average
 * before and after (the machine is shared). Target (issue 5): the worklist for 100k customers builds
 * in ≤ 30 s. Not a test: the figures depend on the machine and on whatever else runs on it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { addDays } from '../src/collections/core/dates.js';
import { runPrediction } from '../src/collections/prediction/predict.js';
import { buildWorklist } from '../src/collections/worklist/build.js';
import { type CompanyContext, createCompany, loadCompany } from '../src/ledger/index.js';
import type { SqlClient } from '../src/store/client.js';
import { Database } from '../src/store/database.js';
import { ALL_MIGRATIONS } from '../src/store/migrations.js';
import { PG_FLAG, parseFlags, positive } from './lib/args.js';
import { BENCH_DAY_JOURNAL_LINES, journalLineParams, timedQuery, v7 } from './lib/sql.js';

const LAST_DAY = '2026-06-30';
const DAYS = 730;
const COMPANY = 'bench';
const ACTOR = 'bench';
const BEGIN = '<!-- bench/worklist.ts: begin -->';
const END = '<!-- bench/worklist.ts: end -->';

interface Args {
  customers: number;
  invoices: number;
  pg: string;
  repeat: number;
  rebuild: boolean;
  drop: boolean;
  write: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  const v = parseFlags(
    argv,
    {
      customers: { type: 'string', default: '100_000' },
      invoices: { type: 'string', default: '1_000_000' },
      pg: PG_FLAG,
      repeat: { type: 'string', default: '2' },
      rebuild: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
      write: { type: 'string' },
    },
    'see the comment at the top of bench/worklist.ts',
  );
  return {
    customers: positive('--customers', v.customers),
    invoices: positive('--invoices', v.invoices),
    pg: v.pg,
    repeat: positive('--repeat', v.repeat),
    rebuild: v.rebuild,
    drop: v.drop,
    write: v.write ?? null,
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function build(database: Database, customers: number, invoices: number): Promise<void> {
  const first = addDays(LAST_DAY, -(DAYS - 1));
  await database.transaction(async ({ client }) => {
    const ctx = await createCompany(client, {
      code: COMPANY,
      name: 'Bench Co',
      baseCurrency: 'USD',
      actor: ACTOR,
    });
    const q = timedQuery(client);
    // Habit by a hash of the customer: 35 % prompt, 35 % late, 16 % slow, 14 % chronic; 1 % stopped paying.
    await q(
      'customers',
      `INSERT INTO customer (company_id, customer_id, customer_number, name, currency, terms_days, credit_limit_minor,
         collector, created_by, updated_by)
       SELECT $1, ${v7("'2024-01-01'::date", 'c', 1)}, 'C' || lpad(c::text, 7, '0'), 'Customer ' || c, 'USD',
              30 + 15 * (c % 3), CASE WHEN c % 5 = 0 THEN 500000 + (hashint8(c) & 1048575) * 10 END,
              'collector-' || lpad((c % 25)::text, 2, '0'), $2, $2
         FROM generate_series(1, $3::int8) c`,
      [ctx.companyId, ACTOR, customers],
    );
    await q(
      'plan',
      `CREATE TEMP TABLE bench_doc ON COMMIT DROP AS
       WITH h AS (
         SELECT i, (hashint8(i) & 2147483647)::int8 AS h1, (hashint8(i + 7777777777) & 2147483647)::int8 AS h2,
                (hashint8(i + 5555555555) & 2147483647)::int8 AS h3
           FROM generate_series(1, $1::int8) i),
       d AS (
         SELECT i, h2, h3,
                CASE WHEN i % 2 = 0 THEN 1 + (i / 2) % $2::int8
                     ELSE 1 + floor(((h1 % 1000003) / 1000003.0) ^ 2 * $2::int8)::int8 END AS cust,
                ($3::date + ((i - 1) * $4::int8 / $1::int8)::int4) AS document_date,
                CASE WHEN i % 97 = 0 THEN 'debit_memo' ELSE 'invoice' END AS doc_type,
                floor(1000 * 25000 ^ ((h2 % 100003) / 100003.0))::int8 AS amount
           FROM h),
       c AS (
         SELECT d.*, (30 + 15 * (cust % 3))::int4 AS terms, (hashint8(cust + 99) & 1023)::int4 AS ch FROM d),
       l AS (
         SELECT c.*,
                CASE WHEN ch < 358 THEN -1 WHEN ch < 716 THEN 10 WHEN ch < 880 THEN 21 ELSE 45 END
                  + ((h3 % 13) - 6)::int4
                  + CASE WHEN (h3 / 13) % 25 = 0 THEN 30 ELSE 0 END AS lag,
                ch % 100 = 7 AND document_date > $5::date - 200 AS stopped
           FROM c)
       SELECT i, cust, document_date, document_date + terms AS due_date, doc_type, amount,
              greatest(document_date, document_date + terms + lag) AS paid_on, stopped
         FROM l`,
      [invoices, customers, first, DAYS, LAST_DAY],
    );
    await q('paid', `UPDATE bench_doc SET paid_on = NULL WHERE paid_on > $1::date OR stopped`, [LAST_DAY]);
    await q('analyze plan', 'ANALYZE bench_doc');
    await q(
      'days',
      `CREATE TEMP TABLE bench_day ON COMMIT DROP AS
       SELECT day, kind, sum(a)::int8 AS a,
              ${v7('day', "(day - '2000-01-01'::date) * 4 + CASE kind WHEN 'docs' THEN 1 WHEN 'receipts' THEN 2 ELSE 3 END", 0)} AS entry_id
         FROM (SELECT document_date AS day, 'docs' AS kind, amount AS a FROM bench_doc
               UNION ALL SELECT paid_on, 'receipts', amount FROM bench_doc WHERE paid_on IS NOT NULL
               UNION ALL SELECT paid_on, 'apps', amount FROM bench_doc WHERE paid_on IS NOT NULL) x
        GROUP BY day, kind`,
    );
    await q(
      'journal entries',
      `INSERT INTO journal_entry (company_id, entry_id, posting_date, source_type, memo, line_count, debit_base_minor,
         credit_base_minor, created_by)
       SELECT $1, entry_id, day, 'bench', 'bench ' || kind || ' ' || day, 2, a, a, $2 FROM bench_day`,
      [ctx.companyId, ACTOR],
    );
    await q('journal lines', BENCH_DAY_JOURNAL_LINES, journalLineParams(ctx));
    await q(
      'documents',
      `INSERT INTO document (company_id, document_id, document_number, customer_id, doc_type, document_date, due_date,
         currency, amount_minor, base_amount_minor, open_minor, open_base_minor, entry_id, created_by)
       SELECT $1, ${v7('x.document_date', 'x.i', 2)}, 'D' || lpad(x.i::text, 9, '0'), ${v7("'2024-01-01'::date", 'x.cust', 1)},
              x.doc_type, x.document_date, x.due_date, 'USD', x.amount, x.amount,
              CASE WHEN x.paid_on IS NULL THEN x.amount ELSE 0 END, CASE WHEN x.paid_on IS NULL THEN x.amount ELSE 0 END,
              b.entry_id, $2
         FROM bench_doc x JOIN bench_day b ON b.day = x.document_date AND b.kind = 'docs'`,
      [ctx.companyId, ACTOR],
    );
    await q(
      'receipts',
      `INSERT INTO receipt (company_id, receipt_id, receipt_key, customer_id, receipt_date, method, currency, amount_minor,
         base_amount_minor, unapplied_minor, unapplied_base_minor, entry_id, created_by)
       SELECT $1, ${v7('x.paid_on', 'x.i', 3)}, 'R' || lpad(x.i::text, 9, '0'), ${v7("'2024-01-01'::date", 'x.cust', 1)},
              x.paid_on, 'ach', 'USD', x.amount, x.amount, 0, 0, b.entry_id, $2
         FROM bench_doc x JOIN bench_day b ON b.day = x.paid_on AND b.kind = 'receipts'
        WHERE x.paid_on IS NOT NULL`,
      [ctx.companyId, ACTOR],
    );
    await q(
      'applications',
      `INSERT INTO application (company_id, application_id, kind, receipt_id, document_id, currency, applied_minor,
         cash_minor, document_base_minor, source_base_minor, posting_date, entry_id, origin, created_by)
       SELECT $1::uuid, ${v7('x.paid_on', 'x.i', 4)}, 'payment', ${v7('x.paid_on', 'x.i', 3)}, ${v7('x.document_date', 'x.i', 2)},
              'USD', x.amount, x.amount, x.amount, x.amount, x.paid_on, b.entry_id, 'import', $2::text
         FROM bench_doc x JOIN bench_day b ON b.day = x.paid_on AND b.kind = 'apps'
        WHERE x.paid_on IS NOT NULL`,
      [ctx.companyId, ACTOR],
    );
  });
  const started = performance.now();
  for (const table of ['customer', 'document', 'receipt', 'application', 'journal_entry', 'journal_line'])
    await database.query(`VACUUM ANALYZE ${table}`);
  process.stderr.write(`  vacuum analyze: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** User + system CPU seconds of a process on this machine (clock ticks of 10 ms). */
function processCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface Timing {
  wall: number;
  nodeCpu: number;
  serverCpu: number | null;
  loadBefore: number;
  loadAfter: number;
  note: string;
}

async function timed(database: Database, work: (client: SqlClient) => Promise<string>): Promise<Timing> {
  return database.transaction(async ({ client }) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    const loadBefore = loadavg()[0]!;
    const server0 = processCpuSeconds(pid);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const note = await work(client);
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const server1 = processCpuSeconds(pid);
    return {
      wall,
      nodeCpu: (cpu.user + cpu.system) / 1e6,
      serverCpu: server0 === null || server1 === null ? null : server1 - server0,
      loadBefore,
      loadAfter: loadavg()[0]!,
      note,
    };
  });
}

const f1 = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const name = `openar_bench_worklist_${args.customers}_${args.invoices}`;
  await withAdmin(args.pg, async (c) => {
    const { rows } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0 && args.rebuild) await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
    if (rows.length === 0 || args.rebuild) await c.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(args.pg);
  url.pathname = `/${name}`;
  const database = await Database.open({ target: url.toString(), migrations: ALL_MIGRATIONS });
  try {
    const exists = await database.query('SELECT 1 FROM company WHERE code = $1', [COMPANY]);
    if (exists.length === 0) {
      process.stderr.write(`building ${name}…\n`);
      const t = performance.now();
      await build(database, args.customers, args.invoices);
      process.stderr.write(`built in ${f1((performance.now() - t) / 1000)} s\n`);
    }
    const ctx: CompanyContext = await database.transaction(({ client }) => loadCompany(client, COMPANY));
    const [counts] = await database.query<{ docs: number; open: number; customers: number }>(
      `SELECT (SELECT count(*) FROM document WHERE company_id = $1)::int8 AS docs,
              (SELECT count(*) FROM document WHERE company_id = $1 AND open_minor > 0)::int8 AS open,
              (SELECT count(*) FROM customer WHERE company_id = $1)::int8 AS customers`,
      [ctx.companyId],
    );
    const results: { name: string; t: Timing }[] = [];
    const run = async (label: string, work: (client: SqlClient) => Promise<string>) => {
      for (let i = 0; i < args.repeat; i++) {
        const t = await timed(database, work);
        process.stderr.write(`  ${label}: ${f1(t.wall)} s wall (${t.note})\n`);
        results.push({ name: label, t });
      }
    };
    await run('runPrediction (train + predict + store)', async (client) => {
      const s = await runPrediction(client, ctx, { asOf: LAST_DAY, actor: ACTOR });
      return `${s.training.rows} training rows, ${s.documents} documents of ${s.customers} customers`;
    });
    await run('buildWorklist from the stored prediction', async (client) => {
      const w = await buildWorklist(client, ctx, { asOf: LAST_DAY, actor: ACTOR, predict: 'never' });
      return `${w.rows.length} accounts`;
    });
    await run('buildWorklist predicting first (whole morning)', async (client) => {
      const w = await buildWorklist(client, ctx, { asOf: LAST_DAY, actor: ACTOR, predict: 'always' });
      return `${w.rows.length} accounts`;
    });
    const lines = [
      BEGIN,
      `Command: \`node --import tsx bench/worklist.ts --customers ${args.customers} --invoices ${args.invoices} --repeat ${args.repeat}\``,
      `(${new Date().toISOString().slice(0, 10)}; PostgreSQL, ${cpus().length} cores shared with other work; node ${process.version}).`,
      `Data: ${counts!.customers.toLocaleString('en-US')} customers, ${counts!.docs.toLocaleString('en-US')} documents, ${counts!.open.toLocaleString('en-US')} open on ${LAST_DAY}.`,
      '',
      '| step | wall s | node CPU s | server CPU s | load 1 min before → after | result |',
      '|---|---:|---:|---:|---|---|',
      ...results.map(
        (r) =>
          `| ${r.name} | ${f1(r.t.wall)} | ${f1(r.t.nodeCpu)} | ${r.t.serverCpu === null ? '—' : f1(r.t.serverCpu)} | ${r.t.loadBefore.toFixed(1)} → ${r.t.loadAfter.toFixed(1)} | ${r.t.note} |`,
      ),
      '',
      'Target: the worklist for 100,000 customers builds in ≤ 30 s.',
      END,
    ];
    const text = lines.join('\n');
    process.stdout.write(`${text}\n`);
    if (args.write) {
      const old = existsSync(args.write) ? readFileSync(args.write, 'utf8') : '';
      const start = old.indexOf(BEGIN);
      const end = old.indexOf(END);
      const next =
        start >= 0 && end > start
          ? `${old.slice(0, start)}${text}${old.slice(end + END.length)}`
          : `${old}${old ? '\n\n' : ''}## Worklist speed\n\n${text}\n`;
      writeFileSync(args.write, next);
    }
  } finally {
    await database.close();
    if (args.drop) await withAdmin(args.pg, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
