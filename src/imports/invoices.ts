import type { CompanyContext } from '../ledger/context.js';
import { docSign } from '../ledger/core/postings.js';
import { postEntries } from '../ledger/journal-store.js';
import { toBase } from '../ledger/operations.js';
import type { SqlClient } from '../store/client.js';
import { restoreAfterBulkLoad, type SetAside, setAsideForBulkLoad } from './bulk-load.js';
import { CopyBuffer } from './csv-out.js';
import type { RowError } from './errors.js';
import { addDays, type FieldReader } from './fields.js';
import { newId } from './ids.js';
import { loadRates, type RateTable } from './rates.js';
import type { ImportHandler } from './runner.js';

interface CustomerTerms {
  id: string;
  currency: string;
  termsDays: number;
  discountPercent: string;
  discountDays: number;
}

interface StagedDocument {
  line: number;
  documentId: string;
  number: string;
  customerId: string;
  docType: 'invoice' | 'credit_memo' | 'debit_memo';
  documentDate: string;
  dueDate: string;
  discountDate: string | null;
  discountPercent: string;
  currency: string;
  fxRate: string;
  amountMinor: number;
  baseAmountMinor: number;
  poNumber: string | null;
  salesRep: string | null;
  description: string | null;
  externalId: string | null;
}

const TYPE_ALIASES: Record<string, 'invoice' | 'credit_memo' | 'debit_memo'> = {
  inv: 'invoice',
  credit: 'credit_memo',
  creditmemo: 'credit_memo',
  cm: 'credit_memo',
  credit_note: 'credit_memo',
  debit: 'debit_memo',
  debitmemo: 'debit_memo',
  dm: 'debit_memo',
};

/** What a first import merges while it reads: the summary entries its documents already name. */
interface EarlyMerge {
  /** Still merging batches as they come: no batch has yet met a number already in the ledger. */
  on: boolean;
  /** Every staged line up to here is in `document` already (0: none). */
  maxLine: number;
  inserted: number;
  /** By posting date, currency and direction: the entry id (made up front) and the totals so far. */
  groups: Map<string, EntryGroup>;
}

interface EntryGroup {
  documentDate: string;
  currency: string;
  credit: boolean;
  entryId: string;
  amount: number;
  base: number;
  n: number;
}

const STAGE_COLUMNS = `line, document_id, document_number, customer_id, doc_type, document_date, due_date, discount_date,
  discount_percent, currency, fx_rate, amount_minor, base_amount_minor, po_number, sales_rep, description, external_id`;

