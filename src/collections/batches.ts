/**
 * Large report results cross to Node as JSON, a batch of rows per value. node-postgres takes a
 * value of many megabytes several times slower than the same bytes in values of a megabyte or so
 * (measured: 19 MB as one value, 300 ms of client CPU; as 20 values, 90 ms), and a hundred thousand
 * groups as one row each would cost a JavaScript object per value.
 */
export const JSON_BATCH_ROWS = 2000;

/**
 * SQL giving one row per batch of JSON_BATCH_ROWS of `source`'s rows in `order` (an ORDER BY list
 * over source's columns, alias q): the column `doc`, the expression `build` over the batch's rows
 * (alias r; r.rn numbers the rows in order, from 1). Batches come in order.
 */
export function jsonBatchesSql(source: string, order: string, build: string): string {
  return `SELECT ${build} AS doc
            FROM (SELECT q.*, row_number() OVER (ORDER BY ${order}) AS rn FROM (${source}) q) r
           GROUP BY (r.rn - 1) / ${JSON_BATCH_ROWS} ORDER BY (r.rn - 1) / ${JSON_BATCH_ROWS}`;
}
