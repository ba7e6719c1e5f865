/**
 * Turns physical lines into SWIFT fields (`:TAG:` + continuation lines), skipping what is not a
 * statement: `{1:…}{2:…}{3:…}{4:` envelopes and `-}{5:…}` trailers (also glued to the end of a field
 * line, as Knab sends them), bank header lines (`:940:`, `ABNANL2A`/`940`, ING `0000 01INGBNL2A…`),
 * SOH/ETX framing bytes, and the `-` that ends a message. A line that starts like a tag but names
 * no MT940/MT942 tag (":12:11" of a wrapped timestamp) continues the current field.
 */

import type { LineTarget } from './text.js';

export interface Field {
  tag: string;
  /** Line of the `:TAG:`. */
  line: number;
  /** Text after `:TAG:` on the tag line. */
  first: string;
  /** Continuation lines, in order (null when there are none); see `moreCount`. */
  more: string[] | null;
  /**
   * How many entries of `more` are this field's: the assembler reuses one array from field to field (a
   * fresh array per field is most of what splitting costs). All of them when absent.
   */
  moreCount?: number;
}

/** The number of continuation lines of a field. */
export function continuationCount(field: Field): number {
  return field.more === null ? 0 : (field.moreCount ?? field.more.length);
}

export type MessageType = '940' | '942';

export interface FieldEvents {
  /** A complete field; the object is reused for the next field, so it must not be kept. */
  field(field: Field): void;
  /** A line `-`, `-}` or `$`: the message ends (it is closed for good at the next :20: or the end). */
  messageEnd(line: number): void;
  /** `{2:O940…}` / `{2:I942…}` / `:940:` announce the type of the message(s) that follow. */
  messageType(type: MessageType): void;
}

const TAGS = new Set([
  '20',
  '21',
  '25',
  '25P',
  '28',
  '28C',
  '60F',
  '60M',
  '61',
  '86',
  '62F',
  '62M',
  '64',
  '65',
  '34F',
  '13',
  '13D',
  '90D',
  '90C',
  'NS',
]);

export class FieldAssembler implements LineTarget {
  private current: Field | null = null;
  private readonly slot: Field = { tag: '', line: 0, first: '', more: [], moreCount: 0 };
  private readonly moreLines: string[] = [];

  constructor(private readonly events: FieldEvents) {}

  /** `line(piece.slice(start, end))` for a line without `{` or bytes above 0x7F; tag lines are cut once. */
  plainLine(piece: string, start: number, end: number, lineNumber: number): void {
    if (start < end) {
      const c0 = piece.charCodeAt(start);
      if (c0 < 32 || piece.charCodeAt(end - 1) < 32) {
        this.line(piece.slice(start, end), lineNumber);
        return;
      }
      if (c0 !== 58 /* : */ && c0 !== 45 /* - */ && c0 !== 36 /* $ */) {
        // A continuation line (as `content` would find): only its text is needed.
        if (this.current !== null) this.appendLine(piece.slice(start, end));
        return;
      }
      if (c0 === 58) {
        const tag = tagAt(piece, start, end);
        // '61' and '86' (the shared strings tagAt returns) need no set lookup.
        if (tag !== null && (tag === '61' || tag === '86' || TAGS.has(tag))) {
          this.startField(tag, lineNumber, piece.slice(start + tag.length + 2, end));
          return;
        }
      }
    }
    this.content(piece.slice(start, end), lineNumber);
  }

  line(raw: string, lineNumber: number): void {
    let text = raw;
    const n = text.length;
    if (n > 0 && (text.charCodeAt(0) < 32 || text.charCodeAt(n - 1) < 32)) text = stripControls(text);
    const brace = text.indexOf('{');
    if (brace >= 0 && isBlockStart(text, brace)) {
      if (brace > 0 && text.slice(0, brace).trim().length > 0) this.content(text.slice(0, brace), lineNumber);
      this.envelope(text.slice(brace), lineNumber);
      return;
    }
    this.content(text, lineNumber);
  }

  /** Completes the last field (end of input). */
  end(): void {
    this.flush();
  }

