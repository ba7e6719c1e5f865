import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgingDetailRow,
  type AgingReport,
  type AgingRow,
  agingDetail,
  agingReport,
  agingReportOn,
  bucketIndex,
  CollectionsError,
  LINE_CODE,
} from '../../src/collections/index.js';
import {
  adjustDocument,
  type CompanyContext,
  putOnAccount,
  recordReceipt,
  tieOut,
} from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers, postings } from './setup.js';

/**
 * One small company whose aging is worked out by hand (see the comments): buckets, credits,
 * on-account and unapplied cash lines, every grouping, both bases, custom buckets, past dates
 * rebuilt from history, and agreement with the ledger's tie-out.
 */
describe.each(ENGINES)('aging on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'aging', [
      { number: 'P' },
      { number: 'A', parent: 'P', collector: 'alice' },
      { number: 'B', collector: 'bob', currency: 'EUR' },
    ]));
    await t.database.transaction(async ({ client }) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      await doc('INV-A1', 'A', 'invoice', '2026-01-01', '2026-01-31', 100_00);
      await doc('INV-A2', 'A', 'invoice', '2026-02-15', '2026-03-17', 200_00);
      await doc('CM-A1', 'A', 'credit_memo', '2026-02-20', '2026-02-20', 30_00);
      await doc('INV-B1', 'B', 'invoice', '2026-01-10', '2026-02-09', 50_00, {
        currency: 'EUR',
        rate: '1.1',
      });
      const p1 = await doc('INV-P1', 'P', 'invoice', '2025-10-01', '2025-10-31', 70_00);
      const r1 = await receipt('R1', 'A', '2026-03-01', 150_00);
      await apply('R1', 'INV-A1', 100_00, '2026-03-01');
      await putOnAccount(client, ctx, {
        receiptId: r1,
        amountMinor: 20_00,
        postingDate: '2026-03-05',
        actor,
      });
      await recordReceipt(client, ctx, {
        receiptKey: 'R2',
        customerId: null,
        receiptDate: '2026-03-10',
        method: 'wire',
        currency: 'USD',
        amountMinor: 40_00,
        actor,
      });
      await adjustDocument(client, ctx, {
        documentId: p1,
        kind: 'write_off',
        amountMinor: 10_00,
        postingDate: '2026-03-20',
        reason: 'goodwill',
        actor,
      });
    });
  });
  afterAll(async () => t?.dispose());

  const report = (asOf: string, extra: Partial<Parameters<typeof agingReport>[2]> = {}) =>
    t.database.transaction(({ client }) => agingReport(client, ctx, { asOf, ...extra }));
  const row = (r: AgingReport, number: string | null, currency = 'USD'): AgingRow | undefined =>
    r.rows.find((x) => x.number === number && x.currency === currency);
  const rowByKey = (r: AgingReport, key: string | null, currency = 'USD') =>
    r.rows.find((x) => x.key === key && x.currency === currency);

  it('ages by due date with credits, on-account and unapplied cash on their own lines', async () => {
    const r = await report('2026-03-31');
    expect(r.strategy).toBe('current');
    expect(r.buckets.map((b) => b.label)).toEqual([
      'current',
      '1-30',
      '31-60',
      '61-90',
      '91-120',
      'over 120',
    ]);
    // INV-A2 is 14 days past due; CM-A1 a credit; R1 left 20.00 on account and 30.00 unapplied.
    expect(row(r, 'A')!.amounts).toEqual({
      buckets: [0, 200_00, 0, 0, 0, 0],
      credits: -30_00,
      onAccount: -20_00,
      ar: 150_00,
      unappliedCash: -30_00,
      net: 120_00,
    });
    // INV-B1: EUR 50.00 at 1.1, 50 days past due.
    expect(row(r, 'B', 'EUR')!.amounts.buckets).toEqual([0, 0, 50_00, 0, 0, 0]);
    expect(row(r, 'B', 'EUR')!.base.buckets).toEqual([0, 0, 55_00, 0, 0, 0]);
    // INV-P1: 70.00 less a 10.00 write-off, 151 days past due.
    expect(row(r, 'P')!.amounts.buckets).toEqual([0, 0, 0, 0, 0, 60_00]);
    // R2 has no customer yet: unidentified cash, its own row.
    expect(rowByKey(r, null)!.amounts).toMatchObject({ ar: 0, unappliedCash: -40_00, net: -40_00 });
    const usd = r.totalsByCurrency.find((x) => x.currency === 'USD')!;
    expect(usd.amounts).toEqual({
      buckets: [0, 200_00, 0, 0, 0, 60_00],
      credits: -30_00,
      onAccount: -20_00,
      ar: 210_00,
      unappliedCash: -70_00,
      net: 140_00,
    });
    expect(r.totalBase.ar).toBe(210_00 + 55_00);
    expect(r.totalItems).toBe(7);
  });

  it('has bucket totals equal to the ledger balance on several dates', async () => {
    for (const asOf of ['2025-09-30', '2025-12-31', '2026-01-31', '2026-02-28', '2026-03-04', '2026-03-31']) {
      const [r, tie] = await t.database.transaction(
        async ({ client }) =>
          [await agingReport(client, ctx, { asOf }), await tieOut(client, ctx, asOf)] as const,
      );
      expect(tie.tied).toBe(true);
      for (const line of tie.arByCurrency) {
        expect(r.totalsByCurrency.find((x) => x.currency === line.currency)?.amounts.ar ?? 0).toBe(
          line.glMinor,
        );
      }
      expect(r.totalBase.ar).toBe(tie.arBase.glMinor);
      expect(r.totalBase.unappliedCash + tie.unappliedBase.glMinor).toBe(0);
    }
  });

  it('rebuilds a past date from history, the same forward and backward', async () => {
    const back = await report('2026-02-28', { strategy: 'backward' });
    const fwd = await report('2026-02-28', { strategy: 'forward' });
    expect({ ...back, strategy: '' }).toEqual({ ...fwd, strategy: '' });
    // INV-A1 28 days past due, INV-A2 not yet due, INV-P1 exactly 120 days, no cash yet.
    expect(row(back, 'A')!.amounts).toMatchObject({
      buckets: [200_00, 100_00, 0, 0, 0, 0],
      credits: -30_00,
      ar: 270_00,
    });
    expect(row(back, 'P')!.amounts.buckets).toEqual([0, 0, 0, 0, 70_00, 0]);
    expect(row(back, 'B', 'EUR')!.amounts.buckets).toEqual([0, 50_00, 0, 0, 0, 0]);
    expect(rowByKey(back, null)).toBeUndefined();
    // On 2026-03-04 the receipt had been applied but not yet put on account.
    const mid = await report('2026-03-04');
    expect(row(mid, 'A')!.amounts).toMatchObject({ onAccount: 0, unappliedCash: -50_00, ar: 170_00 });
  });

  it('refuses the cached balances for a date with later postings', async () => {
    await expect(report('2026-02-28', { strategy: 'current' })).rejects.toBeInstanceOf(CollectionsError);
  });

  it('groups by top parent, collector and currency', async () => {
    const byParent = await report('2026-03-31', { by: 'parent' });
    const p = byParent.rows.find((x) => x.number === 'P' && x.currency === 'USD')!;
    expect(p.amounts).toMatchObject({ buckets: [0, 200_00, 0, 0, 0, 60_00], credits: -30_00, ar: 210_00 });
    expect(byParent.rows.find((x) => x.number === 'B')!.amounts.ar).toBe(50_00);
    // Summed per top parent before the parent is described: base amounts beside, unidentified cash alone.
    expect(byParent.rows.find((x) => x.number === 'B' && x.currency === 'EUR')!.base.ar).toBe(55_00);
    expect(rowByKey(byParent, null)!.amounts).toMatchObject({ ar: 0, unappliedCash: -40_00 });

    const byCollector = await report('2026-03-31', { by: 'collector' });
    expect(rowByKey(byCollector, 'alice')!.amounts.ar).toBe(150_00);
    expect(rowByKey(byCollector, 'bob', 'EUR')!.amounts.ar).toBe(50_00);
    expect(rowByKey(byCollector, '')!.amounts.ar).toBe(60_00);
    expect(rowByKey(byCollector, null)!.amounts.unappliedCash).toBe(-40_00);

    const byCurrency = await report('2026-03-31', { by: 'currency' });
    expect(byCurrency.rows.map((x) => [x.key, x.amounts.ar, x.base.ar])).toEqual([
      ['EUR', 50_00, 55_00],
      ['USD', 210_00, 210_00],
    ]);
  });

  it('ages by invoice date, in custom buckets, and with credit memos aged', async () => {
    const inv = await report('2026-03-31', { basis: 'invoice' });
    expect(inv.buckets.map((b) => b.label)).toEqual(['0-30', '31-60', '61-90', '91-120', 'over 120']);
    expect(row(inv, 'A')!.amounts.buckets).toEqual([0, 200_00, 0, 0, 0]);
    expect(row(inv, 'B', 'EUR')!.amounts.buckets).toEqual([0, 0, 50_00, 0, 0]);
    expect(row(inv, 'P')!.amounts.buckets).toEqual([0, 0, 0, 0, 60_00]);

    const custom = await report('2026-03-31', { thresholds: [15, 45] });
    expect(custom.buckets.map((b) => b.label)).toEqual(['current', '1-15', '16-45', 'over 45']);
    expect(custom.totalsByCurrency.find((x) => x.currency === 'USD')!.amounts.buckets).toEqual([
      0, 200_00, 0, 60_00,
    ]);

    const aged = await report('2026-03-31', { agedCredits: true });
    expect(row(aged, 'A')!.amounts).toMatchObject({
      buckets: [0, 200_00, -30_00, 0, 0, 0],
      credits: 0,
      ar: 150_00,
    });
  });

  it('lists every open item in detail, in batches', async () => {
    const rows: AgingDetailRow[] = [];
    const result = await t.database.transaction(({ client }) =>
      agingDetail(client, ctx, { asOf: '2026-03-31' }, (batch) => void rows.push(...batch), 3),
    );
    expect(result.count).toBe(7);
    expect(rows.map((r) => [r.customerNumber, r.number, r.docType, r.bucket, r.openMinor])).toEqual([
      ['A', 'INV-A2', 'invoice', 1, 200_00],
      ['A', 'CM-A1', 'credit_memo', LINE_CODE.credits, -30_00],
      ['A', 'R1', 'on_account', LINE_CODE.onAccount, -20_00],
      ['A', 'R1', 'unapplied_cash', LINE_CODE.unappliedCash, -30_00],
      ['B', 'INV-B1', 'invoice', 2, 50_00],
      ['P', 'INV-P1', 'invoice', 5, 60_00],
      [null, 'R2', 'unapplied_cash', LINE_CODE.unappliedCash, -40_00],
    ]);
    const a2 = rows.find((r) => r.number === 'INV-A2')!;
    expect(a2).toMatchObject({ parentNumber: 'P', collector: 'alice', dueDate: '2026-03-17', ageDays: 14 });
  });

  it('gives the same summary split across connections that read one snapshot', async () => {
    const groupings = ['customer', 'parent', 'collector', 'currency'] as const;
    const whole = await Promise.all(groupings.map((by) => report('2026-03-31', { by })));
    for (const readers of [2, 3, 4]) {
      for (const [i, by] of groupings.entries()) {
        const split = await t.database.readTogether(readers, async (clients) => {
          // PostgreSQL splits among as many connections as asked; PGlite has one.
          expect(clients.length).toBe(engine === 'postgres' ? readers : 1);
          return agingReportOn(clients, ctx, { asOf: '2026-03-31', by });
        });
        expect(split).toEqual(whole[i]);
      }
    }
    // The parent P and its child A are summed into one row whichever part each was in.
    const byParent = whole[1]!;
    expect(byParent.rows.filter((x) => x.number === 'P')).toHaveLength(1);
    expect(row(byParent, 'P')!.amounts.ar).toBe(150_00 + 60_00);
  });

  it('puts every age in the bucket the pure rule gives, at the edges too', async () => {
    const { ctx: edge, ids: eIds } = await companyWithCustomers(t.database, 'edges', [{ number: 'E' }]);
    const asOf = '2026-06-30';
    const ages = [-5, -1, 0, 1, 2, 29, 30, 31, 60, 61, 90, 91, 120, 121, 400];
    await t.database.transaction(async ({ client }) => {
      const { doc } = postings(client, edge, eIds);
      for (const age of ages) {
        const due = new Date(Date.parse(`${asOf}T00:00:00Z`) - age * 86_400_000).toISOString().slice(0, 10);
        await doc(`AGE${age}`, 'E', 'invoice', '2026-01-01' < due ? '2026-01-01' : due, due, 1000 + age + 5);
      }
    });
    const rows: AgingDetailRow[] = [];
    await t.database.transaction(({ client }) =>
      agingDetail(client, edge, { asOf }, (batch) => void rows.push(...batch)),
    );
    for (const age of ages) {
      const r = rows.find((x) => x.number === `AGE${age}`)!;
      expect([age, r.ageDays, r.bucket]).toEqual([
        age,
        age,
        bucketIndex(age, { thresholds: [30, 60, 90, 120], basis: 'due' }),
      ]);
    }
    expect(bucketIndex(0, { thresholds: [30, 60, 90, 120], basis: 'due' })).toBe(0);
    expect(bucketIndex(1, { thresholds: [30, 60, 90, 120], basis: 'due' })).toBe(1);
    expect(bucketIndex(30, { thresholds: [30, 60, 90, 120], basis: 'due' })).toBe(1);
    expect(bucketIndex(31, { thresholds: [30, 60, 90, 120], basis: 'due' })).toBe(2);
    expect(bucketIndex(121, { thresholds: [30, 60, 90, 120], basis: 'due' })).toBe(5);
    expect(bucketIndex(30, { thresholds: [30, 60, 90, 120], basis: 'invoice' })).toBe(0);
    expect(bucketIndex(31, { thresholds: [30, 60, 90, 120], basis: 'invoice' })).toBe(1);
  });
});
