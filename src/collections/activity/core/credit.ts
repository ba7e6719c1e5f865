import { moneyText } from './money.js';

/**
 * Credit rules, pure. A customer goes on hold when its exposure is over its credit limit by more
 * than the tolerance, or when its debt past due by more than the set days is more than the
 * tolerance — net of the customer's open credits and unapplied cash, because cash received and
 * not yet applied most likely pays the oldest items (a customer who paid is not held because cash
 * application is a day behind). A rule hold is lifted when no rule applies any more; a credit manager's release
 * keeps the rules from placing it again until the override date.
 */
export interface CreditFacts {
  customerId: string;
  currency: string;
  creditLimitMinor: number | null;
  exposureMinor: number;
  /** Open debt past due by more than the rule's days, before credits. */
  lateMinor: number;
  /** The customer's open credits and unapplied cash: they cover past-due debt first. */
  creditsMinor: number;
  oldestPastDueDate: string | null;
}

export interface CreditRuleSettings {
  creditOverLimit: boolean;
  creditPastDueDays: number | null;
  creditToleranceMinor: number;
}

export type CreditReason =
  | { code: 'over_limit'; exposureMinor: number; creditLimitMinor: number; overMinor: number; text: string }
  | {
      code: 'past_due';
      days: number;
      lateMinor: number;
      netLateMinor: number;
      oldestPastDueDate: string | null;
      text: string;
    };

export function creditReasons(f: CreditFacts, s: CreditRuleSettings): CreditReason[] {
  const reasons: CreditReason[] = [];
  const m = (minor: number) => moneyText(minor, f.currency);
  if (s.creditOverLimit && f.creditLimitMinor !== null) {
    const overMinor = f.exposureMinor - f.creditLimitMinor;
    if (overMinor > s.creditToleranceMinor) {
      reasons.push({
        code: 'over_limit',
        exposureMinor: f.exposureMinor,
        creditLimitMinor: f.creditLimitMinor,
        overMinor,
        text: `exposure ${m(f.exposureMinor)} is over the credit limit ${m(f.creditLimitMinor)} by ${m(overMinor)}`,
      });
    }
  }
  const netLateMinor = f.lateMinor - Math.max(0, f.creditsMinor);
  if (s.creditPastDueDays !== null && netLateMinor > s.creditToleranceMinor) {
    const net = f.creditsMinor > 0 ? `, net of ${m(f.creditsMinor)} of credits` : '';
    reasons.push({
      code: 'past_due',
      days: s.creditPastDueDays,
      lateMinor: f.lateMinor,
      netLateMinor,
      oldestPastDueDate: f.oldestPastDueDate,
      text: `${m(netLateMinor)} past due by more than ${s.creditPastDueDays} days${net} (oldest due ${f.oldestPastDueDate})`,
    });
  }
  return reasons;
}

export interface CreditState {
  /** The active rule hold, if any. */
  ruleHoldId: string | null;
  /** A manager's release overrides the rules until this date (inclusive). */
  overrideUntil: string | null;
}

export type CreditDecision =
  | { action: 'place'; customerId: string; reasons: CreditReason[] }
  | { action: 'lift'; customerId: string; holdId: string; reason: string }
  | { action: 'keep'; customerId: string; reasons: CreditReason[]; overridden: boolean };

/** What the credit check does for one customer on `asOfDate`. */
export function decideCredit(
  f: CreditFacts,
  state: CreditState,
  s: CreditRuleSettings,
  asOfDate: string,
): CreditDecision {
  const reasons = creditReasons(f, s);
  const overridden = state.overrideUntil !== null && state.overrideUntil >= asOfDate;
  if (reasons.length > 0 && state.ruleHoldId === null && !overridden)
    return { action: 'place', customerId: f.customerId, reasons };
  if (reasons.length === 0 && state.ruleHoldId !== null)
    return {
      action: 'lift',
      customerId: f.customerId,
      holdId: state.ruleHoldId,
      reason: 'no credit rule applies any more',
    };
  return { action: 'keep', customerId: f.customerId, reasons, overridden };
}
