import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricsTrend, monthsBack } from '../collections/index.js';
import { type ImportKind, type ImportSummary, importFile } from '../imports/index.js';
import {
  applyCredit,
  type CompanyContext,
  createCompany,
  loadCompany,
  type TieOut,
  tieOut,
} from '../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { type CollectionsDay, printCollectionsDay, runCollectionsDay } from './collections-day.js';
import {
  assertIsoDate,
  type DemoFiles,
  type DemoStats,
  generateDemoFiles,
  resolveGenerateOptions,
} from './generate.js';

export const DEMO_CODE = 'demo';
export const DEMO_NAME = 'Demo Manufacturing Co.';
const DEMO_BASE = 'USD';

export interface DemoOptions {
  seed?: number;
  customers?: number;
  /** The demo's "today" (YYYY-MM-DD); default today's local date. */
  asOf?: string;
  actor: string;
  log?: (line: string) => void;
  /** Write the generated files here and keep them (default: a temporary directory, removed after). */
  filesDir?: string;
}

/** How the demo was built, kept in company.settings.demo so a rerun can resume or describe it. */
interface DemoSettings {
  seed: number;
  customers: number;
  asOf: string;
  complete: boolean;
}

export interface AgingBucket {
  label: string;
  documents: number;
  /** Open balance in the base currency; credit memos count negative. */
  amountMinor: number;
}

export interface PastDueCustomer {
  customerNumber: string;
  name: string;
  currency: string;
  collector: string | null;
  parentNumber: string | null;
  documents: number;
  pastDueMinor: number;
  oldestDaysPastDue: number;
}

export interface DemoSummary {
  company: { code: string; name: string; baseCurrency: string };
  /** False when the demo company already existed and was only described. */
  created: boolean;
  seed: number | null;
  asOf: string;
  /** What the generator made (only when created). */
  generated: DemoStats | null;
  imports: ImportSummary[];
  /** Credit memos netted against the invoices customers deducted them from. */
  creditsApplied: number;
  counts: {
    customers: number;
    parents: number;
    subsidiaries: number;
    foreignCustomers: number;
    invoices: number;
    creditMemos: number;
    debitMemos: number;
    foreignDocuments: number;
    openInvoices: number;
    openCreditMemos: number;
    receipts: number;
    unappliedReceipts: number;
    unidentifiedReceipts: number;
    onAccountReceipts: number;
  };
  aging: AgingBucket[];
  /** Open invoices and debit memos less open credit memos, base currency. */
  documentsOpenMinor: number;
  /** Cash left on customers' accounts (a credit against receivables), base currency. */
  onAccountMinor: number;
  /** Documents less on-account credits: what the AR control account should hold. */
  arOpenMinor: number;
  /** Cash received and not yet applied (its own account, not in receivables), base currency. */
  unappliedMinor: number;
  topPastDue: PastDueCustomer[];
  /** The portfolio's metrics in each of the last six calendar months, the last one to the as-of date. */
  metricsByMonth: MonthMetrics[];
  tieOut: TieOut;
  elapsedMs: number;
  /** The collections morning worked on a new demo (activity, disputes, worklist, dunning); null when only shown. */
  collections?: CollectionsDay | null;
}

/**
 * Builds the demo company (or describes it if it exists): generates a year of history, imports it
 * through the ordinary importers, nets the credit memos customers deducted, and reports what the
 * ledger now holds: counts, aging, the worst past-due accounts and the tie-out to the GL.
 */
