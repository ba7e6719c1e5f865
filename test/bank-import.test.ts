import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBankFile } from '../src/banking/index.js';
import { ParseError } from '../src/formats/index.js';
import { importFile } from '../src/imports/index.js';
import { type CompanyContext, checkInvariants, createCompany, tieOut } from '../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const fixture = (...name: string[]) => join(import.meta.dirname, 'fixtures', ...name);
const actor = 'bank-test';

describe.each(ENGINES)('import bank on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = await t.database.transaction(({ client }) =>
      createCompany(client, { code: 'co', name: 'Co', baseCurrency: 'USD', actor }),
    );
    await importFile(t.database, ctx, 'customers', { path: fixture('customers.csv'), actor });
  });
  afterAll(async () => t?.dispose());

  it('stores entries and creates receipts for incoming credits, identifying known payer accounts', async () => {
    const s = await importBankFile(t.database, ctx, { path: fixture('bank', 'camt053-day1.xml'), actor });
    expect(s).toMatchObject({
      format: 'camt',
      statements: 1,
      entriesNew: 3,
      entriesExisting: 0,
      receiptsCreated: 2,
      receiptsIdentified: 1,
    });
    const receipts = await t.database.query<{
      amount_minor: number;
      customer_number: string | null;
      reference: string | null;
      remittance_text: string | null;
    }>(
      `SELECT r.amount_minor, c.customer_number, r.reference, r.remittance_text FROM receipt r
         LEFT JOIN customer c ON c.customer_id = r.customer_id ORDER BY r.amount_minor DESC`,
    );
    expect(receipts).toEqual([
      {
        amount_minor: 1200_00,
        customer_number: 'C100',
        reference: 'E2E-GLOBEX-1',
        remittance_text: 'INV-1001',
      },
      {
        amount_minor: 500_00,
        customer_number: null,
        reference: 'BANKREF-0002',
        remittance_text: 'payment for invoices 1002 and 1003',
      },
    ]);
    const tie = await t.database.transaction(({ client }) => tieOut(client, ctx));
    expect(tie.unappliedBase).toEqual({ subledgerMinor: 1700_00, glMinor: 1700_00, differenceMinor: 0 });
  });

  it('adds nothing twice: the same file again, or an intraday report overlapping it', async () => {
    const again = await importBankFile(t.database, ctx, { path: fixture('bank', 'camt053-day1.xml'), actor });
    expect(again).toMatchObject({ entriesNew: 0, entriesExisting: 3, receiptsCreated: 0 });
    const intraday = await importBankFile(t.database, ctx, {
      path: fixture('bank', 'camt052-intraday.xml'),
      actor,
    });
    expect(intraday).toMatchObject({ entriesNew: 0, entriesExisting: 1, receiptsCreated: 0 });
    const counts = await t.database.query<{ entries: number; receipts: number }>(
      'SELECT (SELECT count(*) FROM bank_entry)::int8 AS entries, (SELECT count(*) FROM receipt)::int8 AS receipts',
    );
    expect(counts).toEqual([{ entries: 3, receipts: 2 }]);
    await t.database.transaction(async ({ client }) =>
      expect(await checkInvariants(client, ctx)).toEqual([]),
    );
  });

  it('rejects a malformed file and stores nothing', async () => {
    const before = await t.database.query<{ n: number }>('SELECT count(*)::int8 AS n FROM bank_file');
    await expect(
      importBankFile(t.database, ctx, { path: fixture('customers.csv'), format: 'camt', actor }),
    ).rejects.toBeInstanceOf(ParseError);
    const after = await t.database.query<{ n: number }>('SELECT count(*)::int8 AS n FROM bank_file');
    expect(after).toEqual(before);
  });
});
