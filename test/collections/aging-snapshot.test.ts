import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgingDetailRow,
  type AgingOptions,
  type AgingReport,
  agingDetail,
  agingReport,
  takeArSnapshot,
} from '../../src/collections/index.js';
import { openCasesBulk } from '../../src/disputes/index.js';
import { applyCredit, type CompanyContext, putOnAccount, unapply } from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers, postings } from './setup.js';

/**
 * Aging from an AR snapshot sums the snapshot's documents that did not move apart from the rest
 * (what moved since, what the snapshot does not hold, receipts, disputed documents) and joins the
 * two per customer and currency. Here every kind of row meets every other in the same customer and
 * currency, on both sides of the snapshot: two currencies per customer, credit memos (on their line
 * and aged), on-account and unapplied cash, cash applied ahead of an invoice's date, a document
 * paid off after the snapshot, and disputes on documents that moved and that did not. The snapshot
 * rebuild must give what the forward rebuild from the whole history gives, disputes included.
 */
describe.each(ENGINES)('aging from an AR snapshot on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  /** The euro documents' currency and rate. */
  const EUR = { currency: 'EUR', rate: '1.0834' };
  const tx = <T>(work: (client: SqlClient) => Promise<T>) =>
    t.database.transaction(({ client }) => work(client));

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'agesnap', [
      { number: 'P' },
      { number: 'A', parent: 'P', collector: 'alice' },
      { number: 'B', collector: 'bob' },
      { number: 'C', currency: 'EUR', collector: 'bob' },
      { number: 'D' },
    ]));
    await tx(async (client) => {
      const { doc: postDoc, receipt, apply } = postings(client, ctx, ids);
      const doc = (
        n: string,
        customer: string,
        date: string,
        amount: number,
        o: { eur?: boolean; credit?: boolean; terms?: number } = {},
      ) => {
        const due = new Date(`${date}T00:00:00Z`);
        due.setUTCDate(due.getUTCDate() + (o.terms ?? 30));
        return postDoc(
          n,
          customer,
          o.credit ? 'credit_memo' : 'invoice',
          date,
          due.toISOString().slice(0, 10),
          amount,
          o.eur ? EUR : undefined,
        );
      };
      // Before the snapshot (2026-01-31).
      await doc('A-USD-1', 'A', '2025-11-20', 100_00, { terms: 10 });
      await doc('A-USD-2', 'A', '2026-01-15', 500_00);
      await doc('A-USD-3', 'A', '2026-01-20', 300_00);
      await doc('A-CM-1', 'A', '2026-01-12', 30_00, { credit: true });
      await doc('A-EUR-1', 'A', '2025-12-10', 200_00, { eur: true });
      await doc('A-EUR-2', 'A', '2026-01-25', 70_01, { eur: true });
      await doc('B-USD-1', 'B', '2026-01-03', 80_00);
      await doc('B-USD-2', 'B', '2025-10-01', 45_00);
      await doc('C-EUR-1', 'C', '2026-01-05', 60_00, { eur: true });
      await doc('D-USD-1', 'D', '2026-01-06', 55_00);
      await receipt('R-B1', 'B', '2026-01-25', 50_00);
      await putOnAccount(client, ctx, {
        receiptId: ids['R-B1']!,
        amountMinor: 20_00,
        postingDate: '2026-01-28',
        actor,
      });
      await receipt('R-X1', null, '2026-01-29', 40_00);
      // Cash applied on 2026-01-30 to an invoice dated after the snapshot.
      await doc('A-USD-AHEAD', 'A', '2026-02-20', 90_00);
      await receipt('R-A1', 'A', '2026-01-30', 25_00);
      await apply('R-A1', 'A-USD-AHEAD', 25_00, '2026-01-30');
      // Paid off before the snapshot (so not in it), reopened after it by an unapply.
      await doc('B-USD-3', 'B', '2025-12-01', 35_00);
      await receipt('R-B3', 'B', '2026-01-10', 35_00);
      ids['APP-B3'] = await apply('R-B3', 'B-USD-3', 35_00, '2026-01-10');
      await receipt('R-C0', 'C', '2026-01-27', 15_00, { currency: 'EUR', rate: '1.1' });
    });
    await tx((client) => takeArSnapshot(client, ctx, '2026-01-31'));
    // Disputes: on a document untouched since the snapshot, on one part paid since (disputed more
    // than is left open then), in euros (a share of the base amount), opened before and after it.
    await tx((client) =>
      openCasesBulk(
        client,
        ctx,
        [
          {
            customerId: ids.A!,
            origin: 'claim',
            openedOn: '2026-01-20',
            lines: [{ documentId: ids['A-USD-2']!, amountMinor: 120_00 }],
          },
          {
            customerId: ids.A!,
            origin: 'claim',
            openedOn: '2026-01-22',
            lines: [{ documentId: ids['A-USD-3']!, amountMinor: 250_00 }],
          },
          {
            customerId: ids.A!,
            origin: 'claim',
            openedOn: '2026-02-02',
            lines: [{ documentId: ids['A-EUR-2']!, amountMinor: 33_33 }],
          },
          {
            customerId: ids.C!,
            origin: 'claim',
            openedOn: '2026-02-04',
            lines: [{ documentId: ids['C-EUR-1']!, amountMinor: 60_00 }],
          },
        ],
        { actor },
      ),
    );
    await tx(async (client) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      // After the snapshot: B-USD-1 paid off, A-USD-3 part paid, a credit applied, more cash.
      await receipt('R-B2', 'B', '2026-02-05', 80_00);
      await apply('R-B2', 'B-USD-1', 80_00, '2026-02-05');
      // D's only open item, in the snapshot, paid off after it: D has no row afterwards.
      await receipt('R-D1', 'D', '2026-02-04', 55_00);
      await apply('R-D1', 'D-USD-1', 55_00, '2026-02-04');
      await apply('R-B1', 'B-USD-2', 10_00, '2026-02-06');
      await unapply(client, ctx, {
        applicationId: ids['APP-B3']!,
        postingDate: '2026-02-07',
        reason: 'applied to the wrong invoice',
        actor,
      });
      await receipt('R-A2', 'A', '2026-02-10', 130_00);
      await apply('R-A2', 'A-USD-3', 100_00, '2026-02-10');
      await putOnAccount(client, ctx, {
        receiptId: ids['R-A2']!,
        amountMinor: 20_00,
        postingDate: '2026-02-11',
        actor,
      });
      await applyCredit(client, ctx, {
        creditDocumentId: ids['A-CM-1']!,
        documentId: ids['A-USD-2']!,
        amountMinor: 10_00,
        postingDate: '2026-02-12',
        actor,
      });
      await doc('C-EUR-2', 'C', 'invoice', '2026-02-03', '2026-03-05', 40_00, EUR);
      await doc('B-CM-2', 'B', 'credit_memo', '2026-02-08', '2026-02-08', 12_00);
    });
  });
  afterAll(async () => t?.dispose());

  const strip = (r: AgingReport) => ({ ...r, strategy: null });
  const both = (options: AgingOptions) =>
    tx(async (client) => {
      const snap = await agingReport(client, ctx, { ...options, strategy: 'snapshot' });
      const fwd = await agingReport(client, ctx, { ...options, strategy: 'forward' });
      return { snap, fwd };
    });
  const detail = (asOf: string, strategy: 'snapshot' | 'forward') =>
    tx(async (client) => {
      const rows: AgingDetailRow[] = [];
      await agingDetail(client, ctx, { asOf, strategy }, (batch) => {
        rows.push(...batch);
      });
      return rows;
    });

  it('agrees with the forward rebuild on and after the snapshot, by every grouping and basis', async () => {
    for (const asOf of ['2026-01-31', '2026-02-07', '2026-02-12', '2026-02-20', '2026-03-31']) {
      for (const by of ['customer', 'parent', 'collector', 'currency'] as const) {
        const { snap, fwd } = await both({ asOf, by });
        expect(snap.strategy).toBe('snapshot');
        expect(strip(snap)).toEqual(strip(fwd));
      }
      const { snap, fwd } = await both({ asOf, basis: 'invoice', agedCredits: true, thresholds: [15, 45] });
      expect(strip(snap)).toEqual(strip(fwd));
      expect(await detail(asOf, 'snapshot')).toEqual(await detail(asOf, 'forward'));
    }
  });

  it('reopens a document paid off before the snapshot and unapplied after it', async () => {
    const open = async (asOf: string) =>
      (await detail(asOf, 'snapshot')).find((r) => r.number === 'B-USD-3')?.openMinor ?? 0;
    expect(await open('2026-02-06')).toBe(0);
    expect(await open('2026-02-07')).toBe(35_00);
  });

  it('counts each disputed document at most at its open amount on the date', async () => {
    const { snap } = await both({ asOf: '2026-02-12' });
    const row = (number: string, currency: string) =>
      snap.rows.find((r) => r.number === number && r.currency === currency)!;
    // A-USD-2 (open 490.00) disputed 120.00; A-USD-3 (open 200.00) disputed 250.00 → 200.00.
    expect(row('A', 'USD').disputedMinor).toBe(320_00);
    expect(row('A', 'EUR').disputedMinor).toBe(33_33);
    expect(row('C', 'EUR').disputedMinor).toBe(60_00);
    expect(row('B', 'USD').disputedMinor).toBe(0);
    // B-USD-1, paid off after the snapshot, is no longer an open item: B-USD-2, B-CM-2, R-B1's
    // cash on account and unapplied, and B-USD-3 reopened with R-B3's cash unapplied again.
    expect(row('B', 'USD').items).toBe(6);
    expect(snap.rows.some((r) => r.number === 'D')).toBe(false);
    const before = await both({ asOf: '2026-02-01' });
    expect(before.snap.rows.find((r) => r.number === 'A' && r.currency === 'EUR')!.disputedMinor).toBe(0);
  });
});