export async function runDemo(database: Database, options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const existing = await findDemo(database);

  if (existing && (existing.settings === null || existing.settings.complete)) {
    const asOf = assertIsoDate(options.asOf ?? existing.settings?.asOf ?? localToday());
    const how = existing.settings
      ? `built with seed ${existing.settings.seed}, ${existing.settings.customers} customers, as of ${existing.settings.asOf}`
      : 'not built by `openar demo`';
    log(`Company ${DEMO_CODE} already exists (${how}); showing it. Use --fresh to rebuild it.`);
    if (existing.settings && differs(existing.settings, options)) {
      log(
        '  (--seed and --customers do not change an existing demo; --as-of only moves the date the aging is taken on)',
      );
    }
    const ctx = await database.transaction(({ client }) => loadCompany(client, DEMO_CODE));
    const summary = await summarize(database, ctx, asOf, {
      created: false,
      seed: existing.settings?.seed ?? null,
      generated: null,
      imports: [],
      creditsApplied: 0,
      started,
    });
    print(summary, log);
    return summary;
  }

  // A new demo, or one interrupted part-way (same parameters: every step below is idempotent).
  const settings: DemoSettings = existing?.settings ?? {
    ...resolveGenerateOptions({
      seed: options.seed,
      customers: options.customers,
      asOf: options.asOf ?? localToday(),
    }),
    complete: false,
  };
  if (existing)
    log(
      `Company ${DEMO_CODE} was left incomplete; finishing it (seed ${settings.seed}, as of ${settings.asOf}).`,
    );
  const ctx = existing
    ? await database.transaction(({ client }) => loadCompany(client, DEMO_CODE))
    : await database.transaction(async ({ client }) => {
        const created = await createCompany(client, {
          code: DEMO_CODE,
          name: DEMO_NAME,
          baseCurrency: DEMO_BASE,
          actor: options.actor,
        });
        await saveSettings(client, created, settings);
        return created;
      });

  const dir = options.filesDir ?? (await mkdtemp(join(tmpdir(), 'openar-demo-')));
  try {
    let t = performance.now();
    const files = await generateDemoFiles(dir, {
      seed: settings.seed,
      customers: settings.customers,
      asOf: settings.asOf,
    });
    const g = files.stats;
    log(
      `Building ${DEMO_NAME} (company ${DEMO_CODE}, base ${DEMO_BASE}): seed ${g.seed}, ${g.firstDate} to ${g.asOf}`,
    );
    log(
      `  generated ${n(g.customers)} customers, ${n(g.invoices)} invoices, ${n(g.creditMemos)} credit memos, ${n(g.debitMemos)} debit memos, ${n(g.payments)} payments (${seconds(t)})`,
    );
    if (options.filesDir) log(`  files kept in ${dir}`);

    await database.transaction(({ client }) => saveRates(client, ctx, files));
    const imports: ImportSummary[] = [];
    for (const [kind, path] of [
      ['customers', files.customersPath],
      ['invoices', files.invoicesPath],
      ['payments', files.paymentsPath],
    ] as [ImportKind, string][]) {
      t = performance.now();
      const summary = await importFile(database, ctx, kind, { path, actor: options.actor });
      imports.push(summary);
      log(
        `  imported ${summary.file}: ${n(summary.rowsRead)} rows, ${n(summary.inserted)} new, ${n(summary.unchanged)} unchanged, ${n(summary.rejected)} rejected (${seconds(t)})`,
      );
    }
    t = performance.now();
    const creditsApplied = await applyDeductions(database, ctx, files, options.actor);
    log(
      `  netted ${n(creditsApplied)} credit memos against the invoices customers deducted them from (${seconds(t)})`,
    );
    t = performance.now();
    const collections = await runCollectionsDay(database, ctx, settings.asOf, settings.seed);
    log(
      `  worked the collections morning: activity, deductions, worklist, dunning to a local SMTP sink (${seconds(t)})`,
    );
    await database.transaction(({ client }) => saveSettings(client, ctx, { ...settings, complete: true }));

    const summary = await summarize(database, ctx, settings.asOf, {
      created: true,
      seed: settings.seed,
      generated: g,
      imports,
      creditsApplied,
      started,
    });
    summary.collections = collections;
    print(summary, log);
    printCollectionsDay(collections, log);
    return summary;
  } finally {
    if (!options.filesDir) await rm(dir, { recursive: true, force: true });
  }
}

function differs(s: DemoSettings, o: DemoOptions): boolean {
  return (
    (o.seed !== undefined && o.seed !== s.seed) ||
    (o.customers !== undefined && o.customers !== s.customers) ||
    (o.asOf !== undefined && o.asOf !== s.asOf)
  );
}

export function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

async function findDemo(database: Database): Promise<{ settings: DemoSettings | null } | null> {
  const rows = await database.query<{ settings: { demo?: DemoSettings } | null }>(
    'SELECT settings FROM company WHERE code = $1',
    [DEMO_CODE],
  );
  if (rows.length === 0) return null;
  return { settings: rows[0]!.settings?.demo ?? null };
}

async function saveSettings(client: SqlClient, ctx: CompanyContext, settings: DemoSettings): Promise<void> {
  await client.query(
    `UPDATE company SET settings = jsonb_set(settings, '{demo}', $2::jsonb) WHERE company_id = $1`,
    [ctx.companyId, JSON.stringify(settings)],
  );
}

/** The daily rate table, so later FX work (revaluation, rates for files without one) has history. */
async function saveRates(client: SqlClient, ctx: CompanyContext, files: DemoFiles): Promise<void> {
  if (files.rates.length === 0) return;
  await client.query(
    `INSERT INTO fx_rate (company_id, currency, rate_date, rate)
     SELECT $1, x.currency, x.date, x.rate FROM jsonb_to_recordset($2::jsonb) AS x(currency text, date date, rate numeric)
     ON CONFLICT DO NOTHING`,
    [ctx.companyId, JSON.stringify(files.rates)],
  );
}

