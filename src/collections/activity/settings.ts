import { uuidv7 } from 'uuidv7';
import type { SqlClient } from '../../store/client.js';
import { check } from './errors.js';

/** Per-company rules for promises, plans and credit. Amounts are minor units of the customer's currency. */
export interface ActivitySettings {
  /** Cash arriving up to this many days after the promised date still keeps the promise. */
  promiseGraceDays: number;
  /** A promise short by at most this much is kept (bank charges, rounding). */
  promiseToleranceMinor: number;
  /** An installment is missed this many days after its due date if still unpaid. */
  planGraceDays: number;
  /** Hold a customer whose exposure is over its credit limit (by more than the tolerance). */
  creditOverLimit: boolean;
  /** Hold a customer with debt past due by more than this many days (null: rule off). */
  creditPastDueDays: number | null;
  /** Amounts over the limit, or past due, up to this much are negligible: no hold. */
  creditToleranceMinor: number;
  /** A manager's release of a hold keeps the rules from placing it again for this many days. */
  creditOverrideDays: number;
}

export const DEFAULT_SETTINGS: Readonly<ActivitySettings> = {
  promiseGraceDays: 3,
  promiseToleranceMinor: 100,
  planGraceDays: 5,
  creditOverLimit: true,
  creditPastDueDays: 60,
  creditToleranceMinor: 1000,
  creditOverrideDays: 30,
};

const LIMITS: Record<keyof ActivitySettings, [number, number]> = {
  promiseGraceDays: [0, 90],
  promiseToleranceMinor: [0, Number.MAX_SAFE_INTEGER],
  planGraceDays: [0, 90],
  creditOverLimit: [0, 1],
  creditPastDueDays: [0, 3650],
  creditToleranceMinor: [0, Number.MAX_SAFE_INTEGER],
  creditOverrideDays: [0, 365],
};

interface SettingsRow {
  promise_grace_days: number;
  promise_tolerance_minor: number;
  plan_grace_days: number;
  credit_over_limit: boolean;
  credit_past_due_days: number | null;
  credit_tolerance_minor: number;
  credit_override_days: number;
}

export async function loadSettings(client: SqlClient, companyId: string): Promise<ActivitySettings> {
  const { rows } = await client.query<SettingsRow>('SELECT * FROM activity_settings WHERE company_id = $1', [
    companyId,
  ]);
  const r = rows[0];
  if (!r) return { ...DEFAULT_SETTINGS };
  return {
    promiseGraceDays: r.promise_grace_days,
    promiseToleranceMinor: r.promise_tolerance_minor,
    planGraceDays: r.plan_grace_days,
    creditOverLimit: r.credit_over_limit,
    creditPastDueDays: r.credit_past_due_days,
    creditToleranceMinor: r.credit_tolerance_minor,
    creditOverrideDays: r.credit_override_days,
  };
}

export function validateSettings(s: ActivitySettings): ActivitySettings {
  for (const [key, [min, max]] of Object.entries(LIMITS) as [keyof ActivitySettings, [number, number]][]) {
    const value = s[key];
    if (typeof value === 'boolean' || value === null) continue;
    check(
      Number.isSafeInteger(value) && value >= min && value <= max,
      'bad-setting',
      `${key} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
  return s;
}

/** Changes some settings; the full new set is kept in the history with who and why. */
export async function updateSettings(
  client: SqlClient,
  companyId: string,
  change: Partial<ActivitySettings>,
  actor: string,
  reason: string,
): Promise<ActivitySettings> {
  check(reason.trim().length > 0, 'reason-required', 'a settings change needs a reason');
  const next = validateSettings({ ...(await loadSettings(client, companyId)), ...change });
  await client.query(
    `INSERT INTO activity_settings (company_id, promise_grace_days, promise_tolerance_minor, plan_grace_days,
       credit_over_limit, credit_past_due_days, credit_tolerance_minor, credit_override_days, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (company_id) DO UPDATE SET promise_grace_days = EXCLUDED.promise_grace_days,
       promise_tolerance_minor = EXCLUDED.promise_tolerance_minor, plan_grace_days = EXCLUDED.plan_grace_days,
       credit_over_limit = EXCLUDED.credit_over_limit, credit_past_due_days = EXCLUDED.credit_past_due_days,
       credit_tolerance_minor = EXCLUDED.credit_tolerance_minor, credit_override_days = EXCLUDED.credit_override_days,
       updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [
      companyId,
      next.promiseGraceDays,
      next.promiseToleranceMinor,
      next.planGraceDays,
      next.creditOverLimit,
      next.creditPastDueDays,
      next.creditToleranceMinor,
      next.creditOverrideDays,
      actor,
    ],
  );
  await client.query(
    `INSERT INTO activity_settings_history (company_id, change_id, settings, reason, created_by)
     VALUES ($1, $2, $3, $4, $5)`,
    [companyId, uuidv7(), JSON.stringify(next), reason.slice(0, 1000), actor],
  );
  return next;
}
