/**
 * Measures the MT940 or OFX reader on a generated file:
 * `node --import tsx bench/formats/measure-mt940-ofx.ts mt940|ofx [MB] [existing-file]`.
 * Generates the file with gen-mt940.ts / gen-ofx.ts into the OS temp folder, parses it with a counting
 * sink and prints MB/s and peak RSS. Not a test: timings depend on the machine.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FormatParser, ParseSink, ParseWarning } from '../../src/formats/model.js';
import { parser as mt940 } from '../../src/formats/mt940/index.js';
import { parser as ofx } from '../../src/formats/ofx/index.js';
import { generate as generateMt940 } from './gen-mt940.js';
import { generate as generateOfx } from './gen-ofx.js';

type Generate = typeof generateMt940;

async function writeFile(path: string, bytes: number, generate: Generate): Promise<void> {
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
  const format = process.argv[2] === 'ofx' ? 'ofx' : 'mt940';
  const [parser, generate]: [FormatParser, Generate] =
    format === 'ofx' ? [ofx, generateOfx] : [mt940, generateMt940];
  const megabytes = Number(process.argv[3] ?? '200');
  const given = process.argv[4];
  const path =
    given ?? join(tmpdir(), `openar-${format}-bench-${megabytes}.${format === 'ofx' ? 'ofx' : 'sta'}`);
  if (!given) await writeFile(path, megabytes * 1_000_000, generate);
  const { size } = await stat(path);
  let entries = 0;
  let statements = 0;
  const warnings: ParseWarning[] = [];
  let peakRss = process.memoryUsage.rss();
  // Sampled by a timer: asking for the RSS at every statement costs more than parsing it on some hosts.
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 25);
  const sink: ParseSink = {
    beginStatement: () => {},
    entry: () => {
      entries++;
    },
    endStatement: () => {
      statements++;
    },
    remittance: () => {},
    warning: (w) => {
      warnings.push(w);
    },
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await parser.parse(createReadStream(path, { highWaterMark: 1 << 20 }), { fileName: path }, sink);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  // On a shared machine wall time includes other processes' load; CPU time is this process's own work.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${format}: ${(size / 1e6).toFixed(0)} MB, ${statements} statements, ${entries} entries, ${warnings.length} warnings: ` +
      `${(size / 1e6 / seconds).toFixed(1)} MB/s wall, ${(size / 1e6 / cpuSeconds).toFixed(1)} MB/s per CPU second, ` +
      `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
  );
  for (const w of warnings.slice(0, 5)) console.log(`  ${w.code}: ${w.message}`);
  if (!given) await rm(path);
}

await main();
