import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalEvidence, ExactSum, formatScaled, parseAmount, scaledBigInt } from './amount.js';

const text = (value: string, decimal: ',' | '.', thousands: string | null = null) =>
  parseAmount(value, decimal, thousands)?.text ?? null;

describe('parseAmount', () => {
  it('reads decimal comma and decimal point with thousands groups', () => {
    expect(text('1.234,56', ',')).toBe('1234.56');
    expect(text('1,234.56', '.')).toBe('1234.56');
    expect(text('1.234.567,89', ',')).toBe('1234567.89');
    expect(text('1234,56', ',')).toBe('1234.56');
    expect(text('1234.56', '.')).toBe('1234.56');
    expect(text('0,5', ',')).toBe('0.5');
    expect(text('500', '.')).toBe('500');
    expect(text('007', '.')).toBe('7');
  });

  it('reads signs: leading, trailing, parentheses, CR/DR, S/H suffixes, unicode minus', () => {
    expect(text('-1 234,56', ',')).toBe('-1234.56');
    expect(text('1234,56-', ',')).toBe('-1234.56');
    expect(text('(1,234.56)', '.')).toBe('-1234.56');
    expect(text('+12.00', '.')).toBe('12.00');
    expect(text('12.50 CR', '.')).toBe('12.50');
    expect(text('12.50 DR', '.')).toBe('-12.50');
    expect(text('12,50 S', ',')).toBe('-12.50');
    expect(text('12,50 H', ',')).toBe('12.50');
    expect(text('\u22123.10', '.')).toBe('-3.10');
  });

  it('skips currency symbols and codes around the number', () => {
    expect(text('- $1,150.00', '.')).toBe('-1150.00');
    expect(text('+ $1,150.00', '.')).toBe('1150.00');
    expect(text('$1133.94', '.')).toBe('1133.94');
    expect(text('EUR 12,50', ',')).toBe('12.50');
    expect(text('12,50 €', ',')).toBe('12.50');
    expect(text('-£5.00', '.')).toBe('-5.00');
    expect(text("1'234.50", '.')).toBe('1234.50');
    expect(text('1\u00a0234,50', ',')).toBe('1234.50');
  });

  it('writes zero without a sign', () => {
    expect(text('-0,00', ',')).toBe('0.00');
    expect(text('(0.00)', '.')).toBe('0.00');
  });

  it('rejects what is not an amount', () => {
    for (const bad of [
      '',
      'abc',
      'unknown',
      '1.2.3',
      '12-34',
      '--5',
      '(5',
      '5)',
      '1,23',
      '12,5',
      '1234,567',
      '01.02.2024',
      'CR 5',
      '5 x',
    ]) {
      expect(text(bad, '.'), bad).toBeNull();
    }
    expect(text('1.23', ',')).toBeNull();
    expect(text('1,2,3', ',')).toBeNull();
  });

  it('honours a pinned thousands separator ("" = none)', () => {
    expect(text('1 234,56', ',', '')).toBeNull();
    expect(text('1234,56', ',', '')).toBe('1234.56');
    expect(text('1 234,56', ',', ' ')).toBe('1234.56');
    expect(text('1.234,56', ',', ' ')).toBeNull();
  });

  it('round-trips any amount written in any common locale', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }),
        fc.integer({ min: 0, max: 3 }),
        (cents, style) => {
          const plain = formatScaled(cents, 2);
          const negative = plain.startsWith('-');
          const [whole, fraction] = (negative ? plain.slice(1) : plain).split('.') as [string, string];
          const group = (sep: string) => whole.replace(/\B(?=(\d{3})+$)/g, sep);
          const written = [
            `${negative ? '-' : ''}${group('.')},${fraction}`,
            `${negative ? '(' : ''}${group(',')}.${fraction}${negative ? ')' : ''}`,
            `${group(' ')},${fraction}${negative ? '-' : ''}`,
            `${negative ? '- ' : ''}$${group(',')}.${fraction}`,
          ][style]!;
          const decimal = style === 0 || style === 2 ? ',' : '.';
          const read = parseAmount(written, decimal);
          expect(read?.text).toBe(plain === '-0.00' ? '0.00' : plain);
          expect(scaledBigInt(read!, 2)).toBe(cents);
        },
      ),
    );
  });
});

describe('decimalEvidence', () => {
  it('tells the decimal separator when the value shows it', () => {
    expect(decimalEvidence('1.234,56')).toBe(',');
    expect(decimalEvidence('1,234.56')).toBe('.');
    expect(decimalEvidence('12,5')).toBe(',');
    expect(decimalEvidence('12.50')).toBe('.');
    expect(decimalEvidence('1,234,567')).toBe('.');
    expect(decimalEvidence('1.234.567')).toBe(',');
    expect(decimalEvidence('0,123')).toBe(',');
    expect(decimalEvidence('1234,567')).toBe(',');
  });

  it('says nothing for integers and thousands-or-decimal values', () => {
    expect(decimalEvidence('500')).toBeNull();
    expect(decimalEvidence('1,234')).toBeNull();
    expect(decimalEvidence('-1.234')).toBeNull();
  });
});

describe('scaledBigInt / formatScaled', () => {
  it('scales exactly', () => {
    expect(scaledBigInt({ text: '-12.5', scale: 1 }, 3)).toBe(-12500n);
    expect(formatScaled(-12500n, 3)).toBe('-12.500');
    expect(formatScaled(5n, 2)).toBe('0.05');
  });
});

describe('ExactSum', () => {
  it('adds exactly at any scale, beyond safe integers', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 4 })),
          { maxLength: 40 },
        ),
        (values) => {
          const sum = new ExactSum();
          let expected = 0n;
          let scale = 0;
          for (const [units, unitScale] of values) {
            sum.add({ text: formatScaled(units, unitScale), scale: unitScale });
            if (unitScale > scale) {
              expected *= 10n ** BigInt(unitScale - scale);
              scale = unitScale;
            }
            expected += units * 10n ** BigInt(scale - unitScale);
          }
          expect(sum.scale).toBe(scale);
          expect(sum.value()).toBe(expected);
        },
      ),
    );
  });
});
