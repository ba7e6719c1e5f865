import { addDays } from '../../core/dates.js';
import { WorklistError } from './errors.js';

/**
 * What a collector's action on an account is worth this morning, and what that action is. Pure:
 * the store layer hands over each account's open items (summed per age band, each weighed by its
 * predicted probability of being paid late), its promises, plan, credit and disputes; this file
 * scores, explains and recommends.
 *
 * The score is in base-currency minor units: the amount a call could bring forward, weighted.
 *   Σ over age bands (open × P(late) × the band's weight)      amount at risk × probability × age
 *   × LIVE_PROMISE_FACTOR when a promise to pay is live or a plan is in good standing (waiting is right)
 *   + past due × BROKEN_WEIGHT × broken promises (at most 3)    (a broken word needs a call)
 *   + past due × MISSED_WEIGHT × missed installments (at most 3)
 *   + exposure over the credit limit × OVER_LIMIT_WEIGHT
 *   + disputed amounts past their deadline × DISPUTE_WEIGHT
 * Each term is kept with a sentence, so the ranking explains itself.
 */

export const AGE_BANDS = ['not_due', 'grace', 'd1_30', 'd31_60', 'd61_90', 'd90_plus'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export interface WorklistSettings {
  ageWeights: Record<AgeBand, number>;
  livePromiseFactor: number;
  brokenPromiseWeight: number;
  missedInstallmentWeight: number;
  overLimitWeight: number;
  disputeWeight: number;
  /** Oldest item this many days past due: send the final notice. */
  finalNoticeDays: number;
  /** …and this many: escalate (manager, agency). */
  escalateDays: number;
  /** A not-yet-due invoice this likely to be paid late, due within reminderDays: remind before due. */
  reminderProbability: number;
  reminderDays: number;
}

export const DEFAULT_SETTINGS: WorklistSettings = {
  ageWeights: { not_due: 0.25, grace: 0.5, d1_30: 1, d31_60: 1.5, d61_90: 2, d90_plus: 3 },
  livePromiseFactor: 0.2,
  brokenPromiseWeight: 0.25,
  missedInstallmentWeight: 0.25,
  overLimitWeight: 1,
  disputeWeight: 0.5,
  finalNoticeDays: 45,
  escalateDays: 90,
  reminderProbability: 0.5,
  reminderDays: 10,
};

export function checkSettings(s: WorklistSettings): WorklistSettings {
  const weights = [
    ...AGE_BANDS.map((b) => s.ageWeights[b]),
    s.livePromiseFactor,
    s.brokenPromiseWeight,
    s.missedInstallmentWeight,
    s.overLimitWeight,
    s.disputeWeight,
    s.reminderProbability,
  ];
  for (const w of weights) {
    if (!(Number.isFinite(w) && w >= 0 && w <= 100))
      throw new WorklistError('bad-settings', `weights must be numbers from 0 to 100, got ${w}`);
  }
  for (const d of [s.finalNoticeDays, s.escalateDays, s.reminderDays]) {
    if (!(Number.isSafeInteger(d) && d >= 0 && d <= 3650))
      throw new WorklistError('bad-settings', `day thresholds must be whole days from 0 to 3650, got ${d}`);
  }
  return s;
}

/** One age band of an account's open items, base currency. */
export interface BandAmounts {
  openBaseMinor: number;
  /** Σ open × P(late): the amount expected to be paid late. */
  riskBaseMinor: number;
}

export interface OverdueDispute {
  caseId: string;
  owner: string;
  deadline: string;
  amountBaseMinor: number;
  reasonCode: string;
}

export interface AccountInput {
  customerId: string;
  customerNumber: string;
  name: string;
  collector: string | null;
  bands: Record<AgeBand, BandAmounts>;
  openBaseMinor: number;
  pastDueBaseMinor: number;
  maxDaysPastDue: number;
  documents: number;
  /** The item with the most at risk, to name in the reasons. */
  topDocument: { number: string; daysPastDue: number; openBaseMinor: number; pLate: number } | null;
  /** Highest P(late) among items not yet due that fall due within reminderDays, and the first such due date. */
  soonDue: { pLate: number; dueDate: string } | null;
  behaviour: { avgDaysLate: number; lateShare: number; paidCount: number } | null;
  promisesBroken: number;
  planMissedInstallments: number;
  livePromise: { amountMinor: number; until: string | null; reason: string } | null;
  planInGoodStanding: { until: string | null; reason: string } | null;
  onCreditHold: boolean;
  /** Exposure over the credit limit, base currency (0 when within or no limit). */
  overLimitBaseMinor: number;
  overLimitText: string | null;
  disputes: OverdueDispute[];
  nextFollowUpDate: string | null;
  snooze: { until: string; reason: string } | null;
}

export interface Term {
  code: string;
  valueBaseMinor: number;
  text: string;
}

export const ACTIONS = [
  'call_missed_installment',
  'call_broken_promise',
  'escalate_dispute',
  'place_credit_hold',
  'wait_promise',
  'wait_plan',
  'escalate',
  'final_notice',
  'call',
  'remind_before_due',
  'none',
] as const;
export type ActionCode = (typeof ACTIONS)[number];

export interface WorklistRow {
  customerId: string;
  customerNumber: string;
  name: string;
  collector: string | null;
  scoreBaseMinor: number;
  terms: Term[];
  action: ActionCode;
  actionText: string;
  nextActionDate: string;
  openBaseMinor: number;
  pastDueBaseMinor: number;
  maxDaysPastDue: number;
  snoozedUntil: string | null;
  snoozeReason: string | null;
}

const BAND_LABEL: Record<AgeBand, string> = {
  not_due: 'not yet due',
  grace: 'within grace',
  d1_30: 'up to 30 days past due',
  d31_60: '31–60 days past due',
  d61_90: '61–90 days past due',
  d90_plus: 'over 90 days past due',
};

/** The band of an item `daysPastDue` past due (negative: not due yet), with `graceDays` of grace. */
export function bandOf(daysPastDue: number, graceDays: number): AgeBand {
  if (daysPastDue <= 0) return 'not_due';
  if (daysPastDue <= graceDays) return 'grace';
  if (daysPastDue <= 30) return 'd1_30';
  if (daysPastDue <= 60) return 'd31_60';
  if (daysPastDue <= 90) return 'd61_90';
  return 'd90_plus';
}

export function emptyBands(): Record<AgeBand, BandAmounts> {
  return Object.fromEntries(AGE_BANDS.map((b) => [b, { openBaseMinor: 0, riskBaseMinor: 0 }])) as Record<
    AgeBand,
    BandAmounts
  >;
}

export type Money = (minor: number) => string;

/** Scores one account; `money` formats base-currency minor units for the sentences. */
export function scoreAccount(
  a: AccountInput,
  settings: WorklistSettings,
  asOf: string,
  money: Money,
): WorklistRow {
  const terms: Term[] = [];
  let risk = 0;
  for (const band of AGE_BANDS) {
    const b = a.bands[band];
    if (b.openBaseMinor <= 0) continue;
    const weight = settings.ageWeights[band];
    const value = Math.round(b.riskBaseMinor * weight);
    risk += value;
    const share = b.riskBaseMinor / b.openBaseMinor;
    terms.push({
      code: `at_risk_${band}`,
      valueBaseMinor: value,
      text: `${money(b.openBaseMinor)} ${BAND_LABEL[band]} × ${pct(share)} likely late × age weight ${weight}`,
    });
  }
  // A live promise or a plan in good standing means waiting is the right action: rank it low.
  const waitingOn = a.livePromise ?? a.planInGoodStanding;
  if (waitingOn && risk > 0) {
    const cut = Math.round(risk * (1 - settings.livePromiseFactor));
    terms.push({
      code: a.livePromise ? 'promise_live' : 'plan_in_good_standing',
      valueBaseMinor: -cut,
      text: `${waitingOn.reason}: at-risk terms × ${settings.livePromiseFactor}`,
    });
  }
  const pastDue = a.pastDueBaseMinor;
  if (a.promisesBroken > 0 && pastDue > 0) {
    const n = Math.min(3, a.promisesBroken);
    terms.push({
      code: 'broken_promises',
      valueBaseMinor: Math.round(pastDue * settings.brokenPromiseWeight * n),
      text: `${a.promisesBroken} broken promise${a.promisesBroken === 1 ? '' : 's'} to pay: ${money(pastDue)} past due × ${settings.brokenPromiseWeight} × ${n}`,
    });
  }
  if (a.planMissedInstallments > 0 && pastDue > 0) {
    const n = Math.min(3, a.planMissedInstallments);
    terms.push({
      code: 'missed_installments',
      valueBaseMinor: Math.round(pastDue * settings.missedInstallmentWeight * n),
      text: `${a.planMissedInstallments} missed plan installment${a.planMissedInstallments === 1 ? '' : 's'}: ${money(pastDue)} past due × ${settings.missedInstallmentWeight} × ${n}`,
    });
  }
  if (a.overLimitBaseMinor > 0) {
    terms.push({
      code: 'over_credit_limit',
      valueBaseMinor: Math.round(a.overLimitBaseMinor * settings.overLimitWeight),
      text: `${a.overLimitText ?? `${money(a.overLimitBaseMinor)} over the credit limit`}${a.onCreditHold ? ' (on credit hold)' : ''} × ${settings.overLimitWeight}`,
    });
  }
  if (a.disputes.length > 0) {
    const amount = a.disputes.reduce((s, d) => s + d.amountBaseMinor, 0);
    const first = [...a.disputes].sort((x, y) => (x.deadline < y.deadline ? -1 : 1))[0]!;
    terms.push({
      code: 'overdue_disputes',
      valueBaseMinor: Math.round(amount * settings.disputeWeight),
      text: `${a.disputes.length} dispute${a.disputes.length === 1 ? '' : 's'} past deadline (${money(amount)}; oldest ${first.deadline}, owner ${first.owner}) × ${settings.disputeWeight}`,
    });
  }
  const score = Math.max(
    0,
    terms.reduce((s, t) => s + t.valueBaseMinor, 0),
  );
  const context = contextTerms(a, money);
  const { action, text } = recommend(a, settings);
  return {
    customerId: a.customerId,
    customerNumber: a.customerNumber,
    name: a.name,
    collector: a.collector,
    scoreBaseMinor: score,
    // Largest first: the reasons read in the order they matter.
    terms: [...terms.sort((x, y) => Math.abs(y.valueBaseMinor) - Math.abs(x.valueBaseMinor)), ...context],
    action,
    actionText: text,
    nextActionDate: nextActionDate(a, action, settings, asOf),
    openBaseMinor: a.openBaseMinor,
    pastDueBaseMinor: a.pastDueBaseMinor,
    maxDaysPastDue: a.maxDaysPastDue,
    snoozedUntil: a.snooze?.until ?? null,
    snoozeReason: a.snooze?.reason ?? null,
  };
}

/** Facts that explain the score without adding to it (value 0). */
function contextTerms(a: AccountInput, money: Money): Term[] {
  const out: Term[] = [];
  if (a.topDocument) {
    const d = a.topDocument;
    out.push({
      code: 'largest_item',
      valueBaseMinor: 0,
      text: `most at risk: ${d.number}, ${money(d.openBaseMinor)}, ${d.daysPastDue > 0 ? `${d.daysPastDue} days past due` : `due in ${-d.daysPastDue} days`}, ${pct(d.pLate)} likely late`,
    });
  }
  if (a.behaviour && a.behaviour.paidCount > 0) {
    out.push({
      code: 'payment_habit',
      valueBaseMinor: 0,
      text: `pays ${Math.round(a.behaviour.avgDaysLate)} days late on average, ${pct(a.behaviour.lateShare)} of ${a.behaviour.paidCount} paid late`,
    });
  }
  return out;
}

function recommend(a: AccountInput, s: WorklistSettings): { action: ActionCode; text: string } {
  const pastDue = a.pastDueBaseMinor > 0;
  if (a.planMissedInstallments > 0 && pastDue && !a.planInGoodStanding)
    return { action: 'call_missed_installment', text: 'call — missed plan installment' };
  if (a.promisesBroken > 0 && pastDue && !a.livePromise)
    return { action: 'call_broken_promise', text: 'call — broken promise' };
  if (a.disputes.length > 0) {
    const owners = [...new Set(a.disputes.map((d) => d.owner))].join(', ');
    return { action: 'escalate_dispute', text: `escalate dispute to owner (${owners})` };
  }
  if (a.overLimitBaseMinor > 0 && !a.onCreditHold)
    return { action: 'place_credit_hold', text: 'place credit hold — over the credit limit' };
  if (a.livePromise)
    return {
      action: 'wait_promise',
      text: `no action — promise live${a.livePromise.until ? ` until ${a.livePromise.until}` : ''}`,
    };
  if (a.planInGoodStanding) return { action: 'wait_plan', text: 'no action — payment plan in good standing' };
  if (a.maxDaysPastDue >= s.escalateDays && pastDue)
    return {
      action: 'escalate',
      text: `escalate — ${a.maxDaysPastDue} days past due${a.onCreditHold ? '' : '; consider a credit hold'}`,
    };
  if (a.maxDaysPastDue >= s.finalNoticeDays && pastDue)
    return { action: 'final_notice', text: 'send final notice' };
  if (beyondGrace(a) > 0) return { action: 'call', text: 'call — past-due invoices' };
  if (a.soonDue && a.soonDue.pLate >= s.reminderProbability)
    return {
      action: 'remind_before_due',
      text: `send a reminder before ${a.soonDue.dueDate} (${pct(a.soonDue.pLate)} likely late)`,
    };
  return { action: 'none', text: 'no action' };
}

function nextActionDate(a: AccountInput, action: ActionCode, s: WorklistSettings, asOf: string): string {
  if (a.snooze && a.snooze.until > asOf) return a.snooze.until;
  if (action === 'wait_promise') return maxDate(asOf, a.livePromise?.until ?? addDays(asOf, 7));
  if (action === 'wait_plan') return maxDate(asOf, a.planInGoodStanding?.until ?? addDays(asOf, 14));
  if (action === 'remind_before_due') return maxDate(asOf, addDays(a.soonDue!.dueDate, -3));
  if (action === 'none') return addDays(asOf, s.reminderDays);
  if (a.nextFollowUpDate && a.nextFollowUpDate > asOf) return a.nextFollowUpDate;
  return asOf;
}

const beyondGrace = (a: AccountInput) =>
  a.bands.d1_30.openBaseMinor +
  a.bands.d31_60.openBaseMinor +
  a.bands.d61_90.openBaseMinor +
  a.bands.d90_plus.openBaseMinor;

const maxDate = (x: string, y: string) => (x > y ? x : y);
const pct = (p: number) => `${Math.round(p * 100)}%`;

/**
 * The morning's order: highest score first; ties by more past due, then by customer number, so the
 * same ledger always gives the same list.
 */
export function rankRows(rows: WorklistRow[]): WorklistRow[] {
  return rows.sort(
    (x, y) =>
      y.scoreBaseMinor - x.scoreBaseMinor ||
      y.pastDueBaseMinor - x.pastDueBaseMinor ||
      (x.customerNumber < y.customerNumber ? -1 : x.customerNumber > y.customerNumber ? 1 : 0),
  );
}
