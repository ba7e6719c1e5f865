import { type SettleSummary, settlePromisesAndPlans } from '../collections/activity/settle.js';
import type { CompanyContext } from '../ledger/index.js';
import type { Database } from '../store/database.js';
import { today } from './format.js';

/**
 * Cash arrived or was applied: promises to pay and plan installments it settles are marked now,
 * so the worklist and dunning see them at once. Separate from the cash posting's transaction —
 * a failure here leaves the cash posted and the promises as they were for the next run.
 */
export async function settleAfterCash(
  database: Database,
  ctx: CompanyContext,
  actor: string,
): Promise<SettleSummary> {
  return database.transaction(({ client }) => settlePromisesAndPlans(client, ctx, today(), { actor }));
}

export function describeSettle(s: SettleSummary): string | null {
  if (s.promisesEvaluated === 0 && s.plansEvaluated === 0) return null;
  return `promises: ${s.kept} kept, ${s.broken} broken (${s.partial} partly kept) of ${s.promisesEvaluated}; plan installments: ${s.installmentsPaid} paid, ${s.installmentsMissed} missed`;
}
