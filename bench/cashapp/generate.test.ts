import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBankFile } from '../../src/banking/index.js';
import { Rng } from '../../src/demo/prng.js';
import { importFile } from '../../src/imports/index.js';
import { type CompanyContext, createCompany } from '../../src/ledger/index.js';
import { parseDecimalToMinor } from '../../src/money/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { dayOf, isoOf } from './dates.js';
import { amountText, dateText, writeEmail } from './email.js';
import { type GenerateResult, generateBench } from './generate.js';
import { changeSeparators, dropLeadingZeros, dropPrefix, ocrSwap, truncate, typo } from './noise.js';
import { type RemitDoc, subsetCount } from './plan.js';

const SIZE = { customers: 80, openInvoices: 2500, payments: 240, days: 3, start: '2026-03-02', seed: 7 };
const minor = (text: string) => parseDecimalToMinor(text, 2);

let dir: string;
let result: GenerateResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cashapp-gen-'));
  result = await generateBench({ ...SIZE, out: dir });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function invoices(): Promise<Map<string, { customer: string; amountMinor: number; type: string }>> {
  const text = await readFile(join(dir, 'invoices.csv'), 'utf8');
  const out = new Map<string, { customer: string; amountMinor: number; type: string }>();
  for (const line of text.trim().split('\n').slice(1)) {
    const [number, customer, type, , , amount] = line.split(',');
    out.set(number!, { customer: customer!, amountMinor: minor(amount!), type: type! });
  }
  return out;
}

async function hashes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(
      path.slice(root.length),
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
  }
  return out;
}

describe('generateBench', () => {
  it('writes one truth entry per payment, each cash line adding up to the payment', () => {
    const { truth } = result;
    expect(truth.payments).toHaveLength(SIZE.payments);
    for (const p of truth.payments) {
      const cash = p.lines
        .filter((l) => l.kind === 'payment' || l.kind === 'on_account' || l.kind === 'unapplied')
        .reduce((s, l) => s + minor(l.amount), 0);
      expect(cash, p.payment_id).toBe(minor(p.amount));
      expect(minor(p.amount), p.payment_id).toBeGreaterThan(0);
    }
    expect(new Set(truth.payments.map((p) => p.bank_reference)).size).toBe(SIZE.payments);
  });

  it('pays only open items of the payer or its group, never one item from two payments, never more than it holds', async () => {
    const docs = await invoices();
    const settledBy = new Map<string, string>();
    for (const p of result.truth.payments) {
      const perInvoice = new Map<string, number>();
      for (const l of p.lines) {
        if (l.invoice_number === null) {
          expect(['on_account', 'unapplied']).toContain(l.kind);
          continue;
        }
        const doc = docs.get(l.invoice_number);
        expect(doc, `${p.payment_id} ${l.invoice_number}`).toBeDefined();
        expect(p.customer_group).toContain(doc!.customer);
        perInvoice.set(l.invoice_number, (perInvoice.get(l.invoice_number) ?? 0) + minor(l.amount));
      }
      for (const [number, settled] of perInvoice) {
        const doc = docs.get(number)!;
        const signed = doc.type === 'credit_memo' ? -doc.amountMinor : doc.amountMinor;
        expect(Math.abs(settled), `${p.payment_id} ${number}`).toBeLessThanOrEqual(Math.abs(signed));
        if (p.scenario !== 'partial_payment') expect(settled, `${p.payment_id} ${number}`).toBe(signed);
        expect(settledBy.get(number), `${number} paid twice`).toBeUndefined();
        settledBy.set(number, p.payment_id);
      }
    }
  });

  it('covers every scenario and every source at this size', () => {
    const scenarios = new Set(result.truth.payments.map((p) => p.scenario));
    for (const s of [
      'exact_single',
      'exact_multi',
      'discount',
      'short_pay_deduction',
      'x12_820',
      'remittance_email',
    ]) {
      expect(scenarios).toContain(s);
    }
    expect(new Set(result.truth.payments.map((p) => p.format))).toEqual(new Set(['camt', 'bai2', 'lockbox']));
    const sources = new Set(result.truth.payments.map((p) => p.source));
    expect(sources).toContain('x12-820');
    expect([...sources].some((s) => s.startsWith('eml-'))).toBe(true);
  });

  it('keeps unidentifiable cash apart from every customer and every open amount', async () => {
    const docs = await invoices();
    const amounts = new Set([...docs.values()].map((d) => d.amountMinor));
    for (const p of result.truth.payments.filter((x) => x.scenario === 'unidentifiable')) {
      expect(p.customer_number).toBeNull();
      expect(p.lines).toEqual([{ invoice_number: null, amount: p.amount, kind: 'unapplied' }]);
      expect(amounts.has(minor(p.amount))).toBe(false);
    }
  });

  it('lists every file it wrote in the manifest', () => {
    const listed = result.manifest.days.flatMap((d) => [...d.bank, ...d.remittance]);
    expect(listed.length).toBe(result.files);
    const emails = result.truth.payments.filter((p) => p.source.startsWith('eml-'));
    expect(result.manifest.days.flatMap((d) => d.remittance).sort()).toEqual(
      emails.map((p) => p.remittance_file).sort(),
    );
  });

  it('writes the same bytes for the same seed', async () => {
    const again = await mkdtemp(join(tmpdir(), 'cashapp-gen-'));
    try {
      await generateBench({ ...SIZE, out: again });
      expect(await hashes(again)).toEqual(await hashes(dir));
    } finally {
      await rm(again, { recursive: true, force: true });
    }
  });
});

