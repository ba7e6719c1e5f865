import { uuidv7 } from 'uuidv7';
import { assertSafeMinor, convertMinor, formatRate, minorUnitExponent, parseRate } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import type { CompanyContext } from './context.js';
import type { ApplicationColumns, Origin, StoredApplication } from './core/applications.js';
import { checkUnapply, reversalRow, unapplyEntry, unapplyMoves } from './core/applications.js';
import { invariant, LedgerError } from './core/errors.js';
import { type LineDraft, reversalOf } from './core/journal.js';
import {
  type AdjustmentKind,
  adjustmentLines,
  baseShare,
  type DocType,
  documentLines,
  entry,
  receiptLines,
} from './core/postings.js';
import * as rules from './core/rules.js';
import { postEntries } from './journal-store.js';
import type { DocumentRecord, DocumentRow, ReceiptRecord, ReceiptRow } from './records.js';
import { documentRecord, receiptRecord } from './records.js';

/** Who did it and why: recorded on every posting. */
export interface Actor {
  actor: string;
  reason?: string;
}

/** Base-currency value of an amount at a rate ("1" for the base currency itself). */
export function toBase(ctx: CompanyContext, currency: string, amountMinor: number, rate: string): number {
  if (currency === ctx.baseCurrency) return amountMinor;
  return convertMinor(
    amountMinor,
    parseRate(rate),
    minorUnitExponent(currency),
    minorUnitExponent(ctx.baseCurrency),
  );
}

function normalizeRate(ctx: CompanyContext, currency: string, rate: string | undefined): string {
  if (currency === ctx.baseCurrency) return '1';
  if (rate === undefined) throw new LedgerError('rate-missing', `an exchange rate is needed for ${currency}`);
  return formatRate(parseRate(rate));
}

interface Opening {
  what: string;
  currency: string;
  amountMinor: number;
  fxRate: string | undefined;
  date: string;
  sourceType: string;
  memo: string;
  actor: string;
  lines: (baseMinor: number) => ReturnType<typeof documentLines>;
}

/** The first posting of a document or receipt: amount checked, base value at its rate, its entry written. */
async function postOpening(client: SqlClient, ctx: CompanyContext, o: Opening) {
  assertSafeMinor(o.amountMinor);
  invariant(o.amountMinor > 0, 'amount-not-positive', `a ${o.what} amount must be positive`);
  const rate = normalizeRate(ctx, o.currency, o.fxRate);
  const baseMinor = toBase(ctx, o.currency, o.amountMinor, rate);
  const id = uuidv7();
  const [entryId] = await postEntries(
    client,
    ctx,
    [entry(o.date, o.sourceType, id, o.memo, o.lines(baseMinor))],
    o.actor,
  );
  return { id, rate, baseMinor, entryId: entryId! };
}

export interface NewDocument extends Actor {
  documentNumber: string;
  customerId: string;
  docType: DocType;
  documentDate: string;
  dueDate: string;
  currency: string;
  amountMinor: number;
  fxRate?: string;
  poNumber?: string | null;
  description?: string | null;
}

export async function postDocument(
  client: SqlClient,
  ctx: CompanyContext,
  doc: NewDocument,
): Promise<string> {
  const [documentId] = await postDocuments(client, ctx, [doc]);
  return documentId!;
}

/** Documents in one call: each its own journal entry (written together), one INSERT for all. */
export const MAX_DOCUMENTS_PER_CALL = 10_000;

/**
 * Posts many documents at once (dunning fees and interest, say): each is checked and gets its own
 * balanced journal entry as `postDocument` gives it, but the entries and the documents are written
 * by one statement each instead of two per document. Returns the new ids in the input's order.
 */
