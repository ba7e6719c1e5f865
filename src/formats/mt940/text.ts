/**
 * Splits the byte stream into lines and calls back for each one synchronously (an async generator
 * per line would cost more than the parsing). Bytes are read as latin1 so nothing throws; a line with
 * bytes above 0x7F is decoded again: as UTF-8 when it is valid UTF-8, else as Windows-1252 (the
 * SWIFT X character set is ASCII; banks send UTF-8, Latin-1 or CP1252 umlauts).
 */
import { isAscii } from 'node:buffer';
import iconv from 'iconv-lite';

/** Receives the lines in order. */
export interface LineTarget {
  /** A line as text (decoded when it had bytes above 0x7F). */
  line(text: string, lineNumber: number): void;
  /**
   * A line of ASCII without `{`, given as `piece.slice(start, end)` without cutting it out: most lines are
   * a field tag and its value, and cutting only the value saves a string per line. Must act as `line` would.
   */
  plainLine(piece: string, start: number, end: number, lineNumber: number): void;
}

const HIGH_BYTE = /[\x80-\xff]/;
/**
 * Chunks are decoded in pieces of this size: a string of 1 MiB lands in V8's large-object space, a
 * fresh mapping per chunk, which costs more than the parsing on some hosts; 64 KiB strings do not.
 */
const PIECE_BYTES = 64 * 1024;
/** A line longer than this without a newline is not an MT940 file (guards memory on binary input). */
export const MAX_LINE_CHARS = 1 << 20;

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
  constructor(readonly lineNumber: number) {
    super(`line ${lineNumber} is longer than ${MAX_LINE_CHARS} characters`);
  }
}

export class LineSplitter {
  /** Start of a line whose end has not arrived yet, in pieces (joined once its newline arrives). */
  private carry: string[] = [];
  private carryLength = 0;
  private lineNumber = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly target: LineTarget) {}

  write(chunk: Buffer): void {
    for (let offset = 0; offset < chunk.length; offset += PIECE_BYTES) {
      const end = Math.min(chunk.length, offset + PIECE_BYTES);
      // A native check of the piece's bytes (still in cache for the decoding that follows) is much
      // cheaper than a regex over its text.
      const ascii = isAscii(chunk.subarray(offset, end));
      this.writeText(chunk.toString('latin1', offset, end), !ascii);
    }
  }

  /** Each piece is searched once: a long line arriving in tiny chunks is not rescanned (stays linear). */
  private writeText(piece: string, mayHaveHighBytes: boolean): void {
    let nl = piece.indexOf('\n');
    if (nl < 0) {
      this.carry.push(piece);
      this.carryLength += piece.length;
      if (this.carryLength > MAX_LINE_CHARS) throw new LineTooLongError(this.lineNumber + 1);
      return;
    }
    let start = 0;
    if (this.carry.length > 0) {
      this.carry.push(piece.slice(0, nl));
      this.emit(stripCr(this.carry.join('')), true);
      this.carry = [];
      this.carryLength = 0;
      start = nl + 1;
      nl = piece.indexOf('\n', start);
    }
    // The next `{` of the piece: lines before it cannot hold an envelope block.
    let brace = mayHaveHighBytes ? -1 : piece.indexOf('{', start);
    if (brace < 0) brace = piece.length;
    const target = this.target;
    while (nl >= 0) {
      const end = nl > start && piece.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (mayHaveHighBytes) this.emit(piece.slice(start, end), true);
      else if (brace < nl) {
        this.emit(piece.slice(start, end), false);
        brace = piece.indexOf('{', nl + 1);
        if (brace < 0) brace = piece.length;
      } else target.plainLine(piece, start, end, ++this.lineNumber);
      start = nl + 1;
      nl = piece.indexOf('\n', start);
    }
    if (start < piece.length) {
      this.carry.push(piece.slice(start));
      this.carryLength = piece.length - start;
    }
  }

  end(): void {
    if (this.carry.length > 0) {
      const last = stripCr(this.carry.join(''));
      this.carry = [];
      this.carryLength = 0;
      this.emit(last, true);
    }
  }

  get linesRead(): number {
    return this.lineNumber;
  }

  private emit(raw: string, mayHaveHighBytes: boolean): void {
    this.lineNumber++;
    let line = raw;
    if (mayHaveHighBytes && HIGH_BYTE.test(line)) line = this.decode(line);
    this.target.line(line, this.lineNumber);
  }

  private decode(latin1: string): string {
    const bytes = Buffer.from(latin1, 'latin1');
    try {
      return this.utf8.decode(bytes);
    } catch {
      return iconv.decode(bytes, 'win1252');
    }
  }
}
