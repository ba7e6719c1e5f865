import { addDays, daysBetween } from '../../core/dates.js';
import { invariant } from './errors.js';
import {
  type Behaviour,
  behaviourOf,
  DAYS_LATE_CAP,
  DAYS_LATE_FLOOR,
  describeFeature,
  FEATURES,
  featureVector,
  type HistoryFacts,
  type Priors,
} from './features.js';
import {
  contributions,
  type LinearModel,
  linearScore,
  matrixOf,
  sigmoid,
  trainHuber,
  trainLogistic,
} from './regression.js';

/**
 * The payment model: will an invoice be paid after its due date + grace, and how many days after
 * its due date will it be paid. Trained on the ledger's own history, each invoice described as it
 * stood when it was issued (features from its customer's history before that day).
 */

export const MODEL_VERSION = 'openar-payment-1';
/** Below this many labelled invoices (or with one class only) the model is the base rate alone. */
export const MIN_TRAINING_ROWS = 30;
export const MAX_TRAINING_ROWS = 500_000;
export const DEFAULT_GRACE_DAYS = 5;
export const MAX_GRACE_DAYS = 90;

/** An invoice whose outcome is known: paid by due + grace or not. */
export interface LabelledRow {
  documentDate: string;
  dueDate: string;
  facts: HistoryFacts;
  late: boolean;
  /** Settled date − due date, when it was settled (null: still open, so late). */
  daysLate: number | null;
}

export interface PaymentModel {
  version: string;
  graceDays: number;
  priors: Priors;
  /** Logistic: P(paid after due + grace). */
  late: LinearModel;
  /** Huber regression: days late (settled − due) beyond the customer's own average. */
  days: LinearModel;
  features: readonly string[];
  training: {
    rows: number;
    positives: number;
    dateRows: number;
    fallback: boolean;
    iterations: number;
    converged: boolean;
    logLoss: number;
    firstDueDate: string | null;
    lastDueDate: string | null;
  };
}

const winsorize = (d: number) => Math.min(DAYS_LATE_CAP, Math.max(DAYS_LATE_FLOOR, d));
const logit = (p: number) => Math.log(p / (1 - p));

export function assertGraceDays(graceDays: number): void {
  invariant(
    Number.isSafeInteger(graceDays) && graceDays >= 0 && graceDays <= MAX_GRACE_DAYS,
    'bad-grace',
    `grace days must be a whole number from 0 to ${MAX_GRACE_DAYS}, got ${graceDays}`,
  );
}

/** The company's averages over labelled rows: days late of the settled ones, share late of all. */
export function priorsOf(rows: readonly LabelledRow[]): Priors {
  let settled = 0;
  let sum = 0;
  let late = 0;
  for (const r of rows) {
    if (r.late) late++;
    if (r.daysLate !== null) {
      settled++;
      sum += winsorize(r.daysLate);
    }
  }
  return {
    daysLate: settled > 0 ? sum / settled : 0,
    lateShare: rows.length > 0 ? late / rows.length : 0.5,
  };
}

function constantModel(intercept: number): LinearModel {
  const n = FEATURES.length;
  return {
    intercept,
    weights: new Array<number>(n).fill(0),
    means: new Array<number>(n).fill(0),
    scales: new Array<number>(n).fill(1),
  };
}

export interface TrainOptions {
  graceDays: number;
  l2?: number;
  /** Huber delta in days. */
  delta?: number;
  /** Ridge penalty of the date model (its corrections to the customer's average). */
  dateL2?: number;
}

export function trainPaymentModel(rows: readonly LabelledRow[], options: TrainOptions): PaymentModel {
  assertGraceDays(options.graceDays);
  invariant(rows.length <= MAX_TRAINING_ROWS, 'too-many-rows', `at most ${MAX_TRAINING_ROWS} training rows`);
  const priors = priorsOf(rows);
  const behaviours = rows.map((r) => behaviourOf(r.facts, priors));
  const x = matrixOf(behaviours.map(featureVector), FEATURES.length);
  const y = Uint8Array.from(rows, (r) => (r.late ? 1 : 0));
  const positives = y.reduce((s, v) => s + v, 0);
  const dated = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.daysLate !== null);
  const dueDates = rows.map((r) => r.dueDate).sort();
  const fallback = rows.length < MIN_TRAINING_ROWS || positives === 0 || positives === rows.length;
  let late: LinearModel;
  let iterations = 0;
  let converged = true;
  let logLoss = Number.NaN;
  if (fallback) {
    const rate = Math.min(0.99, Math.max(0.01, rows.length > 0 ? positives / rows.length : 0.5));
    late = constantModel(logit(rate));
  } else {
    const fit = trainLogistic(x, y, { l2: options.l2 });
    late = fit.model;
    iterations = fit.iterations;
    converged = fit.converged;
    logLoss = fit.loss;
  }
  let days: LinearModel;
  if (dated.length < MIN_TRAINING_ROWS) {
    days = constantModel(0);
  } else {
    const dx = matrixOf(
      dated.map(({ i }) => Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols))),
      x.cols,
    );
    const dy = Float64Array.from(dated, ({ r, i }) => winsorize(r.daysLate!) - behaviours[i]!.rawDaysLate);
    days = trainHuber(dx, dy, { l2: options.dateL2 ?? 1, delta: options.delta ?? 3 }).model;
  }
  return {
    version: MODEL_VERSION,
    graceDays: options.graceDays,
    priors,
    late,
    days,
    features: FEATURES,
    training: {
      rows: rows.length,
      positives,
      dateRows: dated.length,
      fallback,
      iterations,
      converged,
      logLoss,
      firstDueDate: dueDates[0] ?? null,
      lastDueDate: dueDates.at(-1) ?? null,
    },
  };
}

