/**
 * Micro-benchmark of set-based cash application postings:
 *
 *   node --import tsx bench/ledger-bulk.ts [--items 100000] [--engine pglite|postgres] [--pg postgres://…/db]
 *     [--memory] [--chunk N] [--no-unapply] [--check]
 *
 * A fresh database (PGlite in a new temporary directory, or in memory with --memory; PostgreSQL in a
 * new scratch database on the --pg server, dropped afterwards), a company, N/10 customers, N invoices
 * (one in ten in EUR) and N receipts (half with the customer unknown), all set up set-based. Then, timed,
 * in one transaction each: postApplicationsBulk with N payment items (receipt i pays invoice i in full,
 * one in five with a small discount), and unapplyBulk of all of them. Prints items per second.
 * `--check` runs checkInvariants afterwards (not timed). Not a test: figures depend on the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from 'uuidv7';
import {
  type BulkItem,
  type CompanyContext,
  checkInvariants,
  createCompany,
  postApplicationsBulk,
  postEntries,
  recordReceiptsBulk,
  toBase,
  unapplyBulk,
} from '../src/ledger/index.js';
import { Database } from '../src/store/database.js';
import { ALL_MIGRATIONS } from '../src/store/migrations.js';
import { createScratchDatabase, dropScratchDatabase } from '../test/helpers/db.js';
import { oneOf, PG_FLAG, parseFlags, positive } from './lib/args.js';

interface Args {
  items: number;
  engine: 'pglite' | 'postgres';
  pg: string;
  memory: boolean;
  chunk: number | undefined;
  unapply: boolean;
  check: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const v = parseFlags(
    argv,
    {
      items: { type: 'string', default: '100_000' },
      engine: { type: 'string', default: 'pglite' },
      pg: PG_FLAG,
      memory: { type: 'boolean', default: false },
      chunk: { type: 'string' },
      'no-unapply': { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
    },
    'usage: ledger-bulk.ts [--items N] [--engine pglite|postgres] [--pg URL] [--memory] [--chunk N] [--no-unapply] [--check]',
  );
  return {
    items: positive('--items', v.items),
    engine: oneOf('--engine', v.engine, ['pglite', 'postgres']),
    pg: v.pg,
    memory: v.memory,
    chunk: v.chunk === undefined ? undefined : positive('--chunk', v.chunk),
    unapply: !v['no-unapply'],
    check: v.check,
  };
}

const DATE = '2026-03-31';
const EUR_RATE = '1.0834';
const actor = 'bench';

/** Customers, invoices (one summary entry per currency) and receipts, set-based as the imports do. */
async function seed(database: Database, ctx: CompanyContext, n: number) {
  const customerIds = Array.from({ length: Math.max(1, Math.ceil(n / 10)) }, () => uuidv7());
  const invoices = Array.from({ length: n }, (_, i) => {
    const eur = i % 10 === 9;
    const currency = eur ? 'EUR' : 'USD';
    const amount = 1_000 + ((i * 7919) % 500_000);
    return {
      document_id: uuidv7(),
      number: `INV-${i}`,
      customer_id: customerIds[i % customerIds.length]!,
      currency,
      rate: eur ? EUR_RATE : '1',
      amount,
      base: toBase(ctx, currency, amount, eur ? EUR_RATE : '1'),
    };
  });
  await database.transaction(async ({ client }) => {
    await client.query(
      `INSERT INTO customer (company_id, customer_id, customer_number, name, currency, created_by, updated_by)
       SELECT $1, id, 'C-' || n, 'Customer ' || n, 'USD', $3, $3 FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, n)`,
      [ctx.companyId, customerIds, actor],
    );
    const drafts = ['USD', 'EUR'].map((currency) => {
      const mine = invoices.filter((d) => d.currency === currency);
      const amount = mine.reduce((s, d) => s + d.amount, 0);
      const base = mine.reduce((s, d) => s + d.base, 0);
      return {
        postingDate: DATE,
        sourceType: 'import',
        sourceId: null,
        memo: `bench invoices in ${currency}`,
        lines: [
          {
            role: 'ar_control' as const,
            customerId: null,
            currency,
            amountMinor: amount,
            baseAmountMinor: base,
          },
          {
            role: 'revenue' as const,
            customerId: null,
            currency,
            amountMinor: -amount,
            baseAmountMinor: -base,
          },
        ],
      };
    });
    const [usdEntry, eurEntry] = await postEntries(client, ctx, drafts, actor);
    await client.query(
      `INSERT INTO document (company_id, document_id, document_number, customer_id, doc_type, document_date, due_date,
         currency, fx_rate, amount_minor, base_amount_minor, open_minor, open_base_minor, entry_id, created_by)
       SELECT $1, x.document_id, x.number, x.customer_id, 'invoice', $3, $3, x.currency, x.rate::numeric, x.amount,
              x.base, x.amount, x.base, CASE WHEN x.currency = 'EUR' THEN $5::uuid ELSE $4::uuid END, $6
         FROM jsonb_to_recordset($2::jsonb) AS x(document_id uuid, number text, customer_id uuid, currency text,
              rate text, amount int8, base int8)`,
      [ctx.companyId, JSON.stringify(invoices), DATE, usdEntry, eurEntry, actor],
    );
  });
  const receipts = invoices.map((d, i) => ({
    receiptId: uuidv7(),
    receiptKey: `PAY-${i}`,
    customerId: i % 2 === 0 ? d.customer_id : null,
    receiptDate: DATE,
    method: 'ach' as const,
    currency: d.currency,
    amountMinor: d.amount,
    fxRate: d.currency === 'EUR' ? '1.0712' : undefined,
  }));
  await database.transaction(({ client }) =>
    recordReceiptsBulk(client, ctx, receipts, actor, 'bench receipts'),
  );
  return invoices.map((d, i): BulkItem => {
    const discount = i % 5 === 0 ? Math.min(100, d.amount - 1) : 0;
    return {
      kind: 'payment',
      receiptId: receipts[i]!.receiptId,
      documentId: d.document_id,
      cashMinor: d.amount - discount,
      discountMinor: discount,
      externalKey: `bench-${i}`,
      confidence: 0.99,
      reasons: ['invoice number in remittance'],
    };
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let dispose: () => Promise<void>;
  let database: Database;
  if (args.engine === 'postgres') {
    process.env.TEST_DATABASE_URL ??= args.pg;
    const url = await createScratchDatabase();
    database = await Database.open({ target: url, migrations: ALL_MIGRATIONS });
    dispose = async () => {
      await database.close();
      await dropScratchDatabase(url);
    };
  } else {
    const dir = args.memory ? null : mkdtempSync(join(tmpdir(), 'openar-bench-'));
    database = await Database.open({ target: dir ?? 'memory://', migrations: ALL_MIGRATIONS });
    dispose = async () => {
      await database.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    const ctx = await database.transaction(({ client }) =>
      createCompany(client, { code: 'bench', name: 'Bench', baseCurrency: 'USD', actor }),
    );
    const setupStart = performance.now();
    const items = await seed(database, ctx, args.items);
    const setupS = (performance.now() - setupStart) / 1000;
    const options = args.chunk === undefined ? {} : { chunkSize: args.chunk };
    const where =
      args.engine === 'pglite' ? (args.memory ? 'pglite (memory)' : 'pglite (directory)') : 'postgres';
    console.log(`${where}: ${args.items} invoices and receipts set up in ${setupS.toFixed(1)} s`);

    let start = performance.now();
    const ids = await database.transaction(({ client }) =>
      postApplicationsBulk(
        client,
        ctx,
        { postingDate: DATE, actor, reason: 'bench', origin: 'cashapp', runId: uuidv7(), items },
        options,
      ),
    );
    let seconds = (performance.now() - start) / 1000;
    console.log(
      `postApplicationsBulk: ${ids.length} items in ${seconds.toFixed(2)} s = ${Math.round(ids.length / seconds)} items/s`,
    );
    if (args.unapply) {
      start = performance.now();
      const reversals = await database.transaction(({ client }) =>
        unapplyBulk(client, ctx, { applicationIds: ids, postingDate: DATE, actor, reason: 'bench' }, options),
      );
      seconds = (performance.now() - start) / 1000;
      console.log(
        `unapplyBulk: ${reversals.length} items in ${seconds.toFixed(2)} s = ${Math.round(reversals.length / seconds)} items/s`,
      );
    }
    if (args.check) {
      const violations = await database.transaction(({ client }) => checkInvariants(client, ctx));
      console.log(violations.length === 0 ? 'invariants hold' : `VIOLATIONS: ${JSON.stringify(violations)}`);
      if (violations.length > 0) process.exitCode = 1;
    }
  } finally {
    await dispose();
  }
}

await main();
