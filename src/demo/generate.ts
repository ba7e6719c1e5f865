import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMinor } from '../money/index.js';
import {
  BRANDS,
  COLLECTORS,
  type Country,
  CURRENCY_OF,
  DIVISIONS,
  domesticAccountFor,
  emailFor,
  INDUSTRIES,
  ibanFor,
  legalForm,
  PRODUCTS,
  payerNameFor,
  phoneFor,
} from './names.js';
import { Rng } from './prng.js';

/**
 * The demo company's history as the canonical import files: a year of invoices, credit and debit
 * memos and the cash that paid them, for a few hundred customers with distinct habits. Pure apart
 * from writing the files: the same seed, customer count and as-of date give the same bytes.
 *
 * Money is integer minor units throughout; floats only shape random draws (sizes, lateness) and
 * are rounded to whole cents once, where an amount is born.
 */

export const DEFAULT_SEED = 42;
export const DEFAULT_CUSTOMERS = 300;
const BASE_CURRENCY = 'USD';
const WINDOW_DAYS = 365;

export interface DemoGenerateOptions {
  seed?: number;
  customers?: number;
  /** The demo's "today", YYYY-MM-DD: nothing is dated after it. */
  asOf: string;
}

/** A credit memo the customer deducted from a payment: the ledger nets it against the invoice. */
export interface CreditApplication {
  creditMemo: string;
  invoice: string;
  amountMinor: number;
  currency: string;
  date: string;
  /** The payment that took the deduction. */
  payment: string;
}

export interface DemoStats {
  seed: number;
  asOf: string;
  firstDate: string;
  customers: number;
  parents: number;
  subsidiaries: number;
  keyAccounts: number;
  foreignCustomers: Record<string, number>;
  stoppedPaying: string[];
  invoices: number;
  creditMemos: number;
  debitMemos: number;
  foreignDocuments: number;
  disputedDocuments: number;
  payments: number;
  paymentRows: number;
  combinedPayments: number;
  shortPays: number;
  discountsTaken: number;
  creditDeductions: number;
  overpayments: number;
  unappliedPayments: number;
  unidentifiedPayments: number;
}

export interface DemoFiles {
  customersPath: string;
  invoicesPath: string;
  paymentsPath: string;
  /** Daily exchange rates (currency,rate_date,rate: USD per unit) of the foreign currencies used. */
  ratesPath: string;
  /** The credit memos customers deducted (credit_memo,invoice_number,amount,currency,date,payment_id). */
  creditApplicationsPath: string;
  creditApplications: CreditApplication[];
  /** The same rates as rates.csv. */
  rates: DemoRate[];
  stats: DemoStats;
}

export interface DemoRate {
  currency: string;
  date: string;
  /** Base currency per unit, exact decimal text. */
  rate: string;
}

// ---------------------------------------------------------------------------------------------
// Dates as whole days since 1970-01-01 (UTC), so arithmetic never meets a time zone.

const DAY_MS = 86_400_000;
const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;
const isBusinessDay = (day: number): boolean => weekday(day) !== 0 && weekday(day) !== 6;
const nextBusinessDay = (day: number): number => {
  let d = day;
  while (!isBusinessDay(d)) d++;
  return d;
};
const monthOf = (day: number): number => new Date(day * DAY_MS).getUTCMonth();

