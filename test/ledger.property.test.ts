import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustDocument,
  applyCredit,
  applyReceipt,
  type CompanyContext,
  checkInvariants,
  createCompany,
  LedgerError,
  postDocument,
  putOnAccount,
  recordReceipt,
  reverseAdjustment,
  unapply,
} from '../src/ledger/index.js';
import type { SqlClient } from '../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

/**
 * Random sequences of ledger operations, valid and invalid, against a plain model of what the
 * balances must be. After every step: the database agrees with the model, every cached balance
 * agrees with the append-only history, every entry balances and the subledger ties to the GL.
 * A refused operation must leave everything as it was.
 */
const RUNS = Number.parseInt(process.env.LEDGER_PROPERTY_RUNS ?? '1000', 10);
const actor = 'property';

type Op =
  | { op: 'invoice'; amount: number; eur: boolean; rate: string; credit: boolean }
  | { op: 'receipt'; amount: number; eur: boolean; rate: string; known: boolean }
  | { op: 'apply'; r: number; d: number; share: number; discount: number; writeOff: number; match: boolean }
  | { op: 'credit'; c: number; d: number; share: number; match: boolean }
  | { op: 'onAccount'; r: number; share: number }
  | { op: 'unapply'; a: number }
  | { op: 'writeOff'; d: number; share: number; badDebt: boolean }
  | { op: 'reverseWriteOff'; w: number };

const amount = fc.integer({ min: 1, max: 50_000 });
const index = fc.nat({ max: 20 });
/** Percent of the largest valid amount: above 100 asks for more than there is, which must be refused. */
const share = fc.oneof(
  fc.integer({ min: 1, max: 100 }),
  fc.constant(100),
  fc.integer({ min: 101, max: 130 }),
);
const rate = fc.constantFrom('0.9', '1.0834', '1.1', '1.25', '0.333333');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('invoice' as const), amount, eur: fc.boolean(), rate, credit: fc.boolean() }),
  fc.record({ op: fc.constant('receipt' as const), amount, eur: fc.boolean(), rate, known: fc.boolean() }),
  fc.record({
    op: fc.constant('apply' as const),
    r: index,
    d: index,
    share,
    discount: fc.nat({ max: 300 }),
    writeOff: fc.nat({ max: 300 }),
    match: fc.boolean(),
  }),
  fc.record({ op: fc.constant('credit' as const), c: index, d: index, share, match: fc.boolean() }),
  fc.record({ op: fc.constant('onAccount' as const), r: index, share }),
  fc.record({ op: fc.constant('unapply' as const), a: index }),
  fc.record({ op: fc.constant('writeOff' as const), d: index, share, badDebt: fc.boolean() }),
  fc.record({ op: fc.constant('reverseWriteOff' as const), w: index }),
);

interface ModelDoc {
  id: string;
  credit: boolean;
  eur: boolean;
  open: number;
}
interface ModelReceipt {
  id: string;
  eur: boolean;
  unapplied: number;
  onAccount: number;
  customerKnown: boolean;
}
interface ModelApp {
  id: string;
  kind: 'payment' | 'credit' | 'onAccount';
  r?: number;
  d?: number;
  c?: number;
  cash: number;
  applied: number;
  reversed: boolean;
}
interface ModelWriteOff {
  id: string;
  d: number;
  amount: number;
  reversed: boolean;
}

interface Model {
  docs: ModelDoc[];
  receipts: ModelReceipt[];
  apps: ModelApp[];
  writeOffs: ModelWriteOff[];
}

const pick = <T>(list: T[], i: number): T | undefined =>
  list.length === 0 ? undefined : list[i % list.length];
const pickWhere = <T>(list: T[], i: number, ok: (x: T) => boolean): T | undefined => pick(list.filter(ok), i);
const portion = (whole: number, percent: number): number => Math.max(1, Math.floor((whole * percent) / 100));

