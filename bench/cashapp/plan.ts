/**
 * Days of payments against the company's open items, each drawn from a scenario with a known right
 * answer. A planned payment says what the bank entry will carry (payer name and account, structured
 * references or free text, end-to-end id), whether a separate advice (X12 820, e-mail) carries the
 * remittance, and the true applications. Every open item is paid at most once, so the truth of one
 * payment never depends on another. Pure: the writers turn plans into files.
 */

import { ibanFor, payerNameFor } from '../../src/demo/names.js';
import type { Rng } from '../../src/demo/prng.js';
import type { BenchCustomer, BenchDocument, Company, PayAccount } from './company.js';
import { businessDays, isoOf } from './dates.js';
import type { BankFormat, LineKind, Scenario, Source } from './model.js';
import { applyNoise, buryInText, type RefNoise } from './noise.js';

/**
 * Scenario shares in percent of payments, and why:
 * - Most payments carry usable references (exact 42%: a single invoice or a combined payment quoting
 *   every invoice) — that is what AR teams see from customers who pay through an AP system.
 * - Mistyped references 14% in total: leading zeros, separators, missing prefix, O/0 and I/1,
 *   one-character typos, truncation, references buried in free text (2% each, truncation 1.5%,
 *   free text 2.5%), plus PO numbers instead of invoice numbers (3%).
 * - Differences: early-payment discounts 5%, short pays within tolerance 3%, short pays with a
 *   deduction reason 4%, partial payments 2%, credit memos netted 3%, overpayments 2%.
 * - Payer identification: parents paying for subsidiaries 4%, known customers paying from a new
 *   account under a name variant 3%, truly unidentifiable cash 1%.
 * - No reference at all 5%: 4% whose amount equals exactly one subset of the customer's open items,
 *   1% where it equals two (a person must choose).
 * - Separate remittances 8%: e-mails (text, HTML, PDF) 4%, X12 820 advices 4%.
 */
export const SCENARIO_WEIGHTS: Record<Scenario, number> = {
  exact_single: 30,
  exact_multi: 12,
  ref_leading_zeros: 2,
  ref_separators: 2,
  ref_prefix_missing: 2,
  ref_ocr_swap: 2,
  ref_typo: 2,
  ref_truncated: 1.5,
  ref_in_free_text: 2.5,
  po_reference: 3,
  discount: 5,
  short_pay_write_off: 3,
  short_pay_deduction: 4,
  partial_payment: 2,
  credit_memo_netted: 3,
  overpayment: 2,
  parent_pays_subsidiary: 4,
  new_payer_account: 3,
  no_reference_subset: 4,
  ambiguous_amount: 1,
  remittance_email: 4,
  x12_820: 4,
  unidentifiable: 1,
};

/** Short pays written off are at most this much and this share of the invoice (the assumed default tolerance is wider). */
export const WRITE_OFF_MAX_MINOR = 100;
export const WRITE_OFF_MAX_PER_10K = 25; // 0.25 %
/** Deductions are at least this much and this share of the invoice: clearly outside any write-off tolerance. */
export const DEDUCTION_MIN_MINOR = 2500;
export const DEDUCTION_MIN_PERCENT = 2;
export const OVERPAYMENT_MIN_MINOR = 500;

export interface Deduction {
  amountMinor: number;
  /** X12 element 426 adjustment reason code. */
  code: string;
  reason: string;
}

/** One document as the remittance names it. */
export interface RemitDoc {
  /** As the customer wrote it (noise applied). */
  ref: string;
  /** Our document number (what the reference means), for the writers' comments and for checks. */
  number: string;
  type: 'invoice' | 'credit_memo' | 'po';
  date: number | null;
  /** Gross amount of the document (negative for a credit memo); null when the advice leaves it out. */
  invoicedMinor: number | null;
  /** Amount paid against it (negative for a credit memo the customer netted). */
  paidMinor: number;
  discountMinor: number;
  deduction: Deduction | null;
}

export type AdviceKind = 'x12-820' | 'eml-text' | 'eml-html' | 'eml-pdf';

export interface SeparateAdvice {
  kind: AdviceKind;
  day: number;
  paymentReference: string;
  docs: RemitDoc[];
}

export interface PlannedLine {
  invoiceNumber: string | null;
  amountMinor: number;
  kind: LineKind;
}

export interface PlannedPayment {
  id: string;
  day: number;
  date: string;
  scenario: Scenario;
  variant: string | null;
  format: BankFormat;
  source: Source;
  /** The paying customer (index) and everyone an application may name. */
  customer: number | null;
  group: number[];
  payer: { name: string; account: string | null; bank: string | null };
  amountMinor: number;
  lines: PlannedLine[];
  /** camt: Strd documents vs Ustrd text; BAI2 is always text; lockbox always structured. */
  style: 'structured' | 'text' | 'none';
  docs: RemitDoc[];
  text: string | null;
  endToEndId: string | null;
  /** Filled by the writer: as our reader reports it. */
  bankReference: string;
  advice: SeparateAdvice | null;
}

export interface PlanOptions {
  payments: number;
  days: number;
  start: string;
}

export interface Plan {
  days: number[];
  payments: PlannedPayment[];
}

