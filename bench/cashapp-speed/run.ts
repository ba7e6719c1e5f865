/**
 * Cash-application speed: `--payments` receipts against `--invoices` open invoices of `--customers`
 * customers, matched and posted by one `cashapp run`.
 *
 *   node --import tsx bench/cashapp-speed/run.ts [--invoices 1000000] [--customers 20000] [--payments 100000]
 *     [--engine postgres|pglite] [--pg postgres://postgres@127.0.0.1:5432/test]
 *
 * Set-up (not timed as part of the target): a fresh database, a company, customers and invoices
 * through the real CSV import, receipts through the ledger's bulk receipt path, with remittance
 * noise (exact, no prefix, one typo, amount only, combined). Then `runCashapp` is timed and its own
 * phase timings printed: load (queries + in-memory indexes), match (the pure matcher), post.
 * Not a test: figures depend on the machine and on whatever else runs on it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { runCashapp } from '../../src/cashapp/run.js';
import { importFile } from '../../src/imports/index.js';
import { type BulkReceipt, createCompany, recordReceiptsBulk } from '../../src/ledger/index.js';
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
  writeFileSync(join(dir, 'customers.csv'), `${customers.join('\n')}\n`);
  const lines = ['invoice_number,customer_id,type,invoice_date,due_date,amount,currency'];
  for (let i = 0; i < args.invoices; i++) {
    const day = 1 + (i % 28);
    lines.push(
      `${invoiceNumber(i)},C${pad(customerOf(i), 6)},invoice,2026-09-${pad(day, 2)},2026-10-${pad(day, 2)},${formatMinor(amountOf(i), 2)},USD`,
    );
  }
  writeFileSync(join(dir, 'invoices.csv'), `${lines.join('\n')}\n`);
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

async function scratch(): Promise<{ target: string; dispose: () => Promise<void> }> {
  if (args.engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'openar-cashapp-'));
    return { target: dir, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `openar_cashapp_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(args.pg);
  url.pathname = `/${name}`;
  return {
    target: url.toString(),
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
  const db = await scratch();
  const database = await Database.open({ target: db.target, migrations: ALL_MIGRATIONS });
  try {
    const ctx = await database.transaction(({ client }) =>
      createCompany(client, { code: 'bench', name: 'Bench', baseCurrency: 'USD', actor: 'bench' }),
    );
    let t = performance.now();
    await importFile(database, ctx, 'customers', { path: join(dir, 'customers.csv'), actor: 'bench' });
    await importFile(database, ctx, 'invoices', { path: join(dir, 'invoices.csv'), actor: 'bench' });
    const setupSeconds = (performance.now() - t) / 1000;
    const list = receipts();
    await database.transaction(({ client }) =>
      recordReceiptsBulk(client, ctx, list, 'bench', 'bench receipts'),
    );
    t = performance.now();
    const summary = await runCashapp(database, ctx, { actor: 'bench', postingDate: '2026-10-21' });
    const runSeconds = (performance.now() - t) / 1000;
    const result = {
      date: new Date().toISOString(),
      engine: args.engine,
      machine: `${cpus().length} × ${cpus()[0]?.model}, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      invoices: args.invoices,
      customers: args.customers,
      payments: list.length,
      setupSeconds: Number(setupSeconds.toFixed(1)),
      runSeconds: Number(runSeconds.toFixed(1)),
      loadSeconds: summary.millis.load / 1000,
      matchSeconds: summary.millis.match / 1000,
      postSeconds: summary.millis.post / 1000,
      matchPaymentsPerSecond: Math.round(list.length / (summary.millis.match / 1000)),
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
