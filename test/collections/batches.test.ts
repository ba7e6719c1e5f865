import { describe, expect, it } from 'vitest';
import { Int8Reader, packedInt8Sql } from '../../src/collections/batches.js';

/** Big-endian int8s, as PostgreSQL's int8send writes them. */
function packed(values: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (const [i, v] of values.entries()) view.setBigInt64(i * 8, v);
  return bytes;
}

describe('packed int8 batches', () => {
  it('reads back negatives, zero and the safe extremes exactly', () => {
    const values = [0n, 1n, -1n, 4294967296n, -4294967297n, 9007199254740991n, -9007199254740991n];
    const reader = new Int8Reader(packed(values));
    expect(reader.take(values.length)).toEqual(values.map(Number));
    expect(reader.done).toBe(true);
  });

  it('reads from a view into a larger buffer (node-postgres hands out slices)', () => {
    const outer = new Uint8Array(24);
    outer.set(packed([-5n, 7n]), 8);
    expect(new Int8Reader(outer.subarray(8, 24)).take(2)).toEqual([-5, 7]);
  });

  it('refuses sums beyond the safe integer range, and bytes that are not whole int8s', () => {
    expect(() => new Int8Reader(packed([9007199254740992n])).next()).toThrow(/safe integer/);
    expect(() => new Int8Reader(packed([-9007199254740992n])).next()).toThrow(/safe integer/);
    expect(() => new Int8Reader(new Uint8Array(12))).toThrow(/12 bytes/);
    expect(() => new Int8Reader(packed([1n])).take(2)).toThrow(/ended early/);
  });

  it('packs each expression as an int8', () => {
    expect(packedInt8Sql(['a', 'sum(b)'])).toBe('int8send((a)::int8) || int8send((sum(b))::int8)');
  });
});
