import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createScratchDatabase, dropScratchDatabase } from '../../test/helpers/db.js';
import { PostgresClientPool } from './postgres.js';

const admin = process.env.TEST_DATABASE_URL;

describe.skipIf(!admin)('the PostgreSQL pool', () => {
  it('survives the server ending an idle connection, and opens another', async () => {
    const url = await createScratchDatabase();
    const pool = new PostgresClientPool(url, 2);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      client.release();
      const killer = new pg.Client({ connectionString: admin });
      await killer.connect();
      try {
        await killer.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      } finally {
        await killer.end();
      }
      // Without a listener the idle connection's error would be uncaught and end the process.
      for (let i = 0; i < 50 && pool.lastIdleError === null; i++) await new Promise((r) => setTimeout(r, 20));
      expect(pool.lastIdleError?.message).toMatch(/terminating connection/);
      const again = await pool.connect();
      const next = await again.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      again.release();
      expect(next.rows[0]!.pid).not.toBe(rows[0]!.pid);
    } finally {
      await pool.end();
      await dropScratchDatabase(url);
    }
  });
});
