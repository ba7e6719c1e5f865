import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePredictions } from '../../src/collections/prediction/evaluate.js';
import {
  buildPredictionInput,
  KIND_OPEN,
  KIND_TRAINING,
  labelledOf,
  openOf,
  readInput,
} from '../../src/collections/prediction/features.js';
import { runPrediction } from '../../src/collections/prediction/predict.js';
import { latestPredictionRun, predictedDocuments } from '../../src/collections/prediction/reports.js';
import { runDemo } from '../../src/demo/run.js';
import {
  adjustDocument,
  applyReceipt,
  type CompanyContext,
  loadCompany,
  postDocument,
  recordReceipt,
} from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers } from './setup.js';

const DEMO_AS_OF = '2025-06-30';

/**
 * The payment model on a generated ledger (the demo company's year: customers with prompt, late,
 * slow and chronic habits): on a time-ordered split it must beat always predicting the majority
 * class, and a prediction run must cover every open invoice.
 */
describe.each(ENGINES)('payment prediction on a generated ledger (%s)', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    await runDemo(t.database, { seed: 11, customers: 80, asOf: DEMO_AS_OF, actor });
    ctx = await t.database.transaction(({ client }) => loadCompany(client, 'demo'));
  }, 300_000);
  afterAll(async () => t?.dispose());

  it('beats the majority-class baseline on the held-back months', async () => {
    const e = await t.database.transaction(({ client }) =>
      evaluatePredictions(client, ctx, { end: DEMO_AS_OF }),
    );
    expect(e.train.rows).toBeGreaterThan(500);
    expect(e.model.rows).toBeGreaterThan(150);
    // Trained only on what was known before the cutoff; tested on what was issued after it.
    expect(e.trained.lastDueDate! < e.cutoff).toBe(true);
    expect(e.model.accuracy).toBeGreaterThan(e.baseline.accuracy);
    expect(e.model.logLoss).toBeLessThan(e.baseline.logLoss);
    expect(e.model.auc).toBeGreaterThan(0.75);
    expect(e.dates!.modelMae).toBeLessThan(e.dates!.dueDateMae);
  });

  it('samples whole customers when more documents qualify than the training limit', async () => {
    const r = await t.database.transaction(async ({ client }) => {
      const counts = await buildPredictionInput(client, ctx.companyId, {
        asOf: DEMO_AS_OF,
        graceDays: 5,
        trainFrom: '2000-01-01',
        trainLimit: 200,
      });
      const customers = await client.query<{ n: number }>(
        `SELECT count(DISTINCT customer_id)::int8 AS n FROM prediction_input WHERE kind = ${KIND_TRAINING}`,
      );
      return { ...counts, customers: customers.rows[0]!.n };
    });
    expect(r.sampledOneIn).toBeGreaterThan(1);
    // The latest 200 of the sample's, or all of them when the sampled customers had fewer.
    expect(r.training).toBeGreaterThan(0);
    expect(r.training).toBeLessThanOrEqual(200);
    expect(r.customers).toBeLessThan(80 / 2 + 10);
  });

  it('predicts every open invoice and debit memo and stores the run', async () => {
    const s = await t.database.transaction(({ client }) =>
      runPrediction(client, ctx, { asOf: DEMO_AS_OF, actor }),
    );
    const [open] = await t.database.query<{ n: number; base: number }>(
      `SELECT count(*)::int8 AS n, sum(open_base_minor)::int8 AS base FROM document
        WHERE company_id = $1 AND doc_type <> 'credit_memo' AND open_minor > 0`,
      [ctx.companyId],
    );
    expect(s.documents).toBe(open!.n);
    expect(s.openBaseMinor).toBe(open!.base);
    expect(s.training.fallback).toBe(false);
    const docs = await t.database.transaction(async ({ client }) => {
      const run = await latestPredictionRun(client, ctx);
      expect(run.runId).toBe(s.runId);
      return predictedDocuments(client, ctx, run.runId, { limit: 5 });
    });
    expect(docs).toHaveLength(5);
    for (const d of docs) {
      expect(d.pLate).toBeGreaterThanOrEqual(0);
      expect(d.pLate).toBeLessThanOrEqual(1);
      expect(d.predictedPaymentDate > DEMO_AS_OF).toBe(true);
      expect(d.reasons.length).toBeGreaterThan(0);
    }
    const [customers] = await t.database.query<{ n: number }>(
      'SELECT count(*)::int8 AS n FROM prediction_customer WHERE company_id = $1 AND run_id = $2',
      [ctx.companyId, s.runId],
    );
    expect(customers!.n).toBe(s.customers);
  });
});

/**
 * What the features read from the ledger, on a ledger small enough to check by hand: an invoice is
 * settled on the day its last part was paid or written off; history is what happened before a day.
 */
