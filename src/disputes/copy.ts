import type { SqlClient } from '../store/client.js';

/**
 * Bulk writes through COPY (CSV): for tens of thousands of rows it costs both engines far less
 * than a JSON parameter expanded by jsonb_to_recordset. A null is an unquoted empty field; every
 * text is quoted, so an empty string stays an empty string.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.indexOf('"') < 0 ? `"${text}"` : `"${text.replaceAll('"', '""')}"`;
}

/** Rows per COPY: a few MB of CSV at a time. */
const COPY_CHUNK = 25_000;

/** COPYs rows (arrays in `columns` order) into a table; returns how many. */
export async function copyRows(
  client: SqlClient,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<number> {
  let copied = 0;
  for (let start = 0; start < rows.length; start += COPY_CHUNK) {
    let csv = '';
    const end = Math.min(rows.length, start + COPY_CHUNK);
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      let line = csvCell(row[0]);
      for (let k = 1; k < row.length; k++) line += `,${csvCell(row[k])}`;
      csv += `${line}\n`;
    }
    copied += await client.copyFromCsv(
      `COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`,
      csv,
    );
  }
  return copied;
}

/** A text cell for a hand-built CSV line: quoted (quotes doubled), or empty for null. */
export function q(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return `"${value.indexOf('"') < 0 ? value : value.replaceAll('"', '""')}"`;
}

/**
 * COPYs CSV lines built by the caller (one template literal per row is far cheaper than a cell at a
 * time for a hundred thousand rows). Only values the caller made or validated (ids, dates, numbers,
 * codes) may go in unquoted; every text goes through `q`.
 */
export async function copyLines(
  client: SqlClient,
  table: string,
  columns: readonly string[],
  lines: readonly string[],
): Promise<number> {
  let copied = 0;
  for (let start = 0; start < lines.length; start += COPY_CHUNK) {
    const chunk = lines.slice(start, start + COPY_CHUNK);
    copied += await client.copyFromCsv(
      `COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`,
      `${chunk.join('\n')}\n`,
    );
  }
  return copied;
}
