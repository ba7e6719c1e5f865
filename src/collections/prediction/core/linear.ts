import { invariant } from './errors.js';

/**
 * Small dense linear algebra for the models' normal equations: a symmetric positive-definite
 * system of a dozen unknowns, solved by Cholesky. Matrices are row-major Float64Arrays (n × n).
 */

/** Solves A x = b for a symmetric positive-definite A (n × n, row-major); A and b are not changed. */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array<ArrayBuffer> {
  invariant(a.length === n * n && b.length === n, 'bad-shape', `expected a ${n} × ${n} system`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        invariant(sum > 0, 'not-positive-definite', 'the system is not positive definite');
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}
