import { assertSafeMinor } from '../../money/index.js';
import type { AgingGroupPivot, AgingRow } from './aging.js';
import { invariant } from './errors.js';

/**
 * An aging summary split across connections (each summing the customers of one id range) comes
 * back as one sorted list per part. The same group can be in several parts when it spans customers
 * (a parent, a collector, a currency); its figures are summed here. Pure: no I/O.
 */

/**
 * Compares two strings as PostgreSQL's "C" collation does (UTF-8 byte order, which is code point
 * order), nulls last. JavaScript's `<` compares UTF-16 code units, which differs from code point
 * order only where a surrogate (a character above U+FFFF) meets a unit at or above U+E000.
 */
export function compareC(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? (y >= 0xe000 ? 1 : x - y) : x >= 0xe000 ? -1 : x - y;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The aging summary's report order, as its SQL sorts (aging.ts: by number or else key, name,
 * currency, key, each in "C" order): number (or key), name, currency, then the key itself so that
 * two groups never tie.
 */
export function compareGroups(a: AgingGroupPivot, b: AgingGroupPivot): number {
  return (
    compareC(a[1] ?? a[0], b[1] ?? b[0]) ||
    compareC(a[2], b[2]) ||
    compareC(a[3], b[3]) ||
    compareC(a[0], b[0])
  );
}

const sameGroup = (a: AgingGroupPivot, b: AgingGroupPivot) => a[0] === b[0] && a[3] === b[3];

function sumArrays(a: readonly number[], b: readonly number[]): number[] {
  invariant(a.length === b.length, 'internal', 'aging parts with different columns');
  return a.map((v, i) => assertSafeMinor(v + b[i]!, 'aging total'));
}

function sumNullable(a: number | null | undefined, b: number | null | undefined): number | null {
  if ((a ?? null) === null && (b ?? null) === null) return null;
  return assertSafeMinor((a ?? 0) + (b ?? 0), 'aging total');
}

/** One group's figures from two parts (the same key and currency). */
export function combineGroups(a: AgingGroupPivot, b: AgingGroupPivot): AgingGroupPivot {
  invariant(sameGroup(a, b), 'internal', 'combining two different aging groups');
  invariant((a[5] === null) === (b[5] === null), 'internal', 'aging parts disagree on base amounts');
  const base = a[5] === null ? null : sumArrays(a[5], b[5]!);
  return [
    a[0],
    a[1],
    a[2],
    a[3],
    sumArrays(a[4], b[4]),
    base,
    assertSafeMinor(a[6] + b[6], 'aging items'),
    sumNullable(a[7], b[7]) ?? 0,
    sumNullable(a[8], b[8]),
  ];
}

/** Merges two lists sorted by compareGroups into one, combining a group found in both. */
function mergeTwo(a: readonly AgingGroupPivot[], b: readonly AgingGroupPivot[]): AgingGroupPivot[] {
  const out: AgingGroupPivot[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const order = compareGroups(a[i]!, b[j]!);
    if (order === 0) out.push(combineGroups(a[i++]!, b[j++]!));
    else out.push(order < 0 ? a[i++]! : b[j++]!);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Asserts a part is strictly in report order (so the merge can be linear). */
function assertSorted(part: readonly AgingGroupPivot[]): void {
  for (let i = 1; i < part.length; i++)
    invariant(compareGroups(part[i - 1]!, part[i]!) < 0, 'internal', 'an aging part out of report order');
}

/** The parts' groups as one list in report order, each group once. */
export function mergeAgingParts(parts: readonly (readonly AgingGroupPivot[])[]): AgingGroupPivot[] {
  invariant(parts.length > 0, 'internal', 'no aging parts to merge');
  for (const part of parts) assertSorted(part);
  return parts.reduce<AgingGroupPivot[]>((merged, part) => mergeTwo(merged, part), []);
}

/**
 * `a` and `b`, each sorted by compareGroups, as one sequence in that order, a group found in both
 * combined; `a` is consumed as it is read (a generator over a cache's batches keeps only the
 * groups not yet merged alive), and checked to be in order as it goes.
 */
export function* mergeSorted(
  a: Iterable<AgingGroupPivot>,
  b: readonly AgingGroupPivot[],
): Generator<AgingGroupPivot> {
  assertSorted(b);
  let j = 0;
  let previous: AgingGroupPivot | null = null;
  for (const group of a) {
    invariant(
      previous === null || compareGroups(previous, group) < 0,
      'internal',
      'an aging part out of report order',
    );
    previous = group;
    while (j < b.length && compareGroups(b[j]!, group) < 0) yield b[j++]!;
    if (j < b.length && compareGroups(b[j]!, group) === 0) yield combineGroups(group, b[j++]!);
    else yield group;
  }
  while (j < b.length) yield b[j++]!;
}

/** A customer's top-level parent, as the aging by parent heads its group. */
export interface FamilyRoot {
  key: string;
  number: string | null;
  name: string | null;
}

/**
 * Today's aging by parent from the groups by customer (in report order): a customer with neither
 * parent nor children is its own parent group, with the same head, and passes through (`alone`,
 * lazily, in order); the groups of a customer in `rootOf` (with a parent, or the top parent of
 * one) are summed per top parent and currency. `families()`, once `alone` is read to its end,
 * gives those sums in report order.
 */
export function splitFamilies(
  groups: Iterable<AgingGroupPivot>,
  rootOf: ReadonlyMap<string, FamilyRoot>,
): { alone: Generator<AgingGroupPivot>; families: () => AgingGroupPivot[] } {
  const sums = new Map<string, AgingGroupPivot>();
  let read = false;
  function* alone(): Generator<AgingGroupPivot> {
    for (const g of groups) {
      const root = g[0] === null ? undefined : rootOf.get(g[0]);
      if (root === undefined) {
        yield g;
        continue;
      }
      const headed: AgingGroupPivot = [
        root.key,
        root.number,
        root.name,
        g[3],
        g[4],
        g[5],
        g[6],
        g[7] ?? 0,
        g[8] ?? null,
      ];
      const id = `${root.key} ${g[3]}`;
      const sum = sums.get(id);
      sums.set(id, sum === undefined ? headed : combineGroups(sum, headed));
    }
    read = true;
  }
  const families = () => {
    invariant(read, 'internal', 'families asked for before every group was read');
    return [...sums.values()].sort(compareGroups);
  };
  return { alone: alone(), families };
}

/** Report order of two rows, as compareGroups orders their groups. */
export function compareRows(a: AgingRow, b: AgingRow): number {
  return (
    compareC(a.number ?? a.key, b.number ?? b.key) ||
    compareC(a.name, b.name) ||
    compareC(a.currency, b.currency) ||
    compareC(a.key, b.key)
  );
}

/** `rows` whose first `split` and the rest are each in report order, as one list in that order. */
export function mergeRowRuns(rows: readonly AgingRow[], split: number): AgingRow[] {
  invariant(split >= 0 && split <= rows.length, 'internal', 'a split outside the rows');
  const out: AgingRow[] = [];
  let i = 0;
  let j = split;
  while (i < split && j < rows.length) {
    const order = compareRows(rows[i]!, rows[j]!);
    invariant(order !== 0, 'internal', 'the same aging group in both runs');
    out.push(order < 0 ? rows[i++]! : rows[j++]!);
  }
  while (i < split) out.push(rows[i++]!);
  while (j < rows.length) out.push(rows[j++]!);
  return out;
}
