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

/**
 * AR snapshots (see src/collections/snapshots.ts): each open document's and receipt's open amounts
 * at the end of a closed period, so AR on a later date replays only what was posted since.
 * `collections_ar_snapshot` says which snapshots are valid; its item tables may keep rows of an
 * invalidated one until it is rebuilt (reads always go through the head). Receipts keep no
 * customer: an unidentified receipt's customer is set later, and the rebuild uses today's.
 *
 * A snapshot is only as good as the history it was taken from: anything inserted later into the
 * history with a date on or before the snapshot (a back-dated posting after a period was reopened,
 * an amount revision without a journal entry) would make it differ from a rebuild, so a statement
 * trigger on each history table drops the heads of the company's snapshots from that date on. It
 * reads the statement's new rows once (min date per company) and touches only this small table.
 */
const SNAPSHOTS = sql`
CREATE TABLE collections_ar_snapshot (
  company_id uuid NOT NULL,
  as_of date NOT NULL,
  documents int8 NOT NULL,
  receipts int8 NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, as_of)
);

CREATE TABLE collections_ar_snapshot_document (
  company_id uuid NOT NULL,
  as_of date NOT NULL,
  document_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  currency char(3) NOT NULL,
  doc_type text NOT NULL,
  document_date date NOT NULL,
  due_date date NOT NULL,
  open_minor int8 NOT NULL,
  open_base_minor int8 NOT NULL,
  PRIMARY KEY (company_id, as_of, document_id)
);
-- Documents dated after the snapshot (cash applied ahead of them) are few and looked up by date.
CREATE INDEX collections_ar_snapshot_document_ahead_idx ON collections_ar_snapshot_document (company_id, as_of, document_id)
  WHERE document_date > as_of;

CREATE TABLE collections_ar_snapshot_receipt (
  company_id uuid NOT NULL,
  as_of date NOT NULL,
  receipt_id uuid NOT NULL,
  unapplied_minor int8 NOT NULL,
  unapplied_base_minor int8 NOT NULL,
  on_account_minor int8 NOT NULL,
  on_account_base_minor int8 NOT NULL,
  PRIMARY KEY (company_id, as_of, receipt_id)
);

CREATE FUNCTION collections_ar_snapshot_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'document' THEN
    DELETE FROM collections_ar_snapshot s
     USING (SELECT company_id, min(document_date) AS d FROM new_rows GROUP BY company_id) n
     WHERE s.company_id = n.company_id AND s.as_of >= n.d;
  ELSIF TG_TABLE_NAME = 'receipt' THEN
    DELETE FROM collections_ar_snapshot s
     USING (SELECT company_id, min(receipt_date) AS d FROM new_rows GROUP BY company_id) n
     WHERE s.company_id = n.company_id AND s.as_of >= n.d;
  ELSE
    DELETE FROM collections_ar_snapshot s
     USING (SELECT company_id, min(posting_date) AS d FROM new_rows GROUP BY company_id) n
     WHERE s.company_id = n.company_id AND s.as_of >= n.d;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER collections_ar_snapshot_document AFTER INSERT ON document
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_ar_snapshot_invalidate();
CREATE TRIGGER collections_ar_snapshot_receipt AFTER INSERT ON receipt
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_ar_snapshot_invalidate();
CREATE TRIGGER collections_ar_snapshot_application AFTER INSERT ON application
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_ar_snapshot_invalidate();
CREATE TRIGGER collections_ar_snapshot_adjustment AFTER INSERT ON adjustment
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_ar_snapshot_invalidate();
CREATE TRIGGER collections_ar_snapshot_revision AFTER INSERT ON document_revision
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_ar_snapshot_invalidate();
`;

/**
 * Per customer at each snapshot: the documents' part of AR on its date (on-account credits are
 * read from the snapshot's receipts, whose customer may still change), its past-due and over-90
 * parts, and the month's credit sales and payment figures ([first of the month, the date], as the
 * metrics count them with the period ending on the date). `summarized` marks the heads that have them.
 */
