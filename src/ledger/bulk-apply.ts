import { uuidv7 } from 'uuidv7';
import { normalizeAccount } from '../imports/customers.js';
import type { SqlClient } from '../store/client.js';
import type { CompanyContext } from './context.js';
import type { ApplicationColumns, Origin, StoredApplication } from './core/applications.js';
import { checkUnapply, reversalRow, unapplyEntry, unapplyMoves } from './core/applications.js';
import { invariant, LedgerError } from './core/errors.js';
import type { EntryDraft, LineDraft } from './core/journal.js';
import { entry } from './core/postings.js';
import * as rules from './core/rules.js';
import { postEntries } from './journal-store.js';
import { creditApplicationMemo, customerFamilies, isUuid } from './operations.js';
import type { DocumentRecord, DocumentRow, ReceiptRecord, ReceiptRow } from './records.js';
import { documentRecord, receiptRecord } from './records.js';

/**
 * Set-based postings for cash application: many applications (or unapplies) in a handful of
 * statements. The rows involved are locked with one SELECT … FOR UPDATE per table, every item is
 * checked and computed in memory in item order with the same pure core as the single-row
 * functions in operations.ts (so the result is what calling those one after another would give),
 * and only then is anything written: journal entries (one per item), application rows and the
 * cached balances, each as one multi-row statement per chunk.
 */

export type { Origin } from './core/applications.js';

export type BulkItem =
  | {
      kind: 'payment';
      receiptId: string;
      documentId: string;
      cashMinor: number;
      discountMinor?: number;
      writeOffMinor?: number;
      writeOffReason?: string | null;
      externalKey?: string | null;
      confidence?: number | null;
      reasons?: unknown;
    }
  | {
      kind: 'credit_memo';
      creditDocumentId: string;
      documentId: string;
      amountMinor: number;
      /** The receipt whose remittance took the credit, for the record (named in the entry memo). */
      receiptId?: string | null;
      externalKey?: string | null;
      confidence?: number | null;
      reasons?: unknown;
    }
  | {
      kind: 'on_account';
      receiptId: string;
      amountMinor: number;
      customerId?: string;
      externalKey?: string | null;
      confidence?: number | null;
      reasons?: unknown;
    };

export interface BulkApplyInput {
  postingDate: string;
  actor: string;
  reason: string;
  origin: Origin;
  runId?: string | null;
  items: BulkItem[];
}

export interface BulkUnapplyInput {
  applicationIds: string[];
  postingDate: string;
  actor: string;
  reason: string;
  runId?: string | null;
}

export interface BulkOptions {
  /** Items written per statement; the default keeps each statement's JSON to a few tens of MB. */
  chunkSize?: number;
}

export const BULK_CHUNK_ITEMS = 20_000;

/** A bulk call was refused because of one item; nothing was written. */
export class BulkItemError extends LedgerError {
  constructor(
    readonly itemIndex: number,
    code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `item ${itemIndex}: ${message}`, options);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

type ReceiptState = ReceiptRecord & { touched: boolean };
type DocState = DocumentRecord & { touched: boolean };

/** An application row as written, entry_id filled in once its entry has an id. */
type AppRow = ApplicationColumns & { entry_id: string | null };

interface Planned {
  app: AppRow;
  draft: EntryDraft;
}

/** Runs a check for one item and names the item in whatever ledger rule it breaks. */
function forItem<T>(index: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof LedgerError && !(error instanceof BulkItemError))
      throw new BulkItemError(index, error.code, error.message, { cause: error });
    throw error;
  }
}

function assertAmount(value: number, what: string): void {
  invariant(Number.isSafeInteger(value), 'unsafe-amount', `${what} must be a safe integer, got ${value}`);
  invariant(value >= 0, 'negative-amount', 'application amounts must not be negative');
}

function assertCall(postingDate: string, runId: string | null | undefined): void {
  invariant(DATE.test(postingDate), 'bad-date', `a posting date is YYYY-MM-DD, got ${postingDate}`);
  invariant(
    runId === undefined || runId === null || isUuid(runId),
    'bad-run-id',
    `a run id is a UUID, got ${runId}`,
  );
}

