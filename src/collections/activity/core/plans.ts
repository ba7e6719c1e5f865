import { assertSafeMinor } from '../../../money/index.js';
import { addDays } from '../../core/dates.js';
import type { CashPiece } from './promises.js';

/**
 * Payment-plan evaluation, pure. The customer's cash since the plan was made (only what was
 * applied to the plan's documents, when it names documents) pays the installments in order, as a
 * waterfall: installment k is paid once the cash received reaches the sum of installments 1..k
 * (less the tolerance). Paid after its due date plus the grace days it is paid late; not paid by
 * then, missed. A plan with a missed installment is out of good standing; with all installments
 * paid, completed. Evaluated from the whole history each time, so it always agrees with the ledger.
 */
export interface PlanInstallment {
  seq: number;
  dueDate: string;
  amountMinor: number;
}

export interface PlanInput {
  planId: string;
  customerId: string;
  currency: string;
  madeOn: string;
  documentIds: readonly string[];
  installments: readonly PlanInstallment[];
}

export type InstallmentStatus = 'open' | 'paid' | 'missed' | 'paid_late';

export interface InstallmentOutcome {
  seq: number;
  status: InstallmentStatus;
  paidMinor: number;
  settledOn: string | null;
  /** Receipts whose cash went to this installment. */
  receipts: Array<{ receiptId: string; receiptKey: string; receiptDate: string; amountMinor: number }>;
}

export interface PlanOutcome {
  planId: string;
  paidMinor: number;
  standing: 'good' | 'missed';
  completed: boolean;
  installments: InstallmentOutcome[];
}

export interface PlanRules {
  graceDays: number;
  toleranceMinor: number;
}

export function evaluatePlan(
  plan: PlanInput,
  pieces: readonly CashPiece[],
  asOfDate: string,
  rules: PlanRules,
): PlanOutcome {
  const scope = plan.documentIds.length > 0 ? new Set(plan.documentIds) : null;
  const cash = pieces
    .filter(
      (p) =>
        p.customerId === plan.customerId &&
        p.currency === plan.currency &&
        p.receiptDate >= plan.madeOn &&
        p.receiptDate <= asOfDate &&
        (scope === null || (p.documentId !== null && scope.has(p.documentId))),
    )
    .sort((a, b) =>
      a.receiptDate !== b.receiptDate
        ? a.receiptDate < b.receiptDate
          ? -1
          : 1
        : a.receiptId < b.receiptId
          ? -1
          : 1,
    );
  const installments = [...plan.installments].sort((a, b) => a.seq - b.seq);
  const total = installments.reduce((s, i) => s + i.amountMinor, 0);
  assertSafeMinor(total, 'plan total');
  const outcomes: InstallmentOutcome[] = installments.map((i) => ({
    seq: i.seq,
    status: 'open',
    paidMinor: 0,
    settledOn: null,
    receipts: [],
  }));
  // Pour the cash into the installments in order, remembering when each one filled up.
  let k = 0;
  let paidTotal = 0;
  for (const piece of cash) {
    let left = piece.amountMinor;
    while (left > 0 && k < installments.length) {
      const due = installments[k]!.amountMinor - outcomes[k]!.paidMinor;
      const take = Math.min(due, left);
      outcomes[k]!.paidMinor += take;
      outcomes[k]!.receipts.push({
        receiptId: piece.receiptId,
        receiptKey: piece.receiptKey,
        receiptDate: piece.receiptDate,
        amountMinor: take,
      });
      left -= take;
      paidTotal += take;
      if (outcomes[k]!.paidMinor >= installments[k]!.amountMinor) {
        outcomes[k]!.settledOn = piece.receiptDate;
        k++;
      }
    }
  }
  // The tolerance applies to what is owed in total so far, so small shortfalls do not pile up.
  let cumulative = 0;
  for (let i = 0; i < installments.length; i++) {
    const inst = installments[i]!;
    const out = outcomes[i]!;
    cumulative += inst.amountMinor;
    const deadline = addDays(inst.dueDate, rules.graceDays);
    const reached = paidTotal >= cumulative - rules.toleranceMinor;
    if (reached) {
      out.settledOn ??= lastReceiptDate(out) ?? inst.dueDate;
      out.status = out.settledOn <= deadline ? 'paid' : 'paid_late';
    } else if (asOfDate > deadline) {
      out.status = 'missed';
      out.settledOn = addDays(deadline, 1);
    } else {
      out.status = 'open';
      out.settledOn = null;
    }
  }
  return {
    planId: plan.planId,
    paidMinor: Math.min(paidTotal, total),
    standing: outcomes.some((o) => o.status === 'missed') ? 'missed' : 'good',
    completed: outcomes.every((o) => o.status === 'paid' || o.status === 'paid_late'),
    installments: outcomes,
  };
}

function lastReceiptDate(o: InstallmentOutcome): string | null {
  return o.receipts.length > 0 ? o.receipts[o.receipts.length - 1]!.receiptDate : null;
}
