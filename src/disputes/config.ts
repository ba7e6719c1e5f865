import { createHash } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import type { CompanyContext } from '../ledger/index.js';
import { assertSafeMinor, minorUnitExponent } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import { DisputeError, DisputeFileError, invariant } from './core/errors.js';
import { type MatrixRule, parseMatrixFile, SEGMENT } from './core/matrix.js';
import {
  DEFAULT_REASONS,
  DEFAULT_X12_MAP,
  parseReasonsFile,
  type Reason,
  type ReasonMaps,
} from './core/reasons.js';
import { customersByKey } from './ledger-reads.js';

/** A company's dispute settings. */
export interface DisputeSettings {
  /** A credit above this (base currency, minor units) needs a second person's approval. */
  approvalThresholdMinor: number;
  /** Days after the deadline before the owner's manager is told. */
  managerAfterDays: number;
  /** Who gets a case no matrix rule covers. */
  defaultOwner: string;
  defaultDeadlineDays: number;
}

interface SettingsRow {
  approval_threshold_minor: number;
  manager_after_days: number;
  default_owner: string;
  default_deadline_days: number;
}

const settingsOf = (r: SettingsRow): DisputeSettings => ({
  approvalThresholdMinor: r.approval_threshold_minor,
  managerAfterDays: r.manager_after_days,
  defaultOwner: r.default_owner,
  defaultDeadlineDays: r.default_deadline_days,
});

/**
 * The company's dispute setup, created with the defaults on first use: settings, the default
 * reason catalogue and the X12 426 mapping. Idempotent (ON CONFLICT DO NOTHING), so two sessions
 * starting at once agree.
 */
export async function ensureDisputeSetup(
  client: SqlClient,
  ctx: CompanyContext,
  actor: string,
): Promise<DisputeSettings> {
  const existing = await client.query<SettingsRow>(
    `SELECT approval_threshold_minor, manager_after_days, default_owner, default_deadline_days
       FROM dispute_settings WHERE company_id = $1`,
    [ctx.companyId],
  );
  if (existing.rows.length > 0) return settingsOf(existing.rows[0]!);
  await client.query(
    `INSERT INTO dispute_settings (company_id, updated_by) VALUES ($1, $2) ON CONFLICT (company_id) DO NOTHING`,
    [ctx.companyId, actor],
  );
  await client.query(
    `INSERT INTO dispute_reason (company_id, reason_code, name, description, created_by)
     SELECT $1, x.code, x.name, x.description, $3 FROM jsonb_to_recordset($2::jsonb) AS x(code text, name text, description text)
     ON CONFLICT DO NOTHING`,
    [ctx.companyId, JSON.stringify(DEFAULT_REASONS), actor],
  );
  await client.query(
    `INSERT INTO dispute_reason_map (company_id, map_id, source, external_code, reason_code, created_by)
     SELECT $1, x.id, 'x12', x.code, x.reason, $3 FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, code text, reason text)
     ON CONFLICT DO NOTHING`,
    [
      ctx.companyId,
      JSON.stringify(
        Object.entries(DEFAULT_X12_MAP).map(([code, reason]) => ({ id: uuidv7(), code, reason })),
      ),
      actor,
    ],
  );
  return ensureDisputeSetup(client, ctx, actor);
}

