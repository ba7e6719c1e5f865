import { formatMinor, minorUnitExponent } from '../../money/index.js';
import type { AgingGroupBy } from '../core/aging.js';

/** Decimal string of minor units in a currency: what files and JSON carry. */
export const decimal = (minor: number, currency: string): string =>
  formatMinor(minor, minorUnitExponent(currency));

/**
 * A spreadsheet cell needs a number. The decimal string is exact; Number() of it is the nearest
 * double, which is what Excel stores for any typed-in amount. Money is never computed from it.
 */
export const cellNumber = (minor: number, currency: string): number => Number(decimal(minor, currency));

/** Excel number format with the currency's decimals, negatives in red. */
export function moneyFormat(currency: string): string {
  const exp = minorUnitExponent(currency);
  const body = exp === 0 ? '#,##0' : `#,##0.${'0'.repeat(exp)}`;
  return `${body};[Red]-${body}`;
}

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (values: (string | number | null)[]): string => `${values.map(csvField).join(',')}\n`;

/** How a group is named on a report line. */
export function groupLabel(
  by: AgingGroupBy | 'portfolio',
  key: string | null,
  number: string | null,
  currency?: string,
): string {
  if (by === 'currency') return currency ?? key ?? '';
  if (by === 'portfolio') return 'portfolio';
  if (key === null) return '(unidentified)';
  if (by === 'collector') return key === '' ? '(no collector)' : key;
  return number ?? key;
}