const SNAPSHOT_SUMMARY = sql`
ALTER TABLE collections_ar_snapshot ADD COLUMN summarized boolean NOT NULL DEFAULT false;

CREATE TABLE collections_ar_snapshot_customer (
  company_id uuid NOT NULL,
  as_of date NOT NULL,
  customer_id uuid,
  ar_base_minor int8 NOT NULL,
  past_due_base_minor int8 NOT NULL,
  over_90_base_minor int8 NOT NULL,
  sales_base_minor int8 NOT NULL,
  pay_count int8 NOT NULL,
  pay_days_sum int8 NOT NULL,
  pay_beyond_sum int8 NOT NULL,
  pay_weight int8 NOT NULL,
  pay_days_weighted numeric NOT NULL,
  pay_beyond_weighted numeric NOT NULL
);
CREATE INDEX collections_ar_snapshot_customer_idx ON collections_ar_snapshot_customer (company_id, as_of, customer_id);
`;

/**
 * The snapshot's documents are read whole for one date: the primary key carries every column, so
 * the read is an index-only range scan of that date's entries, not a scan of every snapshot's rows
 * (which the planner preferred, one snapshot being a small share of the table).
 */
const SNAPSHOT_COVERING = sql`
ALTER TABLE collections_ar_snapshot_document DROP CONSTRAINT collections_ar_snapshot_document_pkey,
  ADD CONSTRAINT collections_ar_snapshot_document_pkey PRIMARY KEY (company_id, as_of, document_id)
    INCLUDE (customer_id, currency, doc_type, document_date, due_date, open_minor, open_base_minor);
ALTER TABLE collections_ar_snapshot_receipt DROP CONSTRAINT collections_ar_snapshot_receipt_pkey,
  ADD CONSTRAINT collections_ar_snapshot_receipt_pkey PRIMARY KEY (company_id, as_of, receipt_id)
    INCLUDE (unapplied_minor, unapplied_base_minor, on_account_minor, on_account_base_minor);
`;

/**
 * The snapshot's receipts carry their customer, currency and date, so a read need not fetch each
 * receipt by key (random reads of a large table). A receipt's customer can change (unidentified
 * cash identified, a receipt reassigned): a row trigger, fired only when the customer really
 * changes, carries the change into the snapshots, where the rebuild would read today's customer.
 */
const SNAPSHOT_RECEIPT_COLUMNS = sql`
ALTER TABLE collections_ar_snapshot_receipt ADD COLUMN customer_id uuid, ADD COLUMN currency char(3),
  ADD COLUMN receipt_date date;
UPDATE collections_ar_snapshot_receipt s SET customer_id = r.customer_id, currency = r.currency, receipt_date = r.receipt_date
  FROM receipt r WHERE r.company_id = s.company_id AND r.receipt_id = s.receipt_id;
ALTER TABLE collections_ar_snapshot_receipt ALTER COLUMN currency SET NOT NULL, ALTER COLUMN receipt_date SET NOT NULL;
CREATE INDEX collections_ar_snapshot_receipt_id_idx ON collections_ar_snapshot_receipt (company_id, receipt_id);

CREATE FUNCTION collections_ar_snapshot_receipt_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collections_ar_snapshot_receipt SET customer_id = NEW.customer_id
   WHERE company_id = NEW.company_id AND receipt_id = NEW.receipt_id;
  RETURN NULL;
END $$;

CREATE TRIGGER collections_ar_snapshot_receipt_customer AFTER UPDATE OF customer_id ON receipt
  FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
  EXECUTE FUNCTION collections_ar_snapshot_receipt_customer();
`;

/**
 * The countback reads the summaries' monthly sales: the newest months for every customer (by date,
 * then customer) and older months for the customers those leave unexhausted (by customer, then
 * date). Both indexes carry the sales, so each read is an index-only scan.
 */
