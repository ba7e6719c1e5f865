/** Helpers for the CSV/XLSX reader tests: parse a string or bytes, in chunks of any size. */
import { CollectingSink } from '../collect.js';
import type { ParseOptions, ParseResult } from '../model.js';
import { parser } from './index.js';

export async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

export interface RunOptions extends Partial<ParseOptions> {
  /** Bytes per chunk handed to the parser (default: all at once). */
  chunkSize?: number;
}

export async function parseBytes(bytes: Buffer, options: RunOptions = {}): Promise<ParseResult> {
  const { chunkSize, ...rest } = options;
  const sink = new CollectingSink('csv');
  await parser.parse(
    chunked(bytes, chunkSize ?? Math.max(1, bytes.length)),
    { fileName: 'test.csv', ...rest },
    sink,
  );
  return sink.result;
}

export function parseText(text: string, options: RunOptions = {}): Promise<ParseResult> {
  return parseBytes(Buffer.from(text, 'utf8'), options);
}

/** The amounts of every entry of every statement, in order. */
export function amounts(result: ParseResult): string[] {
  return result.statements.flatMap((s) => s.entries.map((e) => e.amount));
}
