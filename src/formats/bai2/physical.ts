/**
 * Splits a stream of latin1-decoded text into physical lines without ever holding the file:
 * LF, CRLF or CR-only line ends, a UTF-8 byte-order mark removed, and two layouts that have no usable
 * line ends at all:
 *  - fixed-length physical records (the BAI2 01 "physical record length", no newlines): every
 *    `width` characters are one physical line;
 *  - an over-long line (several records per line, no newlines): cut at a record boundary found by
 *    `findCut`, so memory stays bounded whatever the input.
 *
 * Performance note: each chunk is scanned as the flat string `Buffer#toString` returns. Chunks are
 * never concatenated with the carried-over tail (V8 keeps `a + b` as a rope, and indexOf/slice on a
 * rope leave the fast path: ten times slower); only the one line that straddles two chunks is joined.
 */
import { ParseError } from '../errors.js';

export interface LineSplitterOptions {
  fileName: string;
  onLine: (text: string, lineNumber: number) => void;
  /** Looks at the start of the file (BOM removed) and returns a fixed record width, or 0. */
  detectFixedWidth?: (head: string) => number;
  /** Index inside `text` where a new record starts and the text may be cut, or -1. */
  findCut?: (text: string) => number;
  maxLineChars?: number;
}

/** Enough of the file to see the header record and where the second physical record starts. */
const HEAD_CHARS = 4096;
const DEFAULT_MAX_LINE_CHARS = 4 * 1024 * 1024;
const LATIN1_BOM = '\u00ef\u00bb\u00bf';

export class LineSplitter {
  /** Text after the last line end seen: the start of a line not yet complete. */
  private carry = '';
  private head: string[] | null = [];
  private headLength = 0;
  private lineNumber = 0;
  private width = 0;
  private separator = '\n';
  /** True while the carry continues a line already partly emitted by a forced cut. */
  private continuing = false;
  private readonly maxLineChars: number;

  constructor(private readonly options: LineSplitterOptions) {
    this.maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  }

  push(chunk: string): void {
    if (chunk.length === 0) return;
    if (this.head !== null) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < HEAD_CHARS) return;
      chunk = this.start();
    }
    if (this.width > 0) this.splitFixed(chunk, false);
    else this.splitLines(chunk, false);
  }

  end(): void {
    const text = this.head !== null ? this.start() : '';
    if (this.width > 0) this.splitFixed(text, true);
    else this.splitLines(text, true);
  }

  get currentLine(): number {
    return this.lineNumber;
  }

  private start(): string {
    let body = flatten(this.head!.join(''));
    this.head = null;
    if (body.startsWith(LATIN1_BOM)) body = body.slice(LATIN1_BOM.length);
    else if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
    if (body.indexOf('\n') < 0 && body.indexOf('\r') >= 0) this.separator = '\r';
    this.width = this.options.detectFixedWidth?.(body) ?? 0;
    return body;
  }

  private splitLines(text: string, final: boolean): void {
    const separator = this.separator;
    let start = 0;
    if (this.carry.length > 0) {
      const nl = text.indexOf(separator);
      if (nl < 0) {
        this.carry = this.carry + text;
        if (final) this.finishCarry();
        else if (this.carry.length > this.maxLineChars) this.cutLongCarry();
        return;
      }
      const line = this.carry + text.slice(0, nl);
      this.carry = '';
      this.emit(stripCr(line));
      start = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf(separator, start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      this.emit(text.slice(start, end));
      start = nl + 1;
    }
    this.carry = start === 0 ? text : text.slice(start);
    if (final) this.finishCarry();
    else if (this.carry.length > this.maxLineChars) this.cutLongCarry();
  }

  private finishCarry(): void {
    const rest = stripCr(this.carry);
    this.carry = '';
    if (rest.length > 0 || this.continuing) this.emit(rest);
  }

  /** A line longer than the limit: emit it in parts cut at record boundaries, keep the tail. */
  private cutLongCarry(): void {
    let rest = flatten(this.carry);
    while (rest.length > this.maxLineChars) {
      const cut = this.options.findCut?.(rest) ?? -1;
      if (cut <= 0) {
        throw new ParseError(
          'line-too-long',
          {
            file: this.options.fileName,
            line: this.lineNumber + 1,
            expected: `a line end within ${this.maxLineChars} characters`,
          },
          'line too long and no record boundary found in it',
        );
      }
      this.emitPart(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    this.carry = rest;
  }

  private splitFixed(text: string, final: boolean): void {
    const width = this.width;
    let start = 0;
    if (this.carry.length > 0) {
      const need = width - this.carry.length;
      const nl = text.indexOf('\n');
      if (nl >= 0 && nl < need) {
        this.emit(stripCr(this.carry + text.slice(0, nl)));
        start = nl + 1;
      } else if (text.length >= need) {
        this.emit(this.carry + text.slice(0, need));
        start = need;
      } else {
        this.carry = this.carry + text;
        if (final) this.finishCarry();
        return;
      }
      this.carry = '';
    }
    for (;;) {
      const nl = text.indexOf('\n', start);
      const segmentEnd = nl < 0 ? text.length : nl;
      while (segmentEnd - start >= width) {
        this.emit(text.slice(start, start + width));
        start += width;
      }
      if (nl < 0) break;
      let end = segmentEnd;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      if (end > start) this.emit(text.slice(start, end));
      start = nl + 1;
    }
    this.carry = text.slice(start);
    if (final) this.finishCarry();
  }

  private emit(line: string): void {
    if (this.continuing) this.continuing = false;
    else this.lineNumber++;
    this.options.onLine(line, this.lineNumber);
  }

  private emitPart(part: string): void {
    if (!this.continuing) {
      this.lineNumber++;
      this.continuing = true;
    }
    this.options.onLine(part, this.lineNumber);
  }
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** A sequential (non-rope) copy of a string built by concatenation, for fast scanning. */
function flatten(text: string): string {
  return text.length < 256 ? text : Buffer.from(text, 'utf16le').toString('utf16le');
}
