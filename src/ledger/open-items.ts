import { uuidv7 } from 'uuidv7';
import type { SqlClient } from '../store/client.js';
import type { CompanyContext } from './context.js';
import { invariant } from './core/errors.js';

/**
 * What cash application reads from the ledger, in a few set-based queries: the open documents,
 * the receipts with cash left to apply, customers with their payer accounts and aliases.
 */

export interface OpenDocument {
  documentId: string;
  documentNumber: string;
  customerId: string;
  docType: 'invoice' | 'credit_memo' | 'debit_memo';
  currency: string;
  amountMinor: number;
  openMinor: number;
  documentDate: string;
  dueDate: string;
  discountDate: string | null;
  discountPercent: string;
  poNumber: string | null;
}

export async function loadOpenDocuments(client: SqlClient, ctx: CompanyContext): Promise<OpenDocument[]> {
  const { rows } = await client.query<{
    document_id: string;
    document_number: string;
    customer_id: string;
    doc_type: OpenDocument['docType'];
    currency: string;
    amount_minor: number;
    open_minor: number;
    document_date: string;
    due_date: string;
    discount_date: string | null;
    discount_percent: string;
    po_number: string | null;
  }>(
    `SELECT document_id, document_number, customer_id, doc_type, currency, amount_minor, open_minor, document_date,
            due_date, discount_date, discount_percent::text AS discount_percent, po_number
       FROM document WHERE company_id = $1 AND open_minor > 0`,
    [ctx.companyId],
  );
  return rows.map((r) => ({
    documentId: r.document_id,
    documentNumber: r.document_number,
    customerId: r.customer_id,
    docType: r.doc_type,
    currency: r.currency.trim(),
    amountMinor: r.amount_minor,
    openMinor: r.open_minor,
    documentDate: r.document_date,
    dueDate: r.due_date,
    discountDate: r.discount_date,
    discountPercent: r.discount_percent,
    poNumber: r.po_number,
  }));
}

export interface OpenReceipt {
  receiptId: string;
  receiptKey: string;
  currency: string;
  amountMinor: number;
  unappliedMinor: number;
  receiptDate: string;
  customerId: string | null;
  payerName: string | null;
  payerAccount: string | null;
  reference: string | null;
  remittanceText: string | null;
  bankEntryId: string | null;
}

/** Receipts with cash left to apply, oldest first (a later payment never takes an earlier one's invoice). */
export async function loadOpenReceipts(
  client: SqlClient,
  ctx: CompanyContext,
  only?: readonly string[],
): Promise<OpenReceipt[]> {
  const { rows } = await client.query<{
    receipt_id: string;
    receipt_key: string;
    currency: string;
    amount_minor: number;
    unapplied_minor: number;
    receipt_date: string;
    customer_id: string | null;
    payer_name: string | null;
    payer_account: string | null;
    reference: string | null;
    remittance_text: string | null;
    bank_entry_id: string | null;
  }>(
    `SELECT receipt_id, receipt_key, currency, amount_minor, unapplied_minor, receipt_date, customer_id, payer_name,
            payer_account, reference, remittance_text, bank_entry_id
       FROM receipt
      WHERE company_id = $1 AND unapplied_minor > 0 AND ($2::uuid[] IS NULL OR receipt_id = ANY($2::uuid[]))
      ORDER BY receipt_date, receipt_id`,
    [ctx.companyId, only ?? null],
  );
  return rows.map((r) => ({
    receiptId: r.receipt_id,
    receiptKey: r.receipt_key,
    currency: r.currency.trim(),
    amountMinor: r.amount_minor,
    unappliedMinor: r.unapplied_minor,
    receiptDate: r.receipt_date,
    customerId: r.customer_id,
    payerName: r.payer_name,
    payerAccount: r.payer_account,
    reference: r.reference,
    remittanceText: r.remittance_text,
    bankEntryId: r.bank_entry_id,
  }));
}

export interface MatchingCustomers {
  customers: { customerId: string; customerNumber: string; name: string; parentCustomerId: string | null }[];
  bankAccounts: { accountKey: string; customerId: string }[];
  aliases: { aliasText: string; customerId: string }[];
}

export async function loadCustomersForMatching(
  client: SqlClient,
  ctx: CompanyContext,
): Promise<MatchingCustomers> {
  const customers = await client.query<{
    customer_id: string;
    customer_number: string;
    name: string;
    parent_customer_id: string | null;
  }>('SELECT customer_id, customer_number, name, parent_customer_id FROM customer WHERE company_id = $1', [
    ctx.companyId,
  ]);
  const accounts = await client.query<{ account_key: string; customer_id: string }>(
    'SELECT account_key, customer_id FROM customer_bank_account WHERE company_id = $1',
    [ctx.companyId],
  );
  const aliases = await client.query<{ alias_text: string; customer_id: string }>(
    'SELECT alias_text, customer_id FROM customer_alias WHERE company_id = $1',
    [ctx.companyId],
  );
  return {
    customers: customers.rows.map((r) => ({
      customerId: r.customer_id,
      customerNumber: r.customer_number,
      name: r.name,
      parentCustomerId: r.parent_customer_id,
    })),
    bankAccounts: accounts.rows.map((r) => ({ accountKey: r.account_key, customerId: r.customer_id })),
    aliases: aliases.rows.map((r) => ({ aliasText: r.alias_text, customerId: r.customer_id })),
  };
}

