import { describe, expect, it } from 'vitest';
import {
  auc,
  majorityBaseline,
  meanAbsoluteError,
  scoreClassifier,
} from '../../src/collections/prediction/core/evaluate.js';
import {
  behaviourOf,
  FEATURES,
  featureVector,
  type HistoryFacts,
  SHRINK,
} from '../../src/collections/prediction/core/features.js';
import { solveSpd } from '../../src/collections/prediction/core/linear.js';
import {
  type LabelledRow,
  MIN_TRAINING_ROWS,
  predictOpen,
  priorsOf,
  trainPaymentModel,
} from '../../src/collections/prediction/core/model.js';
import {
  contributions,
  linearScore,
  matrixOf,
  probability,
  trainHuber,
  trainLogistic,
} from '../../src/collections/prediction/core/regression.js';
import { evaluateTimeSplit } from '../../src/collections/prediction/core/split.js';

/** A tiny deterministic generator (mulberry32) for synthetic data. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const facts = (over: Partial<HistoryFacts> = {}): HistoryFacts => ({
  paidCount: 0,
  daysLateSum: 0,
  lateCount: 0,
  recentPaidCount: 0,
  recentDaysLateSum: 0,
  issuedCount: 0,
  issuedBaseMinor: 0,
  openBaseMinor: 0,
  overdueCount: 0,
  tenureDays: 0,
  amountBaseMinor: 100_00,
  termsDays: 30,
  ...over,
});

describe('linear algebra and regression', () => {
  it('solves a symmetric positive-definite system', () => {
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const x = solveSpd(a, Float64Array.from([2, 9, 7]), 3);
    // A·x = b
    expect(4 * x[0]! + 2 * x[1]!).toBeCloseTo(2, 10);
    expect(2 * x[0]! + 5 * x[1]! + x[2]!).toBeCloseTo(9, 10);
    expect(x[1]! + 3 * x[2]!).toBeCloseTo(7, 10);
    expect(() => solveSpd(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toThrow(
      /positive definite/,
    );
  });

  it('recovers the coefficients of a logistic model, deterministically', () => {
    const next = rng(7);
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x1 = next() * 4 - 2;
      const x2 = next() * 4 - 2;
      const p = 1 / (1 + Math.exp(-(0.5 + 2 * x1 - 1 * x2)));
      rows.push([x1, x2]);
      y.push(next() < p ? 1 : 0);
    }
    const x = matrixOf(rows, 2);
    const fit = trainLogistic(x, Uint8Array.from(y), { l2: 1e-6 });
    expect(fit.converged).toBe(true);
    // Back to the raw scale: w / scale, intercept − Σ w·mean/scale.
    const m = fit.model;
    const w = m.weights.map((v, j) => v / m.scales[j]!);
    const b = m.intercept - m.weights.reduce((s, v, j) => s + (v * m.means[j]!) / m.scales[j]!, 0);
    expect(w[0]).toBeCloseTo(2, 0);
    expect(w[1]).toBeCloseTo(-1, 0);
    expect(b).toBeCloseTo(0.5, 0);
    expect(Math.abs(w[0]! - 2)).toBeLessThan(0.15);
    const again = trainLogistic(x, Uint8Array.from(y), { l2: 1e-6 });
    expect(again.model).toEqual(fit.model);
    // Contributions add up to the score.
    const c = contributions(m, [1, 1]);
    expect(c.reduce((s, v) => s + v, m.intercept)).toBeCloseTo(linearScore(m, [1, 1]), 12);
  });

  it('stays finite on separable data (the ridge term)', () => {
    const x = matrixOf([[-2], [-1], [1], [2]], 1);
    const fit = trainLogistic(x, Uint8Array.from([0, 0, 1, 1]), { l2: 1e-2 });
    expect(Number.isFinite(fit.model.weights[0]!)).toBe(true);
    expect(probability(fit.model, [2])).toBeGreaterThan(0.8);
    expect(probability(fit.model, [-2])).toBeLessThan(0.2);
  });

  it('fits days late robustly: a few huge outliers barely move the Huber line', () => {
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      rows.push([i % 20]);
      y.push(3 + 2 * (i % 20) + (i % 50 === 0 ? 150 : 0));
    }
    const fit = trainHuber(matrixOf(rows, 1), Float64Array.from(y), { l2: 1e-6, delta: 2 });
    expect(linearScore(fit.model, [0])).toBeCloseTo(3, 0);
    expect(linearScore(fit.model, [10])).toBeCloseTo(23, 0);
  });

  it('refuses bad input', () => {
    expect(() => trainLogistic(matrixOf([], 1), new Uint8Array())).toThrow(/no rows/);
    expect(() => matrixOf([[1, 2], [3]], 2)).toThrow(/features/);
    expect(() => trainLogistic(matrixOf([[1]], 1), Uint8Array.from([1]), { l2: 0 })).toThrow(/ridge/);
  });
});

describe('payment-behaviour features', () => {
  it('shrinks a short history towards the company average', () => {
    const priors = { daysLate: 10, lateShare: 0.4 };
    const one = behaviourOf(facts({ paidCount: 1, daysLateSum: 50, lateCount: 1 }), priors);
    expect(one.avgDaysLate).toBeCloseTo((50 + SHRINK * 10) / (1 + SHRINK), 10);
    expect(one.rawDaysLate).toBe(50);
    expect(one.lateShare).toBeCloseTo((1 + SHRINK * 0.4) / (1 + SHRINK), 10);
    const many = behaviourOf(facts({ paidCount: 100, daysLateSum: 5000, lateCount: 100 }), priors);
    expect(many.avgDaysLate).toBeGreaterThan(48);
    const none = behaviourOf(facts(), priors);
    expect(none.avgDaysLate).toBe(10);
    expect(none.rawDaysLate).toBe(10);
    expect(featureVector(none)[FEATURES.indexOf('no_history')]).toBe(1);
  });

  it('measures the trend, the invoice size against the usual and the open balance', () => {
    const priors = { daysLate: 0, lateShare: 0 };
    const b = behaviourOf(
      facts({
        paidCount: 20,
        daysLateSum: 100,
        recentPaidCount: 5,
        recentDaysLateSum: 100,
        issuedCount: 20,
        issuedBaseMinor: 20 * 100_00,
        amountBaseMinor: 400_00,
        openBaseMinor: 300_00,
      }),
      priors,
    );
    expect(b.avgDaysLate).toBeCloseTo(100 / 23, 10);
    expect(b.trendDays).toBeGreaterThan(8);
    expect(b.sizeRatio).toBe(4);
    expect(b.openRatio).toBe(3);
    const v = featureVector(b);
    expect(v).toHaveLength(FEATURES.length);
    expect(v[FEATURES.indexOf('size_vs_usual')]).toBeCloseTo(Math.log(4), 10);
  });
});

describe('evaluation scores', () => {
  it('computes AUC with ties, log loss, accuracy and the majority baseline', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(auc([0.2, 0.3], [1, 1])).toBe(0.5);
    const s = scoreClassifier([0.9, 0.2], [1, 0]);
    expect(s.accuracy).toBe(1);
    expect(s.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    const base = majorityBaseline([1, 1, 1, 0], [1, 0, 1, 1]);
    expect(base.accuracy).toBe(0.75);
    expect(base.auc).toBe(0.5);
    expect(base.logLoss).toBeCloseTo(-(3 * Math.log(0.75) + Math.log(0.25)) / 4, 12);
    expect(meanAbsoluteError([1, 5], [2, 2])).toBe(2);
    expect(() => scoreClassifier([1.5], [1])).toThrow(/probability/);
  });
});

/** Customers of three habits; invoices monthly; an invoice's facts are its customer's history before it. */
function syntheticLedger(customers: number, months: number, seed: number): LabelledRow[] {
  const next = rng(seed);
  const rows: LabelledRow[] = [];
  for (let c = 0; c < customers; c++) {
    const habit = c % 3 === 0 ? 25 : c % 3 === 1 ? 2 : 10;
    let paid = 0;
    let sum = 0;
    let late = 0;
    let pending: { settled: number; days: number; late: boolean }[] = [];
    for (let m = 0; m < months; m++) {
      const issued = m * 30 + (c % 30);
      const due = issued + 30;
      const days = Math.round(habit + (next() - 0.5) * 12);
      const settled = due + days;
      // The history before this invoice: what settled before it was issued.
      const still: typeof pending = [];
      for (const h of pending) {
        if (h.settled >= issued) {
          still.push(h);
          continue;
        }
        paid++;
        sum += h.days;
        late += h.late ? 1 : 0;
      }
      pending = still;
      const iso = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      rows.push({
        documentDate: iso(issued),
        dueDate: iso(due),
        facts: facts({
          paidCount: paid,
          daysLateSum: sum,
          lateCount: late,
          issuedCount: m,
          issuedBaseMinor: m * 100_00,
          tenureDays: m * 30,
        }),
        late: days > 5,
        daysLate: days,
      });
      pending.push({ settled, days, late: days > 5 });
    }
  }
  return rows;
}

