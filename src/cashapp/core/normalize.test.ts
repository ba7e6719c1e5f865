import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digitsKey, generalKeys, numericGroupsKey, referenceKey } from './normalize.js';

describe('reference keys: the ASCII fast paths agree with the general versions', () => {
  const chars = fc.constantFrom(...'0123456789oOqQiIlLabcINV-/ #._éß1'.split(''));
  const texts = fc.oneof(
    fc.string({ unit: chars, maxLength: 40 }),
    fc.string({ maxLength: 30 }),
    fc.constantFrom('INV-2026-0001043', '2O26-1O43', '000', '', 'inv 0', 'ﬁ-12', `${'A'.repeat(300)}12`),
  );
  it('referenceKey, numericGroupsKey and digitsKey', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(referenceKey(text)).toBe(generalKeys.referenceKey(text));
        expect(numericGroupsKey(text)).toBe(generalKeys.numericGroupsKey(text));
        expect(digitsKey(text)).toBe(generalKeys.digitsKey(text));
      }),
      { numRuns: 5000 },
    );
  });
});
