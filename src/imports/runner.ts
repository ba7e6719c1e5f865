import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../ledger/context.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { CopyBuffer, copyLine } from './csv-out.js';
import { describeRowError, ImportError, MAX_REPORTED_ERRORS, type RowError } from './errors.js';
import { columnSources, FieldReader } from './fields.js';
import { DEFAULT_MAPPING, type ImportMapping } from './mapping.js';
import { readRowBatches, readRows } from './reader.js';

export type ImportKind = 'customers' | 'invoices' | 'payments';

export interface ImportOptions {
  path: string;
  mapping?: ImportMapping;
  skipBadRows?: boolean;
  /** Where rejected rows go with --skip-bad-rows (default: FILE.rejects.csv). */
  rejectPath?: string;
  actor: string;
  onProgress?: (rowsRead: number) => void;
  /** Valid rows sent to the database at a time (default 25,000); tests make batches small. */
  loadBatchRows?: number;
  /**
   * The fewest rows a file must hold (by its size) for a first load to set the table's secondary
   * indexes aside (default 50,000, see bulk-load.ts); tests make it small.
   */
  bulkLoadMinRows?: number;
}

export interface ImportSummary {
  importId: string;
  kind: ImportKind;
  file: string;
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejectPath: string | null;
  /** Set when the same file (by SHA-256) was imported before: the rows were still compared. */
  previousImportId: string | null;
}

/** What a kind of import contributes: how to stage a row, and how to merge the staged rows. */
export interface ImportHandler<Staged> {
  /** The temporary staging table; analyzed once loaded, since no autovacuum ever sees it. */
  stageTable: string;
  /** The module tables the merge writes; analyzed afterwards so the next file is planned on real sizes. */
  targetTables: readonly string[];
  /** Create the staging table and load what validation needs into memory (once). */
  prepare(client: SqlClient, source: { fileBytes: number; bulkLoadMinRows?: number }): Promise<void>;
  /** Typed row, or null with errors recorded in `reader`. */
  validate(reader: FieldReader, line: number): Staged | null;
  /** The COPY statement and the values of one staged row, in its column order. */
  copySql: string;
  toCopy(row: Staged): (string | number | null)[];
  /** A batch for the valid rows read next, in place of the default: COPY lines for the stage table. */
  newBatch?(): LoadBatch<Staged>;
  /**
   * After the last batch was loaded, in place of the default ANALYZE of the stage table.
   * `readAgain` reads the file again and gives the valid rows on the given lines (ranges, first
   * and last line included) to `row`, validated as they were the first time.
   */
  loaded?(
    client: SqlClient,
    readAgain: (lines: readonly [number, number][], row: (row: Staged) => void) => Promise<void>,
  ): Promise<void>;
  /** Errors only visible across rows or against the database (set-based), by line. */
  check(client: SqlClient): Promise<RowError[]>;
  /** Drops the given lines from staging (--skip-bad-rows). */
  discard(client: SqlClient, lines: number[]): Promise<void>;
  /** Posts the staged rows; returns counts. */
  merge(
    client: SqlClient,
    importId: string,
  ): Promise<{ inserted: number; updated: number; unchanged: number }>;
}

/** Valid rows on their way to the database, a batch at a time. */
export interface LoadBatch<Staged> {
  readonly rows: number;
  add(row: Staged): void;
  /**
   * Sends the batch. `failing` is set once the file is known to be refused: nothing need be done
   * beyond staging what the checks read.
   */
  load(client: SqlClient, failing: boolean): Promise<void>;
}

/** The default batch: the rows as COPY lines for the stage table. */
class StageBatch<Staged> implements LoadBatch<Staged> {
  rows = 0;
  private readonly csv = new CopyBuffer();

  constructor(private readonly handler: ImportHandler<Staged>) {}

  add(row: Staged): void {
    this.csv.append(copyLine(this.handler.toCopy(row)));
    this.rows++;
  }

  async load(client: SqlClient): Promise<void> {
    await client.copyFromCsv(this.handler.copySql, this.csv.data());
  }
}

export type MakeHandler<Staged> = (
  ctx: CompanyContext,
  file: string,
  actor: string,
  importId: string,
) => ImportHandler<Staged>;

/** Rows per COPY: big enough that a statement's round trip is nothing, small enough to overlap. */
const LOAD_BATCH_ROWS = 25_000;

