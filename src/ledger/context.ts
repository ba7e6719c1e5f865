import { uuidv7 } from 'uuidv7';
import type { SqlClient } from '../store/client.js';
import { ACCOUNT_ROLES, type AccountRole, DEFAULT_CHART } from './core/accounts.js';
import { LedgerError } from './core/errors.js';

/** What every ledger operation needs to know about the company it works in; loaded once. */
export interface CompanyContext {
  companyId: string;
  code: string;
  name: string;
  baseCurrency: string;
  accounts: Readonly<Record<AccountRole, string>>;
}

export interface NewCompany {
  code: string;
  name: string;
  baseCurrency: string;
  fiscalYearStartMonth?: number;
  actor: string;
}

export async function createCompany(client: SqlClient, input: NewCompany): Promise<CompanyContext> {
  const companyId = uuidv7();
  await client.query(
    `INSERT INTO company (company_id, code, name, base_currency, fiscal_year_start_month, created_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [companyId, input.code, input.name, input.baseCurrency, input.fiscalYearStartMonth ?? 1, input.actor],
  );
  const chart = ACCOUNT_ROLES.map((role) => ({ role, ...DEFAULT_CHART[role] }));
  await client.query(
    `INSERT INTO gl_account (company_id, account_code, name, role)
     SELECT $1, x.code, x.name, x.role FROM jsonb_to_recordset($2::jsonb) AS x(code text, name text, role text)`,
    [companyId, JSON.stringify(chart)],
  );
  return loadCompany(client, input.code);
}

/** Loads a company by code; with no code, the only company there is. */
export async function loadCompany(client: SqlClient, code?: string): Promise<CompanyContext> {
  const { rows } = await client.query<{
    company_id: string;
    code: string;
    name: string;
    base_currency: string;
  }>(
    code === undefined
      ? 'SELECT company_id, code, name, base_currency FROM company ORDER BY created_at LIMIT 2'
      : 'SELECT company_id, code, name, base_currency FROM company WHERE code = $1',
    code === undefined ? [] : [code],
  );
  if (rows.length === 0) {
    throw new LedgerError(
      'no-company',
      code === undefined
        ? 'no company yet: run `openar init` (or `openar demo`) first'
        : `no company with code ${code}`,
    );
  }
  if (rows.length > 1)
    throw new LedgerError('company-ambiguous', 'several companies exist: name one with --company CODE');
  const company = rows[0]!;
  const accounts = await client.query<{ role: AccountRole; account_code: string }>(
    'SELECT role, account_code FROM gl_account WHERE company_id = $1',
    [company.company_id],
  );
  const byRole = Object.fromEntries(accounts.rows.map((a) => [a.role, a.account_code])) as Record<
    AccountRole,
    string
  >;
  for (const role of ACCOUNT_ROLES) {
    if (!byRole[role])
      throw new LedgerError('chart-incomplete', `company ${company.code} has no ${role} account`);
  }
  return {
    companyId: company.company_id,
    code: company.code,
    name: company.name,
    baseCurrency: company.base_currency.trim(),
    accounts: byRole,
  };
}