const SNAPSHOT_CUSTOMER_SALES = sql`
DROP INDEX collections_ar_snapshot_customer_idx;
CREATE INDEX collections_ar_snapshot_customer_idx ON collections_ar_snapshot_customer (company_id, as_of, customer_id)
  INCLUDE (sales_base_minor);
CREATE INDEX collections_ar_snapshot_customer_sales_idx ON collections_ar_snapshot_customer (company_id, customer_id, as_of)
  INCLUDE (sales_base_minor);
`;

/**
 * Aging from a snapshot sums the snapshot's documents per customer and currency: an index in that
 * order holding every column the pivot reads lets it stream them (an index-only scan summed as it
 * goes) instead of hashing a million rows. Built over the snapshots already taken.
 */
const SNAPSHOT_PIVOT = sql`
CREATE INDEX collections_ar_snapshot_document_pivot_idx
  ON collections_ar_snapshot_document (company_id, as_of, customer_id, currency)
  INCLUDE (document_id, doc_type, document_date, due_date, open_minor, open_base_minor);
`;

/**
 * A month's countback DSO, kept at its close: per customer (and for the whole portfolio on the
 * head) the integers the walk back through the monthly sales ends with (see countback.ts), and the
 * AR they were counted for. The AR can still change after the close (an on-account receipt moved
 * to another customer), so a kept countback is used only while its AR is the AR of the day; the
 * head's `countback_months` says over how many months they were walked (null: not kept).
 */
const SNAPSHOT_COUNTBACKS = sql`
ALTER TABLE collections_ar_snapshot_customer ADD COLUMN cb_ar_minor int8, ADD COLUMN cb_days_before int4,
  ADD COLUMN cb_remaining_minor int8, ADD COLUMN cb_sales_minor int8, ADD COLUMN cb_month_days int4;
ALTER TABLE collections_ar_snapshot ADD COLUMN countback_months int2 CHECK (countback_months BETWEEN 1 AND 240),
  ADD COLUMN cb_ar_minor int8, ADD COLUMN cb_days_before int4, ADD COLUMN cb_remaining_minor int8,
  ADD COLUMN cb_sales_minor int8, ADD COLUMN cb_month_days int4;
`;

/**
 * The summaries carry each customer's on-account credits at the snapshot, so a closed month's
 * metrics read two summaries (one index-only scan each, joined on the customer) and not the
 * snapshots' receipts too. A receipt's customer can still change (the snapshots' receipts follow it,
 * migration 0018): the summaries that counted its on-account credit are then marked unsummarized,
 * read no more, and summarized again at the next close. One index in (date, customer) order covers
 * every figure the metrics read.
 */
