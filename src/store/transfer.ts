import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SqlClient } from './client.js';
import { StoreError } from './client.js';
import type { Database } from './database.js';

/**
 * Moves a whole ledger between databases (PGlite ↔ PostgreSQL), since pg_dump cannot read PGlite.
 * The file is text: a header line, then per table a `--table NAME COLUMNS` line followed by its
 * rows as JSON arrays, one per line. Tables are loaded parents first; closed periods last, so
 * the period guard does not refuse history that was posted before the period closed.
 */
const FORMAT = 'openar-ledger-export v1';

const LOAD_ORDER = [
  'company',
  'gl_account',
  'fx_rate',
  'customer',
  'customer_contact',
  'customer_bank_account',
  'customer_alias',
  'journal_entry',
  'journal_line',
  'document',
  'document_revision',
  'receipt',
  'application',
  'adjustment',
  'change_log',
  'import_batch',
];
const LOAD_LAST = ['fiscal_period'];
const SKIP = new Set(['kysely_migration', 'kysely_migration_lock']);
const PAGE_ROWS = 5_000;

async function tablesInOrder(client: SqlClient): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const present = rows.map((r) => r.table_name).filter((t) => !SKIP.has(t));
  const known = [...LOAD_ORDER, ...LOAD_LAST];
  const others = present.filter((t) => !known.includes(t)).sort();
  return [
    ...LOAD_ORDER.filter((t) => present.includes(t)),
    ...others,
    ...LOAD_LAST.filter((t) => present.includes(t)),
  ];
}

export async function exportLedger(database: Database, path: string): Promise<Record<string, number>> {
  const out = createWriteStream(path);
  const write = (line: string) =>
    new Promise<void>((resolve) => (out.write(`${line}\n`) ? resolve() : out.once('drain', resolve)));
  const counts: Record<string, number> = {};
  await database.transaction(async ({ client }) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await write(FORMAT);
    for (const table of await tablesInOrder(client)) {
      const columns = (
        await client.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        )
      ).rows.map((c) => c.column_name);
      await write(`--table ${table} ${JSON.stringify(columns)}`);
      const select = columns.map((c) => `${quoteIdent(c)}::text`).join(', ');
      const order = (await primaryKey(client, table)).map(quoteIdent).join(', ') || '1';
      counts[table] = 0;
      // Pages in primary-key order inside one snapshot: stable on PostgreSQL, PGlite and Citus alike.
      for (let offset = 0; ; offset += PAGE_ROWS) {
        const { rows } = await client.query<Record<string, string | null>>(
          `SELECT ${select} FROM ${quoteIdent(table)} ORDER BY ${order} LIMIT ${PAGE_ROWS} OFFSET ${offset}`,
        );
        for (const row of rows) await write(JSON.stringify(columns.map((c) => row[c] ?? null)));
        counts[table] += rows.length;
        if (rows.length < PAGE_ROWS) break;
      }
    }
  });
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return counts;
}

/** Loads an export into an empty database, in one transaction. */
export async function importLedger(database: Database, path: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await database.transaction(async ({ client }) => {
    const existing = await client.query<{ n: number }>('SELECT count(*)::int8 AS n FROM company');
    if (existing.rows[0]!.n > 0)
      throw new StoreError('db import needs an empty database; this one already has a company');
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
    let table: string | null = null;
    let columns: string[] = [];
    let batch: string[] = [];
    let lineNumber = 0;
    const flush = async () => {
      if (table === null || batch.length === 0) return;
      await client.copyFromCsv(
        `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN WITH (FORMAT csv)`,
        batch.join(''),
      );
      counts[table] = (counts[table] ?? 0) + batch.length;
      batch = [];
    };
    for await (const line of lines) {
      lineNumber++;
      if (lineNumber === 1) {
        if (line !== FORMAT)
          throw new StoreError(`${path}:1: not an openar ledger export (expected "${FORMAT}")`);
        continue;
      }
      if (line.startsWith('--table ')) {
        await flush();
        const space = line.indexOf(' ', 8);
        table = line.slice(8, space);
        columns = JSON.parse(line.slice(space + 1)) as string[];
        counts[table] = 0;
        continue;
      }
      if (table === null) throw new StoreError(`${path}:${lineNumber}: row before any --table line`);
      let values: (string | null)[];
      try {
        values = JSON.parse(line) as (string | null)[];
      } catch (error) {
        throw new StoreError(`${path}:${lineNumber}: not a JSON array row`, { cause: error });
      }
      if (!Array.isArray(values) || values.length !== columns.length) {
        throw new StoreError(`${path}:${lineNumber}: expected ${columns.length} values for ${table}`);
      }
      batch.push(`${values.map((v) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`)).join(',')}\n`);
      if (batch.length >= PAGE_ROWS) await flush();
    }
    await flush();
  });
  return counts;
}

async function primaryKey(client: SqlClient, table: string): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string }>(
    `SELECT k.column_name FROM information_schema.table_constraints t
       JOIN information_schema.key_column_usage k
         ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema AND k.table_name = t.table_name
      WHERE t.table_schema = current_schema() AND t.table_name = $1 AND t.constraint_type = 'PRIMARY KEY'
      ORDER BY k.ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new StoreError(`unexpected identifier ${name}`);
  return `"${name}"`;
}
