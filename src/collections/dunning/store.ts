import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/index.js';
import { customerFamilies } from '../../ledger/index.js';
import { loadOpenDocuments } from '../../ledger/open-items.js';
import type { SqlClient } from '../../store/client.js';
import { DEFAULT_CONFIG, type DunningConfig, parseConfig } from './core/config.js';
import { DunningError } from './core/errors.js';
import type { CandidateDocument, CustomerFacts } from './core/plan.js';

/**
 * The dunning module's reads: the configuration in force, every open document with the level it
 * reached (two queries whatever the company's size: the ledger's open documents and this module's
 * levels), and the facts about the customers involved (a handful of set-based queries). Reads of the
 * ledger's tables here are reporting reads: nothing in this module writes them except through the
 * ledger's functions.
 */

export interface LoadedConfig {
  config: DunningConfig;
  /** null: the built-in default (no file was ever loaded). */
  configId: string | null;
  sourceName: string;
  loadedAt: string | null;
  loadedBy: string | null;
}

export async function loadConfig(client: SqlClient, ctx: CompanyContext): Promise<LoadedConfig> {
  const { rows } = await client.query<{
    config_id: string;
    definition: unknown;
    source_name: string;
    loaded_at: Date | string;
    loaded_by: string;
  }>(
    `SELECT config_id, definition, source_name, loaded_at, loaded_by FROM dunning_config
      WHERE company_id = $1 ORDER BY loaded_at DESC, config_id DESC LIMIT 1`,
    [ctx.companyId],
  );
  const row = rows[0];
  if (!row)
    return {
      config: DEFAULT_CONFIG,
      configId: null,
      sourceName: 'built-in default',
      loadedAt: null,
      loadedBy: null,
    };
  const definition = typeof row.definition === 'string' ? JSON.parse(row.definition) : row.definition;
  return {
    config: parseConfig(definition, row.source_name),
    configId: row.config_id,
    sourceName: row.source_name,
    loadedAt: new Date(row.loaded_at).toISOString(),
    loadedBy: row.loaded_by,
  };
}

/** Stores a checked configuration as the one in force (earlier ones stay, for the runs that used them). */
export async function saveConfig(
  client: SqlClient,
  ctx: CompanyContext,
  config: DunningConfig,
  sourceName: string,
  actor: string,
): Promise<string> {
  const configId = uuidv7();
  await client.query(
    `INSERT INTO dunning_config (company_id, config_id, definition, source_name, loaded_by)
     VALUES ($1, $2, $3::jsonb, $4, $5)`,
    [ctx.companyId, configId, JSON.stringify(config.file), sourceName.slice(0, 500), actor],
  );
  return configId;
}

/**
 * Open invoices and debit memos due by `dueBy`, each with the furthest step offset recorded for it
 * by runs not undone, the date interest was last charged up to, and whether dunning posted it (a fee).
 */
export async function loadCandidates(
  client: SqlClient,
  ctx: CompanyContext,
  dueBy: string,
): Promise<CandidateDocument[]> {
  const open = await loadOpenDocuments(client, ctx);
  const { rows } = await client.query<{
    document_id: string;
    done_days: number | null;
    interest_through: string | null;
    is_charge: boolean;
  }>(
    `WITH done AS (
       SELECT i.document_id, max(i.step_days)::int4 AS done_days, max(i.interest_to) AS interest_through
         FROM dunning_letter_item i
         JOIN document d ON d.company_id = i.company_id AND d.document_id = i.document_id AND d.open_minor > 0
        WHERE i.company_id = $1 AND i.undone_at IS NULL
        GROUP BY i.document_id)
     SELECT coalesce(x.document_id, c.document_id) AS document_id, x.done_days,
            x.interest_through, c.document_id IS NOT NULL AS is_charge
       FROM done x
       FULL JOIN (SELECT ch.document_id FROM dunning_charge ch
                    JOIN document d ON d.company_id = ch.company_id AND d.document_id = ch.document_id
                     AND d.open_minor > 0
                   WHERE ch.company_id = $1) c ON c.document_id = x.document_id`,
    [ctx.companyId],
  );
  const state = new Map(rows.map((r) => [r.document_id, r]));
  const out: CandidateDocument[] = [];
  for (const d of open) {
    if (d.docType === 'credit_memo' || d.dueDate > dueBy) continue;
    const s = state.get(d.documentId);
    out.push({
      documentId: d.documentId,
      documentNumber: d.documentNumber,
      customerId: d.customerId,
      docType: d.docType,
      currency: d.currency,
      documentDate: d.documentDate,
      dueDate: d.dueDate,
      openMinor: d.openMinor,
      doneDays: s?.done_days ?? null,
      interestThrough: s?.interest_through ?? null,
      isCharge: s?.is_charge ?? false,
    });
  }
  return out;
}

