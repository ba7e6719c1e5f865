import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../ledger/context.js';
import type { SqlClient } from '../store/client.js';
import { ImportError, type RowError } from './errors.js';
import type { FieldReader } from './fields.js';
import type { ImportHandler } from './runner.js';

interface StagedCustomer {
  line: number;
  newId: string;
  changeId: string;
  contactId: string;
  number: string;
  name: string;
  parentNumber: string | null;
  currency: string;
  termsDays: number;
  discountPercent: string;
  discountDays: number;
  creditLimitMinor: number | null;
  email: string | null;
  phone: string | null;
  collector: string | null;
  bankAccounts: string;
}

/** Upper case, letters and digits only: how payer accounts are compared. */
export function normalizeAccount(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function customersHandler(
  ctx: CompanyContext,
  file: string,
  actor: string,
): ImportHandler<StagedCustomer> {
  return {
    stageTable: 'stage_customer',
    targetTables: ['customer', 'customer_bank_account', 'customer_contact'],
    async prepare(client, _source) {
      await client.query(`CREATE TEMP TABLE stage_customer (
        line int4 PRIMARY KEY, new_id uuid, change_id uuid, contact_id uuid, customer_number text, name text,
        parent_number text, currency text, terms_days int4, discount_percent numeric, discount_days int4,
        credit_limit_minor int8, email text, phone text, collector text, bank_accounts text) ON COMMIT DROP`);
    },

    validate(r: FieldReader, line: number) {
      const number = r.text('customer_id', { required: true, max: 100 });
      const name = r.text('name', { required: true, max: 300 });
      const currency = r.currency('currency', ctx.baseCurrency);
      const email = r.text('email', { max: 200 });
      if (email !== null && !email.split(/[;,]/).every((e) => EMAIL.test(e.trim()))) {
        r.errors.push({
          file,
          line,
          column: 'email',
          expected: 'an email address (several separated by ;)',
          found: email,
        });
      }
      const accounts = r
        .raw('bank_accounts')
        .split(';')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      for (const a of accounts) {
        if (!/^[A-Z0-9]{4,64}$/.test(normalizeAccount(a))) {
          r.errors.push({
            file,
            line,
            column: 'bank_accounts',
            expected: 'account numbers or IBANs separated by ;',
            found: a,
          });
        }
      }
      const staged: StagedCustomer = {
        line,
        newId: uuidv7(),
        changeId: uuidv7(),
        contactId: uuidv7(),
        number: number ?? '',
        name: name ?? '',
        parentNumber: r.text('parent_id', { max: 100 }),
        currency: currency ?? ctx.baseCurrency,
        termsDays: r.integer('terms_days', 30, 0, 3650) ?? 0,
        discountPercent: r.percent('discount_percent') ?? '0',
        discountDays: r.integer('discount_days', 0, 0, 3650) ?? 0,
        creditLimitMinor: r.amountMinor('credit_limit', currency),
        email,
        phone: r.text('phone', { max: 100 }),
        collector: r.text('collector', { max: 100 }),
        bankAccounts: accounts.join(';'),
      };
      if (staged.parentNumber === staged.number) {
        r.errors.push({
          file,
          line,
          column: 'parent_id',
          expected: 'another customer than itself',
          found: staged.parentNumber ?? '',
        });
      }
      return staged;
    },

    copySql: `COPY stage_customer (line, new_id, change_id, contact_id, customer_number, name, parent_number, currency,
      terms_days, discount_percent, discount_days, credit_limit_minor, email, phone, collector, bank_accounts)
      FROM STDIN WITH (FORMAT csv)`,
    toCopy: (s) => [
      s.line,
      s.newId,
      s.changeId,
      s.contactId,
      s.number,
      s.name,
      s.parentNumber,
      s.currency,
      s.termsDays,
      s.discountPercent,
      s.discountDays,
      s.creditLimitMinor,
      s.email,
      s.phone,
      s.collector,
      s.bankAccounts,
    ],

    async check(client) {
      const errors: RowError[] = [];
      const dups = await client.query<{ line: number; customer_number: string; first_line: number }>(
        `SELECT line, customer_number, first_line FROM (
           SELECT line, customer_number, min(line) OVER (PARTITION BY customer_number) AS first_line FROM stage_customer) s
          WHERE line <> first_line ORDER BY line`,
      );
      for (const d of dups.rows) {
        errors.push({
          file,
          line: d.line,
          column: 'customer_id',
          expected: `a customer_id not already on line ${d.first_line}`,
          found: d.customer_number,
        });
      }
      const parents = await client.query<{ line: number; parent_number: string }>(
        `SELECT s.line, s.parent_number FROM stage_customer s
          WHERE s.parent_number IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM stage_customer p WHERE p.customer_number = s.parent_number)
            AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.company_id = $1 AND c.customer_number = s.parent_number)
          ORDER BY s.line`,
        [ctx.companyId],
      );
      for (const p of parents.rows) {
        errors.push({
          file,
          line: p.line,
          column: 'parent_id',
          expected: 'the customer_id of a customer in this file or already imported',
          found: p.parent_number,
        });
      }
      const currency = await client.query<{ line: number; currency: string; old: string }>(
        `SELECT s.line, s.currency, c.currency AS old FROM stage_customer s
           JOIN customer c ON c.company_id = $1 AND c.customer_number = s.customer_number
          WHERE c.currency <> s.currency
            AND EXISTS (SELECT 1 FROM document d WHERE d.company_id = $1 AND d.customer_id = c.customer_id)
          ORDER BY s.line`,
        [ctx.companyId],
      );
      for (const c of currency.rows) {
        errors.push({
          file,
          line: c.line,
          column: 'currency',
          expected: `${c.old.trim()} (the customer has documents in it)`,
          found: c.currency,
        });
      }
      return errors;
    },

    async discard(client, lines) {
      await client.query('DELETE FROM stage_customer WHERE line = ANY($1::int4[])', [lines]);
    },

    async merge(client, importId) {
      const params = [ctx.companyId, actor, importId];
      // Differences against what is stored, field by field, as [old, new] pairs for the change log.
      await client.query(
        `CREATE TEMP TABLE customer_diff ON COMMIT DROP AS
         SELECT s.line, s.change_id, c.customer_id, jsonb_strip_nulls(jsonb_build_object(
             'name', CASE WHEN c.name IS DISTINCT FROM s.name THEN jsonb_build_array(c.name, s.name) END,
             'parent_id', CASE WHEN p.customer_number IS DISTINCT FROM s.parent_number THEN jsonb_build_array(p.customer_number, s.parent_number) END,
             'currency', CASE WHEN c.currency IS DISTINCT FROM s.currency THEN jsonb_build_array(c.currency, s.currency) END,
             'terms_days', CASE WHEN c.terms_days IS DISTINCT FROM s.terms_days THEN jsonb_build_array(c.terms_days, s.terms_days) END,
             'discount_percent', CASE WHEN c.discount_percent IS DISTINCT FROM s.discount_percent THEN jsonb_build_array(c.discount_percent, s.discount_percent) END,
             'discount_days', CASE WHEN c.discount_days IS DISTINCT FROM s.discount_days THEN jsonb_build_array(c.discount_days, s.discount_days) END,
             'credit_limit_minor', CASE WHEN c.credit_limit_minor IS DISTINCT FROM s.credit_limit_minor THEN jsonb_build_array(c.credit_limit_minor, s.credit_limit_minor) END,
             'email', CASE WHEN c.email IS DISTINCT FROM s.email THEN jsonb_build_array(c.email, s.email) END,
             'phone', CASE WHEN c.phone IS DISTINCT FROM s.phone THEN jsonb_build_array(c.phone, s.phone) END,
             'collector', CASE WHEN c.collector IS DISTINCT FROM s.collector THEN jsonb_build_array(c.collector, s.collector) END
           )) AS changes
           FROM stage_customer s
           JOIN customer c ON c.company_id = $1 AND c.customer_number = s.customer_number
           LEFT JOIN customer p ON p.company_id = c.company_id AND p.customer_id = c.parent_customer_id`,
        [ctx.companyId],
      );
      const inserted = await client.query(
        `INSERT INTO customer (company_id, customer_id, customer_number, name, currency, terms_days, discount_percent,
           discount_days, credit_limit_minor, collector, email, phone, created_by, updated_by, import_id)
         SELECT $1, s.new_id, s.customer_number, s.name, s.currency, s.terms_days, s.discount_percent, s.discount_days,
                s.credit_limit_minor, s.collector, s.email, s.phone, $2, $2, $3
           FROM stage_customer s
          WHERE NOT EXISTS (SELECT 1 FROM customer_diff d WHERE d.line = s.line)`,
        params,
      );
      await client.query(
        `UPDATE customer c SET name = s.name, currency = s.currency, terms_days = s.terms_days,
                discount_percent = s.discount_percent, discount_days = s.discount_days,
                credit_limit_minor = s.credit_limit_minor, collector = s.collector, email = s.email, phone = s.phone,
                updated_at = now(), updated_by = $2, import_id = $3
           FROM customer_diff d JOIN stage_customer s ON s.line = d.line
          WHERE c.company_id = $1 AND c.customer_id = d.customer_id AND d.changes <> '{}'::jsonb`,
        params,
      );
      await client.query(
        `UPDATE customer c SET parent_customer_id = p.customer_id
           FROM stage_customer s LEFT JOIN customer p ON p.company_id = $1 AND p.customer_number = s.parent_number
          WHERE c.company_id = $1 AND c.customer_number = s.customer_number
            AND c.parent_customer_id IS DISTINCT FROM p.customer_id`,
        [ctx.companyId],
      );
      await client.query(
        `INSERT INTO change_log (company_id, change_id, object_type, object_id, action, changes, reason, import_id, created_by)
         SELECT $1, d.change_id, 'customer', d.customer_id, 'update', d.changes, 'customer import', $3, $2
           FROM customer_diff d WHERE d.changes <> '{}'::jsonb`,
        params,
      );
      await assertNoParentCycles(client, ctx, file);
      await client.query(
        `INSERT INTO customer_bank_account (company_id, customer_id, account_key, account_text, source, created_by)
         SELECT DISTINCT ON (c.customer_id, upper(regexp_replace(a.text, '[^A-Za-z0-9]', '', 'g')))
                $1, c.customer_id, upper(regexp_replace(a.text, '[^A-Za-z0-9]', '', 'g')), a.text, 'import', $2
           FROM stage_customer s
           JOIN customer c ON c.company_id = $1 AND c.customer_number = s.customer_number
           CROSS JOIN LATERAL unnest(string_to_array(s.bank_accounts, ';')) AS a(text)
          WHERE s.bank_accounts <> ''
         ON CONFLICT DO NOTHING`,
        [ctx.companyId, actor],
      );
      await client.query(
        `INSERT INTO customer_contact (company_id, contact_id, customer_id, role, name, email, phone, is_primary)
         SELECT $1, s.contact_id, c.customer_id, 'bill_to', s.name, s.email, s.phone, true
           FROM stage_customer s JOIN customer c ON c.company_id = $1 AND c.customer_number = s.customer_number
          WHERE (s.email IS NOT NULL OR s.phone IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM customer_contact k WHERE k.company_id = $1 AND k.customer_id = c.customer_id
                              AND k.role = 'bill_to' AND k.is_primary)`,
        [ctx.companyId],
      );
      const { rows } = await client.query<{ existing: number; changed: number }>(
        `SELECT count(*)::int8 AS existing, count(*) FILTER (WHERE changes <> '{}'::jsonb)::int8 AS changed
           FROM customer_diff`,
      );
      const { existing, changed } = rows[0]!;
      return { inserted: inserted.rowCount, updated: changed, unchanged: existing - changed };
    },
  };
}

async function assertNoParentCycles(client: SqlClient, ctx: CompanyContext, file: string) {
  const { rows } = await client.query<{ customer_number: string }>(
    `WITH RECURSIVE walk (start_id, customer_id, depth) AS (
       SELECT customer_id, parent_customer_id, 1 FROM customer WHERE company_id = $1 AND parent_customer_id IS NOT NULL
       UNION ALL
       SELECT w.start_id, c.parent_customer_id, w.depth + 1
         FROM walk w JOIN customer c ON c.company_id = $1 AND c.customer_id = w.customer_id
        WHERE c.parent_customer_id IS NOT NULL AND w.depth < 50 AND w.customer_id <> w.start_id)
     SELECT c.customer_number FROM walk w JOIN customer c ON c.company_id = $1 AND c.customer_id = w.start_id
      WHERE w.customer_id = w.start_id LIMIT 5`,
    [ctx.companyId],
  );
  if (rows.length > 0) {
    throw new ImportError(
      file,
      rows.map((r) => ({
        file,
        line: 0,
        column: 'parent_id',
        expected: 'a hierarchy without cycles',
        found: r.customer_number,
      })),
      rows.length,
    );
  }
}
