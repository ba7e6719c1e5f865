import { assertSafeMinor, divideHalfEven, minorUnitExponent, parseRate } from '../../../money/index.js';

/**
 * A customer's credit exposure, in the customer's own currency (the currency its credit limit is
 * in): open invoices and debit memos, less open credit memos, less the customer's cash we hold
 * (unapplied and on-account parts of its receipts). Credits net against debt because they are the
 * customer's money already in our hands: a customer with 10,000 open and a 3,000 unapplied payment
 * owes us 7,000 of risk. Items in another currency count at their base value, converted into the
 * customer's currency at the latest rate on or before the as-of date; when the customer's currency
 * is the base currency, their base value counts directly.
 */
export interface ExposureGroup {
  currency: string;
  debitMinor: number;
  debitBaseMinor: number;
  creditMinor: number;
  creditBaseMinor: number;
  lateMinor: number;
  lateBaseMinor: number;
  oldestPastDueDate: string | null;
}

export interface Exposure {
  currency: string;
  openDebitMinor: number;
  creditsMinor: number;
  exposureMinor: number;
  /** Open debt past due by more than the rule's days (0 when the rule is off). */
  lateMinor: number;
  oldestPastDueDate: string | null;
  /** Currencies that could not be converted (no rate): left out, and said so. */
  unconverted: string[];
}

/** Latest rates by currency: base = amount × rate (the ledger's convention). */
export type Rates = ReadonlyMap<string, string>;

/** Converts a base-currency amount into `currency` (the inverse of the ledger's conversion), half-even. */
export function fromBase(
  baseMinor: number,
  currency: string,
  baseCurrency: string,
  rateText: string,
): number {
  assertSafeMinor(baseMinor);
  const rate = parseRate(rateText);
  const shift = minorUnitExponent(currency) - minorUnitExponent(baseCurrency);
  let numerator = BigInt(baseMinor) * 10n ** BigInt(rate.scale);
  let denominator = rate.units;
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  return assertSafeMinor(Number(divideHalfEven(numerator, denominator)), 'converted amount');
}

export function foldExposure(
  groups: readonly ExposureGroup[],
  customerCurrency: string,
  baseCurrency: string,
  rates: Rates,
): Exposure {
  let openDebitMinor = 0;
  let creditsMinor = 0;
  let lateMinor = 0;
  let oldest: string | null = null;
  const unconverted: string[] = [];
  const rate = rates.get(customerCurrency);
  for (const g of groups) {
    let convert: ((minor: number, baseMinor: number) => number) | null;
    if (g.currency === customerCurrency) convert = (minor) => minor;
    else if (customerCurrency === baseCurrency) convert = (_minor, base) => base;
    else if (rate !== undefined)
      convert = (_minor, base) => fromBase(base, customerCurrency, baseCurrency, rate);
    else convert = null;
    if (convert === null) {
      unconverted.push(g.currency);
      continue;
    }
    openDebitMinor += convert(g.debitMinor, g.debitBaseMinor);
    creditsMinor += convert(g.creditMinor, g.creditBaseMinor);
    lateMinor += convert(g.lateMinor, g.lateBaseMinor);
    if (g.oldestPastDueDate !== null && (oldest === null || g.oldestPastDueDate < oldest))
      oldest = g.oldestPastDueDate;
  }
  return {
    currency: customerCurrency,
    openDebitMinor: assertSafeMinor(openDebitMinor),
    creditsMinor: assertSafeMinor(creditsMinor),
    exposureMinor: assertSafeMinor(openDebitMinor - creditsMinor),
    lateMinor: assertSafeMinor(lateMinor),
    oldestPastDueDate: oldest,
    unconverted,
  };
}
