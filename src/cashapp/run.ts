import { uuidv7 } from 'uuidv7';
import { type EntryDocument, loadAdvices, loadEntryFacts, type StoredAdvice } from '../banking/queries.js';
import { openDeductions } from '../disputes/index.js';
import { type BulkItem, postApplicationsBulk } from '../ledger/bulk-apply.js';
import type { CompanyContext } from '../ledger/index.js';
import {
  closedPeriods,
  loadCustomersForMatching,
  loadOpenReceipts,
  type OpenReceipt,
  setReceiptCustomers,
} from '../ledger/open-items.js';
import { minorUnitExponent, parseDecimalToMinor } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { Book, dayNumber } from './core/book.js';
import { type Link, linkAdvices } from './core/link.js';
import { matchReceipt, reserve } from './core/match.js';
import type { AdviceInput, CashappSettings, Decision, Proposal, ReceiptInput } from './core/types.js';
import { loadOpenDocumentColumns } from './load.js';
import { loadSettings } from './settings.js';

export interface RunOptions {
  actor: string;
  /** Used when a receipt's own date falls in a closed period (default: today). */
  postingDate?: string;
  /** Only these receipts (default: every receipt with cash left to apply). */
  receiptIds?: string[];
}

export interface RunSummary {
  runId: string;
  receipts: number;
  auto: number;
  proposed: number;
  unapplied: number;
  applications: number;
  deductions: number;
  advicesLinked: number;
  byScenario: Record<string, number>;
  millis: { load: number; match: number; post: number };
  /** CPU milliseconds of this process (user + system) per phase; the database server's are not in it. */
  cpuMillis: { load: number; match: number; post: number };
}

/** Everything a run reads, loaded in a fixed number of queries. */
interface World {
  receipts: OpenReceipt[];
  book: Book;
  facts: Awaited<ReturnType<typeof loadEntryFacts>>;
  advicesByReceipt: Map<string, StoredAdvice[]>;
  rejections: Map<string, { customerIds: string[]; documentIds: string[] }>;
  newLinks: Link[];
}

/**
 * Matches every receipt with cash left to apply and posts what is certain, in one transaction.
 * Running it again changes nothing that is already applied; `revertRun` undoes it exactly.
 */
export async function runCashapp(
  database: Database,
  ctx: CompanyContext,
  opts: RunOptions,
): Promise<RunSummary> {
  return database.transaction(async ({ client }) => {
    const started = Date.now();
    const cpuStarted = process.cpuUsage();
    const settings = await loadSettings(client, ctx);
    const runId = uuidv7();
    const runDate = opts.postingDate ?? new Date().toISOString().slice(0, 10);
    await client.query(
      `INSERT INTO cashapp_run (company_id, run_id, settings, posting_date, created_by) VALUES ($1, $2, $3, $4, $5)`,
      [ctx.companyId, runId, JSON.stringify(settings), runDate, opts.actor],
    );
    const world = await loadWorld(client, ctx, opts.receiptIds);
    await storeLinks(client, ctx, runId, world.newLinks, opts.actor);
    const loaded = Date.now();
    const cpuLoaded = process.cpuUsage();
    const decisions = world.receipts.map((r) => {
      const decision = matchReceipt(world.book, receiptInput(r, world), settings);
      if (decision.outcome === 'auto') reserve(world.book, decision.best!);
      return decision;
    });
    const matched = Date.now();
    const cpuMatched = process.cpuUsage();
    await storeDecisions(client, ctx, runId, world, decisions, opts.actor);
    const posted = await postAutomatic(
      client,
      ctx,
      { runId, runDate, settings, actor: opts.actor },
      world,
      decisions,
    );
    const summary = summarize(runId, world, decisions, posted);
    await client.query(
      `UPDATE cashapp_run SET receipts = $3, auto = $4, proposed = $5, unapplied = $6, applications = $7,
              advices_linked = $8, finished_at = now() WHERE company_id = $1 AND run_id = $2`,
      [
        ctx.companyId,
        runId,
        summary.receipts,
        summary.auto,
        summary.proposed,
        summary.unapplied,
        summary.applications,
        summary.advicesLinked,
      ],
    );
    summary.millis = { load: loaded - started, match: matched - loaded, post: Date.now() - matched };
    summary.cpuMillis = {
      load: cpuMillisBetween(cpuStarted, cpuLoaded),
      match: cpuMillisBetween(cpuLoaded, cpuMatched),
      post: cpuMillisBetween(cpuMatched, process.cpuUsage()),
    };
    return summary;
  });
}

