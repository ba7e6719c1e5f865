/**
 * SWIFT MT940 (customer statement) and MT942 (interim transaction report) reader. Streams: lines are
 * assembled into fields, fields into messages, and every entry goes to the sink as soon as its :86:
 * is complete. See docs/formats/mt940.md for what is accepted and how fields map to the model.
 */
import { ParseError } from '../errors.js';
import type { FormatParser, ParseOptions, ParseSink } from '../model.js';
import { FieldAssembler } from './fields.js';
import { Mt940Reader } from './reader.js';
import { LineSplitter, LineTooLongError } from './text.js';

export { joinDetailLines } from './reader.js';

// A tag at a line start; up to two framing characters (SOH, STX, spaces) may precede it.
const TAG_20 = /(?:^|[\r\n]|\{4:)[^:\r\n]{0,2}:20:/;
const TAG_25 = /(?:^|[\r\n])[^:\r\n]{0,2}:25P?:/;
const TAG_BODY = /(?:^|[\r\n])[^:\r\n]{0,2}:(?:60[FM]|61|34F):/;
const ENVELOPE = /\{1:[^}]*\}\s*\{2:[IO]94[02]/;

/**
 * An MT940/MT942 has `:20:` and `:25:` field tags at line starts and a balance, statement line or
 * floor limit; or a SWIFT envelope whose application header names message type 940/942.
 */
export function sniffMt940(head: Buffer): boolean {
  const text = head.toString('latin1');
  if (ENVELOPE.test(text)) return true;
  return TAG_20.test(text) && TAG_25.test(text) && TAG_BODY.test(text);
}

async function parseMt940(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  sink: ParseSink,
): Promise<void> {
  const reader = new Mt940Reader(options, sink);
  const fields = new FieldAssembler(reader);
  const lines = new LineSplitter(fields);
  try {
    for await (const chunk of input) lines.write(chunk);
    lines.end();
    fields.end();
  } catch (error) {
    if (error instanceof LineTooLongError) {
      throw new ParseError(
        'structure',
        {
          file: options.fileName,
          line: error.lineNumber,
          expected: 'SWIFT lines of at most a few hundred characters',
        },
        'not an MT940 file: a line has no end',
        { cause: error },
      );
    }
    throw error;
  }
  reader.finish(lines.linesRead);
}

export const parser: FormatParser = {
  format: 'mt940',
  sniff: sniffMt940,
  parse: parseMt940,
};
