/** Helpers for the camt tests: parse a string or buffer in chunks of a chosen size into a collected result. */
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseResult } from '../model.js';
import { parser } from './index.js';

async function* chunked(data: Buffer, chunkSize: number): AsyncIterable<Buffer> {
  for (let offset = 0; offset < data.length; offset += chunkSize)
    yield data.subarray(offset, offset + chunkSize);
}

export async function parseCamt(
  input: string | Buffer,
  options: Partial<ParseOptions> = {},
  chunkSize = 1 << 20,
): Promise<ParseResult> {
  const data = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const sink = new CollectingSink('camt');
  await parser.parse(chunked(data, chunkSize), { fileName: 'test.xml', ...options }, sink);
  return sink.result;
}

/** Parses and returns the ParseError; fails the test when the input is accepted or fails otherwise. */
export async function parseCamtError(
  input: string | Buffer,
  options: Partial<ParseOptions> = {},
  chunkSize = 1 << 20,
): Promise<ParseError> {
  try {
    await parseCamt(input, options, chunkSize);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw new Error(`expected a ParseError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ParseError, but the input was accepted');
}