/** Refuses a posting date in a closed period before anything is written (the trigger would too). */
async function assertPeriodOpen(client: SqlClient, ctx: CompanyContext, postingDate: string) {
  const { rows } = await client.query<{ period_code: string }>(
    `SELECT period_code FROM fiscal_period
      WHERE company_id = $1 AND status = 'closed' AND $2::date BETWEEN start_date AND end_date`,
    [ctx.companyId, postingDate],
  );
  if (rows[0])
    throw new BulkItemError(
      0,
      'period-closed',
      `period ${rows[0].period_code} is closed; cannot post on ${postingDate}`,
    );
}

async function lockReceipts(
  client: SqlClient,
  ctx: CompanyContext,
  ids: Iterable<string>,
): Promise<Map<string, ReceiptState>> {
  const wanted = [...new Set(ids)].filter(isUuid);
  if (wanted.length === 0) return new Map();
  const { rows } = await client.query<ReceiptRow>(
    `SELECT receipt_id, receipt_key, customer_id, currency, unapplied_minor, unapplied_base_minor,
            on_account_minor, on_account_base_minor
       FROM receipt WHERE company_id = $1 AND receipt_id = ANY($2::uuid[])
      ORDER BY receipt_id FOR UPDATE`,
    [ctx.companyId, wanted],
  );
  return new Map(rows.map((r) => [r.receipt_id, { ...receiptRecord(r), touched: false }]));
}

async function lockDocuments(
  client: SqlClient,
  ctx: CompanyContext,
  ids: Iterable<string>,
): Promise<Map<string, DocState>> {
  const wanted = [...new Set(ids)].filter(isUuid);
  if (wanted.length === 0) return new Map();
  const { rows } = await client.query<DocumentRow>(
    `SELECT document_id, document_number, customer_id, doc_type, currency, amount_minor, base_amount_minor,
            open_minor, open_base_minor
       FROM document WHERE company_id = $1 AND document_id = ANY($2::uuid[])
      ORDER BY document_id FOR UPDATE`,
    [ctx.companyId, wanted],
  );
  return new Map(rows.map((d) => [d.document_id, { ...documentRecord(d), touched: false }]));
}

function found<T>(map: ReadonlyMap<string, T>, id: string, what: string): T {
  const row = map.get(id);
  if (!row) throw new LedgerError('not-found', `no ${what} ${id}`);
  return row;
}

interface PlanContext {
  ctx: CompanyContext;
  input: BulkApplyInput;
  receipts: Map<string, ReceiptState>;
  docs: Map<string, DocState>;
  families: Map<string, string | null>;
}

type PaymentItem = Extract<BulkItem, { kind: 'payment' }>;
type CreditItem = Extract<BulkItem, { kind: 'credit_memo' }>;
type OnAccountItem = Extract<BulkItem, { kind: 'on_account' }>;

function baseApp(p: PlanContext, item: BulkItem): Omit<AppRow, 'kind' | 'currency'> {
  return {
    application_id: uuidv7(),
    receipt_id: null,
    credit_document_id: null,
    document_id: null,
    applied_minor: 0,
    cash_minor: 0,
    discount_minor: 0,
    write_off_minor: 0,
    write_off_reason: null,
    document_base_minor: 0,
    source_base_minor: 0,
    fx_gain_loss_base_minor: 0,
    entry_id: null,
    reverses_application_id: null,
    origin: p.input.origin,
    run_id: p.input.runId ?? null,
    external_key: item.externalKey ?? null,
    confidence: item.confidence ?? null,
    reasons: item.reasons ?? null,
  };
}

