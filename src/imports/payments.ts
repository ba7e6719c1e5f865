import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../ledger/context.js';
import type { AccountRole } from '../ledger/core/accounts.js';
import { invariant } from '../ledger/core/errors.js';
import type { EntryDraft, LineDraft } from '../ledger/core/journal.js';
import { applicationLines, baseShare, onAccountLines, receiptLines } from '../ledger/core/postings.js';
import { postEntries } from '../ledger/journal-store.js';
import { toBase } from '../ledger/operations.js';
import type { ReceiptRecord, ReceiptRow } from '../ledger/records.js';
import { receiptRecord } from '../ledger/records.js';
import type { SqlClient } from '../store/client.js';
import { copyLine } from './csv-out.js';
import type { RowError } from './errors.js';
import type { FieldReader } from './fields.js';
import { loadRates, type RateTable } from './rates.js';
import type { ImportHandler } from './runner.js';

const METHODS = ['ach', 'wire', 'check', 'card', 'lockbox', 'other'] as const;
type Method = (typeof METHODS)[number];

interface StagedPayment {
  line: number;
  receiptId: string;
  paymentId: string;
  customerId: string | null;
  paymentDate: string;
  amountMinor: number;
  currency: string;
  fxRate: string;
  baseMinor: number;
  method: Method;
  reference: string | null;
  invoiceNumber: string | null;
  appliedMinor: number;
}

/**
 * The ERP's history of cash received and how it was applied. One row per application; the
 * receipt is created once per payment_id; an empty invoice_number puts that part on account.
 * All balances move in memory over rows loaded once, then land in a few set-based statements.
 */
export function paymentsHandler(
  ctx: CompanyContext,
  file: string,
  actor: string,
): ImportHandler<StagedPayment> {
  const customers = new Map<string, { id: string; currency: string }>();
  let rates: RateTable;
  return {
    stageTable: 'stage_payment',
    targetTables: ['receipt', 'application', 'document'],
    async prepare(client, _source) {
      await client.query(`CREATE TEMP TABLE stage_payment (
        line int4 PRIMARY KEY, receipt_id uuid, payment_id text, customer_id uuid, payment_date date, amount_minor int8,
        currency text, fx_rate numeric, base_minor int8, method text, reference text, invoice_number text,
        applied_minor int8) ON COMMIT DROP`);
      await client.query('CREATE INDEX ON stage_payment (payment_id, line)');
      const { rows } = await client.query<{ customer_id: string; customer_number: string; currency: string }>(
        'SELECT customer_id, customer_number, currency FROM customer WHERE company_id = $1',
        [ctx.companyId],
      );
      for (const c of rows)
        customers.set(c.customer_number, { id: c.customer_id, currency: c.currency.trim() });
      rates = await loadRates(client, ctx);
    },

    validate(r: FieldReader, line: number) {
      const paymentId = r.text('payment_id', { required: true, max: 200 });
      const customerNumber = r.text('customer_id', { max: 100 });
      const customer = customerNumber === null ? undefined : customers.get(customerNumber);
      if (customerNumber !== null && !customer) {
        r.errors.push({
          file,
          line,
          column: 'customer_id',
          expected: 'a customer_id that has been imported, or empty for an unidentified payer',
          found: customerNumber,
        });
      }
      const paymentDate = r.date('payment_date', { required: true });
      const currency = r.currency('currency', customer?.currency ?? ctx.baseCurrency);
      const amountMinor = r.amountMinor('amount', currency, { required: true, positive: true });
      const invoiceNumber = r.text('invoice_number', { max: 100 });
      let appliedMinor = r.amountMinor('applied_amount', currency, { positive: true });
      const method = r.oneOf('method', METHODS, 'other', {
        cheque: 'check',
        eft: 'ach',
        transfer: 'wire',
        credit_card: 'card',
      });
      let fxRate = r.rate('fx_rate');
      if (!paymentId || !paymentDate || !currency || amountMinor === null || !method) return null;
      if (invoiceNumber !== null && customer === undefined && customerNumber === null) {
        r.errors.push({
          file,
          line,
          column: 'customer_id',
          expected: 'the customer when invoice_number is given',
        });
        return null;
      }
      if (appliedMinor === null) appliedMinor = invoiceNumber === null ? 0 : amountMinor;
      if (currency === ctx.baseCurrency) fxRate = '1';
      else if (fxRate === null) {
        fxRate = rates.rateOn(currency, paymentDate);
        if (fxRate === null) {
          r.errors.push({
            file,
            line,
            column: 'fx_rate',
            expected: `an exchange rate for ${currency} on ${paymentDate} (in the file or the rate table)`,
          });
          return null;
        }
      }
      return {
        line,
        receiptId: uuidv7(),
        paymentId,
        customerId: customer?.id ?? null,
        paymentDate,
        amountMinor,
        currency,
        fxRate,
        baseMinor: toBase(ctx, currency, amountMinor, fxRate),
        method,
        reference: r.text('reference', { max: 300 }),
        invoiceNumber,
        appliedMinor,
      };
    },

    copySql: `COPY stage_payment (line, receipt_id, payment_id, customer_id, payment_date, amount_minor, currency, fx_rate,
      base_minor, method, reference, invoice_number, applied_minor) FROM STDIN WITH (FORMAT csv)`,
    toCopy: (s) => [
      s.line,
      s.receiptId,
      s.paymentId,
      s.customerId,
      s.paymentDate,
      s.amountMinor,
      s.currency,
      s.fxRate,
      s.baseMinor,
      s.method,
      s.reference,
      s.invoiceNumber,
      s.appliedMinor,
    ],

    check: (client) => checkPayments(client, ctx, file),

    async discard(client, lines) {
      // A payment is all-or-nothing: one bad row rejects every row of its payment_id.
      await client.query(
        `DELETE FROM stage_payment WHERE payment_id IN (SELECT payment_id FROM stage_payment WHERE line = ANY($1::int4[]))`,
        [lines],
      );
    },

    merge: (client, importId) => mergePayments(client, ctx, importId, actor),
  };
}