export async function updateSettings(
  client: SqlClient,
  ctx: CompanyContext,
  patch: Partial<DisputeSettings>,
  actor: string,
): Promise<DisputeSettings> {
  await ensureDisputeSetup(client, ctx, actor);
  if (patch.approvalThresholdMinor !== undefined) {
    assertSafeMinor(patch.approvalThresholdMinor, 'approval threshold');
    invariant(patch.approvalThresholdMinor >= 0, 'bad-setting', 'the approval threshold cannot be negative');
  }
  for (const [what, v] of [
    ['manager-after days', patch.managerAfterDays],
    ['default deadline days', patch.defaultDeadlineDays],
  ] as const) {
    if (v !== undefined)
      invariant(Number.isInteger(v) && v >= 0 && v <= 365, 'bad-setting', `${what} must be 0 to 365`);
  }
  if (patch.defaultOwner !== undefined)
    invariant(
      patch.defaultOwner.trim().length > 0 && patch.defaultOwner.length <= 120,
      'bad-setting',
      'the default owner must be 1 to 120 characters',
    );
  const { rows } = await client.query<SettingsRow>(
    `UPDATE dispute_settings SET
       approval_threshold_minor = coalesce($2, approval_threshold_minor),
       manager_after_days = coalesce($3, manager_after_days),
       default_owner = coalesce($4, default_owner),
       default_deadline_days = coalesce($5, default_deadline_days),
       updated_at = now(), updated_by = $6
     WHERE company_id = $1
     RETURNING approval_threshold_minor, manager_after_days, default_owner, default_deadline_days`,
    [
      ctx.companyId,
      patch.approvalThresholdMinor ?? null,
      patch.managerAfterDays ?? null,
      patch.defaultOwner?.trim() ?? null,
      patch.defaultDeadlineDays ?? null,
      actor,
    ],
  );
  return settingsOf(rows[0]!);
}

// ---------------------------------------------------------------- reasons

export async function listReasons(client: SqlClient, ctx: CompanyContext): Promise<Required<Reason>[]> {
  const { rows } = await client.query<{
    reason_code: string;
    name: string;
    description: string | null;
    active: boolean;
  }>(
    'SELECT reason_code, name, description, active FROM dispute_reason WHERE company_id = $1 ORDER BY reason_code',
    [ctx.companyId],
  );
  return rows.map((r) => ({
    code: r.reason_code,
    name: r.name,
    description: r.description,
    active: r.active,
  }));
}

/** The catalogue and the code mappings (for the given customers only, when named). */
export async function loadReasonMaps(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds?: readonly string[],
): Promise<ReasonMaps> {
  const { rows: reasons } = await client.query<{ reason_code: string }>(
    'SELECT reason_code FROM dispute_reason WHERE company_id = $1 AND active',
    [ctx.companyId],
  );
  const { rows: maps } = await client.query<{
    source: string;
    customer_id: string | null;
    external_code: string;
    reason_code: string;
  }>(
    `SELECT source, customer_id, external_code, reason_code FROM dispute_reason_map
      WHERE company_id = $1 AND (source = 'x12' OR $2::uuid[] IS NULL OR customer_id = ANY($2::uuid[]))`,
    [ctx.companyId, customerIds ? [...new Set(customerIds)] : null],
  );
  const x12 = new Map<string, string>();
  const customer = new Map<string, Map<string, string>>();
  for (const m of maps) {
    if (m.source === 'x12') x12.set(m.external_code, m.reason_code);
    else {
      const own = customer.get(m.customer_id!) ?? new Map<string, string>();
      customer.set(m.customer_id!, own);
      own.set(m.external_code, m.reason_code);
    }
  }
  return { catalogue: new Set(reasons.map((r) => r.reason_code)), x12, customer };
}

/** Loads a reasons file (catalogue entries and code mappings): all or nothing, upserting. */
export async function loadReasonsFile(
  client: SqlClient,
  ctx: CompanyContext,
  file: { name: string; text: string },
  actor: string,
): Promise<{ reasons: number; mappings: number }> {
  await ensureDisputeSetup(client, ctx, actor);
  const known = new Set((await listReasons(client, ctx)).map((r) => r.code));
  const { file: parsed, issues } = parseReasonsFile(file.name, file.text, known);
  if (issues.length > 0) throw new DisputeFileError(file.name, issues);
  const numbers = [...new Set(parsed.mappings.filter((m) => m.customer !== null).map((m) => m.customer!))];
  let customers = new Map<string, { customerId: string }>();
  if (numbers.length > 0) {
    try {
      customers = await customersByKey(client, ctx, numbers);
    } catch (error) {
      throw new DisputeFileError(file.name, [
        {
          where: 'mappings',
          field: 'customer',
          expected: 'customer numbers that exist',
          got: (error as Error).message,
        },
      ]);
    }
  }
  if (parsed.reasons.length > 0) {
    await client.query(
      `INSERT INTO dispute_reason (company_id, reason_code, name, description, active, created_by)
       SELECT $1, x.code, x.name, x.description, x.active, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(code text, name text, description text, active boolean)
       ON CONFLICT (company_id, reason_code) DO UPDATE
         SET name = excluded.name, description = excluded.description, active = excluded.active`,
      [ctx.companyId, JSON.stringify(parsed.reasons), actor],
    );
  }
  if (parsed.mappings.length > 0) {
    const rows = parsed.mappings.map((m) => ({
      id: uuidv7(),
      source: m.source,
      customer_id: m.customer === null ? null : customers.get(m.customer)!.customerId,
      code: m.code,
      reason: m.reason,
    }));
    await client.query(
      `INSERT INTO dispute_reason_map (company_id, map_id, source, customer_id, external_code, reason_code, created_by)
       SELECT $1, x.id, x.source, x.customer_id, x.code, x.reason, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, source text, customer_id uuid, code text, reason text)
       ON CONFLICT (company_id, source, coalesce(customer_id, '00000000-0000-0000-0000-000000000000'::uuid), external_code)
       DO UPDATE SET reason_code = excluded.reason_code`,
      [ctx.companyId, JSON.stringify(rows), actor],
    );
  }
  return { reasons: parsed.reasons.length, mappings: parsed.mappings.length };
}