export async function postDocuments(
  client: SqlClient,
  ctx: CompanyContext,
  docs: readonly NewDocument[],
): Promise<string[]> {
  invariant(
    docs.length <= MAX_DOCUMENTS_PER_CALL,
    'too-many-documents',
    `${docs.length} documents in one call; at most ${MAX_DOCUMENTS_PER_CALL}`,
  );
  if (docs.length === 0) return [];
  const rows = docs.map((doc) => {
    assertSafeMinor(doc.amountMinor);
    invariant(doc.amountMinor > 0, 'amount-not-positive', 'a document amount must be positive');
    const rate = normalizeRate(ctx, doc.currency, doc.fxRate);
    return { doc, documentId: uuidv7(), rate, baseMinor: toBase(ctx, doc.currency, doc.amountMinor, rate) };
  });
  const entryIds: string[] = [];
  // postEntries records one actor per call: documents by different actors go in separate calls.
  for (const actor of new Set(docs.map((d) => d.actor))) {
    const mine = rows.flatMap((r, at) => (r.doc.actor === actor ? [at] : []));
    const ids = await postEntries(
      client,
      ctx,
      mine
        .map((at) => rows[at]!)
        .map((r) =>
          entry(
            r.doc.documentDate,
            r.doc.docType,
            r.documentId,
            `${r.doc.docType} ${r.doc.documentNumber}`,
            documentLines({ ...r.doc, baseAmountMinor: r.baseMinor }),
          ),
        ),
      actor,
    );
    mine.forEach((at, i) => {
      entryIds[at] = ids[i]!;
    });
  }
  await client.query(
    `INSERT INTO document (company_id, document_id, document_number, customer_id, doc_type, document_date,
       due_date, currency, fx_rate, amount_minor, base_amount_minor, open_minor, open_base_minor,
       po_number, description, entry_id, created_by)
     SELECT $1, x.document_id, x.document_number, x.customer_id, x.doc_type, x.document_date, x.due_date,
            x.currency, x.fx_rate, x.amount_minor, x.base_minor, x.amount_minor, x.base_minor, x.po_number,
            x.description, x.entry_id, x.created_by
       FROM jsonb_to_recordset($2::jsonb) AS x(document_id uuid, document_number text, customer_id uuid,
            doc_type text, document_date date, due_date date, currency text, fx_rate numeric, amount_minor int8,
            base_minor int8, po_number text, description text, entry_id uuid, created_by text)
      ORDER BY x.document_id`,
    [
      ctx.companyId,
      JSON.stringify(
        rows.map((r, i) => ({
          document_id: r.documentId,
          document_number: r.doc.documentNumber,
          customer_id: r.doc.customerId,
          doc_type: r.doc.docType,
          document_date: r.doc.documentDate,
          due_date: r.doc.dueDate,
          currency: r.doc.currency,
          fx_rate: r.rate,
          amount_minor: r.doc.amountMinor,
          base_minor: r.baseMinor,
          po_number: r.doc.poNumber ?? null,
          description: r.doc.description ?? null,
          entry_id: entryIds[i],
          created_by: r.doc.actor,
        })),
      ),
    ],
  );
  return rows.map((r) => r.documentId);
}

export interface NewReceipt extends Actor {
  receiptKey: string;
  customerId: string | null;
  receiptDate: string;
  method: 'ach' | 'wire' | 'check' | 'card' | 'lockbox' | 'other';
  currency: string;
  amountMinor: number;
  fxRate?: string;
  payerName?: string | null;
  payerAccount?: string | null;
  reference?: string | null;
  remittanceText?: string | null;
  bankEntryId?: string | null;
}

