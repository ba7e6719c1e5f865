import type { Migration } from 'kysely';
import { bankingMigrations } from '../banking/migrations.js';
import { cashappMigrations } from '../cashapp/migrations.js';
import { activityMigrations } from '../collections/activity/migrations.js';
import { dunningMigrations } from '../collections/dunning/migrations.js';
import { collectionsMigrations } from '../collections/migrations.js';
import { worklistMigrations } from '../collections/worklist/migrations.js';
import { disputesMigrations } from '../disputes/migrations.js';
import { importMigrations } from '../imports/migrations.js';
import { ledgerMigrations } from '../ledger/migrations.js';

/**
 * Every module's migrations, in one ordered set. Names start with a global sequence number so
 * modules' migrations interleave in the order they were written.
 */
export const ALL_MIGRATIONS: Record<string, Migration> = {
  ...ledgerMigrations,
  ...importMigrations,
  ...bankingMigrations,
  ...cashappMigrations,
  ...disputesMigrations,
  ...collectionsMigrations,
  ...activityMigrations,
  ...dunningMigrations,
  ...worklistMigrations,
};
