/**
 * Parses an existing file with one format reader:
 * `node --import tsx bench/formats/measure-file.ts FORMAT FILE [--runs N] [--digest]`.
 * Prints MB/s (wall and per CPU second) for each run, so a reader can be compared before and after a
 * change on the very same file (generate one with `run.ts --keep`). `--digest` hashes every sink event
 * (entries, statements, remittances, warnings as JSON) instead of only counting them: two versions of a
 * reader that print the same digest produced the same output. Not a test: timings depend on the machine.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FormatParser, ParseSink } from '../../src/formats/model.js';

const [format, file, ...rest] = process.argv.slice(2);
if (!format || !file) throw new Error('usage: measure-file.ts FORMAT FILE [--runs N] [--digest]');
const runsAt = rest.indexOf('--runs');
const runs = runsAt >= 0 ? Number.parseInt(rest[runsAt + 1] ?? '1', 10) : 1;
const digest = rest.includes('--digest');

const url = pathToFileURL(
  join(resolve(import.meta.dirname, '../..'), 'src', 'formats', format, 'index.ts'),
).href;
const { parser } = (await import(url)) as { parser: FormatParser };
const { size } = await stat(file);

for (let run = 0; run < runs; run++) {
  const counts = { statements: 0, entries: 0, remittances: 0, warnings: 0 };
  const hash = createHash('sha256');
  const feed = (kind: string, value: unknown) => {
    if (digest) hash.update(`${kind}${JSON.stringify(value)}\n`);
  };
  const sink: ParseSink = {
    beginStatement: () => feed('B', null),
    entry: (e) => {
      counts.entries++;
      feed('E', e);
    },
    endStatement: (s) => {
      counts.statements++;
      feed('S', s);
    },
    remittance: (r) => {
      counts.remittances++;
      feed('R', r);
    },
    warning: (w) => {
      counts.warnings++;
      feed('W', w);
    },
  };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await parser.parse(createReadStream(file, { highWaterMark: 1 << 20 }), { fileName: 'bench' }, sink);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${format}: ${(size / 1e6).toFixed(0)} MB ${(size / 1e6 / seconds).toFixed(1)} MB/s wall, ` +
      `${(size / 1e6 / cpuSeconds).toFixed(1)} MB/s of CPU; ${JSON.stringify(counts)}` +
      (digest ? ` digest ${hash.digest('hex').slice(0, 16)}` : ''),
  );
}
