/**
 * Scores a cash-application run against the generator's ground truth:
 *
 *   node --import tsx bench/cashapp/score.ts --truth DIR/truth.json --export export.json --queue queue.json [--json]
 *
 * (export.json from `openar export applications --format json`, queue.json from `openar cashapp queue --json`).
 * Per payment, found by its bank reference (else its end-to-end id):
 * - payer identified: every customer the run names for it (applications, the queue entry) is the payer
 *   or owns one of the invoices it pays — and it names one; for unidentifiable cash: it names none;
 * - lines right: the applications, merged per (invoice, kind), equal the truth's exactly;
 * - straight through: every row posted automatically and none left unapplied;
 * - wrongly applied: an automatic row (other than unapplied cash) on an invoice and kind the truth
 *   does not have, for another amount, or on-account credit for someone outside the payer's group;
 * - top 3 (for what is left to a person and has a right answer): one of the first three suggestions
 *   is exactly what the truth still needs after what was posted.
 * Rates overall, by remittance source, by bank format and by scenario; a table or JSON.
 * Pure apart from the command line: `scoreRun` takes parsed JSON and returns the report.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDecimalToMinor } from '../../src/money/index.js';
import { parseFlags } from '../lib/args.js';
import type { ExportRow, QueueEntry, QueueSuggestion, Truth, TruthPayment } from './model.js';

export const TARGETS = {
  straight_through: { min: 0.95 },
  wrong: { max: 0.001 },
  envelope: { min: 0.99 },
  top3: { min: 0.95 },
} as const;

export interface PaymentScore {
  payment_id: string;
  scenario: string;
  variant: string | null;
  source: string;
  format: string;
  found: boolean;
  envelope: boolean;
  lines: boolean;
  straight_through: boolean;
  wrong: boolean;
  /** Left to a person with a right answer to find (not straight through, payer known to the truth). */
  to_person: boolean;
  top3: boolean;
  top1: boolean;
}

export interface Rates {
  payments: number;
  found: number;
  envelope: number;
  line_item: number;
  straight_through: number;
  /** Straight through and every line right. */
  straight_through_right: number;
  wrong: number;
  to_person: number;
  top3: number | null;
  top1: number | null;
}

export interface ScoreReport {
  overall: Rates;
  targets: typeof TARGETS;
  meets: { straight_through: boolean; wrong: boolean; envelope: boolean; top3: boolean };
  by_source: Record<string, Rates>;
  by_format: Record<string, Rates>;
  by_scenario: Record<string, Rates>;
  /** Up to 25 payment ids per failure, to look at. */
  examples: Record<
    | 'not_found'
    | 'envelope'
    | 'lines'
    | 'not_straight_through'
    | 'straight_through_not_right'
    | 'wrong'
    | 'top3',
    string[]
  >;
  /** Receipts in the export that no payment of the truth accounts for. */
  unexpected_receipts: number;
}

type LineMap = Map<string, number>;

/** A line as either side writes it; the export may also have `credit_memo` rows (a credit memo applied to an invoice). */
export interface AnyLine {
  invoice_number: string | null;
  amount: string;
  kind: string;
}

const minor = (amount: string | number): number => parseDecimalToMinor(String(amount), 2);

function lineKey(invoice: string | null, kind: string): string {
  return `${invoice ?? ''}\u001f${kind}`;
}

/**
 * Lines merged per (invoice, kind), zero sums dropped: how two sets of applications are compared.
 * Credit memos the customer netted are written two ways — the truth has a negative payment on the
 * memo, the export a `credit_memo` row on the invoice it settled — so both become the same thing: the
 * invoice settled in full (cash plus credit, as kind payment) and one total of credit used.
 */