export function assertIsoDate(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(dayOf(text)) || isoOf(dayOf(text)) !== text) {
    throw new RangeError(`expected a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Exact integer helpers for money.

/** round(value × numerator / denominator), half up, exactly. */
function mulDiv(value: number, numerator: number, denominator: number): number {
  const n = BigInt(value) * BigInt(numerator);
  const d = BigInt(denominator);
  return Number((n * 2n + d) / (d * 2n));
}

const cents = (x: number): number => Math.max(1, Math.round(x));
const money = (minor: number): string => formatMinor(minor, 2);

// ---------------------------------------------------------------------------------------------
// Customers.

type Segment = 'key' | 'mid' | 'small';
type Behaviour = 'prompt' | 'late' | 'slow' | 'chronic' | 'stopped';
type PayStyle = 'each' | 'weekly' | 'semimonthly' | 'monthly';
type Method = 'ach' | 'wire' | 'check' | 'card' | 'lockbox';
type Role = 'parent' | 'child' | 'standalone';

interface DemoCustomer {
  index: number;
  number: string;
  name: string;
  brand: string;
  role: Role;
  parent: DemoCustomer | null;
  country: Country;
  currency: string;
  termsDays: number;
  discountPercent: number;
  discountDays: number;
  creditLimitMinor: number | null;
  email: string;
  phone: string;
  collector: string;
  bankAccounts: string[];
  segment: Segment;
  behaviour: Behaviour;
  payStyle: PayStyle;
  payWeekday: number;
  payMonthDay: number;
  method: Method;
  takesDiscount: boolean;
  deducts: boolean;
  shortPayRate: number;
  disputeRate: number;
  invoicesPerMonth: number;
  medianMinor: number;
  startDay: number;
  stopDay: number | null;
  poStyle: number;
}

const SURNAMES = [
  'Hartley',
  'Whitaker',
  'Delgado',
  'Okafor',
  'Lindqvist',
  'Brennan',
  'Castellano',
  'Moreau',
] as const;

function roleCounts(n: number): { parents: number; children: number } {
  if (n < 3) return { parents: 0, children: 0 };
  const parents = n >= 15 ? Math.max(1, Math.round((n * 20) / 300)) : 1;
  const children = Math.max(parents, Math.round(n * 0.15));
  return { parents, children: Math.min(children, n - parents) };
}

function foreignCountries(rng: Rng, count: number): Country[] {
  const out: Country[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 0) out.push('DE');
    else if (i === 1) out.push(rng.chance(0.5) ? 'GB' : 'CA');
    else {
      out.push(
        rng.weighted<Country>([
          ['DE', 4],
          ['FR', 3],
          ['NL', 2],
          ['IT', 2],
          ['ES', 1],
          ['GB', 5],
          ['CA', 4],
        ]),
      );
    }
  }
  return out;
}

function buildCustomers(root: Rng, n: number, firstDay: number, asOfDay: number): DemoCustomer[] {
  const rng = root.fork('customers');
  const { parents, children } = roleCounts(n);
  const roles = rng.shuffle<Role>([
    ...Array<Role>(parents).fill('parent'),
    ...Array<Role>(children).fill('child'),
    ...Array<Role>(n - parents - children).fill('standalone'),
  ]);
  const foreignCount = n >= 20 ? Math.max(2, Math.round(n / 10)) : Math.round(n / 10);
  const foreignSlots = rng.sample(
    roles.map((r, i) => (r === 'parent' ? -1 : i)).filter((i) => i >= 0),
    foreignCount,
  );
  const countries = new Map<number, Country>();
  const foreign = foreignCountries(rng, foreignSlots.length);
  for (let k = 0; k < foreign.length; k++) countries.set(foreignSlots[k]!, foreign[k]!);

  const brands = rng.shuffle(BRANDS);
  const groupBrands = brands.slice(0, parents);
  const freeBrands = brands.slice(parents);
  const usedNames = new Set<string>();
  const customers: DemoCustomer[] = [];
  const parentList: DemoCustomer[] = [];

  // Parents first (children need them), then the rest; numbers follow the shuffled order.
  const order = roles
    .map((role, i) => ({ role, i }))
    .sort((a, b) => (a.role === 'parent' ? 0 : 1) - (b.role === 'parent' ? 0 : 1) || a.i - b.i);
  const childrenPerParent = new Map<DemoCustomer, number>();
  for (const { role, i } of order) {
    const c = rng.fork(`customer:${i}`);
    const country: Country = countries.get(i) ?? 'US';
    let parent: DemoCustomer | null = null;
    let brand: string;
    let name: string;
    if (role === 'parent') {
      brand = groupBrands[parentList.length]!;
      name = `${brand} ${c.pick(['Holdings', 'Group', 'Group Holdings'])} ${legalForm(c, 'US')}`;
    } else if (role === 'child') {
      // Every parent gets a child before any gets a second.
      const needy = parentList.filter((p) => !childrenPerParent.has(p));
      parent = needy.length > 0 ? needy[0]! : c.pick(parentList);
      childrenPerParent.set(parent, (childrenPerParent.get(parent) ?? 0) + 1);
      brand = parent.brand;
      name = uniqueName(usedNames, () =>
        c.chance(0.35) && country === 'US'
          ? `${brand} ${c.pick(INDUSTRIES)} - ${c.pick(DIVISIONS)} Division`
          : `${brand} ${c.pick(INDUSTRIES)} ${legalForm(c, country)}`,
      );
    } else {
      brand = c.pick(freeBrands);
      name = uniqueName(usedNames, () => {
        const pattern = c.weighted<number>([
          [0, 75],
          [1, 10],
          [2, 10],
          [3, 5],
        ]);
        if (pattern === 1) return `${brand} ${legalForm(c, country)}`;
        if (pattern === 2) return `${c.pick(SURNAMES)} ${c.pick(INDUSTRIES)} ${legalForm(c, country)}`;
        if (pattern === 3 && (country === 'US' || country === 'GB'))
          return `${c.pick(SURNAMES)} & Sons ${legalForm(c, country)}`;
        return `${brand} ${c.pick(INDUSTRIES)} ${legalForm(c, country)}`;
      });
      if (!name.startsWith(`${brand} `)) brand = name.split(' ')[0]!;
    }
    usedNames.add(name);

    const segment: Segment =
      role === 'parent'
        ? c.weighted<Segment>([
            ['key', 40],
            ['mid', 60],
          ])
        : role === 'child'
          ? c.weighted<Segment>([
              ['key', 10],
              ['mid', 50],
              ['small', 40],
            ])
          : c.weighted<Segment>([
              ['key', 4],
              ['mid', 28],
              ['small', 68],
            ]);
    const inheritTerms = parent !== null && parent.currency === CURRENCY_OF[country] && c.chance(0.7);
    const terms = inheritTerms
      ? { days: parent!.termsDays, discount: parent!.discountPercent, discountDays: parent!.discountDays }
      : pickTerms(c, segment, country);
    const behaviour: Behaviour =
      segment === 'key'
        ? c.weighted<Behaviour>([
            ['prompt', 30],
            ['late', 40],
            ['slow', 30],
          ])
        : c.weighted<Behaviour>([
            ['prompt', 35],
            ['late', 35],
            ['slow', 16],
            ['chronic', 14],
          ]);
    const payStyle: PayStyle =
      segment === 'key'
        ? c.weighted<PayStyle>([
            ['weekly', 50],
            ['semimonthly', 30],
            ['each', 20],
          ])
        : segment === 'mid'
          ? c.weighted<PayStyle>([
              ['each', 40],
              ['weekly', 30],
              ['semimonthly', 15],
              ['monthly', 15],
            ])
          : c.weighted<PayStyle>([
              ['each', 70],
              ['monthly', 20],
              ['weekly', 10],
            ]);
    const volume =
      segment === 'key'
        ? { perMonth: c.int(10, 22), median: c.logUniform(500_000, 2_000_000) }
        : segment === 'mid'
          ? { perMonth: 2 + c.next() * 2.5, median: c.logUniform(150_000, 600_000) }
          : { perMonth: 0.4 + c.next() * 1.1, median: c.logUniform(25_000, 200_000) };
    if (role === 'parent') volume.perMonth *= 0.5;
    const medianMinor = Math.round(volume.median);
    const creditLimitMinor = c.chance(0.06)
      ? null
      : creditLimit(volume.perMonth, medianMinor, terms.days, segment);
    const startDay = c.chance(0.85) ? firstDay : firstDay + c.int(30, 270);
    const customer: DemoCustomer = {
      index: i,
      number: '',
      name,
      brand,
      role,
      parent,
      country,
      currency: CURRENCY_OF[country],
      termsDays: terms.days,
      discountPercent: terms.discount,
      discountDays: terms.discountDays,
      creditLimitMinor,
      email: emailFor(c, brand, country),
      phone: phoneFor(c, country),
      collector: '',
      bankAccounts: [],
      segment,
      behaviour,
      payStyle,
      payWeekday: c.int(2, 5),
      payMonthDay: c.pick([10, 15, 20, 25, 28]),
      method: pickMethod(c, segment, country),
      takesDiscount: terms.discount > 0 && c.chance(0.6),
      deducts: c.chance(0.55),
      shortPayRate: { prompt: 0.008, late: 0.02, slow: 0.025, chronic: 0.04, stopped: 0.02 }[behaviour],
      disputeRate: behaviour === 'chronic' ? 0.015 : 0.004,
      invoicesPerMonth: volume.perMonth,
      medianMinor,
      startDay: Math.min(startDay, asOfDay - 60),
      stopDay: null,
      poStyle: c.int(0, 2),
    };
    const accounts = segment === 'key' ? 2 : c.chance(0.2) ? 2 : 1;
    for (let k = 0; k < accounts; k++) {
      customer.bankAccounts.push(
        country === 'US' || country === 'CA' ? domesticAccountFor(c, country) : ibanFor(c, country),
      );
    }
    if (parent === null && role === 'parent') parentList.push(customer);
    customers.push(customer);
  }

  customers.sort((a, b) => a.index - b.index);
  customers.forEach((c, k) => {
    c.number = `C${10001 + k}`;
  });
  if (!customers.some((c) => c.segment === 'key') && customers.length >= 5) {
    const promote = customers.find((c) => c.role === 'parent') ?? customers[0]!;
    promote.segment = 'key';
    promote.invoicesPerMonth = 10;
    promote.medianMinor = 800_000;
  }
  for (const c of customers) c.collector = collectorFor(c);

  // A couple of customers stopped paying months ago: the deep past-due end of the aging.
  const stoppedCount = n >= 5 ? Math.max(1, Math.round(n / 150)) : 0;
  const candidates = customers.filter(
    (c) => c.role === 'standalone' && c.segment !== 'key' && c.startDay === firstDay,
  );
  const mids = candidates.filter((c) => c.segment === 'mid');
  const stopped = rng.sample(mids.length >= stoppedCount ? mids : candidates, stoppedCount);
  for (const c of stopped) {
    c.behaviour = 'stopped';
    // They kept ordering at a good clip (past the credit limit set for their old volume) until the
    // account went on hold a month or three after the last payment.
    c.stopDay = asOfDay - rng.int(150, 220);
    c.invoicesPerMonth = Math.max(c.invoicesPerMonth, 4);
    c.medianMinor = Math.max(c.medianMinor, 500_000);
  }
  return customers;
}

function uniqueName(used: Set<string>, make: () => string): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const name = make();
    if (!used.has(name)) return name;
  }
  let k = 2;
  const base = make();
  while (used.has(`${base} ${k}`)) k++;
  return `${base} ${k}`;
}

function pickTerms(
  rng: Rng,
  segment: Segment,
  country: Country,
): { days: number; discount: number; discountDays: number } {
  const choice =
    segment === 'key'
      ? rng.weighted<string>([
          ['n30', 45],
          ['n45', 25],
          ['n60', 30],
        ])
      : country === 'US'
        ? rng.weighted<string>([
            ['n30', 64],
            ['n45', 12],
            ['n60', 8],
            ['2/10', 11],
            ['n15', 5],
          ])
        : rng.weighted<string>([
            ['n30', 60],
            ['n45', 10],
            ['n60', 30],
          ]);
  switch (choice) {
    case '2/10':
      return { days: 30, discount: 2, discountDays: 10 };
    case 'n15':
      return { days: 15, discount: 0, discountDays: 0 };
    case 'n45':
      return { days: 45, discount: 0, discountDays: 0 };
    case 'n60':
      return { days: 60, discount: 0, discountDays: 0 };
    default:
      return { days: 30, discount: 0, discountDays: 0 };
  }
}

function pickMethod(rng: Rng, segment: Segment, country: Country): Method {
  if (country !== 'US' && country !== 'CA') return 'wire';
  if (country === 'CA')
    return rng.weighted<Method>([
      ['ach', 60],
      ['wire', 30],
      ['check', 10],
    ]);
  if (segment === 'key')
    return rng.weighted<Method>([
      ['ach', 70],
      ['wire', 15],
      ['lockbox', 15],
    ]);
  if (segment === 'mid')
    return rng.weighted<Method>([
      ['ach', 50],
      ['check', 30],
      ['lockbox', 20],
    ]);
  return rng.weighted<Method>([
    ['check', 50],
    ['ach', 30],
    ['card', 20],
  ]);
}

/** About 1.5 × the expected exposure (a month's billing over the terms), rounded up to 5,000. */
function creditLimit(perMonth: number, medianMinor: number, termsDays: number, segment: Segment): number {
  const monthly = perMonth * medianMinor * 1.25;
  const exposure = monthly * (termsDays / 30 + 1) * 1.5;
  const step = segment === 'small' ? 100_000 : 500_000;
  return Math.max(step, Math.ceil(exposure / step) * step);
}

/** Key accounts to the senior collector, foreign ones to the international desk, the rest by name. */
function collectorFor(c: DemoCustomer): string {
  const owner = c.parent ?? c;
  if (owner.segment === 'key') return COLLECTORS[0];
  if (c.country !== 'US') return COLLECTORS[4];
  const first = owner.name.charAt(0).toUpperCase();
  return first <= 'H' ? COLLECTORS[1] : first <= 'Q' ? COLLECTORS[2] : COLLECTORS[3];
}

// ---------------------------------------------------------------------------------------------
// Exchange rates: a mean-reverting daily walk in ten-thousandths, business days only.

const FX_BANDS: Record<string, { center: number; low: number; high: number }> = {
  EUR: { center: 10_850, low: 10_500, high: 11_200 },
  GBP: { center: 12_700, low: 12_350, high: 13_200 },
  CAD: { center: 7_350, low: 7_100, high: 7_600 },
};

class RateSeries {
  private readonly byDay = new Map<number, number>();

  constructor(
    root: Rng,
    readonly currency: string,
    private readonly firstDay: number,
    private readonly lastDay: number,
  ) {
    const band = FX_BANDS[currency]!;
    const rng = root.fork(`fx:${currency}`);
    let units = band.center + rng.int(-150, 150);
    for (let day = firstDay; day <= lastDay; day++) {
      if (!isBusinessDay(day)) continue;
      const pull = Math.round((band.center - units) * 0.03);
      units = Math.min(band.high, Math.max(band.low, units + pull + Math.round(rng.normal() * 30)));
      this.byDay.set(day, units);
    }
  }

  /** The rate of the last business day on or before `day`. */
  on(day: number): string {
    for (let d = day; d >= this.firstDay - 7; d--) {
      const units = this.byDay.get(d);
      if (units !== undefined)
        return `${Math.floor(units / 10_000)}.${String(units % 10_000).padStart(4, '0')}`;
    }
    throw new Error(`no ${this.currency} rate on or before ${isoOf(day)}`);
  }

  rows(): string[][] {
    const out: string[][] = [];
    for (let day = this.firstDay; day <= this.lastDay; day++) {
      if (this.byDay.has(day)) out.push([this.currency, isoOf(day), this.on(day)]);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Documents.

type DocType = 'invoice' | 'credit_memo' | 'debit_memo';

interface Doc {
  type: DocType;
  customer: DemoCustomer;
  day: number;
  dueDay: number;
  amountMinor: number;
  seq: number;
  number: string;
  po: string | null;
  description: string;
  /** The invoice a credit or debit memo refers to. */
  ref: Doc | null;
  fxRate: string | null;
  disputed: boolean;
}

/** Relative monthly volume, January first: quiet in January, July and December, busy in the autumn. */
const SEASON = [0.82, 0.92, 1.05, 1.0, 1.02, 1.06, 0.9, 0.97, 1.1, 1.15, 1.1, 0.86] as const;

const CREDIT_REASONS = [
  { weight: 40, low: 10, high: 40, text: (r: Rng) => `Return of goods, RMA ${r.int(10_000, 99_999)}` },
  { weight: 30, low: 2, high: 10, text: () => 'Pricing adjustment' },
  { weight: 20, low: 5, high: 25, text: () => 'Damaged in transit' },
  { weight: 10, low: 5, high: 30, text: () => 'Short shipment' },
] as const;

function buildDocuments(root: Rng, customers: DemoCustomer[], asOfDay: number): Doc[] {
  const docs: Doc[] = [];
  for (const customer of customers) {
    const rng = root.fork(`documents:${customer.index}`);
    const lastInvoiceDay =
      customer.stopDay === null ? asOfDay : Math.min(asOfDay, customer.stopDay + rng.int(45, 90));
    let poCounter = rng.int(1000, 8000);
    let seq = 0;
    for (let day = customer.startDay; day <= lastInvoiceDay; day++) {
      if (!isBusinessDay(day)) continue;
      const expected = (customer.invoicesPerMonth * SEASON[monthOf(day)]!) / 21.7;
      const count = Math.floor(expected) + (rng.chance(expected - Math.floor(expected)) ? 1 : 0);
      for (let k = 0; k < count; k++) {
        const amountMinor = Math.min(
          cents(rng.logNormal(customer.medianMinor, 0.65)),
          customer.medianMinor * 25,
        );
        const withPo = customer.segment === 'small' ? rng.chance(0.4) : rng.chance(0.9);
        const invoice: Doc = {
          type: 'invoice',
          customer,
          day,
          dueDay: day + customer.termsDays,
          amountMinor: Math.max(2_500, amountMinor),
          seq: seq++,
          number: '',
          po: withPo ? poNumber(customer, poCounter++) : null,
          description: rng.pick(PRODUCTS),
          ref: null,
          fxRate: null,
          disputed: false,
        };
        docs.push(invoice);
        if (rng.chance(0.03)) {
          const cmDay = nextBusinessDay(day + rng.int(3, 40));
          const reason = rng.weighted(CREDIT_REASONS.map((r) => [r, r.weight] as const));
          if (cmDay <= asOfDay) {
            docs.push({
              type: 'credit_memo',
              customer,
              day: cmDay,
              dueDay: cmDay,
              amountMinor: Math.max(
                1_000,
                mulDiv(invoice.amountMinor, rng.int(reason.low, reason.high), 100),
              ),
              seq: seq++,
              number: '',
              po: invoice.po,
              description: reason.text(rng),
              ref: invoice,
              fxRate: null,
              disputed: false,
            });
          }
        }
        if (rng.chance(0.01)) {
          const dmDay = nextBusinessDay(day + rng.int(10, 50));
          const lateFee = customer.behaviour === 'chronic' || customer.behaviour === 'slow';
          if (dmDay <= asOfDay) {
            docs.push({
              type: 'debit_memo',
              customer,
              day: dmDay,
              dueDay: dmDay + Math.min(customer.termsDays, 30),
              amountMinor: lateFee
                ? Math.max(2_500, mulDiv(invoice.amountMinor, 15, 1000))
                : rng.int(4_500, 45_000),
              seq: seq++,
              number: '',
              po: null,
              description: lateFee ? 'Late payment fee (1.5%)' : 'Freight re-billed',
              ref: invoice,
              fxRate: null,
              disputed: false,
            });
          }
        }
      }
    }
  }
  // Numbers follow the date, per document type, as an ERP hands them out.
  docs.sort((a, b) => a.day - b.day || a.customer.index - b.customer.index || a.seq - b.seq);
  const next: Record<DocType, number> = { invoice: 100_001, credit_memo: 500_001, debit_memo: 700_001 };
  const prefix: Record<DocType, string> = { invoice: 'INV', credit_memo: 'CM', debit_memo: 'DM' };
  for (const d of docs) d.number = `${prefix[d.type]}-${next[d.type]++}`;
  for (const d of docs) {
    if (d.ref && d.type === 'credit_memo') d.description = `${d.description} (${d.ref.number})`;
    if (d.ref && d.type === 'debit_memo') d.description = `${d.description}: ${d.ref.number}`;
  }
  return docs;
}

function poNumber(c: DemoCustomer, n: number): string {
  if (c.poStyle === 0) return `PO-${n}`;
  if (c.poStyle === 1) return `45000${String(n).padStart(5, '0')}`;
  return `${c.brand
    .replace(/[^A-Za-z]/g, '')
    .slice(0, 3)
    .toUpperCase()}-${String(n).padStart(6, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Payments.

interface Application {
  doc: Doc;
  appliedMinor: number;
  discount: boolean;
  short: boolean;
  deducted: boolean;
}

interface Payment {
  customer: DemoCustomer;
  day: number;
  apps: Application[];
  excessMinor: number;
  /** Received but not applied yet: the invoices stay open, the cash waits. */
  unapplied: boolean;
  /** The bank named no customer we know. */
  unidentified: boolean;
  deductions: { cm: Doc; app: Application; amountMinor: number }[];
  id: string;
  reference: string;
  method: Method;
  fxRate: string | null;
}

function latenessDays(rng: Rng, behaviour: Behaviour): number {
  let days: number;
  switch (behaviour) {
    case 'prompt':
      days = Math.min(6, Math.max(-8, Math.round(rng.normal() * 3) - 1));
      break;
    case 'late':
    case 'stopped':
      days = rng.int(5, 15) + Math.round(rng.normal() * 2);
      break;
    case 'slow':
      days = rng.int(12, 30);
      break;
    case 'chronic':
      days = rng.int(30, 60);
      break;
  }
  return rng.chance(0.04) ? days + rng.int(15, 45) : days;
}

function snap(day: number, c: DemoCustomer): number {
  let d = day;
  switch (c.payStyle) {
    case 'weekly':
      while (weekday(d) !== c.payWeekday) d++;
      return d;
    case 'semimonthly': {
      for (;;) {
        const date = new Date(d * DAY_MS);
        const lastOfMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
        if (date.getUTCDate() === 15 || date.getUTCDate() === lastOfMonth) return d;
        d++;
      }
    }
    case 'monthly':
      while (new Date(d * DAY_MS).getUTCDate() !== c.payMonthDay) d++;
      return d;
    default:
      return d;
  }
}

/** When and how each customer paid its documents, up to the as-of date. */
function planPayments(root: Rng, customers: DemoCustomer[], docs: Doc[], asOfDay: number): Payment[] {
  const byCustomer = new Map<DemoCustomer, Doc[]>();
  for (const d of docs) {
    const list = byCustomer.get(d.customer) ?? [];
    list.push(d);
    byCustomer.set(d.customer, list);
  }
  const payments: Payment[] = [];
  for (const customer of customers) {
    const rng = root.fork(`payments:${customer.index}`);
    const mine = byCustomer.get(customer) ?? [];
    const groups = new Map<string, Payment>();
    for (const doc of mine) {
      if (doc.type === 'credit_memo') continue;
      if (rng.chance(doc.type === 'debit_memo' ? 0.35 : customer.disputeRate)) {
        doc.disputed = true;
        continue;
      }
      let payDay: number;
      let applied = doc.amountMinor;
      const discount = doc.type === 'invoice' && customer.takesDiscount && rng.chance(0.8);
      if (discount) {
        payDay = nextBusinessDay(doc.day + rng.int(4, customer.discountDays - 2));
        applied = doc.amountMinor - mulDiv(doc.amountMinor, customer.discountPercent, 100);
      } else {
        payDay = nextBusinessDay(
          snap(Math.max(doc.day + 2, doc.dueDay + latenessDays(rng, customer.behaviour)), customer),
        );
      }
      if (payDay > asOfDay) continue;
      if (customer.stopDay !== null && payDay >= customer.stopDay) continue;
      const key = customer.payStyle === 'each' || discount ? `${payDay}:${doc.number}` : `${payDay}`;
      let payment = groups.get(key);
      if (!payment) {
        payment = {
          customer,
          day: payDay,
          apps: [],
          excessMinor: 0,
          unapplied: false,
          unidentified: false,
          deductions: [],
          id: '',
          reference: '',
          method: customer.method,
          fxRate: null,
        };
        groups.set(key, payment);
      }
      payment.apps.push({ doc, appliedMinor: applied, discount, short: false, deducted: false });
    }
    const list = [...groups.values()].sort(
      (a, b) => a.day - b.day || a.apps[0]!.doc.seq - b.apps[0]!.doc.seq,
    );

    // Customers who deduct credit memos take each one off the next payment after it was issued.
    if (customer.deducts) {
      const credits = mine.filter((d) => d.type === 'credit_memo');
      for (const cm of credits) {
        for (const p of list) {
          if (p.day <= cm.day) continue;
          const app =
            p.apps.find((a) => a.doc === cm.ref && !a.discount && a.appliedMinor > cm.amountMinor) ??
            p.apps.find((a) => !a.discount && !a.deducted && a.appliedMinor > cm.amountMinor);
          if (!app) continue;
          app.appliedMinor -= cm.amountMinor;
          app.deducted = true;
          p.deductions.push({ cm, app, amountMinor: cm.amountMinor });
          break;
        }
      }
    }
    // Short pays: a disputed line, a missing unit, a freight charge refused; the rest stays open.
    for (const p of list) {
      for (const a of p.apps) {
        if (a.discount || a.deducted || !rng.chance(customer.shortPayRate)) continue;
        const raw = mulDiv(a.appliedMinor, rng.int(3, 25), 100);
        const short = Math.max(100, raw - (raw % 100));
        if (short < a.appliedMinor) {
          a.appliedMinor -= short;
          a.short = true;
        }
      }
    }
    payments.push(...list);
  }
  payments.sort(
    (a, b) => a.day - b.day || a.customer.index - b.customer.index || a.apps[0]!.doc.seq - b.apps[0]!.doc.seq,
  );
  markExceptions(root.fork('exceptions'), payments, customers.length, asOfDay);
  return payments;
}

/** Unapplied, unidentified and overpaid receipts: few, but always some. */
function markExceptions(rng: Rng, payments: Payment[], customerCount: number, asOfDay: number): void {
  const plain = (p: Payment) => !p.unapplied && !p.unidentified && p.excessMinor === 0;
  const recent = payments.filter((p) => p.day > asOfDay - 7);
  const backlog = rng.sample(recent, Math.max(1, Math.round(recent.length * 0.12)));
  const older = rng.sample(
    payments.filter((p) => p.day <= asOfDay - 7 && p.day > asOfDay - 120),
    Math.max(1, Math.round(payments.length * 0.002)),
  );
  for (const p of [...backlog, ...older]) p.unapplied = true;
  const unidentified = rng.sample(
    payments.filter((p) => plain(p) && p.day > asOfDay - 60),
    Math.max(2, Math.round(customerCount / 40)),
  );
  for (const p of unidentified) p.unidentified = true;
  const overpaid = rng.sample(payments.filter(plain), Math.max(2, Math.round(payments.length * 0.01)));
  for (const p of overpaid) {
    const total = p.apps.reduce((s, a) => s + a.appliedMinor, 0);
    if (rng.chance(0.5)) {
      // The same invoice paid twice: the second time lands on account.
      p.excessMinor = Math.min(...p.apps.map((a) => a.appliedMinor));
    } else {
      const rounded = Math.ceil(total / 10_000) * 10_000;
      p.excessMinor = rounded > total ? rounded - total : 10_000;
    }
  }
  for (const p of payments) {
    if (p.unapplied || p.unidentified) p.deductions = [];
  }
}

function describePayments(root: Rng, payments: Payment[], rates: Map<string, RateSeries>): void {
  const rng = root.fork('references');
  const checkNumbers = new Map<DemoCustomer, number>();
  payments.forEach((p, k) => {
    p.id = `RCT-${String(k + 1).padStart(6, '0')}`;
    const c = p.customer;
    p.fxRate = c.currency === BASE_CURRENCY ? null : rates.get(c.currency)!.on(p.day);
    if (p.unidentified) {
      p.method = c.method === 'check' || c.method === 'card' ? 'ach' : c.method;
      const invoices = p.apps.map((a) => a.doc.number.replace(/^INV-/, ''));
      const remit = rng.chance(0.6) ? ` RMT ${invoices.slice(0, 3).join(' ')}` : '';
      p.reference = `ORIG ${payerNameFor(rng, c.name)}${remit}`;
      return;
    }
    switch (p.method) {
      case 'check': {
        const n = (checkNumbers.get(c) ?? rng.int(1_001, 9_000)) + 1;
        checkNumbers.set(c, n);
        p.reference = `CHK ${n}`;
        break;
      }
      case 'ach':
        p.reference = `ACH TRACE 0${rng.int(10_000_000, 99_999_999)}${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;
        break;
      case 'wire':
        if (c.country === 'US') {
          p.reference = `FED IMAD ${isoOf(p.day).replace(/-/g, '')}QMGFT${String(rng.int(0, 999_999)).padStart(6, '0')}`;
        } else if (c.country === 'GB' || c.country === 'CA') {
          p.reference = `${c.country === 'GB' ? 'CHAPS' : 'LVTS'} ${rng.int(100_000, 999_999)}`;
        } else {
          p.reference = `SEPA E2E ${c.number}-${p.apps[0]!.doc.number}`;
        }
        break;
      case 'lockbox':
        p.reference = `LBX 4471 B${String(rng.int(1, 400)).padStart(3, '0')} I${String(rng.int(1, 60)).padStart(3, '0')}`;
        break;
      case 'card':
        p.reference = `CARD ${rng.pick(['VISA', 'MC', 'AMEX'])} ****${String(rng.int(0, 9_999)).padStart(4, '0')}`;
        break;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Files.

function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows]
    .map((r) => r.map(csvField).join(','))
    .join('\n')
    .concat('\n');
}

/** The options with defaults filled in; throws a RangeError naming what is wrong. */
export function resolveGenerateOptions(options: DemoGenerateOptions): Required<DemoGenerateOptions> {
  const seed = options.seed ?? DEFAULT_SEED;
  const customers = options.customers ?? DEFAULT_CUSTOMERS;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`the seed is a whole number from 0 to 4294967295, got ${seed}`);
  }
  if (!Number.isInteger(customers) || customers < 1 || customers > 100_000) {
    throw new RangeError(`the customer count is a whole number from 1 to 100000, got ${customers}`);
  }
  return { seed, customers, asOf: assertIsoDate(options.asOf) };
}

export async function generateDemoFiles(dir: string, options: DemoGenerateOptions): Promise<DemoFiles> {
  const { seed, customers: count, asOf } = resolveGenerateOptions(options);
  const asOfDay = dayOf(asOf);
  const firstDay = asOfDay - WINDOW_DAYS + 1;
  const root = new Rng(seed);

  const customers = buildCustomers(root, count, firstDay, asOfDay);
  const rates = new Map<string, RateSeries>();
  for (const c of customers) {
    if (c.currency !== BASE_CURRENCY && !rates.has(c.currency)) {
      rates.set(c.currency, new RateSeries(root, c.currency, firstDay - 7, asOfDay));
    }
  }
  const docs = buildDocuments(root, customers, asOfDay);
  for (const d of docs)
    d.fxRate = d.customer.currency === BASE_CURRENCY ? null : rates.get(d.customer.currency)!.on(d.day);
  const payments = planPayments(root, customers, docs, asOfDay);
  describePayments(root, payments, rates);

  await mkdir(dir, { recursive: true });
  const customersPath = join(dir, 'customers.csv');
  const invoicesPath = join(dir, 'invoices.csv');
  const paymentsPath = join(dir, 'payments.csv');
  const ratesPath = join(dir, 'rates.csv');
  const creditApplicationsPath = join(dir, 'credit-applications.csv');

  await writeFile(
    customersPath,
    csv(
      [
        'customer_id',
        'name',
        'parent_id',
        'currency',
        'terms_days',
        'discount_percent',
        'discount_days',
        'credit_limit',
        'email',
        'phone',
        'collector',
        'bank_accounts',
      ],
      customers.map((c) => [
        c.number,
        c.name,
        c.parent?.number ?? '',
        c.currency,
        String(c.termsDays),
        c.discountPercent > 0 ? String(c.discountPercent) : '',
        c.discountPercent > 0 ? String(c.discountDays) : '',
        c.creditLimitMinor === null ? '' : money(c.creditLimitMinor),
        c.email,
        c.phone,
        c.collector,
        c.bankAccounts.join(';'),
      ]),
    ),
  );
  await writeFile(
    invoicesPath,
    csv(
      [
        'invoice_number',
        'customer_id',
        'type',
        'invoice_date',
        'due_date',
        'amount',
        'currency',
        'po_number',
        'description',
        'fx_rate',
      ],
      docs.map((d) => [
        d.number,
        d.customer.number,
        d.type,
        isoOf(d.day),
        isoOf(d.dueDay),
        money(d.amountMinor),
        d.customer.currency,
        d.po ?? '',
        d.description,
        d.fxRate ?? '',
      ]),
    ),
  );

  const paymentRows: string[][] = [];
  const creditApplications: CreditApplication[] = [];
  for (const p of payments) {
    const applied = p.apps.reduce((s, a) => s + a.appliedMinor, 0);
    const amount = money(applied + p.excessMinor);
    const head = [
      p.id,
      p.unidentified ? '' : p.customer.number,
      isoOf(p.day),
      amount,
      p.customer.currency,
      p.method,
      p.reference,
    ];
    const fx = p.fxRate ?? '';
    if (p.unapplied || p.unidentified) {
      paymentRows.push([...head, '', '', fx]);
      continue;
    }
    for (const a of p.apps) paymentRows.push([...head, a.doc.number, money(a.appliedMinor), fx]);
    if (p.excessMinor > 0) paymentRows.push([...head, '', money(p.excessMinor), fx]);
    for (const d of p.deductions) {
      creditApplications.push({
        creditMemo: d.cm.number,
        invoice: d.app.doc.number,
        amountMinor: d.amountMinor,
        currency: p.customer.currency,
        date: isoOf(p.day),
        payment: p.id,
      });
    }
  }
  await writeFile(
    paymentsPath,
    csv(
      [
        'payment_id',
        'customer_id',
        'payment_date',
        'amount',
        'currency',
        'method',
        'reference',
        'invoice_number',
        'applied_amount',
        'fx_rate',
      ],
      paymentRows,
    ),
  );
  const rateRows = [...rates.values()].flatMap((r) => r.rows());
  await writeFile(ratesPath, csv(['currency', 'rate_date', 'rate'], rateRows));
  await writeFile(
    creditApplicationsPath,
    csv(
      ['credit_memo', 'invoice_number', 'amount', 'currency', 'date', 'payment_id'],
      creditApplications.map((c) => [
        c.creditMemo,
        c.invoice,
        money(c.amountMinor),
        c.currency,
        c.date,
        c.payment,
      ]),
    ),
  );

  const foreignCustomers: Record<string, number> = {};
  for (const c of customers)
    if (c.currency !== BASE_CURRENCY) foreignCustomers[c.currency] = (foreignCustomers[c.currency] ?? 0) + 1;
  const identified = payments.filter((p) => !p.unapplied && !p.unidentified);
  const stats: DemoStats = {
    seed,
    asOf: options.asOf,
    firstDate: isoOf(firstDay),
    customers: customers.length,
    parents: customers.filter((c) => c.role === 'parent').length,
    subsidiaries: customers.filter((c) => c.role === 'child').length,
    keyAccounts: customers.filter((c) => c.segment === 'key').length,
    foreignCustomers,
    stoppedPaying: customers.filter((c) => c.behaviour === 'stopped').map((c) => c.number),
    invoices: docs.filter((d) => d.type === 'invoice').length,
    creditMemos: docs.filter((d) => d.type === 'credit_memo').length,
    debitMemos: docs.filter((d) => d.type === 'debit_memo').length,
    foreignDocuments: docs.filter((d) => d.fxRate !== null).length,
    disputedDocuments: docs.filter((d) => d.disputed).length,
    payments: payments.length,
    paymentRows: paymentRows.length,
    combinedPayments: identified.filter((p) => p.apps.length > 1).length,
    shortPays: identified.reduce((n, p) => n + p.apps.filter((a) => a.short).length, 0),
    discountsTaken: identified.reduce((n, p) => n + p.apps.filter((a) => a.discount).length, 0),
    creditDeductions: creditApplications.length,
    overpayments: identified.filter((p) => p.excessMinor > 0).length,
    unappliedPayments: payments.filter((p) => p.unapplied).length,
    unidentifiedPayments: payments.filter((p) => p.unidentified).length,
  };
  return {
    customersPath,
    invoicesPath,
    paymentsPath,
    ratesPath,
    creditApplicationsPath,
    creditApplications,
    rates: rateRows.map(([currency, date, rate]) => ({ currency: currency!, date: date!, rate: rate! })),
    stats,
  };
}
