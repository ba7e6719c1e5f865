/**
 * Cash-application speed: `--payments` receipts against `--invoices` open invoices of `--customers`
 * customers, matched and posted by one `cashapp run`.
 *
 *   node --import tsx bench/cashapp-speed/run.ts [--invoices 1000000] [--customers 20000] [--payments 100000]
 *     [--engine postgres|pglite] [--pg postgres://postgres@127.0.0.1:5432/test] [--template NAME]
 *
 * Set-up (not timed as part of the target): a fresh database, a company, customers and invoices
 * through the real CSV import, receipts through the ledger's bulk receipt path, with remittance
 * noise (exact, no prefix, one typo, amount only, combined). Then `runCashapp` is timed and its own
 * phase timings printed: load (queries + in-memory indexes), match (the pure matcher), post.
 * `--template NAME` (PostgreSQL only, for repeated measurements): the set-up is done once into a
 * database NAME that is kept, and each run clones it (CREATE DATABASE … TEMPLATE), skipping the import;
 * drop NAME when done. Without it every run builds its own database from scratch.
 * Not a test: figures depend on the machine and on whatever else runs on it.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { runCashapp } from '../../src/cashapp/run.js';
import { importFile } from '../../src/imports/index.js';
import {
  type BulkReceipt,
  type CompanyContext,
  createCompany,
  loadCompany,
  recordReceiptsBulk,
} from '../../src/ledger/index.js';
import { formatMinor } from '../../src/money/index.js';
import { Database } from '../../src/store/database.js';
import { ALL_MIGRATIONS } from '../../src/store/migrations.js';

const args = parse(process.argv.slice(2));

function parse(argv: string[]) {
  const get = (name: string, fallback: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1]! : fallback;
  };
  return {
    invoices: Number(get('invoices', '1000000')),
    customers: Number(get('customers', '20000')),
    payments: Number(get('payments', '100000')),
    engine: get('engine', 'postgres') as 'postgres' | 'pglite',
    pg: get('pg', 'postgres://postgres@127.0.0.1:5432/test'),
    template: get('template', ''),
    traceSql: argv.includes('--trace-sql'),
  };
}

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

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const invoiceNumber = (i: number) => `INV-2026-${pad(i, 7)}`;
const customerOf = (i: number) => i % args.customers;
const amountOf = (i: number) => 1000 + ((Math.imul(i + 1, 2654435761) >>> 0) % 2_500_000);

function writeFiles(dir: string) {
  const customers = ['customer_id,name,currency,bank_accounts'];
  for (let c = 0; c < args.customers; c++)
    customers.push(`C${pad(c, 6)},Bench Customer ${c} Industries Inc,USD,US${pad(c, 12)}`);
  writeAtomically(join(dir, 'customers.csv'), `${customers.join('\n')}\n`);
  const lines = ['invoice_number,customer_id,type,invoice_date,due_date,amount,currency'];
  for (let i = 0; i < args.invoices; i++) {
    const day = 1 + (i % 28);
    lines.push(
      `${invoiceNumber(i)},C${pad(customerOf(i), 6)},invoice,2026-09-${pad(day, 2)},2026-10-${pad(day, 2)},${formatMinor(amountOf(i), 2)},USD`,
    );
  }
  writeAtomically(join(dir, 'invoices.csv'), `${lines.join('\n')}\n`);
}

/** Another run of the bench may be reading the file: it sees the old one or the new one, whole. */
function writeAtomically(path: string, text: string) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Receipt k pays invoices of customer k mod N, never one another receipt pays. */
function receipts(): BulkReceipt[] {
  const rnd = random(7);
  const perCustomer = Math.floor(args.invoices / args.customers);
  const out: BulkReceipt[] = [];
  for (let k = 0; k < args.payments; k++) {
    const c = k % args.customers;
    const round = Math.floor(k / args.customers);
    const slot = round * 3;
    const r = rnd();
    const count = r < 0.05 ? 2 + Math.floor(rnd() * 2) : 1;
    const invoices = Array.from({ length: count }, (_, j) => c + (slot + j) * args.customers).filter(
      (i) => i < args.invoices && slot + count <= perCustomer,
    );
    if (invoices.length === 0) continue;
    const amount = invoices.reduce((s, i) => s + amountOf(i), 0);
    const scenario = rnd();
    const refs = invoices.map((i) => {
      const n = invoiceNumber(i);
      if (scenario < 0.7) return n;
      if (scenario < 0.8) return n.slice(4).replace(/-0+/, '-');
      if (scenario < 0.85) return n.slice(0, -2) + n.at(-1) + n.at(-2);
      return '';
    });
    const known = rnd() < 0.8;
    out.push({
      receiptId: uuidv7(),
      receiptKey: `bench-${k}`,
      customerId: null,
      receiptDate: '2026-10-20',
      method: 'ach',
      currency: 'USD',
      amountMinor: amount,
      payerName: known ? `BENCH CUSTOMER ${c} INDUSTRIES` : `Bench Customer ${c} Industries Incorporated`,
      payerAccount: known ? `US${pad(c, 12)}` : null,
      reference: `E2E-${k}`,
      remittanceText: refs.join(' ').trim() ? `PAYMENT ${refs.join(' ')}` : null,
    });
  }
  return out;
}

