import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { evaluatePredictions } from '../prediction/evaluate.js';
import { buildWorklist, viewOf } from './build.js';
import { worklistLines } from './render.js';

export const DEMO_TOP = 8;

/**
 * For `npm start`: trains the payment model, predicts the open invoices, builds the morning's
 * worklist, and returns its top accounts (with reasons and actions) and the model's score on a
 * time-ordered split, as printable lines.
 */
export async function showDemoWorklist(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
): Promise<string[]> {
  const w = await buildWorklist(client, ctx, { asOf: asOfDate, actor: 'demo', predict: 'always' });
  const lines = worklistLines(
    { worklist: w, rows: viewOf(w, { limit: DEMO_TOP }), collector: null },
    { reasons: 2, portfolios: true },
  );
  try {
    const e = await evaluatePredictions(client, ctx, { end: asOfDate });
    lines.push(
      '',
      `Payment prediction, trained before ${e.cutoff} and tested on ${e.model.rows} later invoices: ` +
        `${pct(e.model.accuracy)} right vs ${pct(e.baseline.accuracy)} for always "${e.baseline.majorityClass}" ` +
        `(AUC ${e.model.auc.toFixed(2)}; log loss ${e.model.logLoss.toFixed(3)} vs ${e.baseline.logLoss.toFixed(3)})`,
    );
  } catch (error) {
    // Too little history to split is not a demo failure: say so and go on.
    lines.push('', `Payment prediction not evaluated: ${(error as Error).message}`);
  }
  return lines;
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
