import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { checkInvariants, loadCompany } from '../ledger/index.js';
import { generateDemoFiles, resolveGenerateOptions } from './generate.js';
import { ibanValid } from './names.js';
import { type DemoSummary, formatAmount, runDemo } from './run.js';

const AS_OF = '2025-06-30';
const CUSTOMERS = 40;
const actor = 'tester';

describe('generateDemoFiles', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'openar-demo-test-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const files = ['customers.csv', 'invoices.csv', 'payments.csv', 'rates.csv', 'credit-applications.csv'];

  it('gives the same bytes for the same seed, and other bytes for another seed', async () => {
    await generateDemoFiles(join(tmp, 'a'), { seed: 7, customers: CUSTOMERS, asOf: AS_OF });
    await generateDemoFiles(join(tmp, 'b'), { seed: 7, customers: CUSTOMERS, asOf: AS_OF });
    await generateDemoFiles(join(tmp, 'c'), { seed: 8, customers: CUSTOMERS, asOf: AS_OF });
    for (const f of files) {
      expect(readFileSync(join(tmp, 'b', f)).equals(readFileSync(join(tmp, 'a', f))), f).toBe(true);
    }
    expect(
      readFileSync(join(tmp, 'c', 'invoices.csv')).equals(readFileSync(join(tmp, 'a', 'invoices.csv'))),
    ).toBe(false);
  });

  it('writes amounts with two decimals, nothing after the as-of date, and valid IBANs', async () => {
    const dir = join(tmp, 'a');
    const rows = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').slice(1);
    for (const line of rows('invoices.csv')) {
      const [, , , date, due, amount] = line.split(',');
      expect(amount).toMatch(/^\d+\.\d{2}$/);
      expect(date! <= AS_OF && date! <= due!).toBe(true);
    }
    for (const line of rows('payments.csv')) expect(line.split(',')[2]! <= AS_OF).toBe(true);
    const ibans = rows('customers.csv')
      .flatMap((l) => l.split(',').at(-1)!.split(';'))
      .filter((a) => /^[A-Z]{2}\d\d /.test(a));
    expect(ibans.length).toBeGreaterThan(0);
    for (const iban of ibans) expect(ibanValid(iban), iban).toBe(true);
  });

  it('refuses bad options before anything is written', async () => {
    await expect(generateDemoFiles(join(tmp, 'x'), { asOf: '2025-02-30' })).rejects.toThrow(/YYYY-MM-DD/);
    expect(() => resolveGenerateOptions({ seed: Number.NaN, asOf: AS_OF })).toThrow(/seed/);
    expect(() => resolveGenerateOptions({ customers: 0, asOf: AS_OF })).toThrow(/customer count/);
    expect(resolveGenerateOptions({ asOf: AS_OF })).toEqual({ seed: 42, customers: 300, asOf: AS_OF });
  });
});