const SUMMARY_ON_ACCOUNT = sql`
ALTER TABLE collections_ar_snapshot_customer ADD COLUMN on_account_base_minor int8 NOT NULL DEFAULT 0;

CREATE TEMPORARY TABLE collections_on_account ON COMMIT DROP AS
SELECT r.company_id, r.as_of, r.customer_id, sum(r.on_account_base_minor)::int8 AS oa
  FROM collections_ar_snapshot_receipt r
  JOIN collections_ar_snapshot h ON h.company_id = r.company_id AND h.as_of = r.as_of AND h.summarized
 WHERE r.on_account_base_minor <> 0
 GROUP BY 1, 2, 3;
UPDATE collections_ar_snapshot_customer s SET on_account_base_minor = o.oa
  FROM collections_on_account o
 WHERE s.company_id = o.company_id AND s.as_of = o.as_of AND s.customer_id = o.customer_id;
INSERT INTO collections_ar_snapshot_customer (company_id, as_of, customer_id, ar_base_minor, past_due_base_minor,
  over_90_base_minor, sales_base_minor, pay_count, pay_days_sum, pay_beyond_sum, pay_weight, pay_days_weighted,
  pay_beyond_weighted, on_account_base_minor)
SELECT o.company_id, o.as_of, o.customer_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, o.oa
  FROM collections_on_account o
  -- Unidentified cash on account (no customer) matches no row: the documents always have a customer.
  LEFT JOIN collections_ar_snapshot_customer s
    ON s.company_id = o.company_id AND s.as_of = o.as_of AND s.customer_id = o.customer_id
 WHERE s.company_id IS NULL;

DROP INDEX collections_ar_snapshot_customer_idx;
CREATE INDEX collections_ar_snapshot_customer_idx ON collections_ar_snapshot_customer (company_id, as_of, customer_id)
  INCLUDE (ar_base_minor, on_account_base_minor, past_due_base_minor, over_90_base_minor, sales_base_minor, pay_count,
           pay_days_sum, pay_beyond_sum, pay_weight, pay_days_weighted, pay_beyond_weighted, cb_ar_minor, cb_days_before,
           cb_remaining_minor, cb_sales_minor, cb_month_days);

CREATE OR REPLACE FUNCTION collections_ar_snapshot_receipt_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collections_ar_snapshot_receipt SET customer_id = NEW.customer_id
   WHERE company_id = NEW.company_id AND receipt_id = NEW.receipt_id;
  UPDATE collections_ar_snapshot h SET summarized = false, countback_months = NULL
   WHERE h.company_id = NEW.company_id AND h.summarized
     AND h.as_of IN (SELECT r.as_of FROM collections_ar_snapshot_receipt r
                      WHERE r.company_id = NEW.company_id AND r.receipt_id = NEW.receipt_id
                        AND r.on_account_base_minor <> 0);
  RETURN NULL;
END $$;
`;

/**
 * Each closed month's open-item changes, day by day (see src/collections/changes.ts): per document
 * and receipt line, on each day its open amount (or due date) changed, the signed change, keyed as
 * the aging buckets it (due date in force that day). AR on a day inside a closed month is then the
 * previous month end's snapshot plus a range of these rows, with no per-document work at report
 * time. The head's `changes_from` says the rows for (changes_from, as_of] are complete; like the
 * snapshot, they are read only through a valid head (the invalidation triggers drop it). A
 * receipt's rows follow its customer, as the snapshots' receipts do.
 */
const AR_CHANGES = sql`
CREATE TABLE collections_ar_change (
  company_id uuid NOT NULL,
  change_date date NOT NULL,
  item_id uuid NOT NULL,
  customer_id uuid,
  currency char(3) NOT NULL,
  doc_type text NOT NULL,
  document_date date NOT NULL,
  due_date date,
  minor int8 NOT NULL,
  base_minor int8 NOT NULL,
  items int2 NOT NULL CHECK (items BETWEEN -1 AND 1)
);
CREATE INDEX collections_ar_change_date_idx ON collections_ar_change (company_id, change_date)
  INCLUDE (customer_id, currency, doc_type, document_date, due_date, minor, base_minor, items, item_id);
CREATE INDEX collections_ar_change_item_idx ON collections_ar_change (company_id, item_id);
ALTER TABLE collections_ar_snapshot ADD COLUMN changes_from date;

CREATE OR REPLACE FUNCTION collections_ar_snapshot_receipt_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collections_ar_snapshot_receipt SET customer_id = NEW.customer_id
   WHERE company_id = NEW.company_id AND receipt_id = NEW.receipt_id;
  UPDATE collections_ar_change SET customer_id = NEW.customer_id
   WHERE company_id = NEW.company_id AND item_id = NEW.receipt_id;
  UPDATE collections_ar_snapshot h SET summarized = false, countback_months = NULL
   WHERE h.company_id = NEW.company_id AND h.summarized
     AND h.as_of IN (SELECT r.as_of FROM collections_ar_snapshot_receipt r
                      WHERE r.company_id = NEW.company_id AND r.receipt_id = NEW.receipt_id
                        AND r.on_account_base_minor <> 0);
  RETURN NULL;
END $$;
`;