export function mergeLines(lines: readonly AnyLine[]): LineMap {
  const out: LineMap = new Map();
  const put = (invoice: string | null, kind: string, amountMinor: number) => {
    const key = lineKey(invoice, kind);
    out.set(key, (out.get(key) ?? 0) + amountMinor);
  };
  for (const l of lines) {
    const amountMinor = minor(l.amount);
    if (l.kind === 'credit_memo') {
      put(l.invoice_number, 'payment', amountMinor);
      put(null, 'credit', amountMinor);
    } else if (l.kind === 'payment' && amountMinor < 0) {
      put(null, 'credit', -amountMinor);
    } else {
      put(l.invoice_number, l.kind, amountMinor);
    }
  }
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

function sameLines(a: LineMap, b: LineMap): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Receipt ids by a reference value, from rows that carry it. */
function indexBy<T extends { bank_reference: string | null; end_to_end_id: string | null }>(
  items: readonly T[],
  id: (item: T) => string,
) {
  const byBank = new Map<string, Set<string>>();
  const byE2e = new Map<string, Set<string>>();
  for (const item of items) {
    if (item.bank_reference) add(byBank, item.bank_reference, id(item));
    if (item.end_to_end_id) add(byE2e, item.end_to_end_id, id(item));
  }
  return (p: TruthPayment): string | null => {
    const viaBank = byBank.get(p.bank_reference);
    if (viaBank?.size === 1) return [...viaBank][0]!;
    if (viaBank === undefined && p.end_to_end_id) {
      const viaE2e = byE2e.get(p.end_to_end_id);
      if (viaE2e?.size === 1) return [...viaE2e][0]!;
    }
    return null;
  };
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(value);
  map.set(key, set);
}

function suggestionMatches(s: QueueSuggestion, expected: LineMap, group: ReadonlySet<string>): boolean {
  if (!sameLines(mergeLines(s.lines), expected)) return false;
  // On-account credit is only right for the right customer; invoices name their customer themselves.
  const onAccount = s.lines.some((l) => l.kind === 'on_account');
  return !onAccount || (s.customer_number !== null && group.has(s.customer_number));
}

export function scorePayment(
  p: TruthPayment,
  rows: readonly ExportRow[],
  queue: QueueEntry | null,
): PaymentScore {
  const group = new Set(p.customer_group);
  const truth = mergeLines(p.lines);
  const named = new Set<string>();
  for (const r of rows) if (r.customer_number) named.add(r.customer_number);
  if (queue?.customer_number) named.add(queue.customer_number);
  const envelope =
    p.customer_number === null ? named.size === 0 : named.size > 0 && [...named].every((c) => group.has(c));
  const lines = rows.length > 0 && sameLines(mergeLines(rows), truth);
  const straightThrough = rows.length > 0 && rows.every((r) => r.mode === 'auto' && r.kind !== 'unapplied');

  const auto = rows.filter((r) => r.mode === 'auto' && r.kind !== 'unapplied');
  const autoLines = mergeLines(auto);
  let wrong = false;
  for (const [key, amount] of autoLines) if (truth.get(key) !== amount) wrong = true;
  for (const r of auto) {
    if (r.kind === 'on_account' && (r.customer_number === null || !group.has(r.customer_number)))
      wrong = true;
  }

  const toPerson = !straightThrough && p.customer_number !== null;
  let top3 = false;
  let top1 = false;
  if (toPerson && queue !== null) {
    const posted = mergeLines(rows.filter((r) => r.kind !== 'unapplied'));
    const expected: LineMap = new Map(truth);
    for (const [k, v] of posted) expected.set(k, (expected.get(k) ?? 0) - v);
    for (const [k, v] of expected) if (v === 0) expected.delete(k);
    const ranked = [...queue.suggestions].sort((a, b) => a.rank - b.rank);
    top3 = ranked.slice(0, 3).some((s) => suggestionMatches(s, expected, group));
    top1 = ranked.length > 0 && suggestionMatches(ranked[0]!, expected, group);
  }
  return {
    payment_id: p.payment_id,
    scenario: p.scenario,
    variant: p.variant,
    source: p.source,
    format: p.format,
    found: rows.length > 0 || queue !== null,
    envelope,
    lines,
    straight_through: straightThrough,
    wrong,
    to_person: toPerson,
    top3,
    top1,
  };
}

export function rates(scores: readonly PaymentScore[]): Rates {
  const n = scores.length;
  const share = (f: (s: PaymentScore) => boolean, of = scores) =>
    of.length === 0 ? 0 : of.filter(f).length / of.length;
  const person = scores.filter((s) => s.to_person);
  return {
    payments: n,
    found: share((s) => s.found),
    envelope: share((s) => s.envelope),
    line_item: share((s) => s.lines),
    straight_through: share((s) => s.straight_through),
    straight_through_right: share((s) => s.straight_through && s.lines),
    wrong: share((s) => s.wrong),
    to_person: person.length,
    top3: person.length === 0 ? null : share((s) => s.top3, person),
    top1: person.length === 0 ? null : share((s) => s.top1, person),
  };
}

function grouped(scores: readonly PaymentScore[], key: (s: PaymentScore) => string): Record<string, Rates> {
  const groups = new Map<string, PaymentScore[]>();
  for (const s of scores) {
    const list = groups.get(key(s)) ?? [];
    list.push(s);
    groups.set(key(s), list);
  }
  return Object.fromEntries(
    [...groups.entries()]
      .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
      .map(([k, v]) => [k, rates(v)]),
  );
}

export function scoreRun(
  truth: Truth,
  exportRows: readonly ExportRow[],
  queue: readonly QueueEntry[],
): ScoreReport {
  const rowsByReceipt = new Map<string, ExportRow[]>();
  // Credit memos applied to invoices are not cash: the export may list them without a receipt. They
  // belong to the payment that paid the same invoice (no invoice is paid by two bench payments).
  const unlinkedCredits = new Map<string, ExportRow[]>();
  for (const r of exportRows) {
    if (!r.receipt_id) {
      if (r.kind === 'credit_memo' && r.invoice_number) {
        unlinkedCredits.set(r.invoice_number, [...(unlinkedCredits.get(r.invoice_number) ?? []), r]);
      }
      continue;
    }
    const list = rowsByReceipt.get(r.receipt_id) ?? [];
    list.push(r);
    rowsByReceipt.set(r.receipt_id, list);
  }
  const withCredits = (rows: ExportRow[]): ExportRow[] => {
    const credits: ExportRow[] = [];
    for (const invoice of new Set(rows.filter((r) => r.kind === 'payment').map((r) => r.invoice_number))) {
      if (invoice === null) continue;
      credits.push(...(unlinkedCredits.get(invoice) ?? []));
      unlinkedCredits.delete(invoice);
    }
    return credits.length === 0 ? rows : [...rows, ...credits];
  };
  const queueById = new Map(queue.map((q) => [q.receipt_id, q]));
  const receiptOf = indexBy(
    exportRows.filter((r) => r.receipt_id),
    (r) => r.receipt_id!,
  );
  const queuedOf = indexBy(queue, (q) => q.receipt_id);
  const accounted = new Set<string>();
  const scores = truth.payments.map((p) => {
    const receipt = receiptOf(p);
    const queued = queuedOf(p);
    if (receipt !== null) accounted.add(receipt);
    return scorePayment(
      p,
      receipt === null ? [] : withCredits(rowsByReceipt.get(receipt) ?? []),
      queued === null ? null : (queueById.get(queued) ?? null),
    );
  });
  const overall = rates(scores);
  const examples: ScoreReport['examples'] = {
    not_found: [],
    envelope: [],
    lines: [],
    not_straight_through: [],
    straight_through_not_right: [],
    wrong: [],
    top3: [],
  };
  const note = (list: string[], s: PaymentScore) => {
    if (list.length < 25)
      list.push(`${s.payment_id} ${s.scenario}${s.variant ? `/${s.variant}` : ''} ${s.source}`);
  };
  for (const s of scores) {
    if (!s.found) note(examples.not_found, s);
    if (!s.envelope) note(examples.envelope, s);
    if (!s.lines) note(examples.lines, s);
    if (!s.straight_through) note(examples.not_straight_through, s);
    if (s.straight_through && !s.lines) note(examples.straight_through_not_right, s);
    if (s.wrong) note(examples.wrong, s);
    if (s.to_person && !s.top3) note(examples.top3, s);
  }
  return {
    overall,
    targets: TARGETS,
    meets: {
      straight_through: overall.straight_through >= TARGETS.straight_through.min,
      wrong: overall.wrong <= TARGETS.wrong.max,
      envelope: overall.envelope >= TARGETS.envelope.min,
      top3: overall.top3 === null || overall.top3 >= TARGETS.top3.min,
    },
    by_source: grouped(scores, (s) => s.source),
    by_format: grouped(scores, (s) => s.format),
    by_scenario: grouped(scores, (s) => s.scenario),
    examples,
    unexpected_receipts: [...rowsByReceipt.keys()].filter((r) => !accounted.has(r)).length,
  };
}

// ------------------------------------------------------------------------------------------------
// Presentation

function pct(x: number | null, digits = 1): string {
  return x === null ? '—' : `${(100 * x).toFixed(digits)}%`;
}

const HEADER = [
  '',
  'payments',
  'payer identified',
  'lines right',
  'straight through',
  'wrong',
  'to a person',
  'top 3',
  'top 1',
];

function row(name: string, r: Rates): string[] {
  return [
    name,
    String(r.payments),
    pct(r.envelope),
    pct(r.line_item),
    pct(r.straight_through),
    pct(r.wrong, 2),
    String(r.to_person),
    pct(r.top3),
    pct(r.top1),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** Markdown tables: overall with the targets, then by source, by bank format and by scenario. */
export function formatReport(report: ScoreReport): string {
  const o = report.overall;
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const targets = [
    ['', 'measured', 'target', ''],
    ['straight through', pct(o.straight_through), '≥ 95%', mark(report.meets.straight_through)],
    ['wrongly applied', pct(o.wrong, 2), '≤ 0.1%', mark(report.meets.wrong)],
    ['payer identified', pct(o.envelope), '≥ 99%', mark(report.meets.envelope)],
    ['right answer in top 3 (left to a person)', pct(o.top3), '≥ 95%', mark(report.meets.top3)],
    ['lines right (every invoice, amount, kind)', pct(o.line_item), '', ''],
    ['straight through and right', pct(o.straight_through_right), '', ''],
  ];
  const section = (title: string, groups: Record<string, Rates>) =>
    `${title}\n\n${table([HEADER, ...Object.entries(groups).map(([k, r]) => row(k, r))])}`;
  const parts = [
    `${o.payments} payments; found in the export or queue: ${pct(o.found)}; receipts not in the truth: ${report.unexpected_receipts}`,
    table(targets),
    table([HEADER, row('all', o)]),
    section('By remittance source', report.by_source),
    section('By bank format', report.by_format),
    section('By scenario', report.by_scenario),
  ];
  return `${parts.join('\n\n')}\n`;
}

// ------------------------------------------------------------------------------------------------
// Command line

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

async function main(argv: readonly string[]): Promise<void> {
  const v = parseFlags(
    argv,
    {
      truth: { type: 'string', default: '' },
      export: { type: 'string', default: '' },
      queue: { type: 'string', default: '' },
      json: { type: 'boolean', default: false },
    },
    'usage: score.ts --truth FILE --export FILE --queue FILE [--json]',
  );
  const { truth: truthPath, export: exportPath, queue: queuePath, json } = v;
  if (!truthPath || !exportPath) throw new Error('score.ts needs --truth and --export (and usually --queue)');
  const report = scoreRun(
    await readJson<Truth>(truthPath),
    await readJson<ExportRow[]>(exportPath),
    queuePath ? await readJson<QueueEntry[]>(queuePath) : [],
  );
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