/** applyReceipt in memory: the same checks in the same order, the same base relief and lines. */
function planPayment(p: PlanContext, item: PaymentItem): Planned {
  const discountMinor = item.discountMinor ?? 0;
  const writeOffMinor = item.writeOffMinor ?? 0;
  assertAmount(item.cashMinor, 'cash');
  assertAmount(discountMinor, 'discount');
  assertAmount(writeOffMinor, 'write-off');
  const amounts = { cashMinor: item.cashMinor, discountMinor, writeOffMinor };
  const applied = item.cashMinor + discountMinor + writeOffMinor;
  invariant(Number.isSafeInteger(applied), 'unsafe-amount', 'the amount applied is not a safe integer');
  rules.checkPaymentAmounts(amounts, item.writeOffReason);
  const receipt = found(p.receipts, item.receiptId, 'receipt');
  const doc = found(p.docs, item.documentId, 'document');
  rules.checkPaymentTarget(receipt, doc, 'apply credits as credit_memo items');
  rules.checkPaymentCover(receipt, doc, amounts, p.families);
  const { sourceBaseMinor, documentBaseMinor, lines, fxGainLossBaseMinor } = rules.paymentPosting(
    receipt,
    doc,
    amounts,
    p.ctx.baseCurrency,
  );
  receipt.customerId ??= doc.customerId;
  receipt.unappliedMinor -= item.cashMinor;
  receipt.unappliedBaseMinor -= sourceBaseMinor;
  receipt.touched = true;
  doc.openMinor -= applied;
  doc.openBaseMinor -= documentBaseMinor;
  doc.touched = true;
  const app: AppRow = {
    ...baseApp(p, item),
    kind: 'payment',
    receipt_id: receipt.id,
    document_id: doc.id,
    currency: doc.currency,
    applied_minor: applied,
    cash_minor: item.cashMinor,
    discount_minor: discountMinor,
    write_off_minor: writeOffMinor,
    write_off_reason: item.writeOffReason ?? null,
    document_base_minor: documentBaseMinor,
    source_base_minor: sourceBaseMinor,
    fx_gain_loss_base_minor: fxGainLossBaseMinor,
  };
  const memo = `apply ${receipt.key} to ${doc.number}`;
  return { app, draft: entry(p.input.postingDate, 'application', app.application_id, memo, lines) };
}

/** applyCredit in memory. */
function planCredit(p: PlanContext, item: CreditItem): Planned {
  assertAmount(item.amountMinor, 'amount');
  invariant(item.amountMinor > 0, 'empty-application', 'nothing to apply');
  const credit = found(p.docs, item.creditDocumentId, 'document');
  const doc = found(p.docs, item.documentId, 'document');
  rules.checkCreditApplication(credit, doc, item.amountMinor);
  const via = item.receiptId ? found(p.receipts, item.receiptId, 'receipt').key : null;
  const { sourceBaseMinor, documentBaseMinor, lines, fxGainLossBaseMinor } = rules.creditApplicationPosting(
    credit,
    doc,
    item.amountMinor,
    p.ctx.baseCurrency,
  );
  credit.openMinor -= item.amountMinor;
  credit.openBaseMinor -= sourceBaseMinor;
  credit.touched = true;
  doc.openMinor -= item.amountMinor;
  doc.openBaseMinor -= documentBaseMinor;
  doc.touched = true;
  const app: AppRow = {
    ...baseApp(p, item),
    kind: 'credit_memo',
    credit_document_id: credit.id,
    document_id: doc.id,
    currency: doc.currency,
    applied_minor: item.amountMinor,
    cash_minor: item.amountMinor,
    document_base_minor: documentBaseMinor,
    source_base_minor: sourceBaseMinor,
    fx_gain_loss_base_minor: fxGainLossBaseMinor,
  };
  const memo = creditApplicationMemo(credit.number, doc.number, via);
  return { app, draft: entry(p.input.postingDate, 'application', app.application_id, memo, lines) };
}

/** putOnAccount in memory. */
function planOnAccount(p: PlanContext, item: OnAccountItem): Planned {
  assertAmount(item.amountMinor, 'amount');
  invariant(item.amountMinor > 0, 'empty-application', 'nothing to put on account');
  const receipt = found(p.receipts, item.receiptId, 'receipt');
  // A null from an untyped caller counts as no name, as it always has here.
  const customerId = rules.onAccountCustomer(receipt, item.customerId ?? undefined);
  // The single path learns of an unknown customer only from the foreign key; here it is a rule.
  invariant(p.families.has(customerId), 'not-found', `no customer ${customerId}`);
  rules.checkOnAccountCash(receipt, item.amountMinor);
  const { baseMinor: base, lines } = rules.onAccountPosting(receipt, customerId, item.amountMinor);
  receipt.customerId = customerId;
  receipt.unappliedMinor -= item.amountMinor;
  receipt.unappliedBaseMinor -= base;
  receipt.onAccountMinor += item.amountMinor;
  receipt.onAccountBaseMinor += base;
  receipt.touched = true;
  const app: AppRow = {
    ...baseApp(p, item),
    kind: 'on_account',
    receipt_id: receipt.id,
    currency: receipt.currency,
    applied_minor: item.amountMinor,
    cash_minor: item.amountMinor,
    document_base_minor: base,
    source_base_minor: base,
  };
  const memo = `on account ${receipt.key}`;
  return { app, draft: entry(p.input.postingDate, 'application', app.application_id, memo, lines) };
}