async function loadWorld(client: SqlClient, ctx: CompanyContext, only?: string[]): Promise<World> {
  const receipts = await loadOpenReceipts(client, ctx, only);
  const receiptIds = receipts.map((r) => r.receiptId);
  // One connection: the queries run one after another (a client runs one query at a time).
  const customers = await loadCustomersForMatching(client, ctx);
  const documents = await loadOpenDocumentColumns(client, ctx);
  const facts = await loadEntryFacts(
    client,
    ctx,
    receipts.flatMap((r) => (r.bankEntryId ? [r.bankEntryId] : [])),
  );
  const advices = await loadAdvices(client, ctx, { sinceDays: 120 });
  const links = await loadLinks(client, ctx);
  const rejections = await loadRejections(client, ctx, receiptIds);
  const habits = await client.query<{ customer_id: string; habit: string }>(
    'SELECT customer_id, habit FROM cashapp_reference_habit WHERE company_id = $1',
    [ctx.companyId],
  );
  const book = new Book({
    ...customers,
    documents,
    habits: habits.rows.map((h) => ({ customerId: h.customer_id, habit: h.habit })),
  });
  const linkedReceipt = new Map(links.map((l) => [l.advice_id, l.receipt_id]));
  const linkedAdvices = advices.filter((a) => linkedReceipt.has(a.adviceId));
  const unlinked = advices.filter((a) => !linkedReceipt.has(a.adviceId));
  const receiptsWithAdvice = new Set(linkedReceipt.values());
  const newLinks = linkAdvices(
    receipts
      .filter((r) => !receiptsWithAdvice.has(r.receiptId))
      .map((r) => {
        const f = r.bankEntryId ? facts.get(r.bankEntryId) : undefined;
        return {
          receiptId: r.receiptId,
          currency: r.currency,
          amountMinor: r.amountMinor,
          day: dayNumber(r.receiptDate),
          payerName: r.payerName,
          references: [r.reference, f?.bankReference ?? null, f?.endToEndId ?? null, f?.checkNumber ?? null],
          remittanceText: r.remittanceText,
          fileId: f?.fileId ?? null,
        };
      }),
    unlinked.map((a) => ({
      adviceId: a.adviceId,
      currency: a.currency,
      amountMinor: a.amountMinor,
      payer: a.payer,
      paymentReferences: a.paymentReferences,
      day: a.paymentDate ? dayNumber(a.paymentDate) : null,
      fileId: a.fileId,
    })),
  );
  const adviceById = new Map(advices.map((a) => [a.adviceId, a]));
  const advicesByReceipt = new Map<string, StoredAdvice[]>();
  const attach = (receiptId: string, adviceId: string) => {
    const advice = adviceById.get(adviceId);
    if (!advice) return;
    const list = advicesByReceipt.get(receiptId) ?? [];
    list.push(advice);
    advicesByReceipt.set(receiptId, list);
  };
  for (const a of linkedAdvices) attach(linkedReceipt.get(a.adviceId)!, a.adviceId);
  for (const l of newLinks) attach(l.receiptId, l.adviceId);
  return { receipts, book, facts, advicesByReceipt, rejections, newLinks };
}

async function loadLinks(client: SqlClient, ctx: CompanyContext) {
  const { rows } = await client.query<{ advice_id: string; receipt_id: string }>(
    'SELECT advice_id, receipt_id FROM cashapp_remittance_link WHERE company_id = $1',
    [ctx.companyId],
  );
  return rows;
}

async function loadRejections(client: SqlClient, ctx: CompanyContext, receiptIds: string[]) {
  const { rows } = await client.query<{
    receipt_id: string;
    customer_id: string | null;
    document_id: string | null;
  }>(
    `SELECT receipt_id, customer_id, document_id FROM cashapp_rejection WHERE company_id = $1 AND receipt_id = ANY($2::uuid[])`,
    [ctx.companyId, receiptIds],
  );
  const out = new Map<string, { customerIds: string[]; documentIds: string[] }>();
  for (const r of rows) {
    const entry = out.get(r.receipt_id) ?? { customerIds: [], documentIds: [] };
    if (r.customer_id) entry.customerIds.push(r.customer_id);
    if (r.document_id) entry.documentIds.push(r.document_id);
    out.set(r.receipt_id, entry);
  }
  return out;
}

