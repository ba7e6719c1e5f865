import type { CompanyContext } from '../ledger/context.js';
import type { SqlClient } from '../store/client.js';

/** The company's exchange-rate table in memory: the latest rate on or before a date. */
export interface RateTable {
  rateOn(currency: string, date: string): string | null;
}

export async function loadRates(client: SqlClient, ctx: CompanyContext): Promise<RateTable> {
  const { rows } = await client.query<{ currency: string; rate_date: string; rate: string }>(
    'SELECT currency, rate_date, rate FROM fx_rate WHERE company_id = $1 ORDER BY currency, rate_date',
    [ctx.companyId],
  );
  const byCurrency = new Map<string, { date: string; rate: string }[]>();
  for (const r of rows) {
    const list = byCurrency.get(r.currency.trim()) ?? [];
    list.push({ date: r.rate_date, rate: r.rate.replace(/\.?0+$/, '') });
    byCurrency.set(r.currency.trim(), list);
  }
  return {
    rateOn(currency, date) {
      const list = byCurrency.get(currency);
      if (!list) return null;
      let lo = 0;
      let hi = list.length - 1;
      let found: string | null = null;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.date <= date) {
          found = list[mid]!.rate;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return found;
    },
  };
}