/**
 * The payments file records a deduction as a payment short by the credit memo; the ERP also netted
 * the memo against the invoice, which the import format cannot say, so it is posted here.
 */
async function applyDeductions(
  database: Database,
  ctx: CompanyContext,
  files: DemoFiles,
  actor: string,
): Promise<number> {
  if (files.creditApplications.length === 0) return 0;
  return database.transaction(async ({ client }) => {
    const numbers = [...new Set(files.creditApplications.flatMap((c) => [c.creditMemo, c.invoice]))];
    const { rows: docs } = await client.query<{ document_number: string; document_id: string }>(
      'SELECT document_number, document_id FROM document WHERE company_id = $1 AND document_number = ANY($2::text[])',
      [ctx.companyId, numbers],
    );
    const idOf = new Map(docs.map((d) => [d.document_number, d.document_id]));
    const { rows: done } = await client.query<{ credit_document_id: string; document_id: string }>(
      `SELECT credit_document_id, document_id FROM application
        WHERE company_id = $1 AND kind = 'credit_memo' AND reverses_application_id IS NULL`,
      [ctx.companyId],
    );
    const applied = new Set(done.map((a) => `${a.credit_document_id}|${a.document_id}`));
    let count = 0;
    for (const c of files.creditApplications) {
      const creditDocumentId = idOf.get(c.creditMemo)!;
      const documentId = idOf.get(c.invoice)!;
      if (applied.has(`${creditDocumentId}|${documentId}`)) continue;
      await applyCredit(client, ctx, {
        creditDocumentId,
        documentId,
        amountMinor: c.amountMinor,
        postingDate: c.date,
        origin: 'import',
        actor,
        reason: `deducted by the customer from payment ${c.payment}`,
      });
      count++;
    }
    return count;
  });
}

export interface MonthMetrics {
  from: string;
  to: string;
  dso: number | null;
  dsoCountback: number | null;
  cei: number | null;
  percentCurrent: number | null;
  arEndMinor: number;
}

/** The last six calendar months to `asOf` (the last one partial), from the metrics' trend. */
async function metricsByMonth(client: SqlClient, ctx: CompanyContext, asOf: string): Promise<MonthMetrics[]> {
  const trend = await metricsTrend(client, ctx, { from: monthsBack(asOf, 5), to: asOf, step: 'month' });
  return trend.periods.map(({ period, portfolio: { metrics: m, inputs } }) => ({
    from: period.from,
    to: period.to,
    dso: m.dso,
    dsoCountback: m.dso_countback,
    cei: m.cei,
    percentCurrent: m.percent_current,
    arEndMinor: inputs.arEndMinor,
  }));
}

const BUCKETS = ['current', '1-30 days', '31-60 days', '61-90 days', '91-120 days', 'over 120 days'] as const;

