import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingReport } from '../../src/collections/index.js';
import {
  buildStatement,
  customerStatement,
  type Statement,
  StatementError,
  statementsFor,
} from '../../src/collections/statement/index.js';
import { statementPdf } from '../../src/collections/statement/pdf.js';
import {
  statementCsv,
  statementJson,
  statementTable,
  statementXlsx,
} from '../../src/collections/statement/render.js';
import {
  adjustDocument,
  applyCredit,
  applyReceipt,
  type CompanyContext,
  putOnAccount,
  unapply,
} from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers, postings } from './setup.js';

function checkFigures(s: Statement): void {
  for (const sec of s.sections) {
    const moved = sec.lines.reduce((sum, l) => sum + l.amountMinor, 0);
    expect(sec.openingMinor + moved, `${s.customer.customerNumber} ${sec.currency}`).toBe(sec.closingMinor);
    expect(sec.chargesMinor - sec.paymentsAndCreditsMinor).toBe(moved);
    expect(sec.aging.totalMinor).toBe(sec.closingMinor);
    const agingSum =
      sec.aging.buckets.reduce((sum, b) => sum + b.amountMinor, 0) +
      sec.aging.creditsMinor +
      sec.aging.onAccountMinor +
      sec.aging.unappliedCashMinor;
    expect(agingSum).toBe(sec.aging.totalMinor);
    expect(sec.balanced).toBe(true);
  }
}

describe('statement core', () => {
  it('splits history into opening balance and period lines, and ages what is open', () => {
    const customer = {
      customerId: 'c',
      customerNumber: 'C1',
      name: 'C',
      email: null,
      phone: null,
      termsDays: 30,
    };
    const m = (date: string, kind: string, amountMinor: number) => ({
      customerId: 'c',
      currency: 'USD',
      date,
      kind,
      reference: kind,
      description: '',
      amountMinor,
      infoMinor: 0,
    });
    const s = buildStatement(
      customer,
      'Acme',
      { from: '2026-03-01', to: '2026-03-31' },
      [
        m('2026-02-01', 'invoice', 100_00),
        m('2026-03-05', 'invoice', 50_00),
        m('2026-03-10', 'payment', -80_00),
        m('2026-04-02', 'invoice', 9_00),
      ],
      [
        {
          customerId: 'c',
          currency: 'USD',
          kind: 'invoice',
          reference: 'I1',
          documentDate: '2026-02-01',
          dueDate: '2026-03-03',
          openMinor: 100_00,
        },
        {
          customerId: 'c',
          currency: 'USD',
          kind: 'invoice',
          reference: 'I2',
          documentDate: '2026-03-05',
          dueDate: '2026-04-04',
          openMinor: 50_00,
        },
        {
          customerId: 'c',
          currency: 'USD',
          kind: 'unapplied_cash',
          reference: 'R',
          documentDate: '2026-03-10',
          dueDate: null,
          openMinor: -80_00,
        },
      ],
    );
    const sec = s.sections[0]!;
    expect(sec).toMatchObject({
      openingMinor: 100_00,
      closingMinor: 70_00,
      chargesMinor: 50_00,
      paymentsAndCreditsMinor: 80_00,
    });
    expect(sec.lines.map((l) => l.balanceMinor)).toEqual([150_00, 70_00]);
    expect(sec.aging.buckets.map((b) => [b.label, b.amountMinor])).toEqual([
      ['current', 50_00],
      ['1-30', 100_00],
      ['31-60', 0],
      ['61-90', 0],
      ['91-120', 0],
      ['over 120', 0],
    ]);
    expect(sec.aging.unappliedCashMinor).toBe(-80_00);
    checkFigures(s);
    expect(() => buildStatement(customer, 'Acme', { from: '2026-04-01', to: '2026-03-01' }, [], [])).toThrow(
      StatementError,
    );
  });
});

/**
 * A family (P with subsidiary K) and a EUR customer with every kind of movement: invoices, a credit
 * memo and its application (later unapplied), a payment with a discount, a write-off, a parent paying
 * its subsidiary's invoice, cash put on account and cash left unapplied. Statements must add up and
 * agree with the aging module as of the same dates.
 */