async function storeLinks(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  links: Link[],
  actor: string,
) {
  if (links.length === 0) return;
  await client.query(
    `INSERT INTO cashapp_remittance_link (company_id, advice_id, receipt_id, run_id, score, reasons, created_by)
     SELECT $1, x.advice_id, x.receipt_id, $3, x.score, x.reasons, $4
       FROM jsonb_to_recordset($2::jsonb) AS x(advice_id uuid, receipt_id uuid, score numeric, reasons jsonb)
     ON CONFLICT DO NOTHING`,
    [
      ctx.companyId,
      JSON.stringify(
        links.map((l) => ({
          advice_id: l.adviceId,
          receipt_id: l.receiptId,
          score: Math.min(l.score, 9.9999),
          reasons: l.reasons,
        })),
      ),
      runId,
      actor,
    ],
  );
}

export function receiptInput(
  r: OpenReceipt,
  world: Pick<World, 'advicesByReceipt' | 'rejections' | 'facts'>,
): ReceiptInput {
  const rejected = world.rejections.get(r.receiptId);
  const advices: AdviceInput[] = (world.advicesByReceipt.get(r.receiptId) ?? []).map((a) => ({
    adviceId: a.adviceId,
    amountMinor: a.amountMinor,
    payer: a.payer,
    customerNumber: a.customerNumber,
    text: a.text,
    lines: a.lines.map((l) => ({
      documentNumber: l.documentNumber,
      amountPaidMinor: l.amountPaidMinor,
      discountMinor: l.discountMinor,
      adjustments: l.adjustments,
    })),
  }));
  const bankLines = r.bankEntryId
    ? documentLines(world.facts.get(r.bankEntryId)?.documents ?? [], r.currency)
    : [];
  if (bankLines.length > 0)
    advices.push({
      adviceId: `entry:${r.bankEntryId}`,
      amountMinor: null,
      payer: null,
      text: null,
      lines: bankLines,
    });
  return {
    receiptId: r.receiptId,
    currency: r.currency,
    amountMinor: r.unappliedMinor,
    receiptDate: r.receiptDate,
    customerId: r.customerId,
    payerName: r.payerName,
    payerAccountKey: r.payerAccount ? r.payerAccount.toUpperCase().replace(/[^A-Z0-9]/g, '') : null,
    reference: r.reference,
    remittanceText: r.remittanceText,
    advices,
    rejectedCustomerIds: rejected?.customerIds,
    rejectedDocumentIds: rejected?.documentIds,
  };
}

/** The bank's itemized remittance (camt RfrdDocAmt) as advice lines, when it gives amounts. */
function documentLines(documents: EntryDocument[], currency: string): AdviceInput['lines'] {
  const exponent = minorUnitExponent(currency);
  const minor = (v: string | null | undefined) => {
    if (!v) return null;
    try {
      return Math.abs(parseDecimalToMinor(v, exponent));
    } catch {
      return null;
    }
  };
  const lines = documents
    .filter((d) => d.number)
    .map((d) => ({
      documentNumber: d.number,
      amountPaidMinor: minor(d.remitted),
      discountMinor: minor(d.discount),
      adjustments: (d.adjustments ?? []).flatMap((a) => {
        const amountMinor = minor(a.amount);
        return amountMinor === null ? [] : [{ reasonCode: a.reason, amountMinor }];
      }),
    }));
  return lines.some((l) => l.amountPaidMinor !== null || l.adjustments.length > 0) ? lines : [];
}

