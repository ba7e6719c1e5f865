export { bankingMigrations } from './migrations.js';
export { type BankImportOptions, type BankImportSummary, importBankFile } from './import.js';
export { BankImportError, entryIdentity } from './normalize.js';
