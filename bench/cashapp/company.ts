/**
 * The benchmark company's receivables: customers (with parents and subsidiaries, known bank accounts,
 * payment habits) and the open items they owe on the first bench day (invoices and credit memos in
 * one document-number scheme, PO numbers, terms, early-payment discounts). Pure: the same seed and
 * sizes give the same company. Money is integer minor units (USD cents); floats only shape draws and
 * are rounded to whole cents where an amount is born.
 */

import {
  BRANDS,
  type Country,
  DIVISIONS,
  domesticAccountFor,
  emailFor,
  INDUSTRIES,
  ibanFor,
  legalForm,
  phoneFor,
  slug,
} from '../../src/demo/names.js';
import type { Rng } from '../../src/demo/prng.js';
import { allocateLargestRemainder, formatMinor } from '../../src/money/index.js';
import { dayOf, isBusinessDay, isoOf } from './dates.js';
import type { BankFormat } from './model.js';

export interface PayAccount {
  account: string;
  /** BIC for IBAN accounts, ABA routing number for US and Canadian ones. */
  bank: string;
}

export type Role = 'parent' | 'child' | 'standalone';

export interface BenchCustomer {
  index: number;
  number: string;
  name: string;
  brand: string;
  country: Country;
  role: Role;
  parent: number | null;
  children: number[];
  termsDays: number;
  discountPercent: number;
  discountDays: number;
  /** How the customer's money reaches us: camt.053 bank (wires, ACH), BAI2 bank (ACH), lockbox (checks). */
  bankFormat: BankFormat;
  /** Large EDI-capable customers send X12 820 advices; some others e-mail their remittances. */
  sends820: boolean;
  sendsEmail: boolean;
  /** Children whose bills the parent's shared-service centre pays. */
  paidByParent: boolean;
  /** The account the customer pays from; known (in the customer master) for most customers. */
  payAccount: PayAccount;
  accountKnown: boolean;
  email: string;
  phone: string;
  poStyle: number;
  weight: number;
  medianMinor: number;
  recurringMinor: number | null;
}

export type DocType = 'invoice' | 'credit_memo';

export interface BenchDocument {
  index: number;
  number: string;
  customer: number;
  type: DocType;
  date: number;
  dueDate: number;
  /** Last day the early-payment discount may be taken (null without discount terms). */
  discountDate: number | null;
  amountMinor: number;
  po: string | null;
  description: string;
}

export interface Company {
  customers: BenchCustomer[];
  documents: BenchDocument[];
  /** Document indices per customer, oldest first. */
  byCustomer: number[][];
}

const SURNAMES = [
  'Abernathy',
  'Baxter',
  'Calloway',
  'Donnelly',
  'Ellsworth',
  'Fairbanks',
  'Galloway',
  'Hartley',
  'Ingram',
  'Jennings',
  'Kowalski',
  'Langford',
  'Mercer',
  'Nakamura',
  'Oyelaran',
  'Pemberton',
  'Quintero',
  'Rasmussen',
  'Sandoval',
  'Thornton',
  'Underwood',
  'Vasquez',
  'Whitaker',
  'Yamamoto',
  'Zielinski',
  'Delgado',
  'Okafor',
  'Lindqvist',
  'Brennan',
  'Castellano',
  'Moreau',
  'Ashworth',
  'Blackwood',
  'Carrington',
  'Dempsey',
  'Everett',
  'Fitzgerald',
  'Goodwin',
  'Holloway',
  'Iverson',
  'Kensington',
  'Lockhart',
  'McAllister',
  'Northcott',
  "O'Brien",
  'Prescott',
  'Radcliffe',
  'Sterling',
  'Townsend',
  'Van der Berg',
  'Wexford',
  'Ainsley',
  'Brockman',
  'Crane',
  'Dalton',
  'Eastman',
  'Forsythe',
  'Gallagher',
  'Hendricks',
  'Jaworski',
] as const;

const TRADES = [
  'Partners',
  'Group',
  'Enterprises',
  'Trading',
  'International',
  'Brothers',
  'Works',
  'Company',
];

const REGIONS = [
  'Atlantic',
  'Pacific',
  'Midwest',
  'Southern',
  'Northern',
  'Great Lakes',
  'Mountain',
  'Coastal',
];

const FOREIGN: readonly (readonly [Country, number])[] = [
  ['CA', 5],
  ['GB', 4],
  ['DE', 4],
  ['FR', 2],
  ['NL', 2],
  ['IT', 1],
  ['ES', 1],
];

