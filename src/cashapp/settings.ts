import { z } from 'zod';
import type { CompanyContext } from '../ledger/index.js';
import type { SqlClient } from '../store/client.js';
import { type CashappSettings, DEFAULT_SETTINGS } from './core/types.js';

const SettingsSchema = z
  .object({
    autoThreshold: z.number().min(0.5).max(1),
    proposeThreshold: z.number().min(0).max(1),
    writeOffMaxMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    writeOffMaxBasisPoints: z.number().int().min(0).max(10_000),
    writeOffReason: z.string().min(1).max(200),
    discountGraceDays: z.number().int().min(0).max(60),
    subsetSearchMaxSteps: z.number().int().min(1).max(10_000_000),
    subsetMaxItems: z.number().int().min(1).max(50),
  })
  .strict()
  .refine((s) => s.proposeThreshold <= s.autoThreshold, 'proposeThreshold must not exceed autoThreshold');

/** The company's thresholds and tolerances: the defaults, overridden by what was saved. */
export async function loadSettings(client: SqlClient, ctx: CompanyContext): Promise<CashappSettings> {
  const { rows } = await client.query<{ settings: Partial<CashappSettings> }>(
    'SELECT settings FROM cashapp_settings WHERE company_id = $1',
    [ctx.companyId],
  );
  return SettingsSchema.parse({ ...DEFAULT_SETTINGS, ...(rows[0]?.settings ?? {}) });
}

export async function saveSettings(
  client: SqlClient,
  ctx: CompanyContext,
  changes: Partial<CashappSettings>,
  actor: string,
): Promise<CashappSettings> {
  const merged = SettingsSchema.parse({ ...(await loadSettings(client, ctx)), ...changes });
  await client.query(
    `INSERT INTO cashapp_settings (company_id, settings, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (company_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [ctx.companyId, JSON.stringify(merged), actor],
  );
  return merged;
}
