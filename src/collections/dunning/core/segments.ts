import { minorUnitExponent, parseDecimalToMinorBig } from '../../../money/index.js';
import type { DunningConfig, SegmentConfig } from './config.js';

/** What segments can look at: attributes of the customer that the ledger holds. */
export interface CustomerAttributes {
  customerNumber: string;
  currency: string;
  collector: string | null;
  /** The direct parent's and the top-level parent's customer numbers (null without a parent). */
  parentNumber: string | null;
  topParentNumber: string | null;
  /** Open AR in the company's base currency, minor units (credit memos count negative). */
  balanceBaseMinor: number;
  /** A strategy set on the customer by hand (`openar dunning customer X --strategy CODE`). */
  strategyOverride: string | null;
}

export interface Assignment {
  strategyCode: string;
  /** The segment that matched, 'manual' for a strategy set by hand, 'default' when none matched. */
  segmentCode: string;
  reason: string;
}

interface Bound {
  value: bigint;
  factor: bigint;
}

/** A decimal bound as an integer at the base currency's exponent (or finer, when it has more decimals). */
function bound(text: string, baseCurrency: string): Bound {
  const exp = minorUnitExponent(baseCurrency);
  const scale = Math.max(exp, text.split('.')[1]?.length ?? 0);
  return { value: parseDecimalToMinorBig(text, scale), factor: 10n ** BigInt(scale - exp) };
}

// Parsed once per segment and base currency, not once per customer.
const bounds = new WeakMap<SegmentConfig, { currency: string; min: Bound | null; max: Bound | null }>();

function inBalance(seg: SegmentConfig, balanceMinor: number, baseCurrency: string): boolean {
  if (seg.balanceMin === null && seg.balanceMax === null) return true;
  let b = bounds.get(seg);
  if (!b || b.currency !== baseCurrency) {
    b = {
      currency: baseCurrency,
      min: seg.balanceMin === null ? null : bound(seg.balanceMin, baseCurrency),
      max: seg.balanceMax === null ? null : bound(seg.balanceMax, baseCurrency),
    };
    bounds.set(seg, b);
  }
  const balance = BigInt(balanceMinor);
  if (b.min && balance * b.min.factor < b.min.value) return false;
  if (b.max && balance * b.max.factor > b.max.value) return false;
  return true;
}

/** Whether every condition the segment names holds for the customer. */
export function segmentMatches(seg: SegmentConfig, c: CustomerAttributes, baseCurrency: string): boolean {
  if (seg.customers && !seg.customers.has(c.customerNumber)) return false;
  if (seg.currencies && !seg.currencies.has(c.currency)) return false;
  if (seg.collectors && !seg.collectors.has(c.collector ?? '')) return false;
  if (
    seg.parents &&
    !(
      (c.parentNumber !== null && seg.parents.has(c.parentNumber)) ||
      (c.topParentNumber !== null && seg.parents.has(c.topParentNumber)) ||
      seg.parents.has(c.customerNumber)
    )
  )
    return false;
  if (seg.hasParent !== null && seg.hasParent !== (c.parentNumber !== null)) return false;
  return inBalance(seg, c.balanceBaseMinor, baseCurrency);
}

/** A strategy set by hand wins; then the first segment that matches, in file order; then the default. */
export function assignStrategy(
  config: DunningConfig,
  c: CustomerAttributes,
  baseCurrency: string,
): Assignment {
  if (c.strategyOverride !== null) {
    if (config.strategies.has(c.strategyOverride))
      return {
        strategyCode: c.strategyOverride,
        segmentCode: 'manual',
        reason: `strategy ${c.strategyOverride} set on the customer`,
      };
  }
  const missing =
    c.strategyOverride === null
      ? ''
      : ` (strategy ${c.strategyOverride} set on the customer is not in the loaded configuration)`;
  for (const seg of config.segments) {
    if (segmentMatches(seg, c, baseCurrency))
      return { strategyCode: seg.strategy, segmentCode: seg.code, reason: `segment ${seg.code}${missing}` };
  }
  return {
    strategyCode: config.defaultStrategy,
    segmentCode: 'default',
    reason: `no segment matched: default strategy${missing}`,
  };
}
