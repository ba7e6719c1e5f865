import type { CompanyContext } from '../ledger/context.js';
import type { Database } from '../store/database.js';
import { customersHandler } from './customers.js';
import { invoicesHandler } from './invoices.js';
import { paymentsHandler } from './payments.js';
import { type ImportKind, type ImportOptions, type ImportSummary, runImport } from './runner.js';

export { normalizeAccount } from './customers.js';
export * from './errors.js';
export { type ImportMapping, loadImportMapping, MappingError } from './mapping.js';
export type { ImportKind, ImportOptions, ImportSummary } from './runner.js';

/** Imports a customers, invoices or payments file in the canonical columns (or through a mapping). */
export function importFile(
  database: Database,
  ctx: CompanyContext,
  kind: ImportKind,
  options: ImportOptions,
): Promise<ImportSummary> {
  switch (kind) {
    case 'customers':
      return runImport(database, ctx, kind, options, customersHandler);
    case 'invoices':
      return runImport(database, ctx, kind, options, invoicesHandler);
    case 'payments':
      return runImport(database, ctx, kind, options, paymentsHandler);
  }
}