function planItem(p: PlanContext, item: BulkItem): Planned {
  switch (item.kind) {
    case 'payment':
      return planPayment(p, item);
    case 'credit_memo':
      return planCredit(p, item);
    case 'on_account':
      return planOnAccount(p, item);
    default:
      throw new LedgerError('bad-item', `unknown item kind ${(item as { kind: unknown }).kind}`);
  }
}

/** Every customer whose family a check may ask about: receipts', documents' and named ones. */
function customersInvolved(
  input: BulkApplyInput,
  receipts: Map<string, ReceiptState>,
  docs: Map<string, DocState>,
) {
  const ids: string[] = [];
  for (const r of receipts.values()) if (r.customerId) ids.push(r.customerId);
  for (const d of docs.values()) ids.push(d.customerId);
  for (const item of input.items)
    if (item.kind === 'on_account' && item.customerId) ids.push(item.customerId);
  return ids;
}

/**
 * Posts many applications as if applyReceipt / applyCredit / putOnAccount were called for each
 * item in order, in the caller's transaction: the same application rows (apart from ids), entries
 * and cached balances. A broken rule anywhere refuses the whole call with a BulkItemError naming
 * the item, before anything is written. Returns the application ids in item order.
 */
export async function postApplicationsBulk(
  client: SqlClient,
  ctx: CompanyContext,
  input: BulkApplyInput,
  options: BulkOptions = {},
): Promise<string[]> {
  if (input.items.length === 0) return [];
  forItem(0, () => assertCall(input.postingDate, input.runId));
  const receiptIds: string[] = [];
  const docIds: string[] = [];
  for (const item of input.items) {
    if (item.kind === 'credit_memo') {
      docIds.push(item.creditDocumentId, item.documentId);
      if (item.receiptId) receiptIds.push(item.receiptId);
    } else {
      receiptIds.push(item.receiptId);
      if (item.kind === 'payment') docIds.push(item.documentId);
    }
  }
  await assertPeriodOpen(client, ctx, input.postingDate);
  const receipts = await lockReceipts(client, ctx, receiptIds);
  const docs = await lockDocuments(client, ctx, docIds);
  const families = await customerFamilies(client, ctx, customersInvolved(input, receipts, docs));
  const p: PlanContext = { ctx, input, receipts, docs, families };
  const planned = input.items.map((item, i) => forItem(i, () => planItem(p, item)));

  await writePlanned(client, ctx, planned, input, options);
  await writeReceiptBalances(
    client,
    ctx,
    [...receipts.values()].filter((r) => r.touched),
    options,
  );
  await writeDocumentBalances(
    client,
    ctx,
    [...docs.values()].filter((d) => d.touched),
    options,
  );
  return planned.map((x) => x.app.application_id);
}

