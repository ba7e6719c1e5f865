import { assertSafeMinor, MoneyError } from './decimal.js';

/**
 * Splits `totalMinor` over `weights` by the largest-remainder method: every share is the floor of
 * its exact quota, and the units left over go to the largest remainders (ties to the earliest).
 * The shares always add up to the total exactly.
 */
export function allocateLargestRemainder(totalMinor: number, weights: readonly number[]): number[] {
  assertSafeMinor(totalMinor, 'total');
  if (weights.length === 0) throw new MoneyError('cannot allocate over no weights');
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0)
      throw new MoneyError(`weights must be non-negative safe integers, got ${w}`);
  }
  const weightSum = weights.reduce((a, b) => a + b, 0);
  if (weightSum === 0) throw new MoneyError('cannot allocate over weights that sum to zero');
  const sign = totalMinor < 0 ? -1n : 1n;
  const total = BigInt(Math.abs(totalMinor));
  const big = BigInt(weightSum);
  const shares = weights.map((w) => (total * BigInt(w)) / big);
  const remainders = weights.map((w, i) => ({ i, r: (total * BigInt(w)) % big }));
  let left = total - shares.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) {
    const idx = remainders[k]!.i;
    shares[idx] = shares[idx]! + 1n;
  }
  return shares.map((s) => Number(s * sign));
}
