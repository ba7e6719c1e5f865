import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor } from '../../money/index.js';
import { typeCodeDescription, typeCodeDirection } from './type-codes.js';
import {
  checkTime,
  ExactSum,
  formatAmountText,
  formatMinorUnits,
  mmddyyToIso,
  parseAmountMinor,
  yymmddToIso,
} from './values.js';

describe('BAI amounts', () => {
  it('parses signed digit strings into exact minor units', () => {
    expect(parseAmountMinor('000000000002500')).toBe(2500);
    expect(parseAmountMinor('+00000000000834000')).toBe(834000);
    expect(parseAmountMinor('-500000')).toBe(-500000);
    expect(parseAmountMinor('0')).toBe(0);
    expect(parseAmountMinor('1234567890123456789')).toBe(1234567890123456789n);
    for (const bad of ['', '+', '-', '12.50', '1,000', ' 12', 'x', '1e5'])
      expect(parseAmountMinor(bad)).toBeUndefined();
  });

  it('formats minor units exactly like src/money for every exponent', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom(0, 2, 3, 4), (value, exponent) => {
        expect(formatMinorUnits(value, exponent)).toBe(formatMinor(value, exponent));
      }),
      { numRuns: 5000 },
    );
    expect(formatMinorUnits(-5, 2)).toBe('-0.05');
    expect(formatMinorUnits(10n ** 20n + 1n, 2)).toBe('1000000000000000000.01');
  });

  it('formats amount text exactly like src/money, with leading zeros, signs and negation', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
        fc.constantFrom(0, 2, 3),
        fc.nat(4),
        fc.boolean(),
        fc.boolean(),
        (value, exponent, zeros, plus, negate) => {
          const abs = value < 0n ? -value : value;
          const text = `${value < 0n ? '-' : plus ? '+' : ''}${'0'.repeat(zeros)}${abs}`;
          expect(parseAmountMinor(text)).toEqual(
            Number.isSafeInteger(Number(value)) && abs < 10n ** 15n ? Number(value) : value,
          );
          expect(formatAmountText(text, negate, exponent)).toBe(
            formatMinor(negate ? -value : value, exponent),
          );
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('sums exactly beyond 2^53', () => {
    const sum = new ExactSum();
    for (let i = 0; i < 5; i++) sum.add(999_999_999_999_999);
    sum.add(12n ** 20n);
    expect(sum.value()).toBe(5n * 999_999_999_999_999n + 12n ** 20n);
  });
});

describe('BAI dates and times', () => {
  it('reads YYMMDD with the 1970 pivot and rejects impossible dates', () => {
    expect(yymmddToIso('240229')).toBe('2024-02-29');
    expect(yymmddToIso('991231')).toBe('1999-12-31');
    expect(yymmddToIso('230229')).toBeNull();
    expect(yymmddToIso('241301')).toBeNull();
    expect(yymmddToIso('24061')).toBeNull();
    expect(mmddyyToIso('051616')).toBe('2016-05-16');
  });

  it('reads HHMM, end-of-day codes and colon times', () => {
    expect(checkTime('2359')).toBe('ok');
    expect(checkTime('2400')).toBe('ok');
    expect(checkTime('9999')).toBe('ok');
    expect(checkTime('14:59:35')).toBe('colon');
    expect(checkTime('14:59')).toBe('colon');
    expect(checkTime('2460')).toBe('bad');
    expect(checkTime('14:59:75')).toBe('bad');
  });
});

describe('BAI type codes', () => {
  it('gives directions by range and descriptions from the table', () => {
    expect([100, 399, 400, 699, 10, 720, 890, 950].map(typeCodeDirection)).toEqual([
      'credit',
      'credit',
      'debit',
      'debit',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(typeCodeDescription(10)).toBe('Opening Ledger');
    expect(typeCodeDescription(475)).toBe('Check Paid');
    expect(typeCodeDescription(555)).toBe('Deposited Item Returned');
    expect(typeCodeDescription(333)).toBe('Credit (unlisted)');
    expect(typeCodeDescription(955)).toBe('Bank-defined custom code');
  });
});
