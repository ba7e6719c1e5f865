import { assertSafeMinor, divideHalfEven } from '../../../money/index.js';
import { invariant } from './errors.js';

/**
 * Late-payment interest, exactly in minor units: simple interest on the open amount for the days
 * it was overdue and not yet charged,
 *
 *   interest = open × rate% × days / (100 × dayCount)
 *
 * computed on integers (the rate is held as units over a power of ten) and rounded once, half to
 * even. Nothing passes through a float, so 10,000.00 at 8% for 30 days on a 365-day year is
 * 1,000,000 × 800 × 30 / (100 × 100 × 365) = 65.753… → 65.75.
 */
export interface Percent {
  readonly units: bigint;
  readonly scale: number;
}

const PERCENT = /^(\d{1,3})(?:\.(\d{1,6}))?$/;
export const MAX_INTEREST_PERCENT = 100;
export const MAX_INTEREST_DAYS = 36_500;

/** "8", "8.25", "0.5": a yearly rate in percent, at most 6 decimals, from 0 to 100. */
export function parsePercent(text: string): Percent {
  const m = PERCENT.exec(text.trim());
  invariant(m, 'bad-percent', `expected a percentage like 8 or 8.25, got ${JSON.stringify(text)}`);
  const fraction = m[2] ?? '';
  const units = BigInt(m[1]! + fraction);
  const scale = fraction.length;
  invariant(
    units <= BigInt(MAX_INTEREST_PERCENT) * 10n ** BigInt(scale),
    'bad-percent',
    `an interest rate must be at most ${MAX_INTEREST_PERCENT}%, got ${text}`,
  );
  return { units, scale };
}

export type DayCount = 360 | 365;

export function interestMinor(openMinor: number, rate: Percent, days: number, dayCount: DayCount): number {
  assertSafeMinor(openMinor, 'open amount');
  invariant(openMinor >= 0, 'bad-interest', 'interest is charged on a positive open amount');
  invariant(
    Number.isSafeInteger(days) && days >= 0 && days <= MAX_INTEREST_DAYS,
    'bad-interest',
    `interest days must be a whole number from 0 to ${MAX_INTEREST_DAYS}, got ${days}`,
  );
  if (openMinor === 0 || days === 0 || rate.units === 0n) return 0;
  const numerator = BigInt(openMinor) * rate.units * BigInt(days);
  const denominator = 10n ** BigInt(rate.scale) * 100n * BigInt(dayCount);
  return assertSafeMinor(Number(divideHalfEven(numerator, denominator)), 'interest');
}