describe.each(ENGINES)('payment facts from the ledger (%s)', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await companyWithCustomers(t.database, 'facts', [{ number: 'A' }]));
    await t.database.transaction(async ({ client }) => {
      const doc = (n: string, date: string, due: string, amount: number) =>
        postDocument(client, ctx, {
          documentNumber: n,
          customerId: ids.A!,
          docType: 'invoice',
          documentDate: date,
          dueDate: due,
          currency: 'USD',
          amountMinor: amount,
          actor,
        });
      const receipt = (key: string, date: string, amount: number) =>
        recordReceipt(client, ctx, {
          receiptKey: key,
          customerId: ids.A!,
          receiptDate: date,
          method: 'ach',
          currency: 'USD',
          amountMinor: amount,
          actor,
        });
      // INV-1: half paid on time, the rest 12 days late. INV-2: paid 2 days early, part written off 20 days late.
      const i1 = await doc('INV-1', '2026-01-01', '2026-01-31', 100_00);
      const r1 = await receipt('R1', '2026-01-31', 50_00);
      await applyReceipt(client, ctx, {
        receiptId: r1,
        documentId: i1,
        cashMinor: 50_00,
        postingDate: '2026-01-31',
        actor,
      });
      const r2 = await receipt('R2', '2026-02-12', 50_00);
      await applyReceipt(client, ctx, {
        receiptId: r2,
        documentId: i1,
        cashMinor: 50_00,
        postingDate: '2026-02-12',
        actor,
      });
      const i2 = await doc('INV-2', '2026-01-10', '2026-02-09', 200_00);
      const r3 = await receipt('R3', '2026-02-07', 190_00);
      await applyReceipt(client, ctx, {
        receiptId: r3,
        documentId: i2,
        cashMinor: 190_00,
        postingDate: '2026-02-07',
        actor,
      });
      await adjustDocument(client, ctx, {
        documentId: i2,
        kind: 'small_balance',
        amountMinor: 10_00,
        postingDate: '2026-03-01',
        reason: 'short paid',
        actor,
      });
      // INV-3: issued after both settled; INV-4 still open.
      await doc('INV-3', '2026-03-05', '2026-04-04', 300_00);
      await doc('INV-4', '2026-01-20', '2026-02-19', 400_00);
    });
  }, 120_000);
  afterAll(async () => t?.dispose());

  async function input(asOf: string) {
    return t.database.transaction(async ({ client }) => {
      await buildPredictionInput(client, ctx.companyId, {
        asOf,
        graceDays: 5,
        trainFrom: '2000-01-01',
        trainLimit: 1000,
      });
      const training: ReturnType<typeof labelledOf>[] = [];
      const open: ReturnType<typeof openOf>[] = [];
      await readInput(client, KIND_TRAINING, (rows) => {
        for (const r of rows) training.push(labelledOf(r));
      });
      await readInput(client, KIND_OPEN, (rows) => {
        for (const r of rows) open.push(openOf(r));
      });
      return { training, open };
    });
  }

  it('settles a document on its last payment or write-off and reads history before each day', async () => {
    const { training, open } = await input('2026-04-30');
    const byDate = new Map(training.map((r) => [r.documentDate, r]));
    // INV-1: settled 2026-02-12, 12 days after due: late. INV-2: last cleared 2026-03-01, 20 days late.
    expect(byDate.get('2026-01-01')).toMatchObject({ daysLate: 12, late: true });
    expect(byDate.get('2026-01-10')).toMatchObject({ daysLate: 20, late: true });
    // INV-4, open, due 02-19: late (not settled by due + grace).
    expect(byDate.get('2026-01-20')).toMatchObject({ daysLate: null, late: true });
    // INV-3 was issued after INV-1 and INV-2 settled and after INV-4 went overdue.
    expect(byDate.get('2026-03-05')!.facts).toMatchObject({
      paidCount: 2,
      daysLateSum: 32,
      lateCount: 2,
      issuedCount: 3,
      issuedBaseMinor: 700_00,
      openBaseMinor: 400_00,
      overdueCount: 1,
      tenureDays: 63,
      termsDays: 30,
      // Settled within the 90 days before 03-05: both.
      recentPaidCount: 2,
      recentDaysLateSum: 32,
    });
    // INV-1 on its own issue date: no history.
    expect(byDate.get('2026-01-01')!.facts).toMatchObject({ paidCount: 0, issuedCount: 0, tenureDays: 0 });
    // Open on 04-30: INV-3 and INV-4, with everything up to that day.
    expect(open.map((o) => o.documentNumber).sort()).toEqual(['INV-3', 'INV-4']);
    expect(open[0]!.facts).toMatchObject({
      paidCount: 2,
      issuedCount: 4,
      openBaseMinor: 700_00,
      overdueCount: 2,
    });
  });

  it('gives an open document on a day the history a document issued the next day would have', async () => {
    // The grouped sums (open documents on 03-04) against the window (INV-3, issued 03-05).
    const issued = (await input('2026-04-30')).training.find((r) => r.documentDate === '2026-03-05')!.facts;
    const open = (await input('2026-03-04')).open.find((o) => o.documentNumber === 'INV-4')!.facts;
    const { amountBaseMinor: _a, termsDays: _t, ...history } = issued;
    expect(open).toMatchObject(history);
    expect(history.tenureDays).toBe(63);
  });

  it('rebuilds the facts as of an earlier date', async () => {
    const { training, open } = await input('2026-02-10');
    // On 02-10 INV-1 was half paid and INV-2 mostly paid: both open; nothing had settled.
    expect(open.map((o) => [o.documentNumber, o.openMinor]).sort()).toEqual([
      ['INV-1', 50_00],
      ['INV-2', 10_00],
      ['INV-4', 400_00],
    ]);
    // Only INV-1 (due 01-31 + 5 < 02-10) had a known outcome: open past grace, so late.
    expect(training.map((r) => [r.documentDate, r.late, r.daysLate])).toEqual([['2026-01-01', true, null]]);
  });
});
