import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Indexes for the collections reports' reads of the ledger's tables (a reporting read: the
 * collections module never writes them). Aging as of today reads the open documents and the
 * receipts with cash left by indexes that hold every column it needs, in customer and currency
 * order: an index-only scan of the open items, summed as it streams (no sort, no hash table),
 * instead of the heap pages of all documents. Aging as of a past date and the metrics read
 * what was posted after a date or within a range, and documents dated within a period.
 */
const INDEXES = sql`
CREATE INDEX collections_document_open_idx ON document (company_id, customer_id, currency)
  INCLUDE (document_id, doc_type, document_date, due_date, open_minor, open_base_minor)
  WHERE open_minor > 0;
CREATE INDEX collections_document_date_idx ON document (company_id, document_date);
CREATE INDEX collections_application_posting_idx ON application (company_id, posting_date);
CREATE INDEX collections_adjustment_posting_idx ON adjustment (company_id, posting_date);
CREATE INDEX collections_revision_posting_idx ON document_revision (company_id, posting_date);
CREATE INDEX collections_receipt_date_idx ON receipt (company_id, receipt_date);
CREATE INDEX collections_receipt_open_idx ON receipt (company_id, customer_id, currency)
  INCLUDE (receipt_id, receipt_date, unapplied_minor, unapplied_base_minor, on_account_minor, on_account_base_minor)
  WHERE unapplied_minor > 0 OR on_account_minor > 0;
`;

export const collectionsMigrations: Record<string, Migration> = {
  '0007_collections': {
    async up(db: Kysely<unknown>) {
      await INDEXES.execute(db);
    },
  },
};
