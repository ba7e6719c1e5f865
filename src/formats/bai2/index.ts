/**
 * BAI2 (Cash Management Balance Reporting Specifications v2) and BTRS (ANSI X9.121, version 3)
 * reader. Streams: bytes -> physical lines (`physical.ts`) -> records with their 88 continuations
 * (`reader.ts`) -> one statement per 03 account, one entry per 16 detail. See docs/formats/bai2.md.
 */
import { isAscii } from 'node:buffer';
import type { FormatParser, ParseOptions, ParseSink } from '../model.js';
import { LineSplitter } from './physical.js';
import { Bai2Reader } from './reader.js';
import { FieldCursor, findRecordCut, recordCodeAt } from './records.js';

/**
 * Chunks are decoded in 64 KiB slices: Node turns a larger latin1 decode into an external string,
 * which costs ten times more per byte than a heap string.
 */
const DECODE_SLICE_BYTES = 64 * 1024;

const SNIFF_HEADER = /^01,[^,\r\n/]*,[^,\r\n/]*, *\d{6} *,/;

/** A BAI2 file starts (after an optional BOM and blank lines) with a 01 record: `01,sender,receiver,YYMMDD,`. */
export function sniffBai2(head: Buffer): boolean {
  let text = head.toString('latin1', 0, Math.min(head.length, 1024));
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  const start = text.search(/\S/);
  if (start < 0) return false;
  return SNIFF_HEADER.test(text.slice(start));
}

/**
 * Fixed-length physical records without line ends: the 01 header announces the physical record
 * length (field 7) and the next record code sits exactly that many characters in.
 */
export function detectFixedWidth(head: string): number {
  const start = head.search(/\S/);
  if (start < 0 || recordCodeAt(head, start) !== 1) return 0;
  const slash = head.indexOf('/', start);
  const firstLineEnd = indexOfLineEnd(head, start);
  const recordEnd = slash < 0 ? firstLineEnd : Math.min(slash, firstLineEnd);
  const fields = new FieldCursor().reset([head.slice(start + 3, recordEnd)]).all();
  const lengthText = (fields[5] ?? '').trim();
  if (!/^\d{2,4}$/.test(lengthText)) return 0;
  const width = Number.parseInt(lengthText, 10);
  if (width < 20 || firstLineEnd <= start + width) return 0;
  return recordCodeAt(head, start + width) >= 0 ? width : 0;
}

function indexOfLineEnd(text: string, from: number): number {
  const lf = text.indexOf('\n', from);
  const cr = text.indexOf('\r', from);
  if (lf < 0) return cr < 0 ? text.length : cr;
  return cr < 0 ? lf : Math.min(lf, cr);
}

export async function parseBai2(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  sink: ParseSink,
): Promise<void> {
  const reader = new Bai2Reader(options, sink);
  const lines = new LineSplitter({
    fileName: options.fileName,
    onLine: (text, lineNumber) => reader.line(text, lineNumber),
    detectFixedWidth,
    findCut: findRecordCut,
  });
  for await (const chunk of input) {
    for (let offset = 0; offset < chunk.length; offset += DECODE_SLICE_BYTES) {
      const slice = chunk.subarray(offset, Math.min(chunk.length, offset + DECODE_SLICE_BYTES));
      if (!reader.highBytes && !isAscii(slice)) reader.highBytes = true;
      lines.push(slice.toString('latin1'));
    }
  }
  lines.end();
  reader.end(lines.currentLine);
}

export const parser: FormatParser = {
  format: 'bai2',
  sniff: sniffBai2,
  parse: parseBai2,
};
