/**
 * Runs inside a worker thread (see `isolated-parser.ts`): parses the bytes it is sent with one
 * format reader and answers with the result or the error, so that a reader that hangs, even in a
 * synchronous loop, can be killed by terminating the thread.
 */
import { parentPort } from 'node:worker_threads';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import { parserFor } from '../index.js';
import type { BankEntry, FormatName, StatementInfo } from '../model.js';
import type { WorkerReply, WorkerRequest } from './isolated-parser.js';

async function* chunksOf(bytes: Uint8Array, chunkBytes: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = Math.max(1, chunkBytes);
  for (let start = 0; start < buffer.length; start += size) yield buffer.subarray(start, start + size);
}

/**
 * Collects like `CollectingSink` but records violations of the sink protocol instead of throwing, and
 * notices a statement left open at the end: its entries would otherwise vanish without a word.
 */
class CheckingSink extends CollectingSink {
  readonly protocolErrors: string[] = [];
  private open = false;

  override beginStatement(): void {
    if (this.open) this.protocolErrors.push('beginStatement() while a statement is open');
    this.open = true;
    super.beginStatement();
  }

  override entry(entry: BankEntry): void {
    if (!this.open) {
      this.protocolErrors.push('entry() outside a statement');
      return;
    }
    super.entry(entry);
  }

  override endStatement(statement: StatementInfo): void {
    if (!this.open) {
      this.protocolErrors.push('endStatement() without beginStatement()');
      return;
    }
    this.open = false;
    super.endStatement(statement);
  }

  finish(): void {
    if (this.open)
      this.protocolErrors.push('parse() returned with a statement still open (its entries were lost)');
  }
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  if (request.spinForever) spin();
  const format: FormatName = request.format;
  const sink = new CheckingSink(format);
  try {
    await parserFor(format).parse(
      chunksOf(request.bytes, request.chunkBytes),
      { fileName: request.fileName, lenient: request.lenient, strict: request.strict },
      sink,
    );
    sink.finish();
    return { id: request.id, kind: 'ok', result: sink.result, protocolErrors: sink.protocolErrors };
  } catch (error) {
    if (error instanceof ParseError) {
      return { id: request.id, kind: 'parse-error', code: error.code, message: error.message };
    }
    const e = error instanceof Error ? error : new Error(String(error));
    return { id: request.id, kind: 'crash', name: e.name, message: e.message, stack: e.stack ?? '' };
  }
}

function spin(): void {
  let turns = 0;
  for (;;) turns = (turns + 1) % 1_000_000;
}

const port = parentPort;
if (port === null) throw new Error('parse-worker.ts must run in a worker thread');
port.on('message', (request: WorkerRequest) => {
  void handle(request).then((reply) => {
    try {
      port.postMessage(reply);
    } catch (error) {
      // A result that cannot be cloned (a function, a symbol…) is a reader bug too.
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ id: request.id, kind: 'crash', name: 'DataCloneError', message, stack: '' });
    }
  });
});
port.postMessage({ id: -1, kind: 'ready' } satisfies WorkerReply);