const BICS: Partial<Record<Country, readonly string[]>> = {
  GB: ['NWBKGB2L', 'BARCGB22', 'LOYDGB2L', 'HBUKGB4B'],
  DE: ['DEUTDEFF', 'COBADEFF', 'HYVEDEMM', 'DRESDEFF'],
  FR: ['BNPAFRPP', 'SOGEFRPP', 'CRLYFRPP', 'AGRIFRPP'],
  NL: ['ABNANL2A', 'INGBNL2A', 'RABONL2U', 'TRIONL2U'],
  IT: ['UNCRITMM', 'BCITITMM', 'BPMOIT22'],
  ES: ['BSCHESMM', 'BBVAESMM', 'CAIXESBB'],
};

const ROUTING = ['021000021', '026009593', '121000248', '111000025', '071000013', '011000138', '061000104'];
const CA_ROUTING = ['000300002', '000100002', '000400002'];

/** A US checking account number of 8–10 digits: it must fit the 10-character MICR field of a lockbox check record. */
function usAccount(rng: Rng): string {
  return domesticAccountFor(rng, 'US').slice(0, rng.int(8, 10));
}

function payAccountFor(rng: Rng, country: Country): PayAccount {
  if (country === 'US') return { account: usAccount(rng), bank: rng.pick(ROUTING) };
  if (country === 'CA')
    return { account: domesticAccountFor(rng, 'CA').replaceAll('-', ''), bank: rng.pick(CA_ROUTING) };
  return { account: ibanFor(rng, country).replaceAll(' ', ''), bank: rng.pick(BICS[country]!) };
}

/** Name without its legal form, lower case: two customers never share it (real ledgers rarely do). */
function nameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/\b(inc|llc|corp|co|gmbh|ag|sas|s\.a|b\.v|s\.r\.l|s\.p\.a|s\.l|ltd|plc)\.?$/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function uniqueName(used: Set<string>, make: () => string): string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const name = make();
    if (!used.has(nameKey(name))) {
      used.add(nameKey(name));
      return name;
    }
  }
  throw new Error('could not find a unique customer name; too many customers for the name material');
}

function pickTerms(rng: Rng, country: Country): { days: number; discount: number; discountDays: number } {
  const choice = rng.weighted<string>(
    country === 'US'
      ? [
          ['n30', 56],
          ['n45', 14],
          ['n60', 10],
          ['2/10n30', 14],
          ['1/10n45', 6],
        ]
      : [
          ['n30', 50],
          ['n45', 20],
          ['n60', 30],
        ],
  );
  switch (choice) {
    case '2/10n30':
      return { days: 30, discount: 2, discountDays: 10 };
    case '1/10n45':
      return { days: 45, discount: 1, discountDays: 10 };
    case 'n45':
      return { days: 45, discount: 0, discountDays: 0 };
    case 'n60':
      return { days: 60, discount: 0, discountDays: 0 };
    default:
      return { days: 30, discount: 0, discountDays: 0 };
  }
}

