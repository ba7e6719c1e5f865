import { ParseError } from '../errors.js';
import type { ParseWarning } from '../model.js';

/** The delimiters of one interchange, read from its ISA header (never hard-coded). */
export interface X12Delimiters {
  element: string;
  component: string;
  segment: string;
  /** ISA11 when it is a separator (00402 and later); null when it is the standards id `U`. */
  repetition: string | null;
}

/**
 * One segment, read in place: element boundaries are found once and an element is only cut out of the text
 * when the reader asks for it (most segments are read for two or three elements; `split` would allocate all).
 * The tokenizer reuses one instance for every segment: a reader must not keep it.
 */
export class X12Segment {
  /** Segment id (element 0): ST, BPR, RMR, … */
  id = '';
  /** 1-based physical line where the segment starts (pretty-printed files have one segment a line). */
  line = 0;
  /** 1-based ordinal of the segment in the input. */
  ordinal = 0;
  private text = '';
  private end = 0;
  /** starts[i] = offset of element i; starts[count] = end + 1. */
  private readonly starts: number[] = [];
  private count = 0;

  /** Element count including the id. */
  get length(): number {
    return this.count;
  }

  reset(text: string, start: number, end: number, separator: string, line: number, ordinal: number): void {
    this.text = text;
    this.end = end;
    this.line = line;
    this.ordinal = ordinal;
    const starts = this.starts;
    let count = 0;
    let from = start;
    for (;;) {
      starts[count++] = from;
      const next = text.indexOf(separator, from);
      if (next < 0 || next >= end) break;
      from = next + 1;
    }
    starts[count] = end + 1;
    this.count = count;
    this.id = text.slice(start, starts[1]! - 1);
  }

  /** Element `index` as written (untrimmed); '' when the segment is shorter. */
  raw(index: number): string {
    if (index >= this.count) return '';
    return this.text.slice(this.starts[index], this.starts[index + 1]! - 1);
  }

  /** Element `index` without surrounding blanks; '' when absent or blank. */
  get(index: number): string {
    if (index >= this.count) return '';
    const text = this.text;
    let from = this.starts[index]!;
    let to = this.starts[index + 1]! - 1;
    while (from < to && text.charCodeAt(from) === 32) from++;
    while (to > from && text.charCodeAt(to - 1) === 32) to--;
    return from === to ? '' : text.slice(from, to);
  }

  /** The segment text (for error messages). */
  toString(): string {
    return this.text.slice(this.starts[0], this.end);
  }
}

export interface TokenizerContext {
  fileName: string;
  /** Added to physical line numbers: lets an 820 carried inside another file report that file's line. */
  lineOffset?: number;
  warn(warning: ParseWarning): void;
}

/** The ISA segment is fixed-width: 106 characters, ISA16 at offset 104 and the terminator at 105. */
const ISA_FIXED_COMPONENT_OFFSET = 104;
/** Longest segment accepted before concluding the terminator is wrong (bounds memory on a bad file). */
const MAX_SEGMENT_CHARS = 4 * 1024 * 1024;
/** How far to look for the 16 element separators of an ISA that is not fixed-width. */
const ISA_MAX_LENGTH = 512;

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 0xfeff;
}