async function checkPayments(client: SqlClient, ctx: CompanyContext, file: string): Promise<RowError[]> {
  const errors: RowError[] = [];
  const push = (rows: { line: number; found: string | null }[], column: string, expected: string) => {
    for (const r of rows)
      errors.push({ file, line: r.line, column, expected, ...(r.found === null ? {} : { found: r.found }) });
  };
  const headerMismatch = await client.query<{ line: number; found: string; first_line: number }>(
    `SELECT line, found, first_line FROM (
       SELECT line, concat_ws(' ', customer_id, payment_date, amount_minor, currency) AS found,
              first_value(line) OVER w AS first_line,
              (customer_id, payment_date, amount_minor, currency) IS DISTINCT FROM
                (first_value(customer_id) OVER w, first_value(payment_date) OVER w,
                 first_value(amount_minor) OVER w, first_value(currency) OVER w) AS differs
         FROM stage_payment WINDOW w AS (PARTITION BY payment_id ORDER BY line)) s
      WHERE differs ORDER BY line`,
  );
  for (const r of headerMismatch.rows) {
    errors.push({
      file,
      line: r.line,
      column: 'payment_id',
      expected: `the same customer, date, amount and currency as line ${r.first_line} of this payment`,
      found: r.found,
    });
  }
  push(
    (
      await client.query<{ line: number; found: string }>(
        `SELECT max(line) AS line, payment_id || ': applied ' || sum(applied_minor) || ' of ' || min(amount_minor) AS found
       FROM stage_payment GROUP BY payment_id HAVING sum(applied_minor) > min(amount_minor)`,
      )
    ).rows,
    'applied_amount',
    'applications that add up to no more than the payment amount',
  );
  push(
    (
      await client.query<{ line: number; found: string }>(
        `SELECT line, invoice_number AS found FROM (
       SELECT line, invoice_number, row_number() OVER (PARTITION BY payment_id, coalesce(invoice_number, '') ORDER BY line) AS n
         FROM stage_payment) s WHERE n > 1 ORDER BY line`,
      )
    ).rows,
    'invoice_number',
    'each invoice once per payment',
  );
  push(
    (
      await client.query<{ line: number; found: string }>(
        `SELECT s.line, s.invoice_number AS found FROM stage_payment s
      WHERE s.invoice_number IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM document d WHERE d.company_id = $1 AND d.document_number = s.invoice_number
           AND d.customer_id = s.customer_id AND d.currency = s.currency AND d.doc_type <> 'credit_memo')
      ORDER BY s.line`,
        [ctx.companyId],
      )
    ).rows,
    'invoice_number',
    "an imported invoice or debit memo of this payment's customer, in its currency",
  );
  push(
    (
      await client.query<{ line: number; found: string }>(
        `SELECT s.line, concat_ws(' ', r.receipt_date, r.amount_minor, r.currency) AS found
       FROM stage_payment s JOIN receipt r ON r.company_id = $1 AND r.receipt_key = s.payment_id
      WHERE (r.receipt_date, r.amount_minor, r.currency::text) IS DISTINCT FROM (s.payment_date, s.amount_minor, s.currency)
         OR (r.customer_id IS NOT NULL AND s.customer_id IS DISTINCT FROM r.customer_id)
      ORDER BY s.line`,
        [ctx.companyId],
      )
    ).rows,
    'payment_id',
    'the date, amount, currency and customer the payment was first imported with (reverse it to change them)',
  );
  push(
    (
      await client.query<{ line: number; found: string }>(
        `SELECT max(s.line) AS line, s.invoice_number || ': ' || sum(s.applied_minor) || ' applied, open for '
              || (d.open_minor + coalesce(min(prev.applied), 0)) AS found
       FROM stage_payment s
       JOIN document d ON d.company_id = $1 AND d.document_number = s.invoice_number
       LEFT JOIN (SELECT a.document_id, sum(a.applied_minor) AS applied FROM application a
                    JOIN receipt r ON r.company_id = a.company_id AND r.receipt_id = a.receipt_id
                   WHERE a.company_id = $1 AND a.external_key IS NOT NULL
                     AND r.receipt_key IN (SELECT payment_id FROM stage_payment)
                   GROUP BY a.document_id) prev ON prev.document_id = d.document_id
      GROUP BY s.invoice_number, d.open_minor
     HAVING sum(s.applied_minor) > d.open_minor + coalesce(min(prev.applied), 0)`,
        [ctx.companyId],
      )
    ).rows,
    'applied_amount',
    'no more than the invoice is open for',
  );
  push(
    (
      await client.query<{ line: number; found: string }>(
        `SELECT s.line, s.payment_date::text AS found FROM stage_payment s
       JOIN fiscal_period p ON p.company_id = $1 AND p.status = 'closed' AND s.payment_date BETWEEN p.start_date AND p.end_date
      WHERE NOT EXISTS (SELECT 1 FROM receipt r WHERE r.company_id = $1 AND r.receipt_key = s.payment_id)
      ORDER BY s.line`,
        [ctx.companyId],
      )
    ).rows,
    'payment_date',
    'a date in an open period',
  );
  return errors;
}

