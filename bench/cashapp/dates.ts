/** Calendar arithmetic on ISO dates as whole days since 1970-01-01 (UTC), so no time zone can shift a date. */

const DAY_MS = 86_400_000;

export const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
export const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** 0 = Sunday … 6 = Saturday. */
export const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;
export const isBusinessDay = (day: number): boolean => weekday(day) !== 0 && weekday(day) !== 6;

export function nextBusinessDay(day: number): number {
  let d = day;
  while (!isBusinessDay(d)) d++;
  return d;
}

/** `count` business days from `start` (moved to a business day first). */
export function businessDays(start: string, count: number): number[] {
  const out: number[] = [];
  for (let d = nextBusinessDay(dayOf(start)); out.length < count; d = nextBusinessDay(d + 1)) out.push(d);
  return out;
}

/** YYMMDD, as BAI2, lockbox and X12 write dates. */
export const yymmdd = (iso: string): string => iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
export const yyyymmdd = (iso: string): string => iso.replaceAll('-', '');
export const mmddyy = (iso: string): string => iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(2, 4);
/** 03/02/2026, as US remittance advices print dates. */
export const usDate = (iso: string): string => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
