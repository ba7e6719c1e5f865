import { uuidv7 } from 'uuidv7';
import {
  type CompanyContext,
  MAX_DOCUMENTS_PER_CALL,
  type NewDocument,
  postDocuments,
} from '../../ledger/index.js';
import type { SqlClient } from '../../store/client.js';
import { type NewActivity, placeCreditHold, recordActivities } from '../activity/holds.js';
import type { DunningConfig } from './core/config.js';
import { type DunningPlan, itemReason, type PlannedLetter } from './core/plan.js';
import { formatAmount, renderLetter } from './core/templates.js';
import { loadRates } from './store.js';

/**
 * Writes a planned run: the run, the strategy assignments, every letter (e-mails as 'pending' with
 * their rendered text, other steps as 'recorded') and its items, the skips, the fees and interest as
 * debit memos posted through the ledger, credit holds through the activity module, and the
 * non-e-mail steps on the customers' timelines. One transaction: all of it or nothing. The e-mails
 * themselves go out afterwards (send.ts), each marked sent or failed.
 */

export interface RecordedLetter {
  letterId: string;
  planned: PlannedLetter;
  subject: string | null;
  body: string | null;
  language: string;
  charges: { kind: 'fee' | 'interest'; currency: string; amountMinor: number; documentNumber: string }[];
  holdId: string | null;
}

export interface RecordedRun {
  runId: string;
  letters: RecordedLetter[];
}

export interface RecordOptions {
  config: DunningConfig;
  configId: string | null;
  actor: string;
}

export function renderPlanned(ctx: CompanyContext, config: DunningConfig, l: PlannedLetter, asOf: string) {
  if (l.action !== 'email') return { subject: null, body: null, language: l.language };
  return renderLetter(config.templates, {
    templateKey: l.step.template!,
    language: l.language,
    fallbackLanguage: config.defaultLanguage,
    customerName: l.customerName,
    customerNumber: l.customerNumber,
    companyName: ctx.name,
    contact: config.contact,
    asOf,
    stepCode: l.step.code,
    lines: l.items,
    charges: l.charges,
  });
}

/** Per currency, minor units: what a letter asks for (open items, fee, interest). */
export function letterTotals(
  l: PlannedLetter,
): Record<string, { open: number; fee: number; interest: number }> {
  const out: Record<string, { open: number; fee: number; interest: number }> = {};
  const at = (c: string) => (out[c] ??= { open: 0, fee: 0, interest: 0 });
  for (const i of l.items) at(i.currency).open += i.openMinor;
  for (const c of l.charges) at(c.currency)[c.kind] += c.amountMinor;
  return out;
}

const ACTION_TEXT: Record<string, string> = {
  call_task: 'Call task',
  escalation: 'Escalation',
  credit_hold: 'Credit hold',
  legal: 'Legal / agency',
};

export function describeAmounts(l: PlannedLetter): string {
  return Object.entries(letterTotals(l))
    .map(([c, t]) => formatAmount(t.open, c, 'en'))
    .join(' + ');
}

/** The timeline entry of a non-e-mail step: what to do, for whom, about what. */
function actionActivity(
  l: PlannedLetter,
  letterId: string,
  asOf: string,
  actor: string,
  collector: string | null,
): NewActivity {
  const assignee = l.step.assignee === 'collector' ? (collector ?? 'the collector') : l.step.assignee;
  const text = [
    `${ACTION_TEXT[l.action]}: ${l.step.name} (dunning step ${l.step.code}, level ${l.step.level}, strategy ${l.strategyCode})`,
    `${l.items.length} documents, ${describeAmounts(l)}: ${l.items.map((i) => i.documentNumber).join(', ')}`,
    assignee ? `for ${assignee}` : '',
    l.step.note ?? '',
  ]
    .filter((x) => x !== '')
    .join('; ');
  return {
    customerId: l.customerId,
    kind: 'dunning',
    text: text.slice(0, 4000),
    followUpDate: l.action === 'credit_hold' ? null : asOf,
    refType: 'dunning_letter',
    refId: letterId,
    actor,
    date: asOf,
  };
}

