import { daysInPeriod, monthsInPeriod } from './dates.js';
import { invariant } from './errors.js';

/**
 * Collection metrics from a period's figures. Money in, ratios out: the inputs are integer minor
 * units of the base currency, the results are plain numbers (days, percents, times); a ratio whose
 * denominator is zero or negative is null rather than a misleading number. Every formula is in
 * docs/metrics.md with a worked example.
 */

/** The CRF's CEI divides the period's credit sales by its months; the other convention does not. */
export type CeiConvention = 'crf' | 'total_sales';

export interface PaymentFigures {
  /** Payment applications counted (cash applied to invoices and debit memos in the period). */
  count: number;
  /** Sum over them of days from document date to payment date. */
  daysSum: number;
  /** Sum over them of days from due date to payment date (negative when paid early). */
  beyondSum: number;
  /** Sum of the cash applied, base minor units: the weight of the amount-weighted averages. */
  weight: number;
  /** Sum of cash × days to pay. */
  daysWeighted: number;
  /** Sum of cash × days beyond terms. */
  beyondWeighted: number;
}

export const NO_PAYMENTS: PaymentFigures = {
  count: 0,
  daysSum: 0,
  beyondSum: 0,
  weight: 0,
  daysWeighted: 0,
  beyondWeighted: 0,
};

export interface MetricsInputs {
  /** AR at the end of the day before the period starts. */
  arBeginMinor: number;
  /** AR at the end of the period's last day. */
  arEndMinor: number;
  /** The part of arEndMinor not past due at the period's end (credits count as current). */
  currentEndMinor: number;
  /** The part of arEndMinor more than 90 days past due. */
  over90EndMinor: number;
  /** Invoices and debit memos less credit memos dated in the period. */
  creditSalesMinor: number;
  payments: PaymentFigures;
  /** From countbackDays, over the monthly sales up to the period's end. */
  dsoCountback: number | null;
}

export interface Period {
  from: string;
  to: string;
  days: number;
  months: number;
}

export function periodOf(from: string, to: string): Period {
  invariant(from <= to, 'bad-period', `the period starts (${from}) after it ends (${to})`);
  return { from, to, days: daysInPeriod(from, to), months: monthsInPeriod(from, to) };
}

/** The metrics, named as they are printed (JSON keys). */
export interface Metrics {
  dso: number | null;
  dso_countback: number | null;
  best_possible_dso: number | null;
  add: number | null;
  cei: number | null;
  percent_current: number | null;
  percent_past_due: number | null;
  percent_over_90: number | null;
  ar_turnover: number | null;
  ar_turnover_annualized: number | null;
  average_days_to_pay: number | null;
  weighted_days_to_pay: number | null;
  average_days_beyond_terms: number | null;
  weighted_days_beyond_terms: number | null;
}

const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/** DSO = AR ÷ credit sales × days in the period. */
export function dso(arMinor: number, creditSalesMinor: number, days: number): number | null {
  const r = ratio(arMinor, creditSalesMinor);
  return r === null ? null : r * days;
}

/**
 * CEI = (B + S' − E) ÷ (B + S' − Ec) × 100, S' = credit sales ÷ months (CRF) or credit sales
 * (total-sales convention). Null when the denominator is not positive: nothing was collectible.
 */
export function cei(
  arBeginMinor: number,
  creditSalesMinor: number,
  arEndMinor: number,
  currentEndMinor: number,
  months: number,
  convention: CeiConvention,
): number | null {
  invariant(months > 0, 'bad-period', 'a period has a positive number of months');
  const sales = convention === 'crf' ? creditSalesMinor / months : creditSalesMinor;
  const r = ratio(arBeginMinor + sales - arEndMinor, arBeginMinor + sales - currentEndMinor);
  return r === null ? null : r * 100;
}

export interface MonthSales {
  /** First and last day counted (the latest month ends at the period's end). */
  start: string;
  end: string;
  salesMinor: number;
}

/**
 * Countback (exhaustion) DSO: take the AR at the period's end, take away the latest month's sales
 * and count that month's calendar days, then the month before, until a month's sales exceed what is
 * left; that month counts by the share left ÷ its sales. `months` is newest first. If the months run
 * out first, what is left counts at the average daily sales of the months given (null if none).
 */
