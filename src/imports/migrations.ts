import { type Kysely, type Migration, sql } from 'kysely';

/** The imports module's own record of every file it read: who, when, what changed. */
export const importMigrations: Record<string, Migration> = {
  '0003_import_batch': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE import_batch (
          company_id uuid NOT NULL,
          import_id uuid NOT NULL,
          kind text NOT NULL,
          file_name text NOT NULL,
          file_sha256 text NOT NULL,
          rows_read int8 NOT NULL DEFAULT 0,
          rows_inserted int8 NOT NULL DEFAULT 0,
          rows_updated int8 NOT NULL DEFAULT 0,
          rows_unchanged int8 NOT NULL DEFAULT 0,
          rows_rejected int8 NOT NULL DEFAULT 0,
          started_at timestamptz NOT NULL,
          finished_at timestamptz NOT NULL DEFAULT now(),
          created_by text NOT NULL,
          PRIMARY KEY (company_id, import_id)
        );
        CREATE INDEX import_batch_sha_idx ON import_batch (company_id, file_sha256);
      `.execute(db);
    },
  },
};