export async function recordPlan(
  client: SqlClient,
  ctx: CompanyContext,
  plan: DunningPlan,
  opts: RecordOptions,
  collectors: ReadonlyMap<string, string | null>,
): Promise<RecordedRun> {
  const runId = uuidv7();
  const emails = plan.letters.filter((l) => l.action === 'email').length;
  await client.query(
    `INSERT INTO dunning_run (company_id, run_id, as_of, config_id, config, documents_considered, letters, emails,
       actions, skips, created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11)`,
    [
      ctx.companyId,
      runId,
      plan.asOf,
      opts.configId,
      JSON.stringify(opts.config.file),
      plan.documentsConsidered,
      plan.letters.length,
      emails,
      plan.letters.length - emails,
      plan.skips.length,
      opts.actor,
    ],
  );
  await saveAssignments(client, ctx, plan, runId, opts.configId);
  const letters: RecordedLetter[] = plan.letters.map((planned) => {
    const r = renderPlanned(ctx, opts.config, planned, plan.asOf);
    return {
      letterId: uuidv7(),
      planned,
      subject: r.subject,
      body: r.body,
      language: r.language,
      charges: [],
      holdId: null,
    };
  });
  await insertLetters(client, ctx, runId, letters);
  await insertSkips(client, ctx, runId, plan);
  await postCharges(client, ctx, runId, plan.asOf, letters, opts.actor);
  for (const l of letters) {
    if (l.planned.action !== 'credit_hold') continue;
    l.holdId = await placeCreditHold(client, ctx, {
      customerId: l.planned.customerId,
      reason: `dunning step ${l.planned.step.code} (${l.planned.step.name}) reached: ${describeAmounts(l.planned)} overdue`,
      actor: opts.actor,
      source: 'dunning',
      date: plan.asOf,
      reasons: l.planned.reasons,
    });
  }
  const holds = letters
    .filter((l) => l.holdId !== null)
    .map((l) => ({ letter_id: l.letterId, hold_id: l.holdId }));
  await insertChunked(
    client,
    `UPDATE dunning_letter t SET hold_id = x.hold_id
       FROM jsonb_to_recordset($2::jsonb) AS x(letter_id uuid, hold_id text)
      WHERE t.company_id = $1 AND t.letter_id = x.letter_id`,
    [ctx.companyId],
    holds,
  );
  await recordActivities(
    client,
    ctx,
    letters
      .filter((l) => l.planned.action !== 'email')
      .map((l) =>
        actionActivity(
          l.planned,
          l.letterId,
          plan.asOf,
          opts.actor,
          collectors.get(l.planned.customerId) ?? null,
        ),
      ),
  );
  return { runId, letters };
}

/** Rows per INSERT: a JSON parameter of a few MB, which both engines take comfortably. */
const CHUNK_ROWS = 10_000;
/** Letters carry their rendered text: fewer per statement. */
const LETTER_CHUNK_ROWS = 2_000;

/** Runs one set-based INSERT per chunk of rows (the rows' JSON is the last parameter). */
async function insertChunked<T>(
  client: SqlClient,
  sql: string,
  head: readonly unknown[],
  rows: readonly T[],
  chunkRows = CHUNK_ROWS,
): Promise<void> {
  for (let start = 0; start < rows.length; start += chunkRows)
    await client.query(sql, [...head, JSON.stringify(rows.slice(start, start + chunkRows))]);
}

async function saveAssignments(
  client: SqlClient,
  ctx: CompanyContext,
  plan: DunningPlan,
  runId: string,
  configId: string | null,
): Promise<void> {
  if (plan.assignments.length === 0) return;
  const rows = plan.assignments.map((a) => ({
    customer_id: a.customerId,
    strategy_code: a.strategyCode,
    segment_code: a.segmentCode,
    reason: a.reason,
  }));
  await insertChunked(
    client,
    `INSERT INTO dunning_assignment (company_id, customer_id, strategy_code, segment_code, reason, config_id, run_id)
     SELECT $1, x.customer_id, x.strategy_code, x.segment_code, x.reason, $2, $3
       FROM jsonb_to_recordset($4::jsonb) AS x(customer_id uuid, strategy_code text, segment_code text, reason text)
     ON CONFLICT (company_id, customer_id) DO UPDATE
        SET strategy_code = excluded.strategy_code, segment_code = excluded.segment_code, reason = excluded.reason,
            config_id = excluded.config_id, run_id = excluded.run_id, assigned_at = now()`,
    [ctx.companyId, configId, runId],
    rows,
  );
}

async function insertLetters(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  letters: RecordedLetter[],
) {
  if (letters.length === 0) return;
  const rows = letters.map((l) => ({
    letter_id: l.letterId,
    customer_id: l.planned.customerId,
    strategy_code: l.planned.strategyCode,
    segment_code: l.planned.segmentCode,
    step_code: l.planned.step.code,
    level: l.planned.step.level,
    action: l.planned.action,
    language: l.language,
    recipient: l.planned.recipient,
    subject: l.subject,
    body: l.body,
    status: l.planned.action === 'email' ? 'pending' : 'recorded',
    reasons: l.planned.reasons,
    totals: letterTotals(l.planned),
  }));
  await insertChunked(
    client,
    `INSERT INTO dunning_letter (company_id, letter_id, run_id, customer_id, strategy_code, segment_code, step_code,
       level, action, language, recipient, subject, body, status, reasons, totals)
     SELECT $1, x.letter_id, $2, x.customer_id, x.strategy_code, x.segment_code, x.step_code, x.level, x.action,
            x.language, x.recipient, x.subject, x.body, x.status, x.reasons, x.totals
       FROM jsonb_to_recordset($3::jsonb) AS x(letter_id uuid, customer_id uuid, strategy_code text,
            segment_code text, step_code text, level int2, action text, language text, recipient text, subject text,
            body text, status text, reasons jsonb, totals jsonb)`,
    [ctx.companyId, runId],
    rows,
    LETTER_CHUNK_ROWS,
  );
  const items = letters.flatMap((l) =>
    l.planned.items.map((i) => ({
      letter_id: l.letterId,
      document_id: i.documentId,
      level: i.level,
      step_code: i.stepCode,
      step_days: i.stepDays,
      previous_days: i.previousDays,
      currency: i.currency,
      open_minor: i.openMinor,
      days_overdue: i.daysOverdue,
      interest_minor: i.interestMinor,
      interest_from: i.interestFrom,
      interest_to: i.interestTo,
      reason: itemReason(i),
    })),
  );
  await insertChunked(
    client,
    `INSERT INTO dunning_letter_item (company_id, letter_id, document_id, level, step_code, step_days, previous_days,
       currency, open_minor, days_overdue, interest_minor, interest_from, interest_to, reason)
     SELECT $1, x.letter_id, x.document_id, x.level, x.step_code, x.step_days, x.previous_days, x.currency,
            x.open_minor, x.days_overdue, x.interest_minor, x.interest_from, x.interest_to, x.reason
       FROM jsonb_to_recordset($2::jsonb) AS x(letter_id uuid, document_id uuid, level int2, step_code text,
            step_days int4, previous_days int4, currency text, open_minor int8, days_overdue int4, interest_minor int8,
            interest_from date, interest_to date, reason text)`,
    [ctx.companyId],
    items,
  );
}