// ---------------------------------------------------------------- segments

/** Puts a customer in a segment (null takes it out). */
export async function setSegment(
  client: SqlClient,
  ctx: CompanyContext,
  customer: string,
  segment: string | null,
  actor: string,
): Promise<void> {
  const c = (await customersByKey(client, ctx, [customer])).get(customer)!;
  if (segment === null) {
    await client.query('DELETE FROM dispute_segment WHERE company_id = $1 AND customer_id = $2', [
      ctx.companyId,
      c.customerId,
    ]);
    return;
  }
  invariant(
    SEGMENT.test(segment),
    'bad-segment',
    `a segment is a-z, 0-9, _ - (up to 40), got ${JSON.stringify(segment)}`,
  );
  await client.query(
    `INSERT INTO dispute_segment (company_id, customer_id, segment, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (company_id, customer_id) DO UPDATE SET segment = excluded.segment, updated_at = now(), updated_by = excluded.updated_by`,
    [ctx.companyId, c.customerId, segment, actor],
  );
}

/**
 * Each customer's segment: its own, else the nearest parent's (up to 8 levels). The parent links
 * are read from the ledger's customer table.
 */
export async function segmentsOf(
  client: SqlClient,
  ctx: CompanyContext,
  customerIds: readonly string[],
): Promise<Map<string, string>> {
  if (customerIds.length === 0) return new Map();
  const { rows } = await client.query<{ customer_id: string; segment: string }>(
    `WITH RECURSIVE up (customer_id, ancestor_id, depth) AS (
       SELECT c.customer_id, c.customer_id, 0 FROM customer c
        WHERE c.company_id = $1 AND c.customer_id = ANY($2::uuid[])
       UNION ALL
       SELECT u.customer_id, c.parent_customer_id, u.depth + 1
         FROM up u JOIN customer c ON c.company_id = $1 AND c.customer_id = u.ancestor_id
        WHERE c.parent_customer_id IS NOT NULL AND u.depth < 8)
     SELECT DISTINCT ON (u.customer_id) u.customer_id, s.segment
       FROM up u JOIN dispute_segment s ON s.company_id = $1 AND s.customer_id = u.ancestor_id
      ORDER BY u.customer_id, u.depth`,
    [ctx.companyId, [...new Set(customerIds)]],
  );
  return new Map(rows.map((r) => [r.customer_id, r.segment]));
}

// ---------------------------------------------------------------- matrix

export interface ActiveMatrix {
  matrixId: string;
  sourceName: string;
  loadedAt: string;
  loadedBy: string;
  rules: MatrixRule[];
}

/**
 * Validates a matrix file and, unless a dry run, makes it the active matrix (the previous one is
 * kept, deactivated, so the rule a case was routed by stays readable). Cases already open keep
 * their owner; new cases are routed by the new matrix.
 */
