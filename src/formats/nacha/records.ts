import { isAscii } from 'node:buffer';
import { ParseError } from '../errors.js';
import type { ParseWarning } from '../model.js';

export const RECORD_LENGTH = 94;

/** Lines longer than this without a line break are read as consecutive 94-character records as they arrive. */
const UNBROKEN_FLUSH_LENGTH = RECORD_LENGTH * 256;

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTER = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/;
const HIGH_BYTE = /[\x80-\xff]/;
/** Chunks are turned into strings this many bytes at a time. */
const PIECE_BYTES = 64 * 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: Ctrl-Z is the DOS end-of-file marker.
const EOF_MARKER_LINE = /^[\x1a\s]*$/;

export type RecordHandler = (record: string, line: number) => void;

interface Deviations {
  shortLines: number;
  longLines: number;
  firstShortLine: number;
  firstLongLine: number;
}

/**
 * Cuts a NACHA byte stream into 94-character records without holding the file. Accepts CRLF or LF line
 * breaks, files with no line breaks at all (records cut every 94 characters, also streamed), lines whose
 * trailing blanks were stripped (padded back with spaces) or that carry trailing whitespace, and a DOS EOF
 * (Ctrl-Z) line. Rejects control characters inside records and lines that are neither.
 *
 * `line` is the physical line number; in a file without line breaks it is the record's ordinal (the
 * line the record would be on), so errors stay meaningful.
 */
export class RecordSplitter {
  private carry = '';
  private carrySpecial = false;
  private physicalLine = 0;
  private recordOrdinal = 0;
  /** The current physical line is being cut into records before its line break arrived. */
  private unbroken = false;
  private unbrokenSeen = false;
  private readonly deviations: Deviations = {
    shortLines: 0,
    longLines: 0,
    firstShortLine: 0,
    firstLongLine: 0,
  };

  constructor(
    private readonly fileName: string,
    private readonly onRecord: RecordHandler,
  ) {}

  push(chunk: Buffer): void {
    // Only lines of a chunk with bytes >= 0x80 need the slow path (decoding); control characters are
    // refused where fields are read (see fields.ts `text`), or here for lines that are not 94 long.
    const special = !isAscii(chunk);
    for (let offset = 0; offset < chunk.length; offset += PIECE_BYTES) {
      // 64 KiB strings live in V8's young generation; 1 MiB ones go to large-object space and cost ten
      // times as much to create and collect.
      this.pushText(chunk.toString('latin1', offset, Math.min(chunk.length, offset + PIECE_BYTES)), special);
    }
  }

