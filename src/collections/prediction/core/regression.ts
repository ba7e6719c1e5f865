import { invariant } from './errors.js';
import { solveSpd } from './linear.js';

/**
 * The two models behind a prediction, in plain TypeScript and deterministic (no random start, no
 * sampling): a ridge-regularized logistic regression (will the invoice be paid late?) and a
 * ridge-regularized Huber regression (how many days late?), both fitted by Newton / iteratively
 * reweighted least squares on standardized features. A dozen features make the normal equations a
 * 13 × 13 system, so each step is exact and a fit converges in a handful of passes over the rows.
 */

/** Rows of features, row-major. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export function matrixOf(rows: readonly (readonly number[])[], cols: number): Matrix {
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    invariant(row.length === cols, 'bad-shape', `row ${i} has ${row.length} features, expected ${cols}`);
    data.set(row, i * cols);
  });
  return { data, rows: rows.length, cols };
}

/** A fitted linear model over standardized features: z_j = (x_j − mean_j) / scale_j. */
export interface LinearModel {
  intercept: number;
  weights: number[];
  means: number[];
  scales: number[];
}

export interface FitOptions {
  /** Ridge penalty on the weights (not the intercept), per row: loss = mean loss + l2/2 · |w|². */
  l2?: number;
  maxIterations?: number;
  /** Stop when no coefficient moves more than this. */
  tolerance?: number;
}

export interface Fit {
  model: LinearModel;
  iterations: number;
  converged: boolean;
  /** The mean training loss at the end (log loss, or Huber loss in days). */
  loss: number;
}

/** Means and standard deviations per column; a constant column gets scale 1 (its z is always 0). */
export function standardizer(x: Matrix): { means: number[]; scales: number[] } {
  const means = new Array<number>(x.cols).fill(0);
  const scales = new Array<number>(x.cols).fill(0);
  if (x.rows === 0) return { means, scales: scales.map(() => 1) };
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) means[j]! += x.data[i * x.cols + j]!;
  for (let j = 0; j < x.cols; j++) means[j]! /= x.rows;
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const d = x.data[i * x.cols + j]! - means[j]!;
      scales[j]! += d * d;
    }
  }
  for (let j = 0; j < x.cols; j++) {
    const sd = Math.sqrt(scales[j]! / x.rows);
    scales[j] = sd > 1e-9 ? sd : 1;
  }
  return { means, scales };
}

/** [1, z_1, …, z_p] of one row, into `out`. */
function design(x: Matrix, i: number, s: { means: number[]; scales: number[] }, out: Float64Array): void {
  out[0] = 1;
  for (let j = 0; j < x.cols; j++) out[j + 1] = (x.data[i * x.cols + j]! - s.means[j]!) / s.scales[j]!;
}

function linear(beta: Float64Array, z: Float64Array): number {
  let eta = 0;
  for (let j = 0; j < beta.length; j++) eta += beta[j]! * z[j]!;
  return eta;
}

export const sigmoid = (eta: number): number =>
  eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));

/** log(1 + e^eta) without overflow. */
const softplus = (eta: number): number =>
  eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));

function checkInputs(x: Matrix, n: number, options: FitOptions): Required<FitOptions> {
  invariant(x.rows > 0, 'no-rows', 'nothing to learn from: no rows');
  invariant(n === x.rows, 'bad-shape', `${x.rows} rows of features but ${n} targets`);
  invariant(x.data.length === x.rows * x.cols, 'bad-shape', 'the feature matrix does not match its shape');
  const l2 = options.l2 ?? 1e-3;
  invariant(l2 > 0 && Number.isFinite(l2), 'bad-option', 'the ridge penalty must be a positive number');
  return { l2, maxIterations: options.maxIterations ?? 50, tolerance: options.tolerance ?? 1e-7 };
}

function toModel(beta: Float64Array, s: { means: number[]; scales: number[] }): LinearModel {
  return { intercept: beta[0]!, weights: Array.from(beta.subarray(1)), means: s.means, scales: s.scales };
}

/**
 * Logistic regression by Newton's method with step halving: the penalized log loss is strictly
 * convex, so this reaches its one minimum; the ridge term keeps it finite on separable data.
 */