/** A proposal as stored and shown: document and customer numbers, amounts as integers. */
export function describeProposal(book: Book, p: Proposal, rank: number) {
  const doc = (d: number | null) => (d === null || d < 0 ? null : book.documentNumber[d]!);
  return {
    rank,
    confidence: p.confidence,
    scenario: p.scenario,
    customer_id: p.customer === null ? null : book.customers[p.customer]!.customerId,
    customer_number: p.customer === null ? null : book.customers[p.customer]!.customerNumber,
    lines: p.lines.map((l) => ({
      kind: l.kind,
      document_id: l.document === null || l.document < 0 ? null : book.documentId[l.document]!,
      invoice_number: doc(l.document),
      credit_document_id: l.creditDocument === null ? null : book.documentId[l.creditDocument]!,
      credit_number: doc(l.creditDocument),
      cash_minor: l.cashMinor,
      discount_minor: l.discountMinor,
      write_off_minor: l.writeOffMinor,
      write_off_reason: l.writeOffReason,
      deduction_minor: l.deductionMinor,
      deduction_reason: l.deductionReasonCode,
      amount_minor: l.amountMinor,
    })),
    reasons: p.reasons,
  };
}

async function storeDecisions(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
  world: World,
  decisions: Decision[],
  actor: string,
) {
  const receiptById = new Map(world.receipts.map((r) => [r.receiptId, r]));
  const rows = decisions.map((d) => {
    const r = receiptById.get(d.receiptId)!;
    const customer = d.customer === null ? null : world.book.customers[d.customer]!.customerId;
    return {
      decision_id: uuidv7(),
      receipt_id: d.receiptId,
      outcome: d.outcome,
      customer_id: customer,
      previous_customer_id: r.customerId,
      customer_confidence: d.customerConfidence,
      confidence: d.best?.confidence ?? null,
      scenario: d.best?.scenario ?? (d.customer === null ? 'unidentified' : 'no-match'),
      source: r.bankEntryId ? (world.facts.get(r.bankEntryId)?.format ?? 'bank') : 'import',
      reasons: [...(d.best?.reasons ?? []), ...d.reasons],
      proposal: d.best ? describeProposal(world.book, d.best, 1) : null,
      suggestions: d.suggestions.map((p, i) => describeProposal(world.book, p, i + 1)),
    };
  });
  for (let i = 0; i < rows.length; i += 10_000) {
    await client.query(
      `INSERT INTO cashapp_decision (company_id, decision_id, receipt_id, run_id, outcome, customer_id, previous_customer_id,
         customer_confidence, confidence, scenario, source, reasons, proposal, suggestions, created_by)
       SELECT $1, x.decision_id, x.receipt_id, $3, x.outcome, x.customer_id, x.previous_customer_id, x.customer_confidence,
              x.confidence, x.scenario, x.source, x.reasons, x.proposal, x.suggestions, $4
         FROM jsonb_to_recordset($2::jsonb) AS x(decision_id uuid, receipt_id uuid, outcome text, customer_id uuid,
              previous_customer_id uuid, customer_confidence numeric, confidence numeric, scenario text, source text,
              reasons jsonb, proposal jsonb, suggestions jsonb)`,
      [ctx.companyId, JSON.stringify(rows.slice(i, i + 10_000)), runId, actor],
    );
  }
}

interface PostContext {
  runId: string;
  runDate: string;
  settings: CashappSettings;
  actor: string;
}

