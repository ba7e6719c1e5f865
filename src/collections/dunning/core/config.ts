import { z } from 'zod';
import { minorUnitExponent, parseDecimalToMinor, parseDecimalToMinorBig } from '../../../money/index.js';
import { DunningError } from './errors.js';
import { parsePercent } from './interest.js';
import {
  BUILT_IN_TEMPLATES,
  LANGUAGE_PATTERN,
  MAX_TEMPLATE_CHARS,
  type TemplateSet,
  unknownPlaceholders,
} from './templates.js';

/**
 * The dunning configuration a collections manager edits as a JSON file and loads with
 * `openar dunning strategy load FILE`: strategies (a sequence of steps relative to the due date),
 * segments that pick a strategy by customer attributes, the sender shown on letters, and template
 * overrides per language. The file's own shape (snake_case) is what is stored and shown again, so a
 * shown configuration can be edited and loaded back. docs/dunning.md describes every field.
 */

export const STEP_ACTIONS = ['email', 'call_task', 'escalation', 'credit_hold', 'legal'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const LIMITS = {
  strategies: 50,
  steps: 20,
  segments: 200,
  listed: 10_000,
  codeChars: 40,
  textChars: 500,
  fileBytes: 2_000_000,
  minDays: -365,
  maxDays: 3650,
} as const;

const CODE = /^[a-z0-9][a-z0-9_.-]*$/;
const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;
const CURRENCY = /^[A-Z]{3}$/;

const code = () =>
  z
    .string({ error: 'expected a code (lower-case letters, digits, _ . -)' })
    .max(LIMITS.codeChars, { error: `expected at most ${LIMITS.codeChars} characters` })
    .regex(CODE, { error: 'expected a code of lower-case letters, digits, _ . - (like "overdue_7")' });
const text = (what = 'a text') =>
  z
    .string({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}, not empty` })
    .max(LIMITS.textChars, { error: `expected at most ${LIMITS.textChars} characters` });
const amount = () =>
  z.string({ error: 'expected an amount as a decimal string like "10.00"' }).regex(DECIMAL, {
    error: 'expected an amount as a decimal string like "10.00"',
  });
const perCurrency = () =>
  z.record(
    z.string().regex(CURRENCY, { error: 'expected a currency code like "USD" as the key' }),
    amount(),
    { error: 'expected an object of currency → amount, like {"USD": "10.00"}' },
  );
const whole = (what: string, min: number, max: number) =>
  z
    .number({ error: `expected ${what}: a whole number from ${min} to ${max}` })
    .int({ error: `expected ${what}: a whole number from ${min} to ${max}` })
    .min(min, { error: `expected ${what}: a whole number from ${min} to ${max}` })
    .max(max, { error: `expected ${what}: a whole number from ${min} to ${max}` });
const list = <T extends z.ZodType>(item: T, max: number, what: string) =>
  z
    .array(item, { error: `expected a list of ${what}` })
    .max(max, { error: `expected at most ${max} ${what}` });

const stepSchema = z.strictObject({
  code: code(),
  name: text('a name').optional(),
  days: whole('days relative to the due date', LIMITS.minDays, LIMITS.maxDays),
  action: z.enum(STEP_ACTIONS, { error: `expected one of ${STEP_ACTIONS.join(', ')}` }),
  template: code().optional(),
  fee: perCurrency().optional(),
  fee_due_days: whole('days until a fee is due', 0, 365).optional(),
  interest: z
    .strictObject({
      annual_rate_percent: z
        .string({ error: 'expected a yearly rate in percent as a string like "8.00"' })
        .regex(/^\d{1,3}(\.\d{1,6})?$/, { error: 'expected a yearly rate in percent like "8.00"' }),
      day_count: z.union([z.literal(360), z.literal(365)], { error: 'expected 360 or 365' }).optional(),
    })
    .optional(),
  assignee: text('who gets the task').optional(),
  note: text('a note').optional(),
});

const strategySchema = z.strictObject({
  code: code(),
  name: text('a name').optional(),
  minimum_overdue: perCurrency().optional(),
  steps: list(stepSchema, LIMITS.steps, 'steps').min(1, { error: 'expected at least one step' }),
});

const segmentSchema = z.strictObject({
  code: code(),
  strategy: code(),
  match: z.strictObject({
    customers: list(text('a customer number'), LIMITS.listed, 'customer numbers').optional(),
    currencies: list(
      z.string().regex(CURRENCY, { error: 'expected a currency code like "EUR"' }),
      200,
      'currencies',
    ).optional(),
    collectors: list(z.string().max(LIMITS.textChars), LIMITS.listed, 'collectors').optional(),
    parents: list(text('a customer number'), LIMITS.listed, 'parent customer numbers').optional(),
    has_parent: z.boolean({ error: 'expected true or false' }).optional(),
    balance_min: amount().optional(),
    balance_max: amount().optional(),
  }),
});

const templateSchema = z.strictObject({
  subject: text('a subject'),
  body: z
    .string({ error: 'expected the letter text' })
    .min(1, { error: 'expected the letter text, not empty' })
    .max(MAX_TEMPLATE_CHARS, { error: `expected at most ${MAX_TEMPLATE_CHARS} characters` }),
});

export const configSchema = z.strictObject({
  version: z.literal(1, { error: 'expected 1' }),
  default_language: z.string().regex(LANGUAGE_PATTERN, { error: 'expected a language code like "en"' }),
  default_strategy: code(),
  contact: z.strictObject({
    name: text('a name'),
    email: z.email({ error: 'expected an e-mail address' }),
    phone: text('a phone number').optional(),
  }),
  statement_days: whole('days of account activity on the attached statement', 1, 366).optional(),
  strategies: list(strategySchema, LIMITS.strategies, 'strategies').min(1, {
    error: 'expected at least one strategy',
  }),
  segments: list(segmentSchema, LIMITS.segments, 'segments').optional(),
  templates: z
    .record(
      z.string().regex(LANGUAGE_PATTERN, { error: 'expected a language code like "de" as the key' }),
      z.record(code(), templateSchema),
    )
    .optional(),
});

/** The file as written (and as stored). */
export type DunningConfigFile = z.infer<typeof configSchema>;

export interface StepConfig {
  code: string;
  name: string;
  /** 1-based position in the strategy: the dunning level. */
  level: number;
  days: number;
  action: StepAction;
  template: string | null;
  feeMinor: ReadonlyMap<string, number>;
  feeDueDays: number;
  interest: { percent: string; dayCount: 360 | 365 } | null;
  assignee: string | null;
  note: string | null;
}

export interface StrategyConfig {
  code: string;
  name: string;
  minimumOverdueMinor: ReadonlyMap<string, number>;
  steps: readonly StepConfig[];
}

export interface SegmentConfig {
  code: string;
  strategy: string;
  customers: ReadonlySet<string> | null;
  currencies: ReadonlySet<string> | null;
  collectors: ReadonlySet<string> | null;
  parents: ReadonlySet<string> | null;
  hasParent: boolean | null;
  /** In the company's base currency, minor units, inclusive. */
  balanceMin: string | null;
  balanceMax: string | null;
}

export interface DunningConfig {
  defaultLanguage: string;
  defaultStrategy: string;
  contact: { name: string; email: string; phone: string };
  statementDays: number;
  strategies: ReadonlyMap<string, StrategyConfig>;
  segments: readonly SegmentConfig[];
  /** Built-in templates with the file's overrides on top. */
  templates: TemplateSet;
  file: DunningConfigFile;
}

const DEFAULT_TEMPLATE_BY_DAYS = (days: number, final: boolean): string =>
  days < 0 ? 'reminder' : days === 0 ? 'due' : final ? 'final' : days >= 15 ? 'second' : 'overdue';

/** Formats a zod path like strategies[0].steps[2].days. */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(top level)' : out;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** Reads and checks a configuration; every problem is listed as "file: path: expected …, got …". */
export function parseConfig(raw: unknown, fileName: string): DunningConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 50).map((issue) => {
      if (issue.code === 'unrecognized_keys')
        return `${fileName}: ${pathText(issue.path)}: unexpected field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      return `${fileName}: ${pathText(issue.path)}: ${issue.message}, got ${shown(valueAt(raw, issue.path))}`;
    });
    throw new DunningError('bad-strategy-file', problems.join('\n'));
  }
  return buildConfig(parsed.data, fileName);
}

