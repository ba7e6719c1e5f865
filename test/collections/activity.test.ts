import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelPlan,
  collectionFacts,
  createPlan,
  createPromise,
  creditCheck,
  creditStatus,
  customerTimeline,
  dueFollowUps,
  dunningHolds,
  grantCreditRole,
  listPromises,
  placeCreditHold,
  planDetail,
  promiseDetail,
  recordActivity,
  releaseCreditHold,
  setFollowUpDone,
  setPromiseStatus,
  settlePromisesAndPlans,
  undoPromiseEvent,
  updateSettings,
} from '../../src/collections/activity/index.js';
import {
  applyReceipt,
  type CompanyContext,
  postDocument,
  recordReceipt,
  unapply,
} from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers } from './setup.js';

/**
 * Promises, plans, credit holds and the timeline over a real ledger: cash is recorded and applied
 * through the ledger's own operations, and the activity module reads it.
 */
describe.each(ENGINES)('collections activity on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  const docs: Record<string, string> = {};
  let receiptNo = 0;

  const tx = <T>(work: (client: SqlClient) => Promise<T>) =>
    t.database.transaction(({ client }) => work(client));
  const invoice = (
    client: SqlClient,
    number: string,
    customer: string,
    amountMinor: number,
    date: string,
    due: string,
  ) =>
    postDocument(client, ctx, {
      documentNumber: number,
      customerId: ids[customer]!,
      docType: 'invoice',
      documentDate: date,
      dueDate: due,
      currency: 'USD',
      amountMinor,
      actor,
    }).then((id) => {
      docs[number] = id;
      return id;
    });
  /** A receipt from `customer` on `date`, applied to the documents given (amounts in minor units). */
  const pay = (
    client: SqlClient,
    customer: string | null,
    date: string,
    amountMinor: number,
    apply: Record<string, number> = {},
  ) =>
    recordReceipt(client, ctx, {
      receiptKey: `R-${++receiptNo}`,
      customerId: customer === null ? null : ids[customer]!,
      receiptDate: date,
      method: 'wire',
      currency: 'USD',
      amountMinor,
      actor,
    }).then(async (receiptId) => {
      const applications: string[] = [];
      for (const [doc, cash] of Object.entries(apply))
        applications.push(
          await applyReceipt(client, ctx, {
            receiptId,
            documentId: docs[doc]!,
            cashMinor: cash,
            postingDate: date,
            actor,
          }),
        );
      return { receiptId, applications };
    });

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'ACTV', [
      { number: 'P', collector: 'ann' },
      { number: 'A', collector: 'ann', parent: 'P' },
      { number: 'B', collector: 'bob' },
      { number: 'C', collector: 'bob' },
      { number: 'D', collector: 'ann' },
    ]));
    await tx(async (client) => {
      await invoice(client, 'A-1', 'A', 1000_00, '2026-01-01', '2026-01-31');
      await invoice(client, 'A-2', 'A', 500_00, '2026-01-15', '2026-02-14');
      await invoice(client, 'B-1', 'B', 3000_00, '2026-01-01', '2026-01-31');
      await invoice(client, 'C-1', 'C', 600_00, '2026-02-01', '2026-03-01');
      await invoice(client, 'D-1', 'D', 100_00, '2026-01-05', '2026-02-04');
      await client.query('UPDATE customer SET credit_limit_minor = $2 WHERE customer_id = $1', [
        ids.C,
        500_00,
      ]);
      await client.query('UPDATE customer SET credit_limit_minor = $2 WHERE customer_id = $1', [
        ids.B,
        10_000_00,
      ]);
    });
  });
  afterAll(() => t?.dispose());

  it('keeps the timeline in date order, with follow-ups due by collector, done and undone on the record', async () => {
    await tx(async (client) => {
      await recordActivity(client, ctx, {
        customerId: ids.A!,
        kind: 'call',
        text: 'left voicemail',
        outcome: 'voicemail',
        date: '2026-03-02',
        followUpDate: '2026-03-04',
        actor: 'ann',
      });
      await recordActivity(client, ctx, {
        customerId: ids.A!,
        kind: 'note',
        text: 'AP clerk on leave',
        date: '2026-03-01',
        actor: 'ann',
      });
      await recordActivity(client, ctx, {
        customerId: ids.A!,
        kind: 'email',
        text: 'sent copy of A-1',
        date: '2026-03-02',
        followUpDate: '2026-03-09',
        actor: 'ann',
      });
      await recordActivity(client, ctx, {
        customerId: ids.B!,
        kind: 'call',
        text: 'disputes price on B-1',
        date: '2026-03-03',
        followUpDate: '2026-03-03',
        actor: 'bob',
      });
    });
    const timeline = await tx((client) => customerTimeline(client, ctx, ids.A!));
    expect(timeline.map((e) => [e.date, e.kind, e.text])).toEqual([
      ['2026-03-01', 'note', 'AP clerk on leave'],
      ['2026-03-02', 'call', 'left voicemail'],
      ['2026-03-02', 'email', 'sent copy of A-1'],
    ]);
    expect(timeline[1]).toMatchObject({
      outcome: 'voicemail',
      followUpDate: '2026-03-04',
      followUpDone: false,
      by: 'ann',
    });
    const latest = await tx((client) => customerTimeline(client, ctx, ids.A!, { limit: 2 }));
    expect(latest.map((e) => e.text)).toEqual(['left voicemail', 'sent copy of A-1']);

    const due = await tx((client) => dueFollowUps(client, ctx, { asOfDate: '2026-03-05' }));
    expect(due.map((f) => [f.customerNumber, f.followUpDate, f.daysOverdue])).toEqual([
      ['B', '2026-03-03', 2],
      ['A', '2026-03-04', 1],
    ]);
    const anns = await tx((client) =>
      dueFollowUps(client, ctx, { asOfDate: '2026-03-10', collector: 'ann' }),
    );
    expect(anns.map((f) => f.text)).toEqual(['left voicemail', 'sent copy of A-1']);

    await tx((client) => setFollowUpDone(client, ctx, anns[0]!.activityId, true, 'ann', 'called back'));
    expect(
      (await tx((client) => dueFollowUps(client, ctx, { asOfDate: '2026-03-10', collector: 'ann' }))).length,
    ).toBe(1);
    await expect(
      tx((client) => setFollowUpDone(client, ctx, anns[0]!.activityId, true, 'ann')),
    ).rejects.toThrow(/already done/);
    await tx((client) =>
      setFollowUpDone(client, ctx, anns[0]!.activityId, false, 'ann', 'no answer after all'),
    );
    expect(
      (await tx((client) => dueFollowUps(client, ctx, { asOfDate: '2026-03-10', collector: 'ann' }))).length,
    ).toBe(2);
    const history = await tx((client) =>
      client.query<{ done: boolean; created_by: string }>(
        'SELECT done, created_by FROM activity_follow_up_change WHERE activity_id = $1 ORDER BY created_at',
        [anns[0]!.activityId],
      ),
    );
    expect(history.rows.map((r) => r.done)).toEqual([true, false]);
    // The timeline is append-only: the text of an entry cannot change, nor can it be deleted.
    await expect(
      tx((client) =>
        client.query("UPDATE activity SET text = 'edited' WHERE activity_id = $1", [anns[0]!.activityId]),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      tx((client) => client.query('DELETE FROM activity WHERE activity_id = $1', [anns[0]!.activityId])),
    ).rejects.toThrow(/append-only/);
  });

  it('marks promises kept, partly kept and broken as receipts are applied, each with its receipts, and can undo', async () => {
    const [kept, partial, broken, docScoped] = await tx(async (client) => [
      await createPromise(client, ctx, {
        customerId: ids.A!,
        amountMinor: 1000_00,
        promisedDate: '2026-03-10',
        madeOn: '2026-03-02',
        channel: 'phone',
        promisedBy: 'Jane (AP)',
        actor: 'ann',
      }),
      await createPromise(client, ctx, {
        customerId: ids.B!,
        amountMinor: 1500_00,
        promisedDate: '2026-03-12',
        madeOn: '2026-03-03',
        channel: 'email',
        actor: 'bob',
      }),
      await createPromise(client, ctx, {
        customerId: ids.D!,
        amountMinor: 100_00,
        promisedDate: '2026-03-06',
        madeOn: '2026-03-02',
        channel: 'portal',
        actor: 'ann',
      }),
      await createPromise(client, ctx, {
        customerId: ids.A!,
        amountMinor: 500_00,
        promisedDate: '2026-03-20',
        madeOn: '2026-03-02',
        channel: 'phone',
        documentIds: [docs['A-2']!],
        actor: 'ann',
      }),
    ]);
    // Promises live before their date hold the customers back from dunning.
    const holds = await tx((client) => dunningHolds(client, ctx.companyId, '2026-03-05'));
    expect(holds.get(ids.A!)!.map((h) => [h.kind, h.until])).toEqual([
      ['promise', '2026-03-13'],
      ['promise', '2026-03-23'],
    ]);
    expect(holds.get(ids.A!)![0]!.reason).toBe('promise to pay 1000.00 USD by 2026-03-10 (Jane (AP) phone)');
    expect(holds.get(ids.D!)![0]!.until).toBe('2026-03-09');

    await tx(async (client) => {
      // The parent pays 600 of A-1 on the 5th and A itself 399.50 more on the 9th (within the tolerance of 1.00).
      const { receiptId } = await recordReceipt(client, ctx, {
        receiptKey: 'R-P1',
        customerId: ids.P!,
        receiptDate: '2026-03-05',
        method: 'wire',
        currency: 'USD',
        amountMinor: 600_00,
        actor,
      }).then((receiptId) => ({ receiptId }));
      await applyReceipt(client, ctx, {
        receiptId,
        documentId: docs['A-1']!,
        cashMinor: 600_00,
        postingDate: '2026-03-06',
        actor,
      });
      await pay(client, 'A', '2026-03-09', 399_50);
      // B pays 700 of its 1,500 promise within the grace days (applied to B-1).
      await pay(client, 'B', '2026-03-14', 700_00, { 'B-1': 700_00 });
      // D pays after its grace period ran out.
      await pay(client, 'D', '2026-03-20', 100_00, { 'D-1': 100_00 });
    });
    const dry = await tx((client) => settlePromisesAndPlans(client, ctx, '2026-03-21', { dryRun: true }));
    expect(dry).toMatchObject({ kept: 1, broken: 2, partial: 1 });
    expect((await tx((client) => listPromises(client, ctx, { status: 'open' }))).length).toBe(4);

    const s = await tx((client) => settlePromisesAndPlans(client, ctx, '2026-03-21'));
    expect(s).toMatchObject({
      promisesEvaluated: 4,
      kept: 1,
      broken: 2,
      partial: 1,
      installmentsPaid: 0,
      installmentsMissed: 0,
    });
    const again = await tx((client) => settlePromisesAndPlans(client, ctx, '2026-03-21'));
    expect(again).toMatchObject({ promisesEvaluated: 1, kept: 0, broken: 0 });

    const k = await tx((client) => promiseDetail(client, ctx, kept.promiseId));
    expect(k.promise).toMatchObject({ status: 'kept', keptMinor: 999_50, settledOn: '2026-03-09' });
    expect(k.events).toHaveLength(1);
    expect(k.events[0]!.reason).toBe(
      'kept on 2026-03-09: 999.50 USD of 1000.00 USD received, from R-P1 (2026-03-05), R-1 (2026-03-09)',
    );
    const p = await tx((client) => promiseDetail(client, ctx, partial.promiseId));
    expect(p.promise).toMatchObject({ status: 'partial', keptMinor: 700_00, settledOn: '2026-03-16' });
    expect(p.events[0]!.reasons).toMatchObject([{ receiptKey: 'R-2', amountMinor: 700_00 }]);
    const b = await tx((client) => promiseDetail(client, ctx, broken.promiseId));
    expect(b.promise).toMatchObject({ status: 'broken', keptMinor: 0, settledOn: '2026-03-10' });
    // The document-scoped promise has seen no cash on A-2 yet: still open.
    expect((await tx((client) => promiseDetail(client, ctx, docScoped.promiseId))).promise.status).toBe(
      'open',
    );

    // Timeline: the settlement is on it, the promise's own follow-up is closed, a broken one asks for a call.
    const dTimeline = await tx((client) => customerTimeline(client, ctx, ids.D!));
    expect(dTimeline.map((e) => [e.kind, e.followUpDate, e.followUpDone])).toEqual([
      ['promise', '2026-03-10', true],
      ['promise', '2026-03-10', false],
    ]);
    expect(dTimeline[1]!.text).toContain('broken: nothing received from 2026-03-02 to 2026-03-09');

    // Undo the kept status: open again, its cash free; the next check keeps it again from the same receipts.
    const undo = await tx((client) =>
      undoPromiseEvent(client, ctx, k.events[0]!.eventId, {
        reason: 'receipt R-1 was misposted',
        actor: 'ann',
      }),
    );
    await expect(
      tx((client) => undoPromiseEvent(client, ctx, k.events[0]!.eventId, { reason: 'again', actor: 'ann' })),
    ).rejects.toThrow(/undone already/);
    await expect(
      tx((client) => undoPromiseEvent(client, ctx, undo, { reason: 'x', actor: 'ann' })),
    ).rejects.toThrow(/cannot itself be undone/);
    const reopened = await tx((client) => promiseDetail(client, ctx, kept.promiseId));
    expect(reopened.promise).toMatchObject({ status: 'open', keptMinor: 0, settledOn: null });
    expect(reopened.events.map((e) => [e.source, e.toStatus, e.reversedBy !== null])).toEqual([
      ['auto', 'kept', true],
      ['undo', 'open', false],
    ]);
    // Manual status after the undo: the collector knows better; the automatic check leaves it alone.
    await tx((client) =>
      setPromiseStatus(client, ctx, kept.promiseId, 'broken', {
        reason: 'customer retracted',
        actor: 'ann',
        date: '2026-03-22',
      }),
    );
    await expect(
      tx((client) => setPromiseStatus(client, ctx, kept.promiseId, 'kept', { reason: 'x', actor: 'ann' })),
    ).rejects.toThrow(/undo its last change/);

    // The scoped promise is kept by cash applied to A-2, and not by the parent's earlier unapplied cash.
    await tx((client) => pay(client, 'A', '2026-03-18', 500_00, { 'A-2': 500_00 }));
    const s2 = await tx((client) => settlePromisesAndPlans(client, ctx, '2026-03-22'));
    expect(s2).toMatchObject({ kept: 1, broken: 0 });
    expect((await tx((client) => promiseDetail(client, ctx, docScoped.promiseId))).promise).toMatchObject({
      status: 'kept',
      keptMinor: 500_00,
    });

    // Unapplied cash is undone by the ledger: an open promise no longer sees it.
    const late = await tx((client) =>
      createPromise(client, ctx, {
        customerId: ids.C!,
        amountMinor: 600_00,
        promisedDate: '2026-03-25',
        madeOn: '2026-03-22',
        channel: 'phone',
        actor: 'bob',
      }),
    );
    const paid = await tx((client) => pay(client, 'C', '2026-03-23', 600_00, { 'C-1': 600_00 }));
    expect(
      (await tx((client) => settlePromisesAndPlans(client, ctx, '2026-03-23', { dryRun: true }))).kept,
    ).toBe(1);
    await tx(async (client) => {
      await unapply(client, ctx, {
        applicationId: paid.applications[0]!,
        postingDate: '2026-03-23',
        actor,
        reason: 'applied to the wrong invoice',
      });
      // Nothing else is left of the receipt but its unapplied cash, which still counts for C's whole-account promise.
    });
    expect(
      (await tx((client) => settlePromisesAndPlans(client, ctx, '2026-03-23', { dryRun: true }))).kept,
    ).toBe(1);
    await tx((client) =>
      setPromiseStatus(client, ctx, late.promiseId, 'cancelled', { reason: 'recorded twice', actor: 'bob' }),
    );

    const facts = await tx((client) => collectionFacts(client, ctx.companyId, '2026-03-22'));
    expect(facts.get(ids.A!)).toMatchObject({
      promisesKept: 1,
      promisesBroken: 1,
      livePromiseMinor: 0,
      lastContactDate: '2026-03-02',
    });
    expect(facts.get(ids.B!)).toMatchObject({ promisesKept: 0, promisesBroken: 1 });
  });

  it('splits a past-due balance into a plan, flags a missed installment, and then stops holding dunning back', async () => {
    // B owes 2,300.00 on B-1, past due since January.
    const plan = await tx((client) =>
      createPlan(client, ctx, {
        customerId: ids.B!,
        installments: 3,
        firstDate: '2026-04-01',
        every: '1m',
        madeOn: '2026-03-25',
        actor: 'bob',
      }),
    );
    expect(plan.totalMinor).toBe(2300_00);
    expect(plan.schedule).toEqual([
      { seq: 1, dueDate: '2026-04-01', amountMinor: 766_67 },
      { seq: 2, dueDate: '2026-05-01', amountMinor: 766_67 },
      { seq: 3, dueDate: '2026-06-01', amountMinor: 766_66 },
    ]);
    await expect(
      tx((client) =>
        createPlan(client, ctx, {
          customerId: ids.B!,
          installments: 2,
          firstDate: '2026-04-01',
          madeOn: '2026-03-25',
          actor: 'bob',
        }),
      ),
    ).rejects.toThrow(/active plan/);
    await expect(
      tx((client) =>
        createPlan(client, ctx, {
          customerId: ids.C!,
          installments: 2,
          firstDate: '2026-04-01',
          madeOn: '2026-02-20',
          actor: 'bob',
        }),
      ),
    ).rejects.toThrow(/nothing past due/);
    expect((await tx((client) => dunningHolds(client, ctx.companyId, '2026-03-26'))).get(ids.B!)).toEqual([
      {
        kind: 'plan',
        until: '2026-06-06',
        reason: 'payment plan in good standing: 2300.00 USD left, 3 installments',
      },
    ]);

    await tx((client) => pay(client, 'B', '2026-03-31', 766_67, { 'B-1': 766_67 }));
    expect(await tx((client) => settlePromisesAndPlans(client, ctx, '2026-04-02'))).toMatchObject({
      installmentsPaid: 1,
      installmentsMissed: 0,
    });
    // Nothing for May by May 6 (grace 5 days): missed on the 7th.
    expect(await tx((client) => settlePromisesAndPlans(client, ctx, '2026-05-06'))).toMatchObject({
      installmentsMissed: 0,
    });
    // Past the grace of installment 2 and not yet checked: dunning is no longer held back.
    expect(
      (await tx((client) => dunningHolds(client, ctx.companyId, '2026-05-06'))).get(ids.B!),
    ).toHaveLength(1);
    expect(
      (await tx((client) => dunningHolds(client, ctx.companyId, '2026-05-07'))).get(ids.B!),
    ).toBeUndefined();
    expect(await tx((client) => settlePromisesAndPlans(client, ctx, '2026-05-07'))).toMatchObject({
      installmentsMissed: 1,
    });
    const d = await tx((client) => planDetail(client, ctx, plan.planId));
    expect(d.plan).toMatchObject({
      status: 'active',
      standing: 'missed',
      paidMinor: 766_67,
      missedInstallments: 1,
    });
    expect(d.installments.map((i) => [i.seq, i.status, i.paidMinor, i.settledOn])).toEqual([
      [1, 'paid', 766_67, '2026-03-31'],
      [2, 'missed', 0, '2026-05-07'],
      [3, 'open', 0, null],
    ]);
    expect(d.events.map((e) => [e.seq, e.toStatus])).toEqual([
      [1, 'paid'],
      [2, 'missed'],
      [null, 'missed'],
    ]);
    expect(
      (await tx((client) => dunningHolds(client, ctx.companyId, '2026-05-07'))).get(ids.B!),
    ).toBeUndefined();
    expect(
      (await tx((client) => collectionFacts(client, ctx.companyId, '2026-05-07'))).get(ids.B!)!
        .planMissedInstallments,
    ).toBe(1);
    const missedEntry = (await tx((client) => customerTimeline(client, ctx, ids.B!, { kinds: ['plan'] }))).at(
      -1,
    )!;
    expect(missedEntry).toMatchObject({ followUpDate: '2026-05-07', followUpDone: false });
    expect(missedEntry.text).toContain('installment 2 of 3 (766.67 USD due 2026-05-01) missed');

    // Paid late: back in good standing, then completed.
    await tx((client) => pay(client, 'B', '2026-05-10', 1533_33, { 'B-1': 1533_33 }));
    expect(await tx((client) => settlePromisesAndPlans(client, ctx, '2026-05-10'))).toMatchObject({
      installmentsPaid: 2,
      plansCompleted: 1,
    });
    const done = await tx((client) => planDetail(client, ctx, plan.planId));
    expect(done.plan).toMatchObject({ status: 'completed', standing: 'good', paidMinor: 2300_00 });
    expect(done.installments.map((i) => i.status)).toEqual(['paid', 'paid_late', 'paid']);
    await expect(
      tx((client) => cancelPlan(client, ctx, plan.planId, { reason: 'x', actor: 'bob' })),
    ).rejects.toThrow(/completed/);
  });

  it('places and lifts rule holds with reasons, and only a credit manager releases one', async () => {
    await tx((client) =>
      updateSettings(
        client,
        ctx.companyId,
        { creditPastDueDays: 30, creditToleranceMinor: 5_00 },
        'admin',
        'tighter rules',
      ),
    );
    await tx(async (client) => {
      await invoice(client, 'C-2', 'C', 900_00, '2026-03-01', '2026-03-31');
      await invoice(client, 'D-2', 'D', 50_00, '2026-01-01', '2026-01-31');
      await invoice(client, 'D-3', 'D', 4_00, '2025-12-01', '2025-12-31');
    });
    // On 2026-04-10: C owes C-1 (600, its cash unapplied again) and C-2 (900): exposure 1,500 less the
    // 600 unapplied = 900, over its 500 limit; its past-due debt is covered by that cash. D has 54 past
    // due by more than 30 days. A's 400 left on A-1 is covered by its unapplied 399.50 but for 0.50.
    const dry = await tx((client) =>
      creditCheck(client, ctx, { asOfDate: '2026-04-10', dryRun: true, actor: 'system' }),
    );
    expect(dry.placed.map((p) => [p.customerNumber, p.reasons.map((r) => r.code)])).toEqual([
      ['C', ['over_limit']],
      ['D', ['past_due']],
    ]);
    expect(
      await tx((client) => client.query('SELECT 1 FROM credit_hold WHERE source = $1', ['rule'])),
    ).toMatchObject({ rowCount: 0 });
    const c2 = await tx((client) => creditCheck(client, ctx, { asOfDate: '2026-05-10', actor: 'system' }));
    expect(c2.placed.map((p) => [p.customerNumber, p.reasons.map((r) => r.text)])).toEqual([
      [
        'C',
        [
          'exposure 900.00 USD is over the credit limit 500.00 USD by 400.00 USD',
          '900.00 USD past due by more than 30 days, net of 600.00 USD of credits (oldest due 2026-03-01)',
        ],
      ],
      ['D', ['54.00 USD past due by more than 30 days (oldest due 2025-12-31)']],
    ]);
    expect(
      (await tx((client) => creditCheck(client, ctx, { asOfDate: '2026-05-10', actor: 'system' }))).placed,
    ).toEqual([]);
    const status = await tx((client) =>
      creditStatus(client, ctx, { asOfDate: '2026-05-10', customerId: ids.C! }),
    );
    expect(status[0]).toMatchObject({
      creditLimitMinor: 500_00,
      exposureMinor: 900_00,
      availableMinor: -400_00,
      openDebitMinor: 1500_00,
      creditsMinor: 600_00,
    });
    expect(status[0]!.holds.map((h) => h.source)).toEqual(['rule']);

    // D pays 50 of it: 4.00 left is negligible, the rule hold is lifted.
    await tx((client) => pay(client, 'D', '2026-05-11', 50_00, { 'D-2': 50_00 }));
    const lifted = await tx((client) =>
      creditCheck(client, ctx, { asOfDate: '2026-05-11', actor: 'system' }),
    );
    expect(lifted.lifted.map((l) => l.customerNumber)).toEqual(['D']);

    // Releasing by hand needs the role.
    const release = () =>
      tx((client) =>
        releaseCreditHold(client, ctx, {
          customerId: ids.C!,
          reason: 'CFO approved shipment',
          actor: 'bob',
          date: '2026-05-12',
        }),
      );
    await expect(release()).rejects.toThrow(/needs the credit_manager role/);
    expect(
      (await tx((client) => grantCreditRole(client, ctx, 'carol', 'credit_manager', 'admin'))).bootstrap,
    ).toBe(true);
    await expect(
      tx((client) => grantCreditRole(client, ctx, 'bob', 'credit_manager', 'bob')),
    ).rejects.toThrow(/only a credit manager can grant/);
    await expect(release()).rejects.toThrow(/needs the credit_manager role/);
    await tx((client) => grantCreditRole(client, ctx, 'bob', 'credit_manager', 'carol'));
    const r = await release();
    expect(r).toMatchObject({ overrideUntil: '2026-06-11' });
    expect(r.released.map((h) => h.source)).toEqual(['rule']);
    // The override keeps the rules (and dunning) away until its date; dunning sees the release.
    expect(
      (await tx((client) => creditCheck(client, ctx, { asOfDate: '2026-05-20', actor: 'system' }))).placed,
    ).toEqual([]);
    expect((await tx((client) => dunningHolds(client, ctx.companyId, '2026-05-20'))).get(ids.C!)).toEqual([
      {
        kind: 'credit_hold_released',
        until: '2026-06-11',
        reason: 'credit hold released on 2026-05-12 by bob: CFO approved shipment',
      },
    ]);
    const overridden = await tx((client) =>
      placeCreditHold(client, ctx, {
        customerId: ids.C!,
        reason: 'dunning step',
        actor: 'dunning',
        source: 'dunning',
        date: '2026-05-20',
      }),
    );
    expect(overridden).toBe(r.released[0]!.holdId);
    expect(
      (
        await tx((client) => creditCheck(client, ctx, { asOfDate: '2026-06-12', actor: 'system' }))
      ).placed.map((p) => p.customerNumber),
    ).toEqual(['C']);
    // A manual hold stays until released by hand; its release is on the timeline.
    await tx((client) =>
      placeCreditHold(client, ctx, {
        customerId: ids.A!,
        reason: 'bankruptcy rumours',
        actor: 'ann',
        source: 'manual',
        date: '2026-05-12',
      }),
    );
    expect(
      (await tx((client) => collectionFacts(client, ctx.companyId, '2026-05-12'))).get(ids.A!)!.onCreditHold,
    ).toBe(true);
    await tx((client) =>
      releaseCreditHold(client, ctx, {
        customerId: ids.A!,
        reason: 'rumour denied',
        actor: 'carol',
        date: '2026-05-13',
        until: '2026-05-13',
      }),
    );
    expect(
      (await tx((client) => collectionFacts(client, ctx.companyId, '2026-05-13'))).get(ids.A!)!.onCreditHold,
    ).toBe(false);
    const aTimeline = await tx((client) =>
      customerTimeline(client, ctx, ids.A!, { kinds: ['hold', 'release'] }),
    );
    expect(aTimeline.map((e) => [e.kind, e.by])).toEqual([
      ['hold', 'ann'],
      ['release', 'carol'],
    ]);
    // A hold is released once; its terms never change.
    await expect(
      tx((client) => client.query("UPDATE credit_hold SET reason = 'x' WHERE customer_id = $1", [ids.A!])),
    ).rejects.toThrow(/change once/);
  });
});
