import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../src/store/database.js';
import { ALL_MIGRATIONS } from '../src/store/migrations.js';
import { fixture, initWithFixtures, openar, tempDatabase } from './helpers/cli.js';
import { createScratchDatabase, dropScratchDatabase } from './helpers/db.js';

// Each step is a fresh process that opens PGlite (seconds on a loaded 2-core machine): generous limits.
describe('openar CLI', { timeout: 300_000 }, () => {
  const { dir, db } = tempDatabase('cli');

  it('initializes, imports and lists with JSON output', async () => {
    await initWithFixtures((...args) => openar(db, ...args), ['customers', 'invoices']);
    const payments = openar(db, 'import', 'payments', fixture('payments.csv'), '--json');
    expect(payments.code).toBe(0);
    expect(JSON.parse(payments.stdout)).toMatchObject({ rowsRead: 4, inserted: 3, rejected: 0 });
    const list = openar(db, 'customers', 'list', '--json');
    expect(JSON.parse(list.stdout).map((c: { customer_number: string }) => c.customer_number)).toEqual([
      'C100',
      'C101',
      'C102',
    ]);
    const invoices = JSON.parse(
      openar(db, 'invoices', 'list', '--open', '--json', '--as-of', '2026-03-10').stdout,
    );
    expect(invoices.find((i: { document_number: string }) => i.document_number === 'INV-1002')).toMatchObject(
      { open: '400.50', days_past_due: 9 },
    );
    const balance = JSON.parse(openar(db, 'ledger', 'balance', '--json').stdout);
    expect(balance).toMatchObject({ tied: true, arBase: { subledgerMinor: 5417_50, glMinor: 5417_50 } });
  });

  it('rejects a bad file with a one-line reason per row, exit code 1 and no stack trace', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'invoice_number,customer_id,invoice_date,amount\nB-1,C100,2026-13-01,12.00\n');
    const result = openar(db, 'import', 'invoices', bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'bad.csv:2: column invoice_date: expected a date written YYYY-MM-DD, found "2026-13-01"',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on bad usage', () => {
    expect(openar(db, 'no-such-command').code).toBe(2);
    expect(openar(db, 'invoices', 'list', '--as-of', 'yesterday').code).toBe(2);
  });

  it("refuses a second process on the same embedded database with the holder's pid", async () => {
    const held = await Database.open({ target: db, migrations: ALL_MIGRATIONS });
    try {
      const result = openar(db, 'customers', 'list');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`already open by pid ${process.pid}`);
    } finally {
      await held.close();
    }
    expect(openar(db, 'customers', 'list').code).toBe(0);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'moves a whole ledger from PGlite to PostgreSQL and back with db export/import',
    async () => {
      const file = join(dir, 'ledger.export');
      expect(openar(db, 'db', 'export', file).code).toBe(0);
      const url = await createScratchDatabase();
      try {
        const imported = openar(url, 'db', 'import', file);
        expect(imported.stderr).toBe('');
        expect(imported.code).toBe(0);
        const pgBalance = JSON.parse(openar(url, 'ledger', 'balance', '--json').stdout);
        const liteBalance = JSON.parse(openar(db, 'ledger', 'balance', '--json').stdout);
        expect(pgBalance).toEqual(liteBalance);
        expect(openar(url, 'ledger', 'check').stdout).toContain('all invariants hold');
        const back = join(dir, 'ledger2.export');
        expect(openar(url, 'db', 'export', back).code).toBe(0);
        const db2 = join(dir, 'data2');
        expect(openar(db2, 'db', 'import', back).code).toBe(0);
        expect(JSON.parse(openar(db2, 'customers', 'list', '--json').stdout)).toEqual(
          JSON.parse(openar(db, 'customers', 'list', '--json').stdout),
        );
      } finally {
        await dropScratchDatabase(url);
      }
    },
  );
});