/**
 * Sets (or clears) who paid a receipt that has nothing applied yet, recording the change. Cash
 * application identifies payers; reverting a run puts back what was there.
 */
export async function setReceiptCustomers(
  client: SqlClient,
  ctx: CompanyContext,
  rows: readonly { receiptId: string; customerId: string | null }[],
  actor: string,
  reason: string,
): Promise<number> {
  if (rows.length === 0) return 0;
  invariant(reason.length > 0, 'reason-missing', 'a change of payer needs a reason');
  const wanted = new Map(rows.map((r) => [r.receiptId, r.customerId]));
  const { rows: current } = await client.query<{
    receipt_id: string;
    receipt_key: string;
    customer_id: string | null;
    untouched: boolean;
  }>(
    `SELECT receipt_id, receipt_key, customer_id, (unapplied_minor = amount_minor) AS untouched FROM receipt
      WHERE company_id = $1 AND receipt_id = ANY($2::uuid[]) ORDER BY receipt_id FOR UPDATE`,
    [ctx.companyId, [...wanted.keys()]],
  );
  invariant(current.length === wanted.size, 'receipt-missing', 'a receipt to identify does not exist');
  const changes = current
    .filter((r) => r.customer_id !== wanted.get(r.receipt_id))
    .map((r) => {
      invariant(
        r.untouched,
        'receipt-applied',
        `receipt ${r.receipt_key} has applications; unapply them before changing its customer`,
      );
      return {
        change_id: uuidv7(),
        receipt_id: r.receipt_id,
        old: r.customer_id,
        new: wanted.get(r.receipt_id) ?? null,
      };
    });
  if (changes.length === 0) return 0;
  await client.query(
    `UPDATE receipt r SET customer_id = x.new FROM jsonb_to_recordset($2::jsonb) AS x(receipt_id uuid, new uuid)
      WHERE r.company_id = $1 AND r.receipt_id = x.receipt_id`,
    [ctx.companyId, JSON.stringify(changes)],
  );
  await client.query(
    `INSERT INTO change_log (company_id, change_id, object_type, object_id, action, changes, reason, created_by)
     SELECT $1, x.change_id, 'receipt', x.receipt_id, 'update',
            jsonb_build_object('customer_id', jsonb_build_array(x.old, x.new)), $3, $4
       FROM jsonb_to_recordset($2::jsonb) AS x(change_id uuid, receipt_id uuid, old text, new text)`,
    [ctx.companyId, JSON.stringify(changes), reason, actor],
  );
  return changes.length;
}

/** Periods ("YYYY-MM") closed for posting. */
export async function closedPeriods(client: SqlClient, ctx: CompanyContext): Promise<Set<string>> {
  const { rows } = await client.query<{ period_code: string }>(
    `SELECT period_code FROM fiscal_period WHERE company_id = $1 AND status = 'closed'`,
    [ctx.companyId],
  );
  return new Set(rows.map((r) => r.period_code));
}

/** Live applications a cash-application run posted (neither reversed nor reversals). */
export async function applicationsOfRun(
  client: SqlClient,
  ctx: CompanyContext,
  runId: string,
): Promise<string[]> {
  const { rows } = await client.query<{ application_id: string }>(
    `SELECT a.application_id FROM application a
      WHERE a.company_id = $1 AND a.run_id = $2 AND a.reverses_application_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM application r WHERE r.company_id = $1 AND r.reverses_application_id = a.application_id)
      ORDER BY a.application_id`,
    [ctx.companyId, runId],
  );
  return rows.map((r) => r.application_id);
}

/** Live applications of some receipts, for a person who re-applies them by hand. */
export async function applicationsOfReceipts(
  client: SqlClient,
  ctx: CompanyContext,
  receiptIds: readonly string[],
): Promise<string[]> {
  if (receiptIds.length === 0) return [];
  const { rows } = await client.query<{ application_id: string }>(
    `SELECT a.application_id FROM application a
      WHERE a.company_id = $1 AND a.receipt_id = ANY($2::uuid[]) AND a.reverses_application_id IS NULL
        AND NOT EXISTS (SELECT 1 FROM application r WHERE r.company_id = $1 AND r.reverses_application_id = a.application_id)
      ORDER BY a.application_id`,
    [ctx.companyId, receiptIds],
  );
  return rows.map((r) => r.application_id);
}
