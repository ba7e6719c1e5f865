import { describe, expect, it } from 'vitest';
import type { AgingGroupPivot, AgingRow } from './aging.js';
import { CollectionsError } from './errors.js';
import {
  compareC,
  compareGroups,
  mergeAgingParts,
  mergeRowRuns,
  mergeSorted,
  splitFamilies,
} from './merge.js';

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

describe('splitFamilies and mergeRowRuns: the aging by parent from the groups by customer', () => {
  const P = { key: 'p', number: 'P', name: 'Parent' };
  const rootOf = new Map([
    ['p', P],
    ['c1', P],
    ['c2', P],
  ]);
  // By customer, in report order: A alone, C1 and C2 under P, P itself, Z alone, cash of no customer.
  const byCustomer = [
    group('a', 'A', 'USD', [1, 0]),
    group('c1', 'C1', 'EUR', [2, 0], [3, 0]),
    group('c1', 'C1', 'USD', [4, 0]),
    group('c2', 'C2', 'USD', [0, 8], null, 2),
    group('p', 'P', 'USD', [16, 0]),
    group('z', 'Z', 'USD', [32, 0]),
    group(null, null, 'USD', [-64, 0]),
  ];

  it('passes the customers alone through in order and sums each family per currency', () => {
    const split = splitFamilies(byCustomer, rootOf);
    expect(() => split.families()).toThrow(CollectionsError);
    expect([...split.alone].map((g) => g[0])).toEqual(['a', 'z', null]);
    expect(split.families()).toEqual([
      ['p', 'P', 'Parent', 'EUR', [2, 0], [3, 0], 1, 0, 0],
      ['p', 'P', 'Parent', 'USD', [20, 8], null, 4, 0, null],
    ]);
  });

  it('merges the two runs of rows into report order, and refuses a group in both', () => {
    const row = (key: string | null, number: string | null, currency = 'USD') =>
      ({ key, number, name: number, currency }) as AgingRow;
    const rows = [row('a', 'A'), row('z', 'Z'), row(null, null), row('p', 'P', 'EUR'), row('p', 'P')];
    expect(mergeRowRuns(rows, 3).map((r) => [r.key, r.currency])).toEqual([
      ['a', 'USD'],
      ['p', 'EUR'],
      ['p', 'USD'],
      ['z', 'USD'],
      [null, 'USD'],
    ]);
    expect(mergeRowRuns(rows, 0)).toEqual(rows);
    expect(() => mergeRowRuns([row('a', 'A'), row('a', 'A')], 1)).toThrow(CollectionsError);
  });
});