export function trainLogistic(x: Matrix, y: Uint8Array, options: FitOptions = {}): Fit {
  const o = checkInputs(x, y.length, options);
  const s = standardizer(x);
  const p = x.cols + 1;
  const rows = x.rows;
  const zs = new Float64Array(rows * p);
  const z = new Float64Array(p);
  for (let i = 0; i < rows; i++) {
    design(x, i, s, z);
    zs.set(z, i * p);
  }
  const loss = (beta: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < rows; i++) {
      const eta = linear(beta, zs.subarray(i * p, i * p + p));
      sum += softplus(eta) - (y[i] === 1 ? eta : 0);
    }
    let ridge = 0;
    for (let j = 1; j < p; j++) ridge += beta[j]! * beta[j]!;
    return sum / rows + (o.l2 / 2) * ridge;
  };
  // Start at the base rate: the intercept alone.
  let positives = 0;
  for (let i = 0; i < rows; i++) positives += y[i] === 1 ? 1 : 0;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / rows));
  let beta = new Float64Array(p);
  beta[0] = Math.log(rate / (1 - rate));
  let current = loss(beta);
  let iterations = 0;
  let converged = false;
  while (iterations < o.maxIterations && !converged) {
    iterations++;
    const g = new Float64Array(p);
    const h = new Float64Array(p * p);
    for (let i = 0; i < rows; i++) {
      const zi = zs.subarray(i * p, i * p + p);
      const pi = sigmoid(linear(beta, zi));
      const r = pi - (y[i] === 1 ? 1 : 0);
      const w = Math.max(pi * (1 - pi), 1e-12);
      for (let a = 0; a < p; a++) {
        g[a]! += r * zi[a]!;
        const wa = w * zi[a]!;
        for (let b = 0; b <= a; b++) h[a * p + b]! += wa * zi[b]!;
      }
    }
    for (let a = 0; a < p; a++) {
      g[a]! /= rows;
      for (let b = 0; b <= a; b++) {
        h[a * p + b]! /= rows;
        h[b * p + a] = h[a * p + b]!;
      }
      if (a > 0) {
        g[a]! += o.l2 * beta[a]!;
        h[a * p + a]! += o.l2;
      } else {
        h[0]! += 1e-9;
      }
    }
    const step = solveSpd(h, g, p);
    let t = 1;
    let next = beta;
    let nextLoss = current;
    for (let halvings = 0; halvings < 30; halvings++) {
      const candidate = beta.map((b, j) => b - t * step[j]!);
      const l = loss(candidate);
      if (l <= current + 1e-15) {
        next = candidate;
        nextLoss = l;
        break;
      }
      t /= 2;
    }
    let moved = 0;
    for (let j = 0; j < p; j++) moved = Math.max(moved, Math.abs(next[j]! - beta[j]!));
    beta = next;
    current = nextLoss;
    converged = moved < o.tolerance;
  }
  return { model: toModel(beta, s), iterations, converged, loss: current };
}

export interface HuberOptions extends FitOptions {
  /** Residuals beyond this (in the target's units) count linearly, not squared. */
  delta?: number;
}

/**
 * Linear regression with the Huber loss by iteratively reweighted least squares: squared error for
 * small residuals, absolute error beyond `delta`, so a few invoices paid months late (a dispute, a
 * lost cheque) do not drag every customer's predicted date.
 */
export function trainHuber(x: Matrix, y: Float64Array, options: HuberOptions = {}): Fit {
  const o = checkInputs(x, y.length, options);
  const delta = options.delta ?? 5;
  invariant(delta > 0, 'bad-option', 'the Huber delta must be positive');
  const s = standardizer(x);
  const p = x.cols + 1;
  const rows = x.rows;
  const z = new Float64Array(p);
  const weights = new Float64Array(rows).fill(1);
  let beta = new Float64Array(p);
  let iterations = 0;
  let converged = false;
  while (iterations < o.maxIterations && !converged) {
    iterations++;
    const a = new Float64Array(p * p);
    const b = new Float64Array(p);
    for (let i = 0; i < rows; i++) {
      design(x, i, s, z);
      const w = weights[i]!;
      for (let r = 0; r < p; r++) {
        b[r]! += w * z[r]! * y[i]!;
        const wr = w * z[r]!;
        for (let c = 0; c <= r; c++) a[r * p + c]! += wr * z[c]!;
      }
    }
    for (let r = 0; r < p; r++) {
      b[r]! /= rows;
      for (let c = 0; c <= r; c++) {
        a[r * p + c]! /= rows;
        a[c * p + r] = a[r * p + c]!;
      }
      a[r * p + r]! += r > 0 ? o.l2 : 1e-9;
    }
    const next = solveSpd(a, b, p);
    let moved = 0;
    for (let j = 0; j < p; j++) moved = Math.max(moved, Math.abs(next[j]! - beta[j]!));
    beta = next;
    converged = moved < o.tolerance * 100;
    for (let i = 0; i < rows; i++) {
      design(x, i, s, z);
      const residual = Math.abs(y[i]! - linear(beta, z));
      weights[i] = residual <= delta ? 1 : delta / residual;
    }
  }
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    design(x, i, s, z);
    const r = Math.abs(y[i]! - linear(beta, z));
    sum += r <= delta ? (r * r) / 2 : delta * (r - delta / 2);
  }
  return { model: toModel(beta, s), iterations, converged, loss: sum / rows };
}

/** Each feature's share of the linear score: weight × standardized value (they sum to score − intercept). */
export function contributions(model: LinearModel, features: ArrayLike<number>): number[] {
  invariant(features.length === model.weights.length, 'bad-shape', 'wrong number of features');
  return model.weights.map((w, j) => (w * (features[j]! - model.means[j]!)) / model.scales[j]!);
}

export function linearScore(model: LinearModel, features: ArrayLike<number>): number {
  return contributions(model, features).reduce((sum, c) => sum + c, model.intercept);
}

export const probability = (model: LinearModel, features: ArrayLike<number>): number =>
  sigmoid(linearScore(model, features));
