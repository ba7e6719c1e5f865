import { addDays } from '../../core/dates.js';
import { invariant } from './errors.js';
import { type ClassifierScores, majorityBaseline, meanAbsoluteError, scoreClassifier } from './evaluate.js';
import {
  type LabelledRow,
  type PaymentModel,
  scoreInvoice,
  type TrainOptions,
  trainPaymentModel,
} from './model.js';

/**
 * The time-ordered evaluation: train on the invoices whose outcome was known before the cutoff
 * (due + grace before it), test on the invoices issued on or after it (each described by its
 * customer's history before its own issue date, as the model would have seen it). Nothing of the
 * test months reaches the training.
 */
export interface SplitEvaluation {
  cutoff: string;
  graceDays: number;
  train: { rows: number; positives: number };
  model: ClassifierScores;
  baseline: ClassifierScores & { majorityClass: 'late' | 'on time' };
  /** Accuracy gained over the majority class, in percentage points. */
  accuracyGainPoints: number;
  dates: {
    rows: number;
    modelMae: number;
    dueDateMae: number;
    customerAverageMae: number;
  } | null;
  trained: PaymentModel['training'];
}

export function evaluateTimeSplit(
  rows: readonly LabelledRow[],
  cutoff: string,
  options: TrainOptions,
): SplitEvaluation {
  const train = rows.filter((r) => addDays(r.dueDate, options.graceDays) < cutoff);
  const test = rows.filter((r) => r.documentDate >= cutoff);
  invariant(train.length > 0, 'no-training-rows', `no invoice's outcome was known before ${cutoff}`);
  invariant(
    test.length > 0,
    'no-test-rows',
    `no invoice with a known outcome was issued on or after ${cutoff}`,
  );
  const model = trainPaymentModel(train, options);
  const scored = test.map((r) => scoreInvoice(model, r.facts));
  const y = Uint8Array.from(test, (r) => (r.late ? 1 : 0));
  const modelScores = scoreClassifier(
    scored.map((s) => s.pLate),
    y,
  );
  const trainY = Uint8Array.from(train, (r) => (r.late ? 1 : 0));
  const baseline = majorityBaseline(trainY, y);
  const trainPositives = trainY.reduce((s, v) => s + v, 0);
  const settled = test.map((r, i) => ({ r, s: scored[i]! })).filter(({ r }) => r.daysLate !== null);
  const dates =
    settled.length === 0
      ? null
      : {
          rows: settled.length,
          modelMae: meanAbsoluteError(
            settled.map(({ s }) => Math.round(s.daysLate)),
            settled.map(({ r }) => r.daysLate!),
          ),
          dueDateMae: meanAbsoluteError(
            settled.map(() => 0),
            settled.map(({ r }) => r.daysLate!),
          ),
          customerAverageMae: meanAbsoluteError(
            // Whole days, like every predicted date.
            settled.map(({ r }) =>
              Math.round(
                r.facts.paidCount > 0 ? r.facts.daysLateSum / r.facts.paidCount : model.priors.daysLate,
              ),
            ),
            settled.map(({ r }) => r.daysLate!),
          ),
        };
  return {
    cutoff,
    graceDays: options.graceDays,
    train: { rows: train.length, positives: trainPositives },
    model: modelScores,
    baseline: { ...baseline, majorityClass: trainPositives * 2 >= train.length ? 'late' : 'on time' },
    accuracyGainPoints: (modelScores.accuracy - baseline.accuracy) * 100,
    dates,
    trained: model.training,
  };
}