describe.each(ENGINES)('statements on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openar-statement-'));
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'stm', [
      { number: 'P' },
      { number: 'K', parent: 'P' },
      { number: 'M', currency: 'EUR' },
    ]));
    await t.database.transaction(async ({ client }) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      const inv1 = await doc('INV-1', 'K', 'invoice', '2026-01-05', '2026-02-04', 1000_00);
      const inv2 = await doc('INV-2', 'K', 'invoice', '2026-02-10', '2026-03-12', 500_00);
      const cm1 = await doc('CM-1', 'K', 'credit_memo', '2026-02-20', '2026-02-20', 100_00);
      await doc('INV-M', 'M', 'invoice', '2026-03-01', '2026-03-31', 2000_00, {
        currency: 'EUR',
        rate: '1.08',
      });
      const r1 = await receipt('R1', 'K', '2026-02-25', 800_00);
      await applyReceipt(client, ctx, {
        receiptId: r1,
        documentId: inv1,
        cashMinor: 780_00,
        discountMinor: 20_00,
        postingDate: '2026-02-25',
        actor,
      });
      await adjustDocument(client, ctx, {
        documentId: inv1,
        kind: 'small_balance',
        amountMinor: 10_00,
        postingDate: '2026-03-02',
        reason: 'rounding agreed',
        actor,
      });
      const creditApp = await applyCredit(client, ctx, {
        creditDocumentId: cm1,
        documentId: inv2,
        amountMinor: 50_00,
        postingDate: '2026-03-05',
        actor,
      });
      await receipt('R2', 'P', '2026-03-10', 300_00);
      await apply('R2', 'INV-2', 300_00, '2026-03-10');
      const r3 = await receipt('R3', 'K', '2026-03-15', 100_00);
      await putOnAccount(client, ctx, {
        receiptId: r3,
        amountMinor: 60_00,
        postingDate: '2026-03-15',
        actor,
      });
      await unapply(client, ctx, {
        applicationId: creditApp,
        postingDate: '2026-03-18',
        reason: 'credit memo belongs to INV-1',
        actor,
      });
    });
  });

  afterAll(async () => {
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds up: opening + movements = closing = the aging of what is open', async () => {
    const k = await t.database.transaction(({ client }) =>
      customerStatement(client, ctx, 'K', { from: '2026-02-01', to: '2026-03-31' }),
    );
    checkFigures(k);
    const sec = k.sections[0]!;
    expect(sec.openingMinor).toBe(1000_00); // INV-1 only
    expect(sec.lines.map((l) => [l.date, l.kind, l.reference, l.amountMinor])).toEqual([
      ['2026-02-10', 'invoice', 'INV-2', 500_00],
      ['2026-02-20', 'credit_memo', 'CM-1', -100_00],
      ['2026-02-25', 'payment', 'R1', -800_00],
      ['2026-02-25', 'discount', 'INV-1', -20_00],
      ['2026-02-25', 'applied', 'R1', 0],
      ['2026-03-02', 'small_balance', 'INV-1', -10_00],
      ['2026-03-05', 'applied', 'CM-1', 0],
      ['2026-03-10', 'paid_by_other', 'R2', -300_00],
      ['2026-03-10', 'applied', 'R2', 0],
      ['2026-03-15', 'payment', 'R3', -100_00],
      ['2026-03-18', 'applied', 'CM-1', 0],
    ]);
    // Open on 03-31: INV-1 190 + INV-2 200 − CM-1 100 − on account 60 − unapplied 60 (20 left on R1, 40 on R3).
    expect(sec.closingMinor).toBe(170_00);
    expect(sec.aging.creditsMinor).toBe(-100_00);
    expect(sec.aging.onAccountMinor).toBe(-60_00);
    expect(sec.aging.unappliedCashMinor).toBe(-60_00);
  });

  it('shows a parent paying its subsidiary on both statements, and agrees with the aging module', async () => {
    for (const to of ['2026-02-28', '2026-03-12', '2026-03-31']) {
      const statements = await t.database.transaction(({ client }) =>
        statementsFor(client, ctx, [ids.P!, ids.K!, ids.M!], { from: '2026-01-01', to }),
      );
      const aging = await t.database.transaction(({ client }) => agingReport(client, ctx, { asOf: to }));
      for (const [id, s] of statements) {
        checkFigures(s);
        for (const sec of s.sections) {
          const row = aging.rows.find((r) => r.key === id && r.currency === sec.currency);
          expect(sec.closingMinor, `${s.customer.customerNumber} on ${to}`).toBe(row?.amounts.net ?? 0);
        }
      }
    }
    const p = await t.database.transaction(({ client }) =>
      customerStatement(client, ctx, 'P', { from: '2026-03-01', to: '2026-03-31' }),
    );
    expect(p.sections[0]!.lines.map((l) => [l.kind, l.amountMinor])).toEqual([
      ['payment', -300_00],
      ['paid_for_other', 300_00],
    ]);
    expect(p.sections[0]!.closingMinor).toBe(0);
  });

  it('writes table, CSV, JSON, XLSX and PDF', async () => {
    const [k, m] = await t.database.transaction(async ({ client }) => [
      await customerStatement(client, ctx, 'K', { from: '2026-02-01', to: '2026-03-31' }),
      await customerStatement(client, ctx, 'M', { from: '2026-03-01', to: '2026-03-31' }),
    ]);
    expect(statementTable(k)).toMatch(/closing balance\s+170\.00/);
    const csv = statementCsv(k).split('\n');
    expect(csv[0]).toBe(
      'row_type,customer,currency,date,kind,reference,description,debit,credit,amount,balance,due_date,days_overdue,bucket',
    );
    expect(csv.find((l) => l.startsWith('closing,'))).toMatch(/,170\.00,/);
    const json = statementJson(m);
    expect(json.sections[0]).toMatchObject({
      currency: 'EUR',
      opening_balance: '0.00',
      closing_balance: '2000.00',
      balanced: true,
    });
    expect(json.sections[0]!.aging.buckets.current).toBe('2000.00');
    const xlsx = join(dir, 'k.xlsx');
    await statementXlsx(k, xlsx);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Statement', 'Open items', 'Data']);
    expect(wb.getWorksheet('Data')!.rowCount).toBe(
      1 + 1 + k.sections[0]!.lines.length + 1 + k.sections[0]!.openItems.length,
    );
    for (const language of ['en', 'de', 'fr']) {
      const pdf = await statementPdf(k, language);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(1000);
    }
  });

  it('names an unknown customer', async () => {
    await expect(
      t.database.transaction(({ client }) =>
        customerStatement(client, ctx, 'NOPE', { from: '2026-01-01', to: '2026-01-31' }),
      ),
    ).rejects.toThrow(/no customer NOPE/);
  });
});
