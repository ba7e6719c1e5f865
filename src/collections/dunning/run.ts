import { collectBackFindings, disputedByDocument } from '../../disputes/holds.js';
import type { CompanyContext } from '../../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { dunningHolds } from '../activity/holds.js';
import { addDays, assertIsoDate } from '../core/dates.js';
import type { DunningConfig } from './core/config.js';
import { type DunningPlan, maxLeadDays, type PlannedLetter, planDunning } from './core/plan.js';
import { letterTotals, recordPlan, renderPlanned } from './record.js';
import { checkSmtpUrl, type InTransaction, type SendResult, sendLetters } from './send.js';
import { loadCandidates, loadConfig, loadCustomerFacts } from './store.js';

/**
 * `openar dunning run`: read everything set-based (open documents with their levels, customers,
 * holds, disputes), plan in memory, then either describe the plan (--dry-run: nothing is written or
 * sent) or record it in one transaction and send its e-mails.
 */

export interface RunOptions {
  asOf: string;
  dryRun: boolean;
  actor: string;
  /** Needed unless dry-running (checked before anything is recorded). */
  smtpUrl?: string;
}

export interface LetterSummary {
  letterId: string | null;
  customerNumber: string;
  customerName: string;
  strategy: string;
  segment: string;
  action: string;
  step: string;
  level: number;
  language: string;
  recipient: string | null;
  subject: string | null;
  documents: string[];
  totals: Record<string, { open: string; fee: string; interest: string }>;
  charges: { kind: string; currency: string; amount: string; document: string | null }[];
  status: 'would_send' | 'would_record' | 'pending' | 'sent' | 'failed' | 'recorded';
  error: string | null;
  reasons: string[];
}

export interface RunSummary {
  runId: string | null;
  asOf: string;
  dryRun: boolean;
  strategySource: string;
  documentsConsidered: number;
  letters: LetterSummary[];
  skipped: { customerNumber: string; document: string | null; code: string; detail: string }[];
  counts: { emails: number; sent: number; failed: number; actions: number; skipped: number; charges: number };
}

export interface Prepared {
  plan: DunningPlan;
  config: DunningConfig;
  configId: string | null;
  sourceName: string;
  collectors: Map<string, string | null>;
}

