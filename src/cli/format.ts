import { formatMinor, minorUnitExponent } from '../money/index.js';

export const money = (minor: number, currency: string): string =>
  formatMinor(minor, minorUnitExponent(currency.trim()));

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function parseIsoDate(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    throw new UsageError(`expected a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  return text;
}

export function parseCount(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`expected a whole number, got ${JSON.stringify(text)}`);
  return Number.parseInt(text, 10);
}

/** Bad usage (exit code 2), as opposed to a refused operation (exit code 1). */
export class UsageError extends Error {
  override name = 'UsageError';
}
