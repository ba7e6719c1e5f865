/**
 * Format reader benchmark: `node --import tsx bench/formats/run.ts [--size MB] [--format a,b] [--keep]`.
 *
 * For each format with a generator `bench/formats/gen-<format>.ts`, one at a time: generates a file of
 * about `--size` MB (10^6 bytes; default 1024) into bench/out/, measures a bare read of it (1 MiB
 * chunks, counting bytes), then parses it in a fresh child process (`--child FORMAT FILE`, read in the chunks `openar` uses) into a
 * counting sink while sampling RSS and heap every 50 ms, so memory figures belong to one format.
 * Deletes the file unless `--keep`. Prints a markdown table. Not a test: numbers depend on the machine
 * (and the file is read from the page cache right after it was written, so both figures are CPU-bound).
 * "MB/s of CPU" divides by the child's user + system CPU time: steadier than wall time on a busy machine;
 * "met?" judges the wall-clock figure.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statfsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readChunkBytes } from '../../src/formats/index.js';
import { FORMAT_NAMES, type FormatName, type FormatParser, type ParseSink } from '../../src/formats/model.js';
import { list, parseFlags } from '../lib/args.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const OUT_DIR = join(REPO, 'bench', 'out');
const MB = 1_000_000;
const MIB = 1024 * 1024;
const SAMPLE_MS = 50;
const MEMORY_TARGET_MIB = 200;
/** Throughput targets from the issue (MB/s); formats without one only have the memory target. */
const SPEED_TARGET_MBS: Partial<Record<FormatName, number>> = {
  bai2: 100,
  mt940: 100,
  nacha: 100,
  csv: 100,
  camt: 30,
};

interface ChildReport {
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  statements: number;
  entries: number;
  remittances: number;
  warnings: number;
  firstWarning: string | null;
  peakRssMiB: number;
  peakHeapMiB: number;
  /** RSS before parsing (node + tsx + the reader's code): the part of the peak the reader is not to blame for. */
  startRssMiB: number;
  error: string | null;
}

interface Row {
  format: FormatName;
  fileMB: number;
  bareMBs: number;
  child: ChildReport;
}

type Generate = (write: (chunk: string) => Promise<void> | void, targetBytes: number) => Promise<void>;

// ---------------------------------------------------------------- child: parse one file, report JSON

/** Loads only the reader under test, so that a sibling reader being edited cannot break its run. */
async function loadReader(format: FormatName): Promise<FormatParser> {
  const url = pathToFileURL(join(REPO, 'src', 'formats', format, 'index.ts')).href;
  const module = (await import(url)) as { parser: FormatParser };
  return module.parser;
}

async function runChild(format: FormatName, file: string): Promise<void> {
  const parser = await loadReader(format);
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, SAMPLE_MS);
  const counts = {
    statements: 0,
    entries: 0,
    remittances: 0,
    warnings: 0,
    firstWarning: null as string | null,
  };
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
    warning: (w) => {
      counts.warnings++;
      counts.firstWarning ??= `${w.code}: ${w.message}`;
    },
  };
  const { size } = await stat(file);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let error: string | null = null;
  try {
    await parser.parse(
      createReadStream(file, { highWaterMark: readChunkBytes(format) }),
      { fileName: file },
      sink,
    );
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  clearInterval(sampler);
  // maxRSS (KiB) is the kernel's own peak: it catches spikes between two samples.
  const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  const report: ChildReport = {
    bytes: size,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...counts,
    peakRssMiB: maxRss / MIB,
    peakHeapMiB: Math.max(peakHeap, process.memoryUsage().heapUsed) / MIB,
    startRssMiB: startRss / MIB,
    error,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------- parent

interface Args {
  sizeMB: number;
  formats: FormatName[];
  keep: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const v = parseFlags(
    argv,
    {
      size: { type: 'string', default: '1024' },
      format: { type: 'string', multiple: true },
      keep: { type: 'boolean', default: false },
    },
    'usage: run.ts [--size MB] [--format a,b] [--keep]',
  );
  const sizeMB = Number.parseInt(v.size, 10);
  if (!Number.isSafeInteger(sizeMB) || sizeMB <= 0) throw new Error('--size takes a positive whole MB');
  return { sizeMB, formats: (v.format ?? []).flatMap((names) => list(names).map(toFormat)), keep: v.keep };
}

function toFormat(name: string): FormatName {
  const found = FORMAT_NAMES.find((f) => f === name);
  if (!found) throw new Error(`unknown format "${name}"; one of ${FORMAT_NAMES.join(', ')}`);
  return found;
}

function generatorPath(format: FormatName): string {
  return join(HERE, `gen-${format}.ts`);
}

async function generateFile(format: FormatName, path: string, targetBytes: number): Promise<void> {
  const module = (await import(pathToFileURL(generatorPath(format)).href)) as { generate?: Generate };
  if (typeof module.generate !== 'function') throw new Error(`gen-${format}.ts exports no generate()`);
  const out = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  const write = (chunk: string) =>
    new Promise<void>((resolveWrite) => {
      if (out.write(chunk)) resolveWrite();
      else out.once('drain', () => resolveWrite());
    });
  await Promise.race([module.generate(write, targetBytes), failed]);
  await new Promise<void>((resolveEnd) => out.end(() => resolveEnd()));
}

async function bareRead(path: string): Promise<number> {
  const started = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: MIB })) bytes += (chunk as Buffer).length;
  return bytes / MB / ((performance.now() - started) / 1000);
}

