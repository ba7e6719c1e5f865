import { assertSafeMinor } from '../../../money/index.js';
import { addDays, daysBetween } from '../../core/dates.js';
import type { DunningConfig, StepAction, StepConfig, StrategyConfig } from './config.js';
import { invariant } from './errors.js';
import { interestMinor, parsePercent } from './interest.js';
import { type Assignment, assignStrategy, type CustomerAttributes } from './segments.js';

/**
 * The dunning run's decisions, with no I/O: for every open document its next due step, grouped into
 * one letter per customer (and one action per non-e-mail step kind), with every skip and its reason.
 *
 * A document's new steps are those of its customer's strategy whose day offset (days past due,
 * negative before the due date) it has reached and that lie beyond the furthest offset already done
 * for it. "Done" is kept as a day offset, not a step number, so a customer that moves to another
 * strategy (a segment by balance, a strategy set by hand) carries on from where it was. The e-mail
 * letter goes out at the highest new e-mail step among the customer's documents and lists every
 * document with a new e-mail step, each recorded at its own step; a call task, escalation, credit
 * hold or legal step becomes one action per kind at its highest new step. Recording an item marks
 * the document done up to its step's offset, so the same day's second run finds nothing new.
 */

export interface CandidateDocument {
  documentId: string;
  documentNumber: string;
  customerId: string;
  docType: 'invoice' | 'debit_memo';
  currency: string;
  documentDate: string;
  dueDate: string;
  openMinor: number;
  /** The furthest step offset (days from due) recorded for the document by runs not undone; null: never dunned. */
  doneDays: number | null;
  /** Interest was charged up to this date (null: never). */
  interestThrough: string | null;
  /** A fee or interest document dunning posted: listed, but no interest is charged on it. */
  isCharge: boolean;
}

export interface CustomerFacts extends CustomerAttributes {
  customerId: string;
  name: string;
  email: string | null;
  language: string | null;
  /** Dunning blocked by hand, with the reason (null: not blocked). */
  blockedReason: string | null;
  /** Credits the customer could use (open credit memos, on-account and unapplied cash), per currency. */
  creditsMinor: ReadonlyMap<string, number>;
}

export interface Hold {
  kind: 'promise' | 'plan' | 'credit_hold_released';
  until: string | null;
  reason: string;
}

export interface Dispute {
  disputedMinor: number;
  caseIds: string[];
}

export interface PlanInput {
  asOf: string;
  baseCurrency: string;
  config: DunningConfig;
  documents: readonly CandidateDocument[];
  customers: ReadonlyMap<string, CustomerFacts>;
  holds: ReadonlyMap<string, readonly Hold[]>;
  disputes: ReadonlyMap<string, Dispute>;
}

export interface PlannedItem {
  documentId: string;
  documentNumber: string;
  currency: string;
  documentDate: string;
  dueDate: string;
  daysOverdue: number;
  openMinor: number;
  /** The step (level and offset) this run records for the document. */
  level: number;
  stepCode: string;
  stepDays: number;
  /** The furthest offset done before (null: never dunned). */
  previousDays: number | null;
  interestMinor: number;
  interestFrom: string | null;
  interestTo: string | null;
  /** The owner's finding when a deduction on it was found invalid: said to the customer. */
  note?: string | null;
}

/**
 * Why a document is on a letter. Built when it is recorded or shown, not in the plan: a first run
 * over a large ledger plans millions of items, and the plan stays small.
 */
export function itemReason(i: PlannedItem): string {
  const done = i.previousDays === null ? 'never dunned' : `done up to ${signed(i.previousDays)}`;
  return `${i.documentNumber}: ${signed(i.daysOverdue)} days from due date ${i.dueDate}; ${done} → ${i.stepCode} (${signed(i.stepDays)}, level ${i.level})`;
}

export interface PlannedCharge {
  kind: 'fee' | 'interest';
  currency: string;
  amountMinor: number;
  dueDate: string;
  days?: number;
  percent?: string;
}

