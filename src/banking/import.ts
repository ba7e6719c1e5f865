import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { uuidv7 } from 'uuidv7';
import { type FormatName, type ParseResult, parseFile } from '../formats/index.js';
import { type CompanyContext, customersByAccount, recordReceiptsBulk } from '../ledger/index.js';
import { minorUnitExponent, parseDecimalToMinor } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { BankImportError, normalizeEntries, type StoredEntry } from './normalize.js';
import { storeRemittanceAdvices } from './remittances.js';

export interface BankImportOptions {
  path: string;
  format?: FormatName | 'auto';
  lenient?: boolean;
  strict?: boolean;
  mapping?: unknown;
  actor: string;
}

export interface BankImportSummary {
  fileId: string;
  file: string;
  format: FormatName;
  statements: number;
  entriesNew: number;
  entriesExisting: number;
  receiptsCreated: number;
  receiptsIdentified: number;
  remittancesNew: number;
  remittancesExisting: number;
  warnings: string[];
}

const METHOD_BY_FORMAT: Partial<Record<FormatName, 'ach' | 'lockbox' | 'check'>> = {
  nacha: 'ach',
  lockbox: 'lockbox',
};

/**
 * Stores a bank or remittance file and turns its incoming credits into receipts (cash to apply),
 * in one transaction. The same file, or a statement that overlaps one already stored, adds
 * nothing twice: entries are keyed by what identifies them at the bank.
 */
export async function importBankFile(
  database: Database,
  ctx: CompanyContext,
  options: BankImportOptions,
): Promise<BankImportSummary> {
  const file = basename(options.path);
  const result = await parseFile(options.path, {
    format: options.format ?? 'auto',
    lenient: options.lenient,
    strict: options.strict,
    mapping: options.mapping,
  });
  const sha256 = createHash('sha256')
    .update(await readFile(options.path))
    .digest('hex');
  const entries = normalizeEntries(result, file, ctx.baseCurrency);
  return database.transaction(async ({ client }) => {
    const fileId = uuidv7();
    const statementIds = result.statements.map(() => uuidv7());
    const { newEntries, existing } = await storeEntries(
      client,
      ctx,
      { fileId, file, sha256, actor: options.actor },
      result,
      statementIds,
      entries,
    );
    const receipts = await receiptsFor(client, ctx, result.format, newEntries, options.actor, file);
    const remittances = await storeRemittanceAdvices(client, ctx, {
      fileId,
      advices: result.remittances,
      receivedVia: 'bank-file',
      fileName: file,
    });
    await client.query(
      `UPDATE bank_file SET entries_new = $3, entries_existing = $4, remittances_new = $5 WHERE company_id = $1 AND file_id = $2`,
      [ctx.companyId, fileId, newEntries.length, existing, remittances.fresh],
    );
    return {
      fileId,
      file,
      format: result.format,
      statements: result.statements.length,
      entriesNew: newEntries.length,
      entriesExisting: existing,
      receiptsCreated: receipts.created,
      receiptsIdentified: receipts.identified,
      remittancesNew: remittances.fresh,
      remittancesExisting: remittances.existing,
      warnings: result.warnings.map((w) => w.message),
    };
  });
}

interface FileMeta {
  fileId: string;
  file: string;
  sha256: string;
  actor: string;
}

