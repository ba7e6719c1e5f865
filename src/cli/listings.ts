import type { Command } from 'commander';
import { LedgerError } from '../ledger/index.js';
import { globals, withCompany } from './context.js';
import { money, parseCount, parseIsoDate, today } from './format.js';
import { print, printJson, renderTable } from './output.js';

interface CustomerRow {
  customer_number: string;
  name: string;
  parent_number: string | null;
  currency: string;
  terms_days: number;
  credit_limit_minor: number | null;
  collector: string | null;
  open_base_minor: number;
  open_documents: number;
}

export function registerListings(program: Command): void {
  const customers = program.command('customers').description('customer master data and balances');
  customers
    .command('list')
    .description('customers with their open balance (base currency)')
    .option('--search <text>', 'only names or numbers containing TEXT')
    .option('--collector <name>', "only this collector's customers")
    .option('--limit <n>', 'at most N rows', '100')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      await withCompany(globals(command), async (database, ctx) => {
        const rows = await database.query<CustomerRow>(
          `SELECT c.customer_number, c.name, p.customer_number AS parent_number, c.currency, c.terms_days,
                  c.credit_limit_minor, c.collector, coalesce(b.open_base, 0)::int8 AS open_base_minor,
                  coalesce(b.n, 0)::int8 AS open_documents
             FROM customer c
             LEFT JOIN customer p ON p.company_id = c.company_id AND p.customer_id = c.parent_customer_id
             LEFT JOIN (SELECT customer_id, count(*) AS n,
                               sum(CASE WHEN doc_type = 'credit_memo' THEN -open_base_minor ELSE open_base_minor END) AS open_base
                          FROM document WHERE company_id = $1 AND open_minor > 0 GROUP BY customer_id) b
                    ON b.customer_id = c.customer_id
            WHERE c.company_id = $1
              AND ($2::text IS NULL OR c.name ILIKE '%' || $2 || '%' OR c.customer_number ILIKE '%' || $2 || '%')
              AND ($3::text IS NULL OR c.collector = $3)
            ORDER BY c.customer_number LIMIT $4`,
          [ctx.companyId, opts.search ?? null, opts.collector ?? null, parseCount(opts.limit)],
        );
        if (opts.json) {
          return printJson(
            rows.map((r) => ({
              ...r,
              currency: r.currency.trim(),
              open_base: money(r.open_base_minor, ctx.baseCurrency),
              credit_limit: r.credit_limit_minor === null ? null : money(r.credit_limit_minor, r.currency),
            })),
          );
        }
        print(
          renderTable(rows, [
            { header: 'customer', value: (r) => r.customer_number },
            { header: 'name', value: (r) => r.name.slice(0, 40) },
            { header: 'parent', value: (r) => r.parent_number ?? '' },
            { header: 'ccy', value: (r) => r.currency.trim() },
            { header: 'terms', value: (r) => `net ${r.terms_days}` },
            { header: 'collector', value: (r) => r.collector ?? '' },
            { header: 'open docs', value: (r) => String(r.open_documents), align: 'right' },
            {
              header: `open (${ctx.baseCurrency})`,
              value: (r) => money(r.open_base_minor, ctx.baseCurrency),
              align: 'right',
            },
          ]),
        );
      });
    });

  customers
    .command('show <customer>')
    .description('one customer: master data, contacts, bank accounts, open items, recent receipts')
    .option('--json', 'print JSON')
    .action(async (customerNumber: string, opts, command: Command) => {
      await withCompany(globals(command), async (database, ctx) => {
        const [customer] = await database.query<
          Record<string, unknown> & { customer_id: string; currency: string }
        >(
          `SELECT c.customer_id, c.customer_number, c.name, p.customer_number AS parent, c.currency, c.terms_days,
                  c.discount_percent, c.discount_days, c.credit_limit_minor, c.collector, c.email, c.phone, c.status,
                  c.created_at, c.updated_at, c.updated_by
             FROM customer c LEFT JOIN customer p ON p.company_id = c.company_id AND p.customer_id = c.parent_customer_id
            WHERE c.company_id = $1 AND c.customer_number = $2`,
          [ctx.companyId, customerNumber],
        );
        if (!customer) throw new LedgerError('not-found', `no customer ${customerNumber}`);
        const id = customer.customer_id;
        const children = await database.query<{ customer_number: string; name: string }>(
          'SELECT customer_number, name FROM customer WHERE company_id = $1 AND parent_customer_id = $2 ORDER BY 1',
          [ctx.companyId, id],
        );
        const accounts = await database.query<{ account_text: string; source: string }>(
          'SELECT account_text, source FROM customer_bank_account WHERE company_id = $1 AND customer_id = $2 ORDER BY 1',
          [ctx.companyId, id],
        );
        const contacts = await database.query(
          'SELECT role, name, email, phone, is_primary FROM customer_contact WHERE company_id = $1 AND customer_id = $2',
          [ctx.companyId, id],
        );
        const open = await database.query<{
          document_number: string;
          doc_type: string;
          document_date: string;
          due_date: string;
          currency: string;
          amount_minor: number;
          open_minor: number;
        }>(
          `SELECT document_number, doc_type, document_date, due_date, currency, amount_minor, open_minor FROM document
            WHERE company_id = $1 AND customer_id = $2 AND open_minor > 0 ORDER BY due_date LIMIT 200`,
          [ctx.companyId, id],
        );
        const receipts = await database.query<{
          receipt_key: string;
          receipt_date: string;
          currency: string;
          amount_minor: number;
          unapplied_minor: number;
          on_account_minor: number;
        }>(
          `SELECT receipt_key, receipt_date, currency, amount_minor, unapplied_minor, on_account_minor FROM receipt
            WHERE company_id = $1 AND customer_id = $2 ORDER BY receipt_date DESC LIMIT 20`,
          [ctx.companyId, id],
        );
        if (opts.json)
          return printJson({
            customer,
            children,
            bank_accounts: accounts,
            contacts,
            open_documents: open,
            recent_receipts: receipts,
          });
        const c = customer as Record<string, unknown>;
        print(`${c.customer_number}  ${c.name}${c.parent ? `  (part of ${c.parent})` : ''}`);
        print(
          `currency ${String(c.currency).trim()}  terms net ${c.terms_days}${c.discount_percent !== '0.000' ? ` (${c.discount_percent}% in ${c.discount_days} days)` : ''}  credit limit ${c.credit_limit_minor === null ? 'none' : money(c.credit_limit_minor as number, customer.currency)}  collector ${c.collector ?? '-'}`,
        );
        print(
          `email ${c.email ?? '-'}  phone ${c.phone ?? '-'}  bank accounts ${accounts.map((a) => a.account_text).join(', ') || '-'}`,
        );
        if (children.length > 0) print(`subsidiaries: ${children.map((k) => k.customer_number).join(', ')}`);
        const asOf = today();
        print('\nopen documents');
        print(
          renderTable(open, [
            { header: 'number', value: (d) => d.document_number },
            { header: 'type', value: (d) => d.doc_type },
            { header: 'date', value: (d) => d.document_date },
            { header: 'due', value: (d) => d.due_date },
            {
              header: 'days past due',
              value: (d) => String(Math.max(0, daysBetween(d.due_date, asOf))),
              align: 'right',
            },
            { header: 'amount', value: (d) => money(d.amount_minor, d.currency), align: 'right' },
            { header: 'open', value: (d) => money(d.open_minor, d.currency), align: 'right' },
            { header: 'ccy', value: (d) => d.currency.trim() },
          ]),
        );
        print('\nrecent receipts');
        print(
          renderTable(receipts, [
            { header: 'receipt', value: (r) => r.receipt_key },
            { header: 'date', value: (r) => r.receipt_date },
            { header: 'amount', value: (r) => money(r.amount_minor, r.currency), align: 'right' },
            { header: 'unapplied', value: (r) => money(r.unapplied_minor, r.currency), align: 'right' },
            { header: 'on account', value: (r) => money(r.on_account_minor, r.currency), align: 'right' },
          ]),
        );
      });
    });

  const invoices = program.command('invoices').description('invoices, credit memos and debit memos');
  invoices
    .command('list')
    .description('documents, newest first')
    .option('--customer <id>', 'only this customer')
    .option('--open', 'only documents with an open balance')
    .option('--overdue', 'only open documents past their due date')
    .option('--as-of <date>', 'date that days past due are counted to', today())
    .option('--limit <n>', 'at most N rows', '100')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const asOf = parseIsoDate(opts.asOf);
      await withCompany(globals(command), async (database, ctx) => {
        const rows = await database.query<{
          document_number: string;
          customer_number: string;
          doc_type: string;
          document_date: string;
          due_date: string;
          currency: string;
          amount_minor: number;
          open_minor: number;
          po_number: string | null;
        }>(
          `SELECT d.document_number, c.customer_number, d.doc_type, d.document_date, d.due_date, d.currency, d.amount_minor,
                  d.open_minor, d.po_number
             FROM document d JOIN customer c ON c.company_id = d.company_id AND c.customer_id = d.customer_id
            WHERE d.company_id = $1 AND ($2::text IS NULL OR c.customer_number = $2)
              AND (NOT $3 OR d.open_minor > 0) AND (NOT $4 OR (d.open_minor > 0 AND d.due_date < $5::date))
            ORDER BY d.document_date DESC, d.document_number DESC LIMIT $6`,
          [
            ctx.companyId,
            opts.customer ?? null,
            Boolean(opts.open),
            Boolean(opts.overdue),
            asOf,
            parseCount(opts.limit),
          ],
        );
        const shaped = rows.map((r) => ({
          ...r,
          currency: r.currency.trim(),
          amount: money(r.amount_minor, r.currency),
          open: money(r.open_minor, r.currency),
          days_past_due: r.open_minor > 0 ? Math.max(0, daysBetween(r.due_date, asOf)) : 0,
        }));
        if (opts.json) return printJson(shaped);
        print(
          renderTable(shaped, [
            { header: 'number', value: (d) => d.document_number },
            { header: 'customer', value: (d) => d.customer_number },
            { header: 'type', value: (d) => d.doc_type },
            { header: 'date', value: (d) => d.document_date },
            { header: 'due', value: (d) => d.due_date },
            { header: 'amount', value: (d) => d.amount, align: 'right' },
            { header: 'open', value: (d) => d.open, align: 'right' },
            { header: 'ccy', value: (d) => d.currency },
            { header: 'dpd', value: (d) => String(d.days_past_due), align: 'right' },
          ]),
        );
      });
    });

  invoices
    .command('show <number>')
    .description('one document with every application, adjustment and revision')
    .option('--json', 'print JSON')
    .action(async (number: string, opts, command: Command) => {
      await withCompany(globals(command), async (database, ctx) => {
        const [doc] = await database.query<
          Record<string, unknown> & {
            document_id: string;
            currency: string;
            amount_minor: number;
            open_minor: number;
          }
        >(
          `SELECT d.*, c.customer_number, c.name AS customer_name FROM document d
             JOIN customer c ON c.company_id = d.company_id AND c.customer_id = d.customer_id
            WHERE d.company_id = $1 AND d.document_number = $2`,
          [ctx.companyId, number],
        );
        if (!doc) throw new LedgerError('not-found', `no document ${number}`);
        const applications = await database.query<{
          application_id: string;
          kind: string;
          source: string;
          posting_date: string;
          applied_minor: number;
          cash_minor: number;
          discount_minor: number;
          write_off_minor: number;
          origin: string;
          reverses_application_id: string | null;
          created_by: string;
          reason: string | null;
        }>(
          `SELECT a.application_id, a.kind, coalesce(r.receipt_key, cm.document_number) AS source, a.posting_date,
                  a.applied_minor, a.cash_minor, a.discount_minor, a.write_off_minor, a.origin, a.reverses_application_id,
                  a.created_by, a.reason
             FROM application a
             LEFT JOIN receipt r ON r.company_id = a.company_id AND r.receipt_id = a.receipt_id
             LEFT JOIN document cm ON cm.company_id = a.company_id AND cm.document_id = a.credit_document_id
            WHERE a.company_id = $1 AND (a.document_id = $2 OR a.credit_document_id = $2) ORDER BY a.created_at`,
          [ctx.companyId, doc.document_id],
        );
        const adjustments = await database.query(
          'SELECT adjustment_id, kind, amount_minor, reason, posting_date, created_by FROM adjustment WHERE company_id = $1 AND document_id = $2 ORDER BY created_at',
          [ctx.companyId, doc.document_id],
        );
        const revisions = await database.query(
          'SELECT changes, amount_delta_minor, reason, created_at, created_by FROM document_revision WHERE company_id = $1 AND document_id = $2 ORDER BY created_at',
          [ctx.companyId, doc.document_id],
        );
        if (opts.json) return printJson({ document: doc, applications, adjustments, revisions });
        print(`${doc.document_number}  ${doc.doc_type}  ${doc.customer_number} ${doc.customer_name}`);
        print(
          `dated ${doc.document_date}, due ${doc.due_date}  amount ${money(doc.amount_minor, doc.currency)} ${doc.currency.trim()}  open ${money(doc.open_minor, doc.currency)}  PO ${doc.po_number ?? '-'}`,
        );
        print('\napplications');
        print(
          renderTable(applications, [
            { header: 'date', value: (a) => a.posting_date },
            { header: 'kind', value: (a) => (a.reverses_application_id ? `${a.kind} (reversal)` : a.kind) },
            { header: 'from', value: (a) => a.source ?? '' },
            { header: 'applied', value: (a) => money(a.applied_minor, doc.currency), align: 'right' },
            { header: 'discount', value: (a) => money(a.discount_minor, doc.currency), align: 'right' },
            { header: 'write-off', value: (a) => money(a.write_off_minor, doc.currency), align: 'right' },
            { header: 'origin', value: (a) => a.origin },
            { header: 'by', value: (a) => a.created_by },
            { header: 'reason', value: (a) => a.reason ?? '' },
          ]),
        );
        if (adjustments.length > 0) print(`\nadjustments\n${JSON.stringify(adjustments, null, 2)}`);
        if (revisions.length > 0) print(`\nrevisions\n${JSON.stringify(revisions, null, 2)}`);
      });
    });
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