describe('the payment model', () => {
  it('falls back to the base rate with too little history', () => {
    const rows = syntheticLedger(2, 5, 1);
    expect(rows.length).toBeLessThan(MIN_TRAINING_ROWS);
    const model = trainPaymentModel(rows, { graceDays: 5 });
    expect(model.training.fallback).toBe(true);
    expect(model.late.weights.every((w) => w === 0)).toBe(true);
  });

  it('learns habits and beats the majority class on later months (time split)', () => {
    const rows = syntheticLedger(60, 18, 3);
    const e = evaluateTimeSplit(rows, '2025-01-01', { graceDays: 5 });
    expect(e.train.rows).toBeGreaterThan(300);
    // Nothing of the test period trains the model: due + grace before the cutoff.
    expect(e.trained.lastDueDate! < '2025-01-01').toBe(true);
    expect(e.model.accuracy).toBeGreaterThan(e.baseline.accuracy + 0.1);
    expect(e.model.logLoss).toBeLessThan(e.baseline.logLoss);
    expect(e.model.auc).toBeGreaterThan(0.85);
    expect(e.dates!.modelMae).toBeLessThan(e.dates!.dueDateMae);
    expect(priorsOf(rows).lateShare).toBeGreaterThan(0.3);
  });

  it('predicts an open invoice: late already past grace; a date after today when overdue', () => {
    const rows = syntheticLedger(60, 12, 5);
    const model = trainPaymentModel(rows, { graceDays: 5 });
    const habitual = facts({
      paidCount: 10,
      daysLateSum: 250,
      lateCount: 10,
      issuedCount: 10,
      issuedBaseMinor: 1000_00,
      tenureDays: 300,
    });
    const notDue = predictOpen(model, habitual, '2025-03-20', '2025-03-01');
    expect(notDue.alreadyLate).toBe(false);
    expect(notDue.pLate).toBeGreaterThan(0.8);
    expect(notDue.predictedPaymentDate > '2025-04-05').toBe(true);
    expect(notDue.reasons.length).toBeGreaterThan(0);
    expect(notDue.reasons[0]!.contribution).not.toBeNull();
    const prompt = facts({
      paidCount: 10,
      daysLateSum: 10,
      lateCount: 0,
      issuedCount: 10,
      issuedBaseMinor: 1000_00,
      tenureDays: 300,
    });
    expect(predictOpen(model, prompt, '2025-03-20', '2025-03-01').pLate).toBeLessThan(0.2);
    const overdue = predictOpen(model, prompt, '2025-01-01', '2025-03-01');
    expect(overdue).toMatchObject({ alreadyLate: true, pLate: 1, daysPastDue: 59 });
    expect(overdue.reasons[0]).toMatchObject({ feature: 'already_late', value: 59 });
    expect(overdue.predictedPaymentDate > '2025-03-01').toBe(true);
  });
});
