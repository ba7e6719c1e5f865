import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError, importFile } from '../src/imports/index.js';
import {
  type CompanyContext,
  checkInvariants,
  createCompany,
  setPeriodStatus,
  tieOut,
} from '../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const actor = 'tester';

describe.each(ENGINES)('imports on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  const tmp = mkdtempSync(join(tmpdir(), 'openar-import-'));
  const write = (name: string, text: string) => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = await t.database.transaction(({ client }) =>
      createCompany(client, { code: 'co', name: 'Co', baseCurrency: 'USD', actor }),
    );
  });
  afterAll(async () => t?.dispose());

  const run = (kind: 'customers' | 'invoices' | 'payments', path: string, extra: object = {}) =>
    importFile(t.database, ctx, kind, { path, actor, ...extra });

  it('imports customers with parents, bank accounts and contacts, idempotently', async () => {
    const first = await run('customers', fixture('customers.csv'));
    expect(first).toMatchObject({ rowsRead: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    const again = await run('customers', fixture('customers.csv'));
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 3, previousImportId: first.importId });
    const rows = await t.database.query<{
      customer_number: string;
      parent: string | null;
      terms_days: number;
      credit_limit_minor: number | null;
    }>(
      `SELECT c.customer_number, p.customer_number AS parent, c.terms_days, c.credit_limit_minor FROM customer c
         LEFT JOIN customer p ON p.customer_id = c.parent_customer_id ORDER BY 1`,
    );
    expect(rows).toEqual([
      { customer_number: 'C100', parent: null, terms_days: 30, credit_limit_minor: 25_000_000 },
      { customer_number: 'C101', parent: 'C100', terms_days: 45, credit_limit_minor: 5_000_000 },
      { customer_number: 'C102', parent: null, terms_days: 30, credit_limit_minor: null },
    ]);
    const accounts = await t.database.query<{ account_key: string }>(
      'SELECT account_key FROM customer_bank_account ORDER BY 1',
    );
    expect(accounts.map((a) => a.account_key)).toEqual(['DE89370400440532013000', 'US1234567890']);
  });

  it('records who changed what when a re-import changes a customer', async () => {
    const path = write(
      'customers2.csv',
      readFileSync(fixture('customers.csv'), 'utf8').replace(
        'C102,Initech,,EUR,30',
        'C102,Initech GmbH,,EUR,60',
      ),
    );
    const summary = await run('customers', path);
    expect(summary).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    const log = await t.database.query<{ changes: Record<string, unknown>; created_by: string }>(
      "SELECT changes, created_by FROM change_log WHERE object_type = 'customer'",
    );
    expect(log).toEqual([
      { changes: { name: ['Initech', 'Initech GmbH'], terms_days: [30, 60] }, created_by: actor },
    ]);
  });

  it('rejects a bad invoice file whole, naming file, line, column and expectation', async () => {
    const path = write(
      'bad-invoices.csv',
      [
        'invoice_number,customer_id,type,invoice_date,due_date,amount,currency',
        'X-1,C100,invoice,2026-01-05,,10.00,USD',
        'X-2,NOPE,invoice,2026-01-05,,10.00,USD',
        'X-3,C100,invoice,2026-02-30,,10.001,USD',
      ].join('\n'),
    );
    const error = await run('invoices', path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    const message = (error as ImportError).message;
    expect(message).toContain(
      'bad-invoices.csv:3: column customer_id: expected a customer_id that has been imported, found "NOPE"',
    );
    expect(message).toContain('bad-invoices.csv:4: column invoice_date');
    expect(message).toContain('bad-invoices.csv:4: column amount');
    const docs = await t.database.query('SELECT 1 FROM document');
    expect(docs).toHaveLength(0);
  });

  it('finds a number repeated within the file, naming both lines', async () => {
    const path = write(
      'dup-invoices.csv',
      [
        'invoice_number,customer_id,invoice_date,amount',
        'D-1,C100,2026-01-05,10.00',
        'D-2,C100,2026-01-05,11.00',
        'D-1,C100,2026-01-06,12.00',
      ].join('\n'),
    );
    await expect(run('invoices', path)).rejects.toThrow(
      'dup-invoices.csv:4: column invoice_number: expected a number not already on line 2, found "D-1"',
    );
  });

  it('imports the good rows with --skip-bad-rows and writes the bad ones with reasons', async () => {
    const path = write(
      'some-bad.csv',
      [
        'invoice_number,customer_id,type,invoice_date,due_date,amount,currency',
        'S-1,C100,invoice,2026-01-05,,10.00,USD',
        'S-2,NOPE,invoice,2026-01-05,,10.00,USD',
      ].join('\n'),
    );
    const summary = await run('invoices', path, { skipBadRows: true });
    expect(summary).toMatchObject({ inserted: 1, rejected: 1 });
    const rejects = readFileSync(summary.rejectPath!, 'utf8');
    expect(rejects).toContain('"S-2"');
    expect(rejects).toContain('expected a customer_id that has been imported');
  });

  it('imports invoices with due dates from terms, FX base amounts, and ties to the GL', async () => {
    const summary = await run('invoices', fixture('invoices.csv'));
    expect(summary).toMatchObject({ rowsRead: 4, inserted: 4, unchanged: 0 });
    const docs = await t.database.query<{
      document_number: string;
      due_date: string;
      amount_minor: number;
      base_amount_minor: number;
      discount_date: string | null;
    }>(
      "SELECT document_number, due_date, amount_minor, base_amount_minor, discount_date FROM document WHERE document_number NOT LIKE 'S-%' ORDER BY 1",
    );
    expect(docs).toEqual([
      {
        document_number: 'CM-2001',
        due_date: '2026-01-20',
        amount_minor: 100_00,
        base_amount_minor: 100_00,
        discount_date: null,
      },
      {
        document_number: 'INV-1001',
        due_date: '2026-02-04',
        amount_minor: 1200_00,
        base_amount_minor: 1200_00,
        discount_date: null,
      },
      {
        document_number: 'INV-1002',
        due_date: '2026-03-01',
        amount_minor: 800_50,
        base_amount_minor: 800_50,
        discount_date: '2026-01-20',
      },
      {
        document_number: 'INV-1003',
        due_date: '2026-04-02',
        amount_minor: 5000_00,
        base_amount_minor: 5417_00,
        discount_date: null,
      },
    ]);
    const again = await run('invoices', fixture('invoices.csv'));
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
    expect((await t.database.transaction(({ client }) => tieOut(client, ctx))).tied).toBe(true);
  });

  it('posts an amount correction as a revision with a balanced entry', async () => {
    const path = write(
      'inv-changed.csv',
      readFileSync(fixture('invoices.csv'), 'utf8').replace('800.50', '850.50'),
    );
    const summary = await run('invoices', path);
    expect(summary).toMatchObject({ inserted: 0, updated: 1, unchanged: 3 });
    const rev = await t.database.query<{ amount_delta_minor: number; changes: unknown }>(
      'SELECT amount_delta_minor, changes FROM document_revision',
    );
    expect(rev).toEqual([{ amount_delta_minor: 50_00, changes: { amount_minor: [800_50, 850_50] } }]);
    await t.database.transaction(async ({ client }) =>
      expect(await checkInvariants(client, ctx)).toEqual([]),
    );
  });

  it('imports payments with applications, on-account and unidentified cash; re-import adds nothing', async () => {
    const summary = await run('payments', fixture('payments.csv'));
    expect(summary).toMatchObject({ rowsRead: 4, rejected: 0 });
    const receipts = await t.database.query<{
      receipt_key: string;
      unapplied_minor: number;
      on_account_minor: number;
    }>('SELECT receipt_key, unapplied_minor, on_account_minor FROM receipt ORDER BY 1');
    expect(receipts).toEqual([
      { receipt_key: 'PAY-1', unapplied_minor: 0, on_account_minor: 300_00 },
      { receipt_key: 'PAY-2', unapplied_minor: 0, on_account_minor: 0 },
      { receipt_key: 'PAY-3', unapplied_minor: 75_00, on_account_minor: 0 },
    ]);
    const open = await t.database.query<{ document_number: string; open_minor: number }>(
      "SELECT document_number, open_minor FROM document WHERE document_number IN ('INV-1001','INV-1002') ORDER BY 1",
    );
    expect(open).toEqual([
      { document_number: 'INV-1001', open_minor: 0 },
      { document_number: 'INV-1002', open_minor: 450_50 },
    ]);
    const before = await t.database.query<{ n: number }>('SELECT count(*)::int8 AS n FROM journal_line');
    const again = await run('payments', fixture('payments.csv'));
    expect(again).toMatchObject({ inserted: 0, updated: 0 });
    const after = await t.database.query<{ n: number }>('SELECT count(*)::int8 AS n FROM journal_line');
    expect(after).toEqual(before);
    await t.database.transaction(async ({ client }) =>
      expect(await checkInvariants(client, ctx)).toEqual([]),
    );
  });

  it('reverses and re-applies when the ERP changed an application', async () => {
    const path = write(
      'pay-changed.csv',
      readFileSync(fixture('payments.csv'), 'utf8')
        .replace('9001,INV-1002,400.00', '9001,INV-1002,350.00')
        .replace('PAY-2,C101,2026-02-20,400.00', 'PAY-2,C101,2026-02-20,400.00'),
    );
    const summary = await run('payments', path);
    expect(summary.updated).toBe(1);
    const rows = await t.database.query<{ applied_minor: number; reversal: boolean }>(
      "SELECT a.applied_minor, a.reverses_application_id IS NOT NULL AS reversal FROM application a JOIN document d ON d.document_id = a.document_id WHERE d.document_number = 'INV-1002' ORDER BY a.created_at, a.applied_minor",
    );
    expect(rows.map((r) => r.applied_minor).sort((a, b) => a - b)).toEqual([-400_00, 350_00, 400_00]);
    await t.database.transaction(async ({ client }) =>
      expect(await checkInvariants(client, ctx)).toEqual([]),
    );
  });

  it('reads XLSX with numeric and date cells exactly', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Invoices');
    sheet.addRow(['invoice_number', 'customer_id', 'invoice_date', 'amount', 'currency']);
    sheet.addRow(['X-100', 'C100', new Date(Date.UTC(2026, 2, 15)), 1234.56, 'USD']);
    sheet.addRow(['X-101', 'C100', '2026-03-16', 0.3, 'USD']);
    sheet.addRow(['X-102', 'C100', '2026-03-17', '19.99', 'USD']);
    const path = join(tmp, 'invoices.xlsx');
    await workbook.xlsx.writeFile(path);
    const summary = await run('invoices', path);
    expect(summary).toMatchObject({ rowsRead: 3, inserted: 3 });
    const docs = await t.database.query<{
      document_number: string;
      document_date: string;
      amount_minor: number;
    }>(
      "SELECT document_number, document_date, amount_minor FROM document WHERE document_number LIKE 'X-1%' ORDER BY 1",
    );
    expect(docs).toEqual([
      { document_number: 'X-100', document_date: '2026-03-15', amount_minor: 1234_56 },
      { document_number: 'X-101', document_date: '2026-03-16', amount_minor: 30 },
      { document_number: 'X-102', document_date: '2026-03-17', amount_minor: 19_99 },
    ]);
  });

  it('maps another layout with a mapping file (columns, constants, dates, decimal comma, delimiter)', async () => {
    const path = write(
      'erp-export.csv',
      ['Beleg;Kunde;Datum;Betrag', 'M-1;C100;15.03.2026;1.234,50', 'M-2;C101;16.03.2026;99,99'].join('\n'),
    );
    const mapPath = write(
      'map.json',
      JSON.stringify({
        columns: { invoice_number: 'beleg', customer_id: 'kunde', invoice_date: 'datum', amount: 'betrag' },
        constants: { currency: 'USD' },
        date_format: 'DD.MM.YYYY',
        decimal_separator: ',',
        delimiter: ';',
      }),
    );
    const { loadImportMapping } = await import('../src/imports/index.js');
    const summary = await run('invoices', path, { mapping: loadImportMapping(mapPath) });
    expect(summary).toMatchObject({ rowsRead: 2, inserted: 2 });
    const docs = await t.database.query<{
      document_number: string;
      amount_minor: number;
      document_date: string;
    }>(
      "SELECT document_number, amount_minor, document_date FROM document WHERE document_number LIKE 'M-%' ORDER BY 1",
    );
    expect(docs).toEqual([
      { document_number: 'M-1', amount_minor: 1234_50, document_date: '2026-03-15' },
      { document_number: 'M-2', amount_minor: 99_99, document_date: '2026-03-16' },
    ]);
    const badMap = write('bad-map.json', JSON.stringify({ columns: { amount: 3 }, date_format: 'someday' }));
    expect(() => loadImportMapping(badMap)).toThrow(
      /bad-map.json: invalid mapping: columns.amount: .*date_format/,
    );
  });

  it('merges a first file batch by batch, then stages the rest from the batch that meets a known number', async () => {
    const rows = ['invoice_number,customer_id,type,invoice_date,amount,currency,po_number,description'];
    for (let i = 1; i <= 10; i++)
      rows.push(
        `B-${i},C100,${i % 4 === 0 ? 'credit_memo' : 'invoice'},2026-01-${10 + (i % 3)},${i}.00,USD,,`,
      );
    rows.push('INV-1001,C100,invoice,2026-01-05,1200.00,USD,PO-1,Widgets'); // already in the ledger, unchanged
    for (let i = 11; i <= 16; i++) rows.push(`B-${i},C100,invoice,2026-01-${10 + (i % 3)},${i}.00,USD,,`);
    const path = write('batched.csv', rows.join('\n'));
    const entriesBefore = await t.database.query<{ n: number }>(
      'SELECT count(*)::int8 AS n FROM journal_entry',
    );
    const summary = await run('invoices', path, { loadBatchRows: 4 });
    expect(summary).toMatchObject({ rowsRead: 17, inserted: 16, updated: 0, unchanged: 1, rejected: 0 });
    const docs = await t.database.query<{ n: number; sum: number; open: number }>(
      "SELECT count(*)::int8 AS n, sum(amount_minor)::int8 AS sum, sum(open_minor)::int8 AS open FROM document WHERE document_number LIKE 'B-%'",
    );
    expect(docs).toEqual([{ n: 16, sum: 136_00, open: 136_00 }]);
    // One summary entry per date and direction, whether its documents were merged early or late.
    const entries = await t.database.query<{ memo: string }>(
      'SELECT memo FROM journal_entry WHERE source_id = $1 ORDER BY memo',
      [summary.importId],
    );
    expect(entries.map((e) => e.memo)).toEqual([
      'import: 1 credit memos in USD dated 2026-01-11',
      'import: 1 credit memos in USD dated 2026-01-12',
      'import: 4 invoices in USD dated 2026-01-12',
      'import: 5 invoices in USD dated 2026-01-10',
      'import: 5 invoices in USD dated 2026-01-11',
    ]);
    const entriesAfter = await t.database.query<{ n: number }>(
      'SELECT count(*)::int8 AS n FROM journal_entry',
    );
    expect(entriesAfter[0]!.n - entriesBefore[0]!.n).toBe(5);
    const unposted = await t.database.query(
      "SELECT 1 FROM document d WHERE d.document_number LIKE 'B-%' AND NOT EXISTS (SELECT 1 FROM journal_entry e WHERE e.entry_id = d.entry_id AND e.posting_date = d.document_date)",
    );
    expect(unposted).toEqual([]);
    await t.database.transaction(async ({ client }) => {
      expect(await checkInvariants(client, ctx)).toEqual([]);
      expect((await tieOut(client, ctx)).tied).toBe(true);
    });
    const again = await run('invoices', path, { loadBatchRows: 4 });
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 17 });
  });

  it('names the first line of a number repeated in a later batch, and can skip the repeat', async () => {
    const lines = ['invoice_number,customer_id,invoice_date,amount'];
    for (let i = 1; i <= 7; i++) lines.push(`R-${i},C100,2026-01-20,${i}.00`);
    lines.push('R-2,C100,2026-01-20,99.00'); // line 9 repeats line 3
    lines.push('R-8,C100,2026-01-20,8.00');
    const path = write('repeat-later.csv', lines.join('\n'));
    await expect(run('invoices', path, { loadBatchRows: 3 })).rejects.toThrow(
      'repeat-later.csv:9: column invoice_number: expected a number not already on line 3, found "R-2"',
    );
    expect(await t.database.query("SELECT 1 FROM document WHERE document_number LIKE 'R-%'")).toEqual([]);
    const summary = await run('invoices', path, { loadBatchRows: 3, skipBadRows: true });
    expect(summary).toMatchObject({ rowsRead: 9, inserted: 8, rejected: 1 });
    const r2 = await t.database.query<{ amount_minor: number }>(
      "SELECT amount_minor FROM document WHERE document_number = 'R-2'",
    );
    expect(r2).toEqual([{ amount_minor: 2_00 }]);
    await t.database.transaction(async ({ client }) =>
      expect(await checkInvariants(client, ctx)).toEqual([]),
    );
  });

  it('refuses a new invoice in a closed period after earlier batches were merged', async () => {
    await t.database.transaction(({ client }) =>
      setPeriodStatus(client, ctx, '2025-06', 'closed', actor, 'test'),
    );
    const lines = ['invoice_number,customer_id,invoice_date,amount'];
    for (let i = 1; i <= 5; i++) lines.push(`P-${i},C100,2026-02-0${i},${i}.00`);
    lines.push('P-6,C100,2025-06-15,6.00');
    const path = write('closed.csv', lines.join('\n'));
    await expect(run('invoices', path, { loadBatchRows: 2 })).rejects.toThrow(
      'closed.csv:7: column invoice_date: expected a date in an open period (2025-06 is closed)',
    );
    const summary = await run('invoices', path, { loadBatchRows: 2, skipBadRows: true });
    expect(summary).toMatchObject({ inserted: 5, rejected: 1 });
    await t.database.transaction(async ({ client }) =>
      expect(await checkInvariants(client, ctx)).toEqual([]),
    );
  });

  it('refuses payments that apply more than an invoice is open for', async () => {
    const path = write(
      'over.csv',
      [
        'payment_id,customer_id,payment_date,amount,currency,method,reference,invoice_number,applied_amount,fx_rate',
        'PAY-9,C102,2026-03-01,99999.00,EUR,wire,,INV-1003,99999.00,1.1',
      ].join('\n'),
    );
    await expect(run('payments', path)).rejects.toThrow(
      /over.csv:2: column applied_amount: expected no more than the invoice is open for/,
    );
  });
});
