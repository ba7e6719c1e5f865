import type { SqlClient } from '../store/client.js';

/**
 * A bulk load into a table that is small beside the file: its secondary indexes and foreign keys
 * are dropped inside the import's transaction and built again at the end, as pg_restore does.
 * Building an index from a million sorted keys costs a fraction of maintaining it one random key at
 * a time, and one join validates a foreign key for all rows at once instead of a trigger per row.
 *
 * Dropping them takes an exclusive lock on the table until the import commits, so readers of the
 * table wait meanwhile: that is only worth it — and only done — when the file is at least as big
 * as the table (a first load or a migration), never for the daily file into a large ledger.
 * Everything is transactional: a failed or killed import leaves the indexes as they were. The
 * primary key and unique constraints stay, since the import's own checks rely on them.
 */
export interface SetAside {
  table: string;
  indexes: { name: string; definition: string }[];
  foreignKeys: { name: string; definition: string }[];
}

/** Below this many rows the rebuild is not worth the lock. */
export const MIN_BULK_ROWS = 50_000;
/** For the index builds only (the session's setting is back at the end of the transaction). */
const MAINTENANCE_WORK_MEM_MIB = 256;
/** How long to wait for the lock before loading the ordinary way (a reader holds the table). */
const LOCK_TIMEOUT_MS = 2_000;

/**
 * Sets aside `table`'s secondary indexes and foreign keys when `expectedRows` is at least
 * MIN_BULK_ROWS and the table holds fewer rows than that (all companies counted: indexes are
 * shared); null, with nothing changed, otherwise or when the lock is not granted in time.
 */
export async function setAsideForBulkLoad(
  client: SqlClient,
  table: string,
  expectedRows: number,
  minRows = MIN_BULK_ROWS,
): Promise<SetAside | null> {
  const rows = Math.floor(expectedRows);
  if (!(rows >= minRows)) return null;
  const { rows: size } = await client.query<{ n: number }>(
    `SELECT count(*)::int4 AS n FROM (SELECT 1 FROM ${table} LIMIT $1) t`,
    [rows],
  );
  if (size[0]!.n >= rows) return null;
  await client.query('SAVEPOINT openar_bulk_load');
  try {
    await client.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
    await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const setAside = await describe(client, table);
    for (const fk of setAside.foreignKeys)
      await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${fk.name}`);
    for (const index of setAside.indexes) await client.query(`DROP INDEX ${index.name}`);
    await client.query('SET LOCAL lock_timeout TO DEFAULT');
    await client.query('RELEASE SAVEPOINT openar_bulk_load');
    return setAside;
  } catch (error) {
    if ((error as { code?: unknown }).code !== '55P03') throw error;
    await client.query('ROLLBACK TO SAVEPOINT openar_bulk_load');
    await client.query('RELEASE SAVEPOINT openar_bulk_load');
    return null;
  }
}

/** Builds again what `setAsideForBulkLoad` dropped: the indexes, then the foreign keys (validated). */
export async function restoreAfterBulkLoad(client: SqlClient, setAside: SetAside | null): Promise<void> {
  if (setAside === null) return;
  // Sorting a million keys in memory instead of in temporary files, and room for parallel workers.
  await client.query(`SET LOCAL maintenance_work_mem = '${MAINTENANCE_WORK_MEM_MIB}MB'`);
  for (const index of setAside.indexes) await client.query(index.definition);
  for (const fk of setAside.foreignKeys)
    await client.query(`ALTER TABLE ${setAside.table} ADD CONSTRAINT ${fk.name} ${fk.definition}`);
}

async function describe(client: SqlClient, table: string): Promise<SetAside> {
  // Unique indexes and those backing a constraint (primary key, unique, exclusion) stay.
  const indexes = await client.query<{ name: string; definition: string }>(
    `SELECT quote_ident(c.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = $1::regclass AND NOT i.indisunique
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
      ORDER BY c.relname`,
    [table],
  );
  const foreignKeys = await client.query<{ name: string; definition: string }>(
    `SELECT quote_ident(conname) AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
    [table],
  );
  return { table, indexes: indexes.rows, foreignKeys: foreignKeys.rows };
}
