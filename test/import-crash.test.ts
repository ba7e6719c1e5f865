/**
 * Crash safety of imports: a process killed with SIGKILL part-way through an import leaves the ledger
 * exactly as it was (one transaction, nothing half-posted), the database opens again (PGlite takes over the
 * dead process's lock and recovers its data directory; PostgreSQL rolls the dead connection back), and
 * running the same import again completes it.
 *
 * The import runs in a child process (test/helpers/import-child.ts) so it can be killed for real. It is
 * killed twice: once while it reads and stages rows (past half the file), once right after it read the
 * whole file, while it checks and merges the staged rows into the ledger. No timing is asserted: the child
 * reports its progress and is killed when it reports the point wanted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../src/imports/index.js';
import { type CompanyContext, checkInvariants, createCompany, loadCompany } from '../src/ledger/index.js';
import { Database } from '../src/store/database.js';
import { ALL_MIGRATIONS } from '../src/store/migrations.js';
import { createScratchDatabase, dropScratchDatabase, ENGINES, type Engine } from './helpers/db.js';

const ROWS = 100_000;
const CUSTOMERS = 200;
const EARLIER_ROWS = 500;
const COMPANY = 'crash';
const actor = 'crash-test';
const CHILD = join(import.meta.dirname, 'helpers', 'import-child.ts');
/** Generous: on two busy cores the child can take a while; nothing here is a timing assertion. */
const TIMEOUT = 240_000;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function customersCsv(): string {
  const lines = ['customer_id,name,currency,terms_days'];
  for (let i = 1; i <= CUSTOMERS; i++) lines.push(`K${pad(i, 4)},Customer ${i},USD,${i % 3 === 0 ? 45 : 30}`);
  return `${lines.join('\n')}\n`;
}

