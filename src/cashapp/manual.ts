import { uuidv7 } from 'uuidv7';
import { cancelDeductionsOfReceipts, cancelDeductionsOfRun } from '../disputes/index.js';
import {
  addLearnedAliases,
  addLearnedBankAccounts,
  type BulkItem,
  postApplicationsBulk,
  unapplyBulk,
} from '../ledger/bulk-apply.js';
import type { CompanyContext } from '../ledger/index.js';
import { applicationsOfReceipts, applicationsOfRun, setReceiptCustomers } from '../ledger/open-items.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { Book } from './core/book.js';
import { nameKey } from './core/normalize.js';
import { familyHits, globalHits, referenceCandidates } from './core/references.js';

export class CashappError extends Error {
  override readonly name = 'CashappError';
}

export interface RevertSummary {
  runId: string;
  applicationsReversed: number;
  deductionsCancelled: number;
  receiptsRestored: number;
}

/** Undoes a run exactly: every application it posted is reversed, its deductions cancelled, payers restored. */
export async function revertRun(
  database: Database,
  ctx: CompanyContext,
  runRef: string,
  opts: { actor: string; reason: string; postingDate?: string },
): Promise<RevertSummary> {
  return database.transaction(async ({ client }) => {
    const run = await findRun(client, ctx, runRef);
    if (run.reverted_at !== null)
      throw new CashappError(`run ${run.run_id} was already reverted at ${run.reverted_at}`);
    const ids = await applicationsOfRun(client, ctx, run.run_id);
    const dated = await client.query<{ application_id: string; posting_date: string }>(
      'SELECT application_id, posting_date FROM application WHERE company_id = $1 AND application_id = ANY($2::uuid[])',
      [ctx.companyId, ids],
    );
    // Each reversal is dated like what it reverses, so every period nets to what it was.
    const byDate = new Map<string, string[]>();
    for (const r of dated.rows)
      byDate.set(r.posting_date, [...(byDate.get(r.posting_date) ?? []), r.application_id]);
    for (const [date, applicationIds] of [...byDate].sort()) {
      await unapplyBulk(client, ctx, {
        applicationIds,
        postingDate: opts.postingDate ?? date,
        actor: opts.actor,
        reason: `revert cash application run ${run.run_id}: ${opts.reason}`,
        runId: run.run_id,
      });
    }
    const deductionsCancelled = await cancelDeductionsOfRun(client, ctx, run.run_id, {
      actor: opts.actor,
      reason: `run reverted: ${opts.reason}`,
    });
    const { rows: identified } = await client.query<{
      receipt_id: string;
      previous_customer_id: string | null;
    }>(
      `SELECT receipt_id, previous_customer_id FROM cashapp_decision
        WHERE company_id = $1 AND run_id = $2 AND outcome = 'auto' AND previous_customer_id IS NULL`,
      [ctx.companyId, run.run_id],
    );
    const receiptsRestored = await setReceiptCustomers(
      client,
      ctx,
      identified.map((r) => ({ receiptId: r.receipt_id, customerId: r.previous_customer_id })),
      opts.actor,
      `revert cash application run ${run.run_id}`,
    );
    await client.query(
      `INSERT INTO cashapp_decision (company_id, decision_id, receipt_id, run_id, outcome, reasons, created_by)
       SELECT $1, x.decision_id, x.receipt_id, $2, 'reverted', $3, $4
         FROM jsonb_to_recordset($5::jsonb) AS x(decision_id uuid, receipt_id uuid)`,
      [
        ctx.companyId,
        run.run_id,
        JSON.stringify([`run reverted: ${opts.reason}`]),
        opts.actor,
        JSON.stringify(
          identifiedReceipts(await decisionReceipts(client, ctx, run.run_id)).map((receipt_id) => ({
            decision_id: uuidv7(),
            receipt_id,
          })),
        ),
      ],
    );
    await client.query('DELETE FROM cashapp_remittance_link WHERE company_id = $1 AND run_id = $2', [
      ctx.companyId,
      run.run_id,
    ]);
    await client.query(
      `UPDATE cashapp_run SET reverted_at = now(), reverted_by = $3, revert_reason = $4 WHERE company_id = $1 AND run_id = $2`,
      [ctx.companyId, run.run_id, opts.actor, opts.reason],
    );
    return { runId: run.run_id, applicationsReversed: ids.length, deductionsCancelled, receiptsRestored };
  });
}

