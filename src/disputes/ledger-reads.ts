import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { DisputeError } from './core/errors.js';

/**
 * Read-only lookups in the ledger's tables (customer, document, receipt) — the same kind of
 * reporting read collections and cash application make (docs/ARCHITECTURE.md). Every write to the
 * ledger goes through src/ledger's functions.
 */

export interface DocumentFacts {
  documentId: string;
  documentNumber: string;
  customerId: string;
  docType: string;
  documentDate: string;
  currency: string;
  fxRate: string;
  amountMinor: number;
  baseAmountMinor: number;
  openMinor: number;
  poNumber: string | null;
  description: string | null;
}

interface DocumentSqlRow {
  document_id: string;
  document_number: string;
  customer_id: string;
  doc_type: string;
  document_date: string;
  currency: string;
  fx_rate: string;
  amount_minor: number;
  base_amount_minor: number;
  open_minor: number;
  po_number: string | null;
  description: string | null;
}

const DOCUMENT_COLUMNS = `document_id, document_number, customer_id, doc_type, document_date, currency, fx_rate::text AS fx_rate,
  amount_minor, base_amount_minor, open_minor, po_number, description`;

const documentOf = (r: DocumentSqlRow): DocumentFacts => ({
  documentId: r.document_id,
  documentNumber: r.document_number,
  customerId: r.customer_id,
  docType: r.doc_type,
  documentDate: r.document_date,
  currency: r.currency.trim(),
  fxRate: r.fx_rate,
  amountMinor: r.amount_minor,
  baseAmountMinor: r.base_amount_minor,
  openMinor: r.open_minor,
  poNumber: r.po_number,
  description: r.description,
});

/** Documents by id, in one query. */
export async function documentsById(
  client: SqlClient,
  ctx: CompanyContext,
  ids: readonly string[],
): Promise<Map<string, DocumentFacts>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<DocumentSqlRow>(
    `SELECT ${DOCUMENT_COLUMNS} FROM document WHERE company_id = $1 AND document_id = ANY($2::uuid[])`,
    [ctx.companyId, [...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.document_id, documentOf(r)]));
}

/** Documents by number; a number not found is an error naming it. */
export async function documentsByNumber(
  client: SqlClient,
  ctx: CompanyContext,
  numbers: readonly string[],
): Promise<Map<string, DocumentFacts>> {
  const { rows } = await client.query<DocumentSqlRow>(
    `SELECT ${DOCUMENT_COLUMNS} FROM document WHERE company_id = $1 AND document_number = ANY($2::text[])`,
    [ctx.companyId, [...new Set(numbers)]],
  );
  const out = new Map(rows.map((r) => [r.document_number, documentOf(r)]));
  const missing = numbers.filter((n) => !out.has(n));
  if (missing.length > 0)
    throw new DisputeError('no-document', `no document ${missing.slice(0, 5).join(', ')}`);
  return out;
}

export interface CustomerFacts {
  customerId: string;
  customerNumber: string;
  name: string;
  parentId: string | null;
}

/** Customers by number or id; one not found is an error naming it. */
export async function customersByKey(
  client: SqlClient,
  ctx: CompanyContext,
  keys: readonly string[],
): Promise<Map<string, CustomerFacts>> {
  const { rows } = await client.query<{
    customer_id: string;
    customer_number: string;
    name: string;
    parent_customer_id: string | null;
  }>(
    `SELECT customer_id, customer_number, name, parent_customer_id FROM customer
      WHERE company_id = $1 AND (customer_number = ANY($2::text[])
         OR customer_id::text = ANY($2::text[]))`,
    [ctx.companyId, [...new Set(keys)]],
  );
  const out = new Map<string, CustomerFacts>();
  for (const r of rows) {
    const c = {
      customerId: r.customer_id,
      customerNumber: r.customer_number,
      name: r.name,
      parentId: r.parent_customer_id,
    };
    out.set(r.customer_number, c);
    out.set(r.customer_id, c);
  }
  const missing = keys.filter((k) => !out.has(k));
  if (missing.length > 0)
    throw new DisputeError('no-customer', `no customer ${missing.slice(0, 5).join(', ')}`);
  return out;
}

/** Receipts' dates and remittance text (what the customer wrote), by id. */
export async function receiptFacts(
  client: SqlClient,
  ctx: CompanyContext,
  ids: readonly string[],
): Promise<Map<string, { receiptDate: string; remittanceText: string | null; receiptKey: string }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<{
    receipt_id: string;
    receipt_date: string;
    remittance_text: string | null;
    receipt_key: string;
  }>(
    `SELECT receipt_id, receipt_date, remittance_text, receipt_key FROM receipt
      WHERE company_id = $1 AND receipt_id = ANY($2::uuid[])`,
    [ctx.companyId, [...new Set(ids)]],
  );
  return new Map(
    rows.map((r) => [
      r.receipt_id,
      { receiptDate: r.receipt_date, remittanceText: r.remittance_text, receiptKey: r.receipt_key },
    ]),
  );
}
