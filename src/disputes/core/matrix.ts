import { formatMinor, parseDecimalToMinor } from '../../money/index.js';
import { type FileIssue, shown } from './errors.js';
import { readTable, type TableRow } from './table.js';

/**
 * The resolution matrix: who works a dispute and by when. A rule names a reason code (or any), a
 * customer segment (or any) and an amount range in the company's base currency, [min, max): from
 * min included to max excluded, no max meaning no upper end. A case takes the most specific rule
 * whose range holds its amount: reason and segment both named, then reason only, then segment only,
 * then neither. Within one (reason, segment) pair, ranges must not overlap (that would make the
 * owner a matter of file order); a combination no rule covers is a gap, reported as a warning
 * (such cases go to the company's default owner).
 */
export interface MatrixRule {
  id: string;
  reason: string | null;
  segment: string | null;
  minMinor: number;
  maxMinor: number | null;
  owner: string;
  team: string | null;
  manager: string | null;
  deadlineDays: number;
  businessDays: boolean;
}

export const MAX_RULES = 10_000;
export const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
export const SEGMENT = /^[a-z][a-z0-9_-]{0,39}$/;
const MAX_PERSON = 120;
const MAX_DEADLINE_DAYS = 365;

const CSV_REQUIRED = ['id', 'owner', 'deadline_days'] as const;
const CSV_OPTIONAL = ['reason', 'segment', 'min', 'max', 'team', 'manager', 'business_days'] as const;
const JSON_FIELDS = new Set<string>([...CSV_REQUIRED, ...CSV_OPTIONAL]);

export interface ParsedMatrix {
  rules: MatrixRule[];
  issues: FileIssue[];
  /** Gaps and other things worth knowing that do not stop the load. */
  warnings: string[];
}

/**
 * Reads and validates a matrix file. JSON: `{ "rules": [ {id, reason?, segment?, min?, max?,
 * owner, team?, manager?, deadline_days, business_days?} ] }` (or the array alone); CSV with the
 * same names as columns. Amounts are decimal strings in `baseCurrency`; `reason` must be in the
 * catalogue; `*` or nothing means any.
 */
