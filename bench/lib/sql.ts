import type { SqlClient } from '../../src/store/client.js';

/**
 * SQL for a UUID of version 7's shape: the day's milliseconds first (so keys are time-ordered like
 * the app's UUIDv7), then a salt and a number. For benchmarks that generate data with generate_series.
 */
export function v7(dayExpr: string, n: string, salt: number): string {
  return `(lpad(to_hex((extract(epoch FROM (${dayExpr})::timestamp) * 1000)::int8), 12, '0') || '7' || lpad(to_hex(${salt}), 3, '0') || '8' || lpad(to_hex(${n}), 15, '0'))::uuid`;
}

/** Runs one build statement and reports its rows and seconds on stderr. */
export function timedQuery(client: SqlClient) {
  return async (label: string, text: string, params: unknown[] = []): Promise<void> => {
    const started = performance.now();
    const r = await client.query(text, params);
    process.stderr.write(
      `  ${label}: ${r.rowCount ?? 0} rows, ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  };
}

/**
 * The two journal lines of each summary entry in a `bench_day` table (entry_id, kind 'docs',
 * 'receipts' or other, signed amount `a`): sales against AR, cash against unapplied cash, unapplied
 * cash against AR. Run with `journalLineParams`.
 */
export const BENCH_DAY_JOURNAL_LINES = `INSERT INTO journal_line (company_id, entry_id, line_no, account_code, currency, amount_minor, base_amount_minor)
       SELECT $1, entry_id, l.no, l.account, 'USD', l.amount, l.amount
         FROM bench_day
        CROSS JOIN LATERAL (VALUES
          (1, CASE kind WHEN 'docs' THEN $2 WHEN 'receipts' THEN $3 ELSE $4 END, a),
          (2, CASE kind WHEN 'docs' THEN $5 WHEN 'receipts' THEN $4 ELSE $2 END, -a)) l (no, account, amount)`;

export function journalLineParams(ctx: {
  companyId: string;
  accounts: { ar_control: string; cash: string; unapplied_cash: string; revenue: string };
}): unknown[] {
  const acc = ctx.accounts;
  return [ctx.companyId, acc.ar_control, acc.cash, acc.unapplied_cash, acc.revenue];
}
