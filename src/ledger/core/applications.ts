import { invariant } from './errors.js';
import { type EntryDraft, type LineDraft, reversalOf } from './journal.js';

/**
 * Application rows in the table's own (snake_case) shape, and the pure part of unapplying one,
 * shared by unapply (operations.ts) and unapplyBulk (bulk-apply.ts) so that a reversal is the
 * same row, entry and balance moves whichever path makes it.
 */

export type Origin = 'manual' | 'import' | 'cashapp';

/** The columns of an application row that do not depend on the statement writing it. */
export interface ApplicationColumns {
  application_id: string;
  kind: 'payment' | 'credit_memo' | 'on_account';
  receipt_id: string | null;
  credit_document_id: string | null;
  document_id: string | null;
  currency: string;
  applied_minor: number;
  cash_minor: number;
  discount_minor: number;
  write_off_minor: number;
  write_off_reason: string | null;
  document_base_minor: number;
  source_base_minor: number;
  fx_gain_loss_base_minor: number;
  reverses_application_id: string | null;
  origin: Origin;
  run_id: string | null;
  external_key: string | null;
  confidence: number | null;
  reasons: unknown;
}

/** An application as read back for unapplying: `reversed` when a later row already reverses it. */
export interface StoredApplication extends Omit<ApplicationColumns, 'confidence' | 'reasons'> {
  entry_id: string;
  reversed: boolean;
}

/** `applicationId` is the id as asked for, which the message repeats as given. */
export function checkUnapply(app: StoredApplication, applicationId: string, alreadyUnapplied: boolean): void {
  invariant(
    app.reverses_application_id === null,
    'reversal-of-reversal',
    'a reversal cannot itself be unapplied; apply again instead',
  );
  invariant(!alreadyUnapplied, 'already-reversed', `application ${applicationId} was already unapplied`);
}

/** The exact mirror of the application's entry, so every base amount comes back to the cent. */
export function unapplyEntry(
  app: StoredApplication,
  lines: LineDraft[],
  postingDate: string,
  reason: string,
  reversalId: string,
): EntryDraft {
  const original: EntryDraft = { postingDate, sourceType: 'unapply', sourceId: reversalId, memo: '', lines };
  return {
    ...reversalOf(original, postingDate, `unapply ${app.application_id}: ${reason}`),
    reversesEntryId: app.entry_id,
  };
}

export interface UnapplyMoves {
  receipt: {
    receiptId: string;
    deltas: [
      unappliedMinor: number,
      unappliedBaseMinor: number,
      onAccountMinor: number,
      onAccountBaseMinor: number,
    ];
  } | null;
  /** The credit memo's (if any) before the document's, the order unapply has always restored them in. */
  documents: { documentId: string; deltas: [openMinor: number, openBaseMinor: number] }[];
}

/** What unapplying gives back to the source (receipt or credit memo) and to the document. */
export function unapplyMoves(app: StoredApplication): UnapplyMoves {
  const moves: UnapplyMoves = { receipt: null, documents: [] };
  const cashMinor = app.cash_minor;
  const cashBaseMinor = app.source_base_minor;
  if (app.kind === 'on_account')
    moves.receipt = {
      receiptId: app.receipt_id!,
      deltas: [cashMinor, cashBaseMinor, -cashMinor, -cashBaseMinor],
    };
  else if (app.kind === 'payment')
    moves.receipt = { receiptId: app.receipt_id!, deltas: [cashMinor, cashBaseMinor, 0, 0] };
  else moves.documents.push({ documentId: app.credit_document_id!, deltas: [cashMinor, cashBaseMinor] });
  if (app.document_id)
    moves.documents.push({
      documentId: app.document_id,
      deltas: [app.applied_minor, app.document_base_minor],
    });
  return moves;
}

/** The reversal row: every amount negated, pointing back at the original, tagged with the new run. */
export function reversalRow(
  app: StoredApplication,
  reversalId: string,
  runId: string | null | undefined,
): ApplicationColumns {
  return {
    application_id: reversalId,
    kind: app.kind,
    receipt_id: app.receipt_id,
    credit_document_id: app.credit_document_id,
    document_id: app.document_id,
    currency: app.currency.trim(),
    applied_minor: -app.applied_minor,
    cash_minor: -app.cash_minor,
    discount_minor: -app.discount_minor,
    write_off_minor: -app.write_off_minor,
    write_off_reason: app.write_off_reason,
    document_base_minor: -app.document_base_minor,
    source_base_minor: -app.source_base_minor,
    fx_gain_loss_base_minor: -app.fx_gain_loss_base_minor,
    reverses_application_id: app.application_id,
    origin: app.origin,
    run_id: runId ?? app.run_id,
    external_key: app.external_key,
    confidence: null,
    reasons: null,
  };
}