export interface PlannedLetter {
  customerId: string;
  customerNumber: string;
  customerName: string;
  strategyCode: string;
  segmentCode: string;
  step: StepConfig;
  action: StepAction;
  language: string;
  /** E-mail letters: where it goes. */
  recipient: string | null;
  items: PlannedItem[];
  charges: PlannedCharge[];
  reasons: string[];
}

export const SKIP_CODES = [
  'disputed',
  'promise',
  'plan',
  'credit_hold_released',
  'blocked',
  'no_email',
  'credits_cover',
  'below_minimum',
] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export interface PlannedSkip {
  customerId: string;
  customerNumber: string;
  documentId: string | null;
  documentNumber: string | null;
  code: SkipCode;
  detail: string;
}

export interface DunningPlan {
  asOf: string;
  letters: PlannedLetter[];
  skips: PlannedSkip[];
  assignments: Array<{ customerId: string } & Assignment>;
  documentsConsidered: number;
}

export const MAX_PLAN_DOCUMENTS = 5_000_000;
export const MAX_LETTERS = 1_000_000;

/** The furthest before the due date any step starts: how early documents must be read. */
export function maxLeadDays(config: DunningConfig): number {
  let lead = 0;
  for (const s of config.strategies.values()) for (const step of s.steps) lead = Math.max(lead, -step.days);
  return lead;
}

/** The level a document has reached: the last step whose offset its days past due have reached. */
export function targetLevel(strategy: StrategyConfig, daysOverdue: number): number {
  let level = 0;
  for (const step of strategy.steps) if (step.days <= daysOverdue) level = step.level;
  return level;
}

interface Pending {
  doc: CandidateDocument;
  daysOverdue: number;
  newSteps: StepConfig[];
}

/** Steps reached by the days past due and beyond what was done. */
export function newSteps(
  strategy: StrategyConfig,
  daysOverdue: number,
  doneDays: number | null,
): StepConfig[] {
  return strategy.steps.filter((s) => s.days <= daysOverdue && (doneDays === null || s.days > doneDays));
}

const signed = (days: number) => (days >= 0 ? `+${days}` : String(days));

export function planDunning(input: PlanInput): DunningPlan {
  invariant(
    input.documents.length <= MAX_PLAN_DOCUMENTS,
    'too-many-documents',
    `at most ${MAX_PLAN_DOCUMENTS} documents per run`,
  );
  const byCustomer = new Map<string, CandidateDocument[]>();
  for (const d of input.documents) {
    assertSafeMinor(d.openMinor);
    const list = byCustomer.get(d.customerId);
    if (list) list.push(d);
    else byCustomer.set(d.customerId, [d]);
  }
  const plan: DunningPlan = {
    asOf: input.asOf,
    letters: [],
    skips: [],
    assignments: [],
    documentsConsidered: input.documents.length,
  };
  const customers = [...byCustomer.keys()]
    .map((id) => {
      const facts = input.customers.get(id);
      invariant(facts, 'customer-missing', `no facts for customer ${id}`);
      return facts;
    })
    .sort((a, b) => (a.customerNumber < b.customerNumber ? -1 : a.customerNumber > b.customerNumber ? 1 : 0));
  for (const facts of customers) planCustomer(input, facts, byCustomer.get(facts.customerId)!, plan);
  invariant(plan.letters.length <= MAX_LETTERS, 'too-many-letters', `at most ${MAX_LETTERS} letters per run`);
  return plan;
}