/**
 * The open month's change log (see refreshOpenChanges in src/collections/changes.ts): the rows of
 * collections_ar_change after the latest snapshot, kept up to a day (nightly: up to yesterday) so
 * aging inside the month still open reads them too. Postings still arrive in that month, many of
 * them back-dated, and a trigger that dropped its head (as a snapshot's is dropped) could not see a
 * refresh still running, which would miss the posting and then mark the stretch complete. So
 * every insert into the history, and every receipt given a customer, leaves a mark with its
 * earliest date in `collections_ar_history_mark`, in the posting's own transaction. A refresh reads
 * the history and deletes the marks in one REPEATABLE READ snapshot: a mark it did not see belongs
 * to a posting it did not see. A reader takes the log only up to the day before the earliest mark
 * left. Marks are one row per statement (per receipt identified), cleared by each refresh and each
 * snapshot taken (which ends the open stretch's log).
 */
const OPEN_CHANGES = sql`
CREATE TABLE collections_ar_change_open (
  company_id uuid PRIMARY KEY,
  changes_from date NOT NULL,
  changes_to date NOT NULL CHECK (changes_to > changes_from),
  rows int8 NOT NULL,
  refreshed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE collections_ar_history_mark (
  company_id uuid NOT NULL,
  from_date date NOT NULL
);
CREATE INDEX collections_ar_history_mark_idx ON collections_ar_history_mark (company_id, from_date);

CREATE OR REPLACE FUNCTION collections_ar_snapshot_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'document' THEN
    WITH n AS (SELECT company_id, min(document_date) AS d FROM new_rows GROUP BY company_id),
         m AS (INSERT INTO collections_ar_history_mark (company_id, from_date) SELECT company_id, d FROM n)
    DELETE FROM collections_ar_snapshot s USING n WHERE s.company_id = n.company_id AND s.as_of >= n.d;
  ELSIF TG_TABLE_NAME = 'receipt' THEN
    WITH n AS (SELECT company_id, min(receipt_date) AS d FROM new_rows GROUP BY company_id),
         m AS (INSERT INTO collections_ar_history_mark (company_id, from_date) SELECT company_id, d FROM n)
    DELETE FROM collections_ar_snapshot s USING n WHERE s.company_id = n.company_id AND s.as_of >= n.d;
  ELSE
    WITH n AS (SELECT company_id, min(posting_date) AS d FROM new_rows GROUP BY company_id),
         m AS (INSERT INTO collections_ar_history_mark (company_id, from_date) SELECT company_id, d FROM n)
    DELETE FROM collections_ar_snapshot s USING n WHERE s.company_id = n.company_id AND s.as_of >= n.d;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION collections_ar_snapshot_receipt_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collections_ar_snapshot_receipt SET customer_id = NEW.customer_id
   WHERE company_id = NEW.company_id AND receipt_id = NEW.receipt_id;
  UPDATE collections_ar_change SET customer_id = NEW.customer_id
   WHERE company_id = NEW.company_id AND item_id = NEW.receipt_id;
  -- A refresh running now may write this receipt's open-month rows under its old customer.
  INSERT INTO collections_ar_history_mark (company_id, from_date) VALUES (NEW.company_id, NEW.receipt_date);
  UPDATE collections_ar_snapshot h SET summarized = false, countback_months = NULL
   WHERE h.company_id = NEW.company_id AND h.summarized
     AND h.as_of IN (SELECT r.as_of FROM collections_ar_snapshot_receipt r
                      WHERE r.company_id = NEW.company_id AND r.receipt_id = NEW.receipt_id
                        AND r.on_account_base_minor <> 0);
  RETURN NULL;
END $$;
`;

