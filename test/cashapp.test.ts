import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManually, rejectSuggestion, revertRun } from '../src/cashapp/manual.js';
import { cashappQueue, cashappStats, exportApplications } from '../src/cashapp/reports.js';
import { runCashapp } from '../src/cashapp/run.js';
import { listDeductions } from '../src/disputes/index.js';
import {
  type CompanyContext,
  checkInvariants,
  createCompany,
  postDocument,
  recordReceipt,
  tieOut,
} from '../src/ledger/index.js';
import type { SqlClient } from '../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const actor = 'clerk';

async function customer(
  client: SqlClient,
  ctx: CompanyContext,
  number: string,
  name: string,
  parent: string | null = null,
) {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO customer (company_id, customer_id, customer_number, name, parent_customer_id, currency, created_by, updated_by)
     VALUES ($1, gen_random_uuid(), $2, $3, $4, 'USD', 't', 't') RETURNING customer_id AS id`,
    [ctx.companyId, number, name, parent],
  );
  return rows[0]!.id;
}

/** Everything a revert must put back: balances, payers, GL totals. */
async function snapshot(client: SqlClient, ctx: CompanyContext) {
  const docs = await client.query(
    'SELECT document_number, open_minor, open_base_minor FROM document WHERE company_id = $1 ORDER BY 1',
    [ctx.companyId],
  );
  const receipts = await client.query(
    'SELECT receipt_key, customer_id, unapplied_minor, on_account_minor, unapplied_base_minor FROM receipt WHERE company_id = $1 ORDER BY 1',
    [ctx.companyId],
  );
  const gl = await client.query(
    `SELECT account_code, sum(base_amount_minor)::int8 AS total FROM journal_line WHERE company_id = $1
      GROUP BY account_code ORDER BY account_code`,
    [ctx.companyId],
  );
  return { docs: docs.rows, receipts: receipts.rows, gl: gl.rows };
}

describe.each(ENGINES)('cash application on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  const ids: Record<string, string> = {};
  let preRun: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    await t.database.transaction(async ({ client }) => {
      ctx = await createCompany(client, { code: 'acme', name: 'Acme', baseCurrency: 'USD', actor });
      ids.parent = await customer(client, ctx, 'C100', 'Northwind Holdings Inc.');
      ids.child = await customer(client, ctx, 'C101', 'Northwind Retail LLC', ids.parent);
      ids.bolt = await customer(client, ctx, 'C200', 'Bolt & Nut Manufacturing LLC');
      ids.cobalt = await customer(client, ctx, 'C300', 'Cobalt Outfitters Ltd');
      await client.query(
        `INSERT INTO customer_bank_account (company_id, customer_id, account_key, account_text, source, created_by)
         VALUES ($1, $2, 'NL91ABNA0417164300', 'NL91 ABNA 0417 1643 00', 'import', 't')`,
        [ctx.companyId, ids.parent],
      );
      const invoices: [string, string, number][] = [
        ['INV-2026-0001001', ids.child!, 1_000_00],
        ['INV-2026-0001002', ids.child!, 2_500_00],
        ['INV-2026-0001003', ids.bolt!, 400_00],
        ['INV-2026-0001004', ids.bolt!, 730_00],
        ['INV-2026-0001005', ids.bolt!, 99_99],
        ['INV-2026-0001006', ids.cobalt!, 5_000_00],
        ['INV-2026-0001007', ids.cobalt!, 777_00],
      ];
      for (const [number, customerId, amountMinor] of invoices) {
        ids[number] = await postDocument(client, ctx, {
          documentNumber: number,
          customerId,
          docType: 'invoice',
          documentDate: '2026-10-01',
          dueDate: '2026-10-31',
          currency: 'USD',
          amountMinor,
          actor,
        });
      }
      const receipt = (key: string, amountMinor: number, extra: Record<string, string | null>) =>
        recordReceipt(client, ctx, {
          receiptKey: key,
          customerId: null,
          receiptDate: '2026-10-20',
          method: 'ach',
          currency: 'USD',
          amountMinor,
          actor,
          ...extra,
        });
      // Parent pays two of its subsidiary's invoices, quoted without prefix and zeros.
      ids.r1 = await receipt('R1', 3_500_00, {
        payerName: 'NORTHWIND HOLDINGS',
        payerAccount: 'NL91ABNA0417164300',
        remittanceText: 'INV 2026-1001 2026-1002',
      });
      // No reference: the amount equals exactly one set of Bolt's open items.
      ids.r2 = await receipt('R2', 1_130_00, { payerName: 'BOLT AND NUT MFG' });
      // Short pay with a reason: a deduction stays open.
      ids.r3 = await receipt('R3', 4_750_00, {
        payerName: 'COBALT OUTFITTERS',
        remittanceText: 'INV-2026-0001006 LESS 250.00 DAMAGED GOODS',
      });
      // Nobody knows this payer.
      ids.r4 = await receipt('R4', 123_45, { payerName: 'ZZ UNKNOWN TRADING' });
      preRun = await snapshot(client, ctx);
    });
  });
  afterAll(async () => t?.dispose());

  it('applies what is certain, explains it, and queues the rest', async () => {
    const summary = await runCashapp(t.database, ctx, { actor, postingDate: '2026-10-21' });
    expect(summary).toMatchObject({ receipts: 4, auto: 3, unapplied: 1, deductions: 1 });
    const rows = await t.database.transaction(({ client }) => exportApplications(client, ctx));
    const of = (receiptId: string) =>
      rows.filter((r) => r.receipt_id === receiptId).map((r) => [r.kind, r.invoice_number, r.amount, r.mode]);
    expect(of(ids.r1!)).toEqual([
      ['payment', 'INV-2026-0001001', '1000.00', 'auto'],
      ['payment', 'INV-2026-0001002', '2500.00', 'auto'],
    ]);
    expect(rows.find((r) => r.receipt_id === ids.r1)!.customer_number).toBe('C100');
    expect(
      of(ids.r2!)
        .map((r) => r[1])
        .sort(),
    ).toEqual(['INV-2026-0001003', 'INV-2026-0001004']);
    expect(of(ids.r3!)).toEqual([
      ['deduction', 'INV-2026-0001006', '250.00', 'auto'],
      ['payment', 'INV-2026-0001006', '4750.00', 'auto'],
    ]);
    expect(of(ids.r4!)).toEqual([['unapplied', null, '123.45', 'auto']]);
    const deductions = await t.database.transaction(({ client }) =>
      listDeductions(client, ctx, { status: 'open' }),
    );
    expect(deductions).toMatchObject([
      { amountMinor: 250_00, reasonCode: 'DAMAGED', documentId: ids['INV-2026-0001006'] },
    ]);
    const queue = await t.database.transaction(({ client }) => cashappQueue(client, ctx));
    expect(queue.map((q) => q.receipt_id)).toEqual([ids.r4]);
    await t.database.transaction(async ({ client }) => {
      expect((await tieOut(client, ctx)).tied).toBe(true);
      expect(await checkInvariants(client, ctx)).toEqual([]);
    });
  });

  it('is idempotent: a second run applies nothing twice', async () => {
    const again = await runCashapp(t.database, ctx, { actor, postingDate: '2026-10-21' });
    expect(again).toMatchObject({ receipts: 1, auto: 0, applications: 0 });
  });

  it('reverts a run exactly, and a new run gets back to the same state', async () => {
    const runId = await t.database.transaction(async ({ client }) => {
      const { rows } = await client.query<{ run_id: string }>(
        `SELECT run_id FROM cashapp_run WHERE company_id = $1 AND auto > 0`,
        [ctx.companyId],
      );
      return rows[0]!.run_id;
    });
    const applied = await t.database.transaction(({ client }) => snapshot(client, ctx));
    const reverted = await revertRun(t.database, ctx, runId, { actor, reason: 'test' });
    expect(reverted).toMatchObject({ applicationsReversed: 5, deductionsCancelled: 1 });
    expect(await t.database.transaction(({ client }) => snapshot(client, ctx))).toEqual(preRun);
    expect(await t.database.transaction(({ client }) => cashappQueue(client, ctx))).toHaveLength(4);
    await runCashapp(t.database, ctx, { actor, postingDate: '2026-10-21' });
    expect(await t.database.transaction(({ client }) => snapshot(client, ctx))).toEqual(applied);
    await expect(revertRun(t.database, ctx, runId, { actor, reason: 'twice' })).rejects.toThrow(
      /already reverted/,
    );
    await t.database.transaction(async ({ client }) =>
      expect(await checkInvariants(client, ctx)).toEqual([]),
    );
  });

  it('learns from a person: an alias applied by hand identifies the payer next time', async () => {
    const s = await applyManually(t.database, ctx, {
      receipt: 'R4',
      invoices: [{ number: 'INV-2026-0001005', amountMinor: null }],
      onAccount: true,
      writeOffReason: null,
      postingDate: '2026-10-22',
      actor,
    });
    expect(s.learned.aliases).toBe(1);
    const rows = await t.database.transaction(({ client }) => exportApplications(client, ctx));
    expect(rows.filter((r) => r.receipt_id === ids.r4).map((r) => [r.kind, r.amount, r.mode])).toEqual([
      ['on_account', '23.46', 'manual'],
      ['payment', '99.99', 'manual'],
    ]);
    await t.database.transaction(async ({ client }) => {
      const r5 = await recordReceipt(client, ctx, {
        receiptKey: 'R5',
        customerId: null,
        receiptDate: '2026-10-25',
        method: 'ach',
        currency: 'USD',
        amountMinor: 777_00,
        actor,
        payerName: 'ZZ Unknown Trading',
      });
      ids.r5 = r5;
    });
    const run = await runCashapp(t.database, ctx, { actor, postingDate: '2026-10-25' });
    expect(run.auto).toBe(0); // the alias names Bolt, whose open items do not add up to 777.00
    const queue = await t.database.transaction(({ client }) => cashappQueue(client, ctx));
    const item = queue.find((q) => q.receipt_id === ids.r5)!;
    expect(item.customer_number).toBe('C200');
    const rejected = await rejectSuggestion(t.database, ctx, {
      receipt: 'R5',
      customerNumber: 'C200',
      reason: 'not Bolt',
      actor,
    });
    expect(rejected).toBe(1);
    await runCashapp(t.database, ctx, { actor, postingDate: '2026-10-25' });
    const after = (await t.database.transaction(({ client }) => cashappQueue(client, ctx))).find(
      (q) => q.receipt_id === ids.r5,
    )!;
    expect(after.suggestions.every((s) => s.customer_number !== 'C200')).toBe(true);
    const stats = await t.database.transaction(({ client }) => cashappStats(client, ctx, 'all'));
    expect(stats[0]).toMatchObject({ receipts: 5, straightThrough: 3 });
  });
});
