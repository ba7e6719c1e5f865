import type { CompanyContext } from '../../ledger/context.js';
import type { SqlClient } from '../../store/client.js';
import { ActivityError } from './errors.js';

export interface CustomerRef {
  customerId: string;
  customerNumber: string;
  name: string;
  currency: string;
  collector: string | null;
}

/** A customer by its external code (customer number), as the CLI names it. */
export async function resolveCustomer(
  client: SqlClient,
  ctx: CompanyContext,
  number: string,
): Promise<CustomerRef> {
  const { rows } = await client.query<{
    customer_id: string;
    customer_number: string;
    name: string;
    currency: string;
    collector: string | null;
  }>(
    `SELECT customer_id, customer_number, name, currency, collector FROM customer
      WHERE company_id = $1 AND customer_number = $2`,
    [ctx.companyId, number],
  );
  const r = rows[0];
  if (!r) throw new ActivityError('unknown-customer', `no customer ${number} in company ${ctx.code}`);
  return {
    customerId: r.customer_id,
    customerNumber: r.customer_number,
    name: r.name,
    currency: r.currency.trim(),
    collector: r.collector,
  };
}

export interface DocumentRef {
  documentId: string;
  documentNumber: string;
  currency: string;
  openMinor: number;
  dueDate: string;
  docType: string;
}

/** The customer's documents by number; every number must be one of its invoices or debit memos. */
export async function resolveDocuments(
  client: SqlClient,
  ctx: CompanyContext,
  customerId: string,
  numbers: readonly string[],
): Promise<DocumentRef[]> {
  if (numbers.length === 0) return [];
  const { rows } = await client.query<{
    document_id: string;
    document_number: string;
    currency: string;
    open_minor: number;
    due_date: string;
    doc_type: string;
    customer_id: string;
  }>(
    `SELECT document_id, document_number, currency, open_minor, due_date, doc_type, customer_id FROM document
      WHERE company_id = $1 AND document_number = ANY ($2::text[])`,
    [ctx.companyId, numbers],
  );
  const found = new Map(rows.map((r) => [r.document_number, r]));
  const problems: string[] = [];
  for (const n of new Set(numbers)) {
    const r = found.get(n);
    if (!r) problems.push(`${n}: no such document`);
    else if (r.customer_id !== customerId) problems.push(`${n}: belongs to another customer`);
    else if (r.doc_type === 'credit_memo') problems.push(`${n}: is a credit memo`);
  }
  if (problems.length > 0)
    throw new ActivityError('bad-documents', `documents refused: ${problems.join('; ')}`);
  return [...new Set(numbers)].map((n) => {
    const r = found.get(n)!;
    return {
      documentId: r.document_id,
      documentNumber: r.document_number,
      currency: r.currency.trim(),
      openMinor: r.open_minor,
      dueDate: r.due_date,
      docType: r.doc_type,
    };
  });
}