/** Reads and plans (no writes). */
export async function prepareRun(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<Prepared> {
  assertIsoDate(asOf, 'the as-of date');
  const loaded = await loadConfig(client, ctx);
  const documents = await loadCandidates(client, ctx, addDays(asOf, maxLeadDays(loaded.config)));
  const customers = await loadCustomerFacts(
    client,
    ctx,
    documents.map((d) => d.customerId),
  );
  const holds = await dunningHolds(client, ctx.companyId, asOf);
  const disputes = await disputedByDocument(client, ctx.companyId);
  const plan = planDunning({
    asOf,
    baseCurrency: ctx.baseCurrency,
    config: loaded.config,
    documents,
    customers,
    holds,
    disputes,
  });
  await noteFindings(client, ctx, asOf, plan);
  return {
    plan,
    config: loaded.config,
    configId: loaded.configId,
    sourceName: loaded.sourceName,
    collectors: new Map([...customers.values()].map((c) => [c.customerId, c.collector])),
  };
}

/** How long after a deduction was found invalid its finding is still told to the customer. */
const FINDING_DAYS = 365;

/**
 * A deduction found invalid comes back to dunning: the letter says why the customer is asked again
 * (the owner's finding), so a collector does not have to explain it on the phone.
 */
async function noteFindings(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
  plan: DunningPlan,
): Promise<void> {
  if (plan.letters.length === 0) return;
  const findings = await collectBackFindings(client, ctx.companyId, addDays(asOf, -FINDING_DAYS));
  if (findings.size === 0) return;
  for (const letter of plan.letters)
    for (const item of letter.items) {
      const f = findings.get(item.documentId);
      if (f) item.note = `${f.finding} (${f.caseNumber})`;
    }
}

const dec = (minor: number, currency: string) => formatMinor(minor, minorUnitExponent(currency));

function summarizeLetter(
  ctx: CompanyContext,
  p: Prepared,
  l: PlannedLetter,
  recorded?: {
    letterId: string;
    subject: string | null;
    language: string;
    charges: { kind: string; currency: string; amountMinor: number; documentNumber: string }[];
  },
): LetterSummary {
  const rendered = recorded ?? {
    ...renderPlanned(ctx, p.config, l, p.plan.asOf),
    letterId: null,
    charges: null,
  };
  return {
    letterId: recorded?.letterId ?? null,
    customerNumber: l.customerNumber,
    customerName: l.customerName,
    strategy: l.strategyCode,
    segment: l.segmentCode,
    action: l.action,
    step: l.step.code,
    level: l.step.level,
    language: rendered.language,
    recipient: l.recipient,
    subject: rendered.subject,
    documents: l.items.map((i) => i.documentNumber),
    totals: Object.fromEntries(
      Object.entries(letterTotals(l)).map(([c, t]) => [
        c,
        { open: dec(t.open, c), fee: dec(t.fee, c), interest: dec(t.interest, c) },
      ]),
    ),
    charges: (recorded?.charges ?? l.charges.map((c) => ({ ...c, documentNumber: null }))).map((c) => ({
      kind: c.kind,
      currency: c.currency,
      amount: dec(c.amountMinor, c.currency),
      document: c.documentNumber,
    })),
    status: recorded
      ? l.action === 'email'
        ? 'pending'
        : 'recorded'
      : l.action === 'email'
        ? 'would_send'
        : 'would_record',
    error: null,
    reasons: l.reasons,
  };
}

function summarize(p: Prepared, runId: string | null, letters: LetterSummary[]): RunSummary {
  const emails = letters.filter((l) => l.action === 'email').length;
  return {
    runId,
    asOf: p.plan.asOf,
    dryRun: runId === null,
    strategySource: p.sourceName,
    documentsConsidered: p.plan.documentsConsidered,
    letters,
    skipped: p.plan.skips.map((s) => ({
      customerNumber: s.customerNumber,
      document: s.documentNumber,
      code: s.code,
      detail: s.detail,
    })),
    counts: {
      emails,
      sent: letters.filter((l) => l.status === 'sent').length,
      failed: letters.filter((l) => l.status === 'failed').length,
      actions: letters.length - emails,
      skipped: p.plan.skips.length,
      charges: letters.reduce((n, l) => n + (runId === null ? 0 : l.charges.length), 0),
    },
  };
}

/** Who would get what, with nothing written or sent. */
export async function dryRun(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<RunSummary> {
  const p = await prepareRun(client, ctx, asOf);
  return summarize(
    p,
    null,
    p.plan.letters.map((l) => summarizeLetter(ctx, p, l)),
  );
}

/**
 * Records the run (one transaction through `tx`) and sends its e-mails; the SMTP URL is checked
 * before anything is written. Returns the summary with each e-mail's outcome.
 */
export async function runDunning(
  tx: InTransaction,
  ctx: CompanyContext,
  opts: RunOptions,
): Promise<RunSummary> {
  if (opts.dryRun) return tx((client) => dryRun(client, ctx, opts.asOf));
  const smtpUrl = checkSmtpUrl(opts.smtpUrl);
  const { prepared, recorded } = await tx(async (client) => {
    const prepared = await prepareRun(client, ctx, opts.asOf);
    const recorded = await recordPlan(
      client,
      ctx,
      prepared.plan,
      { config: prepared.config, configId: prepared.configId, actor: opts.actor },
      prepared.collectors,
    );
    return { prepared, recorded };
  });
  const letters = recorded.letters.map((r) => summarizeLetter(ctx, prepared, r.planned, r));
  const results = await sendLetters(tx, ctx, recorded.runId, { smtpUrl, actor: opts.actor });
  applyResults(letters, results);
  return summarize(prepared, recorded.runId, letters);
}

function applyResults(letters: LetterSummary[], results: readonly SendResult[]): void {
  const byId = new Map(results.map((r) => [r.letterId, r]));
  for (const l of letters) {
    const r = l.letterId === null ? undefined : byId.get(l.letterId);
    if (!r) continue;
    l.status = r.status;
    l.error = r.error;
  }
}