  private pushText(piece: string, pieceSpecial: boolean): void {
    let text = piece;
    let special = pieceSpecial;
    let start = 0;
    if (this.carry.length > 0) {
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        // Finish the carried line on its own: scanning `carry + text` (a cons string) is ten times slower.
        const head = this.carry + text.slice(0, newline + 1);
        this.scan(head, 0, special || this.carrySpecial);
        start = newline + 1;
      } else {
        text = this.carry + text;
        special ||= this.carrySpecial;
      }
    }
    start = this.scan(text, start, special);
    if (text.length - start > UNBROKEN_FLUSH_LENGTH) {
      // A very long line with no break yet: a file without line breaks. Emit its whole records now.
      const whole = Math.floor((text.length - start) / RECORD_LENGTH) * RECORD_LENGTH - RECORD_LENGTH;
      this.physicalLineStart();
      this.cutRecords(text, start, start + whole, special);
      this.unbroken = true;
      start += whole;
    }
    this.carry = text.slice(start);
    this.carrySpecial = special;
  }

  /** Hands every complete line of `text` from `start` on; returns where the unfinished last line starts. */
  private scan(text: string, from: number, special: boolean): number {
    let start = from;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) return start;
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      this.line(text, start, end, special);
      this.unbroken = false;
      start = newline + 1;
    }
  }

  /** End of input: the last line may lack its line break. Returns the deviations seen, for one warning. */
  end(): void {
    if (this.carry.length > 0) {
      const text = this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry;
      this.carry = '';
      this.line(text, 0, text.length, this.carrySpecial);
    }
  }

  /** Line to report at end of input. */
  get lastLine(): number {
    return this.unbrokenSeen ? this.recordOrdinal : this.physicalLine;
  }

  /** A summary of tolerated line-length deviations, or null when every record was exactly 94 characters. */
  deviationWarning(): ParseWarning | null {
    const d = this.deviations;
    if (d.shortLines === 0 && d.longLines === 0) return null;
    const parts: string[] = [];
    if (d.shortLines > 0)
      parts.push(
        `${d.shortLines} line(s) shorter than 94 characters padded with blanks (first: line ${d.firstShortLine})`,
      );
    if (d.longLines > 0)
      parts.push(
        `${d.longLines} line(s) with trailing blanks beyond 94 characters (first: line ${d.firstLongLine})`,
      );
    return {
      code: 'bank-deviation',
      message: `records are not all 94 characters: ${parts.join('; ')}`,
      line: d.firstShortLine || d.firstLongLine,
    };
  }

  private physicalLineStart(): void {
    if (!this.unbroken) this.physicalLine++;
  }

  private line(text: string, start: number, end: number, special: boolean): void {
    this.physicalLineStart();
    if (this.unbroken) {
      this.cutRecords(text, start, end, special);
      return;
    }
    const length = end - start;
    if (length === RECORD_LENGTH && !special) {
      this.recordOrdinal++;
      this.onRecord(text.slice(start, end), this.physicalLine);
      return;
    }
    let record = text.slice(start, end);
    // Blank lines and a DOS end-of-file (Ctrl-Z) line are not records.
    if (EOF_MARKER_LINE.test(record)) return;
    if (special) record = this.decodeLine(record);
    if (record.length === RECORD_LENGTH) {
      this.emit(record, this.physicalLine);
    } else if (record.length < RECORD_LENGTH) {
      this.noteShort(this.physicalLine);
      this.emit(record.padEnd(RECORD_LENGTH, ' '), this.physicalLine);
    } else if (record.slice(RECORD_LENGTH).trim() === '') {
      this.noteLong(this.physicalLine);
      this.emit(record.slice(0, RECORD_LENGTH), this.physicalLine);
    } else if (
      record.length % RECORD_LENGTH === 0 ||
      record.slice(record.length - (record.length % RECORD_LENGTH)).trim() === ''
    ) {
      this.cutRecords(record, 0, record.length, special);
    } else {
      throw new ParseError(
        'invalid-record',
        {
          file: this.fileName,
          line: this.physicalLine,
          field: 'record length',
          expected: '94 characters',
          found: `${record.length} characters`,
        },
        'record is not 94 characters long',
      );
    }
  }

  /** A line holding several records back to back (no line breaks): cut every 94 characters. */
  private cutRecords(text: string, start: number, end: number, special: boolean): void {
    this.unbrokenSeen = true;
    let pos = start;
    for (; pos + RECORD_LENGTH <= end; pos += RECORD_LENGTH) {
      const record = text.slice(pos, pos + RECORD_LENGTH);
      this.recordOrdinal++;
      if (special) this.checkCharacters(record, this.recordOrdinal);
      this.onRecord(record, this.recordOrdinal);
    }
    const rest = text.slice(pos, end);
    if (rest.trim() !== '' && !EOF_MARKER_LINE.test(rest)) {
      throw new ParseError(
        'invalid-record',
        {
          file: this.fileName,
          line: this.recordOrdinal + 1,
          field: 'record length',
          expected: 'records of exactly 94 characters',
          found: rest.slice(0, 94),
        },
        `a line without line breaks is not a whole number of 94-character records (${rest.length} characters left over)`,
      );
    }
  }

  private emit(record: string, line: number): void {
    this.recordOrdinal++;
    this.checkCharacters(record, line);
    this.onRecord(record, line);
  }

  /** Bytes ≥ 0x80: a UTF-8 name is decoded as UTF-8 (one character, as the record width counts it), else latin1. */
  private decodeLine(latin1: string): string {
    if (!HIGH_BYTE.test(latin1)) return latin1;
    const utf8 = Buffer.from(latin1, 'latin1').toString('utf8');
    return utf8.includes('\ufffd') ? latin1 : utf8;
  }

  private checkCharacters(record: string, line: number): void {
    const match = CONTROL_CHARACTER.exec(record);
    if (match === null) return;
    throw new ParseError(
      'invalid-record',
      {
        file: this.fileName,
        line,
        field: `column ${match.index + 1}`,
        expected: 'printable characters',
        found: `\\x${match[0].charCodeAt(0).toString(16).padStart(2, '0')}`,
      },
      'control character inside a record',
    );
  }

  private noteShort(line: number): void {
    if (this.deviations.shortLines++ === 0) this.deviations.firstShortLine = line;
  }

  private noteLong(line: number): void {
    if (this.deviations.longLines++ === 0) this.deviations.firstLongLine = line;
  }
}
