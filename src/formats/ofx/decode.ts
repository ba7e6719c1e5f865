/**
 * Turns OFX bytes into text. The charset is declared before the first element: OFX 1.x SGML headers
 * (`ENCODING:USASCII|UTF-8`, `CHARSET:1252|ISO-8859-1|NONE`) or the OFX 2.x XML declaration
 * (`<?xml version="1.0" encoding="…"?>`). Decoding streams (a character split across chunks is kept)
 * and works in 64 KiB pieces, because big strings are costly to allocate on some hosts.
 */
import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';

interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

/** Bytes read before the encoding must be known (the SGML header is a few hundred bytes). */
const HEAD_BYTES = 4096;
const PIECE_BYTES = 64 * 1024;

export class OfxByteDecoder {
  private decoder: ChunkDecoder | null = null;
  private head: Buffer[] = [];
  private headLength = 0;
  encoding = 'utf-8';

  write(chunk: Buffer, out: (text: string) => void): void {
    if (this.decoder === null) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < HEAD_BYTES) return;
      this.start(out);
      return;
    }
    this.decodeInPieces(chunk, out);
  }

  end(out: (text: string) => void): void {
    if (this.decoder === null) this.start(out);
    const rest = this.decoder!.end();
    if (rest.length > 0) out(rest);
  }

  private start(out: (text: string) => void): void {
    let head = Buffer.concat(this.head);
    this.head = [];
    let bom: string | null = null;
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
      bom = 'utf-8';
      head = head.subarray(3);
    } else if (head[0] === 0xff && head[1] === 0xfe) {
      bom = 'utf-16le';
      head = head.subarray(2);
    } else if (head[0] === 0xfe && head[1] === 0xff) {
      bom = 'utf-16be';
      head = head.subarray(2);
    }
    this.encoding = bom ?? detectEncoding(head.toString('latin1', 0, Math.min(head.length, HEAD_BYTES)));
    this.decoder = createDecoder(this.encoding);
    this.decodeInPieces(head, out);
  }

  private decodeInPieces(chunk: Buffer, out: (text: string) => void): void {
    const decoder = this.decoder!;
    for (let offset = 0; offset < chunk.length; offset += PIECE_BYTES) {
      const text = decoder.write(chunk.subarray(offset, Math.min(chunk.length, offset + PIECE_BYTES)));
      if (text.length > 0) out(text);
    }
  }
}

/** The encoding declared by the SGML header or XML declaration; Windows-1252 where only ASCII is promised. */
export function detectEncoding(head: string): string {
  const firstTag = head.indexOf('<');
  const sgmlHeader = firstTag < 0 ? head : head.slice(0, firstTag);
  if (/OFXHEADER\s*:/i.test(sgmlHeader)) {
    const encoding = headerValue(sgmlHeader, 'ENCODING');
    const charset = headerValue(sgmlHeader, 'CHARSET');
    if (encoding !== null && /^(UTF-?8|UNICODE)$/i.test(encoding)) return 'utf-8';
    return charsetEncoding(charset);
  }
  const declaration = /<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/i.exec(head);
  if (declaration) return charsetEncoding(declaration[1]!);
  return 'utf-8';
}

function headerValue(header: string, key: string): string | null {
  const match = new RegExp(`(?:^|[\\r\\n])\\s*${key}\\s*:\\s*([^\\r\\n<]*)`, 'i').exec(header);
  return match ? match[1]!.trim() : null;
}

/** OFX 1.x CHARSET values (1252, ISO-8859-1, NONE…) and XML encoding names to an iconv-lite name. */
function charsetEncoding(charset: string | null): string {
  if (charset === null) return 'windows-1252';
  const name = charset.trim().toLowerCase();
  if (name === '' || name === 'none' || name === 'usascii' || name === 'us-ascii' || name === 'ascii')
    return 'windows-1252';
  if (/^\d{3,4}$/.test(name)) return `windows-${name}`;
  if (/^8859-\d+$/.test(name)) return `iso-${name}`;
  if (name === 'utf8' || name === 'utf-8') return 'utf-8';
  return iconv.encodingExists(name) ? name : 'windows-1252';
}

/** Windows-1252 differs from Latin-1 only in 0x80-0x9F (WHATWG mapping; unassigned bytes stay C1). */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_RANGE = /[\x80-\x9f]/g;

/**
 * Windows-1252 through Node's native Latin-1 decoding plus a fix-up of the 32 bytes where they differ:
 * much faster than a table decoder in JavaScript, and most OFX 1.x files declare CHARSET:1252.
 */
function windows1252Decoder(): ChunkDecoder {
  return {
    write: (chunk) => {
      const text = chunk.toString('latin1');
      C1_RANGE.lastIndex = 0;
      return C1_RANGE.test(text) ? text.replace(C1_RANGE, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : text;
    },
    end: () => '',
  };
}

function createDecoder(encoding: string): ChunkDecoder {
  if (encoding === 'windows-1252') return windows1252Decoder();
  if (encoding === 'utf-8' || encoding === 'iso-8859-1' || encoding === 'latin1') {
    const decoder = new StringDecoder(encoding === 'utf-8' ? 'utf8' : 'latin1');
    return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() };
  }
  const decoder = iconv.getDecoder(iconv.encodingExists(encoding) ? encoding : 'windows-1252');
  return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
}
