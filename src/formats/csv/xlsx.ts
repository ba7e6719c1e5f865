/**
 * Streams an XLSX bank export with exceljs's streaming WorkbookReader: the first sheet (or the one the
 * mapping names) goes row by row through the same row reader as CSV.
 *
 * Numbers: XLSX stores numbers as decimal text, which exceljs hands over as JS numbers. `String(n)` gives
 * back the shortest decimal that is the same double, i.e. the text written in the file whenever it has at
 * most 15 significant digits; we round to 15 significant digits (Excel's own precision) with string
 * arithmetic so `1234.5599999999999` reads as `1234.56`. No arithmetic on amounts is done in floating point.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseSink } from '../model.js';
import type { BankCsvMapping } from './mapping.js';
import { RowReader } from './rows.js';

const SIGNIFICANT_DIGITS = 15;

/** `1.5e-7` -> `0.00000015`, `1234.5599999999999` -> `1234.56`: an exact decimal string for an XLSX number. */
export function excelNumberToDecimal(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) return null;
  const sign = match[1]!;
  const digits = match[2]! + (match[3] ?? '');
  const exponent = Number.parseInt(match[4] ?? '0', 10);
  const point = match[2]!.length + exponent;
  const rounded = roundSignificant(digits, point);
  return formatDigits(sign, rounded.digits, rounded.point);
}

/** Rounds a digit string (decimal point after `point` digits) half-up to SIGNIFICANT_DIGITS significant digits. */
function roundSignificant(digits: string, point: number): { digits: string; point: number } {
  let lead = 0;
  while (lead < digits.length - 1 && digits[lead] === '0') lead++;
  const keep = lead + SIGNIFICANT_DIGITS;
  if (digits.length <= keep) return { digits, point };
  let head = digits.slice(0, keep);
  if (digits.charCodeAt(keep) >= 53 /* '5' */) head = incrementDigits(head);
  if (head.length > keep) return { digits: head, point: point + 1 };
  return { digits: head, point };
}

function incrementDigits(digits: string): string {
  const out = digits.split('');
  let i = out.length - 1;
  while (i >= 0) {
    if (out[i] === '9') {
      out[i] = '0';
      i--;
    } else {
      out[i] = String.fromCharCode(out[i]!.charCodeAt(0) + 1);
      return out.join('');
    }
  }
  return `1${out.join('')}`;
}

