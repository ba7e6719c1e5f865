import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPromise } from '../../src/collections/activity/promises.js';
import { addDays } from '../../src/collections/core/dates.js';
import { latestPredictionRun, predictedDocuments } from '../../src/collections/prediction/reports.js';
import { buildWorklist, viewOf, type Worklist } from '../../src/collections/worklist/build.js';
import { WorklistError } from '../../src/collections/worklist/core/errors.js';
import { liftSnoozes, snoozeAccount } from '../../src/collections/worklist/snooze.js';
import { applyReceipt, type CompanyContext, postDocument, recordReceipt } from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers } from './setup.js';

const AS_OF = '2026-03-31';

/**
 * A hand-built ledger whose worklist is worked out by hand. With fewer than 30 documents of known
 * outcome the model is the base rate: 7 of the 16 documents due (+ 5 days' grace) before the as-of
 * date were paid late or not at all (A's 4 paid 40 days late, and the open A9, B9 and D9), so every
 * not-yet-due invoice is 7/16 likely to be paid late and every item past grace is late (1).
 *
 *   A  alice  INV-A9 10,000.00 due 02-14, 45 days past due: 10,000 × 1 × 1.5 = 15,000.00  final notice
 *   B  alice  INV-B9 10,000.00 due 03-20, 11 days past due: 10,000 × 1 × 1   = 10,000.00  call
 *   D  bob    INV-D9  2,000.00 due 12-20, 101 days past due: 2,000 × 1 × 3   =  6,000.00  escalate
 *   E  carol  INV-E9  8,000.00 due 04-15, limit 5,000.00: 3,000 over + 8,000 × 7/16 × 0.25 = 3,875.00  credit hold
 *   C  bob    INV-C9 10,000.00 due 04-20: 10,000 × 7/16 × 0.25 = 1,093.75  no action
 */
