/**
 * Turns physical lines into SWIFT fields (`:TAG:` + continuation lines), skipping what is not a
 * statement: `{1:…}{2:…}{3:…}{4:` envelopes and `-}{5:…}` trailers (also glued to the end of a field
 * line, as Knab sends them), bank header lines (`:940:`, `ABNANL2A`/`940`, ING `0000 01INGBNL2A…`),
 * SOH/ETX framing bytes, and the `-` that ends a message. A line that starts like a tag but names
 * no MT940/MT942 tag (":12:11" of a wrapped timestamp) continues the current field.
 */

export interface Field {
  tag: string;
  /** Line of the `:TAG:`. */
  line: number;
  /** Text after `:TAG:` on the tag line. */
  first: string;
  /** Continuation lines, in order (null when there are none). */
  more: string[] | null;
}

export type MessageType = '940' | '942';

export interface FieldEvents {
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

export class FieldAssembler {
  private current: Field | null = null;

  constructor(private readonly events: FieldEvents) {}

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
          this.flush();
          this.current = { tag, line: lineNumber, first: text.slice(tag.length + 2), more: null };
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
    const field = this.current;
    if (field === null) return; // header line or junk between messages
    if (field.more === null) field.more = [text];
    else field.more.push(text);
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