function formatDigits(sign: string, digits: string, point: number): string {
  let whole: string;
  let fraction: string;
  if (point <= 0) {
    whole = '0';
    fraction = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    whole = digits + '0'.repeat(point - digits.length);
    fraction = '';
  } else {
    whole = digits.slice(0, point);
    fraction = digits.slice(point);
  }
  whole = whole.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  const zero = /^0*$/.test(whole) && fraction.length === 0;
  return `${zero ? '' : sign}${whole}${fraction.length > 0 ? `.${fraction}` : ''}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

interface CellText {
  text: string;
  numeric: boolean;
}

/** One cell as text: strings as they are, numbers exact, dates as YYYY-MM-DD, formulas by their result. */
export function cellText(value: unknown): CellText {
  if (value === null || value === undefined) return { text: '', numeric: false };
  if (typeof value === 'string') return { text: value, numeric: false };
  if (typeof value === 'number') {
    const text = excelNumberToDecimal(value);
    return text === null ? { text: String(value), numeric: false } : { text, numeric: true };
  }
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE', numeric: false };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { text: '', numeric: false };
    const text = `${value.getUTCFullYear()}-${pad2(value.getUTCMonth() + 1)}-${pad2(value.getUTCDate())}`;
    return { text, numeric: false };
  }
  if (typeof value === 'object') return objectCellText(value as Record<string, unknown>);
  return { text: String(value), numeric: false };
}

function objectCellText(value: Record<string, unknown>): CellText {
  if (Array.isArray(value.richText)) {
    const text = (value.richText as { text?: unknown }[]).map((part) => String(part.text ?? '')).join('');
    return { text, numeric: false };
  }
  if ('result' in value || 'formula' in value || 'sharedFormula' in value) return cellText(value.result);
  if ('text' in value) return cellText(value.text);
  if ('error' in value) return { text: String(value.error), numeric: false };
  return { text: '', numeric: false };
}

/** `B` for index 1: the column letters of a 0-based index, for error locations. */
export function columnLetters(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name?: string;
}

function selects(sheet: string | number | undefined, name: string, position: number): boolean {
  if (sheet === undefined) return position === 0;
  if (typeof sheet === 'number') return sheet === position;
  return sheet.trim().toLowerCase() === name.trim().toLowerCase();
}

/**
 * exceljs's streaming reader now and then (2 reads of the same bytes in 300 on a loaded machine)
 * fails on a missing workbook model ("reading 'sheets'") when it comes to the worksheets it
 * deferred, as if it had not read the workbook part, before giving a single row. The cause in its
 * stream handling was not found; such a read is tried again from the kept bytes.
 */
const XLSX_ATTEMPTS = 3;
/** Files up to this size are kept in memory so that a failed read can be tried again. */
const XLSX_RETRY_MAX_BYTES = 64 * 1024 * 1024;

const isDeferredSheetRace = (error: unknown): boolean =>
  error instanceof ParseError &&
  error.cause instanceof TypeError &&
  error.cause.message.includes("reading 'sheets'");

export async function parseXlsx(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  mapping: BankCsvMapping | null,
  sink: ParseSink,
): Promise<void> {
  const { kept, rest } = await keepUpTo(input, XLSX_RETRY_MAX_BYTES);
  if (rest !== null) return parseXlsxOnce(chained(kept, rest), options, mapping, sink);
  for (let attempt = 1; ; attempt++) {
    try {
      return await parseXlsxOnce(chained(kept, null), options, mapping, sink);
    } catch (error) {
      if (attempt >= XLSX_ATTEMPTS || !isDeferredSheetRace(error)) throw error;
    }
  }
}

/** The input's chunks up to `maxBytes` and, past them, the rest of the input (null: none). */
async function keepUpTo(
  input: AsyncIterable<Buffer>,
  maxBytes: number,
): Promise<{ kept: Buffer[]; rest: AsyncIterator<Buffer> | null }> {
  const iterator = input[Symbol.asyncIterator]();
  const kept: Buffer[] = [];
  let bytes = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { kept, rest: null };
    kept.push(next.value);
    bytes += next.value.length;
    if (bytes > maxBytes) return { kept, rest: iterator };
  }
}

async function* chained(kept: readonly Buffer[], rest: AsyncIterator<Buffer> | null): AsyncGenerator<Buffer> {
  yield* kept;
  if (rest === null) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function parseXlsxOnce(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  mapping: BankCsvMapping | null,
  sink: ParseSink,
): Promise<void> {
  const stream = Readable.from(input);
  const names: string[] = [];
  let found = false;
  try {
    const workbook = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      worksheets: 'emit',
      entries: 'ignore',
    });
    let position = 0;
    for await (const worksheet of workbook as AsyncIterable<SheetReader>) {
      const name = worksheet.name ?? `Sheet${position + 1}`;
      names.push(name);
      if (!selects(mapping?.sheet, name, position++)) {
        for await (const _row of worksheet) {
          // Other sheets are read past: the zip is a single stream.
        }
        continue;
      }
      found = true;
      await readSheet(worksheet, name, options, mapping, sink);
      break;
    }
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw new ParseError(
      'xlsx',
      { file: options.fileName, expected: 'an XLSX workbook (Office Open XML spreadsheet)' },
      `not a readable XLSX workbook: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    stream.destroy();
  }
  if (!found) {
    throw new ParseError(
      'sheet',
      {
        file: options.fileName,
        field: 'sheet',
        expected: `a sheet named or numbered ${JSON.stringify(mapping?.sheet ?? 0)}`,
        found: names.join(', '),
      },
      names.length === 0
        ? 'the workbook has no worksheet'
        : 'the mapping names a sheet the workbook does not have',
    );
  }
}

async function readSheet(
  worksheet: SheetReader,
  name: string,
  options: ParseOptions,
  mapping: BankCsvMapping | null,
  sink: ParseSink,
): Promise<void> {
  const reader = new RowReader({
    fileName: options.fileName,
    strict: options.strict === true,
    mapping,
    sink,
    delimiter: null,
    locate: (line, column) => ({ line, path: `${name}!${columnLetters(column)}${line}` }),
    extras: { sheet: name },
  });
  for await (const row of worksheet) {
    const values = row.values as unknown[];
    const cells: string[] = [];
    const numeric: boolean[] = [];
    for (let i = 1; i < values.length; i++) {
      const cell = cellText(values[i]);
      cells.push(cell.text);
      numeric.push(cell.numeric);
    }
    reader.row(cells, row.number, numeric);
  }
  reader.finish();
}
