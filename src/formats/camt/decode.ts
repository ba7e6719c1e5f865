/**
 * Turns the byte stream into text for saxes, honouring a BOM and the XML declaration's encoding
 * (UTF-8 when there is none). Decoding is streaming: a multi-byte character split across chunks is kept.
 */
import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';

interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

/** Bytes we wait for before giving up on finding the end of the XML declaration. */
const DECLARATION_WINDOW = 1024;

/** Encodings Node decodes natively (ISO-8859-1 is a strict subset of latin1 in Node's sense). */
const NATIVE_DECODERS: Readonly<Record<string, BufferEncoding>> = {
  'utf-8': 'utf8',
  'utf-16le': 'utf16le',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
  'us-ascii': 'latin1',
  ascii: 'latin1',
};

export class UnsupportedEncodingError extends Error {
  override name = 'UnsupportedEncodingError';
}

export class XmlByteDecoder {
  private decoder: ChunkDecoder | null = null;
  private pending: Buffer | null = null;
  private sawReplacement = false;
  encoding = 'utf-8';

  /** Called once when UTF-8 input holds invalid bytes (they become U+FFFD). */
  constructor(private readonly onInvalidUtf8: () => void) {}

  write(chunk: Buffer): string {
    if (this.decoder) return this.check(this.decoder.write(chunk));
    const head = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!declarationComplete(head)) {
      this.pending = head;
      return '';
    }
    this.pending = null;
    this.decoder = this.createDecoder(head);
    return this.check(this.decoder.write(head));
  }

  end(): string {
    if (!this.decoder) {
      const head = this.pending ?? Buffer.alloc(0);
      this.pending = null;
      this.decoder = this.createDecoder(head);
      return this.check(this.decoder.write(head) + this.decoder.end());
    }
    return this.check(this.decoder.end());
  }

  private createDecoder(head: Buffer): ChunkDecoder {
    this.encoding = detectEncoding(head);
    const native = NATIVE_DECODERS[this.encoding];
    if (native !== undefined) {
      // Node's own decoder is the fastest; it keeps a character split across chunks and drops a UTF-8/16 BOM below.
      const decoder = new StringDecoder(native);
      let first = true;
      return {
        write: (chunk) => {
          const text = decoder.write(chunk);
          if (!first) return text;
          first = false;
          return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
        },
        end: () => decoder.end(),
      };
    }
    if (!iconv.encodingExists(this.encoding)) throw new UnsupportedEncodingError(this.encoding);
    const decoder = iconv.getDecoder(this.encoding);
    return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
  }

  private check(text: string): string {
    if (!this.sawReplacement && this.encoding === 'utf-8' && text.includes('\uFFFD')) {
      this.sawReplacement = true;
      this.onInvalidUtf8();
    }
    return text;
  }
}

function declarationComplete(head: Buffer): boolean {
  if (head.length >= DECLARATION_WINDOW) return true;
  if (head.length < 4) return false;
  if (startsWithBom(head) !== null) return true;
  // "<?xml" in an ASCII-compatible encoding: wait for "?>".
  if (head[0] === 0x3c && head[1] === 0x3f) return head.includes('?>', 0, 'latin1');
  return true;
}

function startsWithBom(head: Buffer): string | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/** BOM first, then UTF-16 without BOM, then the declaration's `encoding`, else UTF-8. */
export function detectEncoding(head: Buffer): string {
  const bom = startsWithBom(head);
  if (bom) return bom;
  if (head[0] === 0x3c && head[1] === 0x00 && head[2] === 0x3f && head[3] === 0x00) return 'utf-16le';
  if (head[0] === 0x00 && head[1] === 0x3c && head[2] === 0x00 && head[3] === 0x3f) return 'utf-16be';
  const text = head.subarray(0, DECLARATION_WINDOW).toString('latin1');
  const declaration = /^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(text);
  const name = declaration?.[1]?.toLowerCase() ?? 'utf-8';
  // A declaration readable as single bytes cannot be UTF-16/32: the label is wrong, the bytes are UTF-8.
  if (name === 'utf8' || name.startsWith('utf-16') || name.startsWith('utf-32') || name.startsWith('ucs')) {
    return 'utf-8';
  }
  return name;
}
