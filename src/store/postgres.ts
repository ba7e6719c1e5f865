import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ClientPool, QueryResult, SqlClient } from './client.js';
import { OID, parseDate, parseInt8, parseNumeric } from './types.js';

const PARSERS: Record<number, (text: string) => unknown> = {
  [OID.int8]: parseInt8,
  [OID.date]: parseDate,
  [OID.numeric]: parseNumeric,
};

/** Per-pool type parsing: pg's global setTypeParser would be hidden global state. */
const types = {
  getTypeParser(oid: number, format?: string) {
    const own = PARSERS[oid];
    if (own && format !== 'binary') return own;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

const TEMP_BUFFERS = '256MB';

export class PostgresClientPool implements ClientPool {
  private readonly pool: pg.Pool;

  constructor(
    connectionString: string,
    private readonly maxConnections = 4,
  ) {
    // temp_buffers can only be set before a session's first temporary table, so it is set for every
    // connection: imports stage files in temporary tables, and at the default 8 MB a million staged
    // rows spill to disk and back. The memory is taken only as temporary tables grow.
    this.pool = new pg.Pool({
      connectionString,
      max: maxConnections,
      types,
      options: `-c temp_buffers=${TEMP_BUFFERS}`,
    });
    // An idle connection the server ends (a restart, pg_terminate_backend, DROP DATABASE … FORCE)
    // is reported as the pool's 'error' event, which with no listener crashes the process. The pool
    // has already dropped that connection and opens another on the next checkout, so the event is
    // kept for inspection, not thrown. A connection in use fails its own query instead.
    this.pool.on('error', (error) => {
      this.lastIdleError = error;
    });
  }

  /** The last error of an idle connection the server ended (see the constructor); null if none. */
  lastIdleError: Error | null = null;

  async tryConnect(): Promise<SqlClient | null> {
    const free = this.pool.idleCount > 0 || this.pool.totalCount < this.maxConnections;
    return free && this.pool.waitingCount === 0 ? this.connect() : null;
  }

  async connect(): Promise<SqlClient> {
    const client = await this.pool.connect();
    return {
      async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
        const result = await client.query(text, params as unknown[] | undefined);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0, command: result.command };
      },
      copyFromCsv(copySql: string, csv: string | Uint8Array): Promise<number> {
        return new Promise<number>((resolve, reject) => {
          const stream = client.query(copyFrom(copySql));
          stream.on('error', reject);
          stream.on('finish', () => resolve(Number(stream.rowCount ?? 0)));
          stream.end(csv);
        });
      },
      release() {
        client.release();
      },
    };
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}