  private content(text: string, lineNumber: number): void {
    const c0 = text.charCodeAt(0);
    if (c0 === 58 /* : */) {
      const tag = readTag(text);
      if (tag !== null) {
        if (TAGS.has(tag)) {
          this.startField(tag, lineNumber, text.slice(tag.length + 2));
          return;
        }
        if (tag === '940' || tag === '942') {
          this.flush();
          this.events.messageType(tag);
          return;
        }
      }
    } else if ((c0 === 45 /* - */ || c0 === 36) /* $ */ && isMessageEnd(text)) {
      this.flush();
      this.events.messageEnd(lineNumber);
      return;
    }
    if (this.current === null) return; // header line or junk between messages
    this.appendLine(text);
  }

  /** A continuation line of the current field (always the slot, whose `more` is moreLines). */
  private appendLine(text: string): void {
    const field = this.slot;
    const count = field.moreCount!;
    this.moreLines[count] = text;
    field.moreCount = count + 1;
  }

  /**
   * Completes the current field and starts the next one in the same object: a field is handed to
   * FieldEvents.field, which reads it before returning and keeps nothing of it.
   */
  private startField(tag: string, lineNumber: number, first: string): void {
    this.flush();
    const field = this.slot;
    field.tag = tag;
    field.line = lineNumber;
    field.first = first;
    field.more = this.moreLines;
    field.moreCount = 0;
    this.current = field;
  }

  private flush(): void {
    const field = this.current;
    if (field === null) return;
    this.current = null;
    this.events.field(field);
  }

  /** `{1:…}{2:…}{3:…}{4:` (content may follow `{4:` on the same line), `{5:…}` trailers. */
  private envelope(blocks: string, lineNumber: number): void {
    let s = blocks;
    while (s.charCodeAt(0) === 123 /* { */ && isBlockStart(s, 0)) {
      const block = s.charCodeAt(1);
      if (block === 52 /* 4 */) {
        const body = s.slice(3);
        if (body.trim().length > 0) this.content(body, lineNumber);
        return;
      }
      if (block === 50 /* 2 */) {
        const type = s.slice(4, 7);
        if (type === '940' || type === '942') {
          this.flush();
          this.events.messageType(type);
        }
      }
      const close = matchingBrace(s);
      if (close < 0) return;
      s = s.slice(close + 1);
    }
    if (s.trim().length > 0) this.content(s, lineNumber);
  }
}

function stripControls(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) < 32 && text.charCodeAt(start) !== 9) start++;
  while (end > start && text.charCodeAt(end - 1) < 32 && text.charCodeAt(end - 1) !== 9) end--;
  return text.slice(start, end);
}

/** `{1:` … `{5:`. */
function isBlockStart(text: string, at: number): boolean {
  const d = text.charCodeAt(at + 1);
  return d >= 49 && d <= 53 && text.charCodeAt(at + 2) === 58;
}

function matchingBrace(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

/** `readTag(piece.slice(start, end))`, without cutting the line out. */
function tagAt(piece: string, start: number, end: number): string | null {
  if (start + 3 < end && piece.charCodeAt(start + 3) === 58) {
    const a = piece.charCodeAt(start + 1);
    const b = piece.charCodeAt(start + 2);
    if (a === 54 && b === 49) return '61';
    if (a === 56 && b === 54) return '86';
  }
  const close = piece.indexOf(':', start + 1);
  if (close < start + 3 || close > start + 5 || close >= end) return null;
  return piece.slice(start + 1, close);
}

/** The tag of `:TAG:` (2 to 4 characters), or null. */
function readTag(text: string): string | null {
  // Fast path for the tags of every entry: no slice, and the tag string is a shared constant.
  if (text.charCodeAt(3) === 58) {
    const a = text.charCodeAt(1);
    const b = text.charCodeAt(2);
    if (a === 54 && b === 49) return '61';
    if (a === 56 && b === 54) return '86';
  }
  const close = text.indexOf(':', 1);
  if (close < 3 || close > 5) return null;
  return text.slice(1, close);
}

/** `-`, `-}…` (envelope trailer) or `$` (a separator some exports put between messages). */
function isMessageEnd(text: string): boolean {
  if (text.length === 1) return true;
  if (text.charCodeAt(0) === 45 && text.charCodeAt(1) === 125 /* } */) return true;
  const trimmed = text.trim();
  return trimmed === '-' || trimmed === '$';
}
