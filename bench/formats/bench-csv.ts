/**
 * Measures the CSV reader: writes a generated export of MEGABYTES (default 200) to a temporary file, then
 * parses it with a counting sink and prints MB/s and peak RSS.
 *   node --import tsx bench/formats/bench-csv.ts [MEGABYTES]
 */
import { createReadStream, createWriteStream, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '../../src/formats/csv/index.js';
import type { ParseSink } from '../../src/formats/model.js';
import { generate } from './gen-csv.js';

async function writeFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  await generate(
    (chunk) =>
      new Promise<void>((resolveWrite, reject) => {
        out.write(chunk, (error) => (error ? reject(error) : resolveWrite()));
      }),
    bytes,
  );
  await new Promise<void>((done) => out.end(done));
}

async function main(): Promise<void> {
  const megabytes = Number.parseInt(process.argv[2] ?? '200', 10);
  const path = join(tmpdir(), `openar-bench-${process.pid}.csv`);
  await writeFile(path, megabytes * 1024 * 1024);
  const size = statSync(path).size;
  let entries = 0;
  let statements = 0;
  const warnings: string[] = [];
  const sink: ParseSink = {
    beginStatement: () => {
      statements++;
    },
    entry: () => {
      entries++;
    },
    endStatement: () => {},
    remittance: () => {},
    warning: (w) => {
      if (warnings.length < 5) warnings.push(`${w.code}: ${w.message}`);
    },
  };
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  try {
    await parser.parse(createReadStream(path, { highWaterMark: 1 << 20 }), { fileName: 'bench.csv' }, sink);
  } finally {
    clearInterval(timer);
    unlinkSync(path);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    `csv: ${(size / 1e6).toFixed(0)} MB, ${statements} statements, ${entries} entries in ${seconds.toFixed(2)} s = ` +
      `${(size / 1e6 / seconds).toFixed(1)} MB/s (CPU time ${cpuSeconds.toFixed(2)} s = ${(size / 1e6 / cpuSeconds).toFixed(1)} MB/s), ` +
      `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
  );
  for (const w of warnings) console.log(`warning ${w}`);
}

await main();