export function buildCustomers(root: Rng, count: number): BenchCustomer[] {
  const rng = root.fork('customers');
  const parents = Math.max(1, Math.round(count * 0.04));
  const brands = rng.shuffle(BRANDS);
  const groupBrands = brands.slice(0, parents);
  const freeBrands = brands.slice(parents);
  const used = new Set<string>();
  const customers: BenchCustomer[] = [];
  const roles: Role[] = [];
  for (let i = 0; i < count; i++)
    roles.push(i < parents ? 'parent' : rng.chance(0.13) ? 'child' : 'standalone');

  for (let i = 0; i < count; i++) {
    const c = rng.fork(`customer:${i}`);
    let role = roles[i]!;
    let parent: number | null = null;
    if (role === 'child') {
      parent = c.int(0, parents - 1);
      if (parents === 0) role = 'standalone';
    }
    const country: Country = role === 'standalone' && c.chance(0.15) ? c.weighted(FOREIGN) : 'US';
    let brand: string;
    let name: string;
    if (role === 'parent') {
      brand = groupBrands[i]!;
      name = uniqueName(
        used,
        () => `${brand} ${c.pick(['Holdings', 'Group', 'Industries'])} ${legalForm(c, 'US')}`,
      );
    } else if (role === 'child') {
      brand = customers[parent!]!.brand;
      name = uniqueName(used, () =>
        c.chance(0.35)
          ? `${brand} ${c.pick(INDUSTRIES)} - ${c.pick(DIVISIONS)} Division`
          : `${brand} ${c.pick(INDUSTRIES)} ${legalForm(c, country)}`,
      );
    } else {
      brand = c.pick(freeBrands);
      name = uniqueName(used, () => {
        const pattern = c.weighted<number>([
          [0, 45],
          [1, 20],
          [2, 10],
          [3, 10],
          [4, 15],
        ]);
        const form = legalForm(c, country);
        if (pattern === 1) return `${c.pick(SURNAMES)} ${c.pick(INDUSTRIES)} ${form}`;
        if (pattern === 2) return `${c.pick(SURNAMES)} & ${c.pick(SURNAMES)} ${form}`;
        if (pattern === 3) return `${brand} ${c.pick(REGIONS)} ${c.pick(INDUSTRIES)} ${form}`;
        if (pattern === 4) return `${brand} ${c.pick(TRADES)} ${form}`;
        return `${brand} ${c.pick(INDUSTRIES)} ${form}`;
      });
      brand = name.split(' ')[0]!;
    }
    const terms = pickTerms(c, country);
    const weight = role === 'parent' ? 0.15 * c.logNormal(1, 1) : c.logNormal(1, 1.1);
    const bankFormat: BankFormat =
      country !== 'US'
        ? 'camt'
        : c.weighted<BankFormat>([
            ['camt', 33],
            ['bai2', 35],
            ['lockbox', 32],
          ]);
    const customer: BenchCustomer = {
      index: i,
      number: `C${100001 + i}`,
      name,
      brand,
      country,
      role,
      parent,
      children: [],
      termsDays: terms.days,
      discountPercent: terms.discount,
      discountDays: terms.discountDays,
      bankFormat,
      sends820: false,
      sendsEmail: bankFormat !== 'lockbox' && c.chance(0.14),
      paidByParent: role === 'child' && c.chance(0.5),
      payAccount: payAccountFor(c, country),
      accountKnown: c.chance(0.9),
      email: emailFor(c, brand, country),
      phone: phoneFor(c, country),
      poStyle: c.weighted<number>([
        [0, 25],
        [1, 30],
        [2, 25],
        [3, 20],
      ]),
      weight,
      medianMinor: Math.round(c.logUniform(15_000, 2_500_000)),
      recurringMinor: null,
    };
    if (c.chance(0.12)) customer.recurringMinor = Math.round(customer.medianMinor / 100) * 100;
    customers.push(customer);
  }
  for (const c of customers) if (c.parent !== null) customers[c.parent]!.children.push(c.index);
  // The largest US payers paying by ACH are the ones with EDI: they send 820 remittance advices.
  const edi = customers
    .filter((c) => c.country === 'US' && c.bankFormat !== 'lockbox' && c.role !== 'parent')
    .sort((a, b) => b.weight - a.weight)
    .slice(0, Math.max(1, Math.round(count * 0.03)));
  for (const c of edi) {
    c.sends820 = true;
    c.sendsEmail = false;
  }
  return customers;
}

function poNumber(rng: Rng, c: BenchCustomer): string {
  switch (c.poStyle) {
    case 1:
      return `PO-${rng.int(100000, 999999)}`;
    case 2:
      return `4500${String(rng.int(0, 999999)).padStart(6, '0')}`;
    default:
      return `${slug(c.brand).slice(0, 3).toUpperCase()}-${String(rng.int(0, 99999)).padStart(5, '0')}`;
  }
}

const PRODUCTS = [
  'Hydraulic fittings',
  'Steel brackets',
  'Stainless fasteners',
  'Bearing assemblies',
  'Gear reducers',
  'Conveyor belts',
  'Control valves',
  'Pressure sensors',
  'Cable harnesses',
  'Machined shafts',
  'Pump seals',
  'Filter cartridges',
  'Field service',
  'Calibration service',
  'Freight and handling',
  'Spare parts',
];

/** How likely an invoice of this age (days) is still open: recent ones nearly all, old ones rarely. */
function openProbability(age: number): number {
  if (age <= 30) return 0.92;
  if (age <= 60) return 0.55;
  return 0.18;
}

/** How many of the open items date from a given age: flat over the terms, then a long tail. */
function openWeight(age: number): number {
  return age <= 45 ? 1000 : Math.max(1, Math.round(1000 * Math.exp(-(age - 45) / 30)));
}

const WINDOW_DAYS = 180;
const ISSUED_2025_BEFORE_WINDOW = 0.72; // share of 2025's numbers used before the window opens

/**
 * Open documents on `start`: invoices numbered INV-YYYY-NNNNNN in the order they were issued (most
 * of the numbers in between were paid long ago, so typos often land on a number that no longer
 * exists), credit memos CM-YYYY-NNNNNN, each assigned to a customer by its share of the business.
 */
