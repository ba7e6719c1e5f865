/**
 * Streams a delimited-text bank export: charset from the BOM/bytes (or the mapping), delimiter from the
 * first lines (or the mapping), then records from the splitter into the row reader. Memory stays bounded:
 * only the current chunk and an unfinished record are held.
 */
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseSink } from '../model.js';
import { FieldDecoder, guessCharset, type HeadCharset, transcodeToUtf8 } from './charset.js';
import type { BankCsvMapping } from './mapping.js';
import { RowReader } from './rows.js';
import { DELIMITERS, detectDelimiter } from './sniff.js';
import { CsvSplitter, CsvSyntaxError } from './splitter.js';

/** Bytes read before deciding charset and delimiter. */
const HEAD_BYTES = 64 * 1024;
/** Bytes turned into text at a time. */
const PIECE_BYTES = 64 * 1024;
/** A record longer than this is an unterminated quote, not data. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

interface Head {
  head: Buffer;
  rest: AsyncIterator<Buffer>;
  done: boolean;
}

async function readHead(input: AsyncIterable<Buffer>): Promise<Head> {
  const rest = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < HEAD_BYTES) {
    const next = await rest.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  return { head: Buffer.concat(chunks), rest, done };
}

async function* chunksOf(head: Head): AsyncGenerator<Buffer> {
  if (head.head.length > 0) yield head.head;
  if (head.done) return;
  for (;;) {
    const next = await head.rest.next();
    if (next.done) return;
    yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
  }
}

function mappedCharset(encoding: string): string {
  const lower = encoding.toLowerCase().replace(/_/g, '-');
  if (lower === 'utf8') return 'utf-8';
  if (lower === 'cp1252' || lower === 'win1252') return 'windows-1252';
  return lower;
}

/** A delimiter for a file whose lines do not agree (one line only): the candidate most frequent in it. */
function fallbackDelimiter(text: string): string {
  const firstLine = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
  let best: string = ',';
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    const count = firstLine.split(delimiter).length - 1;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

export async function parseCsv(
  input: AsyncIterable<Buffer>,
  options: ParseOptions,
  mapping: BankCsvMapping | null,
  sink: ParseSink,
): Promise<void> {
  let head = await readHead(input);
  let charset: HeadCharset | string = mapping?.encoding ? mappedCharset(mapping.encoding) : null;
  let bomLength = 0;
  const guess = guessCharset(head.head);
  if (charset === null) charset = guess.charset;
  if (guess.bomLength > 0 && (guess.charset === charset || mapping?.encoding === undefined))
    bomLength = guess.bomLength;
  if (charset === 'utf-16le' || charset === 'utf-16be') {
    // iconv strips the BOM itself.
    head = await readHead(transcodeToUtf8(chunksOf(head), charset));
    charset = 'utf-8';
    bomLength = 0;
  }
  const body = head.head.subarray(bomLength);
  const headText = body.toString('latin1');
  const delimiter =
    mapping?.delimiter ?? detectDelimiter(headText, head.done)?.delimiter ?? fallbackDelimiter(headText);
  const decoder = new FieldDecoder(charset);
  const reader = new RowReader({
    fileName: options.fileName,
    strict: options.strict === true,
    mapping,
    sink,
    delimiter,
    locate: (line) => ({ line }),
    extras: {},
  });
  const decoding = charset === 'latin1' || charset === 'iso-8859-1' ? null : decoder;
  const splitter = new CsvSplitter(
    delimiter,
    (cells, line) => reader.row(cells, line),
    mapping?.quote ?? '"',
    decoding,
  );
  try {
    await splitAll(splitter, { ...head, head: body }, options.fileName);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new ParseError(
        'csv-syntax',
        { file: options.fileName, line: error.line, expected: error.expected, found: error.found },
        'malformed CSV record',
        { cause: error },
      );
    }
    throw error;
  }
  reader.finish();
}

/**
 * Feeds the input to the splitter in pieces of at most PIECE_BYTES (views, not copies): the text of a piece
 * is a young-generation string that a scavenge frees, instead of a large object waiting for a full GC, which
 * keeps a 1 GB parse fast and its memory flat. The bytes of an unfinished record are carried into the next
 * piece, joined with that piece's first line only, so pieces are not copied.
 */
class Feeder {
  private carry: Buffer | null = null;

  constructor(
    private readonly splitter: CsvSplitter,
    private readonly fileName: string,
  ) {}

  feed(chunk: Buffer): void {
    for (let at = 0; at < chunk.length; at += PIECE_BYTES) {
      this.piece(chunk.subarray(at, Math.min(chunk.length, at + PIECE_BYTES)));
    }
  }

  end(): void {
    const carry = this.carry;
    if (carry !== null) this.splitter.push(carry.toString('latin1'), true, carry);
  }

  private piece(chunk: Buffer): void {
    const splitter = this.splitter;
    const carry = this.carry;
    let bytes: Buffer = chunk;
    if (carry !== null) {
      const lf = chunk.indexOf(10);
      if (lf < 0) {
        bytes = Buffer.concat([carry, chunk]);
      } else {
        const joined = Buffer.concat([carry, chunk.subarray(0, lf + 1)]);
        const consumed = splitter.push(joined.toString('latin1'), false, joined);
        const rest = chunk.subarray(lf + 1);
        bytes = consumed === joined.length ? rest : Buffer.concat([joined.subarray(consumed), rest]);
      }
    }
    const consumed = splitter.push(bytes.toString('latin1'), false, bytes);
    this.carry = consumed < bytes.length ? bytes.subarray(consumed) : null;
    if (this.carry !== null && this.carry.length > MAX_RECORD_BYTES) {
      throw new ParseError(
        'truncated',
        {
          file: this.fileName,
          line: splitter.nextLine,
          expected: 'a closing quote',
          found: this.carry.subarray(0, 40).toString('latin1'),
        },
        `a record runs over ${MAX_RECORD_BYTES} bytes: unterminated quoted field`,
      );
    }
  }
}

async function splitAll(splitter: CsvSplitter, head: Head, fileName: string): Promise<void> {
  const feeder = new Feeder(splitter, fileName);
  for await (const chunk of chunksOf(head)) feeder.feed(chunk);
  feeder.end();
}
