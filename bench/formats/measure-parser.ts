/**
 * Measures a format reader on a generated file: `node --import tsx bench/formats/measure-parser.ts nacha 200`
 * generates about 200 MB with bench/formats/gen-<format>.ts into the temp directory, parses it with a sink
 * that only counts, and prints MB/s and peak RSS. Not a test: timings are machine-dependent.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FormatName, FormatParser, ParseSink } from '../../src/formats/model.js';

const format = (process.argv[2] ?? 'nacha') as FormatName;
const megabytes = Number.parseInt(process.argv[3] ?? '200', 10);

const generator = (await import(`./gen-${format}.ts`)) as {
  generate(write: (chunk: string) => Promise<void> | void, targetBytes: number): Promise<void>;
};
// Imported directly (not through the registry) so a half-finished reader of another format cannot break it.
const { parser } = (await import(`../../src/formats/${format}/index.ts`)) as { parser: FormatParser };
const path = join(tmpdir(), `openar-bench-${format}-${process.pid}.dat`);
const out = createWriteStream(path);
await generator.generate(async (chunk) => {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}, megabytes * 1e6);
await new Promise<void>((resolve) => out.end(() => resolve()));
const size = (await stat(path)).size;

const counts = { statements: 0, entries: 0, remittances: 0, warnings: 0 };
const sink: ParseSink = {
  beginStatement: () => {},
  entry: () => {
    counts.entries++;
  },
  endStatement: () => {
    counts.statements++;
  },
  remittance: () => {
    counts.remittances++;
  },
  warning: () => {
    counts.warnings++;
  },
};
let peak = process.memoryUsage().rss;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const started = process.hrtime.bigint();
try {
  await parser.parse(createReadStream(path, { highWaterMark: 1 << 20 }), { fileName: path }, sink);
} finally {
  clearInterval(timer);
  await unlink(path);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
peak = Math.max(peak, process.memoryUsage().rss);
console.log(
  `${format}: ${(size / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s = ${(size / 1e6 / seconds).toFixed(1)} MB/s; ` +
    `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB; ${JSON.stringify(counts)}`,
);
