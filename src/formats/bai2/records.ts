/**
 * Record-level scanning for BAI2: where a record starts (`NN,` with a known record code) and where
 * it ends. A record ends at end of line or at a `/` that is followed only by blanks and then either
 * the end of the line or the next record code. That one rule reads `/`-terminated records, records
 * without `/`, several records on one line (`.../  49,...`) and text that contains `/` (`AB/GS/1`,
 * `13/05/24`), because a slash inside text is not followed by a record code.
 */

export const FILE_HEADER = 1;
export const GROUP_HEADER = 2;
export const ACCOUNT_HEADER = 3;
export const DETAIL = 16;
export const ACCOUNT_TRAILER = 49;
export const CONTINUATION = 88;
export const GROUP_TRAILER = 98;
export const FILE_TRAILER = 99;

/** The numeric record code at `i` when `s` has a known code followed by a comma there, else -1. */
export function recordCodeAt(s: string, i: number): number {
  if (s.charCodeAt(i + 2) !== 44) return -1;
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  switch (a) {
    case 48:
      return b === 49 ? 1 : b === 50 ? 2 : b === 51 ? 3 : -1;
    case 49:
      return b === 54 ? 16 : -1;
    case 52:
      return b === 57 ? 49 : -1;
    case 56:
      return b === 56 ? 88 : -1;
    case 57:
      return b === 56 ? 98 : b === 57 ? 99 : -1;
    default:
      return -1;
  }
}

/** Spaces, tabs and the DOS end-of-file character are blanks between and around records. */
export function isBlankChar(c: number): boolean {
  return c === 32 || c === 9 || c === 26;
}

export function skipBlanks(s: string, from: number): number {
  let i = from;
  while (i < s.length && isBlankChar(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the `/` that ends the record whose body starts at `from`, or -1 when it runs to end of line. */
export function findRecordEnd(s: string, from: number): number {
  let slash = s.indexOf('/', from);
  while (slash >= 0) {
    const next = skipBlanks(s, slash + 1);
    if (next >= s.length || recordCodeAt(s, next) >= 0) return slash;
    slash = s.indexOf('/', slash + 1);
  }
  return -1;
}

/** For an over-long physical line: the start of the last complete record boundary, or -1. */
export function findRecordCut(s: string): number {
  let slash = s.lastIndexOf('/');
  while (slash > 0) {
    const next = skipBlanks(s, slash + 1);
    if (next + 3 <= s.length && recordCodeAt(s, next) >= 0) return next;
    slash = s.lastIndexOf('/', slash - 1);
  }
  return -1;
}

/**
 * Reads comma-separated fields across the pieces of a record and its 88 continuations. The end of a
 * piece is a field boundary (BAI2 continues records at field boundaries); `rest()` returns what is
 * left as raw text pieces, for the 16 text field, which may itself contain commas.
 */
export class FieldCursor implements FieldSource {
  private pieces: readonly string[] = [];
  private piece = 0;
  private pos = 0;

  reset(pieces: readonly string[]): this {
    this.pieces = pieces;
    this.piece = 0;
    this.pos = 0;
    return this;
  }

  /** The field last located by `advance()`: `fieldText.slice(fieldFrom, fieldTo)`, blanks trimmed. */
  fieldText = '';
  fieldFrom = 0;
  fieldTo = 0;

  /**
   * Locates the next field without copying it (the hot 16 path reads type code, amount and funds type
   * straight from the record text). Returns false at the end of the record.
   */
  advance(): boolean {
    while (this.piece < this.pieces.length) {
      const text = this.pieces[this.piece]!;
      if (this.pos > text.length) {
        this.piece++;
        this.pos = 0;
        continue;
      }
      const comma = text.indexOf(',', this.pos);
      let from = this.pos;
      let to = comma >= 0 ? comma : text.length;
      this.pos = comma >= 0 ? comma + 1 : text.length + 1;
      while (from < to && isBlankChar(text.charCodeAt(from))) from++;
      while (to > from && isBlankChar(text.charCodeAt(to - 1))) to--;
      this.fieldText = text;
      this.fieldFrom = from;
      this.fieldTo = to;
      return true;
    }
    return false;
  }

  /** The field located by `advance()`, as a (trimmed) string. */
  field(): string {
    return this.fieldText.slice(this.fieldFrom, this.fieldTo);
  }

  next(): string | null {
    while (this.piece < this.pieces.length) {
      const text = this.pieces[this.piece]!;
      if (this.pos > text.length) {
        this.piece++;
        this.pos = 0;
        continue;
      }
      const comma = text.indexOf(',', this.pos);
      if (comma >= 0) {
        const field = text.slice(this.pos, comma);
        this.pos = comma + 1;
        return field;
      }
      const field = this.pos === 0 ? text : text.slice(this.pos);
      this.pos = text.length + 1;
      return field;
    }
    return null;
  }

  /** Remaining text: the unread part of the current piece (if any) and every later piece, raw. */
  rest(): string[] {
    const out: string[] = [];
    for (let i = this.piece; i < this.pieces.length; i++) {
      const text = this.pieces[i]!;
      if (i === this.piece) {
        if (this.pos <= text.length) out.push(this.pos === 0 ? text : text.slice(this.pos));
      } else {
        out.push(text);
      }
    }
    return out;
  }

  /** All remaining fields as an array (for the short header/summary/trailer records). */
  all(): string[] {
    const out: string[] = [];
    for (let field = this.next(); field !== null; field = this.next()) out.push(field);
    return out;
  }
}

/**
 * Hands out the fields of a record: `next()` as a raw string (or null at the end), or `advance()`
 * to locate the next field in place (`fieldText.slice(fieldFrom, fieldTo)`, blanks trimmed).
 */
export interface FieldSource {
  next(): string | null;
  advance(): boolean;
  field(): string;
  readonly fieldText: string;
  readonly fieldFrom: number;
  readonly fieldTo: number;
}

/** Fields of a short record held as an array, with look-ahead (03 summaries). */
export class FieldList implements FieldSource {
  private index = 0;
  fieldText = '';
  fieldFrom = 0;
  fieldTo = 0;
  constructor(private readonly fields: readonly string[]) {}

  next(): string | null {
    return this.index < this.fields.length ? this.fields[this.index++]! : null;
  }

  advance(): boolean {
    if (this.index >= this.fields.length) return false;
    const text = this.fields[this.index++]!;
    let from = 0;
    let to = text.length;
    while (from < to && isBlankChar(text.charCodeAt(from))) from++;
    while (to > from && isBlankChar(text.charCodeAt(to - 1))) to--;
    this.fieldText = text;
    this.fieldFrom = from;
    this.fieldTo = to;
    return true;
  }

  field(): string {
    return this.fieldText.slice(this.fieldFrom, this.fieldTo);
  }

  /** The field `ahead` positions after the next one, trimmed, or null past the end. */
  peek(ahead = 0): string | null {
    const i = this.index + ahead;
    return i < this.fields.length ? this.fields[i]!.trim() : null;
  }

  skip(count: number): void {
    this.index = Math.min(this.fields.length, this.index + count);
  }
}
