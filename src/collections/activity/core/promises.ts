import { assertSafeMinor } from '../../../money/index.js';
import { addDays } from '../../core/dates.js';
import { moneyText } from './money.js';

/**
 * Promise evaluation, pure. Cash is given as pieces: what one receipt brought a customer, either
 * applied to one of its documents (documentId set) or not applied to any document (documentId
 * null: unapplied or on account). A promise counts the pieces dated from the day it was made to
 * its promised date plus the grace days; a promise naming documents counts only the cash applied
 * to them. A piece is counted once: promises naming documents draw first (they can use nothing
 * else), then the others, each group by promised date; cash already counted by an earlier
 * settlement is gone.
 */
export interface CashPiece {
  customerId: string;
  currency: string;
  receiptId: string;
  receiptKey: string;
  receiptDate: string;
  documentId: string | null;
  amountMinor: number;
}

export interface OpenPromise {
  promiseId: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  promisedDate: string;
  madeOn: string;
  documentIds: readonly string[];
}

export interface PriorAllocation {
  receiptId: string;
  documentId: string | null;
  amountMinor: number;
}

export interface PromiseRules {
  graceDays: number;
  toleranceMinor: number;
}

export interface Allocation {
  receiptId: string;
  receiptKey: string;
  receiptDate: string;
  documentId: string | null;
  amountMinor: number;
}

export type PromiseStatus = 'open' | 'kept' | 'partial' | 'broken';

export interface PromiseOutcome {
  promiseId: string;
  status: PromiseStatus;
  keptMinor: number;
  /** The day the promise was kept (the receipt that completed it) or the day after the grace ran out. */
  settledOn: string | null;
  allocations: Allocation[];
  reason: string;
}

const pieceKey = (receiptId: string, documentId: string | null) => `${receiptId}|${documentId ?? ''}`;

/** The deadline after which an unpaid promise is broken. */
export const promiseDeadline = (p: Pick<OpenPromise, 'promisedDate'>, rules: PromiseRules): string =>
  addDays(p.promisedDate, rules.graceDays);

export function evaluatePromises(
  promises: readonly OpenPromise[],
  pieces: readonly CashPiece[],
  prior: readonly PriorAllocation[],
  asOfDate: string,
  rules: PromiseRules,
): PromiseOutcome[] {
  const remaining = new Map<string, number>();
  for (const p of pieces) {
    assertSafeMinor(p.amountMinor, 'cash piece');
    const key = pieceKey(p.receiptId, p.documentId);
    remaining.set(key, (remaining.get(key) ?? 0) + p.amountMinor);
  }
  for (const a of prior) {
    const key = pieceKey(a.receiptId, a.documentId);
    if (remaining.has(key)) remaining.set(key, Math.max(0, remaining.get(key)! - a.amountMinor));
  }
  const byCustomer = new Map<string, CashPiece[]>();
  for (const p of pieces) {
    if (p.receiptDate > asOfDate) continue;
    const k = `${p.customerId}|${p.currency}`;
    let list = byCustomer.get(k);
    if (!list) {
      list = [];
      byCustomer.set(k, list);
    }
    list.push(p);
  }
  for (const list of byCustomer.values())
    list.sort((a, b) =>
      a.receiptDate !== b.receiptDate
        ? a.receiptDate < b.receiptDate
          ? -1
          : 1
        : a.receiptId !== b.receiptId
          ? a.receiptId < b.receiptId
            ? -1
            : 1
          : (a.documentId ?? '') < (b.documentId ?? '')
            ? -1
            : 1,
    );
  const ordered = [...promises].sort((a, b) => {
    const scopedA = a.documentIds.length > 0 ? 0 : 1;
    const scopedB = b.documentIds.length > 0 ? 0 : 1;
    if (scopedA !== scopedB) return scopedA - scopedB;
    if (a.promisedDate !== b.promisedDate) return a.promisedDate < b.promisedDate ? -1 : 1;
    return a.promiseId < b.promiseId ? -1 : 1;
  });
  const outcomes = new Map<string, PromiseOutcome>();
  for (const promise of ordered) {
    const outcome = evaluateOne(
      promise,
      byCustomer.get(`${promise.customerId}|${promise.currency}`) ?? [],
      remaining,
      asOfDate,
      rules,
    );
    outcomes.set(promise.promiseId, outcome);
  }
  return promises.map((p) => outcomes.get(p.promiseId)!);
}

function evaluateOne(
  promise: OpenPromise,
  pieces: readonly CashPiece[],
  remaining: Map<string, number>,
  asOfDate: string,
  rules: PromiseRules,
): PromiseOutcome {
  const deadline = promiseDeadline(promise, rules);
  const scope = promise.documentIds.length > 0 ? new Set(promise.documentIds) : null;
  const target = Math.max(1, promise.amountMinor - rules.toleranceMinor);
  const allocations: Allocation[] = [];
  let covered = 0;
  let keptOn: string | null = null;
  for (const piece of pieces) {
    if (piece.receiptDate < promise.madeOn || piece.receiptDate > deadline) continue;
    if (scope !== null && (piece.documentId === null || !scope.has(piece.documentId))) continue;
    const key = pieceKey(piece.receiptId, piece.documentId);
    const left = remaining.get(key) ?? 0;
    const take = Math.min(left, promise.amountMinor - covered);
    if (take <= 0) continue;
    remaining.set(key, left - take);
    covered += take;
    allocations.push({
      receiptId: piece.receiptId,
      receiptKey: piece.receiptKey,
      receiptDate: piece.receiptDate,
      documentId: piece.documentId,
      amountMinor: take,
    });
    if (covered >= target) {
      keptOn = piece.receiptDate;
      break;
    }
  }
  const m = (minor: number) => moneyText(minor, promise.currency);
  const receipts = allocations.map((a) => `${a.receiptKey} (${a.receiptDate})`).join(', ');
  if (keptOn !== null) {
    return {
      promiseId: promise.promiseId,
      status: 'kept',
      keptMinor: covered,
      settledOn: keptOn,
      allocations,
      reason: `kept on ${keptOn}: ${m(covered)} of ${m(promise.amountMinor)} received, from ${receipts}`,
    };
  }
  if (asOfDate > deadline) {
    const settledOn = addDays(deadline, 1);
    return covered > 0
      ? {
          promiseId: promise.promiseId,
          status: 'partial',
          keptMinor: covered,
          settledOn,
          allocations,
          reason: `partly kept: ${m(covered)} of ${m(promise.amountMinor)} received by ${deadline} (promised ${promise.promisedDate}, ${rules.graceDays} grace days), from ${receipts}`,
        }
      : {
          promiseId: promise.promiseId,
          status: 'broken',
          keptMinor: 0,
          settledOn,
          allocations: [],
          reason: `broken: nothing received from ${promise.madeOn} to ${deadline} (promised ${promise.promisedDate}, ${rules.graceDays} grace days)`,
        };
  }
  // Still open: what it counted is held for it in this run, so a later promise cannot take it too.
  return {
    promiseId: promise.promiseId,
    status: 'open',
    keptMinor: covered,
    settledOn: null,
    allocations,
    reason: covered > 0 ? `open: ${m(covered)} of ${m(promise.amountMinor)} received so far` : 'open',
  };
}