export async function recordReceipt(client: SqlClient, ctx: CompanyContext, r: NewReceipt): Promise<string> {
  const {
    id: receiptId,
    rate,
    baseMinor,
    entryId,
  } = await postOpening(client, ctx, {
    what: 'receipt',
    currency: r.currency,
    amountMinor: r.amountMinor,
    fxRate: r.fxRate,
    date: r.receiptDate,
    sourceType: 'receipt',
    memo: `receipt ${r.receiptKey}`,
    actor: r.actor,
    lines: (base) => receiptLines(r.customerId, r.currency, r.amountMinor, base),
  });
  await client.query(
    `INSERT INTO receipt (company_id, receipt_id, receipt_key, customer_id, receipt_date, method, currency, fx_rate,
       amount_minor, base_amount_minor, unapplied_minor, unapplied_base_minor, payer_name, payer_account,
       reference, remittance_text, bank_entry_id, entry_id, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
    [
      ctx.companyId,
      receiptId,
      r.receiptKey,
      r.customerId,
      r.receiptDate,
      r.method,
      r.currency,
      rate,
      r.amountMinor,
      baseMinor,
      r.payerName ?? null,
      r.payerAccount ?? null,
      r.reference ?? null,
      r.remittanceText ?? null,
      r.bankEntryId ?? null,
      entryId,
      r.actor,
    ],
  );
  return receiptId;
}

/** How many levels a customer may sit below its top-level parent and still count as in its family. */
export const CUSTOMER_FAMILY_DEPTH = 8;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id can be cast to uuid (a malformed one is "not found", not a database error). */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/**
 * The top-level parent of each customer (itself when it has no parent), found by walking
 * parent_customer_id up at most CUSTOMER_FAMILY_DEPTH levels in one recursive query. A chain that
 * goes deeper (or loops) gives null: that customer is in a family with itself only. Customers
 * that do not exist (or ids that are not UUIDs) are absent from the map.
 */
export async function customerFamilies(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
): Promise<Map<string, string | null>> {
  const ids = [...new Set(customerIds.filter(isUuid))];
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<{ start_id: string; root_id: string; complete: boolean }>(
    `WITH RECURSIVE up (start_id, customer_id, parent_id, depth) AS (
       SELECT c.customer_id, c.customer_id, c.parent_customer_id, 0 FROM customer c
        WHERE c.company_id = $1 AND c.customer_id = ANY($2::uuid[])
       UNION ALL
       SELECT u.start_id, p.customer_id, p.parent_customer_id, u.depth + 1
         FROM up u JOIN customer p ON p.company_id = $1 AND p.customer_id = u.parent_id
        WHERE u.depth < $3)
     SELECT DISTINCT ON (start_id) start_id, customer_id AS root_id, parent_id IS NULL AS complete
       FROM up ORDER BY start_id, depth DESC`,
    [ctx.companyId, ids, CUSTOMER_FAMILY_DEPTH],
  );
  return new Map(rows.map((r) => [r.start_id, r.complete ? r.root_id : null]));
}

// Pure, so it lives with the rules; still exported from here for the callers outside the ledger.
export { sameCustomerFamily } from './core/rules.js';

async function lockDocument(
  client: SqlClient,
  ctx: CompanyContext,
  documentId: string,
): Promise<DocumentRecord> {
  const { rows } = await client.query<DocumentRow>(
    `SELECT document_id, document_number, customer_id, doc_type, currency, amount_minor, base_amount_minor,
            open_minor, open_base_minor
       FROM document WHERE company_id = $1 AND document_id = $2 FOR UPDATE`,
    [ctx.companyId, documentId],
  );
  if (!rows[0]) throw new LedgerError('not-found', `no document ${documentId}`);
  return documentRecord(rows[0]);
}

async function lockReceipt(
  client: SqlClient,
  ctx: CompanyContext,
  receiptId: string,
): Promise<ReceiptRecord> {
  const { rows } = await client.query<ReceiptRow>(
    `SELECT receipt_id, receipt_key, customer_id, currency, amount_minor, base_amount_minor, unapplied_minor,
            unapplied_base_minor, on_account_minor, on_account_base_minor
       FROM receipt WHERE company_id = $1 AND receipt_id = $2 FOR UPDATE`,
    [ctx.companyId, receiptId],
  );
  if (!rows[0]) throw new LedgerError('not-found', `no receipt ${receiptId}`);
  return receiptRecord(rows[0]);
}

/** What an application takes besides its amounts: when, from where, and for the record. */
export interface ApplicationCall extends Actor {
  postingDate: string;
  origin?: Origin;
  runId?: string | null;
  externalKey?: string | null;
  confidence?: number | null;
  reasons?: unknown;
}

export interface ApplyReceipt extends ApplicationCall {
  receiptId: string;
  documentId: string;
  cashMinor: number;
  discountMinor?: number;
  writeOffMinor?: number;
  writeOffReason?: string | null;
}

/** Posts an application's entry, the application's id as its source. */
async function postApplication(
  client: SqlClient,
  ctx: CompanyContext,
  a: ApplicationCall,
  memo: string,
  lines: LineDraft[],
): Promise<{ applicationId: string; entryId: string }> {
  const applicationId = uuidv7();
  const [entryId] = await postEntries(
    client,
    ctx,
    [entry(a.postingDate, 'application', applicationId, memo, lines)],
    a.actor,
  );
  return { applicationId, entryId: entryId! };
}

/** The columns an application row takes from its call rather than from its amounts. */
function callColumns(a: ApplicationCall, applicationId: string, entryId: string) {
  return {
    application_id: applicationId,
    posting_date: a.postingDate,
    entry_id: entryId,
    reverses_application_id: null,
    origin: a.origin ?? 'manual',
    run_id: a.runId ?? null,
    external_key: a.externalKey ?? null,
    confidence: a.confidence ?? null,
    reasons: a.reasons ?? null,
    reason: a.reason ?? null,
    created_by: a.actor,
  };
}

/** An unidentified receipt takes the customer its first application names. */
async function identifyReceipt(
  client: SqlClient,
  ctx: CompanyContext,
  receiptId: string,
  customerId: string,
) {
  await client.query('UPDATE receipt SET customer_id = $3 WHERE company_id = $1 AND receipt_id = $2', [
    ctx.companyId,
    receiptId,
    customerId,
  ]);
}

/**
 * Applies receipt cash (plus any discount and write-off) to an invoice or debit memo. The receipt
 * must hold the cash unapplied and the document must be open for the whole amount; the customer
 * of an unidentified receipt becomes the document's.
 */
export async function applyReceipt(client: SqlClient, ctx: CompanyContext, a: ApplyReceipt): Promise<string> {
  const discountMinor = a.discountMinor ?? 0;
  const writeOffMinor = a.writeOffMinor ?? 0;
  for (const v of [a.cashMinor, discountMinor, writeOffMinor]) {
    assertSafeMinor(v);
    invariant(v >= 0, 'negative-amount', 'application amounts must not be negative');
  }
  const amounts = { cashMinor: a.cashMinor, discountMinor, writeOffMinor };
  const applied = a.cashMinor + discountMinor + writeOffMinor;
  rules.checkPaymentAmounts(amounts, a.writeOffReason);
  const receipt = await lockReceipt(client, ctx, a.receiptId);
  const doc = await lockDocument(client, ctx, a.documentId);
  rules.checkPaymentTarget(receipt, doc, 'apply credits with applyCredit');
  const families =
    receipt.customerId === null
      ? new Map<string, string | null>()
      : await customerFamilies(client, ctx, [receipt.customerId, doc.customerId]);
  rules.checkPaymentCover(receipt, doc, amounts, families);
  const { sourceBaseMinor, documentBaseMinor, lines, fxGainLossBaseMinor } = rules.paymentPosting(
    receipt,
    doc,
    amounts,
    ctx.baseCurrency,
  );
  const { applicationId, entryId } = await postApplication(
    client,
    ctx,
    a,
    `apply ${receipt.key} to ${doc.number}`,
    lines,
  );
  if (receipt.customerId === null) await identifyReceipt(client, ctx, receipt.id, doc.customerId);
  await moveReceipt(client, ctx, receipt.id, -a.cashMinor, -sourceBaseMinor, 0, 0);
  await moveDocument(client, ctx, doc.id, -applied, -documentBaseMinor);
  await insertApplication(client, ctx, {
    ...callColumns(a, applicationId, entryId),
    kind: 'payment',
    receipt_id: receipt.id,
    credit_document_id: null,
    document_id: doc.id,
    currency: doc.currency,
    applied_minor: applied,
    cash_minor: a.cashMinor,
    discount_minor: discountMinor,
    write_off_minor: writeOffMinor,
    write_off_reason: a.writeOffReason ?? null,
    document_base_minor: documentBaseMinor,
    source_base_minor: sourceBaseMinor,
    fx_gain_loss_base_minor: fxGainLossBaseMinor,
  });
  return applicationId;
}

export interface ApplyCredit extends ApplicationCall {
  creditDocumentId: string;
  documentId: string;
  amountMinor: number;
  /**
   * The receipt whose remittance took the credit, for the record. An application row of kind
   * credit_memo carries no receipt (a table CHECK), so it is named in the entry's memo.
   */
  receiptId?: string | null;
}

/** Nets an open credit memo against an open invoice or debit memo of the same customer. */
export async function applyCredit(client: SqlClient, ctx: CompanyContext, a: ApplyCredit): Promise<string> {
  assertSafeMinor(a.amountMinor);
  invariant(a.amountMinor > 0, 'empty-application', 'nothing to apply');
  const credit = await lockDocument(client, ctx, a.creditDocumentId);
  const doc = await lockDocument(client, ctx, a.documentId);
  rules.checkCreditApplication(credit, doc, a.amountMinor);
  const viaReceiptKey = a.receiptId ? (await lockReceipt(client, ctx, a.receiptId)).key : null;
  const { sourceBaseMinor, documentBaseMinor, lines, fxGainLossBaseMinor } = rules.creditApplicationPosting(
    credit,
    doc,
    a.amountMinor,
    ctx.baseCurrency,
  );
  const { applicationId, entryId } = await postApplication(
    client,
    ctx,
    a,
    creditApplicationMemo(credit.number, doc.number, viaReceiptKey),
    lines,
  );
  await moveDocument(client, ctx, credit.id, -a.amountMinor, -sourceBaseMinor);
  await moveDocument(client, ctx, doc.id, -a.amountMinor, -documentBaseMinor);
  await insertApplication(client, ctx, {
    ...callColumns(a, applicationId, entryId),
    kind: 'credit_memo',
    receipt_id: null,
    credit_document_id: credit.id,
    document_id: doc.id,
    currency: doc.currency,
    applied_minor: a.amountMinor,
    cash_minor: a.amountMinor,
    discount_minor: 0,
    write_off_minor: 0,
    write_off_reason: null,
    document_base_minor: documentBaseMinor,
    source_base_minor: sourceBaseMinor,
    fx_gain_loss_base_minor: fxGainLossBaseMinor,
  });
  return applicationId;
}

/** The memo of a credit-memo application; names the receipt whose remittance took the credit. */
export function creditApplicationMemo(
  creditNumber: string,
  documentNumber: string,
  receiptKey: string | null,
): string {
  const memo = `apply ${creditNumber} to ${documentNumber}`;
  return receiptKey === null ? memo : `${memo} (remittance of receipt ${receiptKey})`;
}

export interface PutOnAccount extends ApplicationCall {
  receiptId: string;
  amountMinor: number;
  customerId?: string;
}

/** Leaves receipt cash as a credit on the customer's account (the customer is known, no document is). */
export async function putOnAccount(client: SqlClient, ctx: CompanyContext, a: PutOnAccount): Promise<string> {
  assertSafeMinor(a.amountMinor);
  invariant(a.amountMinor > 0, 'empty-application', 'nothing to put on account');
  const receipt = await lockReceipt(client, ctx, a.receiptId);
  const customerId = rules.onAccountCustomer(receipt, a.customerId);
  rules.checkOnAccountCash(receipt, a.amountMinor);
  const { baseMinor: base, lines } = rules.onAccountPosting(receipt, customerId, a.amountMinor);
  const { applicationId, entryId } = await postApplication(
    client,
    ctx,
    a,
    `on account ${receipt.key}`,
    lines,
  );
  if (receipt.customerId === null) await identifyReceipt(client, ctx, receipt.id, customerId);
  await moveReceipt(client, ctx, receipt.id, -a.amountMinor, -base, a.amountMinor, base);
  await insertApplication(client, ctx, {
    ...callColumns(a, applicationId, entryId),
    kind: 'on_account',
    receipt_id: receipt.id,
    credit_document_id: null,
    document_id: null,
    currency: receipt.currency,
    applied_minor: a.amountMinor,
    cash_minor: a.amountMinor,
    discount_minor: 0,
    write_off_minor: 0,
    write_off_reason: null,
    document_base_minor: base,
    source_base_minor: base,
    fx_gain_loss_base_minor: 0,
  });
  return applicationId;
}

export interface Unapply extends Actor {
  applicationId: string;
  postingDate: string;
  runId?: string | null;
}

/**
 * Reverses an application: a new application row with negated amounts, the mirror journal entry,
 * and the receipt's, credit's and document's balances restored exactly (base amounts included).
 */
export async function unapply(client: SqlClient, ctx: CompanyContext, u: Unapply): Promise<string> {
  invariant((u.reason ?? '').length > 0, 'reason-missing', 'an unapply needs a reason');
  const { rows } = await client.query<StoredApplication>(
    `SELECT a.*, EXISTS (SELECT 1 FROM application r WHERE r.company_id = a.company_id
                           AND r.reverses_application_id = a.application_id) AS reversed
       FROM application a WHERE a.company_id = $1 AND a.application_id = $2`,
    [ctx.companyId, u.applicationId],
  );
  const app = rows[0];
  if (!app) throw new LedgerError('not-found', `no application ${u.applicationId}`);
  checkUnapply(app, u.applicationId, app.reversed);
  if (app.receipt_id) await lockReceipt(client, ctx, app.receipt_id);
  if (app.credit_document_id) await lockDocument(client, ctx, app.credit_document_id);
  if (app.document_id) await lockDocument(client, ctx, app.document_id);

  const { lines } = await loadEntryLines(client, ctx, app.entry_id);
  const reversalId = uuidv7();
  const [entryId] = await postEntries(
    client,
    ctx,
    [unapplyEntry(app, lines, u.postingDate, u.reason ?? '', reversalId)],
    u.actor,
  );
  const moves = unapplyMoves(app);
  if (moves.receipt) await moveReceipt(client, ctx, moves.receipt.receiptId, ...moves.receipt.deltas);
  for (const d of moves.documents) await moveDocument(client, ctx, d.documentId, ...d.deltas);
  await insertApplication(client, ctx, {
    ...reversalRow(app, reversalId, u.runId),
    posting_date: u.postingDate,
    entry_id: entryId!,
    reason: u.reason ?? null,
    created_by: u.actor,
  });
  return reversalId;
}

async function loadEntryLines(client: SqlClient, ctx: CompanyContext, entryId: string) {
  const { rows } = await client.query<{
    role: string;
    customer_id: string | null;
    currency: string;
    amount_minor: number;
    base_amount_minor: number;
    posting_date: string;
    source_type: string;
    memo: string;
  }>(
    `SELECT g.role, l.customer_id, l.currency, l.amount_minor, l.base_amount_minor, e.posting_date, e.source_type, e.memo
       FROM journal_line l
       JOIN journal_entry e ON e.company_id = l.company_id AND e.entry_id = l.entry_id
       JOIN gl_account g ON g.company_id = l.company_id AND g.account_code = l.account_code
      WHERE l.company_id = $1 AND l.entry_id = $2 ORDER BY l.line_no`,
    [ctx.companyId, entryId],
  );
  invariant(rows.length >= 2, 'entry-missing', `journal entry ${entryId} has no lines`);
  return {
    postingDate: rows[0]!.posting_date,
    sourceType: rows[0]!.source_type,
    sourceId: null,
    memo: rows[0]!.memo,
    lines: rows.map((r) => ({
      role: r.role as never,
      customerId: r.customer_id,
      currency: r.currency.trim(),
      amountMinor: r.amount_minor,
      baseAmountMinor: r.base_amount_minor,
    })),
  };
}

export interface Adjust extends Actor {
  documentId: string;
  kind: AdjustmentKind;
  amountMinor: number;
  postingDate: string;
  reason: string;
}

/** Writes off part or all of a document's open balance (small balance, write-off, bad debt). */
export async function adjustDocument(client: SqlClient, ctx: CompanyContext, a: Adjust): Promise<string> {
  assertSafeMinor(a.amountMinor);
  invariant(a.amountMinor > 0, 'empty-adjustment', 'an adjustment amount must be positive');
  invariant(a.reason.length > 0, 'reason-missing', 'an adjustment needs a reason');
  const doc = await lockDocument(client, ctx, a.documentId);
  invariant(
    a.amountMinor <= doc.openMinor,
    'document-over-applied',
    `${doc.number} is open for ${doc.openMinor}, cannot write off ${a.amountMinor}`,
  );
  const base = baseShare(a.amountMinor, doc.openMinor, doc.openBaseMinor);
  const adjustmentId = uuidv7();
  const [entryId] = await postEntries(
    client,
    ctx,
    [
      entry(
        a.postingDate,
        'adjustment',
        adjustmentId,
        `${a.kind} ${doc.number}: ${a.reason}`,
        adjustmentLines(a.kind, doc.docType, doc.customerId, doc.currency, a.amountMinor, base),
      ),
    ],
    a.actor,
  );
  await moveDocument(client, ctx, doc.id, -a.amountMinor, -base);
  await client.query(
    `INSERT INTO adjustment (company_id, adjustment_id, document_id, kind, amount_minor, base_amount_minor, reason,
       posting_date, entry_id, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
    [
      ctx.companyId,
      adjustmentId,
      doc.id,
      a.kind,
      a.amountMinor,
      base,
      a.reason,
      a.postingDate,
      entryId,
      a.actor,
    ],
  );
  return adjustmentId;
}

export interface ReverseAdjustment extends Actor {
  adjustmentId: string;
  postingDate: string;
  reason: string;
}

export async function reverseAdjustment(
  client: SqlClient,
  ctx: CompanyContext,
  r: ReverseAdjustment,
): Promise<string> {
  invariant(r.reason.length > 0, 'reason-missing', 'a reversal needs a reason');
  const { rows } = await client.query<{
    document_id: string;
    kind: AdjustmentKind;
    amount_minor: number;
    base_amount_minor: number;
    entry_id: string;
    reversed: boolean;
  }>(
    `SELECT a.document_id, a.kind, a.amount_minor, a.base_amount_minor, a.entry_id,
            EXISTS (SELECT 1 FROM adjustment r WHERE r.company_id = a.company_id AND r.reverses_adjustment_id = a.adjustment_id) AS reversed
       FROM adjustment a WHERE a.company_id = $1 AND a.adjustment_id = $2 AND a.amount_minor > 0`,
    [ctx.companyId, r.adjustmentId],
  );
  const adj = rows[0];
  if (!adj) throw new LedgerError('not-found', `no adjustment ${r.adjustmentId}`);
  invariant(!adj.reversed, 'already-reversed', `adjustment ${r.adjustmentId} was already reversed`);
  await lockDocument(client, ctx, adj.document_id);
  const original = await loadEntryLines(client, ctx, adj.entry_id);
  const reversalId = uuidv7();
  const [entryId] = await postEntries(
    client,
    ctx,
    [
      {
        ...reversalOf(original, r.postingDate, `reverse adjustment: ${r.reason}`),
        sourceType: 'adjustment',
        sourceId: reversalId,
        reversesEntryId: adj.entry_id,
      },
    ],
    r.actor,
  );
  await moveDocument(client, ctx, adj.document_id, adj.amount_minor, adj.base_amount_minor);
  await client.query(
    `INSERT INTO adjustment (company_id, adjustment_id, document_id, kind, amount_minor, base_amount_minor, reason,
       posting_date, entry_id, reverses_adjustment_id, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
    [
      ctx.companyId,
      reversalId,
      adj.document_id,
      adj.kind,
      -adj.amount_minor,
      -adj.base_amount_minor,
      r.reason,
      r.postingDate,
      entryId,
      r.adjustmentId,
      r.actor,
    ],
  );
  return reversalId;
}

async function moveDocument(
  client: SqlClient,
  ctx: CompanyContext,
  documentId: string,
  deltaMinor: number,
  deltaBaseMinor: number,
) {
  await client.query(
    `UPDATE document SET open_minor = open_minor + $3, open_base_minor = open_base_minor + $4
      WHERE company_id = $1 AND document_id = $2`,
    [ctx.companyId, documentId, deltaMinor, deltaBaseMinor],
  );
}

async function moveReceipt(
  client: SqlClient,
  ctx: CompanyContext,
  receiptId: string,
  unappliedDelta: number,
  unappliedBaseDelta: number,
  onAccountDelta: number,
  onAccountBaseDelta: number,
) {
  await client.query(
    `UPDATE receipt SET unapplied_minor = unapplied_minor + $3, unapplied_base_minor = unapplied_base_minor + $4,
            on_account_minor = on_account_minor + $5, on_account_base_minor = on_account_base_minor + $6
      WHERE company_id = $1 AND receipt_id = $2`,
    [ctx.companyId, receiptId, unappliedDelta, unappliedBaseDelta, onAccountDelta, onAccountBaseDelta],
  );
}

type ApplicationInsert = ApplicationColumns & {
  posting_date: string;
  entry_id: string;
  reason: string | null;
  created_by: string;
};

async function insertApplication(client: SqlClient, ctx: CompanyContext, row: ApplicationInsert) {
  await client.query(
    `INSERT INTO application (company_id, application_id, kind, receipt_id, credit_document_id, document_id, currency,
       applied_minor, cash_minor, discount_minor, write_off_minor, write_off_reason, document_base_minor,
       source_base_minor, fx_gain_loss_base_minor, posting_date, entry_id, reverses_application_id, origin, run_id,
       external_key, confidence, reasons, reason, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)`,
    [
      ctx.companyId,
      row.application_id,
      row.kind,
      row.receipt_id,
      row.credit_document_id,
      row.document_id,
      row.currency,
      row.applied_minor,
      row.cash_minor,
      row.discount_minor,
      row.write_off_minor,
      row.write_off_reason,
      row.document_base_minor,
      row.source_base_minor,
      row.fx_gain_loss_base_minor,
      row.posting_date,
      row.entry_id,
      row.reverses_application_id,
      row.origin,
      row.run_id,
      row.external_key,
      row.confidence,
      row.reasons === null ? null : JSON.stringify(row.reasons),
      row.reason,
      row.created_by,
    ],
  );
}