export function buildDocuments(root: Rng, customers: BenchCustomer[], total: number, start: string): Company {
  const rng = root.fork('documents');
  const startDay = dayOf(start);
  const creditMemos = Math.round(total * 0.03);
  const invoices = total - creditMemos;
  const days: number[] = [];
  for (let d = startDay - WINDOW_DAYS; d < startDay; d++) if (isBusinessDay(d)) days.push(d);
  const ages = days.map((d) => startDay - d);
  // Counts, not money, but the same exact split: the per-day counts add up to the totals.
  const openPerDay = allocateLargestRemainder(invoices, ages.map(openWeight));
  const memoPerDay = allocateLargestRemainder(creditMemos, ages.map(openWeight));

  // Issued numbers per year: what was issued on each day, of which some are still open.
  const issuedPerDay = openPerDay.map((k, i) => Math.max(k, Math.round(k / openProbability(ages[i]!))));
  const totalIssued = issuedPerDay.reduce((a, b) => a + b, 0);
  const sequence = new Map<number, number>();
  const firstYear = new Date(days[0]! * 86_400_000).getUTCFullYear();
  sequence.set(firstYear, Math.round((totalIssued / (WINDOW_DAYS / 365)) * ISSUED_2025_BEFORE_WINDOW));
  const memoSequence = new Map<number, number>([[firstYear, Math.round(creditMemos * 4)]]);

  const cumulative: number[] = [];
  let sum = 0;
  for (const c of customers) {
    sum += c.weight;
    cumulative.push(sum);
  }
  const pickCustomer = (): BenchCustomer => {
    const r = rng.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return customers[lo]!;
  };

  const documents: BenchDocument[] = [];
  const lastPo = new Map<number, string>();
  days.forEach((day, i) => {
    const year = new Date(day * 86_400_000).getUTCFullYear();
    const first = (sequence.get(year) ?? 0) + 1;
    const issued = issuedPerDay[i]!;
    sequence.set(year, first + issued - 1);
    const open = rng.sample(
      Array.from({ length: issued }, (_, k) => first + k),
      openPerDay[i]!,
    );
    for (const seq of open) {
      const c = pickCustomer();
      const amountMinor =
        c.recurringMinor !== null && rng.chance(0.5)
          ? c.recurringMinor
          : Math.max(500, Math.round(c.medianMinor * rng.logNormal(1, 0.7)));
      let po: string | null = null;
      if (c.poStyle !== 0 && rng.chance(0.85)) {
        const previous = lastPo.get(c.index);
        po = previous !== undefined && rng.chance(0.15) ? previous : poNumber(rng, c);
        lastPo.set(c.index, po);
      }
      documents.push({
        index: documents.length,
        number: `INV-${year}-${String(seq).padStart(6, '0')}`,
        customer: c.index,
        type: 'invoice',
        date: day,
        dueDate: day + c.termsDays,
        discountDate: c.discountPercent > 0 ? day + c.discountDays : null,
        amountMinor,
        po,
        description: rng.pick(PRODUCTS),
      });
    }
    for (let k = 0; k < memoPerDay[i]!; k++) {
      const c = pickCustomer();
      const seq = (memoSequence.get(year) ?? 0) + 1 + rng.int(0, 2);
      memoSequence.set(year, seq);
      documents.push({
        index: documents.length,
        number: `CM-${year}-${String(seq).padStart(6, '0')}`,
        customer: c.index,
        type: 'credit_memo',
        date: day,
        dueDate: day,
        discountDate: null,
        amountMinor: Math.max(500, Math.round(c.medianMinor * (0.03 + rng.next() * 0.35))),
        po: null,
        description: rng.pick([
          'Returned goods',
          'Pricing adjustment',
          'Damaged in transit',
          'Volume rebate',
        ]),
      });
    }
  });
  const byCustomer: number[][] = customers.map(() => []);
  for (const d of documents) byCustomer[d.customer]!.push(d.index);
  for (const list of byCustomer) list.sort((a, b) => documents[a]!.date - documents[b]!.date || a - b);
  return { customers, documents, byCustomer };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

export function customersCsv(customers: readonly BenchCustomer[]): string {
  return csv(
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
      c.parent === null ? '' : customers[c.parent]!.number,
      'USD',
      String(c.termsDays),
      c.discountPercent > 0 ? String(c.discountPercent) : '',
      c.discountPercent > 0 ? String(c.discountDays) : '',
      '',
      c.email,
      c.phone,
      '',
      c.accountKnown && !c.paidByParent ? c.payAccount.account : '',
    ]),
  );
}

export function invoicesCsv(company: Company): string {
  const { customers, documents } = company;
  return csv(
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
    ],
    documents.map((d) => [
      d.number,
      customers[d.customer]!.number,
      d.type,
      isoOf(d.date),
      isoOf(d.dueDate),
      formatMinor(d.amountMinor, 2),
      'USD',
      d.po ?? '',
      d.description,
    ]),
  );
}
