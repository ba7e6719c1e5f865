import { invariant } from './errors.js';

/**
 * Aging buckets. Thresholds are the upper ends of the past-due ranges in days ("30,60,90,120").
 * By due date there is a "current" bucket for items not yet past due (days past due <= 0), then one
 * bucket per range and an "over" bucket. By invoice date the first bucket holds everything up to
 * the first threshold, since an item's age from its own date is never "not yet due".
 */
export type AgingBasis = 'due' | 'invoice';

export const DEFAULT_THRESHOLDS: readonly number[] = [30, 60, 90, 120];
const MAX_THRESHOLDS = 24;
const MAX_DAYS = 36_500;

export interface BucketSpec {
  thresholds: readonly number[];
  basis: AgingBasis;
}

export interface Bucket {
  index: number;
  /** 'current', '1-30', ..., 'over 120'. */
  label: string;
  /** Inclusive day range; null is open-ended. */
  fromDays: number | null;
  toDays: number | null;
}

/** Parses "30,60,90,120": strictly increasing whole days, each at least 1. */
export function parseThresholds(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  invariant(
    parts.every((p) => /^\d{1,5}$/.test(p)),
    'bad-buckets',
    `buckets must be whole days separated by commas, like 30,60,90,120; got ${JSON.stringify(text)}`,
  );
  return checkThresholds(parts.map(Number));
}

export function checkThresholds(thresholds: readonly number[]): number[] {
  invariant(
    thresholds.length >= 1 && thresholds.length <= MAX_THRESHOLDS,
    'bad-buckets',
    `between 1 and ${MAX_THRESHOLDS} bucket thresholds, got ${thresholds.length}`,
  );
  thresholds.forEach((t, i) => {
    invariant(
      Number.isSafeInteger(t) && t >= 1 && t <= MAX_DAYS,
      'bad-buckets',
      `a bucket threshold must be a whole number of days from 1 to ${MAX_DAYS}, got ${t}`,
    );
    invariant(
      i === 0 || t > thresholds[i - 1]!,
      'bad-buckets',
      `bucket thresholds must increase: ${thresholds.join(',')}`,
    );
  });
  return [...thresholds];
}

export function bucketsOf(spec: BucketSpec): Bucket[] {
  const t = checkThresholds(spec.thresholds);
  const ranges: { from: number | null; to: number | null }[] =
    spec.basis === 'due'
      ? [
          { from: null, to: 0 },
          { from: 1, to: t[0]! },
        ]
      : [{ from: null, to: t[0]! }];
  for (let i = 1; i < t.length; i++) ranges.push({ from: t[i - 1]! + 1, to: t[i]! });
  ranges.push({ from: t[t.length - 1]! + 1, to: null });
  return ranges.map((r, index) => ({
    index,
    label: labelOf(r.from, r.to, spec.basis),
    fromDays: r.from,
    toDays: r.to,
  }));
}

function labelOf(from: number | null, to: number | null, basis: AgingBasis): string {
  if (to === null) return `over ${from! - 1}`;
  if (from === null) return basis === 'due' ? 'current' : `0-${to}`;
  return `${from}-${to}`;
}

/**
 * The lower bounds handed to SQL's width_bucket(days, bounds): it returns how many bounds are <=
 * days, which is exactly the bucket index (0 below the first bound).
 */
export function lowerBounds(spec: BucketSpec): number[] {
  return bucketsOf(spec)
    .slice(1)
    .map((b) => b.fromDays!);
}

/** The bucket index of an age in days: the same rule as the SQL, for tests and small inputs. */
export function bucketIndex(days: number, spec: BucketSpec): number {
  return lowerBounds(spec).filter((bound) => bound <= days).length;
}
