/**
 * One measured run for bench/import-invoices.ts, in its own process so that its peak memory is its own:
 *
 *   node --import tsx bench/import-child.ts import --target DIR|URL --company CODE --file PATH [--kind invoices]
 *   node --import tsx bench/import-child.ts pglite-copy --file PATH
 *
 * `import` opens the database, calls `importFile` and reports, as one JSON line on stdout, the wall time of
 * the `importFile` call alone, peak RSS (sampled every 50 ms, and the kernel's maxRSS), and where the time
 * went: each SQL statement the import ran (COPY included) with its time, the time before the transaction
 * (hashing the file), the read phase (parse + validate + load, up to the last progress call; a batch's
 * statements run while node parses the next, so statement times and JavaScript time overlap) and
 * what came after (cross-row checks, merge, journal, COMMIT). The statements are timed by wrapping the
 * database's client pool, which the import does not know about; the overhead is a few hundred
 * `performance.now()` calls. On PostgreSQL it also reports the server backend's peak RSS (VmHWM), read
 * from /proc because the server runs on this machine.
 *
 * `pglite-copy` is PGlite's own bare COPY of the file into an unindexed text table (a fresh temporary
 * directory): the ceiling for the PGlite engine, as PostgreSQL's COPY is for the server.
 */
import { mkdtempSync, openAsBlob, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type ImportKind, type ImportSummary, importFile } from '../src/imports/index.js';
import { loadCompany } from '../src/ledger/index.js';
import type { ClientPool, QueryResult, SqlClient } from '../src/store/client.js';
import { Database } from '../src/store/database.js';
import { ALL_MIGRATIONS } from '../src/store/migrations.js';
import { oneOf, parseFlags } from './lib/args.js';

const MIB = 1024 * 1024;
const SAMPLE_MS = 50;

export interface StatementTime {
  sql: string;
  calls: number;
  ms: number;
}

export interface ChildReport {
  mode: 'import' | 'pglite-copy';
  seconds: number;
  cpuSeconds: number;
  rows: number;
  summary: ImportSummary | null;
  peakRssMiB: number;
  /** RSS before the import (node, tsx, the code, an open database): not the import's doing. */
  startRssMiB: number;
  peakHeapMiB: number;
  /** PostgreSQL server backend of the import's connection: peak RSS (VmHWM), shared buffers included. */
  backendPeakRssMiB: number | null;
  /** CPU seconds the PostgreSQL backend spent during the import. */
  backendCpuSeconds: number | null;
  /** The machine's 1-minute load average before and after: other work competing for the 2 cores. */
  loadBefore: number;
  loadAfter: number;
  phases: {
    /** Before the transaction: hashing the file (SHA-256). */
    hashS: number;
    /** From BEGIN to the last progress call: prepare, parse + validate, COPY into the stage table. */
    readS: number;
    /** Of readS: SQL (COPY and prepare statements); the rest is JavaScript: CSV parse, validate, COPY text. */
    readSqlS: number;
    /** Of readS: the COPY statements alone. */
    copyS: number;
    /** After the last progress call: checks, merge, journal, import_batch, COMMIT. */
    afterReadS: number;
    /** Of afterReadS: SQL. */
    afterReadSqlS: number;
  } | null;
  statements: StatementTime[];
  error: string | null;
}

interface Args {
  mode: 'import' | 'pglite-copy';
  target: string;
  company: string;
  file: string;
  kind: ImportKind;
}

function parseArgs(argv: readonly string[]): Args {
  const mode = argv[0];
  if (mode !== 'import' && mode !== 'pglite-copy')
    throw new Error('usage: import-child.ts import|pglite-copy …');
  const v = parseFlags(argv.slice(1), {
    target: { type: 'string', default: '' },
    company: { type: 'string', default: '' },
    file: { type: 'string', default: '' },
    kind: { type: 'string', default: 'invoices' },
  });
  return {
    mode,
    target: v.target,
    company: v.company,
    file: v.file,
    kind: oneOf('--kind', v.kind, ['customers', 'invoices', 'payments']),
  };
}

/** Samples RSS and heap every 50 ms; `stop` returns the peaks, with the kernel's own maxRSS. */
function memorySampler() {
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, SAMPLE_MS);
  return {
    startRssMiB: startRss / MIB,
    stop() {
      clearInterval(timer);
      const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
      return {
        peakRssMiB: maxRss / MIB,
        peakHeapMiB: Math.max(peakHeap, process.memoryUsage().heapUsed) / MIB,
      };
    },
  };
}

/** Statement text as a label: whitespace collapsed, parameters and long tails cut. */
function label(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 90 ? `${flat.slice(0, 90)}…` : flat;
}

interface Trace {
  beginAt: number | null;
  lastProgressAt: number | null;
  calls: { sql: string; start: number; ms: number; copy: boolean }[];
  backendPid: number | null;
}