function runChildProcess(format: FormatName, path: string): Promise<ChildReport> {
  return new Promise((resolveChild, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', format, path],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolveChild(JSON.parse(last) as ChildReport);
      } catch {
        reject(new Error(`child for ${format} exited with ${code} without a report: ${stdout.slice(-500)}`));
      }
    });
  });
}

function freeBytes(dir: string): number {
  const fs = statfsSync(dir);
  return Number(fs.bavail) * Number(fs.bsize);
}

function fixed(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function renderTable(rows: readonly Row[]): string {
  const lines = [
    '| format | file MB | bare read MB/s | parse MB/s | parse MB/s of CPU | entries | peak RSS MiB | peak heap MiB | target | met? |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const { format, fileMB, bareMBs, child } of rows) {
    const parseMBs = child.bytes / MB / child.seconds;
    const speedTarget = SPEED_TARGET_MBS[format];
    const target = `${speedTarget ? `≥ ${speedTarget} MB/s, ` : ''}< ${MEMORY_TARGET_MIB} MiB`;
    const met =
      child.error === null &&
      child.peakRssMiB < MEMORY_TARGET_MIB &&
      (speedTarget === undefined || parseMBs >= speedTarget);
    const parseCell = child.error === null ? fixed(parseMBs, 1) : 'error';
    const cpuCell = child.error === null ? fixed(child.bytes / MB / child.cpuSeconds, 1) : 'error';
    lines.push(
      `| ${format} | ${fixed(fileMB)} | ${fixed(bareMBs)} | ${parseCell} | ${cpuCell} | ${child.entries} | ${fixed(child.peakRssMiB)} | ${fixed(child.peakHeapMiB)} | ${target} | ${met ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

function renderNotes(rows: readonly Row[]): string[] {
  const notes: string[] = [];
  for (const { format, child } of rows) {
    if (child.error) notes.push(`- ${format}: parse failed: ${child.error}`);
    if (child.warnings > 0)
      notes.push(`- ${format}: ${child.warnings} warning(s), first: ${child.firstWarning}`);
    notes.push(
      `- ${format}: ${child.statements} statements, ${child.remittances} remittances, ` +
        `${fixed(child.seconds, 1)} s wall, ${fixed(child.cpuSeconds, 1)} s of CPU, ` +
        `RSS ${fixed(child.startRssMiB)} MiB before parsing`,
    );
  }
  return notes;
}

async function benchFormat(format: FormatName, args: Args): Promise<Row | string> {
  const targetBytes = args.sizeMB * MB;
  const needed = targetBytes * 1.1 + 512 * MIB;
  const free = freeBytes(OUT_DIR);
  if (free < needed) {
    return `${format}: skipped, ${fixed(free / MB)} MB free in ${OUT_DIR}, need about ${fixed(needed / MB)} MB`;
  }
  const path = join(OUT_DIR, `bench-${format}.dat`);
  try {
    process.stderr.write(`${format}: generating ${args.sizeMB} MB… `);
    await generateFile(format, path, targetBytes);
    const { size } = await stat(path);
    process.stderr.write('bare read… ');
    const bareMBs = await bareRead(path);
    process.stderr.write('parsing in a child process… ');
    const child = await runChildProcess(format, path);
    process.stderr.write('done\n');
    return { format, fileMB: size / MB, bareMBs, child };
  } finally {
    if (!args.keep) await rm(path, { force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    await runChild(toFormat(argv[1] ?? ''), argv[2] ?? '');
    return;
  }
  const args = parseArgs(argv);
  mkdirSync(OUT_DIR, { recursive: true });
  const candidates = args.formats.length > 0 ? args.formats : FORMAT_NAMES;
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const format of candidates) {
    if (!existsSync(generatorPath(format))) {
      skipped.push(`${format}: no generator bench/formats/gen-${format}.ts`);
      continue;
    }
    try {
      const outcome = await benchFormat(format, args);
      if (typeof outcome === 'string') skipped.push(outcome);
      else rows.push(outcome);
    } catch (error) {
      process.stderr.write('failed\n');
      skipped.push(`${format}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(
    `\nFormat readers, ${args.sizeMB} MB files (MB = 10^6 bytes; memory in MiB), node ${process.version}\n`,
  );
  console.log(renderTable(rows));
  const notes = [...renderNotes(rows), ...skipped.map((s) => `- ${s}`)];
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
