/**
 * Which of a customer's open items add up to exactly the amount paid. Exact and bounded: the search
 * stops after `maxSteps` steps, and a search that stopped early cannot claim a unique answer — it
 * reports `exhausted: false`, and the payment goes to a person rather than to a guess.
 */

export interface SubsetResult {
  /** Up to `maxSolutions` subsets (item positions in the input order), in the order found. */
  solutions: number[][];
  /**
   * True when every subset of at most `maxItems` items was considered: `solutions.length === 1`
   * then means unique (among subsets of that size — a payment of more items without any
   * reference is left to a person).
   */
  exhausted: boolean;
  steps: number;
}

export function findSubsets(
  amountsMinor: readonly number[],
  targetMinor: number,
  limits: { maxSteps: number; maxItems: number; maxSolutions: number },
): SubsetResult {
  // Largest first makes the bound on what is still reachable tight early.
  const order = amountsMinor
    .map((amount, index) => ({ amount, index }))
    .filter((x) => x.amount > 0 && x.amount <= targetMinor)
    .sort((a, b) => b.amount - a.amount);
  const suffix = new Array<number>(order.length + 1).fill(0);
  for (let i = order.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + order[i]!.amount;
  const solutions: number[][] = [];
  const chosen: number[] = [];
  let steps = 0;
  let stopped = false;

  const search = (start: number, remaining: number): void => {
    if (remaining === 0) {
      solutions.push(chosen.map((k) => order[k]!.index));
      if (solutions.length >= limits.maxSolutions) stopped = true;
      return;
    }
    if (chosen.length >= limits.maxItems || suffix[start]! < remaining) return;
    for (let i = start; i < order.length && !stopped; i++) {
      if (++steps > limits.maxSteps) {
        stopped = true;
        return;
      }
      const amount = order[i]!.amount;
      if (amount > remaining) continue;
      if (suffix[i]! < remaining) return;
      // Equal amounts are not skipped: two open invoices of the same amount are exactly the
      // ambiguity that must reach a person.
      chosen.push(i);
      search(i + 1, remaining - amount);
      chosen.pop();
    }
  };
  search(0, targetMinor);
  return { solutions, exhausted: !stopped, steps };
}