/** Wraps the database's pool so every statement the import runs is timed. */
function traceDatabase(database: Database, trace: Trace): void {
  const holder = database as unknown as { pool: ClientPool };
  const pool = holder.pool;
  holder.pool = {
    end: () => pool.end(),
    // The import runs in one transaction: it never asks for a second connection.
    tryConnect: async () => null,
    async connect(): Promise<SqlClient> {
      const client = await pool.connect();
      const timed = async <T>(sql: string, copy: boolean, run: () => Promise<T>): Promise<T> => {
        const start = performance.now();
        if (/^\s*BEGIN\b/i.test(sql)) trace.beginAt = start;
        try {
          return await run();
        } finally {
          trace.calls.push({ sql: label(sql), start, ms: performance.now() - start, copy });
        }
      };
      return {
        query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
          return timed(text, false, () => client.query<R>(text, params));
        },
        copyFromCsv(copySql: string, csv: string | Uint8Array): Promise<number> {
          return timed(copySql, true, () => client.copyFromCsv(copySql, csv));
        },
        release: () => client.release(),
      };
    },
  };
}

/** User + system CPU seconds of a process on this machine, from /proc/PID/stat (clock ticks of 10 ms). */
function processCpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function backendPeakRssMiB(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}

async function runImport(args: Args): Promise<ChildReport> {
  const database = await Database.open({ target: args.target, migrations: ALL_MIGRATIONS });
  try {
    const ctx = await database.transaction(({ client }) => loadCompany(client, args.company));
    let backendPid: number | null = null;
    if (database.kind === 'postgres') {
      // The pool hands out the connection it has idle: the one the import will use (asserted below).
      const { rows } = await database.transaction(({ client }) =>
        client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
      );
      backendPid = rows[0]!.pid;
    }
    const trace: Trace = { beginAt: null, lastProgressAt: null, calls: [], backendPid };
    traceDatabase(database, trace);
    global.gc?.();
    const loadBefore = loadavg()[0]!;
    const backendCpuStart = processCpuSeconds(backendPid);
    const memory = memorySampler();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    let summary: ImportSummary | null = null;
    let error: string | null = null;
    try {
      summary = await importFile(database, ctx, args.kind, {
        path: args.file,
        actor: 'bench',
        onProgress: () => {
          trace.lastProgressAt = performance.now();
        },
      });
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const ended = performance.now();
    const cpu = process.cpuUsage(cpuStart);
    const peaks = memory.stop();
    const backendCpuEnd = processCpuSeconds(backendPid);
    if (backendPid !== null) {
      const rows = await database.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (rows[0]?.pid !== backendPid) backendPid = null; // another connection did the work: unknown
    }
    const begin = trace.beginAt ?? started;
    const readEnd = trace.lastProgressAt ?? ended;
    const sum = (from: number, to: number, copyOnly = false) =>
      trace.calls
        .filter((c) => c.start >= from && c.start < to && (!copyOnly || c.copy))
        .reduce((total, c) => total + c.ms, 0) / 1000;
    const bySql = new Map<string, StatementTime>();
    for (const c of trace.calls) {
      const entry = bySql.get(c.sql) ?? { sql: c.sql, calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += c.ms;
      bySql.set(c.sql, entry);
    }
    return {
      mode: 'import',
      seconds: (ended - started) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rows: summary?.rowsRead ?? 0,
      summary,
      startRssMiB: memory.startRssMiB,
      ...peaks,
      backendPeakRssMiB: backendPeakRssMiB(backendPid),
      backendCpuSeconds:
        backendCpuStart !== null && backendCpuEnd !== null && backendPid !== null
          ? backendCpuEnd - backendCpuStart
          : null,
      loadBefore,
      loadAfter: loadavg()[0]!,
      phases: {
        hashS: (begin - started) / 1000,
        readS: (readEnd - begin) / 1000,
        readSqlS: sum(begin, readEnd),
        copyS: sum(begin, readEnd, true),
        afterReadS: (ended - readEnd) / 1000,
        afterReadSqlS: sum(readEnd, Number.POSITIVE_INFINITY),
      },
      statements: [...bySql.values()].sort((a, b) => b.ms - a.ms),
      error,
    };
  } finally {
    await database.close();
  }
}

const COPY_TABLE = `CREATE TABLE bare_invoice (invoice_number text, customer_id text, type text, invoice_date text,
  due_date text, amount text, currency text, po_number text, description text)`;

async function runPgliteCopy(args: Args): Promise<ChildReport> {
  const dir = mkdtempSync(join(tmpdir(), 'openar-bench-pglite-copy-'));
  try {
    const pg = await PGlite.create(dir);
    await pg.exec(COPY_TABLE);
    const loadBefore = loadavg()[0]!;
    const memory = memorySampler();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    // PGlite's COPY reads a Blob (/dev/blob); openAsBlob maps the file without reading it into the heap.
    const blob = await openAsBlob(args.file);
    const result = await pg.query("COPY bare_invoice FROM '/dev/blob' WITH (FORMAT csv, HEADER)", [], {
      blob,
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const peaks = memory.stop();
    await pg.close();
    return {
      mode: 'pglite-copy',
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rows: result.affectedRows ?? 0,
      summary: null,
      startRssMiB: memory.startRssMiB,
      ...peaks,
      backendPeakRssMiB: null,
      backendCpuSeconds: null,
      loadBefore,
      loadAfter: loadavg()[0]!,
      phases: null,
      statements: [],
      error: null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const report = args.mode === 'import' ? await runImport(args) : await runPgliteCopy(args);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