function identifiedReceipts(ids: string[]): string[] {
  return [...new Set(ids)];
}

async function decisionReceipts(client: SqlClient, ctx: CompanyContext, runId: string): Promise<string[]> {
  const { rows } = await client.query<{ receipt_id: string }>(
    `SELECT receipt_id FROM cashapp_decision WHERE company_id = $1 AND run_id = $2 AND outcome = 'auto'`,
    [ctx.companyId, runId],
  );
  return rows.map((r) => r.receipt_id);
}

async function findRun(client: SqlClient, ctx: CompanyContext, runRef: string) {
  const { rows } = await client.query<{ run_id: string; reverted_at: string | null }>(
    `SELECT run_id, reverted_at::text AS reverted_at FROM cashapp_run
      WHERE company_id = $1 AND (run_id::text = $2 OR ($2 = 'last' AND run_id = (
        SELECT run_id FROM cashapp_run WHERE company_id = $1 ORDER BY run_id DESC LIMIT 1)))`,
    [ctx.companyId, runRef],
  );
  if (rows.length === 0) throw new CashappError(`no cash-application run ${runRef} (see "cashapp runs")`);
  return rows[0]!;
}

interface ReceiptRow {
  receipt_id: string;
  receipt_key: string;
  customer_id: string | null;
  currency: string;
  amount_minor: number;
  unapplied_minor: number;
  payer_name: string | null;
  payer_account: string | null;
  reference: string | null;
  remittance_text: string | null;
  receipt_date: string;
}

/** A receipt by id, receipt key, or the bank's reference or end-to-end id. */
export async function findReceipt(client: SqlClient, ctx: CompanyContext, ref: string): Promise<ReceiptRow> {
  const { rows } = await client.query<ReceiptRow>(
    `SELECT r.receipt_id, r.receipt_key, r.customer_id, r.currency, r.amount_minor, r.unapplied_minor, r.payer_name,
            r.payer_account, r.reference, r.remittance_text, r.receipt_date
       FROM receipt r
       LEFT JOIN bank_entry b ON b.company_id = r.company_id AND b.bank_entry_id = r.bank_entry_id
      WHERE r.company_id = $1
        AND (r.receipt_id::text = $2 OR r.receipt_key = $2 OR b.bank_reference = $2 OR b.end_to_end_id = $2)
      LIMIT 2`,
    [ctx.companyId, ref],
  );
  if (rows.length === 0) throw new CashappError(`no receipt ${ref}`);
  if (rows.length > 1) throw new CashappError(`${ref} names more than one receipt; use the receipt id`);
  return { ...rows[0]!, currency: rows[0]!.currency.trim() };
}

export interface ManualApply {
  receipt: string;
  invoices: { number: string; amountMinor: number | null }[];
  onAccount: boolean;
  writeOffReason: string | null;
  customerNumber?: string | null;
  postingDate: string;
  actor: string;
}

export interface ManualSummary {
  receiptId: string;
  applications: number;
  learned: { aliases: number; accounts: number; habits: number };
  acceptedRank: number;
}

/**
 * A person's decision: apply the receipt (what is left of it after undoing any automatic
 * application) to these invoices, put the rest on account or write the invoice's remainder off.
 * What the person did is learned: the payer's name and account, and how the remittance quoted
 * the invoices.
 */