/** User + system CPU seconds of a local process (the PostgreSQL server runs on this machine). */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds so far of every server backend connected to the scratch database (none on PGlite). */
async function serverCpu(name: string | null): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (name === null) return out;
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
    name,
  ]);
  await admin.end();
  for (const r of rows) out.set(r.pid, processCpuSeconds(r.pid));
  return out;
}

/** --trace-sql: every statement of the run timed (wall ms, by its first words), printed to stderr at the end. */
function traceSql(database: Database): () => void {
  const totals = new Map<string, { ms: number; count: number }>();
  const original = database.transaction.bind(database);
  database.transaction = (work) =>
    original((tx) => {
      const client = tx.client;
      const timed = {
        ...client,
        async query(text: string, params?: readonly unknown[]) {
          const t0 = performance.now();
          try {
            return await client.query(text, params);
          } finally {
            const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
            const entry = totals.get(key) ?? { ms: 0, count: 0 };
            entry.ms += performance.now() - t0;
            entry.count++;
            totals.set(key, entry);
          }
        },
      } as typeof client;
      return work({ ...tx, client: timed });
    });
  return () => {
    for (const [key, { ms, count }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
      process.stderr.write(`${(ms / 1000).toFixed(2).padStart(8)} s ${String(count).padStart(5)}× ${key}\n`);
  };
}

async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  try {
    return await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const urlOf = (name: string) => {
  const url = new URL(args.pg);
  url.pathname = `/${name}`;
  return url.toString();
};

/** The set-up (customers, invoices, receipts) into `database`: returns the company and the receipt count. */
async function setUp(database: Database, dir: string) {
  const ctx = await database.transaction(({ client }) =>
    createCompany(client, { code: 'bench', name: 'Bench', baseCurrency: 'USD', actor: 'bench' }),
  );
  const t = performance.now();
  await importFile(database, ctx, 'customers', { path: join(dir, 'customers.csv'), actor: 'bench' });
  await importFile(database, ctx, 'invoices', { path: join(dir, 'invoices.csv'), actor: 'bench' });
  const setupSeconds = (performance.now() - t) / 1000;
  const list = receipts();
  await database.transaction(({ client }) =>
    recordReceiptsBulk(client, ctx, list, 'bench', 'bench receipts'),
  );
  return { ctx, payments: list.length, setupSeconds };
}

/** With --template: the database to run in, cloned from a kept set-up (built on first use). */
async function fromTemplate(
  dir: string,
): Promise<{ ctx: CompanyContext; payments: number; setupSeconds: number }> {
  const name = args.template;
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`--template ${name}: lower-case letters, digits and _ only`);
  const { rows } = await adminQuery(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (rows.length > 0) return { ctx: null as unknown as CompanyContext, payments: -1, setupSeconds: 0 };
  await adminQuery(`CREATE DATABASE ${name}`);
  const database = await Database.open({ target: urlOf(name), migrations: ALL_MIGRATIONS });
  try {
    return await setUp(database, dir);
  } finally {
    await database.close();
  }
}

async function scratch(): Promise<{ target: string; name: string | null; dispose: () => Promise<void> }> {
  if (args.engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'openar-cashapp-'));
    return { target: dir, name: null, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `openar_wt_cash_speed_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${args.template ? ` TEMPLATE ${args.template}` : ''}`);
  await admin.end();
  return {
    target: urlOf(name),
    name,
    dispose: async () => {
      const c = new pg.Client({ connectionString: args.pg });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function main() {
  const dir = join('bench', 'out', `cashapp-speed-${args.invoices}-${args.customers}`);
  mkdirSync(dir, { recursive: true });
  writeFiles(dir);
  if (args.template && args.engine !== 'postgres') throw new Error('--template is for PostgreSQL only');
  const prepared = args.template ? await fromTemplate(dir) : null;
  const db = await scratch();
  const database = await Database.open({ target: db.target, migrations: ALL_MIGRATIONS });
  try {
    const { ctx, payments, setupSeconds } =
      prepared === null
        ? await setUp(database, dir)
        : {
            ctx: await database.transaction(({ client }) => loadCompany(client, 'bench')),
            payments: Number(
              (await database.query<{ n: string }>('SELECT count(*)::text AS n FROM receipt'))[0]!.n,
            ),
            setupSeconds: prepared.setupSeconds,
          };
    const report = args.traceSql ? traceSql(database) : null;
    const loadBefore = loadavg();
    // Backends connect lazily; one that appears during the run counts from zero.
    const server0 = await serverCpu(db.name);
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const summary = await runCashapp(database, ctx, { actor: 'bench', postingDate: '2026-10-21' });
    const runSeconds = (performance.now() - t) / 1000;
    report?.();
    const cpu = process.cpuUsage(cpu0);
    const server1 = await serverCpu(db.name);
    let serverSeconds = 0;
    for (const [pid, seconds] of server1) serverSeconds += seconds - (server0.get(pid) ?? 0);
    const result = {
      date: new Date().toISOString(),
      engine: args.engine,
      machine: `${cpus().length} × ${cpus()[0]?.model}`,
      loadAverageBefore: loadBefore.map((l) => Number(l.toFixed(1))),
      loadAverageAfter: loadavg().map((l) => Number(l.toFixed(1))),
      invoices: args.invoices,
      customers: args.customers,
      payments,
      setupSeconds: Number(setupSeconds.toFixed(1)),
      runSeconds: Number(runSeconds.toFixed(1)),
      loadSeconds: summary.millis.load / 1000,
      matchSeconds: summary.millis.match / 1000,
      postSeconds: summary.millis.post / 1000,
      matchPaymentsPerSecond: Math.round(payments / (summary.millis.match / 1000)),
      nodeCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
      nodeCpuSecondsByPhase: {
        load: summary.cpuMillis.load / 1000,
        match: summary.cpuMillis.match / 1000,
        post: summary.cpuMillis.post / 1000,
      },
      matchPaymentsPerCpuSecond: Math.round(payments / (summary.cpuMillis.match / 1000)),
      serverCpuSeconds: db.name === null ? null : Number(serverSeconds.toFixed(1)),
      auto: summary.auto,
      proposed: summary.proposed,
      unapplied: summary.unapplied,
      applications: summary.applications,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await database.close();
    await db.dispose();
  }
}

await main();
