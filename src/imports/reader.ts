import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { Parser, parse } from 'csv-parse';
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

/** The data rows of one chunk of a file: `records[i]` is on line `lines[i]`. */
export interface RowBatch {
  /** The file's header, trimmed and lower-cased (the same array for every batch of a file). */
  header: readonly string[];
  lines: number[];
  records: string[][];
}

/**
 * Streams a file as batches of rows, one batch per chunk read (128 KiB of CSV): the import's
 * fast path, with one async step per batch instead of one per row, and rows as arrays rather than
 * header-keyed objects. Lines are numbered exactly as `readRows` numbers them.
 */
export async function* readRowBatches(path: string, mapping: ImportMapping): AsyncIterable<RowBatch> {
  if (extname(path).toLowerCase() === '.xlsx') {
    yield* batchRows(readXlsx(path, mapping));
    return;
  }
  // Chunks of 128 KiB: a batch's rows are done with before many more are made, so they die young.
  const parser = createReadStream(path, { highWaterMark: 128 << 10 }).pipe(
    new BatchingParser({
      // One batch waiting (a stream option, passed through to the Transform; csv-parse's types list
      // only its own): the parser would otherwise run 16 batches (objects) ahead of the import, rows
      // held long enough to be promoted and then collected the slow way.
      readableHighWaterMark: 1,
      bom: true,
      delimiter: mapping.delimiter ?? ',',
      from_line: mapping.skip_rows + 1,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    } as ConstructorParameters<typeof Parser>[0]),
  );
  let header: string[] | null = null;
  for await (const chunk of parser as AsyncIterable<{ records: string[][]; lines: number[] }>) {
    let { records, lines } = chunk;
    if (header === null) {
      if (records.length === 0) continue;
      header = records[0]!.map(normalizeHeader);
      records = records.slice(1);
      lines = lines.slice(1);
    }
    if (records.length > 0) yield { header, lines, records };
  }
}

/** XLSX is read row by row (exceljs streams it so); grouped into batches for the same interface. */
async function* batchRows(rows: AsyncIterable<SourceRow>): AsyncIterable<RowBatch> {
  let header: string[] | null = null;
  let batch: RowBatch | null = null;
  for await (const row of rows) {
    if (header === null) header = Object.keys(row.values);
    batch ??= { header, lines: [], records: [] };
    batch.lines.push(row.line);
    batch.records.push(Object.values(row.values));
    if (batch.lines.length >= 10_000) {
      yield batch;
      batch = null;
    }
  }
  if (batch !== null) yield batch;
}

interface ParserInternals {
  state: { stop: boolean };
  api: {
    parse(
      buf: Buffer | undefined,
      end: boolean,
      push: (record: string[]) => void,
      close: () => void,
    ): Error | undefined;
  };
}

/**
 * csv-parse's stream parser, pushing one `{ records, lines }` per chunk instead of one object per
 * record. Its own `info: true` builds an info object per record (a copy of all counters), which
 * costs more than the parsing; the line a record ends on is read from the parser's counters
 * instead, at the moment the record is complete, which is the `info.lines` that option reports.
 * `_transform` and `_flush` are csv-parse's own (7.x), with only the push changed.
 */
class BatchingParser extends Parser {
  override _transform(buf: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    this.parseBatch(buf, false, callback);
  }

  override _flush(callback: (error?: Error | null) => void) {
    this.parseBatch(undefined, true, callback);
  }

  /** csv-parse's own body of both (7.x): a chunk, or the end, parsed into one pushed batch. */
  private parseBatch(buf: Buffer | undefined, end: boolean, callback: (error?: Error | null) => void) {
    const self = this as unknown as ParserInternals;
    if (self.state.stop === true) return;
    const batch = { records: [] as string[][], lines: [] as number[] };
    const info = this.info;
    let closed = false;
    const error = self.api.parse(
      buf,
      end,
      (record) => {
        batch.records.push(record);
        batch.lines.push(info.lines);
      },
      () => {
        closed = true;
        this.push(batch);
        this.push(null);
        // A transform's end() would end the writable side again after the input ended.
        if (!end) this.end();
        this.on('end', this.destroy);
      },
    );
    if (error !== undefined) {
      if (!end) self.state.stop = true;
    } else if (!closed && batch.records.length > 0) this.push(batch);
    callback(error);
  }
}

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