export function invoicesHandler(
  ctx: CompanyContext,
  file: string,
  actor: string,
  importId: string,
): ImportHandler<StagedDocument> {
  const customers = new Map<string, CustomerTerms>();
  let rates: RateTable;
  let closedPeriods: { start: string; end: string }[] = [];
  const early: EarlyMerge = { on: true, maxLine: 0, inserted: 0, groups: new Map() };
  /** Rows staged for the merge after reading: those not merged early. */
  let stagedLate = 0;
  let matched = false;
  /** The document indexes and foreign key dropped for a first load as big as the ledger, if any. */
  let setAside: SetAside | null = null;

  /** The summary entry a new document belongs to, made the first time its group is seen. */
  const groupOf = (s: StagedDocument): EntryGroup => {
    const credit = s.docType === 'credit_memo';
    const key = `${s.documentDate}|${s.currency}|${credit ? 'c' : 'd'}`;
    let group = early.groups.get(key);
    if (group === undefined) {
      group = {
        documentDate: s.documentDate,
        currency: s.currency,
        credit,
        entryId: newId(),
        amount: 0,
        base: 0,
        n: 0,
      };
      early.groups.set(key, group);
    }
    return group;
  };

  /** COPYs a batch into `document`; false, with nothing done, if a constraint refused it. */
  const mergeBatch = async (client: SqlClient, documents: Uint8Array): Promise<boolean> => {
    await client.query('SAVEPOINT openar_import_batch');
    try {
      await client.copyFromCsv(`COPY document (${DOCUMENT_COLUMNS}) FROM STDIN WITH (FORMAT csv)`, documents);
    } catch (error) {
      if (!isConstraintViolation(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT openar_import_batch');
      await client.query('RELEASE SAVEPOINT openar_import_batch');
      return false;
    }
    await client.query('RELEASE SAVEPOINT openar_import_batch');
    return true;
  };
  /** The constant ends of a document's COPY line. */
  const documentPrefix = `${ctx.companyId},`;
  const documentSuffix = `,${importId},${quoted(actor)}\n`;
  /** Lines of batches begun early but not merged: staged after reading, from the file again. */
  const restage: [number, number][] = [];

  return {
    stageTable: 'stage_document',
    targetTables: ['document', 'document_revision', 'journal_entry', 'journal_line'],
    async prepare(client, { fileBytes, bulkLoadMinRows }) {
      setAside = await setAsideForBulkLoad(
        client,
        'document',
        fileBytes / MAX_BYTES_PER_ROW,
        bulkLoadMinRows,
      );
      // No primary key: a COPY into an indexed table costs several times more, and the checks
      // join by line with hashes.
      await client.query(`CREATE TEMP TABLE stage_document (
        line int4, document_id uuid, document_number text, customer_id uuid,
        doc_type text, document_date date, due_date date, discount_date date, discount_percent numeric, currency text,
        fx_rate numeric, amount_minor int8, base_amount_minor int8, po_number text, sales_rep text, description text,
        external_id text) ON COMMIT DROP`);
      // One pass over the customers, kept in memory: validation then never queries per row.
      const { rows } = await client.query<{
        customer_id: string;
        customer_number: string;
        currency: string;
        terms_days: number;
        discount_percent: string;
        discount_days: number;
      }>(
        'SELECT customer_id, customer_number, currency, terms_days, discount_percent, discount_days FROM customer WHERE company_id = $1',
        [ctx.companyId],
      );
      for (const c of rows) {
        customers.set(c.customer_number, {
          id: c.customer_id,
          currency: c.currency.trim(),
          termsDays: c.terms_days,
          discountPercent: c.discount_percent,
          discountDays: c.discount_days,
        });
      }
      rates = await loadRates(client, ctx);
      const closed = await client.query<{ start_date: string; end_date: string }>(
        "SELECT start_date, end_date FROM fiscal_period WHERE company_id = $1 AND status = 'closed'",
        [ctx.companyId],
      );
      closedPeriods = closed.rows.map((p) => ({ start: p.start_date, end: p.end_date }));
    },

    validate(r: FieldReader, line: number) {
      const number = r.text('invoice_number', { required: true, max: 100 });
      const customerNumber = r.text('customer_id', { required: true, max: 100 });
      const customer = customerNumber === null ? undefined : customers.get(customerNumber);
      if (customerNumber !== null && customer === undefined) {
        r.errors.push({
          file,
          line,
          column: 'customer_id',
          expected: 'a customer_id that has been imported',
          found: customerNumber,
        });
      }
      const docType = r.oneOf(
        'type',
        ['invoice', 'credit_memo', 'debit_memo'] as const,
        'invoice',
        TYPE_ALIASES,
      );
      const documentDate = r.date('invoice_date', { required: true });
      const dueDate = r.date('due_date');
      const currency = r.currency('currency', customer?.currency ?? null);
      const amountMinor = r.amountMinor('amount', currency, { required: true, positive: true });
      let fxRate = r.rate('fx_rate');
      if (!customer || !docType || !documentDate || !currency || amountMinor === null || number === null)
        return null;
      if (currency === ctx.baseCurrency) fxRate = '1';
      else if (fxRate === null) {
        fxRate = rates.rateOn(currency, documentDate);
        if (fxRate === null) {
          r.errors.push({
            file,
            line,
            column: 'fx_rate',
            expected: `an exchange rate for ${currency} on ${documentDate} (in the file or the rate table)`,
          });
          return null;
        }
      }
      const due =
        dueDate ?? (docType === 'credit_memo' ? documentDate : addDays(documentDate, customer.termsDays));
      const hasDiscount = docType === 'invoice' && /[1-9]/.test(customer.discountPercent);
      // A new document dated in a closed period is refused, but only a set-based check after
      // reading knows whether the number is new: merging early stops here.
      if (early.on && closedPeriods.some((p) => documentDate >= p.start && documentDate <= p.end))
        early.on = false;
      return {
        line,
        documentId: newId(),
        number,
        customerId: customer.id,
        docType,
        documentDate,
        dueDate: due,
        discountDate: hasDiscount ? addDays(documentDate, customer.discountDays) : null,
        discountPercent: hasDiscount ? customer.discountPercent : '0',
        currency,
        fxRate,
        amountMinor,
        baseAmountMinor: toBase(ctx, currency, amountMinor, fxRate),
        poNumber: r.text('po_number', { max: 100 }),
        salesRep: r.text('sales_rep', { max: 100 }),
        description: r.text('description', { max: 1000 }),
        externalId: r.text('external_id', { max: 200 }),
      };
    },

    copySql: `COPY stage_document (${STAGE_COLUMNS}) FROM STDIN WITH (FORMAT csv)`,
    toCopy: (s) => [
      s.line,
      s.documentId,
      s.number,
      s.customerId,
      s.docType,
      s.documentDate,
      s.dueDate,
      s.discountDate,
      s.discountPercent,
      s.currency,
      s.fxRate,
      s.amountMinor,
      s.baseAmountMinor,
      s.poNumber,
      s.salesRep,
      s.description,
      s.externalId,
    ],

    /**
     * A first import (no number of the file in the ledger yet) COPYs each batch straight into
     * `document` as it comes, while node reads the next, each batch in a savepoint, and stages only
     * its lines and numbers (what the duplicate check needs). The first batch that meets a number
     * already there (a re-import, a duplicate in the file, anything a constraint refuses) is rolled
     * back to its savepoint; it, the batch read meanwhile, and every batch after them are staged
     * whole for the checks and the merge after reading, which then see exactly the rows they saw
     * before. The summary journal entries are posted at the end with the totals; their ids are made
     * up front so the documents can name them.
     */
    newBatch() {
      // Begun early: COPY lines for `document` (and lines and numbers for the stage); else full
      // lines for the stage.
      const begunEarly = early.on;
      const main = new CopyBuffer(begunEarly ? 8 << 20 : 6 << 20);
      const numbers = begunEarly ? new CopyBuffer(1 << 20) : null;
      const totals = new Map<EntryGroup, { amount: number; base: number; n: number }>();
      let rows = 0;
      let firstLine = 0;
      let lastLine = 0;
      return {
        get rows() {
          return rows;
        },
        add(s: StagedDocument) {
          if (rows++ === 0) firstLine = s.line;
          lastLine = s.line;
          if (numbers === null) {
            main.append(stageLine(s));
            return;
          }
          const group = groupOf(s);
          const t = totals.get(group);
          if (t === undefined) totals.set(group, { amount: s.amountMinor, base: s.baseAmountMinor, n: 1 });
          else {
            t.amount += s.amountMinor;
            t.base += s.baseAmountMinor;
            t.n++;
          }
          main.append(documentPrefix + documentLine(s, group.entryId) + documentSuffix);
          numbers.append(`${s.line},${quoted(s.number)}\n`);
        },
        async load(client: SqlClient, failing: boolean) {
          if (failing) early.on = false;
          if (numbers === null) {
            await client.copyFromCsv(STAGE_COPY, main.data());
            stagedLate += rows;
            return;
          }
          if (early.on && (await mergeBatch(client, main.data()))) {
            early.inserted += rows;
            early.maxLine = lastLine;
            for (const [group, t] of totals) {
              group.amount += t.amount;
              group.base += t.base;
              group.n += t.n;
            }
            await client.copyFromCsv(
              'COPY stage_document (line, document_number) FROM STDIN WITH (FORMAT csv)',
              numbers.data(),
            );
            return;
          }
          early.on = false;
          restage.push([firstLine, lastLine]);
          stagedLate += rows;
        },
      };
    },

    async loaded(client, readAgain) {
      if (restage.length > 0) {
        // At most the batch refused and the one read while it loaded: read again from the file,
        // validated as before (the same rows pass), and staged whole.
        const text = new CopyBuffer(6 << 20);
        let rows = 0;
        await readAgain(restage, (s) => {
          text.append(stageLine(s));
          rows++;
        });
        if (rows > 0) await client.copyFromCsv(STAGE_COPY, text.data());
      }
      if (stagedLate > 0) await client.query('ANALYZE stage_document');
    },

    async check(client) {
      // Rows merged early are new documents in open periods that no other row or document shares a
      // number with (the unique key saw to that): nothing to check unless rows were staged.
      if (stagedLate === 0) return [];
      // Documents of this import (merged early) are not matches: a staged row with their number
      // repeats a line of the file, which the duplicate check reports.
      await client.query(
        `CREATE TEMP TABLE document_match ON COMMIT DROP AS
         SELECT s.line, d.document_id, d.customer_id, d.doc_type, d.currency, d.document_date, d.amount_minor,
                d.base_amount_minor, d.open_minor, d.open_base_minor, d.due_date, d.po_number, d.sales_rep,
                d.description, d.external_id, d.discount_date, d.discount_percent
           FROM stage_document s JOIN document d ON d.company_id = $1 AND d.document_number = s.document_number
          WHERE s.line > $2 AND d.import_id IS DISTINCT FROM $3`,
        [ctx.companyId, early.maxLine, importId],
      );
      matched = true;
      await client.query('CREATE INDEX ON document_match (line)');
      await client.query('ANALYZE document_match');
      const errors: RowError[] = [];
      // Duplicates within the file, found in SQL: a million numbers need no JS memory.
      const dups = await client.query<{ line: number; document_number: string; first_line: number }>(
        `SELECT line, document_number, first_line FROM (
           SELECT line, document_number, min(line) OVER (PARTITION BY document_number) AS first_line FROM stage_document) s
          WHERE line <> first_line ORDER BY line`,
      );
      for (const d of dups.rows) {
        errors.push({
          file,
          line: d.line,
          column: 'invoice_number',
          expected: `a number not already on line ${d.first_line}`,
          found: d.document_number,
        });
      }
      // Compared as whole rows first: only the few that differ are expanded column by column.
      const immutable = await client.query<{ line: number; column: string; old: string; new: string }>(
        `SELECT s.line, x.col AS "column", x.old, x.new FROM stage_document s JOIN document_match m USING (line)
           CROSS JOIN LATERAL (VALUES
             ('customer_id', m.customer_id::text, s.customer_id::text),
             ('type', m.doc_type, s.doc_type),
             ('currency', m.currency::text, s.currency),
             ('invoice_date', m.document_date::text, s.document_date::text)) AS x(col, old, new)
          WHERE (m.customer_id, m.doc_type, m.currency::text, m.document_date)
                IS DISTINCT FROM (s.customer_id, s.doc_type, s.currency, s.document_date)
            AND x.old IS DISTINCT FROM x.new ORDER BY s.line`,
      );
      for (const e of immutable.rows) {
        errors.push({
          file,
          line: e.line,
          column: e.column,
          expected: `the posted value ${e.old} (issue a credit memo and a new document to change it)`,
          found: e.new,
        });
      }
      const shrunk = await client.query<{ line: number; settled: number; amount_minor: number }>(
        `SELECT s.line, (m.amount_minor - m.open_minor)::int8 AS settled, s.amount_minor
           FROM stage_document s JOIN document_match m USING (line)
          WHERE s.amount_minor < m.amount_minor - m.open_minor ORDER BY s.line`,
      );
      for (const e of shrunk.rows) {
        errors.push({
          file,
          line: e.line,
          column: 'amount',
          expected: `at least the ${e.settled} minor units already paid or credited`,
          found: String(e.amount_minor),
        });
      }
      const closed = await client.query<{ line: number; period_code: string; document_date: string }>(
        `SELECT s.line, p.period_code, s.document_date FROM stage_document s
           JOIN fiscal_period p ON p.company_id = $1 AND p.status = 'closed' AND s.document_date BETWEEN p.start_date AND p.end_date
          WHERE s.line > $2 AND NOT EXISTS (SELECT 1 FROM document_match m WHERE m.line = s.line) ORDER BY s.line`,
        [ctx.companyId, early.maxLine],
      );
      for (const e of closed.rows) {
        errors.push({
          file,
          line: e.line,
          column: 'invoice_date',
          expected: `a date in an open period (${e.period_code} is closed)`,
          found: e.document_date,
        });
      }
      return errors;
    },

    async discard(client, lines) {
      await client.query('DELETE FROM stage_document WHERE line = ANY($1::int4[])', [lines]);
      if (matched) await client.query('DELETE FROM document_match WHERE line = ANY($1::int4[])', [lines]);
    },

    async merge(client, importId) {
      const inserted = await insertNew(client, ctx, importId, actor, early, matched);
      await restoreAfterBulkLoad(client, setAside);
      if (!matched) return { inserted, updated: 0, unchanged: 0 };
      const updated = await applyRevisions(client, ctx, importId, actor);
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int8 AS n FROM document_match');
      return { inserted, updated, unchanged: rows[0]!.n - updated };
    },
  };
}

const DOCUMENT_COLUMNS = `company_id, document_id, document_number, customer_id, doc_type, document_date, due_date,
  discount_date, discount_percent, currency, fx_rate, amount_minor, base_amount_minor, open_minor, open_base_minor,
  po_number, sales_rep, description, external_id, entry_id, import_id, created_by`;

/**
 * Bytes of the longest ordinary row of an invoices file (a canonical row is about 80): the file's
 * size over it is the fewest rows the file can hold, for the bulk-load decision.
 */
const MAX_BYTES_PER_ROW = 200;

const STAGE_COPY = `COPY stage_document (${STAGE_COLUMNS}) FROM STDIN WITH (FORMAT csv)`;

/** A constraint refused the statement (unique number, check): the batch goes the staged way. */
function isConstraintViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
}

const quoted = (text: string | null) =>
  text === null ? '' : `"${text.includes('"') ? text.replaceAll('"', '""') : text}"`;

/**
 * One row of the stage table for COPY (CSV): free text is quoted, the rest (ids, dates, codes,
 * numbers the validation made) never holds a comma, a quote or a line break.
 */
function stageLine(s: StagedDocument): string {
  return `${s.line},${s.documentId},${quoted(s.number)},${s.customerId},${s.docType},${s.documentDate},${s.dueDate},${
    s.discountDate ?? ''
  },${s.discountPercent},${s.currency},${s.fxRate},${s.amountMinor},${s.baseAmountMinor},${quoted(s.poNumber)},${quoted(
    s.salesRep,
  )},${quoted(s.description)},${quoted(s.externalId)}\n`;
}

/** The middle of a `document` COPY line (DOCUMENT_COLUMNS from document_id to entry_id): new, all open. */
function documentLine(s: StagedDocument, entryId: string): string {
  return `${s.documentId},${quoted(s.number)},${s.customerId},${s.docType},${s.documentDate},${s.dueDate},${
    s.discountDate ?? ''
  },${s.discountPercent},${s.currency},${s.fxRate},${s.amountMinor},${s.baseAmountMinor},${s.amountMinor},${
    s.baseAmountMinor
  },${quoted(s.poNumber)},${quoted(s.salesRep)},${quoted(s.description)},${quoted(s.externalId)},${entryId}`;
}

/**
 * New documents: one summary journal entry per posting date, currency and direction, for those
 * merged while reading and those staged alike (one entry for a group either way).
 */
async function insertNew(
  client: SqlClient,
  ctx: CompanyContext,
  importId: string,
  actor: string,
  early: EarlyMerge,
  staged: boolean,
): Promise<number> {
  const { rows: late } = staged
    ? await client.query<{
        document_date: string;
        currency: string;
        credit: boolean;
        amount: number;
        base: number;
        n: number;
      }>(
        `SELECT s.document_date, s.currency, s.doc_type = 'credit_memo' AS credit, sum(s.amount_minor)::int8 AS amount,
                sum(s.base_amount_minor)::int8 AS base, count(*)::int8 AS n
           FROM stage_document s
          WHERE s.line > $1 AND NOT EXISTS (SELECT 1 FROM document_match m WHERE m.line = s.line)
          GROUP BY 1, 2, 3`,
        [early.maxLine],
      )
    : { rows: [] };
  const groups = new Map<string, EntryGroup>();
  for (const [key, g] of early.groups) if (g.n > 0) groups.set(key, { ...g });
  for (const g of late) {
    const key = `${g.document_date}|${g.currency}|${g.credit ? 'c' : 'd'}`;
    const known = groups.get(key);
    if (known !== undefined) {
      known.amount += g.amount;
      known.base += g.base;
      known.n += g.n;
    } else {
      groups.set(key, {
        documentDate: g.document_date,
        currency: g.currency,
        credit: g.credit,
        // A group whose early batch was rolled back keeps the id it was given; no document has it.
        entryId: early.groups.get(key)?.entryId ?? newId(),
        amount: g.amount,
        base: g.base,
        n: g.n,
      });
    }
  }
  if (groups.size === 0) return 0;
  const ordered = [...groups.values()].sort(
    (a, b) =>
      compare(a.documentDate, b.documentDate) ||
      compare(a.currency, b.currency) ||
      Number(a.credit) - Number(b.credit),
  );
  const drafts = ordered.map((g) => {
    if (!Number.isSafeInteger(g.amount) || !Number.isSafeInteger(g.base))
      throw new RangeError(`the ${g.currency} documents dated ${g.documentDate} add up past a safe integer`);
    const sign = docSign(g.credit ? 'credit_memo' : 'invoice');
    return {
      postingDate: g.documentDate,
      sourceType: 'import',
      sourceId: importId,
      memo: `import: ${g.n} ${g.credit ? 'credit memos' : 'invoices'} in ${g.currency} dated ${g.documentDate}`,
      lines: [
        {
          role: 'ar_control' as const,
          customerId: null,
          currency: g.currency,
          amountMinor: sign * g.amount,
          baseAmountMinor: sign * g.base,
        },
        {
          role: 'revenue' as const,
          customerId: null,
          currency: g.currency,
          amountMinor: -sign * g.amount,
          baseAmountMinor: -sign * g.base,
        },
      ],
    };
  });
  await postEntries(
    client,
    ctx,
    drafts,
    actor,
    ordered.map((g) => g.entryId),
  );
  if (late.length === 0) return early.inserted;
  const entryMap = ordered.map((g) => ({
    document_date: g.documentDate,
    currency: g.currency,
    credit: g.credit,
    entry_id: g.entryId,
  }));
  const result = await client.query(
    `INSERT INTO document (company_id, document_id, document_number, customer_id, doc_type, document_date, due_date,
       discount_date, discount_percent, currency, fx_rate, amount_minor, base_amount_minor, open_minor, open_base_minor,
       po_number, sales_rep, description, external_id, entry_id, import_id, created_by)
     SELECT $1, s.document_id, s.document_number, s.customer_id, s.doc_type, s.document_date, s.due_date, s.discount_date,
            s.discount_percent, s.currency, s.fx_rate, s.amount_minor, s.base_amount_minor, s.amount_minor,
            s.base_amount_minor, s.po_number, s.sales_rep, s.description, s.external_id, e.entry_id, $3, $4
       FROM stage_document s
       JOIN jsonb_to_recordset($2::jsonb) AS e(document_date date, currency text, credit boolean, entry_id uuid)
         ON e.document_date = s.document_date AND e.currency = s.currency AND e.credit = (s.doc_type = 'credit_memo')
      WHERE s.line > $5 AND NOT EXISTS (SELECT 1 FROM document_match m WHERE m.line = s.line)`,
    [ctx.companyId, JSON.stringify(entryMap), importId, actor, early.maxLine],
  );
  return early.inserted + result.rowCount;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Changed documents: an amount change posts a correction (AR against sales clearing) and moves the
 * open balance by the same delta; other fields change in place. Either way a revision row keeps
 * the old and new values with who and why.
 */
async function applyRevisions(
  client: SqlClient,
  ctx: CompanyContext,
  importId: string,
  actor: string,
): Promise<number> {
  const today = new Date().toISOString().slice(0, 10);
  // Only the rows that differ get a change object: comparing columns costs little, building and
  // then dropping a million empty jsonb values did not.
  await client.query(
    `CREATE TEMP TABLE document_change ON COMMIT DROP AS
     SELECT s.line, NULL::uuid AS revision_id, m.document_id, m.doc_type, s.currency,
            (s.amount_minor - m.amount_minor)::int8 AS delta,
            (CASE WHEN m.open_minor + s.amount_minor - m.amount_minor = 0 THEN -m.open_base_minor
                  ELSE s.base_amount_minor - m.base_amount_minor END)::int8 AS base_delta,
            jsonb_strip_nulls(jsonb_build_object(
              'amount_minor', CASE WHEN m.amount_minor <> s.amount_minor THEN jsonb_build_array(m.amount_minor, s.amount_minor) END,
              'due_date', CASE WHEN m.due_date IS DISTINCT FROM s.due_date THEN jsonb_build_array(m.due_date, s.due_date) END,
              'po_number', CASE WHEN m.po_number IS DISTINCT FROM s.po_number THEN jsonb_build_array(m.po_number, s.po_number) END,
              'sales_rep', CASE WHEN m.sales_rep IS DISTINCT FROM s.sales_rep THEN jsonb_build_array(m.sales_rep, s.sales_rep) END,
              'description', CASE WHEN m.description IS DISTINCT FROM s.description THEN jsonb_build_array(m.description, s.description) END,
              'external_id', CASE WHEN m.external_id IS DISTINCT FROM s.external_id THEN jsonb_build_array(m.external_id, s.external_id) END
            )) AS changes
       FROM stage_document s JOIN document_match m USING (line)
      WHERE (m.amount_minor, m.due_date, m.po_number, m.sales_rep, m.description, m.external_id)
            IS DISTINCT FROM (s.amount_minor, s.due_date, s.po_number, s.sales_rep, s.description, s.external_id)`,
  );
  // Revision ids are made only for the documents that changed: usually few of a file's rows.
  const { rows: changedLines } = await client.query<{ line: number }>('SELECT line FROM document_change');
  if (changedLines.length === 0) return 0;
  await client.query(
    `UPDATE document_change c SET revision_id = x.id FROM jsonb_to_recordset($1::jsonb) AS x(line int4, id uuid) WHERE c.line = x.line`,
    [JSON.stringify(changedLines.map((r) => ({ line: r.line, id: newId() })))],
  );
  const { rows: groups } = await client.query<{
    currency: string;
    up: boolean;
    amount: number;
    base: number;
    n: number;
  }>(
    `SELECT currency, (CASE WHEN doc_type = 'credit_memo' THEN -delta ELSE delta END) > 0 AS up,
            sum(CASE WHEN doc_type = 'credit_memo' THEN -delta ELSE delta END)::int8 AS amount,
            sum(CASE WHEN doc_type = 'credit_memo' THEN -base_delta ELSE base_delta END)::int8 AS base, count(*)::int8 AS n
       FROM document_change WHERE delta <> 0 GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const drafts = groups.map((g) => ({
    postingDate: today,
    sourceType: 'import-correction',
    sourceId: importId,
    memo: `import: amount corrections to ${g.n} documents in ${g.currency}`,
    lines: [
      {
        role: 'ar_control' as const,
        customerId: null,
        currency: g.currency,
        amountMinor: g.amount,
        baseAmountMinor: g.base,
      },
      {
        role: 'revenue' as const,
        customerId: null,
        currency: g.currency,
        amountMinor: -g.amount,
        baseAmountMinor: -g.base,
      },
    ],
  }));
  const entryIds = await postEntries(client, ctx, drafts, actor);
  const entryMap = groups.map((g, i) => ({ currency: g.currency, up: g.up, entry_id: entryIds[i] }));
  await client.query(
    `INSERT INTO document_revision (company_id, revision_id, document_id, changes, amount_delta_minor, base_delta_minor,
       posting_date, entry_id, import_id, reason, created_by)
     SELECT $1, c.revision_id, c.document_id, c.changes, c.delta, c.base_delta, $4, e.entry_id, $3, 'invoice import', $5
       FROM document_change c
       LEFT JOIN jsonb_to_recordset($2::jsonb) AS e(currency text, up boolean, entry_id uuid)
         ON c.delta <> 0 AND e.currency = c.currency
        AND e.up = ((CASE WHEN c.doc_type = 'credit_memo' THEN -c.delta ELSE c.delta END) > 0)`,
    [ctx.companyId, JSON.stringify(entryMap), importId, today, actor],
  );
  const updated = await client.query(
    `UPDATE document d SET amount_minor = s.amount_minor, base_amount_minor = s.base_amount_minor,
            open_minor = d.open_minor + c.delta, open_base_minor = d.open_base_minor + c.base_delta,
            due_date = s.due_date, po_number = s.po_number, sales_rep = s.sales_rep, description = s.description,
            external_id = s.external_id
       FROM document_change c JOIN stage_document s USING (line)
      WHERE d.company_id = $1 AND d.document_id = c.document_id`,
    [ctx.companyId],
  );
  return updated.rowCount;
}
