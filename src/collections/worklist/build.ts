import { uuidv7 } from 'uuidv7';
import { overdueCases } from '../../disputes/holds.js';
import { CopyBuffer, copyLine } from '../../imports/csv-out.js';
import type { CompanyContext } from '../../ledger/context.js';
import { toBase } from '../../ledger/operations.js';
import { formatMinor, minorUnitExponent } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { type CollectionFacts, collectionFacts, dunningHolds } from '../activity/holds.js';
import { assertIsoDate } from '../core/dates.js';
import { type Facts, runPrediction } from '../prediction/predict.js';
import { WorklistError } from './core/errors.js';
import {
  type AccountInput,
  AGE_BANDS,
  type AgeBand,
  checkSettings,
  DEFAULT_SETTINGS,
  emptyBands,
  type OverdueDispute,
  rankRows,
  scoreAccount,
  type WorklistRow,
  type WorklistSettings,
} from './core/score.js';

/**
 * The morning's worklist: every account with something open, overdue in dispute or over its credit
 * limit, scored by core/score.ts from the day's predictions (run first when there is none for the
 * date, or the ledger changed since), the activity module's promises, plans, holds and credit, and
 * the disputes module's overdue cases. Set-based: one grouped read of the predictions, one read per
 * other module, the scoring in memory, one COPY of the result. The run is stored with every row's
 * reasons and action (what was recommended, and why); snoozed accounts are kept in it, marked.
 */

export const KEEP_RUNS = 30;
export const MAX_LIMIT = 1_000_000;

export interface WorklistOptions {
  asOf: string;
  actor: string;
  settings?: Partial<WorklistSettings>;
  /** auto: reuse the date's latest prediction unless the ledger changed since; always; never (fail without one). */
  predict?: 'auto' | 'always' | 'never';
  graceDays?: number;
}

export interface Worklist {
  runId: string;
  asOf: string;
  baseCurrency: string;
  predictionRunId: string;
  predicted: boolean;
  graceDays: number;
  settings: WorklistSettings;
  /** Ranked: accounts to act on by score, then snoozed accounts by score. */
  rows: RankedRow[];
  elapsedMs: number;
}

export interface RankedRow extends WorklistRow {
  rank: number;
}

type BandColumns = { [K in AgeBand as `${K}_open` | `${K}_risk`]?: number };

interface AccountSqlRow extends BandColumns {
  customer_id: string;
  customer_number: string;
  name: string;
  collector: string | null;
  currency: string;
  open_base: number;
  past_due_base: number;
  max_dpd: number;
  documents: number;
  top_number: string | null;
  top_dpd: number | null;
  top_open: number | null;
  top_p: number | null;
  soon_p: number | null;
  soon_due: string | null;
  avg_days_late: number | null;
  late_share: number | null;
  paid_count: number | null;
}

export async function buildWorklist(
  client: SqlClient,
  ctx: CompanyContext,
  options: WorklistOptions,
): Promise<Worklist> {
  const started = performance.now();
  assertIsoDate(options.asOf, 'as-of date');
  const settings = checkSettings({ ...DEFAULT_SETTINGS, ...options.settings });
  const facts = await collectionFacts(client, ctx.companyId, options.asOf);
  const prediction = await ensurePrediction(client, ctx, options, facts);
  const money = (minor: number) => grouped(minor, ctx.baseCurrency);

  const accounts = await loadAccounts(
    client,
    ctx,
    prediction.runId,
    options.asOf,
    settings.reminderDays,
    prediction.graceDays,
    settings.ageWeights,
  );
  const sources: Sources = {
    facts,
    holds: await dunningHolds(client, ctx.companyId, options.asOf),
    snoozes: await liveSnoozes(client, ctx.companyId, options.asOf),
    convert: await converter(client, ctx, options.asOf),
    disputes: new Map(),
  };
  for (const d of await overdueCases(client, ctx.companyId, options.asOf)) {
    const list = sources.disputes.get(d.customerId) ?? [];
    list.push({
      caseId: d.caseId,
      owner: d.owner,
      deadline: d.deadline,
      amountBaseMinor: sources.convert(d.currency, d.amountMinor) ?? 0,
      reasonCode: d.reasonCode,
    });
    sources.disputes.set(d.customerId, list);
  }
  // Accounts with nothing open but a dispute past its deadline or exposure over the limit.
  const extra = [...sources.disputes.keys()];
  for (const [customerId, f] of facts) {
    if (f.creditLimitMinor !== null && f.exposureMinor > f.creditLimitMinor) extra.push(customerId);
  }
  const missing = [...new Set(extra)].filter((id) => !accounts.has(id));
  for (const row of await loadCustomers(client, ctx.companyId, missing)) accounts.set(row.customer_id, row);

  const scored: WorklistRow[] = [];
  for (const r of accounts.values())
    scored.push(scoreAccount(accountInput(r, sources), settings, options.asOf, money));
  const active = rankRows(scored.filter((r) => r.snoozedUntil === null));
  const snoozed = rankRows(scored.filter((r) => r.snoozedUntil !== null));
  const rows = [...active, ...snoozed].map((r, i) => ({ ...r, rank: i + 1 }));

  const runId = uuidv7();
  await storeRun(client, ctx, runId, options, prediction.runId, settings, rows);
  return {
    runId,
    asOf: options.asOf,
    baseCurrency: ctx.baseCurrency,
    predictionRunId: prediction.runId,
    predicted: prediction.predicted,
    graceDays: prediction.graceDays,
    settings,
    rows,
    elapsedMs: performance.now() - started,
  };
}

