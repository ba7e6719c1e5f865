import { assertSafeMinor } from '../../../money/index.js';
import { bucketIndex, bucketsOf, DEFAULT_THRESHOLDS } from '../../core/buckets.js';
import { daysBetween } from '../../core/dates.js';
import { invariant } from './errors.js';

/**
 * A customer's statement of account, per currency: the balance at the start of the period, every
 * movement in it (documents, payments, discounts and write-offs, adjustments, cash paid for or by
 * another customer of the family; applications listed for information), the balance at its end,
 * and what is open on the last day in aging buckets. The balance is what the customer owes net of
 * cash it already paid (open documents less credits, on-account and unapplied cash), so
 * opening + movements = closing = the aging's total, which `balanced` checks.
 */

export interface StatementCustomer {
  customerId: string;
  customerNumber: string;
  name: string;
  email: string | null;
  phone: string | null;
  termsDays: number;
}

/** A signed movement of the balance (positive: the customer owes more). */
export interface MovementRow {
  customerId: string;
  currency: string;
  date: string;
  kind: string;
  reference: string;
  description: string;
  amountMinor: number;
  /** Applications: the amount applied (they move nothing: amountMinor is 0). */
  infoMinor: number;
}

export interface OpenItemRow {
  customerId: string;
  currency: string;
  /** invoice, debit_memo, credit_memo, on_account or unapplied_cash. */
  kind: string;
  reference: string;
  documentDate: string;
  dueDate: string | null;
  /** Signed: credits, on-account and unapplied cash are negative. */
  openMinor: number;
}

export interface StatementLine extends Omit<MovementRow, 'customerId' | 'currency'> {
  balanceMinor: number;
}

export interface StatementOpenItem extends Omit<OpenItemRow, 'customerId' | 'currency'> {
  daysOverdue: number | null;
  /** A bucket label, or 'credits', 'on account', 'unapplied cash'. */
  bucket: string;
}

export interface StatementAging {
  buckets: { label: string; amountMinor: number }[];
  creditsMinor: number;
  onAccountMinor: number;
  unappliedCashMinor: number;
  totalMinor: number;
}

export interface StatementSection {
  currency: string;
  openingMinor: number;
  /** Sums of the period's increases and (as a positive number) decreases. */
  chargesMinor: number;
  paymentsAndCreditsMinor: number;
  closingMinor: number;
  lines: StatementLine[];
  openItems: StatementOpenItem[];
  aging: StatementAging;
  /** closing balance = the aging's total (always, unless the ledger is inconsistent). */
  balanced: boolean;
}

export interface Statement {
  customer: StatementCustomer;
  companyName: string;
  from: string;
  to: string;
  sections: StatementSection[];
}

export const MAX_STATEMENT_LINES = 200_000;

/** Rows of several customers (in customer order or not) split by customer. */
export function byCustomer<T extends { customerId: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.customerId);
    if (list) list.push(r);
    else out.set(r.customerId, [r]);
  }
  return out;
}

export function buildStatement(
  customer: StatementCustomer,
  companyName: string,
  period: { from: string; to: string },
  movements: readonly MovementRow[],
  openItems: readonly OpenItemRow[],
  thresholds: readonly number[] = DEFAULT_THRESHOLDS,
): Statement {
  invariant(
    period.from <= period.to,
    'bad-period',
    `the period starts (${period.from}) after it ends (${period.to})`,
  );
  invariant(
    movements.length <= MAX_STATEMENT_LINES,
    'too-many-lines',
    `a statement holds at most ${MAX_STATEMENT_LINES} lines`,
  );
  const currencies = [...new Set([...movements, ...openItems].map((r) => r.currency))].sort();
  const sections: StatementSection[] = [];
  for (const currency of currencies) {
    const section = buildSection(
      currency,
      period,
      movements.filter((m) => m.currency === currency),
      openItems.filter((o) => o.currency === currency),
      thresholds,
    );
    const idle = section.openingMinor === 0 && section.lines.length === 0 && section.openItems.length === 0;
    if (!idle) sections.push(section);
  }
  return { customer, companyName, from: period.from, to: period.to, sections };
}

function buildSection(
  currency: string,
  period: { from: string; to: string },
  movements: readonly MovementRow[],
  openItems: readonly OpenItemRow[],
  thresholds: readonly number[],
): StatementSection {
  let opening = 0;
  let balance = 0;
  let charges = 0;
  let decreases = 0;
  const lines: StatementLine[] = [];
  // Stable: rows of one day keep the reader's order (documents, then payments, then the rest).
  const ordered = [...movements].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const m of ordered) {
    assertSafeMinor(m.amountMinor);
    if (m.date > period.to) continue;
    if (m.date < period.from) {
      opening = assertSafeMinor(opening + m.amountMinor, 'opening balance');
      balance = opening;
      continue;
    }
    balance = assertSafeMinor(balance + m.amountMinor, 'balance');
    if (m.amountMinor > 0) charges += m.amountMinor;
    else decreases -= m.amountMinor;
    lines.push({
      date: m.date,
      kind: m.kind,
      reference: m.reference,
      description: m.description,
      amountMinor: m.amountMinor,
      infoMinor: m.infoMinor,
      balanceMinor: balance,
    });
  }
  const spec = { thresholds, basis: 'due' as const };
  const buckets = bucketsOf(spec);
  const aging: StatementAging = {
    buckets: buckets.map((b) => ({ label: b.label, amountMinor: 0 })),
    creditsMinor: 0,
    onAccountMinor: 0,
    unappliedCashMinor: 0,
    totalMinor: 0,
  };
  const items = openItems.map((o): StatementOpenItem => {
    assertSafeMinor(o.openMinor);
    aging.totalMinor = assertSafeMinor(aging.totalMinor + o.openMinor, 'aging total');
    if (o.kind === 'unapplied_cash') {
      aging.unappliedCashMinor += o.openMinor;
      return { ...o, daysOverdue: null, bucket: 'unapplied cash' };
    }
    if (o.kind === 'on_account') {
      aging.onAccountMinor += o.openMinor;
      return { ...o, daysOverdue: null, bucket: 'on account' };
    }
    // Credit memos, and cash applied ahead of a document dated after the period, are credits.
    if (o.kind === 'credit_memo' || o.dueDate === null || o.documentDate > period.to) {
      aging.creditsMinor += o.openMinor;
      return { ...o, daysOverdue: null, bucket: 'credits' };
    }
    const days = daysBetween(o.dueDate, period.to);
    const index = bucketIndex(days, spec);
    aging.buckets[index]!.amountMinor += o.openMinor;
    return { ...o, daysOverdue: days, bucket: buckets[index]!.label };
  });
  return {
    currency,
    openingMinor: opening,
    chargesMinor: assertSafeMinor(charges),
    paymentsAndCreditsMinor: assertSafeMinor(decreases),
    closingMinor: balance,
    lines,
    openItems: items,
    aging,
    balanced: balance === aging.totalMinor,
  };
}
