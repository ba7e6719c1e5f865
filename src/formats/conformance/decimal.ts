/**
 * Exact decimal arithmetic for the conformance comparison: a decimal string becomes an integer scaled
 * by 10^scale (BigInt), so "1510" equals "1510.00" and no float ever touches an amount. Unlike
 * `src/money`, these never throw on a malformed amount: a reader that emits one is a finding to report.
 */

export interface ScaledDecimal {
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

export function readDecimal(text: unknown): ScaledDecimal | null {
  if (typeof text !== 'string') return null;
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const fraction = match[3] ?? '';
  const magnitude = BigInt((match[2] ?? '0') + fraction);
  return { units: match[1] === '-' ? -magnitude : magnitude, scale: fraction.length };
}

function rescale(value: ScaledDecimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

export function decimalCompare(a: ScaledDecimal, b: ScaledDecimal): number {
  const scale = Math.max(a.scale, b.scale);
  const left = rescale(a, scale);
  const right = rescale(b, scale);
  return left === right ? 0 : left < right ? -1 : 1;
}

export function addDecimals(a: ScaledDecimal, b: ScaledDecimal): ScaledDecimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function absDecimal(a: ScaledDecimal): ScaledDecimal {
  return a.units < 0n ? { units: -a.units, scale: a.scale } : a;
}

export const ZERO: ScaledDecimal = { units: 0n, scale: 0 };

export function formatDecimal(value: ScaledDecimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = value.scale > 0 ? `.${digits.slice(digits.length - value.scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** Exact equality of two decimal strings; false when either is not a decimal. */
export function sameDecimal(a: unknown, b: unknown): boolean {
  const left = readDecimal(a);
  const right = readDecimal(b);
  return left !== null && right !== null && decimalCompare(left, right) === 0;
}