/** Parses the text of a strategy file (JSON). */
export function parseConfigText(textContent: string, fileName: string): DunningConfig {
  if (textContent.length > LIMITS.fileBytes)
    throw new DunningError('bad-strategy-file', `${fileName}: larger than ${LIMITS.fileBytes} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(textContent);
  } catch (error) {
    throw new DunningError('bad-strategy-file', `${fileName}: not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseConfig(raw, fileName);
}

function amounts(
  record: Record<string, string> | undefined,
  at: string,
  problems: string[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [currency, value] of Object.entries(record ?? {})) {
    try {
      out.set(currency, parseDecimalToMinor(value, minorUnitExponent(currency)));
    } catch {
      problems.push(
        `${at}.${currency}: expected an amount with at most ${minorUnitExponent(currency)} decimals for ${currency}, got ${JSON.stringify(value)}`,
      );
    }
  }
  return out;
}

function buildConfig(file: DunningConfigFile, fileName: string): DunningConfig {
  const problems: string[] = [];
  const strategies = new Map<string, StrategyConfig>();
  file.strategies.forEach((s, si) => {
    const at = `strategies[${si}]`;
    if (strategies.has(s.code))
      problems.push(`${at}.code: expected a unique code, got ${JSON.stringify(s.code)} twice`);
    const codes = new Set<string>();
    const steps = s.steps.map((step, i): StepConfig => {
      const stepAt = `${at}.steps[${i}]`;
      if (codes.has(step.code))
        problems.push(`${stepAt}.code: expected a unique step code, got ${JSON.stringify(step.code)} twice`);
      codes.add(step.code);
      if (i > 0 && step.days <= s.steps[i - 1]!.days)
        problems.push(
          `${stepAt}.days: expected more days than the step before (${s.steps[i - 1]!.days}), got ${step.days}`,
        );
      if (step.action !== 'email' && step.template !== undefined)
        problems.push(
          `${stepAt}.template: expected no template on a ${step.action} step, got ${JSON.stringify(step.template)}`,
        );
      if (step.interest) {
        try {
          parsePercent(step.interest.annual_rate_percent);
        } catch (error) {
          problems.push(`${stepAt}.interest.annual_rate_percent: ${(error as Error).message}`);
        }
      }
      const isLastEmail = !s.steps.slice(i + 1).some((x) => x.action === 'email');
      return {
        code: step.code,
        name: step.name ?? step.code,
        level: i + 1,
        days: step.days,
        action: step.action,
        template:
          step.action === 'email'
            ? (step.template ?? DEFAULT_TEMPLATE_BY_DAYS(step.days, isLastEmail && step.days > 0))
            : null,
        feeMinor: amounts(step.fee, `${stepAt}.fee`, problems),
        feeDueDays: step.fee_due_days ?? 14,
        interest: step.interest
          ? { percent: step.interest.annual_rate_percent, dayCount: step.interest.day_count ?? 365 }
          : null,
        assignee: step.assignee ?? null,
        note: step.note ?? null,
      };
    });
    strategies.set(s.code, {
      code: s.code,
      name: s.name ?? s.code,
      minimumOverdueMinor: amounts(s.minimum_overdue, `${at}.minimum_overdue`, problems),
      steps,
    });
  });
  if (!strategies.has(file.default_strategy))
    problems.push(
      `default_strategy: expected the code of one of the strategies, got ${JSON.stringify(file.default_strategy)}`,
    );
  const segmentCodes = new Set<string>();
  const segments = (file.segments ?? []).map((seg, i): SegmentConfig => {
    const at = `segments[${i}]`;
    if (segmentCodes.has(seg.code))
      problems.push(`${at}.code: expected a unique code, got ${JSON.stringify(seg.code)} twice`);
    segmentCodes.add(seg.code);
    if (!strategies.has(seg.strategy))
      problems.push(
        `${at}.strategy: expected the code of one of the strategies, got ${JSON.stringify(seg.strategy)}`,
      );
    const m = seg.match;
    if (Object.keys(m).length === 0) problems.push(`${at}.match: expected at least one condition, got {}`);
    const balanceMin = m.balance_min ?? null;
    const balanceMax = m.balance_max ?? null;
    if (
      balanceMin !== null &&
      balanceMax !== null &&
      parseDecimalToMinorBig(balanceMin, 4) > parseDecimalToMinorBig(balanceMax, 4)
    )
      problems.push(
        `${at}.match.balance_max: expected at least balance_min (${balanceMin}), got ${JSON.stringify(balanceMax)}`,
      );
    return {
      code: seg.code,
      strategy: seg.strategy,
      customers: m.customers ? new Set(m.customers) : null,
      currencies: m.currencies ? new Set(m.currencies) : null,
      collectors: m.collectors ? new Set(m.collectors) : null,
      parents: m.parents ? new Set(m.parents) : null,
      hasParent: m.has_parent ?? null,
      balanceMin,
      balanceMax,
    };
  });
  const templates: TemplateSet = {};
  for (const [language, set] of Object.entries(BUILT_IN_TEMPLATES)) templates[language] = { ...set };
  for (const [language, set] of Object.entries(file.templates ?? {})) {
    templates[language] = { ...(templates[language] ?? {}), ...set };
    for (const [key, t] of Object.entries(set)) {
      for (const field of ['subject', 'body'] as const) {
        const unknown = unknownPlaceholders(t[field]);
        if (unknown.length > 0)
          problems.push(
            `templates.${language}.${key}.${field}: expected known placeholders only, got {{${unknown.join('}}, {{')}}}`,
          );
      }
    }
  }
  for (const s of strategies.values()) {
    for (const step of s.steps) {
      if (step.template === null) continue;
      if (!templates[file.default_language]?.[step.template] && !templates.en?.[step.template])
        problems.push(
          `strategies[${s.code}].steps[${step.code}].template: expected a template defined under templates.${file.default_language}, got ${JSON.stringify(step.template)}`,
        );
    }
  }
  if (problems.length > 0)
    throw new DunningError(
      'bad-strategy-file',
      problems
        .slice(0, 50)
        .map((p) => `${fileName}: ${p}`)
        .join('\n'),
    );
  return {
    defaultLanguage: file.default_language,
    defaultStrategy: file.default_strategy,
    contact: { name: file.contact.name, email: file.contact.email, phone: file.contact.phone ?? '' },
    statementDays: file.statement_days ?? 30,
    strategies,
    segments,
    templates,
    file,
  };
}

/** The configuration used until a manager loads one: a standard ladder and a gentler one for large accounts. */
export const DEFAULT_CONFIG_FILE: DunningConfigFile = {
  version: 1,
  default_language: 'en',
  default_strategy: 'standard',
  contact: { name: 'Accounts Receivable', email: 'ar@example.com', phone: '+1 555 0100' },
  statement_days: 30,
  strategies: [
    {
      code: 'standard',
      name: 'Standard',
      minimum_overdue: { USD: '5.00', EUR: '5.00', GBP: '5.00', CHF: '5.00', CAD: '5.00' },
      steps: [
        { code: 'reminder', name: 'Friendly reminder', days: -3, action: 'email', template: 'reminder' },
        { code: 'due', name: 'Due today', days: 0, action: 'email', template: 'due' },
        { code: 'overdue_7', name: 'First reminder', days: 7, action: 'email', template: 'overdue' },
        {
          code: 'overdue_15',
          name: 'Second reminder',
          days: 15,
          action: 'email',
          template: 'second',
          fee: { USD: '10.00', EUR: '10.00', GBP: '10.00', CHF: '10.00', CAD: '10.00' },
        },
        {
          code: 'final_30',
          name: 'Final notice',
          days: 30,
          action: 'email',
          template: 'final',
          interest: { annual_rate_percent: '8.00', day_count: 365 },
        },
        { code: 'call_35', name: 'Call the customer', days: 35, action: 'call_task', assignee: 'collector' },
        {
          code: 'escalate_45',
          name: 'Escalate to the AR manager',
          days: 45,
          action: 'escalation',
          assignee: 'ar-manager',
        },
        { code: 'hold_60', name: 'Credit hold', days: 60, action: 'credit_hold' },
        {
          code: 'legal_90',
          name: 'Legal / collection agency',
          days: 90,
          action: 'legal',
          assignee: 'ar-manager',
          note: 'Prepare the hand-over to the collection agency',
        },
      ],
    },
    {
      code: 'key_account',
      name: 'Key accounts (no fees, a person calls early)',
      steps: [
        { code: 'reminder', name: 'Friendly reminder', days: -3, action: 'email', template: 'reminder' },
        { code: 'overdue_7', name: 'First reminder', days: 7, action: 'email', template: 'overdue' },
        { code: 'call_10', name: 'Call the customer', days: 10, action: 'call_task', assignee: 'collector' },
        { code: 'overdue_20', name: 'Second reminder', days: 20, action: 'email', template: 'second' },
        {
          code: 'escalate_30',
          name: 'Escalate to the AR manager',
          days: 30,
          action: 'escalation',
          assignee: 'ar-manager',
        },
      ],
    },
  ],
  segments: [{ code: 'large_balance', strategy: 'key_account', match: { balance_min: '50000.00' } }],
};

export const DEFAULT_CONFIG: DunningConfig = parseConfig(DEFAULT_CONFIG_FILE, 'default strategy');
