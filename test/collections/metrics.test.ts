import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsReport, metricsReport, metricsTrend } from '../../src/collections/index.js';
import { type CompanyContext, unapply } from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers, postings } from './setup.js';

/**
 * openar's own worked example of docs/metrics.md, posted through the ledger: March 2026 for two
 * customers (X with collector carol, Y with collector dave).
 */
describe.each(ENGINES)('metrics on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    const made = await companyWithCustomers(t.database, 'march', [
      { number: 'X', collector: 'carol' },
      { number: 'Y', collector: 'dave' },
    ]);
    ctx = made.ctx;
    const { ids } = made;
    await t.database.transaction(async ({ client }) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      await doc('F1', 'X', 'invoice', '2026-02-10', '2026-03-12', 1_000_00);
      await doc('G1', 'Y', 'invoice', '2026-02-20', '2026-03-22', 600_00);
      await doc('M1', 'X', 'invoice', '2026-03-05', '2026-04-04', 2_000_00);
      await doc('M2', 'Y', 'invoice', '2026-03-15', '2026-04-14', 400_00);
      await doc('C1', 'X', 'credit_memo', '2026-03-20', '2026-03-20', 100_00);
      await receipt('RX', 'X', '2026-03-20', 1_000_00);
      await apply('RX', 'F1', 1_000_00, '2026-03-20');
      await receipt('RY', 'Y', '2026-03-25', 300_00);
      // A mistaken application, unapplied the same day: neither counts as a payment.
      const wrong = await apply('RY', 'G1', 100_00, '2026-03-25');
      await unapply(client, ctx, {
        applicationId: wrong,
        postingDate: '2026-03-25',
        reason: 'wrong amount',
        actor,
      });
      await apply('RY', 'G1', 300_00, '2026-03-25');
      // After the period: must not change March's figures.
      await doc('A1', 'X', 'invoice', '2026-04-02', '2026-05-02', 5_000_00);
    });
  });
  afterAll(async () => t?.dispose());

  const run = (by: 'portfolio' | 'collector' | 'customer', cei: 'crf' | 'total_sales' = 'crf') =>
    t.database.transaction(({ client }) =>
      metricsReport(client, ctx, { from: '2026-03-01', to: '2026-03-31', by, cei }),
    );

  it('computes the portfolio example figure for figure', async () => {
    const r: MetricsReport = await run('portfolio');
    expect(r.period).toMatchObject({ days: 31, months: 1 });
    expect(r.portfolio.inputs).toMatchObject({
      arBeginMinor: 1_600_00,
      arEndMinor: 2_600_00,
      currentEndMinor: 2_300_00,
      over90EndMinor: 0,
      creditSalesMinor: 2_300_00,
      payments: { count: 2, daysSum: 71, beyondSum: 11, weight: 1_300_00 },
    });
    const m = r.portfolio.metrics;
    expect(m.dso).toBeCloseTo((2_600 / 2_300) * 31, 10);
    expect(m.dso_countback).toBeCloseTo(36.25, 10);
    expect(m.best_possible_dso).toBeCloseTo(31, 10);
    expect(m.add).toBeCloseTo((300 / 2_300) * 31, 10);
    expect(m.cei).toBeCloseTo(81.25, 10);
    expect(m.percent_current).toBeCloseTo((2_300 / 2_600) * 100, 10);
    expect(m.ar_turnover).toBeCloseTo(2_300 / 2_100, 10);
    expect(m.average_days_to_pay).toBeCloseTo(35.5, 10);
    expect(m.weighted_days_to_pay).toBeCloseTo(47_900 / 1_300, 10);
    expect(m.average_days_beyond_terms).toBeCloseTo(5.5, 10);
    expect(m.weighted_days_beyond_terms).toBeCloseTo(8_900 / 1_300, 10);
    expect(r.groups).toEqual([]);
  });

  it('computes it per collector, and the portfolio from the same parts', async () => {
    const r = await run('collector');
    const carol = r.groups.find((g) => g.key === 'carol')!;
    const dave = r.groups.find((g) => g.key === 'dave')!;
    expect(carol.inputs).toMatchObject({
      arBeginMinor: 1_000_00,
      arEndMinor: 1_900_00,
      currentEndMinor: 1_900_00,
    });
    expect(carol.metrics).toMatchObject({
      dso: 31,
      best_possible_dso: 31,
      add: 0,
      cei: 100,
      average_days_to_pay: 38,
    });
    expect(dave.inputs).toMatchObject({ arBeginMinor: 600_00, arEndMinor: 700_00, currentEndMinor: 400_00 });
    expect(dave.metrics.dso).toBeCloseTo(54.25, 10);
    expect(dave.metrics.add).toBeCloseTo(23.25, 10);
    expect(dave.metrics.cei).toBeCloseTo(50, 10);
    expect(dave.metrics.dso_countback).toBeCloseTo(45, 10);
    expect(dave.metrics.percent_current).toBeCloseTo((400 / 700) * 100, 10);
    expect(dave.metrics.ar_turnover).toBeCloseTo(400 / 650, 10);
    expect(carol.metrics.ar_turnover).toBeCloseTo(1_900 / 1_450, 10);
    expect(dave.metrics).toMatchObject({ average_days_to_pay: 33, average_days_beyond_terms: 3 });
    expect(r.portfolio.metrics.cei).toBeCloseTo(81.25, 10);
    expect(r.portfolio.metrics.dso_countback).toBeCloseTo(36.25, 10);
  });

  it('computes it per customer and under the total-sales CEI convention', async () => {
    const r = await run('customer', 'total_sales');
    expect(r.groups.map((g) => g.number)).toEqual(['X', 'Y']);
    // One month: the total-sales convention gives the CRF figure.
    expect(r.portfolio.metrics.cei).toBeCloseTo(81.25, 10);
    const q = await t.database.transaction(({ client }) =>
      metricsReport(client, ctx, { from: '2026-02-01', to: '2026-03-31', cei: 'crf' }),
    );
    // Two months, nothing before February: CRF (0 + 3,900/2 − 2,600) ÷ (0 + 1,950 − 2,300) has
    // nothing collectible (a negative denominator): null.
    expect(q.period.months).toBeCloseTo(2, 12);
    expect(q.portfolio.inputs.creditSalesMinor).toBe(3_900_00);
    expect(q.portfolio.metrics.cei).toBeNull();
    const qt = await t.database.transaction(({ client }) =>
      metricsReport(client, ctx, { from: '2026-02-01', to: '2026-03-31', cei: 'total_sales' }),
    );
    // Total sales: (0 + 3,900 − 2,600) ÷ (0 + 3,900 − 2,300).
    expect(qt.portfolio.metrics.cei).toBeCloseTo(81.25, 10);
  });

  it('keeps a group whose AR nets to zero but is past due (an open credit beside an overdue invoice)', async () => {
    const made = await companyWithCustomers(t.database, 'netted', [{ number: 'Z', collector: 'erin' }]);
    await t.database.transaction(async ({ client }) => {
      const { doc } = postings(client, made.ctx, made.ids);
      for (const [n, type] of [
        ['Z1', 'invoice'],
        ['ZC', 'credit_memo'],
      ] as const)
        await doc(n, 'Z', type, '2026-01-01', '2026-01-01', 40_00);
    });
    for (const by of ['portfolio', 'customer', 'collector'] as const) {
      const r = await t.database.transaction(({ client }) =>
        metricsReport(client, made.ctx, { from: '2026-01-11', to: '2026-01-31', by }),
      );
      // The credit is current and the invoice 30 days past due: AR 0, 40.00 of it past due.
      expect([by, r.portfolio.inputs.arEndMinor, r.portfolio.inputs.currentEndMinor]).toEqual([
        by,
        0,
        -40_00,
      ]);
      if (by !== 'portfolio') expect(r.groups.map((g) => g.inputs.currentEndMinor)).toEqual([-40_00]);
    }
  });
  it('gives a trend: each calendar period is the report of that period, oldest first', async () => {
    const trend = await t.database.transaction(({ client }) =>
      metricsTrend(client, ctx, { from: '2026-02-10', to: '2026-04-15', by: 'collector', step: 'month' }),
    );
    expect(trend).toMatchObject({ step: 'month', by: 'collector', cei: 'crf', baseCurrency: 'USD' });
    expect(trend.periods.map((r) => [r.period.from, r.period.to])).toEqual([
      ['2026-02-10', '2026-02-28'],
      ['2026-03-01', '2026-03-31'],
      ['2026-04-01', '2026-04-15'],
    ]);
    const march = await run('collector');
    expect(trend.periods[1]).toEqual(march);
    // April's sales (A1, 5,000) and its AR; the quarter step gives February's part and March as one.
    expect(trend.periods[2]!.portfolio.inputs.creditSalesMinor).toBe(5_000_00);
    const quarters = await t.database.transaction(({ client }) =>
      metricsTrend(client, ctx, { from: '2026-02-01', to: '2026-04-15', step: 'quarter' }),
    );
    expect(quarters.periods.map((r) => r.period.to)).toEqual(['2026-03-31', '2026-04-15']);
    expect(quarters.periods[0]!.portfolio.inputs.creditSalesMinor).toBe(3_900_00);
  });
});