const DEDUCTION_REASONS: readonly Deduction[] = [
  { amountMinor: 0, code: '04', reason: 'DAMAGED GOODS' },
  { amountMinor: 0, code: '06', reason: 'QUANTITY SHORTAGE' },
  { amountMinor: 0, code: '01', reason: 'PRICING ERROR' },
  { amountMinor: 0, code: '54', reason: 'FREIGHT DEDUCTED' },
  { amountMinor: 0, code: '56', reason: 'ADVERTISING ALLOWANCE' },
  { amountMinor: 0, code: '11', reason: 'RETURNED GOODS' },
  { amountMinor: 0, code: '59', reason: 'ITEM NOT RECEIVED' },
];

const UNKNOWN_FIRST = [
  'JAMES',
  'MARIA',
  'ROBERT',
  'LINDA',
  'DAVID',
  'SUSAN',
  'KEVIN',
  'NANCY',
  'BRIAN',
  'KAREN',
];
const UNKNOWN_LAST = [
  'MILLER',
  'GARCIA',
  'WILSON',
  'ANDERSON',
  'TAYLOR',
  'THOMAS',
  'MOORE',
  'JACKSON',
  'LEE',
  'HARRIS',
];
const UNKNOWN_COMPANIES = [
  'ZEPHYR DENTAL CARE',
  'QUILLON BAKERY',
  'MAPLEHURST VETERINARY',
  'OBSIDIAN YOGA STUDIO',
  'TANGERINE PRINT SHOP',
  'VELVET MOON CATERING',
  'CRIMSON OWL BOOKS',
  'SAPPHIRE NAIL SALON',
  'MUNICIPAL WATER DEPT',
  'STATE TAX REFUND',
];

function halfUpPercent(amountMinor: number, percent: number): number {
  // percent is a small whole number here (1 or 2): exact integer arithmetic, half up as AP systems round.
  return Math.floor((amountMinor * percent + 50) / 100);
}

