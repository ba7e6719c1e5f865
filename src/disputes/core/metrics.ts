/**
 * Root-cause metrics' formulas (docs/disputes.md).
 *
 * Days deductions outstanding (DDO), by analogy with DSO: the deductions still open at the end of
 * the period over the deductions taken during it, times the days of the period. 30 means a month's
 * worth of deductions is waiting for a decision. Null when nothing was taken.
 */
export function daysDeductionsOutstanding(
  openAtEndMinor: number,
  takenInPeriodMinor: number,
  periodDays: number,
): number | null {
  if (takenInPeriodMinor <= 0) return null;
  return round1((openAtEndMinor / takenInPeriodMinor) * periodDays);
}

/** Average of a total over a count, one decimal; null for none. */
export function average(total: number, count: number): number | null {
  return count === 0 ? null : round1(total / count);
}

/** Share as a percentage, one decimal; null when the whole is zero. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : round1((part * 100) / whole);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
