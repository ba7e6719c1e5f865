import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MetricsOptions,
  metricsReport,
  metricsReportOn,
  takeArSnapshot,
} from '../../src/collections/index.js';
import { type CompanyContext, postDocuments, putOnAccount } from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers, postings } from './setup.js';

/**
 * A month's close keeps every customer's countback DSO and the portfolio's (migration 0021). A
 * closed month's metrics use them while they hold, and count again where they do not: another
 * window than the kept one, or an AR other than the one they were counted for. Whichever way, the
 * figures are those counted from scratch.
 */
describe.each(ENGINES)('countbacks kept at the close on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  const tx = <T>(work: (client: SqlClient) => Promise<T>) =>
    t.database.transaction(({ client }) => work(client));
  const MONTH_ENDS = ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31'];
  const MAY: MetricsOptions = { from: '2026-05-01', to: '2026-05-31' };

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'keptcb', [
      { number: 'A', collector: 'alice' },
      { number: 'B', collector: 'bob' },
      { number: 'C', collector: 'bob' },
    ]));
    await tx(async (client) => {
      const docs = [];
      for (const [i, end] of MONTH_ENDS.entries()) {
        const date = `${end.slice(0, 8)}10`;
        for (const [c, amount] of [
          ['A', 1_000_00 + i * 250_00],
          ['B', 400_00],
          ['C', i === 2 ? 0 : 90_00],
        ] as const) {
          if (amount === 0) continue;
          docs.push({
            documentNumber: `${c}-${i}`,
            customerId: ids[c]!,
            docType: 'invoice' as const,
            documentDate: date,
            dueDate: `${end.slice(0, 8)}25`,
            currency: 'USD',
            amountMinor: amount,
            actor,
          });
        }
      }
      const posted = await postDocuments(client, ctx, docs);
      docs.forEach((d, i) => {
        ids[d.documentNumber] = posted[i]!;
      });
      // A pays its oldest invoices; B leaves cash on account; C's AR is gone by May.
      const { receipt, apply } = postings(client, ctx, ids);
      for (const [key, customer, date, amount] of [
        ['R-A', 'A', '2026-04-02', 2_250_00],
        ['R-B', 'B', '2026-03-15', 500_00],
        ['R-C', 'C', '2026-05-20', 360_00],
      ] as const)
        await receipt(key, customer, date, amount);
      await apply('R-A', 'A-0', 1_000_00, '2026-04-02');
      await apply('R-A', 'A-1', 1_250_00, '2026-04-02');
      await putOnAccount(client, ctx, {
        receiptId: ids['R-B']!,
        amountMinor: 500_00,
        postingDate: '2026-03-15',
        actor,
      });
      for (const [d, cash] of [
        ['C-0', 90_00],
        ['C-1', 90_00],
        ['C-3', 90_00],
        ['C-4', 90_00],
      ] as const)
        await apply('R-C', d, cash, '2026-05-20');
      for (const end of MONTH_ENDS) await takeArSnapshot(client, ctx, end);
    });
  });
  afterAll(async () => t?.dispose());

  /** The report with nothing kept: the countbacks counted from the summaries' monthly sales. */
  const counted = (client: SqlClient, o: MetricsOptions) =>
    withChange(
      client,
      'UPDATE collections_ar_snapshot SET countback_months = NULL WHERE company_id = $1',
      () => metricsReport(client, ctx, o),
    );

  /** Runs `work` after the statements `sql` ($1 the company), then takes the changes back. */
  async function withChange<T>(
    client: SqlClient,
    sql: string | string[],
    work: () => Promise<T>,
  ): Promise<T> {
    await client.query('SAVEPOINT kept');
    try {
      for (const statement of Array.isArray(sql) ? sql : [sql])
        await client.query(statement, [ctx.companyId]);
      return await work();
    } finally {
      await client.query('ROLLBACK TO SAVEPOINT kept');
    }
  }

  it('keeps each customer with AR its countback, and the portfolio its own, at every close', async () => {
    const kept = await tx((client) =>
      client.query<{ as_of: string; months: number; customers: number; portfolio_ar: number }>(
        `SELECT h.as_of::text, h.countback_months AS months, h.cb_ar_minor AS portfolio_ar,
                (SELECT count(*)::int4 FROM collections_ar_snapshot_customer s
                  WHERE s.company_id = h.company_id AND s.as_of = h.as_of AND s.cb_ar_minor > 0) AS customers
           FROM collections_ar_snapshot h WHERE h.company_id = $1 ORDER BY h.as_of`,
        [ctx.companyId],
      ),
    );
    expect(kept.rows.map((r) => [r.as_of, r.months])).toEqual(MONTH_ENDS.map((d) => [d, 36]));
    // In May: A and B owe (B less its cash on account), C owes nothing.
    const may = kept.rows.at(-1)!;
    expect(may.customers).toBe(2);
    expect(may.portfolio_ar).toBe(1_500_00 + 1_750_00 + 2_000_00 + 5 * 400_00 - 500_00);
  });

  it('gives the counted figures, for every grouping', async () => {
    await tx(async (client) => {
      for (const by of ['customer', 'portfolio', 'collector'] as const) {
        const fast = await metricsReport(client, ctx, { ...MAY, by });
        expect(fast).toEqual(await counted(client, { ...MAY, by }));
        expect(fast.portfolio.metrics.dso_countback).toBeGreaterThan(0);
      }
    });
  });

  it('gives the same figures read across connections (two on PostgreSQL, one on PGlite)', async () => {
    for (const by of ['customer', 'portfolio', 'collector'] as const) {
      const one = await tx((client) => metricsReport(client, ctx, { ...MAY, by }));
      const split = await t.database.readTogether(2, (clients) =>
        metricsReportOn(clients, ctx, { ...MAY, by }),
      );
      expect(split, by).toEqual(one);
    }
  });

  it('lists a closed month by customer in number order, whatever order the summaries come in', async () => {
    // Customers made Z first: their rows come as made, the report sorts them.
    const other = await companyWithCustomers(t.database, 'keptorder', [
      { number: 'Z' },
      { number: 'M' },
      { number: 'A' },
    ]);
    const report = await tx(async (client) => {
      await postDocuments(
        client,
        other.ctx,
        ['Z', 'M', 'A'].map((c) => ({
          documentNumber: `${c}-1`,
          customerId: other.ids[c]!,
          docType: 'invoice' as const,
          documentDate: '2026-04-10',
          dueDate: '2026-05-10',
          currency: 'USD',
          amountMinor: 100_00,
          actor,
        })),
      );
      for (const end of ['2026-03-31', '2026-04-30']) await takeArSnapshot(client, other.ctx, end);
      return metricsReport(client, other.ctx, { from: '2026-04-01', to: '2026-04-30', by: 'customer' });
    });
    expect(report.groups.map((g) => g.number)).toEqual(['A', 'M', 'Z']);
    expect(report.groups.map((g) => g.inputs.creditSalesMinor)).toEqual([100_00, 100_00, 100_00]);
  });

  it('uses what was kept: a changed kept row changes the report', async () => {
    await tx(async (client) => {
      const report = (o: MetricsOptions) => metricsReport(client, ctx, o);
      const a = (r: Awaited<ReturnType<typeof report>>) =>
        r.groups.find((g) => g.number === 'A')!.metrics.dso_countback!;
      const before = await report({ ...MAY, by: 'customer' });
      const shifted = await withChange(
        client,
        `UPDATE collections_ar_snapshot_customer SET cb_days_before = cb_days_before + 1
          WHERE company_id = $1 AND as_of = '2026-05-31' AND cb_ar_minor > 0`,
        () => report({ ...MAY, by: 'customer' }),
      );
      expect(a(shifted)).toBeCloseTo(a(before) + 1, 10);
      const portfolio = await withChange(
        client,
        `UPDATE collections_ar_snapshot SET cb_days_before = cb_days_before + 2
          WHERE company_id = $1 AND as_of = '2026-05-31'`,
        () => report(MAY),
      );
      expect(portfolio.portfolio.metrics.dso_countback).toBeCloseTo(
        before.portfolio.metrics.dso_countback! + 2,
        10,
      );
    });
  });

  it('counts again where the kept rows do not hold: another AR, another window', async () => {
    await tx(async (client) => {
      const want = await counted(client, { ...MAY, by: 'customer' });
      // Kept for another AR (as if cash on account had moved to another customer since): ignored.
      const moved = await withChange(
        client,
        [
          `UPDATE collections_ar_snapshot_customer SET cb_ar_minor = cb_ar_minor + 1, cb_days_before = cb_days_before + 1
            WHERE company_id = $1 AND as_of = '2026-05-31' AND cb_ar_minor > 0`,
          `UPDATE collections_ar_snapshot SET cb_ar_minor = cb_ar_minor + 1, cb_days_before = cb_days_before + 1
            WHERE company_id = $1 AND as_of = '2026-05-31'`,
        ],
        () => metricsReport(client, ctx, { ...MAY, by: 'customer' }),
      );
      expect(moved).toEqual(want);
      // A window other than the kept one is counted.
      const short = { ...MAY, by: 'customer' as const, countbackMonths: 2 };
      expect(await metricsReport(client, ctx, short)).toEqual(await counted(client, short));
      expect((await metricsReport(client, ctx, short)).portfolio.metrics.dso_countback).not.toBe(
        want.portfolio.metrics.dso_countback,
      );
    });
  });

  it('a receipt on account moved to another customer unsummarizes the closes that counted it', async () => {
    await tx(async (client) => {
      const want = await counted(client, { ...MAY, by: 'customer' });
      await client.query('SAVEPOINT moved');
      await client.query('UPDATE receipt SET customer_id = $2 WHERE company_id = $1 AND receipt_id = $3', [
        ctx.companyId,
        ids.C,
        ids['R-B'],
      ]);
      const { rows } = await client.query<{ as_of: string; summarized: boolean; months: number | null }>(
        `SELECT as_of::text, summarized, countback_months AS months FROM collections_ar_snapshot
          WHERE company_id = $1 ORDER BY as_of`,
        [ctx.companyId],
      );
      // R-B went on account on 2026-03-15: the closes from March on counted it for B.
      expect(rows.map((r) => [r.as_of, r.summarized, r.months])).toEqual([
        ['2026-01-31', true, 36],
        ['2026-02-28', true, 36],
        ['2026-03-31', false, null],
        ['2026-04-30', false, null],
        ['2026-05-31', false, null],
      ]);
      // Rebuilt from the ledger: the credit is C's now.
      const moved = await metricsReport(client, ctx, { ...MAY, by: 'customer' });
      const ar = (r: typeof want, n: string) => r.groups.find((g) => g.number === n)?.inputs.arEndMinor ?? 0;
      expect([ar(moved, 'B'), ar(moved, 'C')]).toEqual([ar(want, 'B') + 500_00, ar(want, 'C') - 500_00]);
      await client.query('ROLLBACK TO SAVEPOINT moved');
    });
  });
});
