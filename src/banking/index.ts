export { type BankImportOptions, type BankImportSummary, importBankFile } from './import.js';
export { bankingMigrations } from './migrations.js';
export { BankImportError, entryIdentity } from './normalize.js';
