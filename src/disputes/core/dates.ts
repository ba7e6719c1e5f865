import { DisputeError } from './errors.js';

/** Calendar arithmetic on 'YYYY-MM-DD' strings, in UTC days so no time zone can shift a date. */

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function assertIsoDate(text: string, what = 'date'): string {
  if (
    !ISO_DATE.test(text) ||
    Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ||
    isoOfDay(dayOf(text)) !== text
  ) {
    throw new DisputeError('bad-date', `${what}: expected a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  return text;
}

/** Days since 1970-01-01. */
export const dayOf = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
export const isoOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export const addDays = (iso: string, days: number): string => isoOfDay(dayOf(iso) + days);

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => dayOf(to) - dayOf(from);

/** 0 Sunday … 6 Saturday. */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;

/**
 * `days` business days (Monday to Friday) after `iso`. A start on a weekend counts from the next
 * Monday; 0 business days from a Saturday is the Monday. No holiday calendar: deadlines are a
 * working target, not a legal term.
 */
export function addBusinessDays(iso: string, days: number): string {
  if (!Number.isSafeInteger(days) || days < 0)
    throw new DisputeError('bad-days', `business days must be ≥ 0, got ${days}`);
  let day = dayOf(iso);
  while (weekday(day) === 0 || weekday(day) === 6) day++;
  const weeks = Math.floor(days / 5);
  day += weeks * 7;
  let left = days % 5;
  while (left > 0) {
    day++;
    if (weekday(day) !== 0 && weekday(day) !== 6) left--;
  }
  return isoOfDay(day);
}

/** The deadline of a case opened on `openedOn` with a rule's term. */
export function deadlineOf(openedOn: string, days: number, businessDays: boolean): string {
  return businessDays ? addBusinessDays(openedOn, days) : addDays(openedOn, days);
}

/**
 * The escalation level a live case has reached on `asOf`: 0 on or before its deadline, 1 (remind
 * the owner) after it, 2 (tell the owner's manager) more than `managerAfterDays` after it.
 */
export function escalationLevelDue(asOf: string, deadline: string, managerAfterDays: number): 0 | 1 | 2 {
  const late = daysBetween(deadline, asOf);
  if (late <= 0) return 0;
  return late > managerAfterDays ? 2 : 1;
}

/** 'YYYY-MM' of a date. */
export const monthOf = (iso: string): string => iso.slice(0, 7);
