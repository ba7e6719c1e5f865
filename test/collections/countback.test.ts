import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countbacks, countbacksWithPortfolio, firstMonthsFor } from '../../src/collections/countback.js';
import {
  countbackDays,
  type MonthSales,
  monthEnd,
  monthStart,
  monthsBack,
} from '../../src/collections/index.js';
import { type CompanyContext, postDocument } from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, companyWithCustomers } from './setup.js';

/**
 * The set-based countback (one statement for every group) against `countbackDays`, the definition,
 * walked month by month over the same sales: equal to the last bit, for every grouping, whether
 * the window is read from the snapshots' summaries or from the documents, and whether the newest
 * months exhaust a group's AR or the older ones are read (or the months run out).
 */
const RUNS = Number.parseInt(process.env.COUNTBACK_PROPERTY_RUNS ?? '40', 10);
const CUSTOMERS = [
  { number: 'TOP', collector: 'alice' },
  { number: 'KID', parent: 'TOP', collector: 'alice' },
  { number: 'SOLO', collector: 'bob' },
  { number: 'NONE' },
];
const NUMBERS = CUSTOMERS.map((c) => c.number);
const MONTHS = 14;
const BY = ['customer', 'collector', 'parent', 'portfolio'] as const;
type By = (typeof BY)[number];

function groupOf(by: By, number: string): string {
  const c = CUSTOMERS.find((x) => x.number === number)!;
  if (by === 'customer') return number;
  if (by === 'collector') return c.collector ?? '';
  if (by === 'parent') return c.parent ?? number;
  return 'portfolio';
}

/** The months of the countback, newest first, as metricsReport lists them for countbackDays. */
function monthList(to: string, months: number, sales: ReadonlyMap<string, number>): MonthSales[] {
  return Array.from({ length: months }, (_, i) => {
    const start = monthsBack(to, i);
    return { start, end: i === 0 ? to : monthEnd(start), salesMinor: sales.get(start) ?? 0 };
  });
}

/** Sales by group and month start, given sales by customer number and month start. */
function byGroup(by: By, sales: ReadonlyMap<string, ReadonlyMap<string, number>>) {
  const out = new Map<string, Map<string, number>>();
  for (const [number, months] of sales) {
    const g = out.get(groupOf(by, number)) ?? new Map<string, number>();
    for (const [m, v] of months) g.set(m, (g.get(m) ?? 0) + v);
    out.set(groupOf(by, number), g);
  }
  return out;
}

const salesArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 5_000 }),
  fc.integer({ min: 1, max: 2_000_000_000 }),
  fc.integer({ min: -3_000, max: -1 }),
);
const arArb = fc.oneof(fc.integer({ min: -1_000, max: 0 }), fc.integer({ min: 1, max: 20_000 }), salesArb);

describe('months a countback reads first', () => {
  it('reads the months the portfolio reaches back over, and one more, for collectors and currencies', () => {
    // 73.3 days back from May 31 is March 18: March to May, and February.
    expect(firstMonthsFor('collector', '2026-05-31', 73.3)).toBe(4);
    expect(firstMonthsFor('currency', '2026-05-31', 31)).toBe(3);
    expect(firstMonthsFor('collector', '2026-05-31', 30)).toBe(2);
    expect(firstMonthsFor('collector', '2026-05-31', 0)).toBe(2);
    expect(firstMonthsFor('collector', '2026-05-31', 400)).toBe(8);
  });

  it('reads eight for customers and parents, and where the portfolio has no kept countback', () => {
    expect(firstMonthsFor('customer', '2026-05-31', 10)).toBe(8);
    expect(firstMonthsFor('parent', '2026-05-31', 10)).toBe(8);
    expect(firstMonthsFor('collector', '2026-05-31', undefined)).toBe(8);
    expect(firstMonthsFor('collector', '2026-05-31', null)).toBe(8);
  });
});