/** Posts the automatic decisions: payer first, then credits, cash, on-account, and deductions. */
async function postAutomatic(
  client: SqlClient,
  ctx: CompanyContext,
  pc: PostContext,
  world: World,
  decisions: Decision[],
) {
  const autos = decisions.filter((d) => d.outcome === 'auto' && d.best !== null);
  const receiptById = new Map(world.receipts.map((r) => [r.receiptId, r]));
  const { book } = world;
  await setReceiptCustomers(
    client,
    ctx,
    autos
      .filter((d) => receiptById.get(d.receiptId)!.customerId === null && d.best!.customer !== null)
      .map((d) => ({ receiptId: d.receiptId, customerId: book.customers[d.best!.customer!]!.customerId })),
    pc.actor,
    `cash application run ${pc.runId}: payer identified`,
  );
  const closed = await closedPeriods(client, ctx);
  const byDate = new Map<
    string,
    { items: BulkItem[]; deductionOf: Map<number, { decision: Decision; line: number }> }
  >();
  for (const d of autos) {
    const r = receiptById.get(d.receiptId)!;
    const date = postingDateFor(book, r.receiptDate, d.best!, closed, pc.runDate);
    const group = byDate.get(date) ?? {
      items: [] as BulkItem[],
      deductionOf: new Map<number, { decision: Decision; line: number }>(),
    };
    byDate.set(date, group);
    const reasons = d.best!.reasons;
    const confidence = d.best!.confidence;
    d.best!.lines.forEach((l, lineIndex) => {
      if (l.kind === 'credit_memo') {
        group.items.push({
          kind: 'credit_memo',
          creditDocumentId: book.documentId[l.creditDocument!]!,
          documentId: book.documentId[l.document!]!,
          amountMinor: l.amountMinor,
          receiptId: d.receiptId,
          confidence,
          reasons,
        });
      } else if (l.kind === 'on_account') {
        const customer = d.best!.customer === null ? undefined : book.customers[d.best!.customer]!.customerId;
        group.items.push({
          kind: 'on_account',
          receiptId: d.receiptId,
          amountMinor: l.amountMinor,
          customerId: customer,
          confidence,
          reasons,
        });
      } else {
        if (l.deductionMinor > 0) group.deductionOf.set(group.items.length, { decision: d, line: lineIndex });
        if (l.cashMinor + l.discountMinor + l.writeOffMinor === 0) return;
        group.items.push({
          kind: 'payment',
          receiptId: d.receiptId,
          documentId: book.documentId[l.document!]!,
          cashMinor: l.cashMinor,
          discountMinor: l.discountMinor,
          writeOffMinor: l.writeOffMinor,
          writeOffReason: l.writeOffReason,
          confidence,
          reasons,
        });
      }
    });
  }
  let applications = 0;
  let deductions = 0;
  for (const [date, group] of [...byDate].sort(([a], [b]) => a.localeCompare(b))) {
    const ids = await postApplicationsBulk(client, ctx, {
      postingDate: date,
      actor: pc.actor,
      reason: `cash application run ${pc.runId}`,
      origin: 'cashapp',
      runId: pc.runId,
      items: group.items,
    });
    applications += ids.length;
    const opened = await openDeductions(
      client,
      ctx,
      [...group.deductionOf].map(([itemIndex, { decision, line }]) => {
        const l = decision.best!.lines[line]!;
        return {
          customerId: book.customers[book.documentCustomer[l.document!]!]!.customerId,
          documentId: book.documentId[l.document!]!,
          receiptId: decision.receiptId,
          applicationId: ids[itemIndex] ?? null,
          currency: book.documentCurrency[l.document!]!,
          amountMinor: l.deductionMinor,
          reasonCode: l.deductionReasonCode ?? 'OTHER',
          reasonText: decision.best!.reasons.join('; '),
        };
      }),
      { actor: pc.actor, runId: pc.runId },
    );
    deductions += opened.length;
  }
  return { applications, deductions };
}

/** The receipt's date, or the newest document's date if later; the run date when that period is closed. */
function postingDateFor(
  book: Book,
  receiptDate: string,
  p: Proposal,
  closed: Set<string>,
  runDate: string,
): string {
  let date = receiptDate;
  for (const l of p.lines) {
    for (const d of [l.document, l.creditDocument]) {
      if (d === null || d < 0) continue;
      const docDate = isoOfDay(book.documentDay[d]!);
      if (docDate > date) date = docDate;
    }
  }
  return closed.has(date.slice(0, 7)) ? runDate : date;
}

function isoOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function summarize(
  runId: string,
  world: World,
  decisions: Decision[],
  posted: { applications: number; deductions: number },
): RunSummary {
  const count = (o: string) => decisions.filter((d) => d.outcome === o).length;
  const byScenario: Record<string, number> = {};
  for (const d of decisions) {
    const s = `${d.outcome}:${d.best?.scenario ?? 'none'}`;
    byScenario[s] = (byScenario[s] ?? 0) + 1;
  }
  return {
    runId,
    receipts: decisions.length,
    auto: count('auto'),
    proposed: count('proposed'),
    unapplied: count('unapplied'),
    applications: posted.applications,
    deductions: posted.deductions,
    advicesLinked: world.newLinks.length,
    byScenario,
    millis: { load: 0, match: 0, post: 0 },
    cpuMillis: { load: 0, match: 0, post: 0 },
  };
}

function cpuMillisBetween(from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number {
  return Math.round((to.user - from.user + to.system - from.system) / 1000);
}
