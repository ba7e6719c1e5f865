import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectionFacts,
  dunningHolds,
  placeCreditHold,
  recordActivities,
  recordActivity,
} from '../../src/collections/activity/holds.js';
import { type CompanyContext, postDocument, recordReceipt } from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers } from './setup.js';

describe.each(ENGINES)('activity contract functions on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'ACT', [
      { number: 'C1' },
      { number: 'C2' },
      { number: 'C3' },
    ]));
    await t.database.transaction(async ({ client }) => {
      await client.query(`UPDATE customer SET credit_limit_minor = 50000 WHERE customer_id = $1`, [ids.C1]);
      await postDocument(client, ctx, {
        documentNumber: 'INV-1',
        customerId: ids.C1!,
        docType: 'invoice',
        documentDate: '2026-01-01',
        dueDate: '2026-01-31',
        currency: 'USD',
        amountMinor: 80000,
        actor,
      });
      await recordReceipt(client, ctx, {
        receiptKey: 'R-1',
        customerId: ids.C1!,
        receiptDate: '2026-02-01',
        method: 'wire',
        currency: 'USD',
        amountMinor: 10000,
        actor,
      });
    });
  });
  afterAll(() => t?.dispose());

  it('records activities one by one and in bulk, refusing unknown customers', async () => {
    await t.database.transaction(async ({ client }) => {
      const id = await recordActivity(client, ctx, {
        customerId: ids.C1!,
        kind: 'call',
        text: 'Spoke to AP',
        followUpDate: '2026-03-05',
        actor,
        date: '2026-03-01',
      });
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const n = await recordActivities(client, ctx, [
        { customerId: ids.C2!, kind: 'dunning', text: 'reminder 1', actor, date: '2026-02-20' },
        {
          customerId: ids.C2!,
          kind: 'email',
          text: 'sent statement',
          actor,
          date: '2026-02-25',
          followUpDate: '2026-03-02',
        },
      ]);
      expect(n).toBe(2);
    });
    await expect(
      t.database.transaction(({ client }) =>
        recordActivities(client, ctx, [
          { customerId: '0190f000-0000-7000-8000-000000000000', kind: 'note', text: 'x', actor },
        ]),
      ),
    ).rejects.toThrow(/not in this company/);
  });

  it('places a credit hold once per source and reports it in the facts', async () => {
    const [a, b] = await t.database.transaction(async ({ client }) => [
      await placeCreditHold(client, ctx, {
        customerId: ids.C1!,
        reason: 'over limit',
        actor,
        source: 'dunning',
        date: '2026-03-01',
      }),
      await placeCreditHold(client, ctx, {
        customerId: ids.C1!,
        reason: 'again',
        actor,
        source: 'dunning',
        date: '2026-03-02',
      }),
    ]);
    expect(a).toBe(b);
    const facts = await t.database.transaction(({ client }) =>
      collectionFacts(client, ctx.companyId, '2026-03-03'),
    );
    expect(facts.size).toBe(3);
    expect(facts.get(ids.C1!)).toEqual({
      promisesKept: 0,
      promisesBroken: 0,
      livePromiseMinor: 0,
      planMissedInstallments: 0,
      onCreditHold: true,
      creditLimitMinor: 50000,
      exposureMinor: 70000,
      nextFollowUpDate: '2026-03-05',
      lastContactDate: '2026-03-01',
    });
    expect(facts.get(ids.C2!)).toMatchObject({
      onCreditHold: false,
      nextFollowUpDate: '2026-03-02',
      lastContactDate: '2026-02-25',
    });
    const holds = await t.database.transaction(({ client }) =>
      dunningHolds(client, ctx.companyId, '2026-03-03'),
    );
    expect(holds.size).toBe(0);
  });
});
