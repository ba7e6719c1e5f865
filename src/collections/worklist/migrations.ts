import type { Migration } from 'kysely';

/** The worklist tables (owned by src/collections/worklist). Names carry the global sequence number. */
export const worklistMigrations: Record<string, Migration> = {};