/**
 * Today's aging by customer, kept (see aging-cache.ts): the summary's batches as of a day, built by
 * the nightly refresh, and the customers whose figures may have moved since (written by the
 * statements that move them, in their own transaction), whose groups a reader recomputes. Each
 * batch holds its groups as JSON text in AgingGroupPivot's shape: text, because the reader parses
 * one batch at a time itself (a json column read as text is cast, which doubled the read).
 * `collections_aging_dirty` is an append-only list (no key, so concurrent postings never wait on
 * each other); a build clears what its snapshot saw.
 */
const AGING_CACHE = sql`
CREATE TABLE collections_aging_today (
  company_id uuid PRIMARY KEY,
  as_of date NOT NULL,
  thresholds int4[] NOT NULL,
  basis text NOT NULL CHECK (basis IN ('due', 'invoice')),
  aged_credits boolean NOT NULL,
  disputed_customers uuid[] NOT NULL,
  groups int8 NOT NULL CHECK (groups >= 0),
  built_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE collections_aging_today_batch (
  company_id uuid NOT NULL,
  batch_no int4 NOT NULL CHECK (batch_no >= 0),
  groups text NOT NULL,
  PRIMARY KEY (company_id, batch_no)
);

CREATE TABLE collections_aging_dirty (
  company_id uuid NOT NULL,
  customer_id uuid
);
CREATE INDEX collections_aging_dirty_idx ON collections_aging_dirty (company_id, customer_id);

-- A document or receipt inserted, or updated in what today's aging reads; a customer renumbered
-- or renamed (the report's order and heads). A null customer: cash of no customer.
CREATE FUNCTION collections_aging_dirty_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO collections_aging_dirty (company_id, customer_id)
    SELECT DISTINCT company_id, customer_id FROM new_rows;
  ELSIF TG_TABLE_NAME = 'document' THEN
    INSERT INTO collections_aging_dirty (company_id, customer_id)
    SELECT n.company_id, n.customer_id FROM new_rows n JOIN old_rows o USING (company_id, document_id)
     WHERE (n.customer_id, n.currency, n.doc_type, n.document_date, n.due_date, n.open_minor, n.open_base_minor)
           IS DISTINCT FROM (o.customer_id, o.currency, o.doc_type, o.document_date, o.due_date, o.open_minor, o.open_base_minor)
    UNION
    SELECT o.company_id, o.customer_id FROM new_rows n JOIN old_rows o USING (company_id, document_id)
     WHERE n.customer_id IS DISTINCT FROM o.customer_id;
  ELSIF TG_TABLE_NAME = 'receipt' THEN
    INSERT INTO collections_aging_dirty (company_id, customer_id)
    SELECT n.company_id, n.customer_id FROM new_rows n JOIN old_rows o USING (company_id, receipt_id)
     WHERE (n.customer_id, n.currency, n.receipt_date, n.unapplied_minor, n.unapplied_base_minor,
            n.on_account_minor, n.on_account_base_minor)
           IS DISTINCT FROM (o.customer_id, o.currency, o.receipt_date, o.unapplied_minor, o.unapplied_base_minor,
                             o.on_account_minor, o.on_account_base_minor)
    UNION
    SELECT o.company_id, o.customer_id FROM new_rows n JOIN old_rows o USING (company_id, receipt_id)
     WHERE n.customer_id IS DISTINCT FROM o.customer_id;
  ELSE
    INSERT INTO collections_aging_dirty (company_id, customer_id)
    SELECT n.company_id, n.customer_id FROM new_rows n JOIN old_rows o USING (company_id, customer_id)
     WHERE (n.customer_number, n.name) IS DISTINCT FROM (o.customer_number, o.name);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER collections_aging_document_insert AFTER INSERT ON document
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_aging_dirty_rows();
CREATE TRIGGER collections_aging_document_update AFTER UPDATE ON document
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_aging_dirty_rows();
CREATE TRIGGER collections_aging_receipt_insert AFTER INSERT ON receipt
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_aging_dirty_rows();
CREATE TRIGGER collections_aging_receipt_update AFTER UPDATE ON receipt
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_aging_dirty_rows();
CREATE TRIGGER collections_aging_customer_update AFTER UPDATE ON customer
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION collections_aging_dirty_rows();
`;