export async function applyManually(
  database: Database,
  ctx: CompanyContext,
  m: ManualApply,
): Promise<ManualSummary> {
  if (m.invoices.length === 0 && !m.onAccount)
    throw new CashappError('name at least one --invoice, or --on-account');
  if (m.writeOffReason !== null && m.invoices.length === 0)
    throw new CashappError('--write-off needs an --invoice to write off');
  return database.transaction(async ({ client }) => {
    let receipt = await findReceipt(client, ctx, m.receipt);
    const undone = await undoAutomatic(client, ctx, receipt.receipt_id, m);
    if (undone > 0) receipt = await findReceipt(client, ctx, receipt.receipt_id);
    const docs = await documentsByNumber(
      client,
      ctx,
      m.invoices.map((i) => i.number),
    );
    const payer = await payerCustomer(client, ctx, receipt, docs, m.customerNumber ?? null);
    if (receipt.customer_id === null && payer !== null) {
      await setReceiptCustomers(
        client,
        ctx,
        [{ receiptId: receipt.receipt_id, customerId: payer }],
        m.actor,
        'cash applied by hand',
      );
    }
    const items = manualItems(receipt, m, docs, payer);
    const ids = await postApplicationsBulk(client, ctx, {
      postingDate: m.postingDate,
      actor: m.actor,
      reason: 'cash applied by hand',
      origin: 'manual',
      items,
    });
    const acceptedRank = await acceptedSuggestion(client, ctx, receipt.receipt_id, items);
    const learned = await learn(client, ctx, receipt, payer, docs, m.actor);
    await client.query(
      `INSERT INTO cashapp_decision (company_id, decision_id, receipt_id, outcome, customer_id, previous_customer_id, reasons,
         proposal, accepted_rank, created_by)
       VALUES ($1, $2, $3, 'manual', $4, $5, $6, $7, $8, $9)`,
      [
        ctx.companyId,
        uuidv7(),
        receipt.receipt_id,
        payer,
        receipt.customer_id,
        JSON.stringify(['applied by hand']),
        JSON.stringify({ items }),
        acceptedRank,
        m.actor,
      ],
    );
    return { receiptId: receipt.receipt_id, applications: ids.length, learned, acceptedRank };
  });
}

/** Re-applying by hand replaces what a run posted for the receipt (the correction is recorded as such). */
async function undoAutomatic(
  client: SqlClient,
  ctx: CompanyContext,
  receiptId: string,
  m: ManualApply,
): Promise<number> {
  const { rows } = await client.query<{ application_id: string; origin: string }>(
    `SELECT application_id, origin FROM application WHERE company_id = $1 AND application_id = ANY($2::uuid[])`,
    [ctx.companyId, await applicationsOfReceipts(client, ctx, [receiptId])],
  );
  const automatic = rows.filter((r) => r.origin === 'cashapp').map((r) => r.application_id);
  if (automatic.length === 0) return 0;
  await unapplyBulk(client, ctx, {
    applicationIds: automatic,
    postingDate: m.postingDate,
    actor: m.actor,
    reason: 'automatic application corrected by hand',
  });
  await cancelDeductionsOfReceipts(client, ctx, [receiptId], { actor: m.actor, reason: 'corrected by hand' });
  return automatic.length;
}

interface DocRow {
  document_id: string;
  document_number: string;
  customer_id: string;
  doc_type: string;
  open_minor: number;
  currency: string;
}

async function documentsByNumber(
  client: SqlClient,
  ctx: CompanyContext,
  numbers: string[],
): Promise<DocRow[]> {
  if (numbers.length === 0) return [];
  const { rows } = await client.query<DocRow>(
    `SELECT document_id, document_number, customer_id, doc_type, open_minor, currency FROM document
      WHERE company_id = $1 AND document_number = ANY($2::text[])`,
    [ctx.companyId, numbers],
  );
  const byNumber = new Map(rows.map((r) => [r.document_number, r]));
  return numbers.map((n) => {
    const doc = byNumber.get(n);
    if (!doc) throw new CashappError(`no document ${n}`);
    return doc;
  });
}

async function payerCustomer(
  client: SqlClient,
  ctx: CompanyContext,
  receipt: ReceiptRow,
  docs: DocRow[],
  customerNumber: string | null,
): Promise<string | null> {
  if (customerNumber !== null) {
    const { rows } = await client.query<{ customer_id: string }>(
      'SELECT customer_id FROM customer WHERE company_id = $1 AND customer_number = $2',
      [ctx.companyId, customerNumber],
    );
    if (rows.length === 0) throw new CashappError(`no customer ${customerNumber}`);
    return rows[0]!.customer_id;
  }
  return receipt.customer_id ?? docs[0]?.customer_id ?? null;
}