export interface Reason {
  feature: string;
  /** The feature as the model saw it; for already_late, the days past due. */
  value: number;
  /** Its push on the log-odds of paying late (positive: later); null for facts that are not model terms. */
  contribution: number | null;
  text: string;
}

export interface Prediction {
  pLate: number;
  alreadyLate: boolean;
  daysPastDue: number;
  predictedDaysLate: number;
  predictedPaymentDate: string;
  reasons: Reason[];
  behaviour: Behaviour;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** At issue: the probability of paying late and the expected days late. */
export function scoreInvoice(
  model: PaymentModel,
  facts: HistoryFacts,
): { pLate: number; daysLate: number; behaviour: Behaviour; features: number[] } {
  const behaviour = behaviourOf(facts, model.priors);
  const features = featureVector(behaviour);
  return {
    pLate: sigmoid(linearScore(model.late, features)),
    daysLate: winsorize(behaviour.rawDaysLate + linearScore(model.days, features)),
    behaviour,
    features,
  };
}

/** How many reasons a prediction keeps: the largest pushes either way. */
export const MAX_REASONS = 4;

/** Features that read as one sentence (the shrunk and the raw average): their pushes add up. */
const SAME_SENTENCE: Partial<Record<string, string>> = { raw_days_late: 'avg_days_late' };

/** The features that pushed the probability most, as sentences (only those few are written). */
export function reasonsOf(terms: number[], features: number[], behaviour: Behaviour): Reason[] {
  const merged = new Map<number, number>();
  terms.forEach((c, j) => {
    const into = SAME_SENTENCE[FEATURES[j]!];
    const k = into === undefined ? j : FEATURES.indexOf(into as (typeof FEATURES)[number]);
    merged.set(k, (merged.get(k) ?? 0) + c);
  });
  return [...merged]
    .filter(([, c]) => Math.abs(c) >= 0.005)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0] - b[0])
    .slice(0, MAX_REASONS)
    .map(([j, c]) => ({
      feature: FEATURES[j]!,
      value: round(features[j]!, 4),
      contribution: round(c, 4),
      text: describeFeature(FEATURES[j]!, behaviour),
    }));
}

/**
 * An open invoice as of a date. Past due + grace it is late already (probability 1). The date is the
 * due date plus the expected days late; when that date has passed and the invoice is still open,
 * the payment is expected after today by half the overrun (at least 1 day, at most 90): the longer
 * an invoice is overdue beyond the customer's habit, the further off its payment.
 */
export function predictOpen(
  model: PaymentModel,
  facts: HistoryFacts,
  dueDate: string,
  asOf: string,
): Prediction {
  const s = scoreInvoice(model, facts);
  const daysPastDue = daysBetween(dueDate, asOf);
  const alreadyLate = daysPastDue > model.graceDays;
  const expectedDaysLate = Math.round(s.daysLate);
  const expected = addDays(dueDate, expectedDaysLate);
  const overrun = daysBetween(expected, asOf);
  const predictedPaymentDate =
    overrun >= 0 ? addDays(asOf, Math.min(90, Math.max(1, Math.round(overrun / 2)))) : expected;
  const reasons = reasonsOf(contributions(model.late, s.features), s.features, s.behaviour);
  if (alreadyLate) {
    reasons.unshift({
      feature: 'already_late',
      value: daysPastDue,
      contribution: null,
      text: `already ${daysPastDue} days past due (grace ${model.graceDays})`,
    });
  }
  return {
    pLate: alreadyLate ? 1 : s.pLate,
    alreadyLate,
    daysPastDue,
    predictedDaysLate: daysBetween(dueDate, predictedPaymentDate),
    predictedPaymentDate,
    reasons,
    behaviour: s.behaviour,
  };
}