describe.each(ENGINES)('ledger properties on %s', (engine) => {
  let t: TestDatabase;
  let companySeq = 0;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
  });
  afterAll(async () => t?.dispose());

  async function newCompany(): Promise<{ ctx: CompanyContext; customerId: string }> {
    return t.database.transaction(async ({ client }) => {
      const ctx = await createCompany(client, {
        code: `p${++companySeq}`,
        name: 'P',
        baseCurrency: 'USD',
        actor,
      });
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO customer (company_id, customer_id, customer_number, name, currency, created_by, updated_by)
         VALUES ($1, gen_random_uuid(), 'C', 'C', 'USD', 'p', 'p') RETURNING customer_id AS id`,
        [ctx.companyId],
      );
      return { ctx, customerId: rows[0]!.id };
    });
  }

  /** Runs one operation; returns whether the model expected it to succeed, and whether it did. */
  async function step(ctx: CompanyContext, customerId: string, m: Model, o: Op, n: number): Promise<void> {
    const date = '2026-06-01';
    const run = <T>(fn: (c: SqlClient) => Promise<T>) => t.database.transaction(({ client }) => fn(client));
    const expectRefused = async (fn: (c: SqlClient) => Promise<unknown>) => {
      await expect(run(fn)).rejects.toBeInstanceOf(LedgerError);
    };
    switch (o.op) {
      case 'invoice': {
        const id = await run((c) =>
          postDocument(c, ctx, {
            documentNumber: `D${n}`,
            customerId,
            docType: o.credit ? 'credit_memo' : 'invoice',
            documentDate: date,
            dueDate: date,
            currency: o.eur ? 'EUR' : 'USD',
            fxRate: o.rate,
            amountMinor: o.amount,
            actor,
          }),
        );
        m.docs.push({ id, credit: o.credit, eur: o.eur, open: o.amount });
        return;
      }
      case 'receipt': {
        const id = await run((c) =>
          recordReceipt(c, ctx, {
            receiptKey: `R${n}`,
            customerId: o.known ? customerId : null,
            receiptDate: date,
            method: 'ach',
            currency: o.eur ? 'EUR' : 'USD',
            fxRate: o.rate,
            amountMinor: o.amount,
            actor,
          }),
        );
        m.receipts.push({ id, eur: o.eur, unapplied: o.amount, onAccount: 0, customerKnown: o.known });
        return;
      }
      case 'apply': {
        const r = pick(m.receipts, o.r);
        const d =
          o.match && r
            ? pickWhere(m.docs, o.d, (x) => !x.credit && x.eur === r.eur && x.open > 0)
            : pick(m.docs, o.d);
        if (!r || !d) return;
        const cash = portion(Math.max(0, Math.min(r.unapplied, d.open - o.discount - o.writeOff)), o.share);
        const applied = cash + o.discount + o.writeOff;
        const ok = !d.credit && r.eur === d.eur && cash <= r.unapplied && applied <= d.open;
        const fn = (c: SqlClient) =>
          applyReceipt(c, ctx, {
            receiptId: r.id,
            documentId: d.id,
            cashMinor: cash,
            discountMinor: o.discount,
            writeOffMinor: o.writeOff,
            writeOffReason: 'short pay',
            postingDate: date,
            actor,
          });
        if (!ok) return expectRefused(fn);
        const id = await run(fn);
        r.unapplied -= cash;
        r.customerKnown = true;
        d.open -= applied;
        m.apps.push({
          id,
          kind: 'payment',
          r: m.receipts.indexOf(r),
          d: m.docs.indexOf(d),
          cash,
          applied,
          reversed: false,
        });
        return;
      }
      case 'credit': {
        const c = o.match ? pickWhere(m.docs, o.c, (x) => x.credit && x.open > 0) : pick(m.docs, o.c);
        const d =
          o.match && c
            ? pickWhere(m.docs, o.d, (x) => !x.credit && x.eur === c.eur && x.open > 0)
            : pick(m.docs, o.d);
        if (!c || !d) return;
        const amount = portion(Math.min(c.open, d.open), o.share);
        const ok = c.credit && !d.credit && c.eur === d.eur && amount <= c.open && amount <= d.open;
        const fn = (cl: SqlClient) =>
          applyCredit(cl, ctx, {
            creditDocumentId: c.id,
            documentId: d.id,
            amountMinor: amount,
            postingDate: date,
            actor,
          });
        if (!ok) return expectRefused(fn);
        const id = await run(fn);
        c.open -= amount;
        d.open -= amount;
        m.apps.push({
          id,
          kind: 'credit',
          c: m.docs.indexOf(c),
          d: m.docs.indexOf(d),
          cash: amount,
          applied: amount,
          reversed: false,
        });
        return;
      }
      case 'onAccount': {
        const r = pick(m.receipts, o.r);
        if (!r) return;
        const amount = portion(r.unapplied, o.share);
        const fn = (c: SqlClient) =>
          putOnAccount(c, ctx, {
            receiptId: r.id,
            amountMinor: amount,
            postingDate: date,
            customerId,
            actor,
          });
        if (amount > r.unapplied) return expectRefused(fn);
        const id = await run(fn);
        r.unapplied -= amount;
        r.onAccount += amount;
        m.apps.push({
          id,
          kind: 'onAccount',
          r: m.receipts.indexOf(r),
          cash: amount,
          applied: amount,
          reversed: false,
        });
        return;
      }
      case 'unapply': {
        const a = pick(m.apps, o.a);
        if (!a) return;
        const fn = (c: SqlClient) =>
          unapply(c, ctx, { applicationId: a.id, postingDate: date, reason: 'test', actor });
        if (a.reversed) return expectRefused(fn);
        await run(fn);
        a.reversed = true;
        if (a.kind === 'payment') {
          m.receipts[a.r!]!.unapplied += a.cash;
          m.docs[a.d!]!.open += a.applied;
        }
        if (a.kind === 'credit') {
          m.docs[a.c!]!.open += a.cash;
          m.docs[a.d!]!.open += a.applied;
        }
        if (a.kind === 'onAccount') {
          m.receipts[a.r!]!.unapplied += a.cash;
          m.receipts[a.r!]!.onAccount -= a.cash;
        }
        return;
      }
      case 'writeOff': {
        const d = pick(m.docs, o.d);
        if (!d) return;
        const amount = portion(d.open, o.share);
        const fn = (c: SqlClient) =>
          adjustDocument(c, ctx, {
            documentId: d.id,
            kind: o.badDebt ? 'bad_debt' : 'write_off',
            amountMinor: amount,
            postingDate: date,
            reason: 'test',
            actor,
          });
        if (amount > d.open) return expectRefused(fn);
        const id = await run(fn);
        d.open -= amount;
        m.writeOffs.push({ id, d: m.docs.indexOf(d), amount, reversed: false });
        return;
      }
      case 'reverseWriteOff': {
        const w = pick(m.writeOffs, o.w);
        if (!w) return;
        const fn = (c: SqlClient) =>
          reverseAdjustment(c, ctx, { adjustmentId: w.id, postingDate: date, reason: 'test', actor });
        if (w.reversed) return expectRefused(fn);
        await run(fn);
        w.reversed = true;
        m.docs[w.d]!.open += w.amount;
        return;
      }
    }
  }

  async function assertAgrees(ctx: CompanyContext, m: Model) {
    const { docs, receipts, violations } = await t.database.transaction(async ({ client }) => ({
      docs: (
        await client.query<{ document_id: string; open_minor: number }>(
          'SELECT document_id, open_minor FROM document WHERE company_id = $1',
          [ctx.companyId],
        )
      ).rows,
      receipts: (
        await client.query<{ receipt_id: string; unapplied_minor: number; on_account_minor: number }>(
          'SELECT receipt_id, unapplied_minor, on_account_minor FROM receipt WHERE company_id = $1',
          [ctx.companyId],
        )
      ).rows,
      violations: await checkInvariants(client, ctx),
    }));
    expect(violations).toEqual([]);
    const openById = new Map(docs.map((d) => [d.document_id, d.open_minor]));
    for (const d of m.docs) expect(openById.get(d.id)).toBe(d.open);
    const recById = new Map(receipts.map((r) => [r.receipt_id, r]));
    for (const r of m.receipts) {
      expect(recById.get(r.id)?.unapplied_minor).toBe(r.unapplied);
      expect(recById.get(r.id)?.on_account_minor).toBe(r.onAccount);
    }
  }

  const counts: Record<string, number> = {};

  it(`keeps every invariant over ${RUNS} random sequences`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { ctx, customerId } = await newCompany();
        const m: Model = { docs: [], receipts: [], apps: [], writeOffs: [] };
        for (const [n, o] of ops.entries()) {
          const before = m.apps.length + m.docs.length + m.receipts.length + m.writeOffs.length;
          await step(ctx, customerId, m, o, n);
          const after = m.apps.length + m.docs.length + m.receipts.length + m.writeOffs.length;
          if (after > before || o.op === 'unapply' || o.op === 'reverseWriteOff')
            counts[o.op] = (counts[o.op] ?? 0) + 1;
          await assertAgrees(ctx, m);
        }
      }),
      { numRuns: RUNS },
    );
  }, 900_000);
});
