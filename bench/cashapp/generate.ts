/**
 * The cash-application benchmark's data set:
 *
 *   node --import tsx bench/cashapp/generate.ts [--customers 2000] [--open-invoices 100000]
 *     [--payments 10000] [--days 5] [--start 2026-03-02] [--seed 42] [--out bench/out/cashapp]
 *
 * Writes, into OUT: customers.csv and invoices.csv (canonical import columns), one folder per bench
 * day with that day's bank files (camt.053, BAI2, lockbox), X12 820 advices and remittance e-mails
 * (.eml: text, HTML, PDF attachment), manifest.json (what to import, day by day, in order) and
 * truth.json (per payment: how to find it in the export, the true customer and applications, the
 * scenario). Before it returns, every bank file is read back with our own readers and each payment is
 * found with the reference, amount and payer the truth records — a mismatch is an error.
 * Deterministic: the same arguments give the same bytes.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Country } from '../../src/demo/names.js';
import { Rng } from '../../src/demo/prng.js';
import { parseFile } from '../../src/formats/index.js';
import type { BankEntry, ParseResult } from '../../src/formats/model.js';
import { formatMinor } from '../../src/money/index.js';
import { parseFlags, positive } from '../lib/args.js';
import { buildCustomers, buildDocuments, type Company, customersCsv, invoicesCsv } from './company.js';
import { isoOf } from './dates.js';
import { type Locale, writeEmail } from './email.js';
import type { BankFormat, Manifest, ManifestDay, Truth, TruthPayment } from './model.js';
import {
  DEDUCTION_MIN_MINOR,
  DEDUCTION_MIN_PERCENT,
  type PlannedPayment,
  planPayments,
  SCENARIO_WEIGHTS,
  WRITE_OFF_MAX_MINOR,
  WRITE_OFF_MAX_PER_10K,
} from './plan.js';
import {
  COMPANY_NAME,
  type LockboxState,
  writeBai2,
  writeCamt,
  writeLockbox,
  writeX12,
  type X12Advice,
} from './writers.js';

export interface GenerateOptions {
  customers: number;
  openInvoices: number;
  payments: number;
  days: number;
  start: string;
  seed: number;
  out: string;
}

export const DEFAULTS: Omit<GenerateOptions, 'out'> = {
  customers: 2000,
  openInvoices: 100_000,
  payments: 10_000,
  days: 5,
  start: '2026-03-02',
  seed: 42,
};

const LOCALE_OF: Record<Country, Locale> = {
  US: 'us',
  GB: 'gb',
  DE: 'de',
  FR: 'fr',
  IT: 'fr',
  ES: 'fr',
  NL: 'nl',
  CA: 'ca',
};

export const COMPANY = { code: 'bench', name: COMPANY_NAME, currency: 'USD' };

export interface GenerateResult {
  truth: Truth;
  manifest: Manifest;
  files: number;
}

export async function generateBench(options: GenerateOptions): Promise<GenerateResult> {
  const out = resolve(options.out);
  const root = new Rng(options.seed);
  const customers = buildCustomers(root, options.customers);
  const company = buildDocuments(root, customers, options.openInvoices, options.start);
  const plan = planPayments(root, company, {
    payments: options.payments,
    days: options.days,
    start: options.start,
  });
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'customers.csv'), customersCsv(customers));
  await writeFile(join(out, 'invoices.csv'), invoicesCsv(company));

  const fileOf = new Map<string, string>();
  const adviceFileOf = new Map<string, string>();
  const days: ManifestDay[] = [];
  const lockbox: LockboxState = { nextBatch: 1, nextCheck: new Map() };
  const emailRng = root.fork('emails');
  let x12Control = 1;
  let files = 0;
  const poOf = new Map(company.documents.map((d) => [d.number, d.po]));

  for (let dayIndex = 0; dayIndex < plan.days.length; dayIndex++) {
    const date = isoOf(plan.days[dayIndex]!);
    const dir = `day-${dayIndex + 1}-${date}`;
    await mkdir(join(out, dir, 'remittance'), { recursive: true });
    const manifestDay: ManifestDay = { day: dayIndex, date, bank: [], remittance: [] };
    const today = plan.payments.filter((p) => p.day === dayIndex);
    const by = (format: BankFormat) => today.filter((p) => p.format === format);
    const write = async (name: string, text: string, payments: PlannedPayment[]) => {
      const path = `${dir}/${name}`;
      await writeFile(join(out, path), text);
      for (const p of payments) fileOf.set(p.id, path);
      manifestDay.bank.push(path);
      files++;
    };
    if (by('camt').length > 0)
      await write(`camt053-${date}.xml`, writeCamt(by('camt'), date, dayIndex, isoOf), by('camt'));
    if (by('bai2').length > 0)
      await write(`bai2-${date}.bai`, writeBai2(by('bai2'), date, dayIndex), by('bai2'));
    if (by('lockbox').length > 0)
      await write(`lockbox-${date}.txt`, writeLockbox(by('lockbox'), date, lockbox), by('lockbox'));

    // Separate advices arriving today (their payments may come today, earlier or later).
    const arriving = plan.payments.filter((p) => p.advice !== null && p.advice.day === dayIndex);
    const edi: X12Advice[] = arriving
      .filter((p) => p.advice!.kind === 'x12-820')
      .map((p) => ({
        advice: p.advice!,
        payment: p,
        payerName: customers[p.customer!]!.name,
        payerId: String(100_000_000 + p.customer! * 7919).slice(0, 9),
        po: (number: string) => poOf.get(number) ?? null,
        isoDate: isoOf,
      }));
    if (edi.length > 0) {
      const path = `${dir}/x12-820-${date}.edi`;
      await writeFile(join(out, path), writeX12(edi, date, x12Control));
      x12Control += edi.length;
      for (const a of edi) adviceFileOf.set(a.payment.id, path);
      manifestDay.bank.push(path);
      files++;
    }
    for (const p of arriving.filter((x) => x.advice!.kind !== 'x12-820')) {
      const c = customers[p.customer!]!;
      const advice = p.advice!;
      const text = await writeEmail(
        {
          kind: advice.kind as 'eml-text' | 'eml-html' | 'eml-pdf',
          locale: LOCALE_OF[c.country],
          payerName: c.name,
          payerEmail: c.email,
          paymentReference: advice.paymentReference,
          paymentDate: p.date,
          sentDate: date,
          amountMinor: p.amountMinor,
          docs: advice.docs,
          isoDate: isoOf,
          messageId: `${advice.paymentReference}.${p.id}`,
        },
        emailRng.fork(p.id),
      );
      const path = `${dir}/remittance/${p.id}-${advice.paymentReference}.eml`;
      await writeFile(join(out, path), text);
      adviceFileOf.set(p.id, path);
      manifestDay.remittance.push(path);
      files++;
    }
    days.push(manifestDay);
  }

  const reported = await readBack(out, days, plan.payments, fileOf);
  const truth: Truth = {
    version: 1,
    seed: options.seed,
    params: {
      customers: options.customers,
      open_invoices: options.openInvoices,
      payments: options.payments,
      days: options.days,
      start: options.start,
    },
    company: COMPANY,
    assumptions: {
      write_off: `short pays written off are at most ${formatMinor(WRITE_OFF_MAX_MINOR, 2)} USD and ${WRITE_OFF_MAX_PER_10K / 100}% of the invoice`,
      deduction: `deductions are at least ${formatMinor(DEDUCTION_MIN_MINOR, 2)} USD and ${DEDUCTION_MIN_PERCENT}% of the invoice, always with a reason`,
      discount: 'discounts are taken on or before the discount date, computed half up to the cent',
      credit_memo:
        'a credit memo the customer netted is a line of kind payment with a negative amount on the memo',
      deduction_line: 'a deduction line names the invoice it was taken on',
      ambiguous_amount: 'the customer meant the older of two equal open invoices',
    },
    scenario_weights: SCENARIO_WEIGHTS,
    payments: plan.payments.map((p) => toTruth(p, company, fileOf, adviceFileOf, reported)),
  };
  const manifest: Manifest = {
    version: 1,
    company: COMPANY,
    customers: 'customers.csv',
    invoices: 'invoices.csv',
    truth: 'truth.json',
    days,
  };
  await writeFile(join(out, 'truth.json'), `${JSON.stringify(truth, null, 1)}\n`);
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { truth, manifest, files };
}

function toTruth(
  p: PlannedPayment,
  company: Company,
  fileOf: Map<string, string>,
  adviceFileOf: Map<string, string>,
  reported: Map<string, BankEntry>,
): TruthPayment {
  const entry = reported.get(p.id)!;
  const number = (i: number) => company.customers[i]!.number;
  return {
    payment_id: p.id,
    scenario: p.scenario,
    variant: p.variant,
    day: p.day,
    date: p.date,
    format: p.format,
    source: p.source,
    file: fileOf.get(p.id)!,
    remittance_file: adviceFileOf.get(p.id) ?? null,
    bank_reference: entry.bank_reference!,
    end_to_end_id: entry.end_to_end_id,
    amount: formatMinor(p.amountMinor, 2),
    currency: 'USD',
    payer_name: entry.counterparty.name,
    customer_number: p.customer === null ? null : number(p.customer),
    customer_group: [...new Set(p.group.map(number))],
    lines: p.lines.map((l) => ({
      invoice_number: l.invoiceNumber,
      amount: formatMinor(l.amountMinor, 2),
      kind: l.kind,
    })),
  };
}

export class BenchDataError extends Error {
  override name = 'BenchDataError';
}

/**
 * Reads every bank file back with our readers: each planned payment must be one credit entry with the
 * bank reference, amount, end-to-end id and payer account the plan says, each 820 advice must be there
 * with its amount, and no reader may warn. Returns the entry each payment became.
 */