function manualItems(receipt: ReceiptRow, m: ManualApply, docs: DocRow[], payer: string | null): BulkItem[] {
  let left = receipt.unapplied_minor;
  const items: BulkItem[] = [];
  docs.forEach((doc, i) => {
    const asked = m.invoices[i]!.amountMinor;
    const cash = asked ?? Math.min(left, doc.open_minor);
    if (cash > left)
      throw new CashappError(
        `receipt ${receipt.receipt_key} has ${left} left, cannot apply ${cash} to ${doc.document_number}`,
      );
    const isLast = i === docs.length - 1;
    const writeOff = m.writeOffReason !== null && isLast ? Math.max(0, doc.open_minor - cash) : 0;
    if (cash + writeOff === 0) throw new CashappError(`nothing to apply to ${doc.document_number}`);
    items.push({
      kind: 'payment',
      receiptId: receipt.receipt_id,
      documentId: doc.document_id,
      cashMinor: cash,
      writeOffMinor: writeOff,
      writeOffReason: writeOff > 0 ? m.writeOffReason : null,
    });
    left -= cash;
  });
  if (m.onAccount && left > 0) {
    if (payer === null)
      throw new CashappError('--on-account needs the customer: name --customer or an --invoice');
    items.push({ kind: 'on_account', receiptId: receipt.receipt_id, amountMinor: left, customerId: payer });
  }
  return items;
}

/** Which suggestion (1-based) the person took unchanged, 0 when none. */
async function acceptedSuggestion(
  client: SqlClient,
  ctx: CompanyContext,
  receiptId: string,
  items: BulkItem[],
): Promise<number> {
  const { rows } = await client.query<{
    suggestions: {
      lines: { kind: string; document_id: string | null; cash_minor: number; amount_minor: number }[];
    }[];
  }>(
    `SELECT suggestions FROM cashapp_decision WHERE company_id = $1 AND receipt_id = $2 AND run_id IS NOT NULL
      ORDER BY decision_id DESC LIMIT 1`,
    [ctx.companyId, receiptId],
  );
  const signature = (lines: { kind: string; document: string | null; amount: number }[]) =>
    lines
      .map((l) => `${l.kind}:${l.document}:${l.amount}`)
      .sort()
      .join('|');
  const mine = signature(
    items.map((i) =>
      i.kind === 'payment'
        ? { kind: 'payment', document: i.documentId, amount: i.cashMinor }
        : i.kind === 'on_account'
          ? { kind: 'on_account', document: null, amount: i.amountMinor }
          : { kind: 'credit_memo', document: i.documentId, amount: i.amountMinor },
    ),
  );
  const suggestions = rows[0]?.suggestions ?? [];
  const at = suggestions.findIndex(
    (s) =>
      signature(
        s.lines.map((l) => ({
          kind: l.kind,
          document: l.document_id,
          amount: l.kind === 'payment' ? l.cash_minor : l.amount_minor,
        })),
      ) === mine,
  );
  return at + 1;
}