/** `count` invoices numbered PREFIX-1…, amounts in exact cents, spread over customers and dates. */
function invoicesCsv(prefix: string, count: number): string {
  const lines = [
    'invoice_number,customer_id,type,invoice_date,due_date,amount,currency,po_number,description',
  ];
  for (let i = 1; i <= count; i++) {
    const type = i % 20 === 0 ? 'credit_memo' : 'invoice';
    const date = `2026-0${1 + (i % 3)}-${pad(1 + (i % 28), 2)}`;
    const cents = 1000 + ((i * 7919) % 5_000_000);
    lines.push(
      `${prefix}-${i},K${pad(1 + (i % CUSTOMERS), 4)},${type},${date},,${Math.floor(cents / 100)}.${pad(cents % 100, 2)},USD,PO-${i},"Goods, lot ${i}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Snapshot {
  documents: string;
  documentAmount: string;
  documentOpen: string;
  revisions: string;
  entries: string;
  journalLines: string;
  journalAmount: string;
  journalBase: string;
  journalDebitBase: string;
  batches: string;
  batchRows: string;
  /** Every index and constraint of `document`: a bulk load sets some aside until it commits. */
  documentShape: string;
}

/** Counts and sums of what an import writes, as exact text (no int8 can round). */
async function snapshot(database: Database): Promise<Snapshot> {
  const rows = await database.query<Snapshot>(
    `SELECT (SELECT count(*) FROM document)::text AS "documents",
            (SELECT coalesce(sum(amount_minor), 0) FROM document)::text AS "documentAmount",
            (SELECT coalesce(sum(open_minor), 0) FROM document)::text AS "documentOpen",
            (SELECT count(*) FROM document_revision)::text AS "revisions",
            (SELECT count(*) FROM journal_entry)::text AS "entries",
            (SELECT count(*) FROM journal_line)::text AS "journalLines",
            (SELECT coalesce(sum(amount_minor), 0) FROM journal_line)::text AS "journalAmount",
            (SELECT coalesce(sum(base_amount_minor), 0) FROM journal_line)::text AS "journalBase",
            (SELECT coalesce(sum(greatest(base_amount_minor, 0)), 0) FROM journal_line)::text AS "journalDebitBase",
            (SELECT count(*) FROM import_batch)::text AS "batches",
            (SELECT coalesce(sum(rows_read), 0) FROM import_batch)::text AS "batchRows",
            (SELECT string_agg(d, ' | ' ORDER BY d) FROM (
               SELECT pg_get_indexdef(indexrelid) AS d FROM pg_index WHERE indrelid = 'document'::regclass
               UNION ALL
               SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = 'document'::regclass) x) AS "documentShape"`,
  );
  return rows[0]!;
}

async function invariants(database: Database): Promise<unknown[]> {
  return database.transaction(async ({ client }) =>
    checkInvariants(client, await loadCompany(client, COMPANY)),
  );
}

interface Killed {
  pid: number;
  /** The last progress the child reported before it was killed. */
  progress: number;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/**
 * Runs the child import and kills it with SIGKILL as soon as it reports `killAt` rows read (or more).
 * Resolves when the child is gone.
 */
function importAndKill(
  target: string,
  file: string,
  killAt: number,
  bulkLoadMinRows?: number,
): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const bulk = bulkLoadMinRows === undefined ? [] : [String(bulkLoadMinRows)];
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, target, COMPANY, 'invoices', file, ...bulk],
      {
        cwd: join(import.meta.dirname, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let progress = 0;
    let pending = '';
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^progress (\d+)$/.exec(line);
        if (!match) continue;
        progress = Number(match[1]);
        if (progress >= killAt && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ pid: child.pid!, progress, signal, code, stderr }));
  });
}

describe.each(ENGINES)('an import killed with SIGKILL on %s', (engine: Engine) => {
  const tmp = mkdtempSync(join(tmpdir(), 'openar-crash-'));
  const bigFile = join(tmp, 'invoices.csv');
  let target: string;
  let before: Snapshot;

  const open = () => Database.open({ target, migrations: ALL_MIGRATIONS });

  beforeAll(async () => {
    // PGlite needs a real data directory here: the child and this process open it in turn.
    target = engine === 'pglite' ? join(tmp, 'data') : await createScratchDatabase();
    writeFileSync(join(tmp, 'customers.csv'), customersCsv());
    writeFileSync(join(tmp, 'earlier.csv'), invoicesCsv('E', EARLIER_ROWS));
    writeFileSync(bigFile, invoicesCsv('B', ROWS));
    const database = await open();
    try {
      const ctx: CompanyContext = await database.transaction(({ client }) =>
        createCompany(client, { code: COMPANY, name: 'Crash Co', baseCurrency: 'USD', actor }),
      );
      await importFile(database, ctx, 'customers', { path: join(tmp, 'customers.csv'), actor });
      // A ledger with history already in it, which the killed imports must leave alone.
      await importFile(database, ctx, 'invoices', { path: join(tmp, 'earlier.csv'), actor });
      before = await snapshot(database);
      expect(before.documents).toBe(String(EARLIER_ROWS));
    } finally {
      await database.close();
    }
  }, TIMEOUT);

  afterAll(async () => {
    if (engine === 'postgres' && target) await dropScratchDatabase(target);
    rmSync(tmp, { recursive: true, force: true });
  });

  it.each([
    ['while it reads and stages rows', ROWS / 2, undefined],
    ['after it read the file, while it checks and merges', ROWS, undefined],
    // A first load as big as the ledger drops the document indexes until it commits (bulk-load.ts).
    ['while it reads with the indexes set aside', ROWS / 2, 1],
  ])(
    'leaves the ledger as it was when killed %s',
    async (_when, killAt, bulkLoadMinRows) => {
      const killed = await importAndKill(target, bigFile, killAt, bulkLoadMinRows);
      // The premise: the child was killed there, not finished or failed before.
      expect(killed.signal, `the child was not killed: exit ${killed.code}, stderr:\n${killed.stderr}`).toBe(
        'SIGKILL',
      );
      expect(killed.progress).toBeGreaterThanOrEqual(killAt);
      if (engine === 'pglite') {
        // The dead child's lock is still there, to be taken over.
        expect(readFileSync(join(target, 'openar.lock'), 'utf8').trim()).toBe(String(killed.pid));
      }

      // Reopens: on PGlite this takes over the lock file of the dead pid and recovers the directory.
      const database = await open();
      try {
        if (engine === 'pglite')
          expect(readFileSync(join(target, 'openar.lock'), 'utf8').trim()).toBe(String(process.pid));
        expect(await snapshot(database)).toEqual(before);
        expect(await invariants(database)).toEqual([]);
      } finally {
        await database.close();
      }
    },
    TIMEOUT,
  );

  it(
    'completes when the same import runs again',
    async () => {
      const database = await open();
      try {
        const ctx = await database.transaction(({ client }) => loadCompany(client, COMPANY));
        const summary = await importFile(database, ctx, 'invoices', { path: bigFile, actor });
        expect(summary).toMatchObject({
          rowsRead: ROWS,
          inserted: ROWS,
          updated: 0,
          unchanged: 0,
          rejected: 0,
        });
        const after = await snapshot(database);
        expect(after.documents).toBe(String(EARLIER_ROWS + ROWS));
        expect(after.batches).toBe(String(Number(before.batches) + 1));
        const expected = invoicesCsv('B', ROWS)
          .trim()
          .split('\n')
          .slice(1)
          .reduce((sum, line) => sum + BigInt(line.split(',')[5]!.replace('.', '')), 0n);
        expect(BigInt(after.documentAmount) - BigInt(before.documentAmount)).toBe(expected);
        expect(await invariants(database)).toEqual([]);
        const missing = await database.query<{ n: number }>(
          `SELECT count(*)::int8 AS n FROM generate_series(1, ${ROWS}) AS g(i)
            WHERE NOT EXISTS (SELECT 1 FROM document d WHERE d.document_number = 'B-' || g.i)`,
        );
        expect(missing).toEqual([{ n: 0 }]);
      } finally {
        await database.close();
      }
    },
    TIMEOUT,
  );
});
