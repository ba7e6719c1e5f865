import { applyCredit, type CompanyContext, postDocument } from '../../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { hasCreditRole, releaseCreditHold } from '../activity/credit.js';
import { ActivityError } from '../activity/errors.js';
import { type NewActivity, recordActivities } from '../activity/holds.js';
import { assertIsoDate } from '../core/dates.js';
import { DunningError, invariant } from './core/errors.js';
import { resolveRun } from './runs.js';

/**
 * `openar dunning undo RUN`: reverses what can be reversed. Fees and interest: a credit memo for
 * what is still open on the debit memo, applied to it (a paid part stays, and is reported). Levels:
 * the run's items are marked undone, so the documents fall back to the level they had. Credit holds
 * the run placed: released through `releaseHold` when given (see `releaseAsCreditManager`), else a
 * follow-up asks a credit manager to release them. E-mails stay recorded as sent. Every customer's
 * timeline says so. One transaction.
 */

/** Releases a credit hold; true when it is released (the activity module owns holds). */
export type ReleaseHold = (
  client: SqlClient,
  ctx: CompanyContext,
  h: { holdId: string; customerId: string; reason: string; actor: string; date: string },
) => Promise<boolean>;

/**
 * Releases a dunning hold through the activity module, when the person undoing is a credit manager
 * (false otherwise: the hold is then flagged for one). A release there is a manager's override, so
 * dunning holds the customer back from the release date to the end of its override period.
 */
export const releaseAsCreditManager: ReleaseHold = async (client, ctx, h) => {
  if (!(await hasCreditRole(client, ctx, h.actor, 'credit_manager'))) return false;
  try {
    const r = await releaseCreditHold(client, ctx, {
      customerId: h.customerId,
      reason: h.reason,
      actor: h.actor,
      date: h.date,
      until: h.date,
      source: 'dunning',
    });
    return r.released.some((x) => x.holdId === h.holdId);
  } catch (error) {
    // Already released by someone else: nothing left to do.
    if (error instanceof ActivityError && error.code === 'not-on-hold') return true;
    throw error;
  }
};

export interface UndoOptions {
  actor: string;
  reason: string;
  /** Posting date of the reversals (default: the run's as-of date). */
  postingDate?: string;
  releaseHold?: ReleaseHold;
}

export interface UndoSummary {
  runId: string;
  lettersUndone: number;
  levelsReset: number;
  emailsKeptAsSent: number;
  chargesReversed: {
    document: string;
    reversal: string;
    currency: string;
    amount: string;
    note: string | null;
  }[];
  chargesNotReversed: { document: string; currency: string; amount: string; note: string }[];
  holdsReleased: string[];
  holdsToRelease: string[];
}

export async function undoRun(
  client: SqlClient,
  ctx: CompanyContext,
  ref: string,
  opts: UndoOptions,
): Promise<UndoSummary> {
  invariant(
    opts.reason.trim().length > 0 && opts.reason.length <= 500,
    'reason-missing',
    'an undo needs a reason (at most 500 characters)',
  );
  const runId = await resolveRun(client, ctx, ref);
  const { rows: runs } = await client.query<{ as_of: string; undone: boolean }>(
    `SELECT as_of, undone_at IS NOT NULL AS undone FROM dunning_run WHERE company_id = $1 AND run_id = $2 FOR UPDATE`,
    [ctx.companyId, runId],
  );
  const run = runs[0]!;
  if (run.undone) throw new DunningError('already-undone', `dunning run ${runId} was already undone`);
  const postingDate = assertIsoDate(opts.postingDate ?? run.as_of, 'the posting date');
  const summary: UndoSummary = {
    runId,
    lettersUndone: 0,
    levelsReset: 0,
    emailsKeptAsSent: 0,
    chargesReversed: [],
    chargesNotReversed: [],
    holdsReleased: [],
    holdsToRelease: [],
  };
  await reverseCharges(client, ctx, runId, postingDate, opts, summary);
  await releaseHolds(client, ctx, runId, postingDate, opts, summary);

  const letters = await client.query<{
    customer_id: string;
    status: string;
    step_code: string;
    level: number;
  }>(
    `UPDATE dunning_letter SET undone_at = now()
      WHERE company_id = $1 AND run_id = $2 AND undone_at IS NULL
      RETURNING customer_id, status, step_code, level`,
    [ctx.companyId, runId],
  );
  summary.lettersUndone = letters.rowCount;
  summary.emailsKeptAsSent = letters.rows.filter((l) => l.status === 'sent').length;
  const items = await client.query(
    `UPDATE dunning_letter_item i SET undone_at = now()
       FROM dunning_letter l
      WHERE i.company_id = $1 AND l.company_id = $1 AND l.letter_id = i.letter_id AND l.run_id = $2
        AND i.undone_at IS NULL`,
    [ctx.companyId, runId],
  );
  summary.levelsReset = items.rowCount;
  await client.query(
    `UPDATE dunning_run SET undone_at = now(), undone_by = $3, undo_reason = $4 WHERE company_id = $1 AND run_id = $2`,
    [ctx.companyId, runId, opts.actor, opts.reason],
  );
  const byCustomer = new Map<string, string[]>();
  for (const l of letters.rows) {
    const list = byCustomer.get(l.customer_id) ?? [];
    list.push(`${l.step_code} (level ${l.level}${l.status === 'sent' ? ', e-mail already sent' : ''})`);
    byCustomer.set(l.customer_id, list);
  }
  const activities: NewActivity[] = [...byCustomer].map(([customerId, steps]) => ({
    customerId,
    kind: 'dunning',
    text: `Dunning run ${runId} (as of ${run.as_of}) undone: ${opts.reason}. Steps reset: ${steps.join(', ')}`.slice(
      0,
      4000,
    ),
    refType: 'dunning_run',
    refId: runId,
    actor: opts.actor,
    date: postingDate,
  }));
  for (const holdId of summary.holdsToRelease) {
    const customerId = await holdCustomer(client, ctx, runId, holdId);
    if (customerId)
      activities.push({
        customerId,
        kind: 'dunning',
        text: `Release credit hold ${holdId}: the dunning run that placed it (${runId}) was undone (${opts.reason})`,
        followUpDate: postingDate,
        refType: 'credit_hold',
        refId: holdId,
        actor: opts.actor,
        date: postingDate,
      });
  }
  await recordActivities(client, ctx, activities);
  return summary;
}

