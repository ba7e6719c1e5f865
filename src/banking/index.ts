export { type BankImportOptions, type BankImportSummary, importBankFile } from './import.js';
export { bankingMigrations } from './migrations.js';
export { BankImportError, entryIdentity } from './normalize.js';
export {
  type RemittanceChannel,
  type RemittanceFileMeta,
  remittanceAdviceKey,
  type StoredRemittances,
  type StoreRemittanceInput,
  storeRemittanceAdvices,
} from './remittances.js';
