import { parse } from 'csv-parse/sync';
import type { FileIssue } from './errors.js';

export type TableRow = Record<string, unknown>;

/** Configuration files are small: a bound on the rows read (the rest is refused, not truncated). */
export const MAX_TABLE_ROWS = 100_000;

/**
 * A CSV configuration file as rows keyed by header (lower case, trimmed), each with its line number
 * (the header is line 1). Unknown and missing columns are issues; blank lines are skipped.
 */
export function readTable(
  text: string,
  required: readonly string[],
  optional: readonly string[],
): { rows: { line: number; row: TableRow }[]; issues: FileIssue[] } {
  const issues: FileIssue[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as Error & { lines?: number };
    issues.push({ where: `line ${e.lines ?? '?'}`, field: '(file)', expected: 'CSV', got: e.message });
    return { rows: [], issues };
  }
  if (records.length === 0) {
    issues.push({
      where: 'line 1',
      field: '(header)',
      expected: `a header: ${required.join(',')}`,
      got: 'an empty file',
    });
    return { rows: [], issues };
  }
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  const allowed = new Set([...required, ...optional]);
  header.forEach((h) => {
    if (!allowed.has(h))
      issues.push({
        where: 'line 1',
        field: h || '(blank column)',
        expected: `one of ${[...allowed].join(', ')}`,
        got: 'an unknown column',
      });
  });
  for (const r of required) {
    if (!header.includes(r))
      issues.push({ where: 'line 1', field: r, expected: 'this column', got: 'no such column' });
  }
  if (records.length - 1 > MAX_TABLE_ROWS) {
    issues.push({
      where: 'file',
      field: '(rows)',
      expected: `at most ${MAX_TABLE_ROWS} rows`,
      got: String(records.length - 1),
    });
    return { rows: [], issues };
  }
  const rows = records.slice(1).map(({ record, info }) => {
    const row: TableRow = {};
    header.forEach((h, i) => {
      const v = record[i];
      if (v !== undefined && v !== '') row[h] = v;
    });
    if (record.length > header.length)
      issues.push({
        where: `line ${info.lines}`,
        field: '(columns)',
        expected: `${header.length} columns`,
        got: String(record.length),
      });
    return { line: info.lines, row };
  });
  return { rows, issues };
}