export async function runImport<Staged>(
  database: Database,
  ctx: CompanyContext,
  kind: ImportKind,
  options: ImportOptions,
  makeHandler: MakeHandler<Staged>,
): Promise<ImportSummary> {
  const file = basename(options.path);
  const mapping = options.mapping ?? DEFAULT_MAPPING;
  const sha256 = await hashFile(options.path);
  const importId = uuidv7();
  const startedAt = new Date();
  const handler = makeHandler(ctx, file, options.actor, importId);
  const newBatch = () => handler.newBatch?.() ?? new StageBatch(handler);
  // The first batches are small and grow to the full size: a batch that finds the file already
  // imported (see invoices.ts) then costs little, and so does the one read while it loaded.
  let batches = 0;
  const batchRows = () => options.loadBatchRows ?? Math.min(LOAD_BATCH_ROWS, 1000 << Math.min(batches, 5));
  return database.transaction(async ({ client }) => {
    const previous = await client.query<{ import_id: string }>(
      'SELECT import_id FROM import_batch WHERE company_id = $1 AND file_sha256 = $2 AND kind = $3 ORDER BY started_at DESC LIMIT 1',
      [ctx.companyId, sha256, kind],
    );
    await handler.prepare(client, {
      fileBytes: (await stat(options.path)).size,
      bulkLoadMinRows: options.bulkLoadMinRows,
    });
    const errors: RowError[] = [];
    let errorCount = 0;
    const badLines = new Set<number>();
    let rowsRead = 0;
    const note = (rowErrors: RowError[]) => {
      for (const e of rowErrors) {
        badLines.add(e.line);
        errorCount++;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
      }
    };
    // One batch loads while the next is parsed and validated: on PostgreSQL the server works on
    // its COPY (and merge) while node reads on, so their times overlap instead of adding up.
    let loading: Promise<void> = Promise.resolve();
    const startLoading = async (batch: LoadBatch<Staged>) => {
      await loading;
      loading = batch.load(client, errorCount > 0 && !options.skipBadRows);
      loading.catch(() => {}); // awaited before the next batch; not an unhandled rejection meanwhile
    };
    let batch = newBatch();
    let reader: FieldReader | null = null;
    try {
      for await (const chunk of readRowBatches(options.path, mapping)) {
        reader ??= new FieldReader(file, columnSources(chunk.header, mapping), mapping);
        const { lines, records } = chunk;
        for (let i = 0; i < records.length; i++) {
          const line = lines[i]!;
          rowsRead++;
          reader.reset(line, records[i]!);
          const row = handler.validate(reader, line);
          if (row === null || reader.errors.length > 0) note(reader.errors);
          else batch.add(row);
          if (rowsRead % 10_000 === 0) options.onProgress?.(rowsRead);
          if (batch.rows >= batchRows()) {
            await startLoading(batch);
            batches++;
            batch = newBatch();
          }
        }
      }
      if (batch.rows > 0) await startLoading(batch);
    } catch (error) {
      // A file that cannot be read (a malformed CSV): the batch in flight ends before the
      // transaction rolls back, so none of its statements runs after the ROLLBACK.
      await loading.catch(() => {});
      throw error;
    }
    await loading;
    options.onProgress?.(rowsRead);
    const readAgain = async (ranges: readonly [number, number][], take: (row: Staged) => void) => {
      const last = Math.max(...ranges.map((r) => r[1]));
      let again: FieldReader | null = null;
      for await (const chunk of readRowBatches(options.path, mapping)) {
        again ??= new FieldReader(file, columnSources(chunk.header, mapping), mapping);
        for (let i = 0; i < chunk.records.length; i++) {
          const line = chunk.lines[i]!;
          if (line > last) return;
          if (!ranges.some(([from, to]) => line >= from && line <= to)) continue;
          again.reset(line, chunk.records[i]!);
          const row = handler.validate(again, line);
          if (row !== null && again.errors.length === 0) take(row);
        }
      }
    };
    if (handler.loaded) await handler.loaded(client, readAgain);
    else await client.query(`ANALYZE ${handler.stageTable}`);

    const crossRow = await handler.check(client);
    note(crossRow);
    if (errorCount > 0 && !options.skipBadRows) throw new ImportError(file, errors, errorCount);
    if (crossRow.length > 0) await handler.discard(client, [...new Set(crossRow.map((e) => e.line))]);

    const counts = await handler.merge(client, importId);
    // PGlite runs no autovacuum: without fresh statistics a table just bulk-loaded looks empty to
    // the planner, and the next import's checks pick nested loops over a million rows. A file that
    // changed nothing (a re-import) leaves the statistics as true as they were.
    if (counts.inserted > 0 || counts.updated > 0)
      for (const table of handler.targetTables) await client.query(`ANALYZE ${table}`);
    let rejectPath: string | null = null;
    if (badLines.size > 0) {
      rejectPath = options.rejectPath ?? `${options.path}.rejects.csv`;
      await writeRejects(options.path, mapping, rejectPath, errors, badLines);
    }
    await client.query(
      `INSERT INTO import_batch (company_id, import_id, kind, file_name, file_sha256, rows_read, rows_inserted,
         rows_updated, rows_unchanged, rows_rejected, started_at, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
      [
        ctx.companyId,
        importId,
        kind,
        file,
        sha256,
        rowsRead,
        counts.inserted,
        counts.updated,
        counts.unchanged,
        badLines.size,
        startedAt,
        options.actor,
      ],
    );
    return {
      importId,
      kind,
      file,
      rowsRead,
      ...counts,
      rejected: badLines.size,
      rejectPath,
      previousImportId: previous.rows[0]?.import_id ?? null,
    };
  });
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes the rejected rows as they were in the file, with the reason in a last column. */
async function writeRejects(
  path: string,
  mapping: ImportMapping,
  rejectPath: string,
  errors: RowError[],
  lines: Set<number>,
) {
  const reasons = new Map<number, string>();
  for (const e of errors) {
    const before = reasons.get(e.line);
    const text = describeRowError(e);
    reasons.set(e.line, before ? `${before}; ${text}` : text);
  }
  const out = createWriteStream(rejectPath);
  let wroteHeader = false;
  for await (const row of readRows(path, mapping)) {
    if (!lines.has(row.line)) continue;
    if (!wroteHeader) {
      out.write(copyLine(['line', ...Object.keys(row.values), 'error']));
      wroteHeader = true;
    }
    out.write(
      copyLine([String(row.line), ...Object.values(row.values), reasons.get(row.line) ?? 'rejected']),
    );
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
