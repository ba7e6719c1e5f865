/**
 * The one interface both engines are driven through: a client that runs SQL and bulk-loads CSV.
 * PostgreSQL gets it from a `pg` pool; PGlite (single-connection, in-process) from a small adapter
 * that shapes PGlite like a node-postgres pool, so Kysely's PostgresDialect serves both.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
  command?: string;
}

export interface SqlClient {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs `COPY table (...) FROM STDIN` (CSV) with `csv` as the data (text, or its UTF-8 bytes); returns rows copied. */
  copyFromCsv(copySql: string, csv: string | Uint8Array): Promise<number>;
  release(): void;
}

export interface ClientPool {
  connect(): Promise<SqlClient>;
  /** A connection if one is free now (idle, or the pool may open one), else null without waiting. */
  tryConnect(): Promise<SqlClient | null>;
  end(): Promise<void>;
}

export class StoreError extends Error {
  override name = 'StoreError';
}
