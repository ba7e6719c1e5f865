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