interface DocState {
  id: string;
  customerId: string;
  currency: string;
  amount: number;
  base: number;
  open: number;
  openBase: number;
  touched: boolean;
}
type ReceiptState = ReceiptRecord & { touched: boolean; isNew: boolean };
interface ActiveApp {
  application_id: string;
  kind: 'payment' | 'on_account';
  receipt_id: string;
  document_id: string | null;
  external_key: string;
  applied_minor: number;
  cash_minor: number;
  document_base_minor: number;
  source_base_minor: number;
  fx_gain_loss_base_minor: number;
}

async function mergePayments(client: SqlClient, ctx: CompanyContext, importId: string, actor: string) {
  const today = new Date().toISOString().slice(0, 10);
  const newReceiptKeys = await insertReceipts(client, ctx, importId, actor);
  const receipts = await loadReceipts(client, ctx);
  const docs = await loadDocuments(client, ctx);
  const receiptsById = new Map([...receipts.values()].map((r) => [r.id, r]));
  const docsById = new Map([...docs.values()].map((d) => [d.id, d]));
  const { rows: active } = await client.query<ActiveApp>(
    `SELECT a.application_id, a.kind, a.receipt_id, a.document_id, a.external_key, a.applied_minor, a.cash_minor,
            a.document_base_minor, a.source_base_minor, a.fx_gain_loss_base_minor
       FROM application a
      WHERE a.company_id = $1 AND a.external_key IS NOT NULL AND a.reverses_application_id IS NULL
        AND a.receipt_id IN (SELECT r.receipt_id FROM receipt r JOIN (SELECT DISTINCT payment_id FROM stage_payment) p
                               ON r.company_id = $1 AND r.receipt_key = p.payment_id)
        AND NOT EXISTS (SELECT 1 FROM application x WHERE x.company_id = a.company_id AND x.reverses_application_id = a.application_id)`,
    [ctx.companyId],
  );
  const { rows: wanted } = await client.query<{
    payment_id: string;
    invoice_number: string | null;
    applied_minor: number;
    payment_date: string;
    customer_id: string | null;
  }>(
    `SELECT payment_id, invoice_number, applied_minor, payment_date, customer_id FROM stage_payment
      WHERE applied_minor > 0 ORDER BY payment_date, line`,
  );
  const wantedByKey = new Map(wanted.map((w) => [`${w.payment_id}|${w.invoice_number ?? ''}`, w]));
  const activeByKey = new Map(active.map((a) => [a.external_key, a]));

  const appRows: string[] = [];
  const entryLines = new Map<string, LineDraft[]>();
  const addLines = (postingDate: string, lines: LineDraft[]) => {
    const list = entryLines.get(postingDate) ?? [];
    list.push(...lines);
    entryLines.set(postingDate, list);
  };
  const changedPayments = new Set<string>();
  const paymentOfKey = (key: string) => key.slice(0, key.lastIndexOf('|'));
  // Reverse what the file no longer says (or says differently) before applying what it says now.
  for (const a of active) {
    const w = wantedByKey.get(a.external_key);
    if (w && w.applied_minor === a.applied_minor) continue;
    changedPayments.add(paymentOfKey(a.external_key));
    reverseInMemory(a, receiptsById, docsById, ctx, today, importId, actor, appRows, addLines);
  }
  for (const [key, w] of wantedByKey) {
    const existing = activeByKey.get(key);
    if (existing && existing.applied_minor === w.applied_minor) continue;
    const receipt = receipts.get(w.payment_id)!;
    if (!newReceiptKeys.has(w.payment_id)) changedPayments.add(w.payment_id);
    if (w.invoice_number === null) {
      const base = baseShare(w.applied_minor, receipt.unappliedMinor, receipt.unappliedBaseMinor);
      invariant(
        receipt.customerId !== null,
        'customer-unknown',
        `payment ${w.payment_id} has no customer to hold credit on account`,
      );
      receipt.unappliedMinor -= w.applied_minor;
      receipt.unappliedBaseMinor -= base;
      receipt.onAccountMinor += w.applied_minor;
      receipt.onAccountBaseMinor += base;
      receipt.touched = true;
      addLines(w.payment_date, onAccountLines(receipt.customerId, receipt.currency, w.applied_minor, base));
      appRows.push(
        appLine(ctx, {
          kind: 'on_account',
          receipt,
          doc: null,
          applied: w.applied_minor,
          docBase: base,
          sourceBase: base,
          fx: 0,
          date: w.payment_date,
          key,
          importId,
          actor,
          reverses: null,
        }),
      );
      continue;
    }
    const doc = docs.get(w.invoice_number)!;
    invariant(
      w.applied_minor <= receipt.unappliedMinor,
      'receipt-over-applied',
      `payment ${w.payment_id} has too little unapplied for ${w.invoice_number}`,
    );
    invariant(
      w.applied_minor <= doc.open,
      'document-over-applied',
      `invoice ${w.invoice_number} is open for ${doc.open}, payment ${w.payment_id} applies ${w.applied_minor}`,
    );
    const sourceBase = baseShare(w.applied_minor, receipt.unappliedMinor, receipt.unappliedBaseMinor);
    const docBase = baseShare(w.applied_minor, doc.open, doc.openBase);
    const { lines, fxGainLossBaseMinor } = applicationLines({
      source: 'receipt',
      customerId: doc.customerId,
      currency: doc.currency,
      baseCurrency: ctx.baseCurrency,
      cashMinor: w.applied_minor,
      discountMinor: 0,
      writeOffMinor: 0,
      sourceBaseMinor: sourceBase,
      documentBaseMinor: docBase,
      discountBaseMinor: 0,
      writeOffBaseMinor: 0,
    });
    receipt.unappliedMinor -= w.applied_minor;
    receipt.unappliedBaseMinor -= sourceBase;
    receipt.touched = true;
    doc.open -= w.applied_minor;
    doc.openBase -= docBase;
    doc.touched = true;
    addLines(w.payment_date, lines);
    appRows.push(
      appLine(ctx, {
        kind: 'payment',
        receipt,
        doc,
        applied: w.applied_minor,
        docBase,
        sourceBase,
        fx: fxGainLossBaseMinor,
        date: w.payment_date,
        key,
        importId,
        actor,
        reverses: null,
      }),
    );
  }
  await writeJournalAndRows(client, ctx, importId, actor, entryLines, appRows, receipts, docs);
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(DISTINCT payment_id)::int8 AS n FROM stage_payment',
  );
  const payments = rows[0]!.n;
  return {
    inserted: newReceiptKeys.size,
    updated: changedPayments.size,
    unchanged: payments - newReceiptKeys.size - changedPayments.size,
  };
}

