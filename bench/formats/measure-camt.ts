/**
 * Measures the camt reader on a generated file: `node --import tsx bench/formats/measure-camt.ts [MB]`.
 * Generates the file with gen-camt.ts into the OS temp folder, parses it with a counting sink and prints
 * MB/s and peak RSS. Not a test: timings depend on the machine.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '../../src/formats/camt/index.js';
import type { BankEntry, ParseSink, ParseWarning } from '../../src/formats/model.js';
import { generate } from './gen-camt.js';

async function writeFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  await generate(
    (chunk) =>
      new Promise<void>((resolve) => {
        if (out.write(chunk)) resolve();
        else out.once('drain', () => resolve());
      }),
    bytes,
  );
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? '200');
  const path = process.argv[3] ?? join(tmpdir(), `openar-camt-bench-${megabytes}.xml`);
  if (!process.argv[3]) await writeFile(path, megabytes * 1_000_000);
  const { size } = await stat(path);
  let entries = 0;
  let statements = 0;
  const warnings: ParseWarning[] = [];
  let peakRss = 0;
  const sink: ParseSink = {
    beginStatement: () => {},
    entry: (_entry: BankEntry) => {
      entries++;
    },
    endStatement: () => {
      statements++;
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    },
    remittance: () => {},
    warning: (w) => {
      warnings.push(w);
    },
  };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await parser.parse(createReadStream(path, { highWaterMark: 1 << 20 }), { fileName: path }, sink);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  // CPU time is steadier than wall time on a shared machine; both are printed.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${(size / 1e6).toFixed(0)} MB, ${statements} statements, ${entries} entries, ${warnings.length} warnings: ` +
      `${(size / 1e6 / seconds).toFixed(1)} MB/s wall, ${(size / 1e6 / cpuSeconds).toFixed(1)} MB/s of CPU time, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  if (!process.argv[3]) await rm(path);
}

await main();
