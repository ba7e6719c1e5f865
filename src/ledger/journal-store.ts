import { uuidv7 } from 'uuidv7';
import type { SqlClient } from '../store/client.js';
import type { CompanyContext } from './context.js';
import { invariant } from './core/errors.js';
import { debitTotal, type EntryDraft, finalizeEntry } from './core/journal.js';

/**
 * Writes journal entries: all headers in one statement and all lines in one statement, so the
 * database's balance trigger sees each entry whole. Returns the entry ids in order. `entryIds`, when
 * given (one UUIDv7 per draft), are used instead of new ones: an import that writes its documents
 * before their summary entries (whose totals it knows only at the end) names the entries up front.
 */
export async function postEntries(
  client: SqlClient,
  ctx: CompanyContext,
  drafts: readonly EntryDraft[],
  actor: string,
  entryIds?: readonly string[],
): Promise<string[]> {
  if (drafts.length === 0) return [];
  invariant(
    entryIds === undefined || entryIds.length === drafts.length,
    'entry-ids',
    `${entryIds?.length} entry ids for ${drafts.length} entries`,
  );
  const entries = drafts.map(finalizeEntry);
  const ids = entryIds === undefined ? entries.map(() => uuidv7()) : [...entryIds];
  const headers = entries.map((e, i) => ({
    entry_id: ids[i],
    posting_date: e.postingDate,
    source_type: e.sourceType,
    source_id: e.sourceId,
    memo: e.memo,
    reverses_entry_id: e.reversesEntryId ?? null,
    line_count: e.lines.length,
    debit: debitTotal(e),
  }));
  const lines = entries.flatMap((e, i) =>
    e.lines.map((l, n) => ({
      entry_id: ids[i],
      line_no: n + 1,
      account_code: ctx.accounts[l.role],
      customer_id: l.customerId,
      currency: l.currency,
      amount_minor: l.amountMinor,
      base_amount_minor: l.baseAmountMinor,
    })),
  );
  await client.query(
    `INSERT INTO journal_entry (company_id, entry_id, posting_date, source_type, source_id, memo,
       reverses_entry_id, line_count, debit_base_minor, credit_base_minor, created_by)
     SELECT $1, x.entry_id, x.posting_date, x.source_type, x.source_id, x.memo, x.reverses_entry_id,
            x.line_count, x.debit, x.debit, $3
       FROM jsonb_to_recordset($2::jsonb) AS x(entry_id uuid, posting_date date, source_type text,
            source_id uuid, memo text, reverses_entry_id uuid, line_count int4, debit int8)`,
    [ctx.companyId, JSON.stringify(headers), actor],
  );
  await client.query(
    `INSERT INTO journal_line (company_id, entry_id, line_no, account_code, customer_id, currency,
       amount_minor, base_amount_minor)
     SELECT $1, x.entry_id, x.line_no, x.account_code, x.customer_id, x.currency, x.amount_minor,
            x.base_amount_minor
       FROM jsonb_to_recordset($2::jsonb) AS x(entry_id uuid, line_no int4, account_code text,
            customer_id uuid, currency text, amount_minor int8, base_amount_minor int8)`,
    [ctx.companyId, JSON.stringify(lines)],
  );
  return ids;
}
