import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';

/** What the bank said about the entries behind receipts: references and which file it came in. */
export interface EntryFacts {
  bankEntryId: string;
  bankReference: string | null;
  endToEndId: string | null;
  checkNumber: string | null;
  fileId: string;
  format: string;
  /** Documents the bank's structured remittance itemizes (camt RfrdDocAmt): amounts as decimal strings. */
  documents: EntryDocument[];
}

export interface EntryDocument {
  number: string | null;
  remitted: string | null;
  discount: string | null;
  adjustments: { amount: string; credit_debit?: string | null; reason: string | null }[];
}

export async function loadEntryFacts(
  client: SqlClient,
  ctx: CompanyContext,
  bankEntryIds: readonly string[],
): Promise<Map<string, EntryFacts>> {
  if (bankEntryIds.length === 0) return new Map();
  const { rows } = await client.query<{
    bank_entry_id: string;
    bank_reference: string | null;
    end_to_end_id: string | null;
    check_number: string | null;
    file_id: string;
    format: string;
    documents: EntryDocument[] | null;
  }>(
    `SELECT e.bank_entry_id, e.bank_reference, e.end_to_end_id, e.details->>'check_number' AS check_number, s.file_id, f.format,
            CASE WHEN jsonb_typeof(e.details->'documents') = 'array' THEN e.details->'documents' END AS documents
       FROM bank_entry e
       JOIN bank_statement s ON s.company_id = e.company_id AND s.statement_id = e.statement_id
       JOIN bank_file f ON f.company_id = s.company_id AND f.file_id = s.file_id
      WHERE e.company_id = $1 AND e.bank_entry_id = ANY($2::uuid[])`,
    [ctx.companyId, bankEntryIds],
  );
  return new Map(
    rows.map((r) => [
      r.bank_entry_id,
      {
        bankEntryId: r.bank_entry_id,
        bankReference: r.bank_reference,
        endToEndId: r.end_to_end_id,
        checkNumber: r.check_number,
        fileId: r.file_id,
        format: r.format,
        documents: r.documents ?? [],
      },
    ]),
  );
}

export interface StoredAdvice {
  adviceId: string;
  fileId: string;
  payer: string | null;
  paymentReference: string | null;
  amountMinor: number | null;
  currency: string | null;
  paymentDate: string | null;
  /** Free text kept with the advice (an email's sentences), for references and deduction reasons. */
  text: string | null;
  /** Every payment reference the advice quotes (check number, trace, payment id…), the main one first. */
  paymentReferences: string[];
  /** Our customer number, when the payer quoted it. */
  customerNumber: string | null;
  createdAt: string;
  lines: {
    documentNumber: string | null;
    amountPaidMinor: number | null;
    amountInvoicedMinor: number | null;
    discountMinor: number | null;
    adjustments: { reasonCode: string | null; amountMinor: number }[];
  }[];
}

/**
 * Remittance advices stored since `sinceDays` ago (or exactly `adviceIds`), with their lines, in two
 * queries. Cash application links them to receipts.
 */
export async function loadAdvices(
  client: SqlClient,
  ctx: CompanyContext,
  filter: { sinceDays?: number; adviceIds?: readonly string[] },
): Promise<StoredAdvice[]> {
  const { rows } = await client.query<{
    advice_id: string;
    file_id: string;
    payer: string | null;
    payment_reference: string | null;
    amount_minor: number | null;
    currency: string | null;
    details: Record<string, unknown>;
    created_at: string;
  }>(
    `SELECT advice_id, file_id, payer, payment_reference, amount_minor, currency, details, created_at::text AS created_at
       FROM remittance_advice
      WHERE company_id = $1
        AND ($2::uuid[] IS NULL OR advice_id = ANY($2::uuid[]))
        AND ($3::int4 IS NULL OR created_at >= now() - make_interval(days => $3::int4))`,
    [ctx.companyId, filter.adviceIds ?? null, filter.adviceIds ? null : (filter.sinceDays ?? 120)],
  );
  if (rows.length === 0) return [];
  const { rows: lines } = await client.query<{
    advice_id: string;
    document_number: string | null;
    amount_paid_minor: number | null;
    amount_invoiced_minor: number | null;
    discount_minor: number | null;
    adjustments: { reason_code: string | null; amount_minor: number | null }[];
  }>(
    `SELECT advice_id, document_number, amount_paid_minor, amount_invoiced_minor, discount_minor, adjustments
       FROM remittance_line WHERE company_id = $1 AND advice_id = ANY($2::uuid[]) ORDER BY advice_id, line_no`,
    [ctx.companyId, rows.map((r) => r.advice_id)],
  );
  const byAdvice = new Map<string, StoredAdvice['lines']>();
  for (const l of lines) {
    const list = byAdvice.get(l.advice_id) ?? [];
    list.push({
      documentNumber: l.document_number,
      amountPaidMinor: l.amount_paid_minor,
      amountInvoicedMinor: l.amount_invoiced_minor,
      discountMinor: l.discount_minor,
      adjustments: (l.adjustments ?? [])
        .filter((a) => typeof a.amount_minor === 'number')
        .map((a) => ({ reasonCode: a.reason_code, amountMinor: a.amount_minor as number })),
    });
    byAdvice.set(l.advice_id, list);
  }
  return rows.map((r) => ({
    adviceId: r.advice_id,
    fileId: r.file_id,
    payer: r.payer,
    paymentReference: r.payment_reference,
    amountMinor: r.amount_minor,
    currency: r.currency?.trim() ?? null,
    paymentDate: textField(r.details, 'payment_date') ?? textField(r.details, 'deposit_date'),
    text: textField(r.details, 'text') ?? textField(r.details, 'body_text'),
    paymentReferences: [
      ...new Set(
        [r.payment_reference, ...referenceValues(r.details?.payment_references)].filter(
          (v): v is string => !!v,
        ),
      ),
    ],
    customerNumber: textField(r.details, 'customer_number'),
    createdAt: r.created_at,
    lines: byAdvice.get(r.advice_id) ?? [],
  }));
}

function referenceValues(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) =>
    v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'string'
      ? [(v as { value: string }).value]
      : [],
  );
}

function textField(details: Record<string, unknown> | null, key: string): string | null {
  const v = details?.[key];
  return typeof v === 'string' && v.length > 0 ? v : null;
}
