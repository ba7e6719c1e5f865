import { createHash } from 'node:crypto';
import type { BankEntry, ParseResult, RemittanceAdvice } from '../formats/model.js';
import { minorUnitExponent, parseDecimalToMinor } from '../money/index.js';

/** A bank entry ready to store: exact minor units, its currency, and the key that deduplicates it. */
export interface StoredEntry {
  entryKey: string;
  statementSeq: number;
  account: string | null;
  bookingDate: string | null;
  valueDate: string | null;
  amountMinor: number;
  currency: string;
  entry: BankEntry;
}

export class BankImportError extends Error {
  override name = 'BankImportError';
}

/**
 * What identifies a transaction at the bank, independent of which file carried it: the account,
 * the bank's own reference when there is one, else dates, amount, counterparty and text — plus the
 * occurrence number among identical entries in one statement, so two genuinely equal payments on
 * one day stay two.
 */
export function entryIdentity(account: string | null, e: BankEntry): string {
  const ref = e.bank_reference ?? e.end_to_end_id;
  const parts = ref
    ? [account ?? '', 'ref', ref, e.amount, e.value_date ?? e.booking_date ?? '']
    : [
        account ?? '',
        'noref',
        e.booking_date ?? '',
        e.value_date ?? '',
        e.amount,
        e.counterparty.name ?? '',
        e.counterparty.account ?? '',
        e.remittance.text ?? '',
        e.remittance.references.join('|'),
      ];
  return parts.join('\u001f');
}

export function normalizeEntries(result: ParseResult, fileName: string, baseCurrency: string): StoredEntry[] {
  const out: StoredEntry[] = [];
  result.statements.forEach((statement, seq) => {
    const seen = new Map<string, number>();
    for (const e of statement.entries) {
      const currency = (e.currency ?? statement.currency ?? baseCurrency).toUpperCase();
      let amountMinor: number;
      try {
        amountMinor = parseDecimalToMinor(e.amount, minorUnitExponent(currency));
      } catch (error) {
        throw new BankImportError(
          `${fileName}: statement ${seq + 1}: amount ${e.amount} is not a valid ${currency} amount`,
          { cause: error },
        );
      }
      const identity = entryIdentity(statement.account, e);
      const n = (seen.get(identity) ?? 0) + 1;
      seen.set(identity, n);
      out.push({
        entryKey: digest(`${identity}\u001f${n}`),
        statementSeq: seq,
        account: statement.account,
        bookingDate: e.booking_date,
        valueDate: e.value_date,
        amountMinor,
        currency,
        entry: e,
      });
    }
  });
  return out;
}

export function adviceKey(advice: RemittanceAdvice): string {
  return digest(
    JSON.stringify([
      advice.payer,
      advice.payment_reference,
      advice.amount,
      advice.lines.map((l) => [l.document_number, l.amount_paid]),
    ]),
  );
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
