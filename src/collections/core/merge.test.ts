import { describe, expect, it } from 'vitest';
import type { AgingGroupPivot } from './aging.js';
import { CollectionsError } from './errors.js';
import { compareC, compareGroups, mergeAgingParts, mergeSorted } from './merge.js';

const group = (
  key: string | null,
  number: string | null,
  currency: string,
  amounts: number[],
  base: number[] | null = null,
  items = 1,
): AgingGroupPivot => [key, number, number, currency, amounts, base, items, 0, base === null ? null : 0];

describe('compareC: PostgreSQL\'s "C" order', () => {
  it('orders by code point, nulls last', () => {
    expect(['b', null, 'B', 'a', 'ab'].sort(compareC)).toEqual(['B', 'a', 'ab', 'b', null]);
  });

  it('puts a character above U+FFFF after one at U+E000 or above (UTF-16 order would not)', () => {
    const astral = '\u{1F600}'; // UTF-16 units D83D DE00: below U+FFFD in unit order
    const high = '\uFFFD';
    expect(astral < high).toBe(true);
    expect(compareC(astral, high)).toBeGreaterThan(0);
    expect(compareC(high, astral)).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from(astral), Buffer.from(high))).toBeGreaterThan(0);
    expect(compareC('a\u{1F600}', 'a\uD7FF')).toBeGreaterThan(0);
  });
});

describe('mergeAgingParts', () => {
  it('merges sorted parts and sums a group found in several', () => {
    const a = [group('k1', 'A', 'EUR', [1, 2], [3, 4]), group('k2', 'B', 'USD', [5, 6])];
    const b = [group('k0', '0', 'USD', [7, 8]), group('k2', 'B', 'USD', [10, 20], null, 2)];
    const c = [group(null, null, 'USD', [0, -9])];
    const merged = mergeAgingParts([a, b, c]);
    expect(merged.map((g) => g[0])).toEqual(['k0', 'k1', 'k2', null]);
    expect(merged[2]).toEqual(['k2', 'B', 'B', 'USD', [15, 26], null, 3, 0, null]);
    expect(merged[1]).toEqual(a[0]);
    for (let i = 1; i < merged.length; i++) expect(compareGroups(merged[i - 1]!, merged[i]!)).toBeLessThan(0);
  });

  it("keeps one currency's group apart from another's", () => {
    const merged = mergeAgingParts([[group('k', 'A', 'EUR', [1])], [group('k', 'A', 'USD', [2])]]);
    expect(merged.map((g) => g[3])).toEqual(['EUR', 'USD']);
  });

  it('refuses a part out of report order, and a sum beyond the safe integers', () => {
    expect(() => mergeAgingParts([[group('k2', 'B', 'USD', [1]), group('k1', 'A', 'USD', [1])]])).toThrow(
      CollectionsError,
    );
    const big = Number.MAX_SAFE_INTEGER;
    expect(() => mergeAgingParts([[group('k', 'A', 'USD', [big])], [group('k', 'A', 'USD', [1])]])).toThrow();
  });
});

describe('mergeSorted', () => {
  it('gives what mergeAgingParts gives, reading its first part as it goes', () => {
    const a = [
      group('k1', 'A', 'EUR', [1, 2], [3, 4]),
      group('k2', 'B', 'USD', [5, 6]),
      group(null, null, 'USD', [0, -9]),
    ];
    const b = [
      group('k0', '0', 'USD', [7, 8]),
      group('k2', 'B', 'USD', [10, 20], null, 2),
      group('k3', 'C', 'USD', [1, 1]),
    ];
    let read = 0;
    function* lazily() {
      for (const g of a) {
        read++;
        yield g;
      }
    }
    const merged = mergeSorted(lazily(), b);
    expect(merged.next().value).toEqual(b[0]);
    expect(read).toBe(1);
    expect([b[0], ...merged]).toEqual(mergeAgingParts([a, b]));
    expect(read).toBe(3);
    expect([...mergeSorted([], b)]).toEqual(b);
    expect([...mergeSorted(a, [])]).toEqual(a);
  });

  it('refuses either part out of report order', () => {
    const outOfOrder = [group('k2', 'B', 'USD', [1]), group('k1', 'A', 'USD', [1])];
    expect(() => [...mergeSorted(outOfOrder, [])]).toThrow(CollectionsError);
    expect(() => [...mergeSorted([], outOfOrder)]).toThrow(CollectionsError);
  });
});
