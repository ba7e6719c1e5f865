/**
 * OFX 1.x (SGML) and 2.x (XML) reader for bank (`STMTRS`) and credit-card (`CCSTMTRS`) statements.
 * Streams: bytes are decoded per the declared charset, tokenized tolerantly (unclosed SGML leaves),
 * and each STMTTRN goes to the sink when its aggregate closes. See docs/formats/ofx.md.
 */
import { ParseError } from '../errors.js';
import type { FormatParser, ParseOptions, ParseSink } from '../model.js';
import { OfxByteDecoder } from './decode.js';
import { OfxReader } from './reader.js';
import { OfxSyntaxError, OfxTokenizer } from './tokenizer.js';

const SNIFF_CHARS = 4096;

/** `OFXHEADER:` (1.x) or `<?OFX` / `<OFX>` (2.x, or headerless) near the start of the file. */
export function sniffOfx(head: Buffer): boolean {
  let text = head.toString('latin1', 0, Math.min(head.length, SNIFF_CHARS));
  if (text.charCodeAt(0) === 0xef && text.charCodeAt(1) === 0xbb && text.charCodeAt(2) === 0xbf)
    text = text.slice(3);
  if (/^\s*OFXHEADER\s*:\s*\d/.test(text)) return true;
  if (/<\?OFX\s[^>]*OFXHEADER/i.test(text)) return true;
  // Headerless OFX: the document starts (after an optional XML declaration) with <OFX>.
  return /^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<OFX>/i.test(text);
}

async function parseOfx(input: AsyncIterable<Buffer>, options: ParseOptions, sink: ParseSink): Promise<void> {
  const reader = new OfxReader(options, sink);
  const tokenizer = new OfxTokenizer(reader);
  reader.attach(tokenizer);
  const decoder = new OfxByteDecoder();
  const feed = (text: string) => tokenizer.write(text);
  try {
    for await (const chunk of input) decoder.write(chunk, feed);
    decoder.end(feed);
    tokenizer.end();
  } catch (error) {
    if (error instanceof OfxSyntaxError) {
      throw new ParseError(
        error.code,
        {
          file: options.fileName,
          line: tokenizer.line(),
          path: tokenizer.path() || undefined,
          expected: 'well-formed OFX',
        },
        error.message,
        { cause: error },
      );
    }
    throw error;
  }
  reader.finish(tokenizer.strayText);
}

export const parser: FormatParser = {
  format: 'ofx',
  sniff: sniffOfx,
  parse: parseOfx,
};