async function learn(
  client: SqlClient,
  ctx: CompanyContext,
  receipt: ReceiptRow,
  payer: string | null,
  docs: DocRow[],
  actor: string,
) {
  if (payer === null) return { aliases: 0, accounts: 0, habits: 0 };
  const { rows } = await client.query<{ name: string }>(
    'SELECT name FROM customer WHERE company_id = $1 AND customer_id = $2',
    [ctx.companyId, payer],
  );
  const ownName = rows[0]?.name ?? '';
  const aliases =
    receipt.payer_name &&
    nameKey(receipt.payer_name) !== nameKey(ownName) &&
    nameKey(receipt.payer_name) !== ''
      ? await addLearnedAliases(client, ctx, [{ customerId: payer, aliasText: receipt.payer_name }], actor)
      : 0;
  const accountKey = (receipt.payer_account ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  const accounts =
    accountKey.length >= 4
      ? await addLearnedBankAccounts(
          client,
          ctx,
          [{ customerId: payer, accountText: receipt.payer_account! }],
          actor,
        )
      : 0;
  const habits = await learnHabits(client, ctx, receipt, docs, actor);
  return { aliases, accounts, habits };
}

/** How the remittance quoted each invoice the person chose: kept per customer as a habit. */
async function learnHabits(
  client: SqlClient,
  ctx: CompanyContext,
  receipt: ReceiptRow,
  docs: DocRow[],
  actor: string,
) {
  if (docs.length === 0) return 0;
  // Only the chosen documents: which of them did the remittance quote, and how?
  const chosen = docs.map((d) => ({
    documentId: d.document_id,
    documentNumber: d.document_number,
    customerId: d.customer_id,
    docType: d.doc_type as 'invoice' | 'credit_memo' | 'debit_memo',
    currency: d.currency.trim(),
    amountMinor: 1,
    openMinor: 1,
    documentDate: '2000-01-01',
    dueDate: '2000-01-01',
    discountDate: null,
    discountPercent: '0',
    poNumber: null,
  }));
  const customerIds = [...new Set(docs.map((d) => d.customer_id))];
  const book = new Book({
    customers: customerIds.map((id) => ({
      customerId: id,
      customerNumber: id,
      name: id,
      parentCustomerId: null,
    })),
    documents: chosen,
    bankAccounts: [],
    aliases: [],
  });
  const candidates = referenceCandidates({
    receiptId: receipt.receipt_id,
    currency: receipt.currency,
    amountMinor: receipt.amount_minor,
    receiptDate: receipt.receipt_date,
    customerId: null,
    payerName: null,
    payerAccountKey: null,
    reference: receipt.reference,
    remittanceText: receipt.remittance_text,
    advices: [],
  });
  const all = Array.from({ length: book.documentCount }, (_, i) => i);
  const habits: { customer_id: string; habit: string }[] = [];
  for (const c of candidates.loose) {
    const hits = globalHits(book, c, () => true);
    const found = hits.length > 0 ? hits : familyHits(book, c, all);
    for (const h of found) {
      if (h.kind === 'exact') continue;
      habits.push({
        customer_id: book.customers[book.documentCustomer[h.document]!]!.customerId,
        habit: h.kind,
      });
    }
  }
  if (habits.length === 0) return 0;
  await client.query(
    `INSERT INTO cashapp_reference_habit (company_id, customer_id, habit, updated_by)
     SELECT DISTINCT $1, x.customer_id, x.habit, $3 FROM jsonb_to_recordset($2::jsonb) AS x(customer_id uuid, habit text)
     ON CONFLICT (company_id, customer_id, habit)
     DO UPDATE SET times = cashapp_reference_habit.times + 1, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [ctx.companyId, JSON.stringify(habits), actor],
  );
  return habits.length;
}

/** A person says a suggestion is wrong: the customer or documents are not proposed again for this receipt. */
export async function rejectSuggestion(
  database: Database,
  ctx: CompanyContext,
  r: {
    receipt: string;
    customerNumber?: string | null;
    invoiceNumbers?: string[];
    reason: string;
    actor: string;
  },
): Promise<number> {
  return database.transaction(async ({ client }) => {
    const receipt = await findReceipt(client, ctx, r.receipt);
    const docs = await documentsByNumber(client, ctx, r.invoiceNumbers ?? []);
    let customerId: string | null = null;
    if (r.customerNumber) customerId = await payerCustomer(client, ctx, receipt, [], r.customerNumber);
    const rows = [
      ...(customerId ? [{ customer_id: customerId, document_id: null }] : []),
      ...docs.map((d) => ({ customer_id: null, document_id: d.document_id })),
    ];
    if (rows.length === 0) throw new CashappError('name the --customer or --invoice to reject');
    await client.query(
      `INSERT INTO cashapp_rejection (company_id, rejection_id, receipt_id, customer_id, document_id, reason, created_by)
       SELECT $1, x.rejection_id, $2, x.customer_id, x.document_id, $4, $5
         FROM jsonb_to_recordset($3::jsonb) AS x(rejection_id uuid, customer_id uuid, document_id uuid)`,
      [
        ctx.companyId,
        receipt.receipt_id,
        JSON.stringify(rows.map((x) => ({ rejection_id: uuidv7(), ...x }))),
        r.reason,
        r.actor,
      ],
    );
    await client.query(
      `INSERT INTO cashapp_decision (company_id, decision_id, receipt_id, outcome, reasons, created_by)
       VALUES ($1, $2, $3, 'rejected', $4, $5)`,
      [ctx.companyId, uuidv7(), receipt.receipt_id, JSON.stringify([r.reason]), r.actor],
    );
    return rows.length;
  });
}