describe.each(ENGINES)('openar demo on %s', (engine) => {
  let t: TestDatabase;
  let summary: DemoSummary;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    summary = await runDemo(t.database, {
      seed: 7,
      customers: CUSTOMERS,
      asOf: AS_OF,
      actor,
      log: (l) => lines.push(l),
    });
  });
  afterAll(async () => t?.dispose());

  it('imports customers, invoices and payments with no rejects', () => {
    expect(summary.created).toBe(true);
    expect(summary.imports.map((i) => [i.kind, i.rejected])).toEqual([
      ['customers', 0],
      ['invoices', 0],
      ['payments', 0],
    ]);
    for (const i of summary.imports) expect(i.inserted).toBeGreaterThan(0);
    expect(summary.counts.customers).toBe(CUSTOMERS);
    expect(summary.counts.invoices).toBe(summary.generated!.invoices);
    expect(summary.counts.receipts).toBe(summary.generated!.payments);
    expect(summary.creditsApplied).toBe(summary.generated!.creditDeductions);
  });

  it('leaves a consistent ledger that ties to the GL', async () => {
    const violations = await t.database.transaction(async ({ client }) =>
      checkInvariants(client, await loadCompany(client, 'demo')),
    );
    expect(violations).toEqual([]);
    expect(summary.tieOut.tied).toBe(true);
    expect(summary.arOpenMinor).toBe(summary.tieOut.arBase.subledgerMinor);
    expect(summary.unappliedMinor).toBe(summary.tieOut.unappliedBase.subledgerMinor);
  });

  it('works the collections morning: worklist, deductions, and a dunning run received over SMTP', () => {
    const day = summary.collections!;
    expect(day.worklist.some((l) => /Worklist as of/.test(l))).toBe(true);
    expect(day.disputes.some((l) => /cases/.test(l))).toBe(true);
    expect(Number(/^(\d+) deductions taken on short payments/.exec(day.disputes[0]!)?.[1])).toBeGreaterThan(
      0,
    );
    expect(day.dunning.some((l) => /e-mails sent/.test(l))).toBe(true);
    expect(day.emailsReceived).toBeGreaterThan(0);
    expect(day.emailsWithPdf).toBe(day.emailsReceived);
    expect(lines).toContain("This morning's worklist:");
  });

  it('has what a real receivables book has', async () => {
    const c = summary.counts;
    expect(c.parents).toBeGreaterThan(0);
    expect(c.subsidiaries).toBeGreaterThanOrEqual(c.parents);
    expect(c.foreignCustomers).toBeGreaterThan(0);
    expect(c.foreignDocuments).toBeGreaterThan(0);
    expect(c.creditMemos).toBeGreaterThan(0);
    expect(c.debitMemos).toBeGreaterThan(0);
    expect(c.onAccountReceipts).toBeGreaterThan(0);
    expect(c.unappliedReceipts).toBeGreaterThan(0);
    expect(c.unidentifiedReceipts).toBeGreaterThan(0);
    expect(summary.onAccountMinor).toBeGreaterThan(0);
    expect(summary.unappliedMinor).toBeGreaterThan(0);
    const [partial] = await t.database.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM document WHERE doc_type = 'invoice' AND open_minor > 0 AND open_minor < amount_minor`,
    );
    expect(partial!.n).toBeGreaterThan(0);
    const [combined] = await t.database.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM (SELECT receipt_id FROM application WHERE kind = 'payment'
         GROUP BY receipt_id HAVING count(*) > 1) x`,
    );
    expect(combined!.n).toBeGreaterThan(0);
    const [fx] = await t.database.query<{ n: number }>(
      'SELECT count(*)::int8 AS n FROM application WHERE fx_gain_loss_base_minor <> 0',
    );
    expect(fx!.n).toBeGreaterThan(0);
  });

  it('ages open items across the buckets, down to more than 90 days past due', () => {
    const filled = summary.aging.filter((b) => b.documents > 0).map((b) => b.label);
    expect(filled.length).toBeGreaterThanOrEqual(4);
    expect(filled).toContain('current');
    expect(filled.some((l) => l === '91-120 days' || l === 'over 120 days')).toBe(true);
    expect(summary.topPastDue.length).toBeGreaterThan(0);
    expect(summary.topPastDue[0]!.pastDueMinor).toBeGreaterThanOrEqual(
      summary.topPastDue.at(-1)!.pastDueMinor,
    );
    expect(lines.some((l) => l.includes(': tied'))).toBe(true);
  });

  it('shows the collection metrics of the last six months, the last one to the as-of date', () => {
    const months = summary.metricsByMonth;
    expect(months).toHaveLength(6);
    expect(months.at(-1)!.to).toBe(AS_OF);
    for (const m of months.slice(0, -1)) {
      expect(m.from.slice(8)).toBe('01');
      expect(typeof m.dso).toBe('number');
      expect(m.percentCurrent).toBeGreaterThan(0);
    }
    // The metrics rebuild AR on the as-of date; the summary reads it from the open balances.
    expect(months.at(-1)!.arEndMinor).toBe(summary.arOpenMinor);
    expect(lines.some((l) => l.startsWith('Collection metrics by month'))).toBe(true);
  });

  it('describes the existing demo on a second run instead of importing again', async () => {
    const again: string[] = [];
    const second = await runDemo(t.database, {
      customers: CUSTOMERS,
      asOf: AS_OF,
      actor,
      log: (l) => again.push(l),
    });
    expect(second.created).toBe(false);
    expect(second.imports).toEqual([]);
    expect(second.counts).toEqual(summary.counts);
    expect(second.aging).toEqual(summary.aging);
    expect(again[0]).toContain('already exists');
  });
});

describe('formatAmount', () => {
  it('groups thousands without going through a float', () => {
    expect(formatAmount(123456789012, 'USD')).toBe('1,234,567,890.12');
    expect(formatAmount(-5, 'USD')).toBe('-0.05');
    expect(formatAmount(100000, 'JPY')).toBe('100,000');
  });
});