/** What the other modules say, keyed by customer, and a converter into the base currency. */
interface Sources {
  facts: Facts;
  holds: Awaited<ReturnType<typeof dunningHolds>>;
  snoozes: Map<string, { until: string; reason: string }>;
  disputes: Map<string, OverdueDispute[]>;
  /** Minor units of a currency in base-currency minor units at the latest rate; null without a rate. */
  convert: (currency: string, minor: number) => number | null;
}

async function converter(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<Sources['convert']> {
  const rates = await latestRates(client, ctx.companyId, asOf);
  return (currency, minor) => {
    if (currency === ctx.baseCurrency) return minor;
    const rate = rates.get(currency);
    return rate === undefined ? null : toBase(ctx, currency, minor, rate);
  };
}

/** One account's input to the scoring: its predicted items, promises, plan, credit, disputes, snooze. */
function accountInput(r: AccountSqlRow, s: Sources): AccountInput {
  const f = s.facts.get(r.customer_id);
  const h = s.holds.get(r.customer_id) ?? [];
  const promise = h.find((x) => x.kind === 'promise');
  const plan = h.find((x) => x.kind === 'plan');
  return {
    customerId: r.customer_id,
    customerNumber: r.customer_number,
    name: r.name,
    collector: r.collector,
    bands: bandsOf(r),
    openBaseMinor: r.open_base,
    pastDueBaseMinor: r.past_due_base,
    maxDaysPastDue: r.max_dpd,
    documents: r.documents,
    topDocument:
      r.top_number === null
        ? null
        : { number: r.top_number, daysPastDue: r.top_dpd!, openBaseMinor: r.top_open!, pLate: r.top_p! },
    soonDue: r.soon_due === null ? null : { pLate: r.soon_p!, dueDate: r.soon_due },
    behaviour:
      r.paid_count === null
        ? null
        : { avgDaysLate: r.avg_days_late!, lateShare: r.late_share!, paidCount: r.paid_count },
    promisesBroken: f?.promisesBroken ?? 0,
    planMissedInstallments: f?.planMissedInstallments ?? 0,
    livePromise:
      promise || (f?.livePromiseMinor ?? 0) > 0
        ? {
            amountMinor: f?.livePromiseMinor ?? 0,
            until: promise?.until ?? null,
            reason: promise?.reason ?? 'promise to pay live',
          }
        : null,
    planInGoodStanding: plan ? { until: plan.until, reason: plan.reason } : null,
    onCreditHold: f?.onCreditHold ?? false,
    ...overLimit(r.currency.trim(), f, s.convert),
    disputes: s.disputes.get(r.customer_id) ?? [],
    nextFollowUpDate: f?.nextFollowUpDate ?? null,
    snooze: s.snoozes.get(r.customer_id) ?? null,
  };
}

/** Exposure over the credit limit (both in the customer's currency), in base currency, and said. */
function overLimit(
  currency: string,
  f: CollectionFacts | undefined,
  convert: Sources['convert'],
): { overLimitBaseMinor: number; overLimitText: string | null } {
  if (!f || f.creditLimitMinor === null || f.exposureMinor <= f.creditLimitMinor)
    return { overLimitBaseMinor: 0, overLimitText: null };
  const over = f.exposureMinor - f.creditLimitMinor;
  const base = convert(currency, over);
  const fmt = (m: number) => grouped(m, currency);
  return {
    overLimitBaseMinor: base ?? 0,
    overLimitText: `exposure ${fmt(f.exposureMinor)} over the credit limit ${fmt(f.creditLimitMinor)} by ${fmt(over)}${base === null ? ' (no exchange rate: not scored)' : ''}`,
  };
}

/** An amount for a sentence: currency code and digits grouped by thousands (files carry plain decimals). */
export function grouped(minor: number, currency: string): string {
  const text = formatMinor(minor, minorUnitExponent(currency));
  const [whole, fraction] = text.replace('-', '').split('.');
  const digits = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency} ${text.startsWith('-') ? '-' : ''}${digits}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** The date's latest prediction run, or a new one (see WorklistOptions.predict). */
async function ensurePrediction(
  client: SqlClient,
  ctx: CompanyContext,
  options: WorklistOptions,
  facts: Facts,
): Promise<{ runId: string; graceDays: number; predicted: boolean }> {
  const mode = options.predict ?? 'auto';
  if (mode !== 'always') {
    const { rows } = await client.query<{ run_id: string; grace_days: number; stale: boolean }>(
      `SELECT r.run_id, r.grace_days,
              EXISTS (SELECT 1 FROM journal_entry j WHERE j.company_id = r.company_id AND j.created_at > r.created_at)
                AS stale
         FROM prediction_run r
        WHERE r.company_id = $1 AND r.as_of_date = $2 AND ($3::int IS NULL OR r.grace_days = $3::int)
        ORDER BY r.created_at DESC, r.run_id DESC LIMIT 1`,
      [ctx.companyId, options.asOf, options.graceDays ?? null],
    );
    const found = rows[0];
    if (found && (mode === 'never' || !found.stale))
      return { runId: found.run_id, graceDays: found.grace_days, predicted: false };
    if (mode === 'never')
      throw new WorklistError(
        'no-prediction',
        `no prediction as of ${options.asOf}: run \`openar predict\` first`,
      );
  }
  const run = await runPrediction(
    client,
    ctx,
    { asOf: options.asOf, actor: options.actor, graceDays: options.graceDays },
    facts,
  );
  return { runId: run.runId, graceDays: run.graceDays, predicted: true };
}

/**
 * One row per customer with predicted open documents: amounts and risk per age band, the item with
 * the most at risk, the riskiest item falling due soon, and the customer's payment habit.
 */
async function loadAccounts(
  client: SqlClient,
  ctx: CompanyContext,
  predictionRunId: string,
  asOf: string,
  reminderDays: number,
  graceDays: number,
  weights: WorklistSettings['ageWeights'],
): Promise<Map<string, AccountSqlRow>> {
  const bandSums = AGE_BANDS.map((band) => {
    const when = BAND_SQL[band];
    return `coalesce(sum(p.open_base_minor) FILTER (WHERE ${when}), 0)::int8 AS ${band}_open,
              coalesce(sum(p.open_base_minor * p.p_late) FILTER (WHERE ${when}), 0)::float8 AS ${band}_risk`;
  }).join(',\n              ');
  const { rows } = await client.query<AccountSqlRow>(
    `WITH s AS (
       SELECT p.customer_id, sum(p.open_base_minor)::int8 AS open_base,
              coalesce(sum(p.open_base_minor) FILTER (WHERE p.days_past_due > 0), 0)::int8 AS past_due_base,
              greatest(max(p.days_past_due), 0) AS max_dpd, count(*)::int4 AS documents,
              max(p.p_late) FILTER (WHERE p.days_past_due <= 0 AND p.due_date <= $3::date + $4::int) AS soon_p,
              min(p.due_date) FILTER (WHERE p.days_past_due <= 0 AND p.due_date <= $3::date + $4::int) AS soon_due,
              ${bandSums}
         FROM prediction_document p
        WHERE p.company_id = $1 AND p.run_id = $2
        GROUP BY p.customer_id),
     t AS (
       -- The item that adds most to the score: open × P(late) × its band's weight.
       SELECT DISTINCT ON (p.customer_id) p.customer_id, p.document_number AS top_number, p.days_past_due AS top_dpd,
              p.open_base_minor AS top_open, p.p_late AS top_p
         FROM prediction_document p
        WHERE p.company_id = $1 AND p.run_id = $2
        ORDER BY p.customer_id,
                 p.open_base_minor * p.p_late * CASE ${AGE_BANDS.map((b, i) => `WHEN ${BAND_SQL[b]} THEN $${6 + i}::float8`).join(' ')} END DESC,
                 p.document_number)
     SELECT c.customer_id, c.customer_number, c.name, c.collector, c.currency, s.*, t.top_number, t.top_dpd, t.top_open,
            t.top_p, pc.avg_days_late, pc.late_share, pc.paid_count
       FROM s
       JOIN t ON t.customer_id = s.customer_id
       JOIN customer c ON c.company_id = $1 AND c.customer_id = s.customer_id
       LEFT JOIN prediction_customer pc ON pc.company_id = $1 AND pc.run_id = $2 AND pc.customer_id = s.customer_id`,
    [ctx.companyId, predictionRunId, asOf, reminderDays, graceDays, ...AGE_BANDS.map((b) => weights[b])],
  );
  return new Map(rows.map((r) => [r.customer_id, r]));
}

/** Customers with nothing predicted (nothing open): an empty account to hang disputes and credit on. */
async function loadCustomers(client: SqlClient, companyId: string, ids: string[]): Promise<AccountSqlRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<AccountSqlRow>(
    `SELECT customer_id, customer_number, name, collector, currency, 0::int8 AS open_base, 0::int8 AS past_due_base,
            0 AS max_dpd, 0 AS documents, NULL AS top_number, NULL::int AS top_dpd,
            NULL::int8 AS top_open, NULL::float8 AS top_p, NULL::float8 AS soon_p, NULL::date AS soon_due,
            NULL::float8 AS avg_days_late, NULL::float8 AS late_share, NULL::int AS paid_count
       FROM customer WHERE company_id = $1 AND customer_id = ANY ($2::uuid[])`,
    [companyId, ids],
  );
  return rows;
}

