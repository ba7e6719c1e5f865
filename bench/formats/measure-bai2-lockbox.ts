/**
 * Measures the BAI2 and lockbox readers: generates a file of the given size (MB) with the bench
 * generator (once; reused while it exists), then parses it in a fresh process into a counting sink
 * and reports MB/s, CPU time and peak RSS (so the generator's memory does not count).
 *
 *   node --import tsx bench/formats/measure-bai2-lockbox.ts bai2 200
 *   node --import tsx bench/formats/measure-bai2-lockbox.ts lockbox 200
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser as bai2 } from '../../src/formats/bai2/index.js';
import { parser as lockbox } from '../../src/formats/lockbox/index.js';
import type { ParseSink } from '../../src/formats/model.js';
import { generate as generateBai2 } from './gen-bai2.js';
import { generate as generateLockbox } from './gen-lockbox.js';

type Format = 'bai2' | 'lockbox';

async function writeFile(format: Format, path: string, megabytes: number): Promise<void> {
  const stream = createWriteStream(path);
  const write = (chunk: string): Promise<void> =>
    new Promise((done, fail) => {
      stream.write(chunk, (error) => (error ? fail(error) : done()));
    });
  await (format === 'bai2' ? generateBai2 : generateLockbox)(write, megabytes * 1024 * 1024);
  await new Promise<void>((done) => stream.end(done));
}

async function parseOnly(format: Format, path: string): Promise<void> {
  const bytes = (await stat(path)).size;
  const counts = { statements: 0, entries: 0, remittances: 0, warnings: 0 };
  const sink: ParseSink = {
    beginStatement: () => {
      counts.statements++;
    },
    entry: () => {
      counts.entries++;
    },
    endStatement: () => {},
    remittance: () => {
      counts.remittances++;
    },
    warning: () => {
      counts.warnings++;
    },
  };
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  await (format === 'bai2' ? bai2 : lockbox).parse(
    createReadStream(path, { highWaterMark: 1024 * 1024 }),
    { fileName: path },
    sink,
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const mb = bytes / 1024 / 1024;
  console.log(
    `${format}: ${mb.toFixed(1)} MB in ${seconds.toFixed(2)} s = ${(mb / seconds).toFixed(1)} MB/s ` +
      `(CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s); ${counts.statements} statements, ${counts.entries} entries, ` +
      `${counts.remittances} remittances, ${counts.warnings} warnings; peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
  );
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--parse-only') {
  await parseOnly(rest[0] === 'lockbox' ? 'lockbox' : 'bai2', rest[1]!);
} else {
  const format: Format = mode === 'lockbox' ? 'lockbox' : 'bai2';
  const megabytes = Number.parseInt(rest[0] ?? '200', 10);
  const path = join(tmpdir(), `openar-bench-${format}-${megabytes}mb.txt`);
  if (!existsSync(path)) await writeFile(format, path, megabytes);
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--parse-only', format, path],
    { stdio: 'inherit' },
  );
  process.exitCode = child.status ?? 1;
}
