import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import type { DocumentColumns } from './core/book.js';

/**
 * The open documents straight into columns, for a million of them without a million row objects:
 * each batch comes back as one row of aggregated text (fixed-width ids, comma-separated integers,
 * dates already as day numbers) that is cut into the typed columns here. A row object per document
 * made the heap of a 1 M-document run about 2 GB and most of the load phase garbage collection.
 */

const BATCH_DOCUMENTS = 50_000;
const UUID_CHARS = 36;
const CURRENCY_CHARS = 3;
/** Per document: doc type, amount, open, document day, due day, discount day (-1: none), discount ‰ of %. */
const INTEGERS_PER_DOCUMENT = 7;

interface Batch {
  n: number;
  last: string | null;
  ids: string | null;
  customers: string | null;
  currencies: string | null;
  integers: string | null;
  numbers: string[] | null;
  pos: (string | null)[] | null;
}

export async function loadOpenDocumentColumns(
  client: SqlClient,
  ctx: CompanyContext,
): Promise<DocumentColumns> {
  const out = new ColumnBuilder();
  let after: string | null = null;
  for (;;) {
    // The aggregates of one query level see the rows in one and the same order, so the columns line up.
    const { rows }: { rows: Batch[] } = await client.query<Batch>(
      `SELECT count(*)::int AS n, max(document_id::text COLLATE "C") AS last,
              string_agg(document_id::text, '') AS ids, string_agg(customer_id::text, '') AS customers,
              string_agg(currency::text, '') AS currencies,
              string_agg(concat_ws(',', CASE doc_type WHEN 'invoice' THEN 0 WHEN 'credit_memo' THEN 1 ELSE 2 END,
                amount_minor, open_minor, document_date - DATE '1970-01-01', due_date - DATE '1970-01-01',
                coalesce(discount_date - DATE '1970-01-01', -1), (discount_percent * 1000)::int4), ',') AS integers,
              array_agg(document_number) AS numbers, array_agg(po_number) AS pos
         FROM (SELECT document_id, customer_id, currency, doc_type, amount_minor, open_minor, document_date, due_date,
                      discount_date, discount_percent, document_number, po_number
                 FROM document
                WHERE company_id = $1 AND open_minor > 0 AND ($2::uuid IS NULL OR document_id > $2::uuid)
                ORDER BY document_id LIMIT ${BATCH_DOCUMENTS}) AS batch`,
      [ctx.companyId, after],
    );
    const batch: Batch = rows[0]!;
    if (batch.n === 0) break;
    out.add(batch);
    after = batch.last;
    if (batch.n < BATCH_DOCUMENTS) break;
  }
  return out.finish();
}

class ColumnBuilder {
  private count = 0;
  private readonly documentId: string[] = [];
  private readonly documentNumber: string[] = [];
  private readonly customerId: string[] = [];
  private readonly currency: string[] = [];
  private readonly poNumber: (string | null)[] = [];
  private readonly currencies = new Map<string, string>();
  private integers = new Float64Array(BATCH_DOCUMENTS * INTEGERS_PER_DOCUMENT * 4);

  add(batch: Batch): void {
    const n = batch.n;
    const ids = batch.ids!;
    const customers = batch.customers!;
    const currencies = batch.currencies!;
    for (let i = 0; i < n; i++) {
      this.documentId.push(ids.slice(i * UUID_CHARS, (i + 1) * UUID_CHARS));
      this.customerId.push(customers.slice(i * UUID_CHARS, (i + 1) * UUID_CHARS));
      const code = currencies.slice(i * CURRENCY_CHARS, (i + 1) * CURRENCY_CHARS);
      let interned = this.currencies.get(code);
      if (interned === undefined) {
        interned = code;
        this.currencies.set(code, code);
      }
      this.currency.push(interned);
      this.documentNumber.push(batch.numbers![i]!);
      this.poNumber.push(batch.pos![i] ?? null);
    }
    const need = (this.count + n) * INTEGERS_PER_DOCUMENT;
    if (need > this.integers.length) {
      const grown = new Float64Array(Math.max(need, this.integers.length * 2));
      grown.set(this.integers);
      this.integers = grown;
    }
    const parsed = parseIntegers(batch.integers!, this.integers, this.count * INTEGERS_PER_DOCUMENT);
    if (parsed !== n * INTEGERS_PER_DOCUMENT)
      throw new Error(`open documents: ${parsed} integers for ${n} documents`);
    this.count += n;
  }

  finish(): DocumentColumns {
    const n = this.count;
    const column = <T extends Int32Array | Float64Array | Uint8Array>(
      make: (n: number) => T,
      field: number,
    ) => {
      const out = make(n);
      for (let i = 0; i < n; i++) out[i] = this.integers[i * INTEGERS_PER_DOCUMENT + field]!;
      return out;
    };
    return {
      count: n,
      documentId: this.documentId,
      documentNumber: this.documentNumber,
      customerId: this.customerId,
      currency: this.currency,
      poNumber: this.poNumber,
      docType: column((k) => new Uint8Array(k), 0),
      amountMinor: column((k) => new Float64Array(k), 1),
      openMinor: column((k) => new Float64Array(k), 2),
      documentDay: column((k) => new Int32Array(k), 3),
      dueDay: column((k) => new Int32Array(k), 4),
      discountDay: column((k) => new Int32Array(k), 5),
      discountMilliPercent: column((k) => new Int32Array(k), 6),
    };
  }
}

/** Comma-separated integers (optionally negative) into `into` from `at`; returns how many. Exact below 2^53. */
function parseIntegers(text: string, into: Float64Array, at: number): number {
  let count = 0;
  let value = 0;
  let negative = false;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 44;
    if (c === 44) {
      if (digits === 0) throw new Error(`open documents: empty integer at ${i}`);
      into[at + count++] = negative ? -value : value;
      value = 0;
      negative = false;
      digits = 0;
    } else if (c === 45 && digits === 0) negative = true;
    else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else throw new Error(`open documents: unexpected ${text[i]} in integers`);
  }
  return count;
}
