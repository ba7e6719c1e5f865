import { invariant } from './errors.js';

/** Scores of probabilistic and numeric predictions against what happened. */

export interface ClassifierScores {
  rows: number;
  positives: number;
  accuracy: number;
  logLoss: number;
  /** Area under the ROC curve; 0.5 when only one class is present. */
  auc: number;
  brier: number;
}

const EPS = 1e-15;

export function scoreClassifier(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  threshold = 0.5,
): ClassifierScores {
  invariant(p.length === y.length, 'bad-shape', 'as many predictions as outcomes are needed');
  invariant(p.length > 0, 'no-rows', 'nothing to score');
  let correct = 0;
  let logLoss = 0;
  let brier = 0;
  let positives = 0;
  for (let i = 0; i < p.length; i++) {
    invariant(
      Number.isFinite(p[i]!) && p[i]! >= 0 && p[i]! <= 1,
      'bad-probability',
      `not a probability: ${p[i]}`,
    );
    const pi = Math.min(1 - EPS, Math.max(EPS, p[i]!));
    const yi = y[i] === 1 ? 1 : 0;
    positives += yi;
    correct += (pi >= threshold ? 1 : 0) === yi ? 1 : 0;
    logLoss -= yi === 1 ? Math.log(pi) : Math.log(1 - pi);
    brier += (p[i]! - yi) ** 2;
  }
  return {
    rows: p.length,
    positives,
    accuracy: correct / p.length,
    logLoss: logLoss / p.length,
    auc: auc(p, y),
    brier: brier / p.length,
  };
}

/** Mann–Whitney: the chance a random positive outranks a random negative; ties count half. */
export function auc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && p[order[end + 1]!] === p[order[start]!]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (y[order[k]!] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The majority-class baseline: always the class most common in training, with its training rate. */
export function majorityBaseline(trainY: ArrayLike<number>, testY: ArrayLike<number>): ClassifierScores {
  let positives = 0;
  for (let i = 0; i < trainY.length; i++) positives += trainY[i] === 1 ? 1 : 0;
  const rate = trainY.length > 0 ? positives / trainY.length : 0.5;
  // Predicting the training rate (not 0 or 1) gives the baseline a finite log loss; its accuracy is
  // the majority class's, since rate ≥ 0.5 exactly when positives are the majority.
  const p = new Float64Array(testY.length).fill(rate);
  return scoreClassifier(p, testY);
}

export function meanAbsoluteError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  invariant(predicted.length === actual.length && actual.length > 0, 'bad-shape', 'nothing to compare');
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / actual.length;
}
