import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Database } from '../../src/store/database.js';
import { ALL_MIGRATIONS } from '../../src/store/migrations.js';

export type Engine = 'pglite' | 'postgres';

/** The engines a database test runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const ENGINES: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  database: Database;
  url: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated database: an in-memory PGlite, or a new database on the PostgreSQL server. */
export async function openTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const database = await Database.open({ target: 'memory://', migrations: ALL_MIGRATIONS });
    return { database, url: 'memory://', dispose: () => database.close() };
  }
  const url = await createScratchDatabase();
  const database = await Database.open({ target: url, migrations: ALL_MIGRATIONS });
  return {
    database,
    url,
    async dispose() {
      await database.close();
      await dropScratchDatabase(url);
    },
  };
}

export async function createScratchDatabase(): Promise<string> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DATABASE_URL is not set');
  const name = `openar_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropScratchDatabase(url: string): Promise<void> {
  const admin = process.env.TEST_DATABASE_URL!;
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