function planCustomer(
  input: PlanInput,
  facts: CustomerFacts,
  docs: readonly CandidateDocument[],
  plan: DunningPlan,
): void {
  const assignment = assignStrategy(input.config, facts, input.baseCurrency);
  plan.assignments.push({ customerId: facts.customerId, ...assignment });
  const strategy = input.config.strategies.get(assignment.strategyCode)!;
  const skip = (code: SkipCode, detail: string, doc?: CandidateDocument) =>
    plan.skips.push({
      customerId: facts.customerId,
      customerNumber: facts.customerNumber,
      documentId: doc?.documentId ?? null,
      documentNumber: doc?.documentNumber ?? null,
      code,
      detail,
    });

  let pending: Pending[] = [];
  for (const doc of [...docs].sort(byDueThenNumber)) {
    const daysOverdue = daysPastDue(doc.dueDate, input.asOf);
    const steps = newSteps(strategy, daysOverdue, doc.doneDays);
    if (steps.length === 0) continue;
    const dispute = input.disputes.get(doc.documentId);
    if (dispute) {
      skip('disputed', `disputed ${dispute.disputedMinor} (case ${dispute.caseIds.join(', ')})`, doc);
      continue;
    }
    pending.push({ doc, daysOverdue, newSteps: steps });
  }
  if (pending.length === 0) return;
  if (facts.blockedReason !== null) return void skip('blocked', `dunning blocked: ${facts.blockedReason}`);
  const holds = input.holds.get(facts.customerId) ?? [];
  if (holds.length > 0) {
    for (const h of holds) skip(h.kind, `${h.reason}${h.until ? ` (until ${h.until})` : ''}`);
    return;
  }
  pending = applyCreditsAndMinimum(strategy, facts, pending, skip);
  if (pending.length === 0) return;

  const interestTaken = new Set<string>();
  const base = {
    customerId: facts.customerId,
    customerNumber: facts.customerNumber,
    customerName: facts.name,
    strategyCode: strategy.code,
    segmentCode: assignment.segmentCode,
    language: facts.language ?? input.config.defaultLanguage,
  };
  const emailed = pending.filter((p) => p.newSteps.some((s) => s.action === 'email'));
  if (emailed.length > 0) {
    if (facts.email === null || facts.email === '') {
      skip('no_email', `no e-mail address: ${emailed.length} documents wait for a letter`);
    } else {
      plan.letters.push(letterFor(input, base, assignment, 'email', emailed, facts.email, interestTaken));
    }
  }
  for (const action of ['call_task', 'escalation', 'credit_hold', 'legal'] as const) {
    const reached = pending.filter((p) => p.newSteps.some((s) => s.action === action));
    if (reached.length > 0)
      plan.letters.push(letterFor(input, base, assignment, action, reached, null, interestTaken));
  }
}

/** Days past due, memoized per due date: a run sees few distinct dates and many documents. */
const dueDays = new Map<string, number>();
function daysPastDue(dueDate: string, asOf: string): number {
  const key = `${dueDate}|${asOf}`;
  let days = dueDays.get(key);
  if (days === undefined) {
    if (dueDays.size > 100_000) dueDays.clear();
    days = daysBetween(dueDate, asOf);
    dueDays.set(key, days);
  }
  return days;
}

function byDueThenNumber(a: CandidateDocument, b: CandidateDocument): number {
  if (a.dueDate !== b.dueDate) return a.dueDate < b.dueDate ? -1 : 1;
  return a.documentNumber < b.documentNumber ? -1 : a.documentNumber > b.documentNumber ? 1 : 0;
}

/**
 * Per currency: credits that cover everything pending hold the letter back (the customer is owed
 * as much as it owes), and so does a total under the strategy's minimum.
 */
function applyCreditsAndMinimum(
  strategy: StrategyConfig,
  facts: CustomerFacts,
  pending: Pending[],
  skip: (code: SkipCode, detail: string) => void,
): Pending[] {
  const totals = new Map<string, number>();
  for (const p of pending) totals.set(p.doc.currency, (totals.get(p.doc.currency) ?? 0) + p.doc.openMinor);
  const dropped = new Set<string>();
  for (const [currency, total] of totals) {
    assertSafeMinor(total, 'pending total');
    const credits = facts.creditsMinor.get(currency) ?? 0;
    const minimum = strategy.minimumOverdueMinor.get(currency) ?? 0;
    if (credits > 0 && credits >= total) {
      dropped.add(currency);
      skip('credits_cover', `${currency}: credits of ${credits} cover the ${total} due`);
    } else if (total < minimum) {
      dropped.add(currency);
      skip('below_minimum', `${currency}: ${total} due is under the strategy's minimum of ${minimum}`);
    }
  }
  return pending.filter((p) => !dropped.has(p.doc.currency));
}

