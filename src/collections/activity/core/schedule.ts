import { allocateLargestRemainder, assertSafeMinor } from '../../../money/index.js';
import { assertIsoDate, dayNumber, isoFromDay } from '../../core/dates.js';
import { check } from '../errors.js';

/** How often installments fall due: every N days or every N calendar months. */
export interface Every {
  unit: 'd' | 'm';
  count: number;
}

export const MAX_INSTALLMENTS = 120;

/** Reads '30d', '2w' (14d) or '1m'; weeks are stored as days. */
export function parseEvery(text: string): Every {
  const m = /^([0-9]{1,3})([dwm])$/.exec(text.trim());
  check(m, 'bad-every', `expected an interval like 30d, 2w or 1m, got ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 'm' : 'd';
  const count = m[2] === 'w' ? n * 7 : n;
  check(count >= 1 && count <= (unit === 'm' ? 24 : 366), 'bad-every', `interval ${text} is out of range`);
  return { unit, count };
}

export const formatEvery = (e: Every): string => `${e.count}${e.unit}`;

/**
 * The k-th month after a date, on the same day of the month or the month's last day when it is
 * shorter (Jan 31 + 1 month = Feb 28 or 29). Counted from the first date each time, so a schedule
 * starting on the 31st comes back to the 31st after a short month instead of drifting to the 28th.
 */
export function addMonths(iso: string, months: number): string {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7)) - 1 + months;
  const day = Number(iso.slice(8, 10));
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return isoFromDay(Date.UTC(year, month, Math.min(day, lastDay)) / 86_400_000);
}

/** Due dates: the first date, then every interval after it. */
export function installmentDates(first: string, every: Every, count: number): string[] {
  assertIsoDate(first, 'first installment date');
  check(
    Number.isSafeInteger(count) && count >= 1 && count <= MAX_INSTALLMENTS,
    'bad-count',
    `installments: 1 to ${MAX_INSTALLMENTS}`,
  );
  return Array.from({ length: count }, (_, k) =>
    every.unit === 'd' ? isoFromDay(dayNumber(first) + k * every.count) : addMonths(first, k * every.count),
  );
}

/**
 * Splits a balance into `count` installments by the largest-remainder method over equal weights:
 * the installments add up to the total exactly, and differ by at most one minor unit (the earlier
 * ones carry the extra units, so the customer's schedule only ever gets lighter).
 */
export function splitInstallments(totalMinor: number, count: number): number[] {
  assertSafeMinor(totalMinor, 'plan total');
  check(
    Number.isSafeInteger(count) && count >= 1 && count <= MAX_INSTALLMENTS,
    'bad-count',
    `installments: 1 to ${MAX_INSTALLMENTS}`,
  );
  check(
    totalMinor >= count,
    'plan-too-small',
    `a plan of ${count} installments needs at least ${count} minor units`,
  );
  return allocateLargestRemainder(totalMinor, new Array<number>(count).fill(1));
}

export interface ScheduledInstallment {
  seq: number;
  dueDate: string;
  amountMinor: number;
}

export function buildSchedule(
  totalMinor: number,
  count: number,
  first: string,
  every: Every,
): ScheduledInstallment[] {
  const amounts = splitInstallments(totalMinor, count);
  const dates = installmentDates(first, every, count);
  return amounts.map((amountMinor, i) => ({ seq: i + 1, dueDate: dates[i]!, amountMinor }));
}