async function storeEntries(
  client: SqlClient,
  ctx: CompanyContext,
  meta: FileMeta,
  result: ParseResult,
  statementIds: string[],
  entries: StoredEntry[],
) {
  const { fileId } = meta;
  await client.query(
    `INSERT INTO bank_file (company_id, file_id, file_name, file_sha256, format, statements, entries_new, entries_existing,
       remittances_new, warnings, created_by) VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, $7, $8)`,
    [
      ctx.companyId,
      fileId,
      meta.file,
      meta.sha256,
      result.format,
      result.statements.length,
      JSON.stringify(result.warnings),
      meta.actor,
    ],
  );
  await client.query(
    `INSERT INTO bank_statement (company_id, statement_id, file_id, seq, account, currency, opening_balance_minor,
       closing_balance_minor, details)
     SELECT $1, x.statement_id, $2, x.seq, x.account, x.currency, x.opening, x.closing, x.details
       FROM jsonb_to_recordset($3::jsonb) AS x(statement_id uuid, seq int4, account text, currency text, opening int8,
            closing int8, details jsonb)`,
    [
      ctx.companyId,
      fileId,
      JSON.stringify(
        result.statements.map((s, seq) => {
          const currency = s.currency?.toUpperCase() ?? null;
          const exponent = minorUnitExponent(currency ?? ctx.baseCurrency);
          const { entries: _entries, account, opening_balance, closing_balance, ...details } = s;
          return {
            statement_id: statementIds[seq],
            seq,
            account,
            currency,
            opening: opening_balance === null ? null : parseDecimalToMinor(opening_balance, exponent),
            closing: closing_balance === null ? null : parseDecimalToMinor(closing_balance, exponent),
            details,
          };
        }),
      ),
    ],
  );
  const rows = entries.map((e) => {
    const { counterparty, remittance, ...details } = e.entry;
    return {
      bank_entry_id: uuidv7(),
      entry_key: e.entryKey,
      statement_id: statementIds[e.statementSeq],
      account: e.account,
      booking_date: e.bookingDate,
      value_date: e.valueDate,
      amount_minor: e.amountMinor,
      currency: e.currency,
      bank_transaction_code: e.entry.bank_transaction_code,
      bank_reference: e.entry.bank_reference,
      end_to_end_id: e.entry.end_to_end_id,
      counterparty_name: counterparty.name,
      counterparty_account: counterparty.account,
      counterparty_bank: counterparty.bank,
      remittance_references: remittance.references,
      remittance_text: remittance.text,
      details,
    };
  });
  const { rows: inserted } = await client.query<{ entry_key: string; bank_entry_id: string }>(
    `INSERT INTO bank_entry (company_id, bank_entry_id, entry_key, statement_id, account, booking_date, value_date,
       amount_minor, currency, bank_transaction_code, bank_reference, end_to_end_id, counterparty_name,
       counterparty_account, counterparty_bank, remittance_references, remittance_text, details)
     SELECT $1, x.bank_entry_id, x.entry_key, x.statement_id, x.account, x.booking_date, x.value_date, x.amount_minor,
            x.currency, x.bank_transaction_code, x.bank_reference, x.end_to_end_id, x.counterparty_name,
            x.counterparty_account, x.counterparty_bank, x.remittance_references, x.remittance_text, x.details
       FROM jsonb_to_recordset($2::jsonb) AS x(bank_entry_id uuid, entry_key text, statement_id uuid, account text,
            booking_date date, value_date date, amount_minor int8, currency text, bank_transaction_code text,
            bank_reference text, end_to_end_id text, counterparty_name text, counterparty_account text,
            counterparty_bank text, remittance_references jsonb, remittance_text text, details jsonb)
     ON CONFLICT (company_id, entry_key) DO NOTHING
     RETURNING entry_key, bank_entry_id`,
    [ctx.companyId, JSON.stringify(rows)],
  );
  const idByKey = new Map(inserted.map((r) => [r.entry_key, r.bank_entry_id]));
  const newEntries = entries
    .filter((e) => idByKey.has(e.entryKey))
    .map((e) => ({ ...e, bankEntryId: idByKey.get(e.entryKey)! }));
  return { newEntries, existing: entries.length - newEntries.length };
}

/** Incoming credits become receipts; a payer account known for exactly one customer identifies it. */
async function receiptsFor(
  client: SqlClient,
  ctx: CompanyContext,
  format: FormatName,
  entries: (StoredEntry & { bankEntryId: string })[],
  actor: string,
  file: string,
) {
  const credits = entries.filter(
    (e) => e.amountMinor > 0 && e.entry.reversal !== true && !e.entry.return_reason,
  );
  const accountKey = (text: string | null) => (text ? text.toUpperCase().replace(/[^A-Z0-9]/g, '') : '');
  const byAccount = await customersByAccount(
    client,
    ctx,
    credits.map((e) => accountKey(e.entry.counterparty.account)).filter((k) => k.length >= 4),
  );
  const receipts = credits.map((e) => ({
    receiptId: uuidv7(),
    receiptKey: `bank:${e.entryKey}`,
    customerId: byAccount.get(accountKey(e.entry.counterparty.account)) ?? null,
    receiptDate: e.valueDate ?? e.bookingDate ?? new Date().toISOString().slice(0, 10),
    method: METHOD_BY_FORMAT[format] ?? ('other' as const),
    currency: e.currency,
    amountMinor: e.amountMinor,
    payerName: e.entry.counterparty.name,
    payerAccount: e.entry.counterparty.account,
    reference: e.entry.end_to_end_id ?? e.entry.bank_reference,
    remittanceText:
      [e.entry.remittance.references.join(' '), e.entry.remittance.text ?? ''].join(' ').trim() || null,
    bankEntryId: e.bankEntryId,
  }));
  const foreign = receipts.filter((r) => r.currency !== ctx.baseCurrency);
  if (foreign.length > 0) {
    const { rows } = await client.query<{ currency: string; rate: string }>(
      `SELECT DISTINCT ON (currency) currency, rate::text FROM fx_rate WHERE company_id = $1 ORDER BY currency, rate_date DESC`,
      [ctx.companyId],
    );
    const rateOf = new Map(rows.map((r) => [r.currency.trim(), r.rate.replace(/\.?0+$/, '')]));
    for (const r of foreign) {
      const rate = rateOf.get(r.currency);
      if (!rate)
        throw new BankImportError(
          `${file}: a ${r.currency} credit needs an exchange rate for ${r.currency} in the rate table`,
        );
      (r as typeof r & { fxRate: string }).fxRate = rate;
    }
  }
  const created = await recordReceiptsBulk(client, ctx, receipts, actor, `bank file ${file}`);
  if (created.size > 0) {
    await client.query(
      `UPDATE bank_entry b SET receipt_id = r.receipt_id FROM receipt r
        WHERE b.company_id = $1 AND r.company_id = $1 AND r.bank_entry_id = b.bank_entry_id AND b.bank_entry_id = ANY($2::uuid[])`,
      [ctx.companyId, receipts.map((r) => r.bankEntryId)],
    );
  }
  return {
    created: created.size,
    identified: receipts.filter((r) => r.customerId !== null && created.has(r.receiptKey)).length,
  };
}