function formatAmount(minor: number): string {
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  return `${negative ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

class Planner {
  private readonly used: boolean[];
  /** Customers whose open amounts must stay whole (no-reference payments were checked against them). */
  readonly noPartial = new Set<number>();
  readonly hadPartial = new Set<number>();
  /** Pairs of equal open invoices of one customer, set aside for ambiguous no-reference payments. */
  readonly twinPairs: [number, number][] = [];
  private readonly cumulative: number[] = [];
  private readonly weightSum: number;
  private readonly amountsInUse = new Set<number>();
  private readonly poIndex = new Map<string, number[]>();
  private e2eSeq = 0;
  readonly payments: PlannedPayment[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly company: Company,
    readonly days: number[],
  ) {
    this.used = company.documents.map(() => false);
    let sum = 0;
    for (const c of company.customers) {
      sum += c.weight;
      this.cumulative.push(sum);
    }
    this.weightSum = sum;
    for (const d of company.documents) {
      this.amountsInUse.add(d.amountMinor);
      if (d.po !== null) {
        const key = `${d.customer}|${d.po}`;
        const list = this.poIndex.get(key) ?? [];
        list.push(d.index);
        this.poIndex.set(key, list);
      }
    }
  }

  get customers(): BenchCustomer[] {
    return this.company.customers;
  }

  doc(i: number): BenchDocument {
    return this.company.documents[i]!;
  }

  /** A customer drawn by share of business among those the predicate accepts, or null. */
  pickCustomer(accept: (c: BenchCustomer) => boolean, tries = 400): BenchCustomer | null {
    for (let t = 0; t < tries; t++) {
      const r = this.rng.next() * this.weightSum;
      let lo = 0;
      let hi = this.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cumulative[mid]! > r) hi = mid;
        else lo = mid + 1;
      }
      const c = this.customers[lo]!;
      if (accept(c)) return c;
    }
    return null;
  }

  /** Open, unused documents of a customer, oldest first, that were issued by `day`. */
  available(c: BenchCustomer, day: number, type: 'invoice' | 'credit_memo' = 'invoice'): number[] {
    return this.company.byCustomer[c.index]!.filter((i) => {
      const d = this.doc(i);
      return !this.used[i] && d.type === type && d.date < day;
    });
  }

  /**
   * `count` documents the way payers choose them: what is coming due or recently fell due first
   * (oldest due date first, now and then one skipped), then what is long overdue (most recent first:
   * the oldest items are the ones in dispute), then what is not due yet.
   */
  choose(list: number[], count: number, day: number): number[] {
    const due = (i: number) => this.doc(i).dueDate;
    const current = list.filter((i) => due(i) >= day - 25 && due(i) <= day + 10);
    const overdue = list.filter((i) => due(i) < day - 25).reverse();
    const early = list.filter((i) => due(i) > day + 10).sort((a, b) => due(a) - due(b) || a - b);
    current.sort((a, b) => due(a) - due(b) || a - b);
    const ordered = [...current, ...overdue, ...early];
    const out: number[] = [];
    for (const i of ordered) {
      if (out.length >= count) break;
      if (this.rng.chance(0.15) && ordered.length - out.length > count) continue;
      out.push(i);
    }
    return out;
  }

  take(indices: readonly number[]): void {
    for (const i of indices) this.used[i] = true;
  }

  /** Every document of the customer open on the first day, used or not. */
  allDocs(c: BenchCustomer): number[] {
    return this.company.byCustomer[c.index]!;
  }

  poDocs(c: BenchCustomer, po: string): number[] {
    return this.poIndex.get(`${c.index}|${po}`) ?? [];
  }

  isUsed(i: number): boolean {
    return this.used[i]!;
  }

  amountIsSomeOpenItem(amountMinor: number): boolean {
    return this.amountsInUse.has(amountMinor);
  }

  /** An account number no customer pays from. */
  strangerAccount(): string {
    const known = new Set(this.customers.map((c) => c.payAccount.account));
    for (;;) {
      const account = String(this.rng.int(10_000_000, 999_999_999));
      if (!known.has(account)) return account;
    }
  }

  nextE2e(prefix: string): string {
    this.e2eSeq++;
    return `${prefix}${String(this.e2eSeq).padStart(7, '0')}`;
  }
}

/**
 * Sets aside, before any payment is planned, pairs of equal open invoices (one pair per customer) for
 * the ambiguous no-reference payments: otherwise the other payments would have paid one of them.
 */
function setAsideTwins(planner: Planner, wanted: number): void {
  for (const c of planner.customers) {
    if (planner.twinPairs.length >= wanted) return;
    if (c.role !== 'standalone' || !c.accountKnown || c.discountPercent !== 0 || c.sends820) continue;
    const seen = new Map<number, number>();
    for (const i of planner.allDocs(c)) {
      const d = planner.doc(i);
      if (d.type !== 'invoice') continue;
      const first = seen.get(d.amountMinor);
      if (first === undefined) {
        seen.set(d.amountMinor, i);
        continue;
      }
      planner.twinPairs.push([first, i]);
      planner.take([first, i]);
      break;
    }
  }
}

/** Payment count per day: as even as whole payments allow. */
function perDay(total: number, days: number): number[] {
  const base = Math.floor(total / days);
  return Array.from({ length: days }, (_, i) => base + (i < total - base * days ? 1 : 0));
}

export function planPayments(root: Rng, company: Company, options: PlanOptions): Plan {
  const rng = root.fork('payments');
  const days = businessDays(options.start, options.days);
  const planner = new Planner(rng, company, days);
  setAsideTwins(planner, Math.ceil((options.payments * SCENARIO_WEIGHTS.ambiguous_amount * 1.5) / 100));
  const weights = Object.entries(SCENARIO_WEIGHTS) as [Scenario, number][];
  let seq = 0;
  perDay(options.payments, options.days).forEach((count, dayIndex) => {
    for (let k = 0; k < count; k++) {
      let payment: PlannedPayment | null = null;
      for (let attempt = 0; attempt < 50 && payment === null; attempt++) {
        const scenario = attempt < 40 ? rng.weighted(weights) : 'exact_single';
        payment = build(
          planner,
          rng,
          scenario,
          dayIndex,
          days[dayIndex]!,
          `P${String(seq + 1).padStart(6, '0')}`,
        );
      }
      if (payment === null)
        throw new Error('the company has too few open invoices for the payments asked for');
      seq++;
      planner.payments.push(payment);
    }
  });
  return { days, payments: planner.payments };
}

// ------------------------------------------------------------------------------------------------
// Scenario builders. Each returns null when it cannot find what it needs (the caller draws again).

interface Draft {
  customer: BenchCustomer;
  docs: RemitDoc[];
  lines: PlannedLine[];
  taken: number[];
}

function docOf(planner: Planner, i: number, paidMinor?: number): RemitDoc {
  const d = planner.doc(i);
  const sign = d.type === 'credit_memo' ? -1 : 1;
  return {
    ref: d.number,
    number: d.number,
    type: d.type,
    date: d.date,
    invoicedMinor: sign * d.amountMinor,
    paidMinor: paidMinor ?? sign * d.amountMinor,
    discountMinor: 0,
    deduction: null,
  };
}

function fullPayment(
  planner: Planner,
  indices: readonly number[],
): { docs: RemitDoc[]; lines: PlannedLine[] } {
  const docs = indices.map((i) => docOf(planner, i));
  const lines = docs.map((d) => ({
    invoiceNumber: d.number,
    amountMinor: d.paidMinor,
    kind: 'payment' as const,
  }));
  return { docs, lines };
}

/** Customers who pay for themselves (not through a parent's shared-service centre). */
const paysItself = (c: BenchCustomer): boolean => !c.paidByParent;

function payerOf(rng: Rng, c: BenchCustomer, format: BankFormat): PlannedPayment['payer'] {
  const name =
    format === 'lockbox'
      ? c.name.toUpperCase().slice(0, 30).trim()
      : format === 'bai2'
        ? payerNameFor(rng, c.name)
        : c.country === 'US' && rng.chance(0.5)
          ? payerNameFor(rng, c.name)
          : c.name;
  return { name, account: c.payAccount.account, bank: c.payAccount.bank };
}

function e2eFor(planner: Planner, rng: Rng, c: BenchCustomer, format: BankFormat): string | null {
  if (format === 'lockbox') return null;
  if (format === 'camt' && rng.chance(0.2)) return null; // NOTPROVIDED
  if (format === 'bai2' && rng.chance(0.3)) return null; // no EREF tag
  const prefix =
    c.brand
      .replace(/[^A-Za-z]/g, '')
      .slice(0, 3)
      .toUpperCase() || 'PAY';
  return planner.nextE2e(rng.pick([`${prefix}`, `${prefix}PMT`, 'E2E', `ACH${prefix}`]));
}

function styleFor(rng: Rng, format: BankFormat, wantsText = false): 'structured' | 'text' {
  if (format === 'lockbox') return 'structured';
  if (format === 'bai2') return 'text';
  return wantsText || rng.chance(0.45) ? 'text' : 'structured';
}

/** How a remittance line reads in free text: "INV-2026-001043", with amounts, discounts and deductions when known. */
export function renderText(rng: Rng, docs: readonly RemitDoc[]): string {
  const withAmounts = docs.length > 1 && rng.chance(0.5);
  const parts = docs.map((d) => {
    let s = d.ref;
    if (d.type === 'credit_memo') s += ` ${formatAmount(d.paidMinor)}`;
    else if (d.deduction !== null)
      s += ` PAID ${formatAmount(d.paidMinor)} LESS ${formatAmount(d.deduction.amountMinor)} ${d.deduction.reason}`;
    else if (d.discountMinor > 0) s += ` LESS DISC ${formatAmount(d.discountMinor)}`;
    else if (withAmounts) s += ` ${formatAmount(d.paidMinor)}`;
    return s;
  });
  const lead = rng.weighted<string>([
    ['', 50],
    ['INV ', 15],
    ['INVOICES ', 15],
    ['PAYMENT ', 20],
  ]);
  return `${lead}${parts.join(withAmounts ? '; ' : ' ')}`.trim();
}

function finish(
  planner: Planner,
  rng: Rng,
  id: string,
  scenario: Scenario,
  dayIndex: number,
  day: number,
  draft: Draft,
  options: {
    variant?: string | null;
    payerCustomer?: BenchCustomer;
    payer?: PlannedPayment['payer'];
    style?: 'structured' | 'text' | 'none';
    text?: string | null;
    extraLines?: PlannedLine[];
    amountMinor?: number;
    group?: number[];
  } = {},
): PlannedPayment {
  const payerCustomer = options.payerCustomer ?? draft.customer;
  const format = payerCustomer.bankFormat;
  const lines = [...draft.lines, ...(options.extraLines ?? [])];
  const cashLines = lines.filter(
    (l) => l.kind === 'payment' || l.kind === 'on_account' || l.kind === 'unapplied',
  );
  const amountMinor = options.amountMinor ?? cashLines.reduce((s, l) => s + l.amountMinor, 0);
  let style = options.style ?? styleFor(rng, format);
  // A lockbox check carries invoice lines only; BAI2 carries text only.
  if (format === 'lockbox' && style === 'text') style = 'structured';
  if (format === 'bai2' && style === 'structured') style = 'text';
  planner.take(draft.taken);
  return {
    id,
    day: dayIndex,
    date: isoOf(day),
    scenario,
    variant: options.variant ?? null,
    format,
    source: format,
    customer: payerCustomer.index,
    group: options.group ?? [...new Set([payerCustomer.index, draft.customer.index])],
    payer: options.payer ?? payerOf(rng, payerCustomer, format),
    amountMinor,
    lines,
    style,
    docs: style === 'none' ? [] : draft.docs,
    text: options.text !== undefined ? options.text : style === 'text' ? renderText(rng, draft.docs) : null,
    endToEndId: e2eFor(planner, rng, payerCustomer, format),
    bankReference: '',
    advice: null,
  };
}

function build(
  planner: Planner,
  rng: Rng,
  scenario: Scenario,
  dayIndex: number,
  day: number,
  id: string,
): PlannedPayment | null {
  const simple = (count: number, accept: (c: BenchCustomer) => boolean = () => true): Draft | null => {
    const c = planner.pickCustomer(
      (x) => paysItself(x) && accept(x) && planner.available(x, day).length >= count,
    );
    if (c === null) return null;
    const taken = planner.choose(planner.available(c, day), count, day);
    return { customer: c, taken, ...fullPayment(planner, taken) };
  };
  const multiCount = () => 2 + Math.min(10, Math.floor(rng.logUniform(1, 12)) - 1);

  switch (scenario) {
    case 'exact_single': {
      const draft = simple(1);
      return draft && finish(planner, rng, id, scenario, dayIndex, day, draft);
    }
    case 'exact_multi': {
      const draft = simple(multiCount());
      return draft && finish(planner, rng, id, scenario, dayIndex, day, draft);
    }
    case 'ref_leading_zeros':
    case 'ref_separators':
    case 'ref_prefix_missing':
    case 'ref_ocr_swap':
    case 'ref_typo':
    case 'ref_truncated': {
      const noise = scenario.slice(4) as RefNoise;
      const multi = rng.chance(0.3);
      const draft = simple(multi ? multiCount() : 1);
      if (draft === null) return null;
      const targets =
        noise === 'truncated' || rng.chance(0.5) ? [draft.docs.length - 1] : draft.docs.map((_, i) => i);
      for (const t of targets) {
        const noisy = applyNoise(rng, noise, draft.docs[t]!.ref);
        if (noisy === null) return null;
        draft.docs[t]!.ref = noisy;
      }
      const style = noise === 'truncated' && draft.customer.bankFormat === 'camt' ? 'text' : undefined;
      return finish(planner, rng, id, scenario, dayIndex, day, draft, { variant: noise, style });
    }
    case 'ref_in_free_text': {
      const draft = simple(rng.chance(0.7) ? 1 : 2, (c) => c.bankFormat !== 'lockbox');
      if (draft === null) return null;
      const text = buryInText(
        rng,
        draft.docs.map((d) => d.ref),
        payerNameFor(rng, draft.customer.name).slice(0, 12),
      );
      return finish(planner, rng, id, scenario, dayIndex, day, draft, { style: 'text', text });
    }
    case 'po_reference': {
      const c = planner.pickCustomer(
        (x) => paysItself(x) && x.poStyle !== 0 && planner.available(x, day).length > 0,
      );
      if (c === null) return null;
      const candidates = planner
        .available(c, day)
        .map((i) => planner.doc(i))
        .filter(
          (d) =>
            d.po !== null &&
            planner.poDocs(c, d.po).every((j) => !planner.isUsed(j) && planner.doc(j).date < day),
        );
      if (candidates.length === 0) return null;
      const po = candidates[0]!.po!;
      const taken = planner.poDocs(c, po);
      const paid = fullPayment(planner, taken);
      const total = paid.lines.reduce((s, l) => s + l.amountMinor, 0);
      const poDoc: RemitDoc = {
        ref: rng.chance(0.5) ? po : `PO ${po}`,
        number: po,
        type: 'po',
        date: null,
        invoicedMinor: null,
        paidMinor: total,
        discountMinor: 0,
        deduction: null,
      };
      const draft: Draft = { customer: c, taken, docs: [poDoc], lines: paid.lines };
      return finish(planner, rng, id, scenario, dayIndex, day, draft, {
        variant: taken.length > 1 ? 'po_several_invoices' : 'po_one_invoice',
      });
    }
    case 'discount': {
      const c = planner.pickCustomer(
        (x) =>
          paysItself(x) &&
          x.discountPercent > 0 &&
          planner.available(x, day).some((i) => (planner.doc(i).discountDate ?? -1) >= day),
      );
      if (c === null) return null;
      const eligible = planner.available(c, day).filter((i) => (planner.doc(i).discountDate ?? -1) >= day);
      const taken = planner.choose(eligible, rng.chance(0.7) ? 1 : Math.min(3, eligible.length), day);
      const stated = rng.chance(0.6);
      const docs: RemitDoc[] = [];
      const lines: PlannedLine[] = [];
      for (const i of taken) {
        const d = planner.doc(i);
        const discount = halfUpPercent(d.amountMinor, c.discountPercent);
        const net = d.amountMinor - discount;
        docs.push({ ...docOf(planner, i, net), discountMinor: stated ? discount : 0 });
        lines.push({ invoiceNumber: d.number, amountMinor: net, kind: 'payment' });
        if (discount > 0) lines.push({ invoiceNumber: d.number, amountMinor: discount, kind: 'discount' });
      }
      return finish(
        planner,
        rng,
        id,
        scenario,
        dayIndex,
        day,
        { customer: c, taken, docs, lines },
        {
          variant: stated ? 'discount_stated' : 'discount_not_stated',
        },
      );
    }
    case 'short_pay_write_off': {
      const draft = simple(rng.chance(0.75) ? 1 : 2);
      if (draft === null) return null;
      const last = draft.docs[draft.docs.length - 1]!;
      const cap = Math.min(
        WRITE_OFF_MAX_MINOR,
        Math.floor((last.invoicedMinor! * WRITE_OFF_MAX_PER_10K) / 10_000),
      );
      if (cap < 1) return null;
      const short = rng.int(1, cap);
      last.paidMinor -= short;
      const line = draft.lines[draft.lines.length - 1]!;
      line.amountMinor -= short;
      draft.lines.push({ invoiceNumber: last.number, amountMinor: short, kind: 'write_off' });
      return finish(planner, rng, id, scenario, dayIndex, day, draft, {
        variant: short <= 50 ? 'bank_fee_or_rounding' : 'small_short',
      });
    }
    case 'short_pay_deduction': {
      const draft = simple(
        rng.chance(0.6) ? 1 : Math.min(4, 2 + rng.int(0, 2)),
        (c) => c.bankFormat !== 'lockbox',
      );
      if (draft === null) return null;
      const target = draft.docs[rng.int(0, draft.docs.length - 1)]!;
      const gross = target.invoicedMinor!;
      const minimum = Math.max(DEDUCTION_MIN_MINOR, Math.ceil((gross * DEDUCTION_MIN_PERCENT) / 100));
      const maximum = Math.floor(gross * 0.3);
      if (maximum < minimum) return null;
      const amountMinor = rng.chance(0.4)
        ? Math.min(maximum, Math.ceil(minimum / 500) * 500)
        : rng.int(minimum, maximum);
      const deduction = { ...rng.pick(DEDUCTION_REASONS), amountMinor };
      target.deduction = deduction;
      target.paidMinor -= amountMinor;
      const line = draft.lines.find((l) => l.invoiceNumber === target.number)!;
      line.amountMinor -= amountMinor;
      draft.lines.push({ invoiceNumber: target.number, amountMinor, kind: 'deduction' });
      return finish(planner, rng, id, scenario, dayIndex, day, draft, { variant: deduction.code });
    }
    case 'partial_payment': {
      const draft = simple(1, (c) => c.medianMinor >= 20_000 && !planner.noPartial.has(c.index));
      if (draft === null) return null;
      planner.hadPartial.add(draft.customer.index);
      const doc = draft.docs[0]!;
      if (doc.invoicedMinor! < 20_000) return null;
      const paid = Math.round((doc.invoicedMinor! * rng.int(25, 75)) / 10_000) * 100;
      doc.paidMinor = paid;
      draft.lines[0]!.amountMinor = paid;
      const text = rng.chance(0.5) ? `PARTIAL PAYMENT ${doc.ref} ${formatAmount(paid)}` : undefined;
      return finish(planner, rng, id, scenario, dayIndex, day, draft, {
        text,
        style: text ? 'text' : undefined,
      });
    }
    case 'credit_memo_netted': {
      const c = planner.pickCustomer(
        (x) =>
          paysItself(x) &&
          x.bankFormat !== 'lockbox' &&
          planner.available(x, day, 'credit_memo').length > 0 &&
          planner.available(x, day).length > 0,
      );
      if (c === null) return null;
      const memo = planner.available(c, day, 'credit_memo')[0]!;
      const invoices = planner.choose(planner.available(c, day), rng.int(1, 4), day);
      const paid = fullPayment(planner, [...invoices, memo]);
      if (paid.lines.reduce((s, l) => s + l.amountMinor, 0) <= 0) return null;
      const taken = [...invoices, memo];
      return finish(planner, rng, id, scenario, dayIndex, day, { customer: c, taken, ...paid });
    }
    case 'overpayment': {
      const draft = simple(rng.chance(0.7) ? 1 : 2);
      if (draft === null) return null;
      const due = draft.lines.reduce((s, l) => s + l.amountMinor, 0);
      const roundUp = Math.ceil(due / 10_000) * 10_000;
      const extra =
        rng.chance(0.4) && roundUp - due >= OVERPAYMENT_MIN_MINOR
          ? roundUp - due
          : rng.int(OVERPAYMENT_MIN_MINOR, Math.max(OVERPAYMENT_MIN_MINOR, Math.floor(due * 0.1)));
      return finish(planner, rng, id, scenario, dayIndex, day, draft, {
        extraLines: [{ invoiceNumber: null, amountMinor: extra, kind: 'on_account' }],
        variant: extra === roundUp - due ? 'rounded_up' : 'extra',
      });
    }
    case 'parent_pays_subsidiary': {
      const parent = planner.pickCustomer(
        (x) =>
          x.role === 'parent' &&
          x.children.some((k) => planner.available(planner.customers[k]!, day).length > 0),
      );
      if (parent === null) return null;
      const kids = parent.children
        .map((k) => planner.customers[k]!)
        .filter((k) => planner.available(k, day).length > 0);
      const chosen = rng.sample(kids, rng.int(1, Math.min(3, kids.length)));
      const taken = chosen.flatMap((k) => planner.choose(planner.available(k, day), rng.int(1, 3), day));
      const paid = fullPayment(planner, taken);
      const draft: Draft = { customer: chosen[0]!, taken, ...paid };
      return finish(planner, rng, id, scenario, dayIndex, day, draft, {
        payerCustomer: parent,
        group: [parent.index, ...chosen.map((k) => k.index)],
        variant: chosen.some((k) => k.paidByParent) ? 'shared_service_centre' : 'parent_pays_once',
      });
    }
    case 'new_payer_account': {
      const draft = simple(rng.chance(0.75) ? 1 : multiCount());
      if (draft === null) return null;
      const c = draft.customer;
      const variant = nameVariant(rng, c.name);
      const account =
        c.country === 'US' || c.country === 'CA'
          ? String(rng.int(10_000_000, 9_999_999_999)).slice(0, rng.int(8, 10))
          : ibanFor(rng, c.country).replaceAll(' ', '');
      const payer = { name: variant.name, account, bank: c.payAccount.bank };
      return finish(planner, rng, id, scenario, dayIndex, day, draft, { payer, variant: variant.kind });
    }
    case 'no_reference_subset':
    case 'ambiguous_amount':
      return noReference(planner, rng, scenario, id, dayIndex, day);
    case 'remittance_email':
    case 'x12_820':
      return separateAdvice(planner, rng, scenario, id, dayIndex, day);
    case 'unidentifiable': {
      const format = rng.weighted<BankFormat>([
        ['camt', 40],
        ['bai2', 40],
        ['lockbox', 20],
      ]);
      let amountMinor = 0;
      do amountMinor = Math.round(rng.logUniform(2_000, 500_000));
      while (planner.amountIsSomeOpenItem(amountMinor));
      const person = rng.chance(0.5);
      const name = person
        ? `${rng.pick(UNKNOWN_FIRST)} ${rng.pick(UNKNOWN_LAST)}`
        : rng.pick(UNKNOWN_COMPANIES);
      const text = rng.weighted<string | null>([
        [null, 40],
        [`ORDER ${rng.int(10000, 99999)}`, 30],
        ['PAYMENT', 30],
      ]);
      return {
        id,
        day: dayIndex,
        date: isoOf(day),
        scenario,
        variant: person ? 'individual' : 'unknown_company',
        format,
        source: format,
        customer: null,
        group: [],
        payer: { name, account: planner.strangerAccount(), bank: '021000021' },
        amountMinor,
        lines: [{ invoiceNumber: null, amountMinor, kind: 'unapplied' }],
        style: format === 'lockbox' || text === null ? 'none' : 'text',
        docs: [],
        text: format === 'lockbox' ? null : text,
        endToEndId: format === 'lockbox' ? null : planner.nextE2e('UNK'),
        bankReference: '',
        advice: null,
      };
    }
  }
}

const ABBREVIATE: readonly (readonly [RegExp, string])[] = [
  [/\bManufacturing\b/i, 'MFG'],
  [/\bInternational\b/i, 'INTL'],
  [/\bIndustries\b/i, 'INDS'],
  [/\bDistributors\b/i, 'DIST'],
  [/\bEngineering\b/i, 'ENGRG'],
  [/\bEquipment\b/i, 'EQUIP'],
  [/\bComponents\b/i, 'COMPNTS'],
  [/\bElectronics\b/i, 'ELEC'],
  [/\bBrothers\b/i, 'BROS'],
  [/\bCompany\b/i, 'CO'],
  [/ & /, ' AND '],
];

const LEGAL_FORM =
  /\s+(Inc\.|LLC|Corp\.|Co\.|GmbH|AG|SAS|S\.A\.|B\.V\.|S\.r\.l\.|S\.p\.A\.|S\.L\.|Ltd\.?|plc)$/;

/** How a known customer's name reads when it pays from an account we have never seen. */
export function nameVariant(rng: Rng, name: string): { name: string; kind: string } {
  const bare = name.replace(LEGAL_FORM, '').replace(/ - .* Division$/, '');
  const form = LEGAL_FORM.exec(name)?.[1] ?? '';
  const kinds = ['abbreviated', 'word_order', 'legal_form', 'truncated', 'punctuation'];
  const kind = rng.pick(kinds);
  switch (kind) {
    case 'abbreviated': {
      let out = bare;
      for (const [pattern, short] of ABBREVIATE) out = out.replace(pattern, short);
      if (out === bare) out = `${bare} ${form.replace('.', '')}`.trim();
      return { name: out.toUpperCase(), kind };
    }
    case 'word_order': {
      const words = bare.split(' ');
      if (words.length < 2) return { name: `THE ${bare.toUpperCase()}`, kind };
      return { name: [...words.slice(1), words[0]!].join(' ').toUpperCase(), kind };
    }
    case 'legal_form': {
      const long: Record<string, string> = {
        'Inc.': 'INCORPORATED',
        LLC: 'L.L.C.',
        'Corp.': 'CORPORATION',
        'Co.': 'COMPANY',
        Ltd: 'LIMITED',
        'Ltd.': 'LIMITED',
      };
      return { name: `${bare.toUpperCase()} ${long[form] ?? form.toUpperCase()}`.trim(), kind };
    }
    case 'truncated':
      return { name: bare.toUpperCase().slice(0, rng.int(14, 18)).trim(), kind };
    default:
      return {
        name: bare
          .toUpperCase()
          .replaceAll(' ', rng.pick(['', '-', '.']))
          .slice(0, 35),
        kind,
      };
  }
}

/**
 * How many subsets of `items` add up to `target` (stopping at `limit`), by meet in the middle: the
 * sums of each half's subsets, then the pairs that make the target. 2 × 2^(n/2) sums for n items.
 */
export function subsetCount(items: readonly number[], target: number, limit: number): number {
  const half = items.length >> 1;
  const left = subsetSums(items.slice(0, half));
  const right = subsetSums(items.slice(half));
  const rightCounts = new Map<number, number>();
  for (const s of right) rightCounts.set(s, (rightCounts.get(s) ?? 0) + 1);
  let count = 0;
  for (const s of left) {
    count += rightCounts.get(target - s) ?? 0;
    if (count >= limit) return count;
  }
  // The empty subset (both halves empty) only counts for a target of zero, which never happens here.
  return target === 0 ? count - 1 : count;
}

function subsetSums(items: readonly number[]): number[] {
  const sums = new Array<number>(1 << items.length);
  sums[0] = 0;
  for (let mask = 1; mask < 1 << items.length; mask++) {
    const low = mask & -mask;
    sums[mask] = sums[mask ^ low]! + items[31 - Math.clz32(low)]!;
  }
  return sums;
}

const MAX_SUBSET_ITEMS = 30;

/**
 * No reference at all. The amount is checked against every subset of all the customer's open items
 * on the first day (credit memos negative): unique there means unique in whatever is still open when
 * the matcher sees it, since the paid items themselves are kept for this payment. Customers with a
 * partial payment in the bench are left out (a remainder would be a new open amount), and so are
 * those with discount terms and group members (a matcher may look wider than the one customer).
 */
function noReference(
  planner: Planner,
  rng: Rng,
  scenario: 'no_reference_subset' | 'ambiguous_amount',
  id: string,
  dayIndex: number,
  day: number,
): PlannedPayment | null {
  const suitable = (c: BenchCustomer) => {
    const all = planner.allDocs(c).length;
    return (
      c.role === 'standalone' &&
      c.accountKnown &&
      c.discountPercent === 0 &&
      !c.sends820 &&
      !planner.hadPartial.has(c.index) &&
      (scenario === 'ambiguous_amount' || all <= MAX_SUBSET_ITEMS) &&
      (scenario === 'ambiguous_amount'
        ? planner.twinPairs.some(([older]) => planner.doc(older).customer === c.index)
        : planner.available(c, day).length >= 1)
    );
  };
  const c = planner.pickCustomer(suitable, 800);
  if (c === null) return null;
  const invoices = planner.available(c, day);
  const items = planner.allDocs(c).map((i) => {
    const d = planner.doc(i);
    return d.type === 'credit_memo' ? -d.amountMinor : d.amountMinor;
  });
  let taken: number[] | null = null;
  if (scenario === 'no_reference_subset') {
    for (let attempt = 0; attempt < 8 && taken === null; attempt++) {
      const size = Math.min(
        invoices.length,
        rng.weighted<number>([
          [1, 45],
          [2, 30],
          [3, 15],
          [4, 10],
        ]),
      );
      const subset = rng.sample(invoices, size);
      const amount = subset.reduce((s, i) => s + planner.doc(i).amountMinor, 0);
      if (subsetCount(items, amount, 2) === 1) taken = subset;
    }
  } else {
    const pair = planner.twinPairs.findIndex(([older]) => planner.doc(older).customer === c.index);
    if (pair < 0) return null;
    // The customer meant the older of the two (payers settle oldest first); a person has to decide.
    const [older] = planner.twinPairs.splice(pair, 1)[0]!;
    taken = [older];
  }
  if (taken === null) return null;
  planner.noPartial.add(c.index);
  // The twin was set aside with it and stays open for the whole bench: the ambiguity is still there
  // when the matcher looks.
  const paid = fullPayment(planner, taken);
  const text = rng.weighted<string | null>([
    [null, 50],
    ['PAYMENT', 20],
    ['VENDOR PAYMENT', 15],
    ['ACH PMT', 15],
  ]);
  return finish(
    planner,
    rng,
    id,
    scenario,
    dayIndex,
    day,
    { customer: c, taken, ...paid },
    {
      style: 'none',
      text: c.bankFormat === 'lockbox' ? null : text,
      // How many open items the subset hides among: a matcher that searches only a few sees less.
      variant:
        scenario === 'ambiguous_amount'
          ? 'two_equal_invoices'
          : `subset_of_${taken.length}_among_${items.length <= 12 ? 'up_to_12' : '13_to_30'}`,
    },
  );
}

function separateAdvice(
  planner: Planner,
  rng: Rng,
  scenario: 'remittance_email' | 'x12_820',
  id: string,
  dayIndex: number,
  day: number,
): PlannedPayment | null {
  const edi = scenario === 'x12_820';
  const c = planner.pickCustomer(
    (x) => paysItself(x) && (edi ? x.sends820 : x.sendsEmail) && planner.available(x, day).length >= 1,
    edi ? 2000 : 800,
  );
  if (c === null) return null;
  const available = planner.available(c, day);
  const count = edi
    ? rng.int(Math.min(3, available.length), Math.min(40, available.length))
    : rng.int(1, Math.min(8, available.length));
  const taken = planner.choose(available, count, day);
  const docs: RemitDoc[] = [];
  const lines: PlannedLine[] = [];
  let deductions = 0;
  for (const i of taken) {
    const d = planner.doc(i);
    const doc = docOf(planner, i);
    docs.push(doc);
    const eligible = d.discountDate !== null && d.discountDate >= day && c.discountPercent > 0;
    if (eligible && rng.chance(0.7)) {
      doc.discountMinor = halfUpPercent(d.amountMinor, c.discountPercent);
      doc.paidMinor -= doc.discountMinor;
    } else if (deductions < 2 && rng.chance(edi ? 0.08 : 0.12)) {
      const minimum = Math.max(DEDUCTION_MIN_MINOR, Math.ceil((d.amountMinor * DEDUCTION_MIN_PERCENT) / 100));
      const maximum = Math.floor(d.amountMinor * 0.3);
      if (maximum >= minimum) {
        doc.deduction = { ...rng.pick(DEDUCTION_REASONS), amountMinor: rng.int(minimum, maximum) };
        doc.paidMinor -= doc.deduction.amountMinor;
        deductions++;
      }
    }
    lines.push({ invoiceNumber: d.number, amountMinor: doc.paidMinor, kind: 'payment' });
    if (doc.discountMinor > 0)
      lines.push({ invoiceNumber: d.number, amountMinor: doc.discountMinor, kind: 'discount' });
    if (doc.deduction !== null)
      lines.push({ invoiceNumber: d.number, amountMinor: doc.deduction.amountMinor, kind: 'deduction' });
  }
  const lastDay = planner.days.length - 1;
  const adviceDay = edi
    ? Math.max(0, dayIndex - (rng.chance(0.25) ? 1 : 0))
    : Math.min(
        lastDay,
        Math.max(
          0,
          dayIndex +
            rng.weighted<number>([
              [0, 45],
              [-1, 20],
              [1, 35],
            ]),
        ),
      );
  const kind: AdviceKind = edi
    ? 'x12-820'
    : rng.weighted<AdviceKind>([
        ['eml-text', 40],
        ['eml-html', 35],
        ['eml-pdf', 25],
      ]);
  const paymentReference = edi
    ? String(rng.int(100_000_000, 999_999_999)) + String(rng.int(100000, 999999))
    : planner.nextE2e('RA');
  const linkage = edi
    ? 'e2e'
    : rng.weighted<string>([
        ['e2e', 70],
        ['text', 20],
        ['none', 10],
      ]);
  const payment = finish(
    planner,
    rng,
    id,
    scenario,
    dayIndex,
    day,
    { customer: c, taken, docs, lines },
    {
      style: 'none',
      text: edi
        ? rng.pick(['CORP TRADE EXCHANGE', 'CTX EDI PAYMENT', 'EDI PYMNTS'])
        : linkage === 'text'
          ? `PAYMENT REF ${paymentReference}`
          : rng.chance(0.5)
            ? 'REMITTANCE SENT BY EMAIL'
            : null,
      variant: `${kind}${adviceDay < dayIndex ? '_before' : adviceDay > dayIndex ? '_after' : '_same_day'}${edi ? '' : `_${linkage}`}`,
    },
  );
  payment.source = kind;
  payment.docs = [];
  payment.endToEndId =
    linkage === 'e2e' ? paymentReference : payment.endToEndId === null ? null : planner.nextE2e('X');
  payment.advice = { kind, day: adviceDay, paymentReference, docs };
  return payment;
}

export type { BenchCustomer, PayAccount };
