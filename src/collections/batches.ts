import { invariant } from './core/errors.js';

/**
 * Large report results cross to Node as JSON, a batch of rows per value. node-postgres takes a
 * value of many megabytes several times slower than the same bytes in values of a megabyte or so
 * (measured: 19 MB as one value, 300 ms of client CPU; as 20 values, 90 ms), and a hundred thousand
 * groups as one row each would cost a JavaScript object per value.
 */
export const JSON_BATCH_ROWS = 2000;

/**
 * SQL giving one row per batch of JSON_BATCH_ROWS of `source`'s rows in `order` (an ORDER BY list
 * over source's columns, alias q): the columns `build`, expressions over the batch's rows (alias r;
 * r.rn numbers the rows in order, from 1), e.g. `json_agg(r.j ORDER BY r.rn) AS doc`. Batches come
 * in order. A null `order` numbers the rows as they come, for a caller that sorts what it reads: it
 * spares the server a sort of every row (at 10M invoices, 100k metrics rows of 22 MB spilled to disk).
 */
export function jsonBatchesSql(source: string, order: string | null, build: string): string {
  return `SELECT ${build}
            FROM (SELECT q.*, row_number() OVER (${order === null ? '' : `ORDER BY ${order}`}) AS rn FROM (${source}) q) r
           GROUP BY (r.rn - 1) / ${JSON_BATCH_ROWS} ORDER BY (r.rn - 1) / ${JSON_BATCH_ROWS}`;
}

/**
 * Numbers in bulk cross as packed big-endian int8s (`int8send`, concatenated into a bytea) rather
 * than as JSON: at 10M invoices, json_build_array over a hundred thousand aging rows of a dozen
 * numbers cost the server 0.6 s (it looks up each argument's type on every call) and JSON.parse
 * the client another 0.1 s; the packed bytes cost a fraction of either.
 */
export function packedInt8Sql(exprs: readonly string[]): string {
  invariant(exprs.length > 0, 'internal', 'nothing to pack');
  return exprs.map((e) => `int8send((${e})::int8)`).join(' || ');
}

const TWO_POW_32 = 4294967296;
/** |high word| bound of a safe integer: 2^53 = 2^21 · 2^32. */
const SAFE_HIGH_WORD = 2097152;

/** Reads the int8s of packedInt8Sql's bytes in order; each must be a safe integer. */
export class Int8Reader {
  private readonly view: DataView;
  private offsetBytes = 0;

  constructor(bytes: Uint8Array) {
    invariant(bytes.byteLength % 8 === 0, 'internal', `packed int8s of ${bytes.byteLength} bytes`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offsetBytes === this.view.byteLength;
  }

  next(): number {
    invariant(this.offsetBytes < this.view.byteLength, 'internal', 'packed int8s ended early');
    const high = this.view.getInt32(this.offsetBytes);
    const low = this.view.getUint32(this.offsetBytes + 4);
    this.offsetBytes += 8;
    const value = high * TWO_POW_32 + low;
    if (high >= SAFE_HIGH_WORD || high < -SAFE_HIGH_WORD || !Number.isSafeInteger(value))
      invariant(false, 'unsafe-amount', 'a packed sum is beyond the safe integer range');
    return value;
  }

  /** The next `count` numbers. */
  take(count: number): number[] {
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.next();
    return out;
  }
}
