import { ParseError } from '../errors.js';
import type { FormatParser, ParseOptions, ParseSink } from '../model.js';
import { X12820Reader } from './reader.js';
import { type X12Delimiters, X12Tokenizer } from './tokenizer.js';

export type { X12Adjustment, X12Date, X12Entity, X12Party, X12Reference } from './reader.js';

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isWhitespaceByte(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

const HIGH_BYTE = /[\x80-\xff]/;
const PIECE_BYTES = 64 * 1024;

/**
 * UTF-8 decoding with an ASCII fast path: X12 data is ASCII in practice, and a latin1 view of an ASCII chunk
 * is the same text at a fraction of the cost. Chunks with other bytes (a BOM, accented names) go through a
 * streaming TextDecoder, which also drops a leading BOM.
 */
class Utf8Chunks {
  private readonly decoder = new TextDecoder('utf-8');
  private streaming = false;

  decode(chunk: Buffer): string {
    const latin1 = chunk.toString('latin1');
    if (HIGH_BYTE.test(latin1)) {
      this.streaming = true;
      return this.decoder.decode(chunk, { stream: true });
    }
    if (!this.streaming) return latin1;
    this.streaming = false;
    return this.decoder.decode() + latin1;
  }

  flush(): string {
    return this.streaming ? this.decoder.decode() : '';
  }
}

/** An X12 interchange (ISA after an optional BOM and whitespace) that carries an ST*820 transaction set. */
export function sniffX12820(head: Buffer): boolean {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && isWhitespaceByte(head[i] as number)) i++;
  if (head.length < i + 4 || head.toString('latin1', i, i + 3) !== 'ISA') return false;
  const separator = head[i + 3] as number;
  if (isAsciiAlphanumeric(separator) || isWhitespaceByte(separator)) return false;
  const sep = String.fromCharCode(separator);
  return head.toString('latin1').includes(`ST${sep}820${sep}`);
}

/** Streams X12 820 files (one or more interchanges, groups and transaction sets) into remittance advices. */
export async function parseX12820(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  sink: ParseSink,
): Promise<void> {
  const reader = new X12820Reader({ fileName: options.fileName, lenient: options.lenient ?? false }, sink);
  const tokenizer = new X12Tokenizer(
    { fileName: options.fileName, warn: (w) => sink.warning(w) },
    (segment) => reader.segment(segment),
  );
  const decoder = new Utf8Chunks();
  for await (const chunk of input) {
    // 64 KiB strings stay in V8's young generation; 1 MiB ones are costly large objects.
    for (let offset = 0; offset < chunk.length; offset += PIECE_BYTES) {
      tokenizer.push(decoder.decode(chunk.subarray(offset, offset + PIECE_BYTES)));
    }
  }
  tokenizer.push(decoder.flush());
  tokenizer.end();
  reader.finish(tokenizer.currentLine);
}

export interface X12TextOptions {
  fileName: string;
  lenient?: boolean;
  /** Line of the enclosing file where the text starts (CTX addenda): errors and warnings report it. */
  line?: number;
}

/**
 * Delimiters of a bare `ST*820*…` transaction set (CTX addenda often carry no ISA): the element separator
 * follows `ST`, and the terminator is the first other punctuation after the ST segment's control number.
 */
function bareDelimiters(text: string, options: X12TextOptions): X12Delimiters {
  const element = text.charAt(2);
  for (let i = 3; i < Math.min(text.length, 64); i++) {
    const c = text.charCodeAt(i);
    const char = text.charAt(i);
    if (!isAsciiAlphanumeric(c) && c !== 32 && char !== element) {
      return { element, component: element === ':' ? '>' : ':', segment: char, repetition: null };
    }
  }
  throw new ParseError(
    'syntax',
    {
      file: options.fileName,
      line: options.line ?? 1,
      field: 'ST',
      expected: 'an ST segment followed by a segment terminator',
    },
    'unreadable X12 transaction set',
  );
}

/**
 * Parses an 820 held in a string: a full ISA…IEA interchange, or a bare ST…SE transaction set (as NACHA CTX
 * addenda carry it). Remittance advices and warnings go to `sink`; returns how many advices were read.
 */
export function parseX12820Text(text: string, options: X12TextOptions, sink: ParseSink): number {
  const body = text.replace(/^[\s\uFEFF]+/, '');
  const bare = body.startsWith('ST') && body.length > 2 && !isAsciiAlphanumeric(body.charCodeAt(2));
  const reader = new X12820Reader(
    { fileName: options.fileName, lenient: options.lenient ?? false, bare },
    sink,
  );
  const tokenizer = new X12Tokenizer(
    { fileName: options.fileName, lineOffset: (options.line ?? 1) - 1, warn: (w) => sink.warning(w) },
    (segment) => reader.segment(segment),
    bare ? bareDelimiters(body, options) : null,
  );
  tokenizer.push(body);
  tokenizer.end();
  reader.finish(tokenizer.currentLine);
  return reader.remittanceCount;
}

export const parser: FormatParser = {
  format: 'x12-820',
  sniff: sniffX12820,
  parse: parseX12820,
};