export function countbackDays(arMinor: number, months: readonly MonthSales[]): number | null {
  if (arMinor <= 0) return 0;
  let remaining = arMinor;
  let days = 0;
  let sales = 0;
  for (const m of months) {
    const monthDays = daysInPeriod(m.start, m.end);
    if (m.salesMinor > 0 && m.salesMinor >= remaining)
      return countbackWithin(days, remaining, m.salesMinor, monthDays);
    days += monthDays;
    remaining -= m.salesMinor;
    sales += m.salesMinor;
  }
  return countbackBeyond(days, sales, remaining);
}

/**
 * The countback's last step when a month exhausts the AR: the days of the months after it, plus
 * its days by the share of its sales still left. The SQL countback (src/collections/countback.ts)
 * finds those integers set-based and ends with this same arithmetic, so both give the same double.
 */
export function countbackWithin(
  daysBefore: number,
  remainingMinor: number,
  monthSalesMinor: number,
  monthDays: number,
): number {
  return daysBefore + (remainingMinor / monthSalesMinor) * monthDays;
}

/** The countback when the months run out: what is left at the months' average daily sales. */
export function countbackBeyond(days: number, salesMinor: number, remainingMinor: number): number | null {
  const daily = days > 0 ? salesMinor / days : 0;
  return daily > 0 ? days + remainingMinor / daily : null;
}

export function computeMetrics(period: Period, x: MetricsInputs, convention: CeiConvention): Metrics {
  const { days, months } = period;
  const dsoDays = dso(x.arEndMinor, x.creditSalesMinor, days);
  const bestDays = dso(x.currentEndMinor, x.creditSalesMinor, days);
  const current = ratio(x.currentEndMinor, x.arEndMinor);
  const over90 = ratio(x.over90EndMinor, x.arEndMinor);
  const turnover = ratio(x.creditSalesMinor, (x.arBeginMinor + x.arEndMinor) / 2);
  const p = x.payments;
  return {
    dso: dsoDays,
    dso_countback: x.dsoCountback,
    best_possible_dso: bestDays,
    add: dsoDays === null || bestDays === null ? null : dsoDays - bestDays,
    cei: cei(x.arBeginMinor, x.creditSalesMinor, x.arEndMinor, x.currentEndMinor, months, convention),
    percent_current: current === null ? null : current * 100,
    percent_past_due: current === null ? null : (1 - current) * 100,
    percent_over_90: over90 === null ? null : over90 * 100,
    ar_turnover: turnover,
    ar_turnover_annualized: turnover === null ? null : (turnover * 365) / days,
    average_days_to_pay: ratio(p.daysSum, p.count),
    weighted_days_to_pay: ratio(p.daysWeighted, p.weight),
    average_days_beyond_terms: ratio(p.beyondSum, p.count),
    weighted_days_beyond_terms: ratio(p.beyondWeighted, p.weight),
  };
}

/** Sums additive inputs (AR, sales, payments) of several groups: the portfolio from its parts. */
export function addInputs(a: Omit<MetricsInputs, 'dsoCountback'>, b: Omit<MetricsInputs, 'dsoCountback'>) {
  return {
    arBeginMinor: a.arBeginMinor + b.arBeginMinor,
    arEndMinor: a.arEndMinor + b.arEndMinor,
    currentEndMinor: a.currentEndMinor + b.currentEndMinor,
    over90EndMinor: a.over90EndMinor + b.over90EndMinor,
    creditSalesMinor: a.creditSalesMinor + b.creditSalesMinor,
    payments: {
      count: a.payments.count + b.payments.count,
      daysSum: a.payments.daysSum + b.payments.daysSum,
      beyondSum: a.payments.beyondSum + b.payments.beyondSum,
      weight: a.payments.weight + b.payments.weight,
      daysWeighted: a.payments.daysWeighted + b.payments.daysWeighted,
      beyondWeighted: a.payments.beyondWeighted + b.payments.beyondWeighted,
    },
  };
}

/** Rounds for printing: 4 decimals is finer than any of these figures is meaningful. */
export function roundMetrics(m: Metrics, decimals = 4): Metrics {
  const f = 10 ** decimals;
  return Object.fromEntries(
    Object.entries(m).map(([k, v]) => [k, v === null ? null : Math.round(v * f) / f]),
  ) as unknown as Metrics;
}
