/** Test helpers for the MT940 and OFX readers: parse an in-memory file in chunks of a given size. */
import { CollectingSink } from '../collect.js';
import type { FormatParser, ParseOptions, ParseResult } from '../model.js';

export async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Joins lines with CRLF (SWIFT files are CRLF) and parses them. */
export function swift(...lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}

export async function parseWith(
  parser: FormatParser,
  input: Buffer | string,
  options: Partial<ParseOptions> = {},
  chunkSize = 1 << 16,
): Promise<ParseResult> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const sink = new CollectingSink(parser.format);
  await parser.parse(chunksOf(bytes, chunkSize), { fileName: 'test.sta', ...options }, sink);
  return sink.result;
}

/** The rejection of a parse (fails the test when the parse succeeds). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; location?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the parse to be rejected');
}