function reverseInMemory(
  a: ActiveApp,
  receiptsById: Map<string, ReceiptState>,
  docsById: Map<string, DocState>,
  ctx: CompanyContext,
  today: string,
  importId: string,
  actor: string,
  appRows: string[],
  addLines: (d: string, l: LineDraft[]) => void,
) {
  const receipt = receiptsById.get(a.receipt_id)!;
  const doc = a.document_id ? docsById.get(a.document_id)! : null;
  receipt.unappliedMinor += a.cash_minor;
  receipt.unappliedBaseMinor += a.source_base_minor;
  receipt.touched = true;
  if (a.kind === 'on_account') {
    receipt.onAccountMinor -= a.cash_minor;
    receipt.onAccountBaseMinor -= a.source_base_minor;
    addLines(
      today,
      onAccountLines(receipt.customerId!, receipt.currency, -a.cash_minor, -a.source_base_minor),
    );
  } else {
    doc!.open += a.applied_minor;
    doc!.openBase += a.document_base_minor;
    doc!.touched = true;
    const { lines } = applicationLines({
      source: 'receipt',
      customerId: doc!.customerId,
      currency: doc!.currency,
      baseCurrency: ctx.baseCurrency,
      cashMinor: -a.cash_minor,
      discountMinor: 0,
      writeOffMinor: 0,
      sourceBaseMinor: -a.source_base_minor,
      documentBaseMinor: -a.document_base_minor,
      discountBaseMinor: 0,
      writeOffBaseMinor: 0,
    });
    addLines(today, lines);
  }
  appRows.push(
    appLine(ctx, {
      kind: a.kind,
      receipt,
      doc,
      applied: -a.applied_minor,
      docBase: -a.document_base_minor,
      sourceBase: -a.source_base_minor,
      fx: -a.fx_gain_loss_base_minor,
      date: today,
      key: a.external_key,
      importId,
      actor,
      reverses: a.application_id,
    }),
  );
}

