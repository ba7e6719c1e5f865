/**
 * Splits CSV text into records. The text is the file's bytes read as latin1 (one character per byte), so
 * an index in the text is an index in the bytes and the caller can keep the unfinished tail as bytes.
 *
 * Fast path: a line without a quote character is split with the native `String.prototype.split`.
 * A record with quotes is read by a small state machine with RFC 4180 / csv-parse semantics: a quoted
 * field may hold delimiters, line breaks and doubled quotes; after the closing quote only a delimiter or
 * the end of the line may follow. A quote inside an unquoted field is kept as a character (csv-parse's
 * `relax_quotes`), because bank descriptions contain `12" pipe`.
 */

import { isAscii } from 'node:buffer';

export type RowHandler = (cells: string[], line: number) => void;

/** Decodes text with a non-ASCII byte: a field read as latin1, or a range of the text (and of its bytes). */
export interface TextDecoding {
  decodeRaw(raw: string): string;
  decodeRange(text: string, start: number, end: number, firstHigh: number, bytes: Buffer | null): string;
}

/** Why a record cannot be read: the caller turns it into a ParseError with the file name. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`CSV syntax error at line ${line}: expected ${expected}`);
  }
}

const LF = 10;
const CR = 13;
const INCOMPLETE = -1;

export class CsvSplitter {
  /** Number of the last line handed out (1-based physical lines). */
  private line = 0;
  private readonly quoteCode: number;
  private readonly delimiterCode: number;

  private readonly highBytes = /[\u0080-\u00ff]/g;
  /** The next line feed at or after the current field (cached across the fields of a record; reset per push). */
  private nextLf = -1;

  /**
   * `decode`, when given, turns lines and fields with non-ASCII bytes into text (UTF-8, Windows-1252…);
   * lines of pure ASCII are handed out as they are. The delimiter and quote are ASCII, so decoding a whole
   * line before splitting it is safe in every supported charset.
   */
  constructor(
    private readonly delimiter: string,
    private readonly onRow: RowHandler,
    private readonly quote = '"',
    private readonly decoding: TextDecoding | null = null,
  ) {
    this.quoteCode = quote.charCodeAt(0);
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /** The line where the next record starts. */
  get nextLine(): number {
    return this.line + 1;
  }

  /**
   * Hands out every complete record of `text` and returns the index where the unfinished last record
   * begins (text.length when none). With `final`, the end of the text ends the last record.
   */
  push(text: string, final: boolean, bytes: Buffer | null = null): number {
    const n = text.length;
    const quote = this.quote;
    let nextQuote = text.indexOf(quote);
    if (nextQuote < 0) nextQuote = n;
    this.nextLf = -1;
    const decoding = this.decoding;
    // isAscii (SIMD) settles most chunks at once; the regex finds non-ASCII bytes in the others.
    let nextHigh = decoding === null || (bytes !== null && isAscii(bytes)) ? n : this.findHigh(text, 0);
    let pos = 0;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) return pos;
        nl = n;
      }
      if (nextQuote < pos) {
        nextQuote = text.indexOf(quote, pos);
        if (nextQuote < 0) nextQuote = n;
      }
      if (nextHigh < pos) nextHigh = this.findHigh(text, pos);
      if (nextQuote >= nl) {
        const end = nl > pos && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
        this.line++;
        let line: string;
        if (nextHigh >= end) line = text.slice(pos, end);
        else line = decoding!.decodeRange(text, pos, end, nextHigh, bytes);
        this.onRow(line.split(this.delimiter), this.line);
        pos = nl + 1;
        continue;
      }
      const next = this.quotedRecord(text, pos, final, nextHigh);
      if (next === INCOMPLETE) return pos;
      pos = next;
    }
    return n;
  }

  /** Index of the next non-ASCII byte at or after `from` (text.length when none). */
  private findHigh(text: string, from: number): number {
    const pattern = this.highBytes;
    pattern.lastIndex = from;
    const match = pattern.exec(text);
    return match === null ? text.length : match.index;
  }

  /** Reads one record that contains a quote character; returns the index after it, or INCOMPLETE. */
  private quotedRecord(text: string, start: number, final: boolean, nextHigh: number): number {
    const n = text.length;
    const cells: string[] = [];
    let pos = start;
    for (;;) {
      if (pos < n && text.charCodeAt(pos) === this.quoteCode) {
        const end = this.quotedField(text, start, pos, final, cells);
        if (end === INCOMPLETE) return INCOMPLETE;
        pos = end;
      } else {
        pos = this.unquotedField(text, pos, final, cells);
        if (pos === INCOMPLETE) return INCOMPLETE;
      }
      // pos is at a delimiter, a line end or the end of the text.
      if (pos < n && text.charCodeAt(pos) === this.delimiterCode) {
        pos++;
        continue;
      }
      if (nextHigh < pos) this.decodeCells(cells);
      return this.endRecord(text, start, pos, cells);
    }
  }

  private decodeCells(cells: string[]): void {
    const decoding = this.decoding!;
    const pattern = this.highBytes;
    for (let i = 0; i < cells.length; i++) {
      pattern.lastIndex = 0;
      if (pattern.test(cells[i]!)) cells[i] = decoding.decodeRaw(cells[i]!);
    }
  }

  private endRecord(text: string, start: number, pos: number, cells: string[]): number {
    let next = pos;
    if (next < text.length && text.charCodeAt(next) === CR) next++;
    if (next < text.length && text.charCodeAt(next) === LF) next++;
    this.line++;
    const firstLine = this.line;
    this.line += countLineFeeds(text, start, pos);
    this.onRow(cells, firstLine);
    return next;
  }

  private unquotedField(text: string, pos: number, final: boolean, cells: string[]): number {
    const n = text.length;
    if (this.nextLf < pos) {
      this.nextLf = text.indexOf('\n', pos);
      if (this.nextLf < 0) this.nextLf = n;
    }
    let end = text.indexOf(this.delimiter, pos);
    if (end < 0 || end > this.nextLf) end = this.nextLf;
    if (end >= n && !final) return INCOMPLETE;
    const valueEnd =
      end > pos && text.charCodeAt(end - 1) === CR && (end >= n || text.charCodeAt(end) === LF)
        ? end - 1
        : end;
    cells.push(text.slice(pos, valueEnd));
    return valueEnd;
  }

  /** A field that opens with a quote: doubled quotes are one quote; returns the index after the closing quote. */
  private quotedField(
    text: string,
    recordStart: number,
    open: number,
    final: boolean,
    cells: string[],
  ): number {
    const n = text.length;
    let value = '';
    let from = open + 1;
    for (;;) {
      const close = text.indexOf(this.quote, from);
      if (close < 0) {
        if (final) throw this.unterminated(text, recordStart, open);
        return INCOMPLETE;
      }
      if (close + 1 >= n && !final) return INCOMPLETE;
      if (close + 1 < n && text.charCodeAt(close + 1) === this.quoteCode) {
        value += text.slice(from, close + 1);
        from = close + 2;
        continue;
      }
      value += text.slice(from, close);
      const after = close + 1;
      if (!this.checkAfterClosingQuote(text, recordStart, after, final)) return INCOMPLETE;
      cells.push(value);
      return after;
    }
  }

  /** After a closing quote: a delimiter, LF, CRLF or the end of the file. Returns false when more text is needed. */
  private checkAfterClosingQuote(text: string, recordStart: number, after: number, final: boolean): boolean {
    if (after >= text.length) return true;
    const code = text.charCodeAt(after);
    if (code === this.delimiterCode || code === LF) return true;
    if (code === CR) {
      if (after + 1 >= text.length) return final;
      if (text.charCodeAt(after + 1) === LF) return true;
    }
    throw new CsvSyntaxError(
      this.line + 1 + countLineFeeds(text, recordStart, after),
      `a delimiter ${JSON.stringify(this.delimiter)} or the end of the line after a closing quote`,
      text.slice(Math.max(recordStart, after - 20), Math.min(text.length, after + 10)),
    );
  }

  private unterminated(text: string, recordStart: number, open: number): CsvSyntaxError {
    return new CsvSyntaxError(
      this.line + 1 + countLineFeeds(text, recordStart, open),
      'a closing quote before the end of the file',
      text.slice(open, Math.min(text.length, open + 40)),
    );
  }
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf('\n', from);
  while (at >= 0 && at < to) {
    count++;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}
