import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingFromKeptPivot } from '../../src/collections/aging.js';
import {
  type AgingCachePatch,
  agingCachePatch,
  aheadCustomers,
  keptAgingSettings,
  patchWorthIt,
  readAgingCache,
  writeAgingCache,
} from '../../src/collections/aging-cache.js';
import {
  type AgingOptions,
  type AgingReport,
  agingReport,
  agingReportOn,
  CollectionsError,
  type KeptAgingSpec,
  refreshAgingToday,
  refreshOutgrownAging,
} from '../../src/collections/index.js';
import { openCasesBulk, resolveCase } from '../../src/disputes/index.js';
import { adjustDocument, type CompanyContext, postDocuments, putOnAccount } from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyRows, companyWithCustomers, postings } from './setup.js';

/**
 * Today's aging by customer from the cache (src/collections/aging-cache.ts) must be the aging
 * computed afresh, whatever was posted after the cache was built: each kind of change marks its
 * customer, whose groups are then recomputed and merged in report order.
 */
const DEFAULT_SPEC = { thresholds: [30, 60, 90, 120], basis: 'due' as const, agedCredits: false };

describe.each(ENGINES)("today's aging from the cache on %s", (engine) => {
  const TODAY = '2026-03-31';
  const EUR = { currency: 'EUR', rate: '1.0834' };
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  let disputeA: string;
  const tx = <T>(work: (client: SqlClient) => Promise<T>) =>
    t.database.transaction(({ client }) => work(client));
  const refresh = (asOf = TODAY) =>
    t.database.transaction(({ client }) => refreshAgingToday(client, ctx, asOf), {
      isolation: 'repeatable read',
    });
  const strip = (r: AgingReport) => ({ ...r, strategy: null });
  /** The report as asked (auto), and rebuilt afresh from the whole history. */
  const both = (o: Partial<AgingOptions> = {}) =>
    tx(async (client) => ({
      auto: await agingReport(client, ctx, { asOf: TODAY, ...o }),
      fresh: await agingReport(client, ctx, { asOf: TODAY, ...o, strategy: 'forward' }),
    }));
  /**
   * Asserts the auto report came from the cache and equals the fresh one, by customer (the kept
   * batches) and by parent, collector and currency (the kept pivot summed).
   */
  async function cachedAndRight(o: Partial<AgingOptions> = {}): Promise<AgingReport> {
    for (const by of ['parent', 'collector', 'currency'] as const) {
      const { auto, fresh } = await both({ ...o, by });
      expect(auto.strategy, by).toBe('cached');
      expect(strip(auto), by).toEqual(strip(fresh));
    }
    const { auto, fresh } = await both(o);
    expect(auto.strategy).toBe('cached');
    expect(strip(auto)).toEqual(strip(fresh));
    return auto;
  }
  const dirty = () => companyRows(t.database, 'collections_aging_dirty', ctx);

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'agecache', [
      { number: 'P' },
      { number: 'A', parent: 'P', collector: 'alice' },
      { number: 'B', collector: 'bob' },
      { number: 'C', currency: 'EUR', collector: 'bob' },
      { number: 'D' },
      { number: 'E' },
      // A chain of ten: H0 under H1 … under H9, beyond the eight levels the walk up goes.
      ...Array.from({ length: 10 }, (_, i) => ({
        number: `H${9 - i}`,
        ...(i === 0 ? {} : { parent: `H${10 - i}` }),
      })),
    ]));
    await tx(async (client) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      await doc('A1', 'A', 'invoice', '2025-12-05', '2026-01-04', 100_00);
      await doc('A2', 'A', 'invoice', '2026-03-01', '2026-03-31', 300_00);
      await doc('CM-A', 'A', 'credit_memo', '2026-02-12', '2026-02-12', 30_00);
      await doc('E1', 'C', 'invoice', '2026-01-10', '2026-02-09', 200_00, EUR);
      await doc('E2', 'C', 'invoice', '2026-03-10', '2026-04-09', 50_00, EUR);
      await doc('B1', 'B', 'invoice', '2026-02-15', '2026-03-17', 80_00);
      await doc('B2', 'B', 'invoice', '2025-10-01', '2025-10-31', 45_00);
      await doc('D1', 'D', 'invoice', '2026-03-20', '2026-04-19', 70_00);
      await receipt('RB', 'B', '2026-03-05', 50_00);
      await putOnAccount(client, ctx, {
        receiptId: ids.RB!,
        amountMinor: 20_00,
        postingDate: '2026-03-06',
        actor,
      });
      await apply('RB', 'B1', 10_00, '2026-03-06');
      await receipt('RX', null, '2026-03-29', 40_00);
      await receipt('RC', 'C', '2026-03-15', 30_00, EUR);
    });
    const cases = await tx((client) =>
      openCasesBulk(
        client,
        ctx,
        [
          {
            customerId: ids.A!,
            origin: 'claim',
            openedOn: '2026-03-05',
            lines: [{ documentId: ids.A2!, amountMinor: 100_00 }],
          },
        ],
        { actor },
      ),
    );
    disputeA = cases[0]!.caseNumber;
  });
  afterAll(async () => t?.dispose());

  it('is built only in a REPEATABLE READ transaction', async () => {
    await expect(tx((client) => refreshAgingToday(client, ctx, TODAY))).rejects.toBeInstanceOf(
      CollectionsError,
    );
  });

  it('gives the fresh aging right after the refresh, and clears the marks it saw', async () => {
    expect((await both()).auto.strategy).toBe('current');
    expect(await dirty()).toBeGreaterThan(0);
    expect(await refresh()).toEqual({
      asOf: TODAY,
      thresholds: [30, 60, 90, 120],
      basis: 'due',
      agedCredits: false,
      groups: 5,
      batches: 1,
    });
    expect(await dirty()).toBe(0);
    const r = await cachedAndRight();
    // Unidentified cash is its own group, last.
    expect(r.rows.map((row) => [row.number, row.currency])).toEqual([
      ['A', 'USD'],
      ['B', 'USD'],
      ['C', 'EUR'],
      ['D', 'USD'],
      [null, 'USD'],
    ]);
    expect(r.rows.find((row) => row.number === 'A')?.disputedMinor).toBe(100_00);
  });

  it('recomputes each customer something moved for since, and only serves its own day and buckets', async () => {
    /** Each change on its own after a refresh, so that no other change marks its customer. */
    const step = async (change: (client: SqlClient) => Promise<unknown>) => {
      await refresh();
      expect(await dirty()).toBe(0);
      await tx(change);
      expect(await dirty()).toBeGreaterThan(0);
      return cachedAndRight();
    };
    // Cash applied (a document and a receipt change).
    await step((client) => postings(client, ctx, ids).apply('RB', 'B2', 20_00, '2026-03-30'));
    // A write-off (the document alone changes).
    await step((client) =>
      adjustDocument(client, ctx, {
        documentId: ids.A1!,
        kind: 'write_off',
        amountMinor: 5_00,
        postingDate: '2026-03-30',
        reason: 'short pay',
        actor,
      }),
    );
    // A customer with nothing in the cache.
    await step((client) =>
      postings(client, ctx, ids).doc('E3', 'E', 'invoice', '2026-03-30', '2026-04-29', 15_00),
    );
    // Unidentified cash identified by an application (the group of no customer changes too).
    await step((client) => postings(client, ctx, ids).apply('RX', 'D1', 25_00, '2026-03-31'));
    // Euro cash applied.
    await step((client) => postings(client, ctx, ids).apply('RC', 'E1', 30_00, '2026-03-31'));
    // Cash received (a receipt alone).
    await step((client) => postings(client, ctx, ids).receipt('RD', 'D', '2026-03-31', 12_00));
    // A customer renumbered: the report's order changes.
    const renumbered = await step((client) =>
      client.query("UPDATE customer SET customer_number = 'ZZ' WHERE company_id = $1 AND customer_id = $2", [
        ctx.companyId,
        ids.B,
      ]),
    );
    expect(renumbered.rows.map((row) => row.number)).toEqual(['A', 'C', 'D', 'E', 'ZZ']);
    // The hierarchy and the collectors are read as they stand: a customer moved under another
    // parent (A, itself under P), or to another collector, needs no mark.
    await refresh();
    await tx((client) =>
      client.query(
        `UPDATE customer SET parent_customer_id = CASE customer_id WHEN $2 THEN $3 ELSE parent_customer_id END,
                collector = CASE customer_id WHEN $4 THEN 'carol' ELSE collector END
          WHERE company_id = $1 AND customer_id IN ($2, $4)`,
        [ctx.companyId, ids.D, ids.A, ids.C],
      ),
    );
    expect(await dirty()).toBe(0);
    const regrouped = await tx((client) => agingReport(client, ctx, { asOf: TODAY, by: 'parent' }));
    expect(regrouped.rows.find((row) => row.number === 'P')?.amounts.ar).toBe(
      renumbered.rows.find((row) => row.number === 'A')!.amounts.ar +
        renumbered.rows.find((row) => row.number === 'D')!.amounts.ar,
    );
    await cachedAndRight();
    // A loop (B under E, E under B) and a chain longer than eight stop at the depth limit, as the
    // SQL's walk does: H0's top parent is H8, whose own is H9.
    await tx(async (client) => {
      await client.query(
        `UPDATE customer SET parent_customer_id = CASE customer_id WHEN $2 THEN $3::uuid ELSE $2::uuid END
          WHERE company_id = $1 AND customer_id IN ($2, $3)`,
        [ctx.companyId, ids.B, ids.E],
      );
      const { doc } = postings(client, ctx, ids);
      await doc('H0-1', 'H0', 'invoice', '2026-03-02', '2026-04-01', 7_00);
      await doc('H8-1', 'H8', 'invoice', '2026-03-02', '2026-04-01', 11_00);
    });
    await refresh();
    await cachedAndRight();
    const chain = await tx((client) => agingReport(client, ctx, { asOf: TODAY, by: 'parent' }));
    expect(
      chain.rows.filter((row) => row.number?.startsWith('H')).map((row) => [row.number, row.amounts.ar]),
    ).toEqual([
      ['H8', 7_00],
      ['H9', 11_00],
    ]);
    // A dispute opened on D1, and A's resolved: no document changes, no mark.
    await refresh();
    await tx((client) =>
      openCasesBulk(
        client,
        ctx,
        [
          {
            customerId: ids.D!,
            origin: 'claim',
            openedOn: '2026-03-31',
            lines: [{ documentId: ids.D1!, amountMinor: 5_00 }],
          },
        ],
        { actor },
      ),
    );
    await tx((client) =>
      resolveCase(client, ctx, disputeA, {
        outcome: 'invalid',
        finding: 'priced as agreed',
        postingDate: TODAY,
        actor,
      }),
    );
    expect(await dirty()).toBe(0);
    const disputed = await cachedAndRight();
    expect(disputed.rows.find((row) => row.number === 'A')?.disputedMinor).toBe(0);
    expect(disputed.rows.find((row) => row.number === 'D')?.disputedMinor).toBe(5_00);
    // Other buckets or basis, another day: computed afresh, and refused when forced.
    for (const o of [
      { thresholds: [15, 45] },
      { basis: 'invoice' as const, by: 'parent' as const },
      { agedCredits: true },
      { asOf: '2026-03-30' },
    ]) {
      const { auto, fresh } = await both(o);
      expect(auto.strategy).not.toBe('cached');
      expect(strip(auto)).toEqual(strip(fresh));
      await expect(
        tx((client) => agingReport(client, ctx, { asOf: TODAY, ...o, strategy: 'cached' })),
      ).rejects.toThrow(CollectionsError);
    }
    // Split across connections (the CLI's way) it is the same.
    for (const by of ['customer', 'parent'] as const) {
      const split = await t.database.readTogether(2, (clients) =>
        agingReportOn(clients, ctx, { asOf: TODAY, by }),
      );
      expect(split.strategy).toBe('cached');
      expect(strip(split)).toEqual(strip((await both({ by })).fresh));
    }
  });

  it('keeps the settings it was last kept with unless told others', async () => {
    const own = { thresholds: [15, 45], basis: 'invoice' as const, agedCredits: true };
    const keep = (settings?: KeptAgingSpec) =>
      t.database.transaction(({ client }) => refreshAgingToday(client, ctx, TODAY, settings), {
        isolation: 'repeatable read',
      });
    expect(await keep(own)).toMatchObject(own);
    expect(await keep()).toMatchObject(own);
    const { auto, fresh } = await both({ ...own, by: 'collector' });
    expect(auto.strategy).toBe('cached');
    expect(strip(auto)).toEqual(strip(fresh));
    expect((await both()).auto.strategy).not.toBe('cached');
    expect(await keep({ thresholds: [30, 60, 90, 120], basis: 'due', agedCredits: false })).toMatchObject({
      basis: 'due',
    });
  });

  it('is kept again after bulk postings only when the kept one no longer serves the day', async () => {
    const outgrown = (asOf = TODAY) =>
      t.database.transaction(({ client }) => refreshOutgrownAging(client, ctx, asOf), {
        isolation: 'repeatable read',
      });
    await refresh();
    // One customer marked, as a posting marks it: the report recomputes it, nothing is kept again.
    await tx((client) =>
      client.query('INSERT INTO collections_aging_dirty (company_id, customer_id) VALUES ($1, $2)', [
        ctx.companyId,
        ids.D,
      ]),
    );
    expect(await outgrown()).toBeNull();
    expect(await dirty()).toBeGreaterThan(0);
    await cachedAndRight();
    // More customers marked than a report recomputes (1,001 here, beyond a quarter of 5 groups).
    await tx((client) =>
      client.query(
        'INSERT INTO collections_aging_dirty (company_id, customer_id) SELECT $1, gen_random_uuid() FROM generate_series(1, 1001)',
        [ctx.companyId],
      ),
    );
    expect((await both()).auto.strategy).not.toBe('cached');
    expect(await outgrown()).toMatchObject({ asOf: TODAY, basis: 'due' });
    expect(await dirty()).toBe(0);
    await cachedAndRight();
    // Kept for another day: kept again for the day asked, in the settings it was kept with.
    expect(await outgrown('2026-04-01')).toMatchObject({ asOf: '2026-04-01', thresholds: [30, 60, 90, 120] });
    expect(await outgrown('2026-04-01')).toBeNull();
    await refresh();
  });

  it('takes no batches, and no kept pivot, that another build replaced after the patch was read', async () => {
    await refresh();
    const spec = { asOf: TODAY, thresholds: [30, 60, 90, 120], basis: 'due' as const, agedCredits: false };
    const patch = await tx((client) => agingCachePatch(client, ctx, spec));
    expect(patch).not.toBeNull();
    expect(await tx((client) => readAgingCache(client, ctx, patch!))).toHaveLength(1);
    const rollup = (p: AgingCachePatch) =>
      tx((client) => agingFromKeptPivot(client, ctx, { asOf: TODAY, by: 'collector' }, p));
    expect((await rollup(patch!))?.strategy).toBe('cached');
    await refresh();
    expect(await tx((client) => readAgingCache(client, ctx, patch!))).toBeNull();
    expect(await rollup(patch!)).toBeNull();
  });

  it('serves a day with postings dated after it, recomputing the customers they touch', async () => {
    const NEXT = '2026-04-01';
    await refresh();
    // Each kind of posting dated after the day, on its own customer where it can be.
    await tx(async (client) => {
      const { doc, receipt, apply } = postings(client, ctx, ids);
      await doc('D2', 'D', 'invoice', '2026-04-02', '2026-05-02', 9_00);
      await receipt('RF', 'B', NEXT, 15_00);
      await apply('RF', 'B2', 15_00, NEXT);
      // Cash applied after the day (the receipt is D's since it was identified), and cash of no
      // customer received after it.
      await apply('RX', 'A2', 10_00, NEXT);
      await receipt('RY', null, NEXT, 6_00);
      await adjustDocument(client, ctx, {
        documentId: ids.A1!,
        kind: 'write_off',
        amountMinor: 3_00,
        postingDate: NEXT,
        reason: 'short pay',
        actor,
      });
      // C's due date moved back by a revision posted after the day: past due now, current then.
      await client.query(
        `INSERT INTO document_revision (company_id, revision_id, document_id, changes, amount_delta_minor,
           base_delta_minor, posting_date, reason, created_by)
         VALUES ($1, gen_random_uuid(), $2, jsonb_build_object('due_date', jsonb_build_array('2026-04-09'::date, '2026-02-01'::date)),
                 0, 0, $3, 'test revision', 'test')`,
        [ctx.companyId, ids.E2, NEXT],
      );
      await client.query(
        "UPDATE document SET due_date = '2026-02-01' WHERE company_id = $1 AND document_id = $2",
        [ctx.companyId, ids.E2],
      );
    });
    const ahead = await tx((client) => aheadCustomers(client, ctx, TODAY));
    expect({ ...ahead, ids: [...(ahead?.ids ?? [])].sort() }).toEqual({
      ids: [ids.A!, ids.B!, ids.C!, ids.D!].sort(),
      noCustomer: true,
    });
    expect(await tx((client) => aheadCustomers(client, ctx, '2026-04-02'))).toEqual({
      ids: [],
      noCustomer: false,
    });
    // Marked, and dated after the day: recomputed either way.
    await cachedAndRight();
    // Kept again on that day: the cache holds their balances as they stand, no marks are left, and
    // the report still recomputes them as of the day.
    expect(await refresh()).toMatchObject({ asOf: TODAY });
    expect(await dirty()).toBe(0);
    const r = await cachedAndRight();
    expect(r.rows.find((row) => row.number === 'C')?.amounts.buckets[0]).toBe(50_00);
    // Split across connections, too.
    const split = await t.database.readTogether(2, (clients) => agingReportOn(clients, ctx, { asOf: TODAY }));
    expect(split.strategy).toBe('cached');
    expect(strip(split)).toEqual(strip(r));
    // Days most postings are dated after: every customer recomputed, still right, whichever way a
    // report of the day would rebuild it afresh (backward from now; forward from the start).
    for (const day of ['2026-02-28', '2025-11-15']) {
      expect(await refresh(day)).toMatchObject({ asOf: day });
      await cachedAndRight({ asOf: day });
    }
    expect(await refresh('2026-04-02')).toMatchObject({ asOf: '2026-04-02' });
    await cachedAndRight({ asOf: '2026-04-02' });
  });

  it('keeps the settings when a day cannot be kept', async () => {
    await refresh();
    const dropped = await t.database.transaction(
      ({ client }) =>
        writeAgingCache(client, ctx, { ...DEFAULT_SPEC, thresholds: [10, 20], asOf: TODAY }, null),
      { isolation: 'repeatable read' },
    );
    expect(dropped).toBeNull();
    expect(await tx((client) => keptAgingSettings(client, ctx))).toEqual({
      thresholds: [10, 20],
      basis: 'due',
      agedCredits: false,
    });
    expect(await tx((client) => agingCachePatch(client, ctx, { ...DEFAULT_SPEC, asOf: TODAY }))).toBeNull();
    expect((await both()).auto.strategy).not.toBe('cached');
    expect(await refresh()).toMatchObject({ asOf: TODAY, thresholds: [10, 20] });
    expect(await refresh()).toMatchObject({ thresholds: [10, 20] });
    await t.database.transaction(({ client }) => refreshAgingToday(client, ctx, TODAY, DEFAULT_SPEC), {
      isolation: 'repeatable read',
    });
  });

  it('drops the kept aging for a day more customers have postings dated after than a report would recompute', async () => {
    // 1,001 customers, each with an invoice dated after the day: more than a report recomputes
    // anyway (1,000), and more than a quarter of the groups.
    const numbers = Array.from({ length: 1001 }, (_, i) => `M${String(i).padStart(4, '0')}`);
    const many = await companyWithCustomers(
      t.database,
      'agemany',
      numbers.map((number) => ({ number })),
    );
    const invoice = (n: string, suffix: string, date: string) => ({
      documentNumber: `${n}-${suffix}`,
      customerId: many.ids[n]!,
      docType: 'invoice' as const,
      documentDate: date,
      dueDate: date,
      currency: 'USD',
      amountMinor: 100_00,
      actor,
    });
    const refreshMany = (asOf: string) =>
      t.database.transaction(({ client }) => refreshAgingToday(client, many.ctx, asOf), {
        isolation: 'repeatable read',
      });
    const day = '2026-03-31';
    const reportOfDay = () =>
      tx(async (client) => ({
        auto: await agingReport(client, many.ctx, { asOf: day }),
        fresh: await agingReport(client, many.ctx, { asOf: day, strategy: 'forward' }),
      }));
    await tx((client) => postDocuments(client, many.ctx, [invoice('M0000', 'before', '2026-03-10')]));
    expect(await refreshMany(day)).toMatchObject({ asOf: day });
    expect((await reportOfDay()).auto.strategy).toBe('cached');
    await tx((client) =>
      postDocuments(
        client,
        many.ctx,
        numbers.map((n) => invoice(n, 'after', '2026-04-10')),
      ),
    );
    // Kept before the postings dated after it: too many customers to recompute, so not read.
    expect(
      await tx((client) => agingCachePatch(client, many.ctx, { ...DEFAULT_SPEC, asOf: day })),
    ).toBeNull();
    const { auto, fresh } = await reportOfDay();
    expect(auto.strategy).not.toBe('cached');
    expect(strip(auto)).toEqual(strip(fresh));
    expect(auto.rows.map((r) => r.number)).toEqual(['M0000']);
    expect(await refreshMany('2026-04-30')).toMatchObject({ asOf: '2026-04-30' });
    expect((await tx((client) => aheadCustomers(client, many.ctx, day)))?.ids).toHaveLength(1001);
    // The day cannot be kept: the kept aging of 2026-04-30 is dropped, not left in its place.
    expect(await refreshMany(day)).toBeNull();
    await tx(async (client) => {
      for (const asOf of [day, '2026-04-30'])
        expect(await agingCachePatch(client, many.ctx, { ...DEFAULT_SPEC, asOf })).toBeNull();
      expect(await keptAgingSettings(client, many.ctx)).toEqual(DEFAULT_SPEC);
    });
    expect((await reportOfDay()).auto.strategy).not.toBe('cached');
  });

  it('recomputes few enough customers to be worth it', () => {
    expect(patchWorthIt(1000, 1)).toBe(true);
    expect(patchWorthIt(1001, 4004)).toBe(true);
    expect(patchWorthIt(1001, 4003)).toBe(false);
    expect(patchWorthIt(25_000, 100_000)).toBe(true);
    expect(patchWorthIt(25_001, 100_000)).toBe(false);
  });

  it.runIf(engine === 'postgres')(
    'keeps the marks of what was posted while it was built (one snapshot for the ledger and the marks)',
    async () => {
      const day = '2026-04-02';
      await t.database.transaction(
        async ({ client }) => {
          await client.query('SELECT 1');
          await tx(async (other) => {
            const { receipt, apply } = postings(other, ctx, ids);
            await receipt('RE', 'D', day, 4_00);
            await apply('RE', 'D2', 4_00, day);
          });
          return refreshAgingToday(client, ctx, day);
        },
        { isolation: 'repeatable read' },
      );
      expect(await dirty()).toBeGreaterThan(0);
      const { auto, fresh } = await both({ asOf: day });
      expect(auto.strategy).toBe('cached');
      expect(strip(auto)).toEqual(strip(fresh));
      expect(auto.rows.find((row) => row.number === 'D')?.amounts.buckets[0]).toBe(70_00 - 25_00 + 5_00);
    },
  );
});