async function insertSkips(client: SqlClient, ctx: CompanyContext, runId: string, plan: DunningPlan) {
  if (plan.skips.length === 0) return;
  const rows = plan.skips.map((s, i) => ({
    skip_no: i + 1,
    customer_id: s.customerId,
    document_id: s.documentId,
    code: s.code,
    detail: s.detail,
  }));
  await insertChunked(
    client,
    `INSERT INTO dunning_skip (company_id, run_id, skip_no, customer_id, document_id, code, detail)
     SELECT $1, $2, x.skip_no, x.customer_id, x.document_id, x.code, x.detail
       FROM jsonb_to_recordset($3::jsonb) AS x(skip_no int4, customer_id uuid, document_id uuid, code text,
            detail text)`,
    [ctx.companyId, runId],
    rows,
  );
}

/**
 * Fees and interest as debit memos through the ledger (one posting each; the ledger has no bulk
 * document posting), numbered DUN-<date>-<run>-<n>, their description naming the step and run.
 */
async function postCharges(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  asOf: string,
  letters: RecordedLetter[],
  actor: string,
): Promise<void> {
  const charged = letters.filter((l) => l.planned.charges.length > 0);
  if (charged.length === 0) return;
  const rates = await loadRates(
    client,
    ctx,
    asOf,
    [...new Set(charged.flatMap((l) => l.planned.charges.map((c) => c.currency)))],
    charged.flatMap((l) => l.planned.items.map((i) => i.documentId)),
  );
  // Every fee and interest charge a debit memo with its own journal entry, posted together.
  const charges = charged.flatMap((l) => l.planned.charges.map((c) => ({ l, c })));
  const documents: NewDocument[] = charges.map(({ l, c }, i) => {
    const what = c.kind === 'fee' ? 'Dunning fee' : `Late-payment interest at ${c.percent}% a year`;
    return {
      documentNumber: `DUN-${asOf.replaceAll('-', '')}-${runId.slice(-8)}-${String(i + 1).padStart(5, '0')}`,
      customerId: l.planned.customerId,
      docType: 'debit_memo',
      documentDate: asOf,
      dueDate: c.dueDate,
      currency: c.currency,
      amountMinor: c.amountMinor,
      fxRate: rates.get(c.currency),
      description: `${what}: dunning step ${l.planned.step.code} (level ${l.planned.step.level}, strategy ${l.planned.strategyCode}), run ${runId}`,
      actor,
      reason: `dunning step ${l.planned.step.code}`,
    };
  });
  const documentIds: string[] = [];
  for (let at = 0; at < documents.length; at += MAX_DOCUMENTS_PER_CALL)
    documentIds.push(...(await postDocuments(client, ctx, documents.slice(at, at + MAX_DOCUMENTS_PER_CALL))));
  const rows = charges.map(({ l, c }, i) => {
    const documentNumber = documents[i]!.documentNumber;
    l.charges.push({ kind: c.kind, currency: c.currency, amountMinor: c.amountMinor, documentNumber });
    return {
      charge_id: uuidv7(),
      letter_id: l.letterId,
      kind: c.kind,
      currency: c.currency,
      amount_minor: c.amountMinor,
      document_id: documentIds[i],
      document_number: documentNumber,
    };
  });
  await insertChunked(
    client,
    `INSERT INTO dunning_charge (company_id, charge_id, letter_id, kind, currency, amount_minor, document_id,
       document_number)
     SELECT $1, x.charge_id, x.letter_id, x.kind, x.currency, x.amount_minor, x.document_id, x.document_number
       FROM jsonb_to_recordset($2::jsonb) AS x(charge_id uuid, letter_id uuid, kind text, currency text,
            amount_minor int8, document_id uuid, document_number text)`,
    [ctx.companyId],
    rows,
  );
}