function letterFor(
  input: PlanInput,
  base: Omit<PlannedLetter, 'step' | 'action' | 'recipient' | 'items' | 'charges' | 'reasons'>,
  assignment: Assignment,
  action: StepAction,
  pending: readonly Pending[],
  recipient: string | null,
  interestTaken: Set<string>,
): PlannedLetter {
  // The document's highest new step of this action (steps are in offset order).
  const levelOf = (p: Pending) => {
    for (let i = p.newSteps.length - 1; i >= 0; i--)
      if (p.newSteps[i]!.action === action) return p.newSteps[i]!;
    throw new Error('unreachable: a pending document without a step of its letter');
  };
  let step = levelOf(pending[0]!);
  for (const p of pending) if (levelOf(p).level > step.level) step = levelOf(p);
  const reasons = [
    `strategy ${assignment.strategyCode}: ${assignment.reason}`,
    `step ${step.code} (${step.name}, ${signed(step.days)} days, level ${step.level}): the highest ${action} step due`,
  ];
  const rate = step.interest ? parsePercent(step.interest.percent) : null;
  const items = pending.map((p): PlannedItem => {
    const own = levelOf(p);
    let interest = 0;
    let interestFrom: string | null = null;
    let interestTo: string | null = null;
    if (rate && step.interest && !p.doc.isCharge && !interestTaken.has(p.doc.documentId)) {
      const from =
        p.doc.interestThrough !== null && p.doc.interestThrough > p.doc.dueDate
          ? p.doc.interestThrough
          : p.doc.dueDate;
      const days = daysBetween(from, input.asOf);
      if (days > 0) {
        interest = interestMinor(p.doc.openMinor, rate, days, step.interest.dayCount);
        interestFrom = from;
        interestTo = input.asOf;
        interestTaken.add(p.doc.documentId);
        reasons.push(
          `interest on ${p.doc.documentNumber}: ${step.interest.percent}% a year (${step.interest.dayCount}-day year) on ${p.doc.openMinor} for ${days} days from ${from} = ${interest}`,
        );
      }
    }
    return {
      documentId: p.doc.documentId,
      documentNumber: p.doc.documentNumber,
      currency: p.doc.currency,
      documentDate: p.doc.documentDate,
      dueDate: p.doc.dueDate,
      daysOverdue: p.daysOverdue,
      openMinor: p.doc.openMinor,
      level: own.level,
      stepCode: own.code,
      stepDays: own.days,
      previousDays: p.doc.doneDays,
      interestMinor: interest,
      interestFrom,
      interestTo,
    };
  });
  return {
    ...base,
    step,
    action,
    recipient,
    items,
    charges: chargesFor(input.asOf, step, items, reasons),
    reasons,
  };
}

function chargesFor(asOf: string, step: StepConfig, items: readonly PlannedItem[], reasons: string[]) {
  const currencies = [...new Set(items.map((i) => i.currency))].sort();
  const charges: PlannedCharge[] = [];
  for (const currency of currencies) {
    const fee = step.feeMinor.get(currency);
    if (fee !== undefined && fee > 0) {
      charges.push({ kind: 'fee', currency, amountMinor: fee, dueDate: addDays(asOf, step.feeDueDays) });
      reasons.push(`fee ${fee} ${currency}: configured on step ${step.code}`);
    } else if (step.feeMinor.size > 0) {
      reasons.push(`no fee: step ${step.code} configures none for ${currency}`);
    }
    const inCurrency = items.filter((i) => i.currency === currency && i.interestMinor > 0);
    const interest = inCurrency.reduce((sum, i) => sum + i.interestMinor, 0);
    if (interest > 0) {
      // The letter names the days when every item was charged for the same days.
      const days = new Set(inCurrency.map((i) => daysBetween(i.interestFrom!, i.interestTo!)));
      charges.push({
        kind: 'interest',
        currency,
        amountMinor: assertSafeMinor(interest, 'interest'),
        dueDate: addDays(asOf, step.feeDueDays),
        ...(days.size === 1 ? { days: [...days][0]! } : {}),
        percent: step.interest!.percent,
      });
    }
  }
  return charges;
}
