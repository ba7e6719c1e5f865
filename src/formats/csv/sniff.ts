/**
 * Recognizes bank exports: XLSX (a zip with `xl/` parts) and delimited text whose first lines split into
 * the same number of fields. CSV is sniffed last, so this is permissive, but it never claims binary, XML,
 * JSON or text without a consistent table.
 */
import iconv from 'iconv-lite';
import { guessCharset } from './charset.js';
import { assignRoles, isHeaderRow } from './columns.js';
import { CsvSplitter, CsvSyntaxError } from './splitter.js';

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Lines of the head used for delimiter detection. */
const SAMPLE_LINES = 60;

export interface DelimiterGuess {
  delimiter: string;
  /** The most frequent field count (>= 2). */
  fields: number;
  /** Records with that many fields. */
  consistent: number;
  /** Non-blank records looked at. */
  records: number;
  /** A consistent record contains a digit (tables of transactions do). */
  digits: boolean;
  /** A record reads as a bank-statement header (date and amount columns). */
  header: boolean;
}

export function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

export function isXlsxHead(head: Buffer): boolean {
  return isZip(head) && head.includes('xl/', 0, 'latin1');
}

/** The first `SAMPLE_LINES` lines of the text (a quoted line break may cut a record: it is only a sample). */
function sample(text: string): string {
  let at = -1;
  for (let i = 0; i < SAMPLE_LINES; i++) {
    const next = text.indexOf('\n', at + 1);
    if (next < 0) return text;
    at = next;
  }
  return text.slice(0, at + 1);
}

function guessFor(text: string, delimiter: string, complete: boolean): DelimiterGuess | null {
  const counts = new Map<number, number>();
  const rows: string[][] = [];
  const splitter = new CsvSplitter(delimiter, (cells) => {
    if (cells.length === 1 && cells[0]!.trim().length === 0) return;
    rows.push(cells);
    counts.set(cells.length, (counts.get(cells.length) ?? 0) + 1);
  });
  try {
    const consumed = splitter.push(text, false);
    // The last line of a complete head has no line break; an unfinished quote there is the parser's business.
    if (complete && consumed < text.length) splitter.push(text.slice(consumed), true);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    if (!complete || rows.length === 0 || !/closing quote before the end/.test(error.expected)) return null;
  }
  let fields = 0;
  let consistent = 0;
  for (const [count, times] of counts) {
    if (count >= 2 && (times > consistent || (times === consistent && count > fields))) {
      fields = count;
      consistent = times;
    }
  }
  if (consistent === 0) return null;
  const table = rows.filter((r) => r.length === fields);
  return {
    delimiter,
    fields,
    consistent,
    records: rows.length,
    digits: table.some((r) => r.some((c) => /\d/.test(c))),
    header: rows.some((r) => isHeaderRow(assignRoles(r))),
  };
}

/**
 * The delimiter under which a line reads as a bank-statement header; else (and on a tie) the one whose field
 * count is the same on most lines (preamble lines differ); then the one with more fields; then `,` `;` tab `|`.
 */
export function detectDelimiter(text: string, complete = false): DelimiterGuess | null {
  const head = sample(text);
  const isComplete = complete && head.length === text.length;
  let best: DelimiterGuess | null = null;
  for (const delimiter of DELIMITERS) {
    const guess = guessFor(head, delimiter, isComplete);
    if (guess === null) continue;
    if (best === null || better(guess, best)) {
      best = guess;
    }
  }
  return best;
}

function better(a: DelimiterGuess, b: DelimiterGuess): boolean {
  if (a.header !== b.header) return a.header;
  if (a.consistent !== b.consistent) return a.consistent > b.consistent;
  return a.fields > b.fields;
}

/** Text of the head for sniffing, or null for binary content. */
function headText(head: Buffer): string | null {
  const { charset, bomLength } = guessCharset(head);
  if (charset === 'utf-16le' || charset === 'utf-16be')
    return iconv.decode(head.subarray(bomLength), charset);
  const body = head.subarray(bomLength);
  const probe = body.subarray(0, 8192);
  for (let i = 0; i < probe.length; i++) {
    const byte = probe[i]!;
    if (byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 13 && byte !== 0x1a) return null;
  }
  return body.toString('latin1');
}

export function sniffCsv(head: Buffer): boolean {
  if (head.length === 0) return false;
  if (isZip(head)) return isXlsxHead(head);
  const text = headText(head);
  if (text === null) return false;
  const first = text.trimStart().charAt(0);
  if (first === '<' || first === '{' || first === '[' || text.startsWith('%PDF')) return false;
  const complete = head.length < 64 * 1024;
  const guess = detectDelimiter(text, complete);
  if (guess === null || guess.consistent < 2) return false;
  return guess.header || (guess.digits && guess.consistent * 2 >= guess.records);
}
