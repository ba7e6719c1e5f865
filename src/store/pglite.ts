import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { ClientPool, QueryResult, SqlClient } from './client.js';
import { acquireDirectoryLock, type DirectoryLock } from './lock.js';
import { OID, parseDate, parseInt8, parseNumeric } from './types.js';

/**
 * PGlite is one in-process connection. Callers queue for it: a transaction holds the client until
 * release, so statements of two transactions never interleave.
 */
export class PgliteClientPool implements ClientPool {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly pg: PGlite,
    private readonly lock: DirectoryLock | null,
  ) {}

  static async open(dataDir: string | null): Promise<PgliteClientPool> {
    let lock: DirectoryLock | null = null;
    if (dataDir !== null) {
      mkdirSync(dataDir, { recursive: true });
      lock = acquireDirectoryLock(dataDir);
    }
    try {
      const parsers = { [OID.int8]: parseInt8, [OID.date]: parseDate, [OID.numeric]: parseNumeric };
      const pg = await PGlite.create(dataDir ?? undefined, { parsers });
      return new PgliteClientPool(pg, lock);
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  async connect(): Promise<SqlClient> {
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    let released = false;
    const pg = this.pg;
    return {
      async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
        if (params === undefined || params.length === 0) {
          // The simple protocol: allows several statements (migrations), like pg does without params.
          const results = await pg.exec(text);
          const last = results[results.length - 1];
          return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
        }
        const result = await pg.query<R>(text, params as unknown[]);
        return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
      },
      async copyFromCsv(copySql: string, csv: string | Uint8Array): Promise<number> {
        const sql = copySql.replace(/FROM\s+STDIN/i, "FROM '/dev/blob'");
        // A Buffer's memory is never shared: it is a BlobPart, whatever its type says.
        const result = await pg.query(sql, [], { blob: new Blob([csv as string | Uint8Array<ArrayBuffer>]) });
        return result.affectedRows ?? 0;
      },
      release() {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  /** Never a second connection: PGlite has one. */
  async tryConnect(): Promise<SqlClient | null> {
    return null;
  }

  async end(): Promise<void> {
    await this.queue;
    try {
      await this.pg.close();
    } finally {
      this.lock?.release();
    }
  }
}
