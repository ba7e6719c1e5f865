import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../../ledger/index.js';
import type { SqlClient } from '../../store/client.js';
import { findCustomer } from '../statement/index.js';
import { DunningError, invariant } from './core/errors.js';
import { LANGUAGE_PATTERN } from './core/templates.js';
import { loadConfig } from './store.js';

/**
 * A customer's dunning settings (owned here): the letter language (default: the configuration's),
 * a strategy set by hand (wins over segments), and a block with its reason. Every change is logged
 * with who, when and why.
 */

export interface CustomerSettingsChange {
  language?: string | null;
  strategy?: string | null;
  blockedReason?: string | null;
  actor: string;
  reason: string;
}

export interface CustomerDunning {
  customerNumber: string;
  name: string;
  language: string | null;
  strategy: string | null;
  blockedReason: string | null;
  assignment: { strategy: string; segment: string; reason: string; assignedAt: string } | null;
  documents: {
    document: string;
    dueDate: string;
    currency: string;
    level: number;
    lastStep: string | null;
  }[];
}

export async function setCustomerDunning(
  client: SqlClient,
  ctx: CompanyContext,
  customer: string,
  change: CustomerSettingsChange,
): Promise<CustomerDunning> {
  invariant(
    change.reason.trim().length > 0 && change.reason.length <= 500,
    'reason-missing',
    'a settings change needs a reason',
  );
  const c = await findCustomer(client, ctx, customer);
  if (change.language != null)
    invariant(
      LANGUAGE_PATTERN.test(change.language),
      'bad-language',
      `a language is two lower-case letters like de, got ${JSON.stringify(change.language)}`,
    );
  if (change.strategy != null) {
    const { config } = await loadConfig(client, ctx);
    if (!config.strategies.has(change.strategy))
      throw new DunningError(
        'unknown-strategy',
        `no strategy ${change.strategy} in the loaded configuration (${[...config.strategies.keys()].join(', ')})`,
      );
  }
  if (change.blockedReason != null)
    invariant(
      change.blockedReason.length >= 1 && change.blockedReason.length <= 500,
      'bad-reason',
      'a block reason is 1 to 500 characters',
    );
  const { rows } = await client.query<{
    language: string | null;
    strategy_code: string | null;
    blocked_reason: string | null;
  }>(
    `SELECT language, strategy_code, blocked_reason FROM dunning_customer_setting
      WHERE company_id = $1 AND customer_id = $2 FOR UPDATE`,
    [ctx.companyId, c.customerId],
  );
  const before = rows[0] ?? { language: null, strategy_code: null, blocked_reason: null };
  const after = {
    language: change.language === undefined ? before.language : change.language,
    strategy_code: change.strategy === undefined ? before.strategy_code : change.strategy,
    blocked_reason: change.blockedReason === undefined ? before.blocked_reason : change.blockedReason,
  };
  const changes: Record<string, [unknown, unknown]> = {};
  for (const k of ['language', 'strategy_code', 'blocked_reason'] as const)
    if (before[k] !== after[k]) changes[k] = [before[k], after[k]];
  if (Object.keys(changes).length > 0) {
    await client.query(
      `INSERT INTO dunning_customer_setting (company_id, customer_id, language, strategy_code, blocked_reason, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (company_id, customer_id) DO UPDATE
          SET language = excluded.language, strategy_code = excluded.strategy_code,
              blocked_reason = excluded.blocked_reason, updated_at = now(), updated_by = excluded.updated_by`,
      [ctx.companyId, c.customerId, after.language, after.strategy_code, after.blocked_reason, change.actor],
    );
    await client.query(
      `INSERT INTO dunning_setting_change (company_id, change_id, customer_id, changes, reason, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6)`,
      [ctx.companyId, uuidv7(), c.customerId, JSON.stringify(changes), change.reason, change.actor],
    );
  }
  return customerDunning(client, ctx, customer);
}

export async function customerDunning(
  client: SqlClient,
  ctx: CompanyContext,
  customer: string,
): Promise<CustomerDunning> {
  const c = await findCustomer(client, ctx, customer);
  const s = await client.query<{
    language: string | null;
    strategy_code: string | null;
    blocked_reason: string | null;
  }>(
    'SELECT language, strategy_code, blocked_reason FROM dunning_customer_setting WHERE company_id = $1 AND customer_id = $2',
    [ctx.companyId, c.customerId],
  );
  const a = await client.query<{
    strategy_code: string;
    segment_code: string;
    reason: string;
    assigned_at: Date | string;
  }>(
    'SELECT strategy_code, segment_code, reason, assigned_at FROM dunning_assignment WHERE company_id = $1 AND customer_id = $2',
    [ctx.companyId, c.customerId],
  );
  // Open documents and the level each reached (a reporting read of the ledger's document table).
  const docs = await client.query<{
    document_number: string;
    due_date: string;
    currency: string;
    level: number | null;
    step_code: string | null;
  }>(
    `SELECT d.document_number, d.due_date, d.currency, x.level, x.step_code
       FROM document d
       LEFT JOIN LATERAL (SELECT i.level, i.step_code FROM dunning_letter_item i
                           WHERE i.company_id = d.company_id AND i.document_id = d.document_id AND i.undone_at IS NULL
                           ORDER BY i.step_days DESC, i.level DESC LIMIT 1) x ON true
      WHERE d.company_id = $1 AND d.customer_id = $2 AND d.open_minor > 0 AND d.doc_type <> 'credit_memo'
      ORDER BY d.due_date, d.document_number`,
    [ctx.companyId, c.customerId],
  );
  const setting = s.rows[0];
  const assignment = a.rows[0];
  return {
    customerNumber: c.customerNumber,
    name: c.name,
    language: setting?.language ?? null,
    strategy: setting?.strategy_code ?? null,
    blockedReason: setting?.blocked_reason ?? null,
    assignment: assignment
      ? {
          strategy: assignment.strategy_code,
          segment: assignment.segment_code,
          reason: assignment.reason,
          assignedAt: new Date(assignment.assigned_at).toISOString(),
        }
      : null,
    documents: docs.rows.map((d) => ({
      document: d.document_number,
      dueDate: d.due_date,
      currency: d.currency.trim(),
      level: d.level ?? 0,
      lastStep: d.step_code,
    })),
  };
}
