import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../ledger/context.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { copyLine } from './csv-out.js';
import { describeRowError, ImportError, MAX_REPORTED_ERRORS, type RowError } from './errors.js';
import { FieldReader } from './fields.js';
import { applyMapping, DEFAULT_MAPPING, type ImportMapping } from './mapping.js';
import { readRows } from './reader.js';

export type ImportKind = 'customers' | 'invoices' | 'payments';

export interface ImportOptions {
  path: string;
  mapping?: ImportMapping;
  skipBadRows?: boolean;
  /** Where rejected rows go with --skip-bad-rows (default: FILE.rejects.csv). */
  rejectPath?: string;
  actor: string;
  onProgress?: (rowsRead: number) => void;
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
  prepare(client: SqlClient): Promise<void>;
  /** Typed row, or null with errors recorded in `reader`. */
  validate(reader: FieldReader, line: number): Staged | null;
  /** The COPY statement and the values of one staged row, in its column order. */
  copySql: string;
  toCopy(row: Staged): (string | number | null)[];
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

const COPY_BATCH_ROWS = 20_000;

export async function runImport<Staged>(
  database: Database,
  ctx: CompanyContext,
  kind: ImportKind,
  options: ImportOptions,
  makeHandler: (ctx: CompanyContext, file: string, actor: string) => ImportHandler<Staged>,
): Promise<ImportSummary> {
  const file = basename(options.path);
  const mapping = options.mapping ?? DEFAULT_MAPPING;
  const sha256 = await hashFile(options.path);
  const importId = uuidv7();
  const startedAt = new Date();
  const handler = makeHandler(ctx, file, options.actor);

  return database.transaction(async ({ client }) => {
    const previous = await client.query<{ import_id: string }>(
      'SELECT import_id FROM import_batch WHERE company_id = $1 AND file_sha256 = $2 AND kind = $3 ORDER BY started_at DESC LIMIT 1',
      [ctx.companyId, sha256, kind],
    );
    await handler.prepare(client);
    const errors: RowError[] = [];
    let errorCount = 0;
    const badLines = new Set<number>();
    let rowsRead = 0;
    let batch = '';
    let batchRows = 0;
    const note = (rowErrors: RowError[]) => {
      for (const e of rowErrors) {
        badLines.add(e.line);
        errorCount++;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
      }
    };
    for await (const row of readRows(options.path, mapping)) {
      rowsRead++;
      const values = mapping === DEFAULT_MAPPING ? row.values : applyMapping(mapping, row.values);
      const reader = new FieldReader(file, row.line, values, mapping);
      const staged = handler.validate(reader, row.line);
      if (staged === null || reader.errors.length > 0) {
        note(reader.errors);
        continue;
      }
      batch += copyLine(handler.toCopy(staged));
      if (++batchRows >= COPY_BATCH_ROWS) {
        await client.copyFromCsv(handler.copySql, batch);
        batch = '';
        batchRows = 0;
      }
      if (rowsRead % 10_000 === 0) options.onProgress?.(rowsRead);
    }
    if (batchRows > 0) await client.copyFromCsv(handler.copySql, batch);
    options.onProgress?.(rowsRead);
    await client.query(`ANALYZE ${handler.stageTable}`);

    const crossRow = await handler.check(client);
    note(crossRow);
    if (errorCount > 0 && !options.skipBadRows) throw new ImportError(file, errors, errorCount);
    if (crossRow.length > 0) await handler.discard(client, [...new Set(crossRow.map((e) => e.line))]);

    const counts = await handler.merge(client, importId);
    // PGlite runs no autovacuum: without fresh statistics a table just bulk-loaded looks empty to
    // the planner, and the next import's checks pick nested loops over a million rows.
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