describe.each(ENGINES)('the generated files import on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  const actor = 'bench-test';

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ctx = await t.database.transaction(({ client }) =>
      createCompany(client, { code: 'bench', name: 'Bench', baseCurrency: 'USD', actor }),
    );
    await importFile(t.database, ctx, 'customers', { path: join(dir, 'customers.csv'), actor });
    await importFile(t.database, ctx, 'invoices', { path: join(dir, 'invoices.csv'), actor });
  });
  afterAll(async () => t?.dispose());

  it('turns every payment into one receipt, identified where the payer account is known', async () => {
    let receipts = 0;
    let remittances = 0;
    for (const day of result.manifest.days) {
      for (const file of day.bank) {
        const s = await importBankFile(t.database, ctx, { path: join(dir, file), actor });
        expect(s.warnings, file).toEqual([]);
        receipts += s.receiptsCreated;
        remittances += s.remittancesNew;
      }
    }
    expect(receipts).toBe(SIZE.payments);
    const x12 = result.truth.payments.filter((p) => p.source === 'x12-820').length;
    expect(remittances).toBeGreaterThanOrEqual(x12);
    const rows = await t.database.query<{
      amount_minor: number;
      customer_number: string | null;
      reference: string | null;
    }>(
      `SELECT r.amount_minor, c.customer_number, r.reference FROM receipt r LEFT JOIN customer c ON c.customer_id = r.customer_id`,
    );
    const total = rows.reduce((s, r) => s + r.amount_minor, 0);
    expect(total).toBe(result.truth.payments.reduce((s, p) => s + minor(p.amount), 0));
    // A receipt the import already attributes to a customer names the true payer.
    const byAmountAndCustomer = new Set(
      result.truth.payments.map((p) => `${minor(p.amount)}|${p.customer_number}`),
    );
    for (const r of rows.filter((x) => x.customer_number !== null)) {
      expect(byAmountAndCustomer.has(`${r.amount_minor}|${r.customer_number}`)).toBe(true);
    }
  });
});

