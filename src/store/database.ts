import { resolve } from 'node:path';
import { Kysely, type Migration, Migrator, PostgresDialect } from 'kysely';
import type { ClientPool, SqlClient } from './client.js';
import { StoreError } from './client.js';
import { PgliteClientPool } from './pglite.js';
import { PostgresClientPool } from './postgres.js';
import type { DB } from './schema.js';

export type EngineKind = 'pglite' | 'postgres';

/** A transaction: a Kysely bound to one connection, and that connection for raw SQL and COPY. */
export interface Tx {
  readonly db: Kysely<DB>;
  readonly client: SqlClient;
}

export interface OpenOptions {
  /** A directory for PGlite, `memory://` for a throw-away PGlite, or a postgres:// URL. */
  target: string;
  migrations: Record<string, Migration>;
}

export const DEFAULT_DATA_DIR = './openar-data';

/** The most connections readTogether takes: the PostgreSQL pool's size. */
export const MAX_READERS = 4;

/** An exported snapshot's id, checked before it goes into SET TRANSACTION (which takes no parameter). */
function snapshotId(id: string): string {
  if (!/^[0-9A-F]+-[0-9A-F]+-[0-9]+$/i.test(id)) throw new StoreError(`unexpected snapshot id ${id}`);
  return id;
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

export class Database {
  readonly db: Kysely<DB>;

  private constructor(
    readonly kind: EngineKind,
    readonly target: string,
    private readonly pool: ClientPool,
  ) {
    this.db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: asKyselyPool(pool) }) });
  }

  static async open(options: OpenOptions): Promise<Database> {
    const { target } = options;
    const database = isPostgresUrl(target)
      ? new Database('postgres', target, new PostgresClientPool(target, MAX_READERS))
      : new Database(
          'pglite',
          target,
          await PgliteClientPool.open(target === 'memory://' ? null : resolve(target)),
        );
    try {
      await database.migrate(options.migrations);
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  }

  private async migrate(migrations: Record<string, Migration>): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: { getMigrations: async () => migrations },
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new StoreError(`database migration ${failed} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * Runs `work` in one transaction: committed if it returns, rolled back if it throws. READ
   * COMMITTED unless `isolation` says REPEATABLE READ (one snapshot for every statement).
   */
  async transaction<T>(
    work: (tx: Tx) => Promise<T>,
    options: { isolation?: 'read committed' | 'repeatable read' } = {},
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(
        options.isolation === 'repeatable read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ' : 'BEGIN',
      );
      const db = new Kysely<DB>({
        dialect: new PostgresDialect({ pool: asKyselyPool(singleClientPool(client)) }),
      });
      try {
        const result = await work({ db, client });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  }

  /**
   * Runs `work` on up to `count` connections that all read one moment of the database: read-only
   * REPEATABLE READ transactions, the first exporting its snapshot and the others importing it
   * (`pg_export_snapshot`, as pg_dump's parallel mode does), so a report can split one scan across
   * connections and still add up to a single point in time. PGlite has one connection, so it gets
   * one. A helper connection the pool cannot hand out at once is done without: each waiting for
   * the others' connections could otherwise deadlock a busy pool.
   */
  async readTogether<T>(count: number, work: (clients: readonly SqlClient[]) => Promise<T>): Promise<T> {
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_READERS)
      throw new StoreError(`readers must be 1 to ${MAX_READERS}, not ${count}`);
    const leader = await this.pool.connect();
    const clients: SqlClient[] = [leader];
    try {
      await leader.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      if (this.kind === 'postgres' && count > 1) {
        const { rows } = await leader.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
        for (let i = 1; i < count; i++) {
          const helper = await this.pool.tryConnect();
          if (!helper) break;
          clients.push(helper);
          await helper.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
          await helper.query(`SET TRANSACTION SNAPSHOT '${snapshotId(rows[0]!.id)}'`);
        }
      }
      const result = await work(clients);
      for (const c of clients) await c.query('COMMIT');
      return result;
    } catch (error) {
      for (const c of clients) await c.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      for (const c of clients) c.release();
    }
  }

  /** Raw SQL outside a transaction (each call takes and returns a connection). */
  async query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
    const client = await this.pool.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** A pool that always hands out the same client, never releasing it: a transaction's Kysely. */
function singleClientPool(client: SqlClient): ClientPool {
  return {
    connect: async () => ({ ...client, release: () => {} }),
    tryConnect: async () => null,
    end: async () => {},
  };
}

// Kysely's PostgresPool type also allows cursors, which openar never uses.
function asKyselyPool(pool: ClientPool): ConstructorParameters<typeof PostgresDialect>[0]['pool'] {
  return pool as unknown as ConstructorParameters<typeof PostgresDialect>[0]['pool'];
}
