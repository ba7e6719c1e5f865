import { type KeptAgingSpec, refreshAgingToday, refreshOutgrownAging } from '../collections/index.js';
import type { CompanyContext } from '../ledger/index.js';
import type { Database } from '../store/database.js';
import { today } from './format.js';
import { print } from './output.js';

/**
 * Keeps the aging of `day` (see refreshAgingToday; `keep` undefined: with the settings it was last
 * kept with) and says so.
 */
export async function keepTodaysAging(
  database: Database,
  ctx: CompanyContext,
  day: string,
  keep?: KeptAgingSpec,
): Promise<void> {
  const kept = await refreshWithRetry(() =>
    database.transaction(({ client }) => refreshAgingToday(client, ctx, day, keep), {
      isolation: 'repeatable read',
    }),
  );
  print(
    kept
      ? `aging as of ${kept.asOf} kept (buckets ${kept.thresholds.join(',')}, ${kept.basis} basis${kept.agedCredits ? ', credits aged' : ''}): ${kept.groups} groups by customer`
      : `no aging kept for ${day}: too many customers have postings dated after it`,
  );
}

/**
 * Serialization failures a refresh retries: a receipt identified while it ran (see
 * refreshOpenChanges), another refresh of the same company.
 */
const REFRESH_ATTEMPTS = 3;

export async function refreshWithRetry<T>(refresh: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await refresh();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== '40001' || attempt >= REFRESH_ATTEMPTS) throw error;
    }
  }
}

/**
 * After an import or a cash-application run: keeps today's aging again when the kept one no
 * longer serves today (see refreshOutgrownAging), so the day's reports read it. Its own
 * transaction, after the postings': a failure leaves them posted. A line saying so, or null.
 */
export async function keepOutgrownAging(database: Database, ctx: CompanyContext): Promise<string | null> {
  const kept = await refreshWithRetry(() =>
    database.transaction(({ client }) => refreshOutgrownAging(client, ctx, today()), {
      isolation: 'repeatable read',
    }),
  );
  return kept
    ? `aging as of ${kept.asOf} kept again for the day's reports: ${kept.groups} groups by customer`
    : null;
}
