import type { Migration } from 'kysely';

/** The activity tables (owned by src/collections/activity). Names carry the global sequence number. */
export const activityMigrations: Record<string, Migration> = {};