async function readBack(
  out: string,
  days: ManifestDay[],
  payments: PlannedPayment[],
  fileOf: Map<string, string>,
): Promise<Map<string, BankEntry>> {
  const byRef = new Map<string, BankEntry>();
  const advices = new Map<string, string | null>();
  for (const day of days) {
    for (const file of day.bank) {
      const result: ParseResult = await parseFile(join(out, file));
      if (result.warnings.length > 0)
        throw new BenchDataError(
          `${file}: the reader warned: ${result.warnings.map((w) => w.message).join('; ')}`,
        );
      for (const s of result.statements) {
        for (const e of s.entries) {
          if (e.amount.startsWith('-')) continue;
          const key = `${file}|${e.bank_reference}`;
          if (byRef.has(key))
            throw new BenchDataError(`${file}: bank reference ${e.bank_reference} appears twice`);
          byRef.set(key, e);
        }
      }
      for (const a of result.remittances) {
        if (result.format === 'x12-820') advices.set(a.payment_reference ?? '', a.amount);
      }
    }
  }
  const found = new Map<string, BankEntry>();
  const references = new Set<string>();
  for (const p of payments) {
    const file = fileOf.get(p.id)!;
    const e = byRef.get(`${file}|${p.bankReference}`);
    const where = `${p.id} (${p.scenario}) in ${file}`;
    if (e === undefined)
      throw new BenchDataError(`${where}: no entry with bank reference ${p.bankReference}`);
    if (e.amount !== formatMinor(p.amountMinor, 2))
      throw new BenchDataError(`${where}: amount ${e.amount}, planned ${formatMinor(p.amountMinor, 2)}`);
    if (e.end_to_end_id !== p.endToEndId)
      throw new BenchDataError(`${where}: end-to-end id ${e.end_to_end_id}, planned ${p.endToEndId}`);
    if ((e.counterparty.account ?? null) !== p.payer.account)
      throw new BenchDataError(
        `${where}: payer account ${e.counterparty.account}, planned ${p.payer.account}`,
      );
    if (references.has(p.bankReference))
      throw new BenchDataError(`${where}: bank reference ${p.bankReference} reused`);
    references.add(p.bankReference);
    if (
      p.advice?.kind === 'x12-820' &&
      advices.get(p.advice.paymentReference) !== formatMinor(p.amountMinor, 2)
    )
      throw new BenchDataError(`${where}: no 820 advice ${p.advice.paymentReference} for its amount`);
    found.set(p.id, e);
  }
  return found;
}

