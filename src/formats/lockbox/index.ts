/**
 * Bank lockbox transmission reader (BAI lockbox format and bank variants described by a layout).
 * Streams: bytes -> physical lines -> records sliced by the layout -> one statement per deposit
 * batch, one entry per check, one remittance advice per check that lists invoices.
 * See docs/formats/lockbox.md.
 */
import { isAscii } from 'node:buffer';
import { LineSplitter } from '../bai2/physical.js';
import { checkTime, yymmddToIso } from '../bai2/values.js';
import type { FormatParser, ParseOptions, ParseSink } from '../model.js';
import { resolveLayout } from './layout.js';
import { LockboxReader } from './reader.js';

export { BAI_LOCKBOX_LAYOUT, type LockboxLayout } from './layout.js';

/** See bai2/index.ts: larger latin1 decodes become slow external strings. */
const DECODE_SLICE_BYTES = 64 * 1024;

/**
 * The BAI lockbox immediate address header: `1`, priority code (2 digits), destination (10),
 * origin (10), date YYMMDD, time HHMM and nothing after column 33, followed by a service (2) or
 * lockbox header (5) record. A NACHA file header has the same first 33 columns but continues with
 * the record size and blocking factor ("094101"), so it does not match.
 */
export function sniffLockbox(head: Buffer): boolean {
  let text = head.toString('latin1', 0, Math.min(head.length, 4096));
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  const lines = text
    .split(/\r?\n|\r/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');
  const header = lines[0];
  const next = lines[1];
  if (header === undefined || next === undefined) return false;
  if (!/^1\d\d[ -~]{20}\d{10}$/.test(header)) return false;
  if (yymmddToIso(header.slice(23, 29)) === null || checkTime(header.slice(29, 33)) !== 'ok') return false;
  return /^[25]\S/.test(next);
}

export async function parseLockbox(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  sink: ParseSink,
): Promise<void> {
  const layout = resolveLayout(options.mapping, options.fileName);
  const reader = new LockboxReader(layout, options, sink);
  const lines = new LineSplitter({
    fileName: options.fileName,
    onLine: (text, lineNumber) => reader.line(text, lineNumber),
    detectFixedWidth: () => layout.recordLength,
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
  format: 'lockbox',
  sniff: sniffLockbox,
  parse: parseLockbox,
};
