import { describe, expect, it } from 'vitest';
import { list, nonNegative, oneOf, parseFlags, positive } from './args.js';

const OPTIONS = {
  invoices: { type: 'string', default: '1_000' },
  rebuild: { type: 'boolean', default: false },
  'no-unapply': { type: 'boolean', default: false },
  format: { type: 'string', multiple: true },
} as const;

describe('parseFlags', () => {
  it('takes --x 1 and --x=1 alike', () => {
    expect(parseFlags(['--invoices', '12'], OPTIONS).invoices).toBe('12');
    expect(parseFlags(['--invoices=12'], OPTIONS).invoices).toBe('12');
  });

  it('gives the defaults when a flag is absent', () => {
    expect(parseFlags([], OPTIONS)).toEqual({ invoices: '1_000', rebuild: false, 'no-unapply': false });
  });

  it('sets a boolean flag, negated ones included, and refuses a value for it', () => {
    expect(parseFlags(['--rebuild'], OPTIONS).rebuild).toBe(true);
    expect(parseFlags(['--no-unapply'], OPTIONS)['no-unapply']).toBe(true);
    expect(() => parseFlags(['--rebuild=yes'], OPTIONS)).toThrow(/--rebuild/);
  });

  it('collects a flag given more than once when declared multiple', () => {
    expect(parseFlags(['--format', 'a,b', '--format=c'], OPTIONS).format).toEqual(['a,b', 'c']);
  });

  it('rejects an unknown flag or a stray word, naming it, with the hint', () => {
    expect(() => parseFlags(['--bogus'], OPTIONS, 'usage: x.ts [--invoices N]')).toThrow(
      'unknown argument --bogus; usage: x.ts [--invoices N]',
    );
    expect(() => parseFlags(['--bogus=1'], OPTIONS)).toThrow('unknown argument --bogus');
    expect(() => parseFlags(['--unapply'], OPTIONS)).toThrow('unknown argument --unapply');
    expect(() => parseFlags(['stray'], OPTIONS)).toThrow('unknown argument stray');
  });

  it('rejects a string flag without its value, naming it', () => {
    expect(() => parseFlags(['--invoices'], OPTIONS)).toThrow(/--invoices/);
  });
});

describe('converters', () => {
  it('positive: whole numbers, with _ separators', () => {
    expect(positive('--invoices', '10_000_000')).toBe(10_000_000);
    expect(positive('--invoices', '42')).toBe(42);
  });

  it('positive: rejects 0, negatives, fractions and text with the message', () => {
    for (const text of ['0', '-5', '1.5', 'ten', '', '1e30'])
      expect(() => positive('--invoices', text)).toThrow(
        new Error('--invoices takes a positive whole number'),
      );
  });

  it('nonNegative: takes 0, rejects negatives and fractions', () => {
    expect(nonNegative('--grace', '0')).toBe(0);
    expect(nonNegative('--grace', '1_000')).toBe(1000);
    for (const text of ['-1', '2.5', 'x'])
      expect(() => nonNegative('--grace', text)).toThrow('--grace takes a whole number, 0 or more');
  });

  it('list: splits on commas', () => {
    expect(list('42,7')).toEqual(['42', '7']);
    expect(list('nacha')).toEqual(['nacha']);
  });

  it('oneOf: returns the value or names the allowed ones', () => {
    expect(oneOf('--engine', 'pglite', ['pglite', 'postgres'])).toBe('pglite');
    expect(() => oneOf('--engine', 'mysql', ['pglite', 'postgres'])).toThrow(
      new Error('--engine takes pglite or postgres'),
    );
    expect(() => oneOf('--engine', 'x', ['pglite', 'postgres', 'both'])).toThrow(
      '--engine takes pglite, postgres or both',
    );
  });
});
