import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { type CompanyContext, loadCompany } from '../ledger/index.js';
import { Database, DEFAULT_DATA_DIR } from '../store/database.js';
import { ALL_MIGRATIONS } from '../store/migrations.js';

export interface GlobalOptions {
  db?: string;
  company?: string;
  user?: string;
}

/** Where the ledger lives: --db, else DATABASE_URL / OPENAR_DB, else ./openar-data (PGlite). */
export function resolveTarget(options: GlobalOptions): string {
  return options.db ?? process.env.DATABASE_URL ?? process.env.OPENAR_DB ?? DEFAULT_DATA_DIR;
}

export function actorOf(options: GlobalOptions): string {
  return options.user ?? process.env.OPENAR_USER ?? safeUserName();
}

function safeUserName(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** Opens the database for one command and always closes it (releasing PGlite's lock). */
export async function withDatabase<T>(
  options: GlobalOptions,
  work: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await Database.open({ target: resolveTarget(options), migrations: ALL_MIGRATIONS });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

export async function withCompany<T>(
  options: GlobalOptions,
  work: (database: Database, ctx: CompanyContext) => Promise<T>,
): Promise<T> {
  return withDatabase(options, async (database) => {
    const ctx = await database.transaction(({ client }) => loadCompany(client, options.company));
    return work(database, ctx);
  });
}