describe('writeEmail', () => {
  const docs: RemitDoc[] = [
    {
      ref: 'INV-2026-001043',
      number: 'INV-2026-001043',
      type: 'invoice',
      date: dayOf('2026-01-15'),
      invoicedMinor: 500_000,
      paidMinor: 487_500,
      discountMinor: 0,
      deduction: { amountMinor: 12_500, code: '04', reason: 'DAMAGED GOODS' },
    },
    {
      ref: 'INV-2026-001077',
      number: 'INV-2026-001077',
      type: 'invoice',
      date: dayOf('2026-01-20'),
      invoicedMinor: 120_000,
      paidMinor: 120_000,
      discountMinor: 0,
      deduction: null,
    },
  ];
  const input = (kind: 'eml-text' | 'eml-html' | 'eml-pdf') => ({
    kind,
    locale: 'us' as const,
    payerName: 'Northwind Logistics Inc.',
    payerEmail: 'ap@northwind.example',
    paymentReference: 'RA0000042',
    paymentDate: '2026-03-03',
    sentDate: '2026-03-02',
    amountMinor: 607_500,
    docs,
    isoDate: isoOf,
    messageId: 'RA0000042.P000001',
  });

  it('writes a MIME message whose PDF attachment has a text layer with every invoice and amount', async () => {
    const email = await PostalMime.parse(await writeEmail(input('eml-pdf'), new Rng(1)));
    expect(email.subject).toContain('RA0000042');
    expect(email.from?.address).toBe('ap@northwind.example');
    const pdf = email.attachments[0]!;
    expect(pdf.mimeType).toBe('application/pdf');
    const document = await getDocumentProxy(new Uint8Array(pdf.content as ArrayBuffer));
    const { text } = await extractText(document, { mergePages: true });
    for (const expected of [
      'RA0000042',
      'INV-2026-001043',
      '4,875.00',
      '125.00',
      'INV-2026-001077',
      '6,075.00',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('writes plain-text and HTML bodies with the reference, the invoices and the deduction reason', async () => {
    const text = await PostalMime.parse(await writeEmail(input('eml-text'), new Rng(2)));
    expect(text.text).toContain('INV-2026-001043');
    expect(text.text).toMatch(/damaged goods/i);
    expect(text.text).toContain('RA0000042');
    const html = await PostalMime.parse(await writeEmail(input('eml-html'), new Rng(3)));
    expect(html.html).toContain('<td>INV-2026-001077</td>');
    expect(html.html).toContain('6,075.00');
  });

  it("writes amounts and dates the way the sender's locale does", () => {
    expect(amountText(123_456_78, 'de')).toBe('123.456,78');
    expect(amountText(-1_50, 'us')).toBe('-1.50');
    expect(dateText('2026-03-02', 'gb')).toBe('02/03/2026');
    expect(dateText('2026-03-02', 'us')).toBe('03/02/2026');
  });
});

describe('reference noise', () => {
  const rng = () => new Rng(3);

  it('drops leading zeros, changes separators, leaves the prefix off', () => {
    expect(dropLeadingZeros('INV-2026-001043')).toBe('INV-2026-1043');
    expect(dropLeadingZeros('INV-2025-401043')).toBeNull();
    for (let i = 0; i < 20; i++) {
      const r = new Rng(i);
      const separated = changeSeparators(r, 'INV-2026-001043')!;
      expect(separated).not.toBe('INV-2026-001043');
      expect(separated.replace(/[^0-9]/g, '')).toBe('2026001043');
      expect(['2026-001043', '2026001043', '001043']).toContain(dropPrefix(r, 'INV-2026-001043'));
    }
  });

  it('swaps look-alikes, makes one keying slip, truncates', () => {
    const swapped = ocrSwap(rng(), 'INV-2026-001043')!;
    expect(swapped).toMatch(/[OIl]/);
    expect(swapped.slice(0, 4)).toBe('INV-');
    expect(swapped.slice(4).replace(/O/g, '0').replace(/[Il]/g, '1')).toBe('2026-001043');
    expect(ocrSwap(rng(), 'INV-2345')).toBeNull();
    for (let i = 0; i < 30; i++) {
      const slip = typo(new Rng(i), 'INV-2026-001043');
      if (slip === null) continue;
      expect(slip.startsWith('INV-2026-')).toBe(true);
      expect(slip).not.toBe('INV-2026-001043');
      expect(Math.abs(slip.length - 'INV-2026-001043'.length)).toBeLessThanOrEqual(1);
    }
    const cut = truncate(rng(), 'INV-2026-001043')!;
    expect('INV-2026-001043'.startsWith(cut)).toBe(true);
    expect(cut.length).toBeGreaterThanOrEqual(12);
  });
});

describe('subsetCount', () => {
  it('agrees with brute force, credit memos as negative items included', () => {
    const r = new Rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const items = Array.from({ length: r.int(1, 12) }, () => (r.chance(0.2) ? -1 : 1) * r.int(1, 30));
      const target = r.int(1, 60);
      let brute = 0;
      for (let mask = 1; mask < 1 << items.length; mask++) {
        let sum = 0;
        for (let i = 0; i < items.length; i++) if (mask & (1 << i)) sum += items[i]!;
        if (sum === target) brute++;
      }
      expect(subsetCount(items, target, Number.MAX_SAFE_INTEGER)).toBe(brute);
    }
  });
});