describe.each(ENGINES)('worklist on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  const docIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'wl', [
      { number: 'A', collector: 'alice' },
      { number: 'B', collector: 'alice' },
      { number: 'C', collector: 'bob' },
      { number: 'D', collector: 'bob' },
      { number: 'E', collector: 'carol' },
    ]));
    await t.database.query(
      'UPDATE customer SET credit_limit_minor = 500000 WHERE company_id = $1 AND customer_id = $2',
      [ctx.companyId, ids.E],
    );
    await t.database.transaction(async ({ client }) => {
      let n = 0;
      const invoice = async (customer: string, number: string, date: string, due: string, amount: number) => {
        docIds[number] = await postDocument(client, ctx, {
          documentNumber: number,
          customerId: ids[customer]!,
          docType: 'invoice',
          documentDate: date,
          dueDate: due,
          currency: 'USD',
          amountMinor: amount,
          actor,
        });
        return docIds[number]!;
      };
      const pay = async (customer: string, documentId: string, date: string, amount: number) => {
        const receiptId = await recordReceipt(client, ctx, {
          receiptKey: `R${++n}`,
          customerId: ids[customer]!,
          receiptDate: date,
          method: 'ach',
          currency: 'USD',
          amountMinor: amount,
          actor,
        });
        await applyReceipt(client, ctx, {
          receiptId,
          documentId,
          cashMinor: amount,
          postingDate: date,
          actor,
        });
      };
      // Paid history: A pays 40 days late, B, C and D on the due date.
      const months = ['2025-06-01', '2025-07-01', '2025-08-01', '2025-09-01'];
      for (const [i, date] of months.entries()) {
        const due = addDays(date, 30);
        await pay('A', await invoice('A', `INV-A${i + 1}`, date, due, 1_000_00), addDays(due, 40), 1_000_00);
        await pay('B', await invoice('B', `INV-B${i + 1}`, date, due, 1_000_00), due, 1_000_00);
        await pay('C', await invoice('C', `INV-C${i + 1}`, date, due, 1_000_00), due, 1_000_00);
      }
      await pay('D', await invoice('D', 'INV-D1', '2025-06-01', '2025-07-01', 500_00), '2025-07-01', 500_00);
      await invoice('A', 'INV-A9', '2026-01-15', '2026-02-14', 10_000_00);
      await invoice('B', 'INV-B9', '2026-02-18', '2026-03-20', 10_000_00);
      await invoice('C', 'INV-C9', '2026-03-21', '2026-04-20', 10_000_00);
      await invoice('D', 'INV-D9', '2025-11-20', '2025-12-20', 2_000_00);
      await invoice('E', 'INV-E9', '2026-03-16', '2026-04-15', 8_000_00);
    });
  }, 120_000);
  afterAll(async () => t?.dispose());

  const build = (predict: 'auto' | 'always' = 'auto') =>
    t.database.transaction(({ client }) => buildWorklist(client, ctx, { asOf: AS_OF, actor, predict }));
  const numbers = (w: Worklist, o: Parameters<typeof viewOf>[1] = {}) =>
    viewOf(w, o).map((r) => r.customerNumber);
  const term = (w: Worklist, customer: string, code: string) =>
    w.rows.find((r) => r.customerNumber === customer)?.terms.find((x) => x.code === code);

  it('ranks the accounts by what acting is worth, each with its reasons and next action', async () => {
    const w = await build('always');
    expect(w.predicted).toBe(true);
    expect(numbers(w)).toEqual(['A', 'B', 'D', 'E', 'C']);
    const score = (n: string) => w.rows.find((r) => r.customerNumber === n)!.scoreBaseMinor;
    expect([score('A'), score('B'), score('D'), score('E'), score('C')]).toEqual([
      1_500_000, 1_000_000, 600_000, 387_500, 109_375,
    ]);
    const a = w.rows[0]!;
    expect(a).toMatchObject({
      rank: 1,
      collector: 'alice',
      action: 'final_notice',
      actionText: 'send final notice',
    });
    expect(a.terms[0]).toMatchObject({
      code: 'at_risk_d31_60',
      valueBaseMinor: 1_500_000,
      text: 'USD 10,000.00 31–60 days past due × 100% likely late × age weight 1.5',
    });
    expect(term(w, 'A', 'payment_habit')?.text).toBe('pays 40 days late on average, 100% of 4 paid late');
    expect(term(w, 'A', 'largest_item')?.text).toContain('INV-A9');
    expect(w.rows.find((r) => r.customerNumber === 'B')!.action).toBe('call');
    expect(w.rows.find((r) => r.customerNumber === 'D')!.action).toBe('escalate');
    expect(w.rows.find((r) => r.customerNumber === 'C')!.action).toBe('none');
    const e = w.rows.find((r) => r.customerNumber === 'E')!;
    expect(e.action).toBe('place_credit_hold');
    expect(term(w, 'E', 'over_credit_limit')).toMatchObject({ valueBaseMinor: 300_000 });
    expect(term(w, 'E', 'over_credit_limit')!.text).toContain(
      'over the credit limit USD 5,000.00 by USD 3,000.00',
    );
    // The run is stored with every row's reasons.
    const stored = await t.database.query<{
      customer_id: string;
      rank: number;
      action: string;
      reasons: { terms: unknown[] };
    }>(
      'SELECT customer_id, rank, action, reasons FROM worklist_item WHERE company_id = $1 AND run_id = $2 ORDER BY rank',
      [ctx.companyId, w.runId],
    );
    expect(stored.map((r) => r.customer_id)).toEqual(['A', 'B', 'D', 'E', 'C'].map((n) => ids[n]));
    expect(stored[0]!.reasons.terms.length).toBeGreaterThan(1);
  });

  it('stores the predictions and reads them back', async () => {
    const w = await build();
    expect(w.predicted).toBe(false);
    const { run, docs } = await t.database.transaction(async ({ client }) => {
      const run = await latestPredictionRun(client, ctx, AS_OF);
      return { run, docs: await predictedDocuments(client, ctx, run.runId) };
    });
    expect(run).toMatchObject({
      runId: w.predictionRunId,
      asOf: AS_OF,
      graceDays: 5,
      documents: 5,
      customers: 5,
    });
    expect(run.training).toMatchObject({ rows: 16, positives: 7, fallback: true });
    const byNumber = new Map(docs.map((d) => [d.documentNumber, d]));
    expect(byNumber.get('INV-A9')).toMatchObject({
      alreadyLate: true,
      pLate: 1,
      daysPastDue: 45,
      openMinor: 10_000_00,
    });
    expect(byNumber.get('INV-A9')!.reasons[0]).toMatchObject({ feature: 'already_late', value: 45 });
    expect(byNumber.get('INV-C9')!.pLate).toBeCloseTo(7 / 16, 6);
    expect(byNumber.get('INV-C9')!.predictedPaymentDate > AS_OF).toBe(true);
    // Not-yet-late documents first, most likely late first.
    expect(docs[0]!.alreadyLate).toBe(false);
  });

  it("filters a collector's portfolio", async () => {
    const w = await build();
    expect(numbers(w, { collector: 'bob' })).toEqual(['D', 'C']);
    expect(numbers(w, { collector: 'ALICE' })).toEqual(['A', 'B']);
    expect(numbers(w, { collector: 'nobody' })).toEqual([]);
    expect(numbers(w, { limit: 2 })).toEqual(['A', 'B']);
  });

  it('hides a snoozed account until its date and restores it when the snooze is undone', async () => {
    await t.database.transaction(({ client }) =>
      snoozeAccount(client, ctx, {
        customerId: ids.A!,
        until: '2026-04-15',
        reason: 'CFO on holiday',
        actor,
        today: AS_OF,
      }),
    );
    const snoozed = await build();
    expect(numbers(snoozed)).toEqual(['B', 'D', 'E', 'C']);
    expect(numbers(snoozed, { includeSnoozed: true })).toEqual(['B', 'D', 'E', 'C', 'A']);
    expect(snoozed.rows.find((r) => r.customerNumber === 'A')).toMatchObject({
      snoozedUntil: '2026-04-15',
      snoozeReason: 'CFO on holiday',
      nextActionDate: '2026-04-15',
    });
    // On its date the account is back.
    const later = await t.database.transaction(({ client }) =>
      buildWorklist(client, ctx, { asOf: '2026-04-15', actor }),
    );
    expect(numbers(later)[0]).toBe('A');
    await t.database.transaction(({ client }) =>
      liftSnoozes(client, ctx, { customerId: ids.A!, actor, reason: 'back early', today: AS_OF }),
    );
    expect(numbers(await build())).toEqual(['A', 'B', 'D', 'E', 'C']);
    await expect(
      t.database.transaction(({ client }) =>
        liftSnoozes(client, ctx, { customerId: ids.A!, actor, today: AS_OF }),
      ),
    ).rejects.toThrow(WorklistError);
    await expect(
      t.database.transaction(({ client }) =>
        snoozeAccount(client, ctx, { customerId: ids.A!, until: AS_OF, reason: 'x', actor, today: AS_OF }),
      ),
    ).rejects.toThrow(/after today/);
  });

  it('waits on a live promise to pay: the account drops and says so', async () => {
    await t.database.transaction(({ client }) =>
      createPromise(client, ctx, {
        customerId: ids.B!,
        amountMinor: 10_000_00,
        promisedDate: '2026-04-03',
        madeOn: '2026-03-30',
        channel: 'phone',
        actor,
      }),
    );
    const w = await build();
    const b = w.rows.find((r) => r.customerNumber === 'B')!;
    expect(b.action).toBe('wait_promise');
    expect(b.actionText).toMatch(/^no action — promise live until 2026-04-0\d$/);
    expect(b.scoreBaseMinor).toBe(200_000);
    expect(b.terms.find((x) => x.code === 'promise_live')?.valueBaseMinor).toBe(-800_000);
    expect(numbers(w)).toEqual(['A', 'D', 'E', 'B', 'C']);
  });
});
