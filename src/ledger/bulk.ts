import type { SqlClient } from '../store/client.js';
import type { CompanyContext } from './context.js';
import { invariant } from './core/errors.js';
import { receiptLines } from './core/postings.js';
import { postEntries } from './journal-store.js';
import type { NewReceipt } from './operations.js';
import { toBase } from './operations.js';

export interface BulkReceipt extends Omit<NewReceipt, 'actor' | 'reason'> {
  receiptId: string;
}

/**
 * Records many receipts at once: one summary journal entry per receipt date and currency (Dr cash,
 * Cr unapplied cash) and one INSERT for all receipts. Keys already present are skipped; returns the
 * keys that were new.
 */
export async function recordReceiptsBulk(
  client: SqlClient,
  ctx: CompanyContext,
  receipts: readonly BulkReceipt[],
  actor: string,
  memo: string,
): Promise<Set<string>> {
  const { rows: existing } = await client.query<{ receipt_key: string }>(
    'SELECT receipt_key FROM receipt WHERE company_id = $1 AND receipt_key = ANY($2::text[])',
    [ctx.companyId, receipts.map((r) => r.receiptKey)],
  );
  const skip = new Set(existing.map((r) => r.receipt_key));
  const fresh = receipts.filter((r) => !skip.has(r.receiptKey));
  if (fresh.length === 0) return new Set();
  const withBase = fresh.map((r) => {
    invariant(
      Number.isSafeInteger(r.amountMinor) && r.amountMinor > 0,
      'amount-not-positive',
      `receipt ${r.receiptKey} amount must be positive`,
    );
    const rate = r.currency === ctx.baseCurrency ? '1' : r.fxRate;
    invariant(
      rate !== undefined,
      'rate-missing',
      `receipt ${r.receiptKey}: an exchange rate is needed for ${r.currency}`,
    );
    return { ...r, rate, baseMinor: toBase(ctx, r.currency, r.amountMinor, rate) };
  });
  const groups = new Map<
    string,
    { date: string; currency: string; amount: number; base: number; n: number }
  >();
  for (const r of withBase) {
    const key = `${r.receiptDate}|${r.currency}`;
    const g = groups.get(key) ?? { date: r.receiptDate, currency: r.currency, amount: 0, base: 0, n: 0 };
    g.amount += r.amountMinor;
    g.base += r.baseMinor;
    g.n++;
    groups.set(key, g);
  }
  const list = [...groups.values()];
  const ids = await postEntries(
    client,
    ctx,
    list.map((g) => ({
      postingDate: g.date,
      sourceType: 'receipts',
      sourceId: null,
      memo: `${memo}: ${g.n} receipts in ${g.currency} on ${g.date}`,
      lines: receiptLines(null, g.currency, g.amount, g.base),
    })),
    actor,
  );
  const entryOf = new Map(list.map((g, i) => [`${g.date}|${g.currency}`, ids[i]!]));
  await client.query(
    `INSERT INTO receipt (company_id, receipt_id, receipt_key, customer_id, receipt_date, method, currency, fx_rate,
       amount_minor, base_amount_minor, unapplied_minor, unapplied_base_minor, payer_name, payer_account, payer_bank,
       reference, remittance_text, bank_entry_id, entry_id, created_by)
     SELECT $1, x.receipt_id, x.receipt_key, x.customer_id, x.receipt_date, x.method, x.currency, x.rate, x.amount_minor,
            x.base_minor, x.amount_minor, x.base_minor, x.payer_name, x.payer_account, x.payer_bank, x.reference,
            x.remittance_text, x.bank_entry_id, x.entry_id, $3
       FROM jsonb_to_recordset($2::jsonb) AS x(receipt_id uuid, receipt_key text, customer_id uuid, receipt_date date,
            method text, currency text, rate numeric, amount_minor int8, base_minor int8, payer_name text,
            payer_account text, payer_bank text, reference text, remittance_text text, bank_entry_id uuid, entry_id uuid)`,
    [
      ctx.companyId,
      JSON.stringify(
        withBase.map((r) => ({
          receipt_id: r.receiptId,
          receipt_key: r.receiptKey,
          customer_id: r.customerId,
          receipt_date: r.receiptDate,
          method: r.method,
          currency: r.currency,
          rate: r.rate,
          amount_minor: r.amountMinor,
          base_minor: r.baseMinor,
          payer_name: r.payerName ?? null,
          payer_account: r.payerAccount ?? null,
          payer_bank: null,
          reference: r.reference ?? null,
          remittance_text: r.remittanceText ?? null,
          bank_entry_id: r.bankEntryId ?? null,
          entry_id: entryOf.get(`${r.receiptDate}|${r.currency}`),
        })),
      ),
      actor,
    ],
  );
  return new Set(fresh.map((r) => r.receiptKey));
}

/** Customers who are known to pay from these accounts (normalized keys), for payer identification. */
export async function customersByAccount(
  client: SqlClient,
  ctx: CompanyContext,
  accountKeys: readonly string[],
): Promise<Map<string, string>> {
  if (accountKeys.length === 0) return new Map();
  const { rows } = await client.query<{ account_key: string; customer_id: string; n: number }>(
    `SELECT account_key, min(customer_id::text) AS customer_id, count(*)::int8 AS n FROM customer_bank_account
      WHERE company_id = $1 AND account_key = ANY($2::text[]) GROUP BY account_key`,
    [ctx.companyId, [...new Set(accountKeys)]],
  );
  // An account shared by several customers identifies none of them.
  return new Map(rows.filter((r) => r.n === 1).map((r) => [r.account_key, r.customer_id]));
}
