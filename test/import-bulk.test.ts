import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreAfterBulkLoad, setAsideForBulkLoad } from '../src/imports/bulk-load.js';
import { importFile } from '../src/imports/index.js';
import { type CompanyContext, checkInvariants, createCompany, tieOut } from '../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const actor = 'tester';
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

/** What a bulk load must leave exactly as it found it: every index and constraint of `document`. */
const SHAPE_SQL = `
  SELECT 'index' AS kind, pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = 'document'::regclass
  UNION ALL
  SELECT 'constraint', conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'document'::regclass
  ORDER BY 1, 2`;

/** A dropped and rebuilt index is a new relation: its oid tells whether the bulk path ran. */
const INDEX_OID_SQL = "SELECT oid::int8 AS oid FROM pg_class WHERE relname = 'document_customer_date_idx'";

describe.each(ENGINES)('bulk load of a first invoices file on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let shapeBefore: unknown[];
  const tmp = mkdtempSync(join(tmpdir(), 'openar-bulk-'));
  const invoices = (name: string, from: number, count: number, bad?: number) => {
    const lines = ['invoice_number,customer_id,invoice_date,amount'];
    for (let i = from; i < from + count; i++)
      lines.push(
        `${name}-${i},${i % 2 ? 'C100' : 'C101'},2026-03-${10 + (i % 9)},${i === bad ? 'x' : `${i}.25`}`,
      );
    const path = join(tmp, `${name}.csv`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const run = (path: string, extra: object = {}) =>
    importFile(t.database, ctx, 'invoices', { path, actor, bulkLoadMinRows: 1, loadBatchRows: 7, ...extra });

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = await t.database.transaction(({ client }) =>
      createCompany(client, { code: 'co', name: 'Co', baseCurrency: 'USD', actor }),
    );
    await importFile(t.database, ctx, 'customers', { path: fixture('customers.csv'), actor });
    shapeBefore = await t.database.query(SHAPE_SQL);
  });
  afterAll(async () => t?.dispose());

  it('sets the indexes and foreign key aside when the table is smaller than the file, and restores them', async () => {
    const seen = await t.database.transaction(async ({ client }) => {
      const setAside = await setAsideForBulkLoad(client, 'document', 10, 1);
      const during = (await client.query<{ kind: string }>(SHAPE_SQL)).rows;
      await restoreAfterBulkLoad(client, setAside);
      return { setAside, during };
    });
    expect(seen.setAside?.indexes.length).toBeGreaterThanOrEqual(3);
    expect(seen.setAside?.foreignKeys.map((f) => f.definition)).toEqual([
      'FOREIGN KEY (company_id, customer_id) REFERENCES customer(company_id, customer_id)',
    ]);
    // Only the primary key and the unique number stay meanwhile, with the CHECKs.
    expect(seen.during.filter((r) => r.kind === 'index')).toHaveLength(2);
    expect(await t.database.query(SHAPE_SQL)).toEqual(shapeBefore);
  });

  it('leaves the table alone below the minimum, or when it holds as many rows as the file', async () => {
    await t.database.transaction(async ({ client }) => {
      expect(await setAsideForBulkLoad(client, 'document', 49_999)).toBeNull();
      expect(await setAsideForBulkLoad(client, 'document', 0, 0)).toBeNull();
    });
  });

  it('imports a first file with the indexes set aside, and builds them again', async () => {
    const oidBefore = await t.database.query(INDEX_OID_SQL);
    const summary = await run(invoices('BULK', 1, 40));
    expect(summary).toMatchObject({ rowsRead: 40, inserted: 40, rejected: 0 });
    expect(await t.database.query(SHAPE_SQL)).toEqual(shapeBefore);
    const oidAfter = await t.database.query(INDEX_OID_SQL);
    expect(oidAfter).not.toEqual(oidBefore);
    const docs = await t.database.query<{ n: number; sum: number }>(
      "SELECT count(*)::int8 AS n, sum(open_minor)::int8 AS sum FROM document WHERE document_number LIKE 'BULK-%'",
    );
    expect(docs).toEqual([{ n: 40, sum: 820_00 + 40 * 25 }]);
    await t.database.transaction(async ({ client }) => {
      expect(await checkInvariants(client, ctx)).toEqual([]);
      expect((await tieOut(client, ctx)).tied).toBe(true);
    });
    // The table now holds more rows than the next small file: that one loads the ordinary way.
    const again = await run(invoices('BULK', 1, 40));
    expect(again).toMatchObject({ inserted: 0, unchanged: 40 });
    expect(await t.database.query(INDEX_OID_SQL)).toEqual(oidAfter);
  });

  it('rolls a failed bulk load back whole: no documents, the indexes as they were', async () => {
    await expect(run(invoices('FAIL', 1, 200, 150))).rejects.toThrow(/FAIL\.csv:151: column amount/);
    expect(await t.database.query("SELECT 1 FROM document WHERE document_number LIKE 'FAIL-%'")).toEqual([]);
    expect(await t.database.query(SHAPE_SQL)).toEqual(shapeBefore);
  });

  it.runIf(engine === 'postgres')('loads the ordinary way when a reader holds the table', async () => {
    const oidBefore = await t.database.query(INDEX_OID_SQL);
    const reader = new pg.Client({ connectionString: t.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM document');
      const summary = await run(invoices('HELD', 1, 300));
      expect(summary).toMatchObject({ inserted: 300 });
      await reader.query('COMMIT');
    } finally {
      await reader.end();
    }
    expect(await t.database.query(SHAPE_SQL)).toEqual(shapeBefore);
    expect(await t.database.query(INDEX_OID_SQL)).toEqual(oidBefore);
  });
});
