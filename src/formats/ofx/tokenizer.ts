/**
 * A small tolerant tokenizer for both OFX dialects, fed text as it is decoded:
 *  - OFX 1.x SGML, where leaf elements are not closed (`<TRNAMT>-12.00` ends at the next `<`) and
 *    aggregates are (`</STMTTRN>`);
 *  - OFX 2.x XML, where everything is closed, with `<?xml?>`/`<?OFX?>` processing instructions,
 *    comments, CDATA sections and entities.
 * An element's kind is only known at its next tag: text before it makes a leaf; `</SAME>` right after
 * makes an empty leaf; another tag makes it an aggregate, unless its name is a known leaf element
 * (then it is an empty SGML leaf). A closing tag closes every element opened inside it that is still
 * open (unclosed SGML leaves of unknown name). Events go to a handler with the element path.
 */

export interface OfxEvents {
  open(name: string): void;
  leaf(name: string, value: string): void;
  close(name: string): void;
}

export class OfxSyntaxError extends Error {
  override name = 'OfxSyntaxError';
  constructor(
    readonly code: string,
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Leaf elements of the OFX banking/credit-card/signon messages: empty and unclosed they stay leaves. */
const KNOWN_LEAVES = new Set([
  'CODE',
  'SEVERITY',
  'MESSAGE',
  'DTSERVER',
  'LANGUAGE',
  'DTPROFUP',
  'DTACCTUP',
  'ORG',
  'FID',
  'TRNUID',
  'CLTCOOKIE',
  'SESSCOOKIE',
  'ACCESSKEY',
  'USERKEY',
  'TSKEYEXPIRE',
  'CURDEF',
  'BANKID',
  'BRANCHID',
  'ACCTID',
  'ACCTTYPE',
  'ACCTKEY',
  'DTSTART',
  'DTEND',
  'TRNTYPE',
  'DTPOSTED',
  'DTUSER',
  'DTAVAIL',
  'TRNAMT',
  'FITID',
  'CORRECTFITID',
  'CORRECTACTION',
  'SRVRTID',
  'CHECKNUM',
  'REFNUM',
  'SIC',
  'PAYEEID',
  'NAME',
  'EXTDNAME',
  'MEMO',
  'INV401KSOURCE',
  'CURRATE',
  'CURSYM',
  'BALAMT',
  'DTASOF',
  'MKTGINFO',
  'ADDR1',
  'ADDR2',
  'ADDR3',
  'CITY',
  'STATE',
  'POSTALCODE',
  'COUNTRY',
  'PHONE',
  'INTU.BID',
  'INTU.USERID',
  'INTU.XFERTYPE',
  'DESC',
  'BALTYPE',
  'VALUE',
  'DTASOF',
  'BROKERID',
  'SECID',
  'UNIQUEID',
  'UNIQUEIDTYPE',
  'TOTAL',
  'UNITS',
]);

const MAX_PENDING_CHARS = 1 << 20;

interface Frame {
  name: string;
  /** 1-based position among the parent's children of the same name. */
  index: number;
  children: Map<string, number> | null;
}

/** Where an event happened: the element path ("OFX/…/STMTTRN[3]/TRNAMT") and the line. */
export interface Position {
  path(leaf?: string): string;
  line(): number;
}

export class OfxTokenizer implements Position {
  private buf = '';
  /** Line number at the start of `buf`. */
  private lineBase = 1;
  /** Text received while `buf` holds an unfinished token, not scanned yet (see `write`). */
  private waiting: string[] = [];
  private waitingLength = 0;
  /** Where the next search for '<' may start in `buf` (the kept text before it has none). */
  private searchFrom = 0;
  /** Newlines counted in `buf` before `countedTo`. */
  private countedTo = 0;
  private countedLines = 0;
  /** Offset in `buf` of the token being handled (for line numbers of errors). */
  private tokenAt = 0;
  private readonly stack: Frame[] = [];
  private pendingTag: string | null = null;
  private pendingText = '';
  /** Offset in `buf` of the pending tag, or -1 once it left the buffer (then `pendingLine` holds its line). */
  private pendingAt = -1;
  private pendingLine = 0;
  /** While an element's event is handled: the line of its start tag (0: use `tokenAt`). */
  private eventLine = 0;
  private rootSeen = false;
  private rootClosed = false;
  /** Names read as leaves so far (bounded by the number of distinct element names). */
  private readonly leafNames = new Set<string>();
  /** Non-whitespace text outside leaf values (after the root or between aggregates). */
  strayText = 0;

  constructor(private readonly events: OfxEvents) {}

  write(text: string): void {
    if (this.buf.length > 0) {
      // Text is kept from the last scan (an unfinished tag, comment or leaf value). Rescanning it at every
      // small chunk would be quadratic: wait until as much new text has arrived as is kept.
      this.waiting.push(text);
      this.waitingLength += text.length;
      if (this.waitingLength < this.buf.length && this.buf.length + this.waitingLength <= MAX_PENDING_CHARS)
        return;
      this.accept(this.takeWaiting());
      return;
    }
    this.accept(text);
  }

  private takeWaiting(): string {
    const text = this.waiting.join('');
    this.waiting = [];
    this.waitingLength = 0;
    return text;
  }

  private accept(text: string): void {
    this.buf = this.buf.length > 0 ? this.buf + text : text;
    const consumed = this.scan();
    if (this.pendingAt >= 0) {
      // The pending tag's offset is about to leave the buffer: keep its line instead.
      if (this.pendingAt < consumed) {
        this.pendingLine = this.lineAt(this.pendingAt);
        this.pendingAt = -1;
      } else {
        this.pendingAt -= consumed;
      }
    }
    this.lineBase = this.lineAt(consumed);
    this.countedTo = 0;
    this.countedLines = 0;
    this.buf = consumed < this.buf.length ? this.buf.slice(consumed) : '';
    if (this.buf.length > MAX_PENDING_CHARS) {
      throw new OfxSyntaxError('structure', 'a tag, comment or CDATA section that does not end', 0);
    }
  }

  /** End of input: everything must be closed. */
  end(): void {
    if (this.waitingLength > 0) this.accept(this.takeWaiting());
    this.tokenAt = this.buf.length;
    if (this.buf.trim().length > 0 && this.buf.includes('<')) {
      throw new OfxSyntaxError('truncated', 'the file ends inside a tag', this.buf.length);
    }
    this.appendText(this.buf, 0, this.buf.length);
    this.buf = '';
    if (!this.rootSeen) throw new OfxSyntaxError('structure', 'no <OFX> element found', 0);
    if (this.pendingTag !== null || this.stack.length > 0) {
      const open = this.stack.length > 0 ? this.stack[this.stack.length - 1]!.name : this.pendingTag!;
      throw new OfxSyntaxError('truncated', `the file ends before </${open}> (unclosed aggregate)`, 0);
    }
  }

  path(leaf?: string): string {
    let path = '';
    for (const frame of this.stack) {
      if (path.length > 0) path += '/';
      path += frame.index > 1 || frame.name === 'STMTTRN' ? `${frame.name}[${frame.index}]` : frame.name;
    }
    if (leaf !== undefined) path = path.length > 0 ? `${path}/${leaf}` : leaf;
    return path;
  }

  line(): number {
    if (this.eventLine > 0) return this.eventLine;
    return this.lineAt(Math.min(this.tokenAt, this.buf.length));
  }

  /** Line of an offset in `buf`; counts forward from the last offset asked (entries ask in order). */
  private lineAt(offset: number): number {
    if (offset < this.countedTo) {
      this.countedTo = 0;
      this.countedLines = 0;
    }
    this.countedLines += countNewlines(this.buf, this.countedTo, offset);
    this.countedTo = offset;
    return this.lineBase + this.countedLines;
  }

  get depth(): number {
    return this.stack.length;
  }

  /** Handles complete tokens of `buf`; returns how much was consumed. */
  private scan(): number {
    const buf = this.buf;
    let pos = 0;
    // A leaf value kept from the last chunk has no '<': do not search it again.
    let searchFrom = this.searchFrom;
    this.searchFrom = 0;
    for (;;) {
      const lt = buf.indexOf('<', Math.max(pos, searchFrom));
      searchFrom = 0;
      if (lt < 0) {
        // Keep a leaf value that may continue in the next chunk; text elsewhere is consumed.
        if (this.pendingTag === null) {
          this.appendText(buf, pos, buf.length);
          return buf.length;
        }
        this.searchFrom = buf.length - pos;
        return pos;
      }
      if (lt > pos) this.appendText(buf, pos, lt);
      this.tokenAt = lt;
      const end = this.token(buf, lt);
      if (end < 0) return lt;
      pos = end;
    }
  }

  /** One token at `lt`; returns the offset after it, or -1 when it is incomplete. */
  private token(buf: string, lt: number): number {
    const next = buf.charCodeAt(lt + 1);
    if (next === 33 /* ! */) return this.markup(buf, lt);
    if (next === 63 /* ? */) {
      const end = buf.indexOf('?>', lt + 2);
      return end < 0 ? -1 : end + 2;
    }
    const gt = buf.indexOf('>', lt + 1);
    if (gt < 0) return -1;
    const next2 = buf.indexOf('<', lt + 1);
    if (next2 >= 0 && next2 < gt) {
      throw new OfxSyntaxError(
        'structure',
        `"<" inside a tag: ${JSON.stringify(buf.slice(lt, next2 + 1))}`,
        lt,
      );
    }
    if (next === 47 /* / */) {
      this.closeTag(tagName(buf, lt + 2, gt));
    } else {
      const selfClosing = buf.charCodeAt(gt - 1) === 47;
      this.openTag(tagName(buf, lt + 1, selfClosing ? gt - 1 : gt), selfClosing);
    }
    return gt + 1;
  }

  /** `<!-- comment -->`, `<![CDATA[…]]>` (text of the current leaf), `<!DOCTYPE …>`. */
  private markup(buf: string, lt: number): number {
    if (buf.startsWith('<!--', lt)) {
      const end = buf.indexOf('-->', lt + 4);
      return end < 0 ? -1 : end + 3;
    }
    if (buf.startsWith('<![CDATA[', lt)) {
      const end = buf.indexOf(']]>', lt + 9);
      if (end < 0) return -1;
      if (this.pendingTag !== null) this.pendingText += buf.slice(lt + 9, end);
      else if (buf.slice(lt + 9, end).trim().length > 0) this.strayText++;
      return end + 3;
    }
    if (buf.length - lt < 9) return -1; // not enough to tell
    const end = buf.indexOf('>', lt + 2);
    return end < 0 ? -1 : end + 1;
  }

  private appendText(buf: string, from: number, to: number): void {
    if (this.pendingTag !== null) {
      const text = buf.slice(from, to);
      this.pendingText += text.includes('&') ? decodeEntities(text) : text;
      return;
    }
    // Text outside a leaf: the SGML header before <OFX>, whitespace between aggregates.
    if (!this.rootSeen || to === from) return;
    for (let i = from; i < to; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) {
        this.strayText++;
        return;
      }
    }
  }

  private openTag(name: string, selfClosing: boolean): void {
    if (name.length === 0) throw new OfxSyntaxError('structure', 'a tag without a name', this.tokenAt);
    this.resolvePending(null);
    if (!this.rootSeen) {
      if (name !== 'OFX')
        throw new OfxSyntaxError('structure', `the first element is <${name}>, not <OFX>`, this.tokenAt);
      this.rootSeen = true;
    } else if (this.stack.length === 0) {
      if (this.rootClosed && name !== 'OFX') {
        throw new OfxSyntaxError('structure', `element <${name}> after </OFX>`, this.tokenAt);
      }
    }
    if (selfClosing) {
      if (name === 'OFX') throw new OfxSyntaxError('structure', 'an empty <OFX/>', this.tokenAt);
      this.events.leaf(name, '');
      return;
    }
    this.pendingTag = name;
    this.pendingText = '';
    this.pendingAt = this.tokenAt;
    this.pendingLine = 0;
  }

  private closeTag(name: string): void {
    if (this.resolvePending(name)) return;
    let at = this.stack.length - 1;
    while (at >= 0 && this.stack[at]!.name !== name) at--;
    if (at < 0) {
      // The closing tag of an SGML leaf already read (`<MEMO>` … `</MEMO>` elsewhere, or leaves
      // "closed" in nested order as some exporters write them): nothing to close.
      if (KNOWN_LEAVES.has(name) || this.leafNames.has(name)) return;
      throw new OfxSyntaxError('structure', `closing tag </${name}> without an open <${name}>`, this.tokenAt);
    }
    while (this.stack.length > at) this.pop();
  }

  /**
   * Decides what the pending open tag was, now that the next tag is known. Returns true when the
   * next tag (`closing`) was the pending element's own closing tag.
   */
  private resolvePending(closing: string | null): boolean {
    const name = this.pendingTag;
    if (name === null) return false;
    this.pendingTag = null;
    const text = this.pendingText;
    this.pendingText = '';
    const value = text.length > 0 ? text.trim() : text;
    // Events of this element report the line of its start tag, not of the tag that resolved it.
    const tokenAt = this.tokenAt;
    if (this.pendingAt >= 0) this.tokenAt = this.pendingAt;
    else this.eventLine = this.pendingLine;
    try {
      if (value.length > 0 || closing === name || KNOWN_LEAVES.has(name)) {
        if (!KNOWN_LEAVES.has(name)) this.leafNames.add(name);
        this.events.leaf(name, value);
        return closing === name;
      }
      this.push(name);
      return false;
    } finally {
      this.tokenAt = tokenAt;
      this.eventLine = 0;
      this.pendingAt = -1;
    }
  }

  private push(name: string): void {
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : null;
    let index = 1;
    if (parent !== null) {
      parent.children ??= new Map();
      index = (parent.children.get(name) ?? 0) + 1;
      parent.children.set(name, index);
    }
    this.stack.push({ name, index, children: null });
    this.events.open(name);
  }

  private pop(): void {
    const frame = this.stack[this.stack.length - 1]!;
    this.events.close(frame.name);
    this.stack.pop();
    if (this.stack.length === 0) this.rootClosed = true;
  }
}

/** The element name of a tag (up to whitespace: XML attributes are ignored), upper-cased. */
function tagName(buf: string, from: number, to: number): string {
  let end = from;
  while (end < to) {
    const c = buf.charCodeAt(end);
    if (c === 32 || c === 9 || c === 10 || c === 13) break;
    end++;
  }
  const name = buf.slice(from, end);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 97 && c <= 122) return name.toUpperCase();
  }
  return name;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** XML/HTML character references in a leaf value; an unknown `&name;` is kept as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/g, (whole, ref: string) => {
    if (ref.charCodeAt(0) === 35 /* # */) {
      const code =
        ref.charCodeAt(1) === 120 ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}