// ------------------------------------------------------------------------------------------------
// Command line

/** The generator's flags, also taken by run.ts (which generates the data when it has to). */
export const GENERATE_FLAGS = {
  customers: { type: 'string', default: String(DEFAULTS.customers) },
  'open-invoices': { type: 'string', default: String(DEFAULTS.openInvoices) },
  payments: { type: 'string', default: String(DEFAULTS.payments) },
  days: { type: 'string', default: String(DEFAULTS.days) },
  start: { type: 'string', default: DEFAULTS.start },
  seed: { type: 'string', default: String(DEFAULTS.seed) },
} as const;

type GenerateFlagValues = Record<keyof typeof GENERATE_FLAGS, string>;

/** GenerateOptions from GENERATE_FLAGS' values, writing to `out`. */
export function generateOptionsOf(v: GenerateFlagValues, out: string): GenerateOptions {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v.start)) throw new Error('--start takes a date YYYY-MM-DD');
  return {
    customers: positive('--customers', v.customers),
    openInvoices: positive('--open-invoices', v['open-invoices']),
    payments: positive('--payments', v.payments),
    days: positive('--days', v.days),
    start: v.start,
    seed: positive('--seed', v.seed),
    out,
  };
}

function parseArgs(argv: readonly string[]): GenerateOptions {
  const v = parseFlags(
    argv,
    { ...GENERATE_FLAGS, out: { type: 'string', default: 'bench/out/cashapp' } },
    'usage: generate.ts [--customers N] [--open-invoices N] [--payments N] [--days N] [--start YYYY-MM-DD] [--seed N] [--out DIR]',
  );
  return generateOptionsOf(v, v.out);
}

/** Shares of scenarios, sources and formats in a truth file, for the report. */
export function describe(truth: Truth): string {
  const count = (key: (p: TruthPayment) => string) => {
    const m = new Map<string, number>();
    for (const p of truth.payments) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  };
  const pct = (n: number) => `${((100 * n) / truth.payments.length).toFixed(1)}%`;
  const lines = [`${truth.payments.length} payments`];
  for (const [title, key] of [
    ['scenario', (p: TruthPayment) => p.scenario],
    ['bank format', (p: TruthPayment) => p.format],
    ['remittance source', (p: TruthPayment) => p.source],
  ] as const) {
    lines.push(
      `${title}: ${count(key)
        .map(([k, n]) => `${k} ${n} (${pct(n)})`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const result = await generateBench(options);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `wrote ${result.files} bank and remittance files, customers.csv, invoices.csv, truth.json and manifest.json to ${relative(process.cwd(), resolve(options.out)) || '.'} in ${seconds} s`,
  );
  console.log(describe(result.truth));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
