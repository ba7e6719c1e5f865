/**
 * Exact decimal strings <-> integer minor units. Money never passes through a float:
 * strings are split on the decimal point and scaled with integer arithmetic.
 */

export class MoneyError extends Error {
  override name = 'MoneyError';
}

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;

/** Throws unless `value` is a safe integer: every money value crossing a boundary goes through here. */
export function assertSafeMinor(value: number, what = 'amount'): number {
  if (!Number.isSafeInteger(value)) {
    throw new MoneyError(`${what} must be a safe integer number of minor units, got ${value}`);
  }
  return value;
}

/**
 * Parses a plain decimal string ("1234.56", "-0.5", "+12", ".75") into minor units at `exponent`
 * decimal places. Rejects more decimals than the currency has unless they are zeros, because
 * silently rounding an amount read from a file is a wrong total.
 */
export function parseDecimalToMinor(text: string, exponent: number): number {
  return Number(parseDecimalToMinorBig(text, exponent, Number.MAX_SAFE_INTEGER));
}

export function parseDecimalToMinorBig(text: string, exponent: number, maxAbs?: number): bigint {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) throw new MoneyError(`not a decimal number: ${JSON.stringify(text)}`);
  const sign = match[1] ?? match[4] ?? '+';
  const intPart = match[2] ?? '0';
  let fraction = match[3] ?? match[5] ?? '';
  if (fraction.length > exponent) {
    const extra = fraction.slice(exponent);
    if (/[^0]/.test(extra)) {
      throw new MoneyError(`${JSON.stringify(text)} has more than ${exponent} decimal places`);
    }
    fraction = fraction.slice(0, exponent);
  }
  const digits = intPart + fraction.padEnd(exponent, '0');
  let minor = BigInt(digits);
  if (sign === '-') minor = -minor;
  if (maxAbs !== undefined && (minor > BigInt(maxAbs) || minor < -BigInt(maxAbs))) {
    throw new MoneyError(`${JSON.stringify(text)} is too large`);
  }
  return minor;
}

/** Formats minor units as a decimal string with exactly `exponent` places: 123456, 2 -> "1234.56". */
export function formatMinor(minor: number | bigint, exponent: number): string {
  if (typeof minor === 'number') assertSafeMinor(minor);
  const big = BigInt(minor);
  const negative = big < 0n;
  const digits = (negative ? -big : big).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** Compares two decimal strings exactly ("1510" equals "1510.00"). */
export function decimalEquals(a: string, b: string): boolean {
  const scale = Math.max(fractionDigits(a), fractionDigits(b));
  return parseDecimalToMinorBig(a, scale) === parseDecimalToMinorBig(b, scale);
}

/** Adds decimal strings exactly; the result keeps the largest number of decimals seen. */
export function sumDecimals(values: readonly string[]): string {
  const scale = values.reduce((max, v) => Math.max(max, fractionDigits(v)), 0);
  let total = 0n;
  for (const v of values) total += parseDecimalToMinorBig(v, scale);
  return formatMinor(total, scale);
}

function fractionDigits(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
