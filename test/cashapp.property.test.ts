import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Book } from '../src/cashapp/core/book.js';
import { matchReceipt, reserve } from '../src/cashapp/core/match.js';
import { DEFAULT_SETTINGS, type OpenDocumentRow, type ReceiptInput } from '../src/cashapp/core/types.js';
import { revertRun } from '../src/cashapp/manual.js';
import { runCashapp } from '../src/cashapp/run.js';
import { checkInvariants, createCompany, postDocument, recordReceipt, tieOut } from '../src/ledger/index.js';
import type { SqlClient } from '../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const RUNS = Number(process.env.CASHAPP_PROPERTY_RUNS ?? 25);

/** A random little world: customers (some with a parent), invoices and credit memos, and payments. */
const world = fc.record({
  customers: fc.integer({ min: 1, max: 4 }),
  documents: fc.array(
    fc.record({
      customer: fc.nat(3),
      amountMinor: fc.integer({ min: 1, max: 500_000 }),
      credit: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    }),
    { minLength: 1, maxLength: 12 },
  ),
  payments: fc.array(
    fc.record({
      refs: fc.array(fc.nat(11), { maxLength: 3 }),
      noise: fc.constantFrom('exact', 'digits', 'typo', 'none'),
      amount: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 900_000 })),
      payer: fc.nat(4),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

type World = fc.Arbitrary<typeof world extends fc.Arbitrary<infer T> ? T : never>;
type W = World extends fc.Arbitrary<infer T> ? T : never;

const number = (i: number) => `INV-2026-${String(1000 + i).padStart(7, '0')}`;
function refText(w: W, p: W['payments'][number]): string | null {
  if (p.noise === 'none') return null;
  return p.refs
    .filter((r) => r < w.documents.length)
    .map((r) => {
      const n = number(r);
      return p.noise === 'exact'
        ? n
        : p.noise === 'digits'
          ? n.replace(/\D/g, '')
          : n.slice(0, -1) + ((Number(n.at(-1)) + 1) % 10);
    })
    .join(' ');
}
function paymentAmount(w: W, p: W['payments'][number]): number {
  if (p.amount > 0) return p.amount;
  const total = p.refs
    .filter((r) => r < w.documents.length)
    .reduce((s, r) => s + w.documents[r]!.amountMinor, 0);
  return Math.max(1, total);
}

describe('the matcher never proposes more than a receipt or an invoice holds (pure)', () => {
  it('holds for random books and payments', () => {
    fc.assert(
      fc.property(world, (w) => {
        const customers = Array.from({ length: w.customers }, (_, c) => ({
          customerId: `c${c}`,
          customerNumber: `C${c}`,
          name: `Customer ${c} Trading`,
          parentCustomerId: c === 1 ? 'c0' : null,
        }));
        const documents: OpenDocumentRow[] = w.documents.map((d, i) => ({
          documentId: `d${i}`,
          documentNumber: number(i),
          customerId: `c${d.customer % w.customers}`,
          docType: d.credit ? 'credit_memo' : 'invoice',
          currency: 'USD',
          amountMinor: d.amountMinor,
          openMinor: d.amountMinor,
          documentDate: '2026-10-01',
          dueDate: '2026-10-31',
          discountDate: null,
          discountPercent: '0',
          poNumber: null,
        }));
        const book = new Book({ customers, documents, bankAccounts: [], aliases: [] });
        const open = documents.map((d) => d.openMinor);
        for (const [k, p] of w.payments.entries()) {
          const receipt: ReceiptInput = {
            receiptId: `r${k}`,
            currency: 'USD',
            amountMinor: paymentAmount(w, p),
            receiptDate: '2026-10-20',
            customerId: null,
            payerName: `CUSTOMER ${p.payer} TRADING`,
            payerAccountKey: null,
            reference: null,
            remittanceText: refText(w, p),
            advices: [],
          };
          const d = matchReceipt(book, receipt, DEFAULT_SETTINGS);
          for (const proposal of d.suggestions) {
            const cash = proposal.lines.reduce(
              (s, l) => s + l.cashMinor + (l.kind === 'on_account' ? l.amountMinor : 0),
              0,
            );
            expect(cash).toBeLessThanOrEqual(receipt.amountMinor);
            for (const l of proposal.lines) {
              expect(l.cashMinor).toBeGreaterThanOrEqual(0);
              if (l.document !== null && l.document >= 0) {
                const taken =
                  l.cashMinor +
                  l.discountMinor +
                  l.writeOffMinor +
                  l.deductionMinor +
                  (l.kind === 'credit_memo' ? l.amountMinor : 0);
                expect(taken).toBeLessThanOrEqual(book.openMinor[l.document]!);
              }
            }
          }
          if (d.outcome === 'auto') {
            reserve(book, d.best!);
            d.best!.lines.forEach((l) => {
              if (l.document !== null && l.document >= 0) open[l.document] = book.openMinor[l.document]!;
            });
          }
        }
        for (let i = 0; i < documents.length; i++) expect(book.openMinor[i]).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1000 },
    );
  });
});

async function snapshot(client: SqlClient, companyId: string) {
  const docs = await client.query(
    'SELECT document_number, open_minor FROM document WHERE company_id = $1 ORDER BY 1',
    [companyId],
  );
  const receipts = await client.query(
    'SELECT receipt_key, customer_id, unapplied_minor, on_account_minor FROM receipt WHERE company_id = $1 ORDER BY 1',
    [companyId],
  );
  const gl = await client.query(
    'SELECT account_code, sum(base_amount_minor)::int8 AS total FROM journal_line WHERE company_id = $1 GROUP BY 1 ORDER BY 1',
    [companyId],
  );
  return { docs: docs.rows, receipts: receipts.rows, gl: gl.rows };
}

describe.each(ENGINES)('a run and its revert on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
  });
  afterAll(async () => t?.dispose());

  it('never over-applies, keeps every invariant, and revert restores the ledger exactly', async () => {
    let companySeq = 0;
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const code = `p${companySeq++}`;
        const ctx = await t.database.transaction(async ({ client }) => {
          const ctx = await createCompany(client, { code, name: code, baseCurrency: 'USD', actor: 't' });
          const ids: string[] = [];
          for (let c = 0; c < w.customers; c++) {
            const { rows } = await client.query<{ id: string }>(
              `INSERT INTO customer (company_id, customer_id, customer_number, name, parent_customer_id, currency, created_by, updated_by)
               VALUES ($1, gen_random_uuid(), $2, $3, $4, 'USD', 't', 't') RETURNING customer_id AS id`,
              [ctx.companyId, `C${c}`, `Customer ${c} Trading`, c === 1 ? ids[0] : null],
            );
            ids.push(rows[0]!.id);
          }
          for (const [i, d] of w.documents.entries()) {
            await postDocument(client, ctx, {
              documentNumber: number(i),
              customerId: ids[d.customer % w.customers]!,
              docType: d.credit ? 'credit_memo' : 'invoice',
              documentDate: '2026-10-01',
              dueDate: '2026-10-31',
              currency: 'USD',
              amountMinor: d.amountMinor,
              actor: 't',
            });
          }
          for (const [k, p] of w.payments.entries()) {
            await recordReceipt(client, ctx, {
              receiptKey: `R${k}`,
              customerId: null,
              receiptDate: '2026-10-20',
              method: 'ach',
              currency: 'USD',
              amountMinor: paymentAmount(w, p),
              payerName: `CUSTOMER ${p.payer} TRADING`,
              remittanceText: refText(w, p),
              actor: 't',
            });
          }
          return ctx;
        });
        const before = await t.database.transaction(({ client }) => snapshot(client, ctx.companyId));
        const run = await runCashapp(t.database, ctx, { actor: 't', postingDate: '2026-10-21' });
        await t.database.transaction(async ({ client }) => {
          expect(await checkInvariants(client, ctx)).toEqual([]);
          expect((await tieOut(client, ctx)).tied).toBe(true);
        });
        await revertRun(t.database, ctx, run.runId, { actor: 't', reason: 'property' });
        const after = await t.database.transaction(({ client }) => snapshot(client, ctx.companyId));
        expect(after).toEqual(before);
      }),
      { numRuns: engine === 'postgres' ? Math.ceil(RUNS / 2) : RUNS },
    );
  }, 600_000);
});
