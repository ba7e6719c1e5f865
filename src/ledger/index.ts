export * from './balance.js';
export * from './bulk.js';
export * from './context.js';
export { ACCOUNT_ROLES, type AccountRole, DEFAULT_CHART } from './core/accounts.js';
export { LedgerError } from './core/errors.js';
export * from './journal-store.js';
export { ledgerMigrations } from './migrations.js';
export * from './operations.js';
export * from './periods.js';