async function reverseCharges(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  postingDate: string,
  opts: UndoOptions,
  summary: UndoSummary,
): Promise<void> {
  // The fee's current open amount is a reporting read of the ledger's document table.
  const { rows } = await client.query<{
    charge_id: string;
    kind: string;
    document_id: string;
    document_number: string;
    customer_id: string;
    currency: string;
    amount_minor: number;
    open_minor: number;
    fx_rate: string;
  }>(
    `SELECT ch.charge_id, ch.kind, ch.document_id, ch.document_number, d.customer_id, ch.currency, ch.amount_minor,
            d.open_minor, d.fx_rate::text AS fx_rate
       FROM dunning_charge ch
       JOIN dunning_letter l ON l.company_id = ch.company_id AND l.letter_id = ch.letter_id
       JOIN document d ON d.company_id = ch.company_id AND d.document_id = ch.document_id
      WHERE ch.company_id = $1 AND l.run_id = $2 AND ch.reversed_at IS NULL
      ORDER BY ch.document_number`,
    [ctx.companyId, runId],
  );
  const updates: unknown[] = [];
  for (const c of rows) {
    const currency = c.currency.trim();
    const dec = (m: number) => formatMinor(m, minorUnitExponent(currency));
    const reversible = Math.min(c.open_minor, c.amount_minor);
    const paid = c.amount_minor - reversible;
    const note = paid > 0 ? `${dec(paid)} of it was already paid: refund or credit it by hand` : null;
    if (reversible === 0) {
      summary.chargesNotReversed.push({
        document: c.document_number,
        currency,
        amount: dec(c.amount_minor),
        note: note!,
      });
      updates.push({ charge_id: c.charge_id, reversal_document_id: null, reversed_minor: 0, note });
      continue;
    }
    const reversalNumber = `${c.document_number}-R`;
    const creditId = await postDocument(client, ctx, {
      documentNumber: reversalNumber,
      customerId: c.customer_id,
      docType: 'credit_memo',
      documentDate: postingDate,
      dueDate: postingDate,
      currency,
      amountMinor: reversible,
      fxRate: c.fx_rate,
      description:
        `Reverses dunning ${c.kind} ${c.document_number}: run ${runId} undone (${opts.reason})`.slice(0, 500),
      actor: opts.actor,
      reason: opts.reason,
    });
    await applyCredit(client, ctx, {
      creditDocumentId: creditId,
      documentId: c.document_id,
      amountMinor: reversible,
      postingDate,
      actor: opts.actor,
      reason: `dunning run ${runId} undone: ${opts.reason}`,
    });
    summary.chargesReversed.push({
      document: c.document_number,
      reversal: reversalNumber,
      currency,
      amount: dec(reversible),
      note,
    });
    updates.push({
      charge_id: c.charge_id,
      reversal_document_id: creditId,
      reversed_minor: reversible,
      note,
    });
  }
  if (updates.length > 0)
    await client.query(
      `UPDATE dunning_charge ch SET reversal_document_id = x.reversal_document_id, reversed_minor = x.reversed_minor,
              reversal_note = x.note, reversed_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS x(charge_id uuid, reversal_document_id uuid, reversed_minor int8, note text)
        WHERE ch.company_id = $1 AND ch.charge_id = x.charge_id`,
      [ctx.companyId, JSON.stringify(updates)],
    );
}

/** Holds this run placed: those no other live letter (an earlier run's) also points at. */
async function releaseHolds(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  date: string,
  opts: UndoOptions,
  summary: UndoSummary,
): Promise<void> {
  const { rows } = await client.query<{ hold_id: string; customer_id: string }>(
    `SELECT DISTINCT l.hold_id, l.customer_id FROM dunning_letter l
      WHERE l.company_id = $1 AND l.run_id = $2 AND l.hold_id IS NOT NULL AND l.undone_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM dunning_letter o
                         WHERE o.company_id = $1 AND o.hold_id = l.hold_id AND o.run_id <> $2 AND o.undone_at IS NULL)
      ORDER BY l.hold_id`,
    [ctx.companyId, runId],
  );
  for (const r of rows) {
    const released = opts.releaseHold
      ? await opts.releaseHold(client, ctx, {
          holdId: r.hold_id,
          customerId: r.customer_id,
          reason: `dunning run ${runId} undone: ${opts.reason}`,
          actor: opts.actor,
          date,
        })
      : false;
    (released ? summary.holdsReleased : summary.holdsToRelease).push(r.hold_id);
  }
}

async function holdCustomer(client: SqlClient, ctx: CompanyContext, runId: string, holdId: string) {
  const { rows } = await client.query<{ customer_id: string }>(
    'SELECT customer_id FROM dunning_letter WHERE company_id = $1 AND run_id = $2 AND hold_id = $3 LIMIT 1',
    [ctx.companyId, runId, holdId],
  );
  return rows[0]?.customer_id ?? null;
}
