import { invariant } from './errors.js';

/**
 * Calendar arithmetic on 'YYYY-MM-DD' strings, by day numbers (days since 1970-01-01, UTC), so no
 * time zone or daylight-saving change can move a date. Aging and the metrics count calendar days.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export function assertIsoDate(text: string, what = 'date'): string {
  const m = ISO_DATE.exec(text);
  invariant(m, 'bad-date', `${what} must be a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  invariant(isoFromDay(day / MS_PER_DAY) === text, 'bad-date', `${what} ${text} is not a calendar date`);
  return text;
}

export function dayNumber(iso: string): number {
  const m = ISO_DATE.exec(iso);
  invariant(m, 'bad-date', `not a date YYYY-MM-DD: ${JSON.stringify(iso)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY;
}

export function isoFromDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export const addDays = (iso: string, days: number): string => isoFromDay(dayNumber(iso) + days);

/** Calendar days from `from` to `to` (positive when `to` is later). */
export const daysBetween = (from: string, to: string): number => dayNumber(to) - dayNumber(from);

/** Days in an inclusive period [from, to]. */
export const daysInPeriod = (from: string, to: string): number => daysBetween(from, to) + 1;

export const monthStart = (iso: string): string => `${iso.slice(0, 7)}-01`;

export function monthEnd(iso: string): string {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  return isoFromDay(Date.UTC(year, month, 1) / MS_PER_DAY - 1);
}

export const daysInMonth = (iso: string): number => daysInPeriod(monthStart(iso), monthEnd(iso));

/** The first day of the month `count` months before the month of `iso` (0: its own month). */
export function monthsBack(iso: string, count: number): string {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7)) - 1 - count;
  return isoFromDay(Date.UTC(year, month, 1) / MS_PER_DAY);
}

/**
 * How many months an inclusive period spans: each calendar month it touches counts by the share
 * of that month's days inside the period. A calendar quarter is exactly 3, January 1–15 is 15/31.
 */
export function monthsInPeriod(from: string, to: string): number {
  invariant(from <= to, 'bad-period', `the period starts (${from}) after it ends (${to})`);
  let months = 0;
  for (let start = monthStart(from); start <= to; start = addDays(monthEnd(start), 1)) {
    const first = start < from ? from : start;
    const last = monthEnd(start) > to ? to : monthEnd(start);
    months += daysInPeriod(first, last) / daysInMonth(start);
  }
  return months;
}

export type TrendStep = 'month' | 'quarter';
export const TREND_STEPS: readonly TrendStep[] = ['month', 'quarter'];
/** At most ten years of months in one trend: each period is a metrics run of its own. */
export const MAX_TREND_PERIODS = 120;

/**
 * [from, to] cut at calendar month (or quarter) ends: the first period starts at `from`, the last
 * ends at `to`, so a trend over whole months compares like with like and a part month shows as such.
 */
export function trendPeriods(from: string, to: string, step: TrendStep): { from: string; to: string }[] {
  invariant(from <= to, 'bad-period', `the period starts (${from}) after it ends (${to})`);
  const months = step === 'month' ? 1 : 3;
  const periods: { from: string; to: string }[] = [];
  for (let start = from; start <= to; ) {
    const month = Number(start.slice(5, 7)) - 1;
    // The last month of the step containing `start` (a quarter ends in March, June, September, December).
    const lastMonth = month + (months - 1 - (month % months));
    const stepEnd = monthEnd(monthsBack(start, -(lastMonth - month)));
    const end = stepEnd < to ? stepEnd : to;
    periods.push({ from: start, to: end });
    invariant(
      periods.length <= MAX_TREND_PERIODS,
      'bad-period',
      `a trend has at most ${MAX_TREND_PERIODS} periods; ${from} to ${to} by ${step} has more`,
    );
    start = addDays(end, 1);
  }
  return periods;
}
