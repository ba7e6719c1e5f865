import { describe, expect, it } from 'vitest';
import {
  checkUnapply,
  reversalRow,
  type StoredApplication,
  unapplyEntry,
  unapplyMoves,
} from './applications.js';
import type { LineDraft } from './journal.js';

const stored = (extra: Partial<StoredApplication> = {}): StoredApplication => ({
  application_id: 'app-1',
  kind: 'payment',
  receipt_id: 'r-1',
  credit_document_id: null,
  document_id: 'd-1',
  currency: 'EUR',
  applied_minor: 1_000,
  cash_minor: 900,
  discount_minor: 60,
  write_off_minor: 40,
  write_off_reason: 'short paid',
  document_base_minor: 1_100,
  source_base_minor: 970,
  fx_gain_loss_base_minor: 20,
  reverses_application_id: null,
  origin: 'cashapp',
  run_id: 'run-1',
  external_key: 'k-1',
  entry_id: 'e-1',
  reversed: false,
  ...extra,
});

/** A LedgerError with exactly this code and message. */
const refused = (code: string, message: string) =>
  expect.objectContaining({ name: 'LedgerError', code, message });

describe('unapplying an application', () => {
  it('refuses a reversal before asking whether it was already unapplied', () => {
    expect(() => checkUnapply(stored({ reverses_application_id: 'app-0' }), 'app-1', true)).toThrow(
      refused('reversal-of-reversal', 'a reversal cannot itself be unapplied; apply again instead'),
    );
    expect(() => checkUnapply(stored(), 'APP-1', true)).toThrow(
      refused('already-reversed', 'application APP-1 was already unapplied'),
    );
    expect(() => checkUnapply(stored(), 'app-1', false)).not.toThrow();
  });

  it('posts the mirror of the original entry, pointing back at it', () => {
    const lines: LineDraft[] = [
      { role: 'unapplied_cash', customerId: 'c1', currency: 'EUR', amountMinor: 900, baseAmountMinor: 970 },
      { role: 'ar_control', customerId: 'c1', currency: 'EUR', amountMinor: -900, baseAmountMinor: -970 },
    ];
    const draft = unapplyEntry(stored(), lines, '2026-06-02', 'wrong invoice', 'rev-1');
    expect(draft).toEqual({
      postingDate: '2026-06-02',
      sourceType: 'unapply',
      sourceId: 'rev-1',
      memo: 'unapply app-1: wrong invoice',
      reversesEntryId: 'e-1',
      lines: [
        {
          role: 'unapplied_cash',
          customerId: 'c1',
          currency: 'EUR',
          amountMinor: -900,
          baseAmountMinor: -970,
        },
        { role: 'ar_control', customerId: 'c1', currency: 'EUR', amountMinor: 900, baseAmountMinor: 970 },
      ],
    });
  });

  it('gives a payment its cash back on the receipt and the whole amount applied back to the document', () => {
    expect(unapplyMoves(stored())).toEqual({
      receipt: { receiptId: 'r-1', deltas: [900, 970, 0, 0] },
      documents: [{ documentId: 'd-1', deltas: [1_000, 1_100] }],
    });
  });

  it('takes cash on account back into unapplied cash', () => {
    const onAccount = stored({ kind: 'on_account', document_id: null, applied_minor: 900, cash_minor: 900 });
    expect(unapplyMoves(onAccount)).toEqual({
      receipt: { receiptId: 'r-1', deltas: [900, 970, -900, -970] },
      documents: [],
    });
  });

  it('reopens the credit memo before the document', () => {
    const credit = stored({ kind: 'credit_memo', receipt_id: null, credit_document_id: 'cm-1' });
    expect(unapplyMoves(credit)).toEqual({
      receipt: null,
      documents: [
        { documentId: 'cm-1', deltas: [900, 970] },
        { documentId: 'd-1', deltas: [1_000, 1_100] },
      ],
    });
  });

  it('writes a reversal row with every amount negated and the new run, if any', () => {
    const row = reversalRow(stored({ currency: 'EUR ' }), 'rev-1', undefined);
    expect(row).toMatchObject({
      application_id: 'rev-1',
      reverses_application_id: 'app-1',
      currency: 'EUR',
      applied_minor: -1_000,
      cash_minor: -900,
      discount_minor: -60,
      write_off_minor: -40,
      write_off_reason: 'short paid',
      document_base_minor: -1_100,
      source_base_minor: -970,
      fx_gain_loss_base_minor: -20,
      origin: 'cashapp',
      run_id: 'run-1',
      external_key: 'k-1',
      confidence: null,
      reasons: null,
    });
    expect(reversalRow(stored(), 'rev-2', 'run-2').run_id).toBe('run-2');
  });
});
