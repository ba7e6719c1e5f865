import type { Book } from './book.js';
import { nameSimilarity } from './normalize.js';
import type { ReceiptInput } from './types.js';

/** Evidence that the cash belongs to a customer, strongest per kind. */
export interface PayerEvidence {
  customer: number;
  score: number;
  kind: 'receipt' | 'account' | 'alias' | 'name' | 'fuzzy-name' | 'reference';
  reason: string;
}

const FUZZY_NAME_FLOOR = 0.75;

/** Who may have paid: from the receipt's known customer, the payer account and the payer's names. */
export function payerEvidence(book: Book, receipt: ReceiptInput): PayerEvidence[] {
  const out: PayerEvidence[] = [];
  const rejected = receipt.rejectedCustomerIds?.length ? new Set(receipt.rejectedCustomerIds) : null;
  const label = (c: number) => `${book.customers[c]!.name} (${book.customers[c]!.customerNumber})`;
  const add = (e: PayerEvidence) => {
    if (rejected === null || !rejected.has(book.customers[e.customer]!.customerId)) out.push(e);
  };

  if (receipt.customerId !== null) {
    const c = book.customerIndex(receipt.customerId);
    if (c !== undefined)
      add({ customer: c, score: 0.98, kind: 'receipt', reason: `receipt is ${label(c)}'s` });
  }
  if (receipt.payerAccountKey) {
    const owners = book.customersWithAccount(receipt.payerAccountKey);
    const families = new Set(owners.map((c) => book.familyRoot[c]));
    const score = owners.length === 1 ? 0.97 : families.size === 1 ? 0.9 : 0.5;
    for (const c of owners) {
      add({
        customer: c,
        score,
        kind: 'account',
        reason: `payer account ${mask(receipt.payerAccountKey)} known for ${label(c)}`,
      });
    }
  }
  for (const advice of receipt.advices) {
    const c = advice.customerNumber ? book.customerByCustomerNumber(advice.customerNumber) : undefined;
    if (c !== undefined)
      add({
        customer: c,
        score: 0.95,
        kind: 'alias',
        reason: `remittance advice quotes customer number ${advice.customerNumber}`,
      });
  }
  const names = [receipt.payerName, ...receipt.advices.map((a) => a.payer)].filter(
    (n): n is string => typeof n === 'string' && n.trim().length > 0,
  );
  for (const name of new Set(names)) addNameEvidence(book, name, add, label);
  return out;
}

function addNameEvidence(
  book: Book,
  name: string,
  add: (e: PayerEvidence) => void,
  label: (c: number) => string,
): void {
  const { tokens, key } = book.payerName(name);
  const aliasOwners = book.customersWithAlias(key);
  for (const c of aliasOwners) {
    add({
      customer: c,
      score: aliasOwners.length === 1 ? 0.95 : 0.6,
      kind: 'alias',
      reason: `payer "${name}" is a known alias of ${label(c)}`,
    });
  }
  const named = book.customersNamed(key);
  for (const c of named) {
    add({
      customer: c,
      score: named.length === 1 ? 0.95 : 0.55,
      kind: 'name',
      reason: `payer "${name}" is ${label(c)}`,
    });
  }
  if (aliasOwners.length > 0 || named.length > 0) return;
  const scored = book
    .customersSharingWords(tokens)
    .map((c) => ({ c, similarity: nameSimilarity(tokens, book.customerTokens[c]!) }))
    .filter((x) => x.similarity >= FUZZY_NAME_FLOOR)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, 5);
  for (const { c, similarity } of scored) {
    // Two customers about as alike as each other make neither likely.
    const runnerUp = scored.find((x) => x.c !== c && !book.sameFamily(x.c, c))?.similarity ?? 0;
    const score = Math.min(0.9, 0.55 + 0.35 * similarity) * (1 - 0.5 * runnerUp);
    add({
      customer: c,
      score,
      kind: 'fuzzy-name',
      reason: `payer "${name}" resembles ${label(c)} (${similarity.toFixed(2)})`,
    });
  }
}

function mask(accountKey: string): string {
  return accountKey.length <= 4 ? accountKey : `…${accountKey.slice(-4)}`;
}

/**
 * One score per family from independent kinds of evidence (1 − Π(1 − s) over each kind's best).
 * Several hits of the same kind do not add up: ten weak name matches are still weak.
 */
export function familyScores(book: Book, evidence: readonly PayerEvidence[]): Map<number, number> {
  // Keyed by root × 8 + kind: numbers, not strings built per receipt.
  const bestByFamilyKind = new Map<number, number>();
  for (const e of evidence) {
    const key = book.familyRoot[e.customer]! * 8 + KIND_NUMBER[e.kind];
    bestByFamilyKind.set(key, Math.max(bestByFamilyKind.get(key) ?? 0, e.score));
  }
  const scores = new Map<number, number>();
  for (const [key, score] of bestByFamilyKind) {
    const root = Math.floor(key / 8);
    scores.set(root, (scores.get(root) ?? 1) * (1 - score));
  }
  for (const [root, doubt] of scores) scores.set(root, Math.min(0.995, 1 - doubt));
  return scores;
}

const KIND_NUMBER: Record<PayerEvidence['kind'], number> = {
  receipt: 0,
  account: 1,
  alias: 2,
  name: 3,
  'fuzzy-name': 4,
  reference: 5,
};