async function summarize(
  database: Database,
  ctx: CompanyContext,
  asOf: string,
  meta: {
    created: boolean;
    seed: number | null;
    generated: DemoStats | null;
    imports: ImportSummary[];
    creditsApplied: number;
    started: number;
  },
): Promise<DemoSummary> {
  return database.transaction(async ({ client }) => {
    const id = ctx.companyId;
    const {
      rows: [customers],
    } = await client.query<{
      customers: number;
      parents: number;
      subsidiaries: number;
      foreign_customers: number;
    }>(
      `SELECT count(*)::int8 AS customers, count(DISTINCT parent_customer_id)::int8 AS parents,
              count(parent_customer_id)::int8 AS subsidiaries, count(*) FILTER (WHERE currency <> $2)::int8 AS foreign_customers
         FROM customer WHERE company_id = $1`,
      [id, ctx.baseCurrency],
    );
    const { rows: docs } = await client.query<{
      doc_type: string;
      total: number;
      open: number;
      foreign_docs: number;
    }>(
      `SELECT doc_type, count(*)::int8 AS total, count(*) FILTER (WHERE open_minor > 0)::int8 AS open,
              count(*) FILTER (WHERE currency <> $2)::int8 AS foreign_docs
         FROM document WHERE company_id = $1 GROUP BY doc_type`,
      [id, ctx.baseCurrency],
    );
    const {
      rows: [receipts],
    } = await client.query<{
      total: number;
      unapplied: number;
      unidentified: number;
      on_account: number;
      unapplied_base: number;
      on_account_base: number;
    }>(
      `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE unapplied_minor > 0)::int8 AS unapplied,
              count(*) FILTER (WHERE customer_id IS NULL)::int8 AS unidentified,
              count(*) FILTER (WHERE on_account_minor > 0)::int8 AS on_account,
              coalesce(sum(unapplied_base_minor), 0)::int8 AS unapplied_base,
              coalesce(sum(on_account_base_minor), 0)::int8 AS on_account_base
         FROM receipt WHERE company_id = $1`,
      [id],
    );
    // Aging by due date: one pass over the open documents, credit memos negative, base currency.
    const { rows: aging } = await client.query<{ bucket: number; documents: number; amount: number }>(
      `SELECT CASE WHEN $2::date - due_date <= 0 THEN 0 WHEN $2::date - due_date <= 30 THEN 1
                   WHEN $2::date - due_date <= 60 THEN 2 WHEN $2::date - due_date <= 90 THEN 3
                   WHEN $2::date - due_date <= 120 THEN 4 ELSE 5 END AS bucket,
              count(*)::int8 AS documents,
              sum(CASE WHEN doc_type = 'credit_memo' THEN -open_base_minor ELSE open_base_minor END)::int8 AS amount
         FROM document WHERE company_id = $1 AND open_minor > 0
        GROUP BY 1 ORDER BY 1`,
      [id, asOf],
    );
    const { rows: top } = await client.query<{
      customer_number: string;
      name: string;
      currency: string;
      collector: string | null;
      parent_number: string | null;
      documents: number;
      past_due: number;
      oldest: number;
    }>(
      `SELECT c.customer_number, c.name, c.currency, c.collector, p.customer_number AS parent_number,
              count(*)::int8 AS documents, sum(d.open_base_minor)::int8 AS past_due, max($2::date - d.due_date) AS oldest
         FROM document d
         JOIN customer c ON c.company_id = d.company_id AND c.customer_id = d.customer_id
         LEFT JOIN customer p ON p.company_id = c.company_id AND p.customer_id = c.parent_customer_id
        WHERE d.company_id = $1 AND d.open_minor > 0 AND d.doc_type <> 'credit_memo' AND d.due_date < $2::date
        GROUP BY c.customer_id, c.customer_number, c.name, c.currency, c.collector, p.customer_number
        ORDER BY past_due DESC, c.customer_number LIMIT 10`,
      [id, asOf],
    );
    const tie = await tieOut(client, ctx);

    const byType = (t: string) => docs.find((d) => d.doc_type === t);
    const buckets = BUCKETS.map((label, i) => {
      const row = aging.find((a) => Number(a.bucket) === i);
      return { label, documents: row?.documents ?? 0, amountMinor: row?.amount ?? 0 };
    });
    const documentsOpenMinor = buckets.reduce((s, b) => s + b.amountMinor, 0);
    const onAccountMinor = receipts!.on_account_base;
    const months = await metricsByMonth(client, ctx, asOf);
    return {
      company: { code: ctx.code, name: ctx.name, baseCurrency: ctx.baseCurrency },
      created: meta.created,
      seed: meta.seed,
      asOf,
      generated: meta.generated,
      imports: meta.imports,
      creditsApplied: meta.creditsApplied,
      counts: {
        customers: customers!.customers,
        parents: customers!.parents,
        subsidiaries: customers!.subsidiaries,
        foreignCustomers: customers!.foreign_customers,
        invoices: byType('invoice')?.total ?? 0,
        creditMemos: byType('credit_memo')?.total ?? 0,
        debitMemos: byType('debit_memo')?.total ?? 0,
        foreignDocuments: docs.reduce((s, d) => s + d.foreign_docs, 0),
        openInvoices: (byType('invoice')?.open ?? 0) + (byType('debit_memo')?.open ?? 0),
        openCreditMemos: byType('credit_memo')?.open ?? 0,
        receipts: receipts!.total,
        unappliedReceipts: receipts!.unapplied,
        unidentifiedReceipts: receipts!.unidentified,
        onAccountReceipts: receipts!.on_account,
      },
      aging: buckets,
      documentsOpenMinor,
      onAccountMinor,
      arOpenMinor: documentsOpenMinor - onAccountMinor,
      unappliedMinor: receipts!.unapplied_base,
      topPastDue: top.map((r) => ({
        customerNumber: r.customer_number,
        name: r.name,
        currency: r.currency.trim(),
        collector: r.collector,
        parentNumber: r.parent_number,
        documents: r.documents,
        pastDueMinor: r.past_due,
        oldestDaysPastDue: r.oldest,
      })),
      metricsByMonth: months,
      tieOut: tie,
      elapsedMs: Math.round(performance.now() - meta.started),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The printed report.

const n = (value: number): string => value.toLocaleString('en-US');
/** Elapsed time as "12.3 s", from whole tenths of a second. */
const tenths = (ms: number): string => {
  const t = Math.round(ms / 100);
  return `${Math.floor(t / 10)}.${t % 10} s`;
};
const seconds = (since: number): string => tenths(performance.now() - since);

/** 1234567.89 as "1,234,567.89": the digits grouped as text, never through a float. */
export function formatAmount(minor: number, currency: string): string {
  const text = formatMinor(minor, minorUnitExponent(currency));
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    `  ${r.map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd(),
  );
}

function print(s: DemoSummary, log: (line: string) => void): void {
  const base = s.company.baseCurrency;
  const money = (minor: number) => formatAmount(minor, base);
  const c = s.counts;
  log('');
  log(`${s.company.name} (company ${s.company.code}, base ${base}), as of ${s.asOf}`);
  log(
    `  customers  ${n(c.customers)}: ${n(c.parents)} parent groups with ${n(c.subsidiaries)} subsidiaries, ${n(c.foreignCustomers)} billed in a foreign currency`,
  );
  log(
    `  documents  ${n(c.invoices)} invoices, ${n(c.debitMemos)} debit memos, ${n(c.creditMemos)} credit memos (${n(c.foreignDocuments)} in a foreign currency); open: ${n(c.openInvoices)} invoices and debit memos, ${n(c.openCreditMemos)} credit memos`,
  );
  log(
    `  receipts   ${n(c.receipts)}: ${n(c.unappliedReceipts)} with unapplied cash (${n(c.unidentifiedReceipts)} unidentified), ${n(c.onAccountReceipts)} with cash on account`,
  );
  if (s.generated && s.generated.discountsTaken > 0) {
    log(
      `  note: ${n(s.generated.discountsTaken)} invoices paid 98% inside the 2/10 discount window keep the 2% open (the payments import has no discount column)`,
    );
  }
  log('');
  log(`Aging by due date as of ${s.asOf} (${base})`);
  for (const line of table(
    [
      ['', 'documents', 'open'],
      ...s.aging.map((b) => [b.label, n(b.documents), money(b.amountMinor)]),
      ['open documents', n(s.aging.reduce((t, b) => t + b.documents, 0)), money(s.documentsOpenMinor)],
      ['cash on account', '', money(-s.onAccountMinor)],
      ['receivables', '', money(s.arOpenMinor)],
      ['unapplied cash (separate)', '', money(s.unappliedMinor)],
    ],
    ['l', 'r', 'r'],
  ))
    log(line);
  log('');
  log(`Top ${s.topPastDue.length} past-due customers (${base})`);
  for (const line of table(
    [
      ['customer', 'name', 'ccy', 'collector', 'documents', 'past due', 'oldest'],
      ...s.topPastDue.map((t) => [
        t.customerNumber,
        t.name,
        t.currency,
        t.collector ?? '',
        n(t.documents),
        money(t.pastDueMinor),
        `${t.oldestDaysPastDue} days`,
      ]),
    ],
    ['l', 'l', 'l', 'l', 'r', 'r', 'r'],
  ))
    log(line);
  log('');
  log(`Collection metrics by month (${base}; CEI by the Credit Research Foundation convention)`);
  const figure = (v: number | null) => (v === null ? '—' : v.toFixed(1));
  for (const line of table(
    [
      ['month', 'DSO', 'DSO countback', 'CEI', '% current', 'AR at end'],
      ...s.metricsByMonth.map((m) => [
        `${m.from} – ${m.to}`,
        figure(m.dso),
        figure(m.dsoCountback),
        figure(m.cei),
        figure(m.percentCurrent),
        money(m.arEndMinor),
      ]),
    ],
    ['l', 'r', 'r', 'r', 'r', 'r'],
  ))
    log(line);
  log('');
  const tie = s.tieOut;
  log(
    `Tie-out, subledger vs GL (${base}): receivables ${money(tie.arBase.subledgerMinor)} vs ${money(tie.arBase.glMinor)}, unapplied cash ${money(tie.unappliedBase.subledgerMinor)} vs ${money(tie.unappliedBase.glMinor)}: ${tie.tied ? 'tied' : 'NOT TIED'}`,
  );
  if (!tie.tied) {
    for (const l of tie.arByCurrency.filter((x) => x.differenceMinor !== 0)) {
      log(
        `  ${l.currency}: subledger ${formatAmount(l.subledgerMinor, l.currency)}, GL ${formatAmount(l.glMinor, l.currency)}`,
      );
    }
  }
  log(`(${tenths(s.elapsedMs)})`);
}