/** What segments and letters need about the customers: master data, settings, balances, credits. */
export async function loadCustomerFacts(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
): Promise<Map<string, CustomerFacts>> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<{
    customer_id: string;
    customer_number: string;
    name: string;
    currency: string;
    collector: string | null;
    parent_number: string | null;
    email: string | null;
    language: string | null;
    strategy_code: string | null;
    blocked_reason: string | null;
  }>(
    // The dunning address: the primary AP contact, else a bill-to contact, else the customer's own.
    `WITH contact AS (
       SELECT DISTINCT ON (customer_id) customer_id, email FROM customer_contact
        WHERE company_id = $1 AND customer_id = ANY ($2::uuid[]) AND coalesce(email, '') <> ''
          AND role IN ('ap', 'bill_to')
        ORDER BY customer_id, (role = 'ap') DESC, is_primary DESC, contact_id)
     SELECT c.customer_id, c.customer_number, c.name, c.currency, c.collector, p.customer_number AS parent_number,
            coalesce(ct.email, nullif(c.email, '')) AS email, s.language, s.strategy_code, s.blocked_reason
       FROM customer c
       LEFT JOIN customer p ON p.company_id = c.company_id AND p.customer_id = c.parent_customer_id
       LEFT JOIN contact ct ON ct.customer_id = c.customer_id
       LEFT JOIN dunning_customer_setting s ON s.company_id = c.company_id AND s.customer_id = c.customer_id
      WHERE c.company_id = $1 AND c.customer_id = ANY ($2::uuid[])`,
    [ctx.companyId, ids],
  );
  const families = await customerFamilies(client, ctx, ids);
  const roots = [...new Set([...families.values()].filter((r): r is string => r !== null))];
  const rootNumbers = new Map(
    (
      await client.query<{ customer_id: string; customer_number: string }>(
        'SELECT customer_id, customer_number FROM customer WHERE company_id = $1 AND customer_id = ANY ($2::uuid[])',
        [ctx.companyId, roots],
      )
    ).rows.map((r) => [r.customer_id, r.customer_number]),
  );
  const money = await client.query<{
    customer_id: string;
    currency: string;
    base_minor: number;
    credits_minor: number;
  }>(
    `SELECT customer_id, currency,
            sum(CASE WHEN doc_type = 'credit_memo' THEN -open_base_minor ELSE open_base_minor END)::int8 AS base_minor,
            coalesce(sum(open_minor) FILTER (WHERE doc_type = 'credit_memo'), 0)::int8 AS credits_minor
       FROM document WHERE company_id = $1 AND customer_id = ANY ($2::uuid[]) AND open_minor > 0
      GROUP BY customer_id, currency
     UNION ALL
     SELECT customer_id, currency, 0::int8, sum(unapplied_minor + on_account_minor)::int8
       FROM receipt WHERE company_id = $1 AND customer_id = ANY ($2::uuid[])
        AND (unapplied_minor > 0 OR on_account_minor > 0)
      GROUP BY customer_id, currency`,
    [ctx.companyId, ids],
  );
  const balance = new Map<string, number>();
  const credits = new Map<string, Map<string, number>>();
  for (const m of money.rows) {
    balance.set(m.customer_id, (balance.get(m.customer_id) ?? 0) + m.base_minor);
    if (m.credits_minor === 0) continue;
    const byCurrency = credits.get(m.customer_id) ?? new Map<string, number>();
    credits.set(m.customer_id, byCurrency);
    const currency = m.currency.trim();
    byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + m.credits_minor);
  }
  const out = new Map<string, CustomerFacts>();
  for (const r of rows) {
    const root = families.get(r.customer_id) ?? null;
    out.set(r.customer_id, {
      customerId: r.customer_id,
      customerNumber: r.customer_number,
      name: r.name,
      currency: r.currency.trim(),
      collector: r.collector,
      parentNumber: r.parent_number,
      topParentNumber: root !== null && root !== r.customer_id ? (rootNumbers.get(root) ?? null) : null,
      email: r.email,
      language: r.language,
      strategyOverride: r.strategy_code,
      blockedReason: r.blocked_reason,
      balanceBaseMinor: balance.get(r.customer_id) ?? 0,
      creditsMinor: credits.get(r.customer_id) ?? new Map(),
    });
  }
  return out;
}

/** Exchange rates for posting charges: the latest company rate on or before the date, per currency. */
export async function loadRates(
  client: SqlClient,
  ctx: CompanyContext,
  asOf: string,
  currencies: readonly string[],
  documentIds: readonly string[],
): Promise<Map<string, string>> {
  const foreign = currencies.filter((c) => c !== ctx.baseCurrency);
  if (foreign.length === 0) return new Map();
  // Else the rate of the newest dunned document in that currency: the rate the customer's debt is carried at.
  const { rows } = await client.query<{ currency: string; rate: string }>(
    `SELECT DISTINCT ON (currency) currency, rate::text AS rate FROM (
       SELECT currency, rate, rate_date AS d, 1 AS pref FROM fx_rate
        WHERE company_id = $1 AND currency = ANY ($2::text[]) AND rate_date <= $3
       UNION ALL
       SELECT currency, fx_rate, document_date, 2 FROM document
        WHERE company_id = $1 AND document_id = ANY ($4::uuid[]) AND currency = ANY ($2::text[])) x
      ORDER BY currency, pref, d DESC`,
    [ctx.companyId, foreign, asOf, documentIds],
  );
  const rates = new Map(rows.map((r) => [r.currency.trim(), r.rate]));
  for (const c of foreign)
    if (!rates.has(c))
      throw new DunningError('rate-missing', `no exchange rate for ${c} to post a dunning charge`);
  return rates;
}
