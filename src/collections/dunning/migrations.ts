import type { Migration } from 'kysely';

/** The dunning tables (owned by src/collections/dunning). Names carry the global sequence number. */
export const dunningMigrations: Record<string, Migration> = {};
