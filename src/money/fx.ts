import { assertSafeMinor, MoneyError } from './decimal.js';

/** An exchange rate held exactly as an integer over a power of ten: 1.0834 = { units: 10834n, scale: 4 }. */
export interface Rate {
  readonly units: bigint;
  readonly scale: number;
}

const RATE_PATTERN = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

export function parseRate(text: string): Rate {
  const m = RATE_PATTERN.exec(text.trim());
  if (!m)
    throw new MoneyError(
      `exchange rate must be a positive decimal such as 1.0834, got ${JSON.stringify(text)}`,
    );
  const fraction = m[2] ?? '';
  const units = BigInt(m[1]! + fraction);
  if (units === 0n) throw new MoneyError('exchange rate must be greater than zero');
  return { units, scale: fraction.length };
}

export function formatRate(rate: Rate): string {
  const digits = rate.units.toString().padStart(rate.scale + 1, '0');
  return rate.scale === 0 ? digits : `${digits.slice(0, -rate.scale)}.${digits.slice(-rate.scale)}`;
}

/** Divides exactly and rounds half to even: the FX rounding rule, unbiased over many conversions. */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new MoneyError('division by zero');
  if (denominator < 0n) return divideHalfEven(-numerator, -denominator);
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  let q = n / denominator;
  const r = n % denominator;
  const twice = r * 2n;
  if (twice > denominator || (twice === denominator && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * Converts minor units of one currency into minor units of the base currency:
 * base = amount × rate, rescaled between the two currencies' exponents, rounded half-even.
 */
export function convertMinor(
  amountMinor: number,
  rate: Rate,
  fromExponent: number,
  toExponent: number,
): number {
  assertSafeMinor(amountMinor);
  let numerator = BigInt(amountMinor) * rate.units;
  let denominator = 10n ** BigInt(rate.scale);
  const shift = toExponent - fromExponent;
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  return assertSafeMinor(Number(divideHalfEven(numerator, denominator)), 'converted amount');
}