function chunks<T>(list: readonly T[], options: BulkOptions): T[][] {
  const size = options.chunkSize ?? BULK_CHUNK_ITEMS;
  invariant(Number.isSafeInteger(size) && size > 0, 'bad-chunk-size', 'a chunk size is a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Per chunk: the entries (headers, then all their lines in one statement) and the application rows. */
async function writePlanned(
  client: SqlClient,
  ctx: CompanyContext,
  planned: readonly Planned[],
  call: { postingDate: string; actor: string; reason: string },
  options: BulkOptions,
) {
  for (const chunk of chunks(planned, options)) {
    const entryIds = await postEntries(
      client,
      ctx,
      chunk.map((x) => x.draft),
      call.actor,
    );
    chunk.forEach((x, i) => {
      x.app.entry_id = entryIds[i]!;
    });
    await insertApplications(
      client,
      ctx,
      chunk.map((x) => x.app),
      call,
    );
  }
}

async function insertApplications(
  client: SqlClient,
  ctx: CompanyContext,
  rows: readonly AppRow[],
  call: { postingDate: string; actor: string; reason: string },
) {
  await client.query(
    `INSERT INTO application (company_id, application_id, kind, receipt_id, credit_document_id, document_id, currency,
       applied_minor, cash_minor, discount_minor, write_off_minor, write_off_reason, document_base_minor,
       source_base_minor, fx_gain_loss_base_minor, posting_date, entry_id, reverses_application_id, origin, run_id,
       external_key, confidence, reasons, reason, created_by)
     SELECT $1, x.application_id, x.kind, x.receipt_id, x.credit_document_id, x.document_id, x.currency,
            x.applied_minor, x.cash_minor, x.discount_minor, x.write_off_minor, x.write_off_reason,
            x.document_base_minor, x.source_base_minor, x.fx_gain_loss_base_minor, $3, x.entry_id,
            x.reverses_application_id, x.origin, x.run_id, x.external_key, x.confidence, x.reasons, $4, $5
       FROM json_to_recordset($2::json) AS x(application_id uuid, kind text, receipt_id uuid,
            credit_document_id uuid, document_id uuid, currency text, applied_minor int8, cash_minor int8,
            discount_minor int8, write_off_minor int8, write_off_reason text, document_base_minor int8,
            source_base_minor int8, fx_gain_loss_base_minor int8, entry_id uuid, reverses_application_id uuid,
            origin text, run_id uuid, external_key text, confidence numeric, reasons jsonb)`,
    [ctx.companyId, JSON.stringify(rows), call.postingDate, call.reason, call.actor],
  );
}

/** The receipts' new balances (and customer, when an application identified it), one statement per chunk. */
async function writeReceiptBalances(
  client: SqlClient,
  ctx: CompanyContext,
  receipts: readonly ReceiptState[],
  options: BulkOptions,
) {
  for (const chunk of chunks(receipts, options)) {
    await client.query(
      `UPDATE receipt r SET customer_id = x.customer_id, unapplied_minor = x.unapplied,
              unapplied_base_minor = x.unapplied_base, on_account_minor = x.on_account,
              on_account_base_minor = x.on_account_base
         FROM json_to_recordset($2::json) AS x(id uuid, customer_id uuid, unapplied int8, unapplied_base int8,
              on_account int8, on_account_base int8)
        WHERE r.company_id = $1 AND r.receipt_id = x.id`,
      [
        ctx.companyId,
        JSON.stringify(
          chunk.map((r) => ({
            id: r.id,
            customer_id: r.customerId,
            unapplied: r.unappliedMinor,
            unapplied_base: r.unappliedBaseMinor,
            on_account: r.onAccountMinor,
            on_account_base: r.onAccountBaseMinor,
          })),
        ),
      ],
    );
  }
}

async function writeDocumentBalances(
  client: SqlClient,
  ctx: CompanyContext,
  docs: readonly DocState[],
  options: BulkOptions,
) {
  for (const chunk of chunks(docs, options)) {
    await client.query(
      `UPDATE document d SET open_minor = x.open, open_base_minor = x.open_base
         FROM json_to_recordset($2::json) AS x(id uuid, open int8, open_base int8)
        WHERE d.company_id = $1 AND d.document_id = x.id`,
      [
        ctx.companyId,
        JSON.stringify(chunk.map((d) => ({ id: d.id, open: d.openMinor, open_base: d.openBaseMinor }))),
      ],
    );
  }
}

async function loadEntriesLines(
  client: SqlClient,
  ctx: CompanyContext,
  entryIds: readonly string[],
): Promise<Map<string, LineDraft[]>> {
  const { rows } = await client.query<{
    entry_id: string;
    role: LineDraft['role'];
    customer_id: string | null;
    currency: string;
    amount_minor: number;
    base_amount_minor: number;
  }>(
    `SELECT l.entry_id, g.role, l.customer_id, l.currency, l.amount_minor, l.base_amount_minor
       FROM journal_line l
       JOIN gl_account g ON g.company_id = l.company_id AND g.account_code = l.account_code
      WHERE l.company_id = $1 AND l.entry_id = ANY($2::uuid[]) ORDER BY l.entry_id, l.line_no`,
    [ctx.companyId, [...new Set(entryIds)]],
  );
  const byEntry = new Map<string, LineDraft[]>();
  for (const r of rows) {
    const list = byEntry.get(r.entry_id) ?? [];
    list.push({
      role: r.role,
      customerId: r.customer_id,
      currency: r.currency.trim(),
      amountMinor: r.amount_minor,
      baseAmountMinor: r.base_amount_minor,
    });
    byEntry.set(r.entry_id, list);
  }
  return byEntry;
}

/** Adds a signed move to a per-row running total (for the balance updates of unapplyBulk). */
function addMove(moves: Map<string, number[]>, id: string, deltas: number[]) {
  const sum = moves.get(id) ?? deltas.map(() => 0);
  deltas.forEach((d, i) => {
    sum[i]! += d;
  });
  moves.set(id, sum);
}

/**
 * Reverses each application as unapply would, in order: a reversal row with negated amounts, the
 * exact mirror of its journal entry, and the receipts', credits' and documents' balances restored.
 * Refuses (naming the item) an application that is missing, is itself a reversal, or was already
 * unapplied (earlier in the same call included). Returns the reversal ids in order.
 */
export async function unapplyBulk(
  client: SqlClient,
  ctx: CompanyContext,
  input: BulkUnapplyInput,
  options: BulkOptions = {},
): Promise<string[]> {
  const ids = input.applicationIds;
  if (ids.length === 0) return [];
  forItem(0, () => {
    invariant(input.reason.length > 0, 'reason-missing', 'an unapply needs a reason');
    assertCall(input.postingDate, input.runId);
  });
  await assertPeriodOpen(client, ctx, input.postingDate);
  const wanted = [...new Set(ids.filter(isUuid))];
  const { rows } = await client.query<StoredApplication>(
    `SELECT a.application_id, a.kind, a.receipt_id, a.credit_document_id, a.document_id, a.currency,
            a.applied_minor, a.cash_minor, a.discount_minor, a.write_off_minor, a.write_off_reason,
            a.document_base_minor, a.source_base_minor, a.fx_gain_loss_base_minor, a.entry_id, a.origin, a.run_id,
            a.external_key, a.reverses_application_id,
            EXISTS (SELECT 1 FROM application r WHERE r.company_id = a.company_id
                      AND r.reverses_application_id = a.application_id) AS reversed
       FROM application a WHERE a.company_id = $1 AND a.application_id = ANY($2::uuid[])`,
    [ctx.companyId, wanted],
  );
  const byId = new Map(rows.map((a) => [a.application_id, a]));
  const undone = new Set<string>();
  const apps = ids.map((id, i) =>
    forItem(i, () => {
      const app = found(byId, id, 'application');
      checkUnapply(app, id, app.reversed || undone.has(id));
      undone.add(id);
      return app;
    }),
  );
  await lockReceipts(
    client,
    ctx,
    apps.flatMap((a) => (a.receipt_id ? [a.receipt_id] : [])),
  );
  await lockDocuments(
    client,
    ctx,
    apps.flatMap((a) => [a.credit_document_id, a.document_id].filter((d): d is string => d !== null)),
  );
  const linesByEntry = await loadEntriesLines(
    client,
    ctx,
    apps.map((a) => a.entry_id),
  );

  const receiptMoves = new Map<string, number[]>();
  const docMoves = new Map<string, number[]>();
  const planned: Planned[] = apps.map((app, i) =>
    forItem(i, () => {
      const lines = linesByEntry.get(app.entry_id) ?? [];
      invariant(lines.length >= 2, 'entry-missing', `journal entry ${app.entry_id} has no lines`);
      const reversalId = uuidv7();
      const draft = unapplyEntry(app, lines, input.postingDate, input.reason, reversalId);
      const moves = unapplyMoves(app);
      if (moves.receipt) addMove(receiptMoves, moves.receipt.receiptId, moves.receipt.deltas);
      for (const d of moves.documents) addMove(docMoves, d.documentId, d.deltas);
      const row: AppRow = { ...reversalRow(app, reversalId, input.runId), entry_id: null };
      return { app: row, draft };
    }),
  );

  await writePlanned(client, ctx, planned, input, options);
  for (const chunk of chunks([...receiptMoves], options)) {
    await client.query(
      `UPDATE receipt r SET unapplied_minor = unapplied_minor + x.d_unapplied,
              unapplied_base_minor = unapplied_base_minor + x.d_unapplied_base,
              on_account_minor = on_account_minor + x.d_on_account,
              on_account_base_minor = on_account_base_minor + x.d_on_account_base
         FROM json_to_recordset($2::json) AS x(id uuid, d_unapplied int8, d_unapplied_base int8,
              d_on_account int8, d_on_account_base int8)
        WHERE r.company_id = $1 AND r.receipt_id = x.id`,
      [
        ctx.companyId,
        JSON.stringify(
          chunk.map(([id, [a, b, c, d]]) => ({
            id,
            d_unapplied: a,
            d_unapplied_base: b,
            d_on_account: c,
            d_on_account_base: d,
          })),
        ),
      ],
    );
  }
  for (const chunk of chunks([...docMoves], options)) {
    await client.query(
      `UPDATE document d SET open_minor = open_minor + x.d_open, open_base_minor = open_base_minor + x.d_open_base
         FROM json_to_recordset($2::json) AS x(id uuid, d_open int8, d_open_base int8)
        WHERE d.company_id = $1 AND d.document_id = x.id`,
      [ctx.companyId, JSON.stringify(chunk.map(([id, [a, b]]) => ({ id, d_open: a, d_open_base: b })))],
    );
  }
  return planned.map((x) => x.app.application_id);
}

// ---------------------------------------------------------------- learned identifiers

/**
 * The key a customer alias is compared by: accents dropped, upper case, every run of characters
 * that are not letters or digits one space, trimmed. ("Müller & Söhne GmbH." → "MULLER SOHNE GMBH")
 */
export function normalizeAlias(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

async function assertCustomersExist(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
): Promise<void> {
  const families = await customerFamilies(client, ctx, customerIds);
  customerIds.forEach((id, i) => {
    forItem(i, () => invariant(families.has(id), 'not-found', `no customer ${id}`));
  });
}

/**
 * Remembers names a customer was seen paying under (source 'learned'), so cash application can
 * identify the payer next time. Idempotent: a known alias of the customer adds nothing. Returns
 * how many aliases were new.
 */
export async function addLearnedAliases(
  client: SqlClient,
  ctx: CompanyContext,
  rows: readonly { customerId: string; aliasText: string }[],
  actor: string,
): Promise<number> {
  if (rows.length === 0) return 0;
  const keyed = rows.map((r, i) =>
    forItem(i, () => {
      const key = normalizeAlias(r.aliasText);
      invariant(
        key.length >= 1 && key.length <= 300,
        'bad-alias',
        `an alias needs 1 to 300 letters or digits, got ${JSON.stringify(r.aliasText)}`,
      );
      return { customer_id: r.customerId, alias_key: key, alias_text: r.aliasText.trim() };
    }),
  );
  await assertCustomersExist(
    client,
    ctx,
    rows.map((r) => r.customerId),
  );
  const { rowCount } = await client.query(
    `INSERT INTO customer_alias (company_id, customer_id, alias_key, alias_text, source, created_by)
     SELECT DISTINCT ON (x.customer_id, x.alias_key) $1, x.customer_id, x.alias_key, x.alias_text, 'learned', $3
       FROM json_to_recordset($2::json) AS x(customer_id uuid, alias_key text, alias_text text)
     ON CONFLICT DO NOTHING`,
    [ctx.companyId, JSON.stringify(keyed), actor],
  );
  return rowCount;
}

/**
 * Remembers accounts a customer was seen paying from (source 'learned'), normalized as the
 * customer import does (normalizeAccount). Idempotent. Returns how many accounts were new.
 */
export async function addLearnedBankAccounts(
  client: SqlClient,
  ctx: CompanyContext,
  rows: readonly { customerId: string; accountText: string }[],
  actor: string,
): Promise<number> {
  if (rows.length === 0) return 0;
  const keyed = rows.map((r, i) =>
    forItem(i, () => {
      const key = normalizeAccount(r.accountText);
      invariant(
        /^[A-Z0-9]{4,64}$/.test(key),
        'bad-account',
        `an account number or IBAN has 4 to 64 letters and digits, got ${JSON.stringify(r.accountText)}`,
      );
      return { customer_id: r.customerId, account_key: key, account_text: r.accountText.trim() };
    }),
  );
  await assertCustomersExist(
    client,
    ctx,
    rows.map((r) => r.customerId),
  );
  const { rowCount } = await client.query(
    `INSERT INTO customer_bank_account (company_id, customer_id, account_key, account_text, source, created_by)
     SELECT DISTINCT ON (x.customer_id, x.account_key) $1, x.customer_id, x.account_key, x.account_text, 'learned', $3
       FROM json_to_recordset($2::json) AS x(customer_id uuid, account_key text, account_text text)
     ON CONFLICT DO NOTHING`,
    [ctx.companyId, JSON.stringify(keyed), actor],
  );
  return rowCount;
}
