/**
 * A separate process that imports one file, for tests that kill it part-way:
 *
 *   node --import tsx test/helpers/import-child.ts TARGET COMPANY KIND FILE [BULK_LOAD_MIN_ROWS]
 *
 * Prints `progress N` (rows read so far) on stdout each time the import reports progress, and
 * `done {summary as JSON}` when it committed. Exits 1 with the error on stderr if the import fails.
 */
import { type ImportKind, importFile } from '../../src/imports/index.js';
import { loadCompany } from '../../src/ledger/index.js';
import { Database } from '../../src/store/database.js';
import { ALL_MIGRATIONS } from '../../src/store/migrations.js';

const [target, company, kind, file, bulkLoadMinRows] = process.argv.slice(2);
if (!target || !company || !file || (kind !== 'customers' && kind !== 'invoices' && kind !== 'payments')) {
  process.stderr.write('usage: import-child.ts TARGET COMPANY customers|invoices|payments FILE\n');
  process.exit(2);
}

try {
  const database = await Database.open({ target, migrations: ALL_MIGRATIONS });
  try {
    const ctx = await database.transaction(({ client }) => loadCompany(client, company));
    const summary = await importFile(database, ctx, kind as ImportKind, {
      path: file,
      actor: 'import-child',
      bulkLoadMinRows: bulkLoadMinRows === undefined ? undefined : Number(bulkLoadMinRows),
      // Written synchronously (stdout is a pipe): the parent sees the line before the import goes on.
      onProgress: (rows) => process.stdout.write(`progress ${rows}\n`),
    });
    process.stdout.write(`done ${JSON.stringify(summary)}\n`);
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
