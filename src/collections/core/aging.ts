import { assertSafeMinor } from '../../money/index.js';
import type { AgingBasis, Bucket } from './buckets.js';

/** What an aging report is summarized by. */
export type AgingGroupBy = 'customer' | 'parent' | 'collector' | 'currency';
export const AGING_GROUP_BYS: readonly AgingGroupBy[] = ['customer', 'parent', 'collector', 'currency'];

/**
 * How open items are rebuilt for the as-of date. `current`: from the cached open balances (valid
 * only when nothing was posted after the date); `backward`: the cached balances with everything
 * posted after the date added back; `forward`: amounts less everything posted up to the date, from
 * the whole history; `snapshot`: the latest AR snapshot on or before the date (taken when a period
 * closed) with what was posted since. All give the same figures; `auto` picks the cheapest valid one.
 */
export type AgingStrategy = 'auto' | 'current' | 'backward' | 'forward' | 'snapshot' | 'changes' | 'cached';

/**
 * Lines beside the buckets, coded as negative bucket numbers in SQL. `credits`: open credit memos
 * (unless aged into the buckets) and cash applied to a document before that document's own date;
 * `onAccount`: receipt cash left as a credit on the customer's account. Both are part of the AR
 * balance. `unappliedCash`: receipts not yet applied; not part of AR (its own GL account).
 */
export const LINE_CODE = { credits: -1, onAccount: -2, unappliedCash: -3 } as const;

export interface AgingAmounts {
  /** One amount per bucket; credit memos aged into buckets count negative. */
  buckets: number[];
  credits: number;
  onAccount: number;
  /** buckets + credits + onAccount: the AR balance, as the ledger's tie-out reports it. */
  ar: number;
  /** Negative: cash received and not yet applied. */
  unappliedCash: number;
  /** ar + unappliedCash: what the customer owes net of cash already received. */
  net: number;
}

export interface AgingRow {
  /** Customer id, top parent id, collector name or null (currency totals, unidentified cash). */
  key: string | null;
  /** Customer number (customer, parent); null otherwise. */
  number: string | null;
  name: string | null;
  currency: string;
  /** In the row's currency, minor units. */
  amounts: AgingAmounts;
  /** In the company's base currency, minor units. */
  base: AgingAmounts;
  /** Open items behind the row (documents and receipts). */
  items: number;
  /**
   * Of the open invoices and debit memos, the part in a live dispute case on the as-of date (each
   * document's disputed amount, at most its open amount): a memo column, already inside the
   * buckets, held out of dunning until the case is resolved.
   */
  disputedMinor: number;
  /** The same in the base currency (each document's share of its open base amount, half-even). */
  disputedBaseMinor: number;
}

export interface AgingReport {
  asOf: string;
  basis: AgingBasis;
  by: AgingGroupBy;
  buckets: Bucket[];
  baseCurrency: string;
  strategy: Exclude<AgingStrategy, 'auto'>;
  rows: AgingRow[];
  /** One row per currency (key null): the sums of `rows`. */
  totalsByCurrency: AgingRow[];
  /** Everything in the base currency. */
  totalBase: AgingAmounts;
  totalItems: number;
  /** Disputed amounts in the base currency, all rows. */
  totalDisputedBase: number;
  /** Whether the company has any dispute case at all (files then carry the disputed columns). */
  hasDisputes: boolean;
}

/** The pivot's columns after the buckets: credits, on account, unapplied cash. */
export const PIVOT_LINES = [LINE_CODE.credits, LINE_CODE.onAccount, LINE_CODE.unappliedCash] as const;

/**
 * One group and currency of the SQL summary: [key, number, name, currency, amounts, base amounts,
 * open items, disputed, disputed in base]; amounts are minor units, one per bucket then credits,
 * on account, unapplied cash; base amounts are null in the base currency (they are the amounts),
 * and so is the disputed base. Unique per key and currency, in report order.
 */
export type AgingGroupPivot =
  | readonly [
      string | null,
      string | null,
      string | null,
      string,
      readonly number[],
      readonly number[] | null,
      number,
    ]
  | readonly [
      string | null,
      string | null,
      string | null,
      string,
      readonly number[],
      readonly number[] | null,
      number,
      number,
      number | null,
    ];

export function emptyAmounts(bucketCount: number): AgingAmounts {
  return {
    buckets: new Array(bucketCount).fill(0),
    credits: 0,
    onAccount: 0,
    ar: 0,
    unappliedCash: 0,
    net: 0,
  };
}

/** Adds an amount to a bucket or line and keeps ar and net in step. */
export function addToAmounts(target: AgingAmounts, bucket: number, minor: number): void {
  assertSafeMinor(minor);
  if (bucket === LINE_CODE.unappliedCash) target.unappliedCash += minor;
  else {
    if (bucket === LINE_CODE.credits) target.credits += minor;
    else if (bucket === LINE_CODE.onAccount) target.onAccount += minor;
    else target.buckets[bucket] = target.buckets[bucket]! + minor;
    target.ar += minor;
  }
  target.net += minor;
  assertSafeMinor(target.net, 'aging total');
}