export async function loadMatrixFile(
  client: SqlClient,
  ctx: CompanyContext,
  file: { name: string; text: string },
  opts: { actor: string; dryRun?: boolean },
): Promise<{ matrixId: string | null; rules: MatrixRule[]; warnings: string[] }> {
  await ensureDisputeSetup(client, ctx, opts.actor);
  const reasons = new Set((await listReasons(client, ctx)).filter((r) => r.active).map((r) => r.code));
  const parsed = parseMatrixFile(file.name, file.text, {
    baseCurrency: ctx.baseCurrency,
    exponent: minorUnitExponent(ctx.baseCurrency),
    reasons,
  });
  if (parsed.issues.length > 0) throw new DisputeFileError(file.name, parsed.issues);
  if (parsed.rules.length === 0) throw new DisputeError('empty-matrix', `${file.name} has no rules`);
  if (opts.dryRun) return { matrixId: null, rules: parsed.rules, warnings: parsed.warnings };
  const matrixId = uuidv7();
  await client.query('UPDATE dispute_matrix SET active = false WHERE company_id = $1 AND active', [
    ctx.companyId,
  ]);
  await client.query(
    `INSERT INTO dispute_matrix (company_id, matrix_id, source_name, sha256, rule_count, active, loaded_by)
     VALUES ($1, $2, $3, $4, $5, true, $6)`,
    [
      ctx.companyId,
      matrixId,
      file.name.slice(-300),
      createHash('sha256').update(file.text).digest('hex'),
      parsed.rules.length,
      opts.actor,
    ],
  );
  await client.query(
    `INSERT INTO dispute_rule (company_id, matrix_id, rule_id, ordinal, reason_code, segment, min_minor, max_minor, owner,
       owner_team, manager, deadline_days, business_days)
     SELECT $1, $2, x.id, x.ordinal, x.reason, x.segment, x.min_minor, x.max_minor, x.owner, x.team, x.manager,
            x.deadline_days, x.business_days
       FROM jsonb_to_recordset($3::jsonb) AS x(id text, ordinal int4, reason text, segment text, min_minor int8,
            max_minor int8, owner text, team text, manager text, deadline_days int4, business_days boolean)`,
    [
      ctx.companyId,
      matrixId,
      JSON.stringify(
        parsed.rules.map((r, i) => ({
          id: r.id,
          ordinal: i + 1,
          reason: r.reason,
          segment: r.segment,
          min_minor: r.minMinor,
          max_minor: r.maxMinor,
          owner: r.owner,
          team: r.team,
          manager: r.manager,
          deadline_days: r.deadlineDays,
          business_days: r.businessDays,
        })),
      ),
    ],
  );
  return { matrixId, rules: parsed.rules, warnings: parsed.warnings };
}

/** The active matrix with its rules in file order, or null when none was loaded. */
export async function activeMatrix(client: SqlClient, ctx: CompanyContext): Promise<ActiveMatrix | null> {
  const { rows } = await client.query<{
    matrix_id: string;
    source_name: string;
    loaded_at: Date;
    loaded_by: string;
  }>(
    'SELECT matrix_id, source_name, loaded_at, loaded_by FROM dispute_matrix WHERE company_id = $1 AND active',
    [ctx.companyId],
  );
  const m = rows[0];
  if (!m) return null;
  const { rows: rules } = await client.query<{
    rule_id: string;
    reason_code: string | null;
    segment: string | null;
    min_minor: number;
    max_minor: number | null;
    owner: string;
    owner_team: string | null;
    manager: string | null;
    deadline_days: number;
    business_days: boolean;
  }>(
    `SELECT rule_id, reason_code, segment, min_minor, max_minor, owner, owner_team, manager, deadline_days, business_days
       FROM dispute_rule WHERE company_id = $1 AND matrix_id = $2 ORDER BY ordinal`,
    [ctx.companyId, m.matrix_id],
  );
  return {
    matrixId: m.matrix_id,
    sourceName: m.source_name,
    loadedAt: new Date(m.loaded_at).toISOString(),
    loadedBy: m.loaded_by,
    rules: rules.map((r) => ({
      id: r.rule_id,
      reason: r.reason_code,
      segment: r.segment,
      minMinor: r.min_minor,
      maxMinor: r.max_minor,
      owner: r.owner,
      team: r.owner_team,
      manager: r.manager,
      deadlineDays: r.deadline_days,
      businessDays: r.business_days,
    })),
  };
}
