import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { assertIsoDate } from '../core/dates.js';
import { invariant } from './core/errors.js';
import { assertGraceDays, DEFAULT_GRACE_DAYS, type LabelledRow, MAX_TRAINING_ROWS } from './core/model.js';
import { evaluateTimeSplit, type SplitEvaluation } from './core/split.js';
import { buildPredictionInput, KIND_TRAINING, labelledOf, readInput } from './features.js';

/**
 * The time-ordered evaluation over the ledger: every document whose outcome is known by `end`
 * (due + grace before it), described as it stood on its issue date; train before `cutoff`, test on
 * the documents issued from it on. Without a cutoff, the issue date that leaves the last quarter of
 * those documents for testing. Reads only; nothing is stored.
 */
export interface EvaluateOptions {
  end: string;
  cutoff?: string;
  graceDays?: number;
}

export async function evaluatePredictions(
  client: SqlClient,
  ctx: CompanyContext,
  options: EvaluateOptions,
): Promise<SplitEvaluation & { end: string; labelled: number }> {
  assertIsoDate(options.end, 'end date');
  if (options.cutoff !== undefined) assertIsoDate(options.cutoff, 'cutoff date');
  const graceDays = options.graceDays ?? DEFAULT_GRACE_DAYS;
  assertGraceDays(graceDays);
  await buildPredictionInput(client, ctx.companyId, {
    asOf: options.end,
    graceDays,
    trainFrom: '1900-01-01',
    trainLimit: MAX_TRAINING_ROWS,
  });
  const rows: LabelledRow[] = [];
  await readInput(client, KIND_TRAINING, (batch) => {
    for (const r of batch) rows.push(labelledOf(r));
  });
  invariant(rows.length > 0, 'no-history', `no document's outcome is known by ${options.end}`);
  const cutoff = options.cutoff ?? defaultCutoff(rows);
  invariant(cutoff <= options.end, 'bad-cutoff', `the cutoff ${cutoff} is after the end ${options.end}`);
  return { ...evaluateTimeSplit(rows, cutoff, { graceDays }), end: options.end, labelled: rows.length };
}

/** The issue date three quarters of the way through the labelled documents. */
export function defaultCutoff(rows: readonly LabelledRow[]): string {
  const dates = rows.map((r) => r.documentDate).sort();
  return dates[Math.min(dates.length - 1, Math.floor(dates.length * 0.75))]!;
}