export function parseMatrixFile(
  name: string,
  text: string,
  ctx: { baseCurrency: string; exponent: number; reasons: ReadonlySet<string> },
): ParsedMatrix {
  const issues: FileIssue[] = [];
  const entries: { where: (field: string) => string; label: string; row: TableRow }[] = [];
  const trimmed = text.trimStart();
  if (name.toLowerCase().endsWith('.json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      issues.push({ where: 'file', field: '(document)', expected: 'JSON', got: (error as Error).message });
      return { rules: [], issues, warnings: [] };
    }
    let list: unknown = doc;
    if (!Array.isArray(doc) && typeof doc === 'object' && doc !== null) {
      const o = doc as Record<string, unknown>;
      for (const key of Object.keys(o)) {
        if (key !== 'rules' && key !== 'currency')
          issues.push({
            where: `$.${key}`,
            field: key,
            expected: 'rules or currency',
            got: 'an unknown key',
          });
      }
      if (o.currency !== undefined && o.currency !== ctx.baseCurrency)
        issues.push({
          where: '$.currency',
          field: 'currency',
          expected: `${ctx.baseCurrency} (the company's base currency)`,
          got: shown(o.currency),
        });
      list = o.rules;
    }
    if (!Array.isArray(list)) {
      issues.push({ where: '$.rules', field: 'rules', expected: 'an array of rules', got: shown(list) });
      return { rules: [], issues, warnings: [] };
    }
    list.forEach((item, i) => {
      const path = `rules[${i}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        issues.push({ where: path, field: '(rule)', expected: 'an object', got: shown(item) });
        return;
      }
      for (const key of Object.keys(item))
        if (!JSON_FIELDS.has(key))
          issues.push({
            where: `${path}.${key}`,
            field: key,
            expected: `one of ${[...JSON_FIELDS].join(', ')}`,
            got: 'an unknown field',
          });
      entries.push({ where: (f) => `${path}.${f}`, label: path, row: item as TableRow });
    });
  } else {
    const table = readTable(text, CSV_REQUIRED, CSV_OPTIONAL);
    issues.push(...table.issues);
    for (const r of table.rows)
      entries.push({ where: () => `line ${r.line}`, label: `line ${r.line}`, row: r.row });
  }
  if (entries.length > MAX_RULES) {
    issues.push({
      where: 'file',
      field: 'rules',
      expected: `at most ${MAX_RULES} rules`,
      got: String(entries.length),
    });
    return { rules: [], issues, warnings: [] };
  }
  const rules: MatrixRule[] = [];
  const ids = new Map<string, string>();
  const whereOf = new Map<MatrixRule, (field: string) => string>();
  for (const { where, label, row } of entries) {
    const before = issues.length;
    const text = (field: string, required: boolean, max: number): string | null => {
      const v = row[field];
      if (v === undefined || v === null || v === '') {
        if (required) issues.push({ where: where(field), field, expected: 'a value', got: 'nothing' });
        return null;
      }
      if (typeof v !== 'string' || v.trim().length > max) {
        issues.push({
          where: where(field),
          field,
          expected: `text of at most ${max} characters`,
          got: shown(v),
        });
        return null;
      }
      return v.trim();
    };
    const amount = (field: string): number | null => {
      const v = row[field];
      if (v === undefined || v === null || v === '') return null;
      const s =
        typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().replaceAll(',', '') : null;
      try {
        if (s === null || !/^\d+(\.\d+)?$/.test(s)) throw new Error('not a decimal');
        return parseDecimalToMinor(s, ctx.exponent);
      } catch {
        issues.push({
          where: where(field),
          field,
          expected: `an amount in ${ctx.baseCurrency} such as 1000.00 (not negative)`,
          got: shown(v),
        });
        return null;
      }
    };
    const id = text('id', true, 40);
    if (id !== null && !RULE_ID.test(id))
      issues.push({
        where: where('id'),
        field: 'id',
        expected: 'letters, digits, _ . - (up to 40)',
        got: shown(id),
      });
    if (id !== null && ids.has(id))
      issues.push({
        where: where('id'),
        field: 'id',
        expected: `a unique id (${id} is also at ${ids.get(id)})`,
        got: shown(id),
      });
    if (id !== null) ids.set(id, label);
    const anyOr = (v: string | null) => (v === null || v === '*' ? null : v);
    const reason = anyOr(text('reason', false, 40));
    if (reason !== null && !ctx.reasons.has(reason))
      issues.push({
        where: where('reason'),
        field: 'reason',
        expected: 'a reason code of the catalogue, or * for any',
        got: shown(reason),
      });
    const segment = anyOr(text('segment', false, 40));
    if (segment !== null && !SEGMENT.test(segment))
      issues.push({
        where: where('segment'),
        field: 'segment',
        expected: 'a segment: a-z, 0-9, _ - (up to 40), or * for any',
        got: shown(segment),
      });
    const minMinor = amount('min') ?? 0;
    const maxMinor = amount('max');
    if (maxMinor !== null && maxMinor <= minMinor)
      issues.push({
        where: where('max'),
        field: 'max',
        expected: `more than min (${formatMinor(minMinor, ctx.exponent)})`,
        got: shown(row.max),
      });
    const owner = text('owner', true, MAX_PERSON);
    const team = text('team', false, MAX_PERSON);
    const manager = text('manager', false, MAX_PERSON);
    const deadline = parseDeadline(row.deadline_days, row.business_days);
    if (deadline === null)
      issues.push({
        where: where('deadline_days'),
        field: 'deadline_days',
        expected: `whole days 0 to ${MAX_DEADLINE_DAYS} (10, or 10bd for business days)`,
        got: shown(row.deadline_days),
      });
    if (deadline !== null && deadline === 'bad-flag')
      issues.push({
        where: where('business_days'),
        field: 'business_days',
        expected: 'true or false',
        got: shown(row.business_days),
      });
    if (
      issues.length > before ||
      id === null ||
      owner === null ||
      deadline === null ||
      deadline === 'bad-flag'
    )
      continue;
    const rule: MatrixRule = { id, reason, segment, minMinor, maxMinor, owner, team, manager, ...deadline };
    rules.push(rule);
    whereOf.set(rule, where);
  }
  // Overlaps within one (reason, segment) pair.
  for (const group of groupByKey(rules).values()) {
    const sorted = [...group].sort((a, b) => a.minMinor - b.minMinor);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (prev.maxMinor === null || prev.maxMinor > cur.minMinor) {
        issues.push({
          where: whereOf.get(cur)!('min'),
          field: 'min',
          expected: `a range not overlapping rule ${prev.id} (${rangeText(prev, ctx.exponent)}) for reason ${prev.reason ?? 'any'}, segment ${prev.segment ?? 'any'}`,
          got: rangeText(cur, ctx.exponent),
        });
      }
    }
  }
  const warnings = issues.length === 0 ? coverageGaps(rules, ctx.reasons, ctx.exponent) : [];
  return { rules, issues, warnings };
}

function parseDeadline(
  value: unknown,
  flag: unknown,
): { deadlineDays: number; businessDays: boolean } | 'bad-flag' | null {
  let business = false;
  if (flag !== undefined && flag !== null && flag !== '') {
    if (flag === true || flag === 'true' || flag === 'yes') business = true;
    else if (!(flag === false || flag === 'false' || flag === 'no')) return 'bad-flag';
  }
  const text =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().toLowerCase() : '';
  const m = /^(\d{1,3})\s*(bd|business)?$/.exec(text);
  if (!m) return null;
  const days = Number(m[1]);
  if (days > MAX_DEADLINE_DAYS) return null;
  return { deadlineDays: days, businessDays: business || m[2] !== undefined };
}

const keyOf = (reason: string | null, segment: string | null) => `${reason ?? '*'}|${segment ?? '*'}`;

function groupByKey(rules: readonly MatrixRule[]): Map<string, MatrixRule[]> {
  const out = new Map<string, MatrixRule[]>();
  for (const r of rules) {
    const k = keyOf(r.reason, r.segment);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export function rangeText(r: { minMinor: number; maxMinor: number | null }, exponent: number): string {
  const min = formatMinor(r.minMinor, exponent);
  return r.maxMinor === null ? `${min} and above` : `${min} to under ${formatMinor(r.maxMinor, exponent)}`;
}

/**
 * Amount ranges no rule covers, per catalogue reason and per segment the matrix names (and for
 * customers in no named segment). At most 50 are listed.
 */
export function coverageGaps(
  rules: readonly MatrixRule[],
  reasons: ReadonlySet<string>,
  exponent: number,
): string[] {
  const groups = groupByKey(rules);
  const segments: (string | null)[] = [
    ...new Set(rules.map((r) => r.segment).filter((s) => s !== null)),
    null,
  ];
  const out: string[] = [];
  let total = 0;
  for (const reason of [...reasons].sort()) {
    for (const segment of segments) {
      const applicable = [
        ...(groups.get(keyOf(reason, segment)) ?? []),
        ...(segment === null ? [] : (groups.get(keyOf(reason, null)) ?? [])),
        ...(groups.get(keyOf(null, segment)) ?? []),
        ...(segment === null ? [] : (groups.get(keyOf(null, null)) ?? [])),
      ];
      for (const gap of uncovered(applicable)) {
        total++;
        if (out.length < 50)
          out.push(
            `reason ${reason}, segment ${segment ?? '(none/other)'}: ${rangeText(gap, exponent)} is not covered (the default owner gets it)`,
          );
      }
    }
  }
  if (total > out.length) out.push(`… and ${total - out.length} more gaps`);
  return out;
}

/** The parts of [0, ∞) none of the ranges covers. */
export function uncovered(
  ranges: readonly { minMinor: number; maxMinor: number | null }[],
): { minMinor: number; maxMinor: number | null }[] {
  const sorted = [...ranges].sort((a, b) => a.minMinor - b.minMinor);
  const gaps: { minMinor: number; maxMinor: number | null }[] = [];
  let reached = 0;
  for (const r of sorted) {
    if (r.minMinor > reached) gaps.push({ minMinor: reached, maxMinor: r.minMinor });
    if (r.maxMinor === null) return gaps;
    reached = Math.max(reached, r.maxMinor);
  }
  gaps.push({ minMinor: reached, maxMinor: null });
  return gaps;
}

/** Rules indexed once for matching many cases. */
export class MatrixIndex {
  private readonly groups: Map<string, MatrixRule[]>;
  constructor(readonly rules: readonly MatrixRule[]) {
    this.groups = groupByKey(rules);
    for (const g of this.groups.values()) g.sort((a, b) => a.minMinor - b.minMinor);
  }

  /** The most specific rule whose range holds the amount, or null. */
  match(reason: string, segment: string | null, baseMinor: number): MatrixRule | null {
    const tiers: [string | null, string | null][] = [
      [reason, segment],
      [reason, null],
      [null, segment],
      [null, null],
    ];
    for (const [r, s] of tiers) {
      if (s !== null && segment === null) continue;
      const group = this.groups.get(keyOf(r, s));
      if (!group) continue;
      for (const rule of group) {
        if (rule.minMinor > baseMinor) break;
        if (rule.maxMinor === null || baseMinor < rule.maxMinor) return rule;
      }
    }
    return null;
  }
}

/** Why a case went to a rule, in words (recorded as the routing event's text). */
export function routingExplanation(rule: MatrixRule, exponent: number, baseCurrency: string): string {
  return `matrix rule ${rule.id}: reason ${rule.reason ?? 'any'}, segment ${rule.segment ?? 'any'}, ${rangeText(rule, exponent)} ${baseCurrency} → ${rule.team ? `${rule.team} / ` : ''}${rule.owner}, ${rule.deadlineDays} ${rule.businessDays ? 'business ' : ''}days`;
}