interface AppLineInput {
  kind: 'payment' | 'on_account';
  receipt: ReceiptState;
  doc: DocState | null;
  applied: number;
  docBase: number;
  sourceBase: number;
  fx: number;
  date: string;
  key: string;
  importId: string;
  actor: string;
  reverses: string | null;
}

function appLine(ctx: CompanyContext, a: AppLineInput): string {
  return copyLine([
    ctx.companyId,
    uuidv7(),
    a.kind,
    a.receipt.id,
    a.doc?.id ?? null,
    a.receipt.currency,
    a.applied,
    a.applied,
    a.docBase,
    a.sourceBase,
    a.fx,
    a.date,
    a.reverses,
    'import',
    a.importId,
    a.key,
    a.reverses ? 'changed in payment import' : null,
    a.actor,
  ]);
}

/** Creates the receipts this file brings for the first time; returns their payment ids. */
async function insertReceipts(
  client: SqlClient,
  ctx: CompanyContext,
  importId: string,
  actor: string,
): Promise<Set<string>> {
  const { rows: groups } = await client.query<{
    payment_date: string;
    currency: string;
    amount: number;
    base: number;
    n: number;
  }>(
    `SELECT payment_date, currency, sum(amount_minor)::int8 AS amount, sum(base_minor)::int8 AS base, count(*)::int8 AS n
       FROM (SELECT DISTINCT ON (payment_id) * FROM stage_payment ORDER BY payment_id, line) p
      WHERE NOT EXISTS (SELECT 1 FROM receipt r WHERE r.company_id = $1 AND r.receipt_key = p.payment_id)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [ctx.companyId],
  );
  if (groups.length === 0) return new Set();
  const drafts: EntryDraft[] = groups.map((g) => ({
    postingDate: g.payment_date,
    sourceType: 'import',
    sourceId: importId,
    memo: `import: ${g.n} payments in ${g.currency} received ${g.payment_date}`,
    lines: receiptLines(null, g.currency, g.amount, g.base),
  }));
  const ids = await postEntries(client, ctx, drafts, actor);
  const map = groups.map((g, i) => ({
    payment_date: g.payment_date,
    currency: g.currency,
    entry_id: ids[i],
  }));
  const result = await client.query<{ receipt_key: string }>(
    `INSERT INTO receipt (company_id, receipt_id, receipt_key, customer_id, receipt_date, method, currency, fx_rate,
       amount_minor, base_amount_minor, unapplied_minor, unapplied_base_minor, reference, entry_id, import_id, created_by)
     SELECT $1, p.receipt_id, p.payment_id, p.customer_id, p.payment_date, p.method, p.currency, p.fx_rate, p.amount_minor,
            p.base_minor, p.amount_minor, p.base_minor, p.reference, e.entry_id, $3, $4
       FROM (SELECT DISTINCT ON (payment_id) * FROM stage_payment ORDER BY payment_id, line) p
       JOIN jsonb_to_recordset($2::jsonb) AS e(payment_date date, currency text, entry_id uuid)
         ON e.payment_date = p.payment_date AND e.currency = p.currency
      WHERE NOT EXISTS (SELECT 1 FROM receipt r WHERE r.company_id = $1 AND r.receipt_key = p.payment_id)
     RETURNING receipt_key`,
    [ctx.companyId, JSON.stringify(map), importId, actor],
  );
  return new Set(result.rows.map((r) => r.receipt_key));
}

async function loadReceipts(client: SqlClient, ctx: CompanyContext): Promise<Map<string, ReceiptState>> {
  const { rows } = await client.query<ReceiptRow>(
    `SELECT r.receipt_id, r.receipt_key, r.customer_id, r.currency, r.unapplied_minor, r.unapplied_base_minor,
            r.on_account_minor, r.on_account_base_minor
       FROM receipt r WHERE r.company_id = $1 AND r.receipt_key IN (SELECT payment_id FROM stage_payment) FOR UPDATE`,
    [ctx.companyId],
  );
  return new Map(rows.map((r) => [r.receipt_key, { ...receiptRecord(r), touched: false, isNew: false }]));
}

async function loadDocuments(client: SqlClient, ctx: CompanyContext): Promise<Map<string, DocState>> {
  const { rows } = await client.query<{
    document_id: string;
    document_number: string;
    customer_id: string;
    currency: string;
    amount_minor: number;
    base_amount_minor: number;
    open_minor: number;
    open_base_minor: number;
  }>(
    `SELECT d.document_id, d.document_number, d.customer_id, d.currency, d.amount_minor, d.base_amount_minor, d.open_minor,
            d.open_base_minor
       FROM document d WHERE d.company_id = $1
        AND (d.document_number IN (SELECT invoice_number FROM stage_payment WHERE invoice_number IS NOT NULL)
          OR d.document_id IN (SELECT a.document_id FROM application a JOIN receipt r ON r.company_id = a.company_id
                                 AND r.receipt_id = a.receipt_id WHERE a.company_id = $1
                                 AND r.receipt_key IN (SELECT payment_id FROM stage_payment)))
      FOR UPDATE`,
    [ctx.companyId],
  );
  return new Map(
    rows.map((d) => [
      d.document_number,
      {
        id: d.document_id,
        customerId: d.customer_id,
        currency: d.currency.trim(),
        amount: d.amount_minor,
        base: d.base_amount_minor,
        open: d.open_minor,
        openBase: d.open_base_minor,
        touched: false,
      },
    ]),
  );
}

/** Sums the day's application lines by account, customer-less, into one balanced entry per posting date. */
function summarize(lines: LineDraft[]): LineDraft[] {
  const byKey = new Map<string, LineDraft>();
  for (const l of lines) {
    const key = `${l.role}|${l.currency}|${Math.sign(l.baseAmountMinor) >= 0 ? 'd' : 'c'}`;
    const sum = byKey.get(key) ?? {
      role: l.role as AccountRole,
      customerId: null,
      currency: l.currency,
      amountMinor: 0,
      baseAmountMinor: 0,
    };
    sum.amountMinor += l.amountMinor;
    sum.baseAmountMinor += l.baseAmountMinor;
    byKey.set(key, sum);
  }
  return [...byKey.values()];
}

async function writeJournalAndRows(
  client: SqlClient,
  ctx: CompanyContext,
  importId: string,
  actor: string,
  entryLines: Map<string, LineDraft[]>,
  appRows: string[],
  receipts: Map<string, ReceiptState>,
  docs: Map<string, DocState>,
) {
  const dates = [...entryLines.keys()].sort();
  const drafts: EntryDraft[] = dates
    .map((date) => ({
      postingDate: date,
      sourceType: 'import',
      sourceId: importId,
      memo: `import: payment applications on ${date}`,
      lines: summarize(entryLines.get(date)!),
    }))
    .filter((d) => d.lines.some((l) => l.amountMinor !== 0 || l.baseAmountMinor !== 0));
  const ids = await postEntries(client, ctx, drafts, actor);
  const entryByDate = new Map(drafts.map((d, i) => [d.postingDate, ids[i]!]));
  if (appRows.length > 0) {
    await client.query(`CREATE TEMP TABLE stage_application (company_id uuid, application_id uuid, kind text, receipt_id uuid,
      document_id uuid, currency text, applied_minor int8, cash_minor int8, document_base_minor int8, source_base_minor int8,
      fx_gain_loss_base_minor int8, posting_date date, reverses_application_id uuid, origin text, run_id uuid,
      external_key text, reason text, created_by text) ON COMMIT DROP`);
    await client.copyFromCsv(`COPY stage_application FROM STDIN WITH (FORMAT csv)`, appRows.join(''));
    await client.query(
      `INSERT INTO application (company_id, application_id, kind, receipt_id, document_id, currency, applied_minor, cash_minor,
         document_base_minor, source_base_minor, fx_gain_loss_base_minor, posting_date, entry_id, reverses_application_id,
         origin, external_key, reason, created_by)
       SELECT s.company_id, s.application_id, s.kind, s.receipt_id, s.document_id, s.currency, s.applied_minor, s.cash_minor,
              s.document_base_minor, s.source_base_minor, s.fx_gain_loss_base_minor, s.posting_date, e.entry_id,
              s.reverses_application_id, s.origin, s.external_key, s.reason, s.created_by
         FROM stage_application s
         JOIN jsonb_to_recordset($1::jsonb) AS e(posting_date date, entry_id uuid) ON e.posting_date = s.posting_date`,
      [JSON.stringify([...entryByDate].map(([posting_date, entry_id]) => ({ posting_date, entry_id })))],
    );
  }
  const touchedReceipts = [...receipts.values()].filter((r) => r.touched);
  if (touchedReceipts.length > 0) {
    await client.query(
      `UPDATE receipt r SET unapplied_minor = x.unapplied, unapplied_base_minor = x.unapplied_base,
              on_account_minor = x.on_account, on_account_base_minor = x.on_account_base
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, unapplied int8, unapplied_base int8, on_account int8, on_account_base int8)
        WHERE r.company_id = $1 AND r.receipt_id = x.id`,
      [
        ctx.companyId,
        JSON.stringify(
          touchedReceipts.map((r) => ({
            id: r.id,
            unapplied: r.unappliedMinor,
            unapplied_base: r.unappliedBaseMinor,
            on_account: r.onAccountMinor,
            on_account_base: r.onAccountBaseMinor,
          })),
        ),
      ],
    );
  }
  const touchedDocs = [...docs.values()].filter((d) => d.touched);
  if (touchedDocs.length > 0) {
    await client.query(
      `UPDATE document d SET open_minor = x.open, open_base_minor = x.open_base
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, open int8, open_base int8)
        WHERE d.company_id = $1 AND d.document_id = x.id`,
      [
        ctx.companyId,
        JSON.stringify(touchedDocs.map((d) => ({ id: d.id, open: d.open, open_base: d.openBase }))),
      ],
    );
  }
}