/**
 * The countback's newest months for every group (countback.ts, monthlySource) read each customer's
 * sales at eight month ends. Since 0022 the (company, as_of, customer) index of 0020 carries every
 * figure a summary gives, so at 10M invoices the planner read the whole table instead (2.3M rows for
 * the 0.75M it needs, 0.3–0.4 s): a narrow index of the months with sales makes that read an
 * index-only range scan per month end (the countback query by collector 0.73 → 0.52–0.63 s).
 */
const SNAPSHOT_MONTH_SALES = sql`
CREATE INDEX collections_ar_snapshot_customer_month_sales_idx ON collections_ar_snapshot_customer (company_id, as_of)
  INCLUDE (customer_id, sales_base_minor) WHERE sales_base_minor <> 0;
`;

/**
 * Today's aging kept per customer and currency as well (beside the report-ordered batches of
 * 0025): the pivot the batches were built from, so a report by collector or currency sums a
 * hundred thousand kept rows instead of a million open items. One int8 per pivot code in `m`
 * (and in `b`, outside the base currency); the disputed part in `dm`, `db`. Written and read with
 * the batches (aging-cache.ts); the hierarchy, collectors and names are joined when read.
 */
const AGING_CACHE_PIVOT = sql`
CREATE TABLE collections_aging_today_pivot (
  company_id uuid NOT NULL,
  customer_id uuid,
  currency char(3) NOT NULL,
  m int8[] NOT NULL,
  b int8[],
  items int8 NOT NULL CHECK (items >= 0),
  dm int8 NOT NULL,
  db int8
);
CREATE INDEX collections_aging_today_pivot_idx ON collections_aging_today_pivot (company_id, customer_id, currency);
`;

export const collectionsMigrations: Record<string, Migration> = {
  '0007_collections': {
    async up(db: Kysely<unknown>) {
      await INDEXES.execute(db);
    },
  },
  // Numbered after the lead's 0014 (imports/ledger) so the two never clash.
  '0015_collections_ar_snapshots': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOTS.execute(db);
    },
  },
  '0016_collections_ar_snapshot_summary': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOT_SUMMARY.execute(db);
    },
  },
  '0017_collections_ar_snapshot_covering': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOT_COVERING.execute(db);
    },
  },
  '0018_collections_ar_snapshot_receipt_columns': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOT_RECEIPT_COLUMNS.execute(db);
    },
  },
  '0019_collections_ar_snapshot_pivot': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOT_PIVOT.execute(db);
    },
  },
  '0020_collections_ar_snapshot_customer_sales': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOT_CUSTOMER_SALES.execute(db);
    },
  },
  '0021_collections_ar_snapshot_countbacks': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOT_COUNTBACKS.execute(db);
    },
  },
  '0022_collections_ar_summary_on_account': {
    async up(db: Kysely<unknown>) {
      await SUMMARY_ON_ACCOUNT.execute(db);
    },
  },
  '0023_collections_ar_changes': {
    async up(db: Kysely<unknown>) {
      await AR_CHANGES.execute(db);
    },
  },
  '0024_collections_ar_open_changes': {
    async up(db: Kysely<unknown>) {
      await OPEN_CHANGES.execute(db);
    },
  },
  '0025_collections_aging_today': {
    async up(db: Kysely<unknown>) {
      await AGING_CACHE.execute(db);
    },
  },
  '0026_collections_aging_today_pivot': {
    async up(db: Kysely<unknown>) {
      await AGING_CACHE_PIVOT.execute(db);
    },
  },
  '0027_collections_snapshot_month_sales': {
    async up(db: Kysely<unknown>) {
      await SNAPSHOT_MONTH_SALES.execute(db);
    },
  },
};