function isAlphanumeric(char: string): boolean {
  const c = char.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** A segment id: an upper-case letter then one or two upper-case letters or digits (ST, BPR, N1, IT1). */
function isSegmentId(id: string): boolean {
  if (id.length < 2 || id.length > 3) return false;
  const first = id.charCodeAt(0);
  if (first < 65 || first > 90) return false;
  for (let i = 1; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let i = text.indexOf('\n', from);
  while (i >= 0 && i < to) {
    count++;
    i = text.indexOf('\n', i + 1);
  }
  return count;
}

/**
 * Splits X12 text into segments as it arrives. Delimiters come from each ISA header (element separator = ISA
 * byte 4, component separator = ISA16, segment terminator = the character after ISA16); after an IEA the next
 * interchange's ISA is read afresh. Whitespace between segments (newlines, indentation, a BOM) is skipped, so
 * pretty-printed files and a newline used as terminator both work.
 */
export class X12Tokenizer {
  private buffer = '';
  private delimiters: X12Delimiters | null;
  /** Physical line number at `buffer[0]`. */
  private line = 1;
  private ordinal = 0;
  private readonly segment = new X12Segment();

  constructor(
    private readonly context: TokenizerContext,
    private readonly onSegment: (segment: X12Segment, delimiters: X12Delimiters) => void,
    /** Preset delimiters for a bare ST…SE transaction set (CTX addenda without an ISA envelope). */
    preset: X12Delimiters | null = null,
  ) {
    this.delimiters = preset;
  }

  /** Physical line reached so far (for end-of-input errors). */
  get currentLine(): number {
    return this.line + (this.context.lineOffset ?? 0);
  }

  push(text: string): void {
    if (this.buffer.length > 0 && this.delimiters !== null) {
      // Finish the carried segment on its own: scanning `carry + text` (a cons string) is many times slower
      // than scanning the fresh chunk.
      const terminator = text.indexOf(this.delimiters.segment);
      if (terminator >= 0) {
        this.buffer += text.slice(0, terminator + 1);
        this.drain(false);
        const rest = text.slice(terminator + 1);
        this.buffer = this.buffer.length === 0 ? rest : this.buffer + rest;
        this.drain(false);
        return;
      }
    }
    this.buffer = this.buffer.length === 0 ? text : this.buffer + text;
    this.drain(false);
  }

  end(): void {
    this.drain(true);
  }

  private drain(final: boolean): void {
    const text = this.buffer;
    let pos = 0;
    // Next line break at or after the current segment: most 820s in CTX addenda have none, so the
    // per-segment newline count is skipped while the next break lies beyond the segment.
    let nextNewline = text.indexOf('\n');
    for (;;) {
      const start = this.skipWhitespace(text, pos);
      if (start >= text.length) {
        pos = start;
        break;
      }
      if (this.delimiters === null) {
        const detected = this.detectIsa(text, start, final);
        if (detected === null) {
          pos = start;
          break;
        }
        this.delimiters = detected;
      }
      const terminator = this.delimiters.segment;
      const end = text.indexOf(terminator, start);
      if (end < 0 && text.length - start > MAX_SEGMENT_CHARS) {
        // A wrong terminator would otherwise make the whole file one growing segment.
        throw new ParseError(
          'syntax',
          {
            file: this.context.fileName,
            line: this.line + (this.context.lineOffset ?? 0),
            field: 'segment terminator',
            expected: `the segment terminator ${JSON.stringify(this.delimiters.segment)} (from ISA) within ${MAX_SEGMENT_CHARS} characters`,
            found: text.slice(start, start + 40),
          },
          'segment without terminator',
        );
      }
      if (end < 0 && !final) {
        pos = start;
        break;
      }
      const stop = end < 0 ? text.length : end;
      const segment = this.emit(text, start, stop);
      if (nextNewline >= 0 && nextNewline < start) nextNewline = text.indexOf('\n', start);
      if (nextNewline >= 0 && nextNewline < stop) this.line += countNewlines(text, nextNewline, stop);
      if (terminator === '\n' && end >= 0) this.line++;
      pos = end < 0 ? text.length : end + 1;
      // Each interchange names its own delimiters: read the next ISA afresh.
      if (segment === 'IEA') this.delimiters = null;
    }
    this.buffer = text.slice(pos);
  }

  /** Skips whitespace from `pos`, counting the newlines it passes. */
  private skipWhitespace(text: string, pos: number): number {
    let i = pos;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (!isWhitespace(c)) break;
      if (c === 10) this.line++;
      i++;
    }
    return i;
  }

  private emit(text: string, start: number, stop: number): string {
    const delimiters = this.delimiters as X12Delimiters;
    let end = stop;
    // A space or CR before the terminator (Machete #44, CRLF files whose terminator is LF) is not data.
    while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
    this.ordinal++;
    const line = this.line + (this.context.lineOffset ?? 0);
    const segment = this.segment;
    segment.reset(text, start, end, delimiters.element, line, this.ordinal);
    const id = segment.id;
    if (!isSegmentId(id)) {
      throw new ParseError(
        'syntax',
        {
          file: this.context.fileName,
          line,
          path: `segment ${this.ordinal}`,
          field: 'segment id',
          expected: 'a 2-3 character X12 segment id',
          found: text.slice(start, Math.min(end, start + 40)),
        },
        'not an X12 segment',
      );
    }
    this.onSegment(segment, delimiters);
    return id;
  }

  /** Reads the delimiters from the ISA at `pos`; null when more text is needed. */
  private detectIsa(text: string, pos: number, final: boolean): X12Delimiters | null {
    const location = {
      file: this.context.fileName,
      line: this.line + (this.context.lineOffset ?? 0),
      path: 'ISA',
    };
    if (text.length - pos < 4 && !final) return null;
    if (!text.startsWith('ISA', pos)) {
      throw new ParseError(
        'not-x12',
        {
          ...location,
          field: 'ISA',
          expected: 'an ISA interchange header',
          found: text.slice(pos, pos + 20),
        },
        'not an X12 interchange',
      );
    }
    const element = text.charAt(pos + 3);
    if (element === '' || isAlphanumeric(element) || isWhitespace(element.charCodeAt(0))) {
      throw new ParseError(
        'syntax',
        {
          ...location,
          field: 'ISA element separator',
          expected: 'a punctuation character after ISA',
          found: element,
        },
        'unreadable ISA header',
      );
    }
    let separator = pos + 3;
    const separators: number[] = [separator];
    for (let n = 2; n <= 16; n++) {
      separator = text.indexOf(element, separator + 1);
      if (separator < 0 || separator - pos > ISA_MAX_LENGTH) {
        if (!final && separator < 0 && text.length - pos <= ISA_MAX_LENGTH) return null;
        throw new ParseError(
          'truncated',
          { ...location, field: `ISA${String(n).padStart(2, '0')}`, expected: '16 ISA elements' },
          'incomplete ISA header',
        );
      }
      separators.push(separator);
    }
    if (text.length < separator + 3) {
      if (!final) return null;
      throw new ParseError(
        'truncated',
        { ...location, field: 'ISA16', expected: 'component separator and segment terminator after ISA16' },
        'incomplete ISA header',
      );
    }
    const component = text.charAt(separator + 1);
    const segment = text.charAt(separator + 2);
    if (isAlphanumeric(component) || component === element || isWhitespace(component.charCodeAt(0))) {
      throw new ParseError(
        'syntax',
        { ...location, field: 'ISA16', expected: 'a component separator character', found: component },
        'unreadable ISA header',
      );
    }
    if (isAlphanumeric(segment) || segment === element || segment === component || segment === ' ') {
      throw new ParseError(
        'syntax',
        {
          ...location,
          field: 'segment terminator',
          expected: 'a terminator character after ISA16',
          found: segment,
        },
        'unreadable ISA header',
      );
    }
    if (separator + 1 - pos !== ISA_FIXED_COMPONENT_OFFSET) {
      this.context.warn({
        code: 'bank-deviation',
        message: `ISA header is not fixed-width (ISA16 at offset ${separator + 1 - pos}, expected ${ISA_FIXED_COMPONENT_OFFSET}); delimiters read by position of the separators`,
        line: location.line,
      });
    }
    const isa11 = text.slice((separators[10] as number) + 1, separators[11]);
    const repetition =
      isa11.length === 1 && !isAlphanumeric(isa11) && isa11 !== segment && isa11 !== component ? isa11 : null;
    return { element, component, segment, repetition };
  }
}
