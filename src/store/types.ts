/**
 * How column values come back from either engine. int8 money columns arrive as JS numbers, asserted
 * safe (a value beyond 2^53 would silently lose cents); dates stay 'YYYY-MM-DD' strings so no time
 * zone can shift them; numeric (rates, percents) stays an exact string.
 */
import { StoreError } from './client.js';

export const OID = { int8: 20, date: 1082, numeric: 1700 } as const;

export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new StoreError(`int8 value ${text} is beyond the safe integer range`);
  return value;
}

export const parseDate = (text: string): string => text;
export const parseNumeric = (text: string): string => text;
