/**
 * The node side of the invoices import alone: read, validate and build COPY text for a file, against
 * a stand-in database that answers the handler's set-up queries and drops every COPY. What the
 * import costs node per row, with no server and no waiting (the server's share is measured by
 * bench/import-invoices.ts).
 *
 *   node --import tsx bench/import-node-only.ts [--file bench/out/invoices-1000000-c20000.csv]
 *     [--customers bench/out/customers-20000.csv] [--repeat 3]
 */
import { readFileSync } from 'node:fs';
import { uuidv7 } from 'uuidv7';
import { importFile } from '../src/imports/index.js';
import type { CompanyContext } from '../src/ledger/context.js';
import type { QueryResult, SqlClient } from '../src/store/client.js';
import type { Database } from '../src/store/database.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1]! : fallback;
};
const file = arg('file', 'bench/out/invoices-1000000-c20000.csv');
const customersFile = arg('customers', 'bench/out/customers-20000.csv');
const repeat = Number(arg('repeat', '3'));

const customers = readFileSync(customersFile, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const c = line.split(',');
    return {
      customer_id: uuidv7(),
      customer_number: c[0]!,
      currency: c[3] || 'USD',
      terms_days: Number(c[4] || 30),
      discount_percent: c[5] || '0',
      discount_days: Number(c[6] || 0),
    };
  });
const rates: { currency: string; rate_date: string; rate: string }[] = [];
for (let d = Date.UTC(2024, 0, 1); d <= Date.UTC(2027, 11, 31); d += 86_400_000) {
  const day = new Date(d).toISOString().slice(0, 10);
  rates.push(
    { currency: 'EUR', rate_date: day, rate: '1.0850' },
    { currency: 'GBP', rate_date: day, rate: '1.2700' },
  );
}

let copiedBytes = 0;
const client: SqlClient = {
  async query<R>(text: string): Promise<QueryResult<R>> {
    const rows = text.includes('FROM customer WHERE')
      ? customers
      : text.includes('FROM fx_rate')
        ? rates
        : text.includes('count(*)')
          ? [{ n: 0 }]
          : [];
    return { rows: rows as R[], rowCount: rows.length } as QueryResult<R>;
  },
  async copyFromCsv(_sql: string, csv: string | Uint8Array) {
    copiedBytes += csv.length;
    return 0;
  },
  release() {},
};
const database = {
  transaction: (fn: (t: { client: SqlClient }) => unknown) => fn({ client }),
} as unknown as Database;
const accounts = new Proxy({}, { get: (_t, role) => String(role) });
const ctx = {
  companyId: uuidv7(),
  baseCurrency: 'USD',
  code: 'bench',
  accounts,
} as unknown as CompanyContext;

for (let r = 0; r < repeat; r++) {
  copiedBytes = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const summary = await importFile(database, ctx, 'invoices', {
    path: file,
    actor: 'bench',
    bulkLoadMinRows: Infinity,
  });
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `${summary.rowsRead} rows: ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU, ${((cpuSeconds / summary.rowsRead) * 1e6).toFixed(1)} µs/row of CPU, ${(copiedBytes / 2 ** 20).toFixed(0)} MiB of COPY text`,
  );
}
