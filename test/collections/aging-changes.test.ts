import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgingOptions,
  type AgingReport,
  addDays,
  agingReport,
  agingReportOn,
  CollectionsError,
  refreshOpenChanges,
  takeArSnapshot,
} from '../../src/collections/index.js';
import { openCasesBulk } from '../../src/disputes/index.js';
import {
  adjustDocument,
  applyCredit,
  type CompanyContext,
  putOnAccount,
  unapply,
} from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyRows, companyWithCustomers, postings } from './setup.js';

/**
 * The change log of a closed month (src/collections/changes.ts) must give, on every day inside
 * the month, the aging the forward rebuild gives from the whole history. February here has every
 * kind of change: invoices dated in it and paid in it (in part, in full), cash applied ahead of an
 * invoice dated after it, credit memos applied, a write-off, an unapply that reopens a document,
 * on-account and unidentified cash (identified after the close: its rows follow the customer),
 * euros, disputes, amount revisions (one posted before its document's date) and due dates revised
 * in the month and after it.
 */
describe.each(ENGINES)('aging from a change log on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  const EUR = { currency: 'EUR', rate: '1.0834' };
  const tx = <T>(work: (client: SqlClient) => Promise<T>) =>
    t.database.transaction(({ client }) => work(client));

  /** A revision as an invoice re-import writes it, posted on a chosen date. */
  async function revise(
    client: SqlClient,
    documentId: string,
    postingDate: string,
    change: { amountMinor?: number; dueDate?: string },
  ) {
    const delta = change.amountMinor ?? 0;
    await client.query(
      `WITH d AS (SELECT due_date FROM document WHERE company_id = $1 AND document_id = $2)
       INSERT INTO document_revision (company_id, revision_id, document_id, changes, amount_delta_minor,
         base_delta_minor, posting_date, reason, created_by)
       SELECT $1, gen_random_uuid(), $2,
              jsonb_strip_nulls(jsonb_build_object('due_date',
                CASE WHEN $5::date IS NOT NULL THEN jsonb_build_array(d.due_date, $5::date) END)),
              $3, $3, $4, 'test revision', 'test' FROM d`,
      [ctx.companyId, documentId, delta, postingDate, change.dueDate ?? null],
    );
    await client.query(
      `UPDATE document SET amount_minor = amount_minor + $3, base_amount_minor = base_amount_minor + $3,
              open_minor = open_minor + $3, open_base_minor = open_base_minor + $3,
              due_date = coalesce($4::date, due_date)
        WHERE company_id = $1 AND document_id = $2`,
      [ctx.companyId, documentId, delta, change.dueDate ?? null],
    );
  }

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'agechg', [
      { number: 'P' },
      { number: 'A', parent: 'P', collector: 'alice' },
      { number: 'B', collector: 'bob' },
      { number: 'C', currency: 'EUR', collector: 'bob' },
    ]));
    await tx(async (client) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      // January, before the first snapshot.
      await doc('A1', 'A', 'invoice', '2026-01-05', '2026-02-04', 100_00);
      await doc('A2', 'A', 'invoice', '2026-01-20', '2026-02-19', 300_00);
      await doc('CM-A', 'A', 'credit_memo', '2026-01-12', '2026-01-12', 30_00);
      await doc('E1', 'C', 'invoice', '2026-01-10', '2026-02-09', 200_00, EUR);
      await doc('B1', 'B', 'invoice', '2026-01-15', '2026-02-14', 80_00);
      await doc('B0', 'B', 'invoice', '2025-12-01', '2025-12-31', 35_00);
      await receipt('RB', 'B', '2026-01-25', 50_00);
      await putOnAccount(client, ctx, {
        receiptId: ids.RB!,
        amountMinor: 20_00,
        postingDate: '2026-01-28',
        actor,
      });
      await receipt('RB0', 'B', '2026-01-10', 35_00);
      ids['APP-B0'] = await apply('RB0', 'B0', 35_00, '2026-01-10');
      await receipt('RX', null, '2026-01-29', 40_00);
    });
    await tx((client) => takeArSnapshot(client, ctx, '2026-01-31'));
    await tx((client) =>
      openCasesBulk(
        client,
        ctx,
        [
          {
            customerId: ids.A!,
            origin: 'claim',
            openedOn: '2026-02-05',
            lines: [{ documentId: ids.A2!, amountMinor: 100_00 }],
          },
          {
            customerId: ids.C!,
            origin: 'claim',
            openedOn: '2026-01-20',
            lines: [{ documentId: ids.E1!, amountMinor: 60_00 }],
          },
        ],
        { actor },
      ),
    );
    await tx(async (client) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      // February: the month the log covers.
      await doc('A3', 'A', 'invoice', '2026-02-03', '2026-03-05', 150_00);
      await doc('A5', 'A', 'invoice', '2026-03-03', '2026-04-02', 90_00);
      await receipt('RA', 'A', '2026-02-06', 380_00);
      await apply('RA', 'A1', 100_00, '2026-02-06');
      await apply('RA', 'A3', 100_00, '2026-02-10');
      await apply('RA', 'A3', 50_00, '2026-02-20');
      await apply('RA', 'A5', 25_00, '2026-02-22');
      await putOnAccount(client, ctx, {
        receiptId: ids.RA!,
        amountMinor: 15_00,
        postingDate: '2026-02-23',
        actor,
      });
      await revise(client, ids.A2!, '2026-02-08', { amountMinor: 20_00 });
      await revise(client, ids.A2!, '2026-02-12', { dueDate: '2026-03-10' });
      // Revised twice on one day: the later one holds the due date from that day on.
      await revise(client, ids.A2!, '2026-02-12', { dueDate: '2026-03-12' });
      await revise(client, ids.A2!, '2026-02-25', { dueDate: '2026-03-20' });
      // B1, 6 days past due, given until 2026-03-15: current again from that day.
      await revise(client, ids.B1!, '2026-02-20', { dueDate: '2026-03-15' });
      // Dated 2026-02-20, revised on 2026-02-15 (before its date) and on 2026-02-24.
      await doc('A4', 'A', 'invoice', '2026-02-20', '2026-03-22', 60_00);
      await revise(client, ids.A4!, '2026-02-15', { amountMinor: 10_00 });
      await revise(client, ids.A4!, '2026-02-24', { amountMinor: -5_00, dueDate: '2026-03-25' });
      await applyCredit(client, ctx, {
        creditDocumentId: ids['CM-A']!,
        documentId: ids.A2!,
        amountMinor: 10_00,
        postingDate: '2026-02-16',
        actor,
      });
      await receipt('RC', 'C', '2026-02-14', 120_00, { currency: 'EUR', rate: '1.1' });
      await apply('RC', 'E1', 120_00, '2026-02-14');
      await apply('RB', 'B1', 10_00, '2026-02-09');
      await adjustDocument(client, ctx, {
        documentId: ids.B1!,
        kind: 'write_off',
        amountMinor: 5_00,
        postingDate: '2026-02-21',
        reason: 'short pay',
        actor,
      });
      await unapply(client, ctx, {
        applicationId: ids['APP-B0']!,
        postingDate: '2026-02-17',
        reason: 'applied to the wrong invoice',
        actor,
      });
      await receipt('RY', null, '2026-02-12', 70_00);
    });
    await tx((client) => takeArSnapshot(client, ctx, '2026-02-28'));
    await tx(async (client) => {
      const { apply } = postings(client, ctx, ids);
      // After the close: RY identified (its February rows move to B), A2's due date revised again.
      await apply('RY', 'B1', 30_00, '2026-03-02');
      await revise(client, ids.A2!, '2026-03-05', { dueDate: '2026-04-01' });
    });
  });
  afterAll(async () => t?.dispose());

  const strip = (r: AgingReport) => ({ ...r, strategy: null });
  const both = (options: AgingOptions) =>
    tx(async (client) => ({
      changes: await agingReport(client, ctx, { ...options, strategy: 'changes' }),
      forward: await agingReport(client, ctx, { ...options, strategy: 'forward' }),
    }));

  it("keeps the month's log at the close and reads it for a day inside the month", async () => {
    const { rows } = await tx((client) =>
      client.query<{ changes_from: string | null }>(
        'SELECT changes_from::text FROM collections_ar_snapshot WHERE company_id = $1 ORDER BY as_of',
        [ctx.companyId],
      ),
    );
    // The first month has no snapshot before it to start from.
    expect(rows.map((r) => r.changes_from)).toEqual([null, '2026-01-31']);
    const auto = await tx((client) => agingReport(client, ctx, { asOf: '2026-02-15' }));
    expect(auto.strategy).toBe('changes');
    // The month's ends are snapshots themselves.
    expect((await tx((client) => agingReport(client, ctx, { asOf: '2026-02-28' }))).strategy).toBe(
      'snapshot',
    );
    await expect(
      tx((client) => agingReport(client, ctx, { asOf: '2026-03-15', strategy: 'changes' })),
    ).rejects.toBeInstanceOf(CollectionsError);
  });

  it('agrees with the forward rebuild on every day of the month', async () => {
    for (let asOf = '2026-02-01'; asOf < '2026-02-28'; asOf = addDays(asOf, 1)) {
      const { changes, forward } = await both({ asOf });
      expect(changes.strategy).toBe('changes');
      expect([asOf, strip(changes)]).toEqual([asOf, strip(forward)]);
    }
  });

  it('agrees by every grouping and basis, credits aged or not, and in custom buckets', async () => {
    for (const asOf of ['2026-02-09', '2026-02-16', '2026-02-25']) {
      for (const by of ['customer', 'parent', 'collector', 'currency'] as const) {
        for (const extra of [
          {},
          { basis: 'invoice' as const },
          { agedCredits: true },
          { thresholds: [7, 20] },
        ]) {
          const { changes, forward } = await both({ asOf, by, ...extra });
          expect([asOf, by, extra, strip(changes)]).toEqual([asOf, by, extra, strip(forward)]);
        }
      }
    }
  });

  it('counts the disputed documents at their open amounts on the day', async () => {
    const { changes } = await both({ asOf: '2026-02-16' });
    const row = (number: string, currency = 'USD') =>
      changes.rows.find((r) => r.number === number && r.currency === currency)!;
    // A2 (300.00 + 20.00 − 10.00 open) disputed 100.00; E1 (200.00 − 120.00 = 80.00) disputed 60.00.
    expect(row('A').disputedMinor).toBe(100_00);
    expect(row('C', 'EUR').disputedMinor).toBe(60_00);
  });

  it('gives the same summary split across connections', async () => {
    for (const by of ['customer', 'parent'] as const) {
      const options = { asOf: '2026-02-16', by };
      const whole = await tx((client) => agingReport(client, ctx, options));
      const split = await t.database.readTogether(2, (clients) => agingReportOn(clients, ctx, options));
      expect(split).toEqual(whole);
    }
  });

  describe('the open stretch', () => {
    const refresh = (through: string) =>
      t.database.transaction(({ client }) => refreshOpenChanges(client, ctx, through), {
        isolation: 'repeatable read',
      });
    const auto = (asOf: string) =>
      tx(async (client) => ({
        auto: await agingReport(client, ctx, { asOf }),
        forward: await agingReport(client, ctx, { asOf, strategy: 'forward' }),
      }));
    /** Every day of March up to the 12th agrees with the forward rebuild; the days from the log. */
    async function daysFromLog(): Promise<string[]> {
      const logged: string[] = [];
      for (let asOf = '2026-03-01'; asOf <= '2026-03-12'; asOf = addDays(asOf, 1)) {
        const r = await auto(asOf);
        expect([asOf, strip(r.auto)]).toEqual([asOf, strip(r.forward)]);
        if (r.auto.strategy === 'changes') logged.push(asOf);
      }
      return logged;
    }
    const marks = () => companyRows(t.database, 'collections_ar_history_mark', ctx);
    const march = (from: string, to: string) => {
      const days: string[] = [];
      for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
      return days;
    };

    beforeAll(async () => {
      // Something posted after the stretch, so that its days are in the past (not today's aging).
      await tx((client) =>
        postings(client, ctx, ids).doc('A7', 'A', 'invoice', '2026-03-12', '2026-04-11', 70_00),
      );
    });

    it('is refreshed only in a REPEATABLE READ transaction, and only after a snapshot', async () => {
      await expect(tx((client) => refreshOpenChanges(client, ctx, '2026-03-10'))).rejects.toBeInstanceOf(
        CollectionsError,
      );
      expect(await refresh('2026-02-28')).toBeNull();
      // More than two months after the latest snapshot: not kept.
      expect(await refresh('2026-05-10')).toBeNull();
    });

    it('gives every day up to the refresh from the log, the same as the forward rebuild', async () => {
      expect(await daysFromLog()).toEqual([]);
      const open = await refresh('2026-03-10');
      expect(open).toMatchObject({ from: '2026-02-28', to: '2026-03-10' });
      expect(open!.rows).toBeGreaterThan(0);
      expect(await marks()).toBe(0);
      expect(await daysFromLog()).toEqual(march('2026-03-01', '2026-03-10'));
      // Forced, by every grouping.
      for (const by of ['customer', 'parent', 'collector', 'currency'] as const) {
        const { changes, forward } = await both({ asOf: '2026-03-06', by });
        expect([by, strip(changes)]).toEqual([by, strip(forward)]);
      }
    });

    it('stops the log before a back-dated posting until the next refresh', async () => {
      await refresh('2026-03-10');
      await tx(async (client) => {
        const { doc, apply } = postings(client, ctx, ids);
        // Entered now, dated 2026-03-04; and cash applied today (after the stretch): harmless.
        await doc('A6', 'A', 'invoice', '2026-03-04', '2026-04-03', 40_00);
        await apply('RA', 'A6', 10_00, '2026-03-12');
      });
      expect(await daysFromLog()).toEqual(march('2026-03-01', '2026-03-03'));
      await refresh('2026-03-10');
      expect(await daysFromLog()).toEqual(march('2026-03-01', '2026-03-10'));
    });

    it.runIf(engine === 'postgres')(
      'does not take in what was posted while it ran (one snapshot for the history and the marks)',
      async () => {
        /** A refresh that reads its snapshot first, while another connection runs `meanwhile`. */
        const racing = (meanwhile: (other: SqlClient) => Promise<unknown>) =>
          t.database.transaction(
            async ({ client }) => {
              await client.query('SELECT 1');
              await tx(meanwhile);
              return refreshOpenChanges(client, ctx, '2026-03-10');
            },
            { isolation: 'repeatable read' },
          );
        await refresh('2026-03-10');
        expect(
          await racing((other) =>
            postings(other, ctx, ids).doc('B2', 'B', 'invoice', '2026-03-09', '2026-04-08', 55_00),
          ),
        ).toMatchObject({ to: '2026-03-10' });
        // B2 is not in the log, and its mark, which the refresh did not see, is still there.
        expect(await marks()).toBeGreaterThan(0);
        expect(await daysFromLog()).toEqual(march('2026-03-01', '2026-03-08'));
        // RZ, unidentified, is in the refresh's snapshot; its customer is set while the refresh runs
        // (by an application dated after the stretch), so its rows go in under no customer.
        await refresh('2026-03-10');
        await tx((client) => postings(client, ctx, ids).receipt('RZ', null, '2026-03-07', 25_00));
        await racing((other) => postings(other, ctx, ids).apply('RZ', 'B2', 5_00, '2026-03-12'));
        expect(await daysFromLog()).toEqual(march('2026-03-01', '2026-03-06'));
        await refresh('2026-03-10');
        expect(await daysFromLog()).toEqual(march('2026-03-01', '2026-03-10'));
        // A receipt already in the log identified while a refresh runs: the refresh fails (and is
        // run again) rather than write its rows over the new customer.
        await tx((client) => postings(client, ctx, ids).receipt('RW', null, '2026-03-08', 15_00));
        await refresh('2026-03-10');
        await expect(
          racing((other) => postings(other, ctx, ids).apply('RW', 'B2', 5_00, '2026-03-12')),
        ).rejects.toMatchObject({ code: '40001' });
        // The log it left is the one before, stopped at RW's date by the identification's mark.
        expect(await daysFromLog()).toEqual(march('2026-03-01', '2026-03-07'));
      },
    );
  });
});