/** The SQL condition of each age band on prediction_document (p) with the run's grace days ($5). */
const BAND_SQL: Record<AgeBand, string> = {
  not_due: 'p.days_past_due <= 0',
  grace: 'p.days_past_due BETWEEN 1 AND $5',
  d1_30: 'p.days_past_due > $5 AND p.days_past_due <= 30',
  d31_60: 'p.days_past_due BETWEEN 31 AND 60 AND p.days_past_due > $5',
  d61_90: 'p.days_past_due BETWEEN 61 AND 90 AND p.days_past_due > $5',
  d90_plus: 'p.days_past_due > 90 AND p.days_past_due > $5',
};

function bandsOf(r: AccountSqlRow): AccountInput['bands'] {
  const bands = emptyBands();
  for (const band of AGE_BANDS) {
    const open = r[`${band}_open`];
    if (open) bands[band] = { openBaseMinor: Number(open), riskBaseMinor: Number(r[`${band}_risk`]) };
  }
  return bands;
}

/** Snoozes not lifted whose date is after the as-of date: the latest-ending one per customer. */
export async function liveSnoozes(
  client: SqlClient,
  companyId: string,
  asOf: string,
): Promise<Map<string, { until: string; reason: string }>> {
  const { rows } = await client.query<{ customer_id: string; until_date: string; reason: string }>(
    `SELECT DISTINCT ON (customer_id) customer_id, until_date, reason
       FROM worklist_snooze
      WHERE company_id = $1 AND lifted_at IS NULL AND until_date > $2
      ORDER BY customer_id, until_date DESC, created_at DESC`,
    [companyId, asOf],
  );
  return new Map(rows.map((r) => [r.customer_id, { until: r.until_date, reason: r.reason }]));
}

