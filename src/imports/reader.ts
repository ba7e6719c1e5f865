import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { ImportMapping } from './mapping.js';

export interface SourceRow {
  /** 1-based line (CSV) or row (XLSX) number in the file, as a person would find it. */
  line: number;
  values: Record<string, string>;
}

/** Streams a CSV or XLSX file as header-keyed rows; header names are trimmed and lower-cased. */
export function readRows(path: string, mapping: ImportMapping): AsyncIterable<SourceRow> {
  const ext = extname(path).toLowerCase();
  return ext === '.xlsx' ? readXlsx(path, mapping) : readCsv(path, mapping);
}

const normalizeHeader = (h: string) => h.trim().toLowerCase();

async function* readCsv(path: string, mapping: ImportMapping): AsyncIterable<SourceRow> {
  const parser = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(
    parse({
      bom: true,
      delimiter: mapping.delimiter ?? ',',
      from_line: mapping.skip_rows + 1,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }),
  );
  let header: string[] | null = null;
  for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (header === null) {
      header = record.record.map(normalizeHeader);
      continue;
    }
    const values: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) values[header[i]!] = record.record[i] ?? '';
    yield { line: record.info.lines, values };
  }
}

async function* readXlsx(path: string, mapping: ImportMapping): AsyncIterable<SourceRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    sharedStrings: 'cache',
    styles: 'cache',
    worksheets: 'emit',
  });
  for await (const sheet of workbook) {
    const named = (sheet as unknown as { name?: string }).name;
    if (mapping.sheet && named !== mapping.sheet) continue;
    let header: string[] | null = null;
    for await (const row of sheet) {
      if (row.number <= mapping.skip_rows) continue;
      const cells = (row.values as unknown[]).slice(1).map(cellText);
      if (header === null) {
        header = cells.map(normalizeHeader);
        continue;
      }
      if (cells.every((c) => c === '')) continue;
      const values: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) values[header[i]!] = cells[i] ?? '';
      yield { line: row.number, values };
    }
    return;
  }
}

/** Cell values as the text a CSV would hold. Dates become YYYY-MM-DD; numbers keep their digits. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'object') {
    const v = value as { text?: string; result?: unknown; richText?: { text: string }[] };
    if (v.richText)
      return v.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if (v.result !== undefined) return cellText(v.result);
    if (v.text !== undefined) return String(v.text).trim();
  }
  return String(value).trim();
}

/**
 * XLSX stores numbers as doubles; an amount typed as 1234.56 comes back as the nearest double.
 * Its shortest round-trip text is the decimal a person typed, so that is what is parsed, never
 * the double itself.
 */
function numberText(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}
