import type { FormatParser, ParseOptions, ParseSink } from '../model.js';
import { NachaReader } from './reader.js';
import { RECORD_LENGTH, RecordSplitter } from './records.js';

/** Lines up to this long are taken as one record with trailing blanks (moov's long-line.ach has 101). */
const MAX_SNIFF_LINE = RECORD_LENGTH + 16;

/**
 * A NACHA file starts with its file header: record type 1, a two-digit priority code, and record size 094,
 * blocking factor 10 and format code 1 in columns 35-40. The first line is one record (94 characters, give or
 * take trailing blanks) or, in a file without line breaks, a run of whole records.
 */
export function sniffNacha(head: Buffer): boolean {
  if (head.length < 40) return false;
  const start = head.toString('latin1', 0, 40);
  if (!/^1\d\d/.test(start) || start.slice(34, 40) !== '094101') return false;
  const newline = head.indexOf(10);
  if (newline < 0) return head.length % RECORD_LENGTH === 0 || head.length >= 4 * RECORD_LENGTH;
  const length = newline > 0 && head[newline - 1] === 13 ? newline - 1 : newline;
  return length <= MAX_SNIFF_LINE || length % RECORD_LENGTH === 0;
}

/** Streams a NACHA ACH file: one statement per batch, one entry per entry detail record. */
export async function parseNacha(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  sink: ParseSink,
): Promise<void> {
  const reader = new NachaReader(options, sink);
  const splitter = new RecordSplitter(options.fileName, (record, line) => reader.record(record, line));
  for await (const chunk of input) splitter.push(chunk);
  splitter.end();
  reader.finish(splitter.lastLine);
  const deviation = splitter.deviationWarning();
  if (deviation !== null) sink.warning(deviation);
}

export const parser: FormatParser = {
  format: 'nacha',
  sniff: sniffNacha,
  parse: parseNacha,
};
