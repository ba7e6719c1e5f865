/**
 * Splits the byte stream into lines and calls back for each one synchronously (an async generator
 * per line would cost more than the parsing). Bytes are read as latin1 so nothing throws; a line with
 * bytes above 0x7F is decoded again: as UTF-8 when it is valid UTF-8, else as Windows-1252 (the
 * SWIFT X character set is ASCII; banks send UTF-8, Latin-1 or CP1252 umlauts).
 */
import iconv from 'iconv-lite';

export type LineHandler = (text: string, lineNumber: number) => void;

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

  constructor(private readonly onLine: LineHandler) {}

  write(chunk: Buffer): void {
    for (let offset = 0; offset < chunk.length; offset += PIECE_BYTES) {
      this.writeText(chunk.toString('latin1', offset, Math.min(chunk.length, offset + PIECE_BYTES)));
    }
  }

  /** Each piece is searched once: a long line arriving in tiny chunks is not rescanned (stays linear). */
  private writeText(piece: string): void {
    let nl = piece.indexOf('\n');
    if (nl < 0) {
      this.carry.push(piece);
      this.carryLength += piece.length;
      if (this.carryLength > MAX_LINE_CHARS) throw new LineTooLongError(this.lineNumber + 1);
      return;
    }
    const mayHaveHighBytes = HIGH_BYTE.test(piece);
    let start = 0;
    if (this.carry.length > 0) {
      this.carry.push(piece.slice(0, nl));
      this.emit(stripCr(this.carry.join('')), true);
      this.carry = [];
      this.carryLength = 0;
      start = nl + 1;
      nl = piece.indexOf('\n', start);
    }
    while (nl >= 0) {
      const end = nl > start && piece.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.emit(piece.slice(start, end), mayHaveHighBytes);
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
    this.onLine(line, this.lineNumber);
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