describe.each(ENGINES)('set-based countback on %s', (engine) => {
  let t: TestDatabase;
  let seq = 0;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
  });
  afterAll(async () => t?.dispose());

  async function company(): Promise<{ ctx: CompanyContext; ids: Record<string, string> }> {
    return companyWithCustomers(t.database, `cb${++seq}`, CUSTOMERS);
  }

  async function check(
    ctx: CompanyContext,
    ids: Record<string, string>,
    to: string,
    maxMonths: number,
    ar: Record<string, number>,
    sales: ReadonlyMap<string, ReadonlyMap<string, number>>,
  ) {
    for (const by of BY) {
      const arEnd = new Map<string | null, number>();
      for (const number of NUMBERS) {
        const g = groupOf(by, number);
        arEnd.set(g, (arEnd.get(g) ?? 0) + ar[number]!);
      }
      const keyOf = (g: string) => (by === 'customer' || by === 'parent' ? ids[g]! : g);
      const keyed = new Map([...arEnd].map(([g, a]) => [keyOf(g!), a]));
      const got = await t.database.transaction(({ client }) =>
        countbacks(client, ctx, by, to, keyed, maxMonths),
      );
      const groups = byGroup(by, sales);
      for (const [g, a] of arEnd) {
        const want = countbackDays(a, monthList(to, maxMonths, groups.get(g!) ?? new Map()));
        expect([by, g, got.get(keyOf(g!))]).toEqual([by, g, want]);
      }
      // The portfolio's from the same read, when the newest months settle it.
      const total = NUMBERS.reduce((sum, n) => sum + ar[n]!, 0);
      const all = byGroup('portfolio', sales).get('portfolio') ?? new Map();
      const portfolioDays = countbackDays(total, monthList(to, maxMonths, all));
      // However many months are read first (8 unless told; fewer by collector, see firstMonthsFor),
      // the groups those leave unexhausted read on.
      for (const firstMonths of [8, 1, 3]) {
        const both = await t.database.transaction(({ client }) =>
          countbacksWithPortfolio(client, ctx, by, to, keyed, maxMonths, total, firstMonths),
        );
        expect([by, firstMonths, both.groups]).toEqual([by, firstMonths, got]);
        if (both.portfolio !== undefined)
          expect([by, 'portfolio', both.portfolio]).toEqual([by, 'portfolio', portfolioDays]);
        else expect([total > 0, maxMonths > firstMonths]).toEqual([true, true]);
      }
    }
  }

  it(`equals countbackDays over the snapshots' monthly summaries (${RUNS} runs)`, async () => {
    const { ctx, ids } = await company();
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(...NUMBERS),
          fc.array(salesArb, { minLength: MONTHS, maxLength: MONTHS }),
        ),
        fc.record(Object.fromEntries(NUMBERS.map((n) => [n, arArb]))),
        fc.integer({ min: 1, max: MONTHS + 2 }),
        async (perCustomer, ar, maxMonths) => {
          const to = '2026-05-31';
          const sales = new Map<string, Map<string, number>>();
          const rows: [string, string, number][] = [];
          for (const [number, list] of Object.entries(perCustomer)) {
            const months = new Map<string, number>();
            list.forEach((v, i) => {
              months.set(monthsBack(to, i), v);
              rows.push([ids[number]!, monthEnd(monthsBack(to, i)), v]);
            });
            sales.set(number, months);
          }
          await t.database.transaction(async ({ client }) => {
            await client.query('DELETE FROM collections_ar_snapshot_customer WHERE company_id = $1', [
              ctx.companyId,
            ]);
            // The company has no documents, so every month counts as summarized: the summaries are read.
            await client.query(
              `INSERT INTO collections_ar_snapshot_customer (company_id, as_of, customer_id, ar_base_minor,
                 past_due_base_minor, over_90_base_minor, sales_base_minor, pay_count, pay_days_sum, pay_beyond_sum,
                 pay_weight, pay_days_weighted, pay_beyond_weighted)
               SELECT $1, r.as_of, r.customer_id, 0, 0, 0, r.sales, 0, 0, 0, 0, 0, 0
                 FROM unnest($2::uuid[], $3::date[], $4::int8[]) AS r (customer_id, as_of, sales)`,
              [ctx.companyId, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
            );
          });
          await check(ctx, ids, to, maxMonths, ar, sales);
        },
      ),
      {
        numRuns: RUNS,
        // A month whose sales are exactly what is left ends the walk; older months then do not count.
        examples: [
          [
            {
              TOP: [0, 300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
              SOLO: [0, 0, 0, 0, 0, 40, -7, 0, 0, 0, 0, 9, 0, 5],
            },
            { TOP: 300, KID: 0, SOLO: 33, NONE: 1 },
            12,
          ],
        ],
      },
    );
  }, 300_000);

  it(`equals countbackDays over the documents, mid-month and at a month end (${Math.ceil(RUNS / 4)} runs)`, async () => {
    const docArb = fc.record({
      number: fc.constantFrom(...NUMBERS),
      monthsBack: fc.integer({ min: 0, max: MONTHS - 1 }),
      day: fc.integer({ min: 1, max: 28 }),
      credit: fc.boolean(),
      amount: fc.integer({ min: 1, max: 100_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(docArb, { maxLength: 14 }),
        fc.record(Object.fromEntries(NUMBERS.map((n) => [n, arArb]))),
        fc.integer({ min: 1, max: MONTHS + 2 }),
        fc.constantFrom('2026-05-14', '2026-05-31'),
        async (docs, ar, maxMonths, to) => {
          const { ctx, ids } = await company();
          const sales = new Map<string, Map<string, number>>();
          await t.database.transaction(async ({ client }) => {
            for (const [i, d] of docs.entries()) {
              const start = monthsBack(to, d.monthsBack);
              const date = `${start.slice(0, 8)}${String(d.day).padStart(2, '0')}`;
              // After the period's end: not a sale of any month counted.
              if (date <= to) {
                const m = sales.get(d.number) ?? new Map<string, number>();
                m.set(monthStart(date), (m.get(monthStart(date)) ?? 0) + (d.credit ? -d.amount : d.amount));
                sales.set(d.number, m);
              }
              await postDocument(client, ctx, {
                documentNumber: `D${i}`,
                customerId: ids[d.number]!,
                docType: d.credit ? 'credit_memo' : 'invoice',
                documentDate: date,
                dueDate: date,
                currency: 'USD',
                amountMinor: d.amount,
                actor,
              });
            }
          });
          await check(ctx, ids, to, maxMonths, ar, sales);
        },
      ),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  }, 300_000);
});