/**
 * Adds `add` (whose ar and net are its parts' sums, as amountsOf makes them) into `into`, every sum
 * a safe integer. A plain loop: it runs three times per group, 300k times for 100k customers.
 */
export function sumAmounts(into: AgingAmounts, add: AgingAmounts): void {
  const total = 'aging total';
  const buckets = into.buckets;
  for (let i = 0; i < add.buckets.length; i++)
    buckets[i] = assertSafeMinor(buckets[i]! + add.buckets[i]!, total);
  into.credits = assertSafeMinor(into.credits + add.credits, total);
  into.onAccount = assertSafeMinor(into.onAccount + add.onAccount, total);
  into.unappliedCash = assertSafeMinor(into.unappliedCash + add.unappliedCash, total);
  into.ar = assertSafeMinor(into.ar + add.ar, total);
  into.net = assertSafeMinor(into.net + add.net, total);
}

/** AgingAmounts from a pivot's dense array (buckets, then credits, on account, unapplied cash). */
export function amountsOf(values: readonly number[], bucketCount: number): AgingAmounts {
  // One array and one object, no slice or reduce: it runs once or twice per group, a hundred
  // thousand times for today's aging, where the garbage collector's share was the largest.
  const buckets: number[] = [];
  let bucketsMinor = 0;
  for (let i = 0; i < bucketCount; i++) {
    const v = assertSafeMinor(values[i]!);
    buckets.push(v);
    bucketsMinor += v;
  }
  const credits = assertSafeMinor(values[bucketCount]!);
  const onAccount = assertSafeMinor(values[bucketCount + 1]!);
  const unappliedCash = assertSafeMinor(values[bucketCount + 2]!);
  const ar = assertSafeMinor(bucketsMinor + credits + onAccount);
  return { buckets, credits, onAccount, ar, unappliedCash, net: assertSafeMinor(ar + unappliedCash) };
}

/**
 * Rows from the SQL pivot (kept in the order given), with per-currency and base totals. A row in the
 * base currency shares one object for its amounts and its base amounts.
 */
export function assembleAging(
  groups: Iterable<AgingGroupPivot>,
  head: Omit<
    AgingReport,
    'rows' | 'totalsByCurrency' | 'totalBase' | 'totalItems' | 'totalDisputedBase' | 'hasDisputes'
  > & {
    hasDisputes?: boolean;
  },
): AgingReport {
  const bucketCount = head.buckets.length;
  const rows: AgingRow[] = [];
  const totals = new Map<string, AgingRow>();
  const totalBase = emptyAmounts(bucketCount);
  let totalItems = 0;
  let totalDisputedBase = 0;
  for (const group of groups) {
    const [key, number, name, rawCurrency, minor, baseMinor, items] = group;
    const currency = rawCurrency.trim();
    const amounts = amountsOf(minor, bucketCount);
    const base = baseMinor === null ? amounts : amountsOf(baseMinor, bucketCount);
    const disputedMinor = assertSafeMinor(group[7] ?? 0, 'disputed amount');
    const disputedBaseMinor = assertSafeMinor(group[8] ?? disputedMinor, 'disputed amount');
    rows.push({ key, number, name, currency, amounts, base, items, disputedMinor, disputedBaseMinor });
    let total = totals.get(currency);
    if (!total) {
      total = {
        key: null,
        number: null,
        name: null,
        currency,
        amounts: emptyAmounts(bucketCount),
        base: emptyAmounts(bucketCount),
        items: 0,
        disputedMinor: 0,
        disputedBaseMinor: 0,
      };
      totals.set(currency, total);
    }
    sumAmounts(total.amounts, amounts);
    sumAmounts(total.base, base);
    sumAmounts(totalBase, base);
    total.items += items;
    totalItems += items;
    total.disputedMinor = assertSafeMinor(total.disputedMinor + disputedMinor, 'disputed total');
    total.disputedBaseMinor = assertSafeMinor(total.disputedBaseMinor + disputedBaseMinor, 'disputed total');
    totalDisputedBase = assertSafeMinor(totalDisputedBase + disputedBaseMinor, 'disputed total');
  }
  const byCurrency = [...totals.values()].sort((a, b) => compareText(a.currency, b.currency));
  const { hasDisputes, ...rest } = head;
  return {
    ...rest,
    rows,
    totalsByCurrency: byCurrency,
    totalBase,
    totalItems,
    totalDisputedBase,
    hasDisputes: hasDisputes ?? totalDisputedBase !== 0,
  };
}

/** Nulls (unidentified cash, no collector) sort last. */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
