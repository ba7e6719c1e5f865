/**
 * Character sets of bank exports: UTF-8 (with or without BOM), Windows-1252 / ISO-8859-1 (German and
 * French banks), UTF-16 ("Unicode text" saved by Excel). The splitter works on the raw bytes read as latin1;
 * only the fields that end up in the model are decoded, and only when they contain a non-ASCII byte.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type HeadCharset = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be' | null;

export interface CharsetGuess {
  /** null: only ASCII so far, decided at the first field with a non-ASCII byte. */
  charset: HeadCharset;
  /** Length of a byte-order mark to skip. */
  bomLength: number;
}

/** Guesses the charset from the first bytes: BOMs, UTF-16 NUL patterns, then UTF-8 validity. */
export function guessCharset(head: Buffer): CharsetGuess {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { charset: 'utf-8', bomLength: 3 };
  }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { charset: 'utf-16le', bomLength: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { charset: 'utf-16be', bomLength: 2 };
  if (looksUtf16(head, 1)) return { charset: 'utf-16le', bomLength: 0 };
  if (looksUtf16(head, 0)) return { charset: 'utf-16be', bomLength: 0 };
  return { charset: charsetOfBytes(head), bomLength: 0 };
}

/** ASCII text in UTF-16 has a NUL in every other byte. */
function looksUtf16(head: Buffer, nulOffset: number): boolean {
  const pairs = Math.min(64, Math.floor(head.length / 2));
  if (pairs < 4) return false;
  let nuls = 0;
  for (let i = 0; i < pairs; i++)
    if (head[i * 2 + nulOffset] === 0 && head[i * 2 + 1 - nulOffset] !== 0) nuls++;
  return nuls >= pairs * 0.9;
}

/** 'utf-8' when the non-ASCII bytes form valid UTF-8, 'windows-1252' when not, null when all are ASCII. */
export function charsetOfBytes(bytes: Buffer): HeadCharset {
  let firstHigh = -1;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      firstHigh = i;
      break;
    }
  }
  if (firstHigh < 0) return null;
  return isUtf8(trimPartialUtf8(bytes)) ? 'utf-8' : 'windows-1252';
}

/** Drops a multi-byte sequence cut off at the end of a chunk, so that a valid file is not taken for latin1. */
function trimPartialUtf8(bytes: Buffer): Buffer {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = bytes[n - back]!;
    if (byte < 0x80) return bytes;
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needed > back ? bytes.subarray(0, n - back) : bytes;
    }
  }
  return bytes;
}

export function isKnownEncoding(name: string): boolean {
  return iconv.encodingExists(name);
}

const HIGH_BYTE = /[\u0080-\u00ff]/;

/**
 * Decodes fields read as latin1 into real text. The charset may be undecided (ASCII so far): the first
 * field with a non-ASCII byte decides it for the rest of the file.
 */
export class FieldDecoder {
  constructor(private charset: string | null) {}

  get decided(): string | null {
    return this.charset;
  }

  decode(raw: string): string {
    return HIGH_BYTE.test(raw) ? this.decodeRaw(raw) : raw;
  }

  /** Decodes a field read as latin1 that is known to contain a non-ASCII byte. */
  decodeRaw(raw: string): string {
    return this.decodeRange(raw, 0, raw.length, 0, null);
  }

  /**
   * Decodes `text[start, end)` (latin1-read bytes; `firstHigh` is the first non-ASCII position). UTF-8
   * sequences of 2 and 3 bytes and Windows-1252 are rebuilt from slices of the text, which is much cheaper
   * per line than a call into the Buffer decoder; anything else goes through Buffer/iconv-lite.
   */
  decodeRange(text: string, start: number, end: number, firstHigh: number, bytes: Buffer | null): string {
    if (this.charset === null)
      this.charset = isUtf8(rangeBytes(text, start, end, bytes)) ? 'utf-8' : 'windows-1252';
    const charset = this.charset;
    if (charset === 'utf-8') {
      return (
        utf8FromLatin1(text, start, end, firstHigh) ?? rangeBytes(text, start, end, bytes).toString('utf8')
      );
    }
    if (charset === 'latin1' || charset === 'iso-8859-1') return text.slice(start, end);
    if (charset === 'windows-1252' && !hasC1(text, firstHigh, end)) return text.slice(start, end);
    return iconv.decode(rangeBytes(text, start, end, bytes), charset);
  }
}

function rangeBytes(text: string, start: number, end: number, bytes: Buffer | null): Buffer {
  return bytes !== null ? bytes.subarray(start, end) : Buffer.from(text.slice(start, end), 'latin1');
}

/** Windows-1252 differs from latin1 only in 0x80-0x9F. */
function hasC1(text: string, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 && code <= 0x9f) return true;
  }
  return false;
}

function isContinuation(code: number): boolean {
  return (code & 0xc0) === 0x80;
}

/**
 * UTF-8 read as latin1 back to text, for 1- to 3-byte sequences; null for 4-byte or invalid sequences
 * (the caller then uses the Buffer decoder, which also replaces invalid bytes the standard way).
 */
export function utf8FromLatin1(text: string, start: number, end: number, firstHigh: number): string | null {
  let out = '';
  let from = start;
  let i = firstHigh;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let point: number;
    let length: number;
    if (c >= 0xc2 && c <= 0xdf && i + 1 < end && isContinuation(text.charCodeAt(i + 1))) {
      point = ((c & 0x1f) << 6) | (text.charCodeAt(i + 1) & 0x3f);
      length = 2;
    } else if (c >= 0xe0 && c <= 0xef && i + 2 < end) {
      const c2 = text.charCodeAt(i + 1);
      const c3 = text.charCodeAt(i + 2);
      if (!isContinuation(c2) || !isContinuation(c3)) return null;
      point = ((c & 0x0f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      if (point < 0x800 || (point >= 0xd800 && point <= 0xdfff)) return null;
      length = 3;
    } else {
      return null;
    }
    out += text.slice(from, i) + String.fromCharCode(point);
    i += length;
    from = i;
  }
  return out + text.slice(from, end);
}

/** Re-encodes a UTF-16 stream as UTF-8 bytes so the byte-wise splitter can read it. */
export async function* transcodeToUtf8(
  input: AsyncIterable<Buffer>,
  charset: string,
): AsyncGenerator<Buffer> {
  const decoder = iconv.getDecoder(charset);
  for await (const chunk of input) {
    const text = decoder.write(chunk);
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const rest = decoder.end();
  if (rest && rest.length > 0) yield Buffer.from(rest, 'utf8');
}