/** The latest exchange rate on or before the date, per currency (base = amount × rate). */
async function latestRates(client: SqlClient, companyId: string, asOf: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ currency: string; rate: string }>(
    `SELECT DISTINCT ON (currency) currency, rate FROM fx_rate
      WHERE company_id = $1 AND rate_date <= $2 ORDER BY currency, rate_date DESC`,
    [companyId, asOf],
  );
  return new Map(rows.map((r) => [r.currency.trim(), r.rate]));
}

async function storeRun(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  options: WorklistOptions,
  predictionRunId: string,
  settings: WorklistSettings,
  rows: RankedRow[],
): Promise<void> {
  await client.query(
    `INSERT INTO worklist_run (company_id, run_id, as_of_date, prediction_run_id, settings, accounts, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      ctx.companyId,
      runId,
      options.asOf,
      predictionRunId,
      JSON.stringify(settings),
      rows.length,
      options.actor,
    ],
  );
  const copySql = `COPY worklist_item (company_id, run_id, customer_id, rank, score_base_minor, collector, action,
         next_action_date, open_base_minor, past_due_base_minor, snoozed_until, reasons) FROM STDIN WITH (FORMAT csv)`;
  // In chunks: a short-lived buffer per 10,000 accounts rather than one of them all.
  for (let start = 0; start < rows.length; start += COPY_CHUNK) {
    await copyItems(client, copySql, ctx.companyId, runId, rows.slice(start, start + COPY_CHUNK));
  }
  await client.query(
    `DELETE FROM worklist_run
      WHERE company_id = $1 AND run_id IN (
        SELECT run_id FROM worklist_run WHERE company_id = $1
         ORDER BY created_at DESC, run_id DESC OFFSET ${KEEP_RUNS})`,
    [ctx.companyId],
  );
}

const COPY_CHUNK = 10_000;

async function copyItems(
  client: SqlClient,
  copySql: string,
  companyId: string,
  runId: string,
  rows: RankedRow[],
): Promise<void> {
  const copy = new CopyBuffer();
  for (const r of rows) {
    copy.append(
      copyLine([
        companyId,
        runId,
        r.customerId,
        r.rank,
        r.scoreBaseMinor,
        r.collector,
        r.action,
        r.nextActionDate,
        r.openBaseMinor,
        r.pastDueBaseMinor,
        r.snoozedUntil,
        JSON.stringify({ terms: r.terms, action: r.actionText, snooze: r.snoozeReason }),
      ]),
    );
  }
  if (rows.length > 0) await client.copyFromCsv(copySql, copy.data());
}

export interface ViewOptions {
  collector?: string;
  includeSnoozed?: boolean;
  limit?: number;
}

/** The rows a collector sees: their portfolio (or everyone's), snoozed accounts hidden unless asked. */
export function viewOf(w: Worklist, v: ViewOptions = {}): RankedRow[] {
  const limit = v.limit ?? MAX_LIMIT;
  if (!(Number.isSafeInteger(limit) && limit >= 1 && limit <= MAX_LIMIT))
    throw new WorklistError('bad-limit', `the limit must be from 1 to ${MAX_LIMIT}`);
  const out: RankedRow[] = [];
  for (const r of w.rows) {
    if (out.length >= limit) break;
    if (!v.includeSnoozed && r.snoozedUntil !== null) continue;
    if (!inPortfolio(r, v.collector)) continue;
    out.push(r);
  }
  return out;
}

/** Whether an account belongs to a collector's portfolio (names compared without case); any, without one. */
export function inPortfolio(r: Pick<RankedRow, 'collector'>, collector: string | null | undefined): boolean {
  if (collector === null || collector === undefined) return true;
  return (r.collector ?? '').trim().toLowerCase() === collector.trim().toLowerCase();
}

export interface Portfolio {
  collector: string | null;
  accounts: number;
  toActToday: number;
  snoozed: number;
  openBaseMinor: number;
  pastDueBaseMinor: number;
  scoreBaseMinor: number;
}

/** Each collector's portfolio on the worklist: accounts, what is due for action today, amounts. */
export function portfolios(w: Worklist): Portfolio[] {
  const by = new Map<string, Portfolio>();
  for (const r of w.rows) {
    const key = r.collector ?? '';
    let p = by.get(key);
    if (!p) {
      p = {
        collector: r.collector,
        accounts: 0,
        toActToday: 0,
        snoozed: 0,
        openBaseMinor: 0,
        pastDueBaseMinor: 0,
        scoreBaseMinor: 0,
      };
      by.set(key, p);
    }
    p.accounts++;
    if (r.snoozedUntil !== null) p.snoozed++;
    else if (r.nextActionDate <= w.asOf && !r.action.startsWith('wait') && r.action !== 'none')
      p.toActToday++;
    p.openBaseMinor += r.openBaseMinor;
    p.pastDueBaseMinor += r.pastDueBaseMinor;
    p.scoreBaseMinor += r.scoreBaseMinor;
  }
  return [...by.values()].sort((a, b) => b.scoreBaseMinor - a.scoreBaseMinor);
}
