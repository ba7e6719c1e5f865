import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addLearnedAliases,
  addLearnedBankAccounts,
  applyReceipt,
  type BulkItem,
  BulkItemError,
  type CompanyContext,
  checkInvariants,
  createCompany,
  normalizeAlias,
  postApplicationsBulk,
  postDocument,
  recordReceipt,
  setPeriodStatus,
  unapplyBulk,
} from '../src/ledger/index.js';
import type { SqlClient } from '../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const actor = 'test';
const DATE = '2026-03-10';
const call = { postingDate: DATE, actor, reason: 'cash application', origin: 'cashapp' as const };

describe.each(ENGINES)('bulk applications on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  /** PARENT ← SUB-A ← GRAND-A, PARENT ← SUB-B; OTHER alone; DEEP-0 ← DEEP-1 ← … ← DEEP-10. */
  const cust: Record<string, string> = {};
  let seq = 0;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    await t.database.transaction(async ({ client }) => {
      ctx = await createCompany(client, { code: 'bulk', name: 'Bulk', baseCurrency: 'USD', actor });
      const tree: [string, string | null][] = [
        ['PARENT', null],
        ['SUB-A', 'PARENT'],
        ['SUB-B', 'PARENT'],
        ['GRAND-A', 'SUB-A'],
        ['OTHER', null],
        ...Array.from({ length: 11 }, (_, i): [string, string | null] => [
          `DEEP-${i}`,
          i === 0 ? null : `DEEP-${i - 1}`,
        ]),
      ];
      for (const [number, parent] of tree) {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO customer (company_id, customer_id, customer_number, name, currency, parent_customer_id,
             created_by, updated_by)
           VALUES ($1, gen_random_uuid(), $2, $2, 'USD', $3, 't', 't') RETURNING customer_id AS id`,
          [ctx.companyId, number, parent === null ? null : cust[parent]],
        );
        cust[number] = rows[0]!.id;
      }
    });
  });
  afterAll(async () => t?.dispose());

  const invoice = (client: SqlClient, customer: string, amountMinor: number, extra: object = {}) =>
    postDocument(client, ctx, {
      documentNumber: `D${++seq}`,
      customerId: cust[customer]!,
      docType: 'invoice',
      documentDate: DATE,
      dueDate: DATE,
      currency: 'USD',
      amountMinor,
      actor,
      ...extra,
    });
  const creditMemo = (client: SqlClient, customer: string, amountMinor: number) =>
    invoice(client, customer, amountMinor, { docType: 'credit_memo' });
  const receipt = (client: SqlClient, customer: string | null, amountMinor: number, extra: object = {}) =>
    recordReceipt(client, ctx, {
      receiptKey: `R${++seq}`,
      customerId: customer === null ? null : cust[customer]!,
      receiptDate: DATE,
      method: 'ach',
      currency: 'USD',
      amountMinor,
      actor,
      ...extra,
    });
  const one = async <T>(sql: string, params: unknown[]) => {
    const rows = await t.database.query<T>(sql, params);
    return rows[0]!;
  };

  /** Runs `work`, expects it to be refused for `index` with `code`, and checks that nothing was written. */
  async function expectRefused(
    work: (c: SqlClient) => Promise<unknown>,
    index: number,
    code: string,
  ): Promise<void> {
    await t.database.transaction(async ({ client }) => {
      const count = async () =>
        (
          await client.query<{ n: number }>(
            `SELECT (SELECT count(*) FROM journal_entry WHERE company_id = $1)
                  + (SELECT count(*) FROM application WHERE company_id = $1) AS n`,
            [ctx.companyId],
          )
        ).rows[0]!.n;
      const before = await count();
      const error = await work(client).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BulkItemError);
      expect(error).toMatchObject({ itemIndex: index, code });
      expect((error as Error).message).toMatch(new RegExp(`^item ${index}: `));
      expect(await count()).toBe(before);
    });
  }

  it('posts payments, a credit memo and cash on account in one call, ids in item order', async () => {
    const { ids, inv1, inv2, cm, rec } = await t.database.transaction(async ({ client }) => {
      const inv1 = await invoice(client, 'SUB-A', 100_00);
      const inv2 = await invoice(client, 'SUB-B', 50_00);
      const cm = await creditMemo(client, 'SUB-B', 10_00);
      const rec = await receipt(client, 'PARENT', 200_00);
      const ids = await postApplicationsBulk(client, ctx, {
        ...call,
        items: [
          {
            kind: 'payment',
            receiptId: rec,
            documentId: inv1,
            cashMinor: 98_00,
            discountMinor: 2_00,
            externalKey: 'k1',
          },
          { kind: 'credit_memo', creditDocumentId: cm, documentId: inv2, amountMinor: 10_00, receiptId: rec },
          {
            kind: 'payment',
            receiptId: rec,
            documentId: inv2,
            cashMinor: 39_00,
            writeOffMinor: 1_00,
            writeOffReason: 'short',
          },
          { kind: 'on_account', receiptId: rec, amountMinor: 63_00, confidence: 0.5, reasons: ['left over'] },
        ],
      });
      expect(await checkInvariants(client, ctx)).toEqual([]);
      return { ids, inv1, inv2, cm, rec };
    });
    expect(ids).toHaveLength(4);
    const apps = await t.database.query<{ application_id: string; kind: string; memo: string }>(
      `SELECT a.application_id, a.kind, e.memo FROM application a
         JOIN journal_entry e ON e.company_id = a.company_id AND e.entry_id = a.entry_id
        WHERE a.application_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(ids.map((id) => apps.find((a) => a.application_id === id)?.kind)).toEqual([
      'payment',
      'credit_memo',
      'payment',
      'on_account',
    ]);
    expect(apps.find((a) => a.kind === 'credit_memo')?.memo).toMatch(/remittance of receipt R\d+/);
    for (const [id, open] of [
      [inv1, 0],
      [inv2, 0],
      [cm, 0],
    ] as const) {
      expect(
        (await one<{ open_minor: number }>('SELECT open_minor FROM document WHERE document_id = $1', [id]))
          .open_minor,
      ).toBe(open);
    }
    expect(
      await one('SELECT unapplied_minor, on_account_minor FROM receipt WHERE receipt_id = $1', [rec]),
    ).toEqual({ unapplied_minor: 0, on_account_minor: 63_00 });
  });

  it('lets a receipt pay for its customer family up to eight levels, in the bulk and the single path', async () => {
    await t.database.transaction(async ({ client }) => {
      const rec = await receipt(client, 'SUB-A', 1_000_00);
      const sibling = await invoice(client, 'SUB-B', 1_00);
      const grandchild = await invoice(client, 'GRAND-A', 1_00);
      const parent = await invoice(client, 'PARENT', 1_00);
      await postApplicationsBulk(client, ctx, {
        ...call,
        items: [sibling, grandchild].map((documentId) => ({
          kind: 'payment',
          receiptId: rec,
          documentId,
          cashMinor: 1_00,
        })),
      });
      await applyReceipt(client, ctx, {
        receiptId: rec,
        documentId: parent,
        cashMinor: 1_00,
        postingDate: DATE,
        actor,
      });
      // DEEP-8 is eight levels below DEEP-0: one family. DEEP-9 and DEEP-10 are too deep to be placed.
      const deepRec = await receipt(client, 'DEEP-0', 1_000_00);
      const deep8 = await invoice(client, 'DEEP-8', 1_00);
      await postApplicationsBulk(client, ctx, {
        ...call,
        items: [{ kind: 'payment', receiptId: deepRec, documentId: deep8, cashMinor: 1_00 }],
      });
      expect(await checkInvariants(client, ctx)).toEqual([]);
    });
    const setup = await t.database.transaction(async ({ client }) => ({
      other: await receipt(client, 'OTHER', 10_00),
      subA: await receipt(client, 'SUB-A', 10_00),
      deepRec: await receipt(client, 'DEEP-0', 10_00),
      deep9: await invoice(client, 'DEEP-9', 1_00),
      inv: await invoice(client, 'SUB-A', 1_00),
      otherInv: await invoice(client, 'OTHER', 1_00),
    }));
    await expectRefused(
      (c) =>
        postApplicationsBulk(c, ctx, {
          ...call,
          items: [
            { kind: 'payment', receiptId: setup.subA, documentId: setup.inv, cashMinor: 1 },
            { kind: 'payment', receiptId: setup.other, documentId: setup.inv, cashMinor: 1 },
          ],
        }),
      1,
      'customer-mismatch',
    );
    await expectRefused(
      (c) =>
        postApplicationsBulk(c, ctx, {
          ...call,
          items: [{ kind: 'payment', receiptId: setup.deepRec, documentId: setup.deep9, cashMinor: 1 }],
        }),
      0,
      'customer-mismatch',
    );
    for (const [receiptId, documentId] of [
      [setup.other, setup.inv],
      [setup.subA, setup.otherInv],
      [setup.deepRec, setup.deep9],
    ] as const) {
      await expect(
        t.database.transaction(({ client }) =>
          applyReceipt(client, ctx, { receiptId, documentId, cashMinor: 1, postingDate: DATE, actor }),
        ),
      ).rejects.toMatchObject({ code: 'customer-mismatch' });
    }
  });

  it('gives an unidentified receipt the customer of its first document; later items must be in that family', async () => {
    const s = await t.database.transaction(async ({ client }) => ({
      rec: await receipt(client, null, 10_00),
      a: await invoice(client, 'SUB-A', 1_00),
      b: await invoice(client, 'SUB-B', 1_00),
      other: await invoice(client, 'OTHER', 1_00),
    }));
    const pay = (documentId: string): BulkItem => ({
      kind: 'payment',
      receiptId: s.rec,
      documentId,
      cashMinor: 1_00,
    });
    await expectRefused(
      (c) => postApplicationsBulk(c, ctx, { ...call, items: [pay(s.a), pay(s.b), pay(s.other)] }),
      2,
      'customer-mismatch',
    );
    await t.database.transaction(({ client }) =>
      postApplicationsBulk(client, ctx, { ...call, items: [pay(s.b), pay(s.a)] }),
    );
    expect(
      await one<{ customer_id: string }>('SELECT customer_id FROM receipt WHERE receipt_id = $1', [s.rec]),
    ).toEqual({ customer_id: cust['SUB-B'] });
  });

  it('refuses, naming the item, every rule the single functions enforce, before writing anything', async () => {
    const s = await t.database.transaction(async ({ client }) => ({
      rec: await receipt(client, 'SUB-A', 10_00),
      unknown: await receipt(client, null, 10_00),
      eurRec: await receipt(client, 'SUB-A', 10_00, { currency: 'EUR', fxRate: '1.1' }),
      inv: await invoice(client, 'SUB-A', 10_00),
      inv2: await invoice(client, 'SUB-A', 10_00),
      cm: await creditMemo(client, 'SUB-A', 5_00),
      cmB: await creditMemo(client, 'SUB-B', 5_00),
    }));
    const pay = (extra: Partial<Extract<BulkItem, { kind: 'payment' }>> = {}): BulkItem => ({
      kind: 'payment',
      receiptId: s.rec,
      documentId: s.inv,
      cashMinor: 1_00,
      ...extra,
    });
    const refused = (items: BulkItem[], index: number, code: string) =>
      expectRefused((c) => postApplicationsBulk(c, ctx, { ...call, items }), index, code);

    await refused([pay(), pay({ cashMinor: -1 })], 1, 'negative-amount');
    await refused([pay({ discountMinor: -5 })], 0, 'negative-amount');
    await refused([pay({ cashMinor: 0.5 })], 0, 'unsafe-amount');
    await refused([pay({ cashMinor: 2 ** 60 })], 0, 'unsafe-amount');
    await refused([pay({ cashMinor: 0 })], 0, 'empty-application');
    await refused([pay(), pay({ writeOffMinor: 1 })], 1, 'reason-missing');
    await refused([pay({ receiptId: '0190f0f0-0000-7000-8000-000000000000' })], 0, 'not-found');
    await refused([pay({ documentId: 'not-a-uuid' })], 0, 'not-found');
    await refused([pay({ documentId: s.cm })], 0, 'wrong-document');
    await refused([pay({ receiptId: s.eurRec })], 0, 'currency-mismatch');
    // Each item is within the receipt; together they are not.
    await refused(
      [pay({ cashMinor: 6_00, documentId: s.inv }), pay({ cashMinor: 6_00, documentId: s.inv2 })],
      1,
      'receipt-over-applied',
    );
    await refused(
      [pay({ cashMinor: 10_00 }), pay({ receiptId: s.unknown, cashMinor: 1 })],
      1,
      'document-over-applied',
    );
    const credit = (extra: Partial<Extract<BulkItem, { kind: 'credit_memo' }>> = {}): BulkItem => ({
      kind: 'credit_memo',
      creditDocumentId: s.cm,
      documentId: s.inv,
      amountMinor: 3_00,
      ...extra,
    });
    await refused([credit({ creditDocumentId: s.inv2 })], 0, 'wrong-document');
    await refused([credit({ documentId: s.cmB })], 0, 'wrong-document');
    await refused([credit({ creditDocumentId: s.cmB })], 0, 'customer-mismatch');
    await refused([credit(), credit()], 1, 'credit-over-applied');
    await refused([credit({ amountMinor: 0 })], 0, 'empty-application');
    await refused([credit({ receiptId: '0190f0f0-0000-7000-8000-000000000000' })], 0, 'not-found');
    const onAccount = (extra: Partial<Extract<BulkItem, { kind: 'on_account' }>> = {}): BulkItem => ({
      kind: 'on_account',
      receiptId: s.rec,
      amountMinor: 1_00,
      ...extra,
    });
    await refused([onAccount({ receiptId: s.unknown })], 0, 'customer-unknown');
    await refused([onAccount({ customerId: cust['SUB-B']! })], 0, 'customer-mismatch');
    await refused(
      [onAccount({ receiptId: s.unknown, customerId: '0190f0f0-0000-7000-8000-000000000000' })],
      0,
      'not-found',
    );
    await refused(
      [onAccount({ amountMinor: 9_00 }), onAccount({ amountMinor: 2_00 })],
      1,
      'receipt-over-applied',
    );
    await refused([onAccount({ amountMinor: -1 })], 0, 'negative-amount');
    await expectRefused(
      (c) => postApplicationsBulk(c, ctx, { ...call, postingDate: '10/03/2026', items: [pay()] }),
      0,
      'bad-date',
    );

    await t.database.transaction(({ client }) =>
      setPeriodStatus(client, ctx, '2026-02', 'closed', actor, 'month end'),
    );
    await expectRefused(
      (c) => postApplicationsBulk(c, ctx, { ...call, postingDate: '2026-02-27', items: [pay()] }),
      0,
      'period-closed',
    );
    // Every refusal above left the balances as they were.
    expect(await one('SELECT unapplied_minor FROM receipt WHERE receipt_id = $1', [s.rec])).toEqual({
      unapplied_minor: 10_00,
    });
    expect(await t.database.transaction(({ client }) => checkInvariants(client, ctx))).toEqual([]);
  });

  it('unapplies exactly like unapply, and refuses a reversal, a repeat or an unknown id', async () => {
    const s = await t.database.transaction(async ({ client }) => {
      const rec = await receipt(client, 'SUB-A', 100_00, { currency: 'EUR', fxRate: '1.05' });
      const inv = await invoice(client, 'SUB-A', 60_00, { currency: 'EUR', fxRate: '1.1' });
      const inv2 = await invoice(client, 'SUB-B', 30_00, { currency: 'EUR', fxRate: '1.2' });
      const cm = await creditMemo(client, 'SUB-A', 5_00);
      const usd = await invoice(client, 'SUB-A', 50_00);
      const ids = await postApplicationsBulk(client, ctx, {
        ...call,
        items: [
          { kind: 'payment', receiptId: rec, documentId: inv, cashMinor: 59_00, discountMinor: 1_00 },
          {
            kind: 'payment',
            receiptId: rec,
            documentId: inv2,
            cashMinor: 29_00,
            writeOffMinor: 1_00,
            writeOffReason: 'fee',
          },
          { kind: 'credit_memo', creditDocumentId: cm, documentId: usd, amountMinor: 5_00 },
          { kind: 'on_account', receiptId: rec, amountMinor: 12_00 },
        ],
      });
      return { rec, inv, inv2, cm, usd, ids };
    });
    await expectRefused(
      (c) =>
        unapplyBulk(c, ctx, {
          applicationIds: [s.ids[0]!, s.ids[0]!],
          postingDate: DATE,
          actor,
          reason: 'x',
        }),
      1,
      'already-reversed',
    );
    await expectRefused(
      (c) =>
        unapplyBulk(c, ctx, {
          applicationIds: [s.ids[0]!, '0190f0f0-0000-7000-8000-000000000000'],
          postingDate: DATE,
          actor,
          reason: 'x',
        }),
      1,
      'not-found',
    );
    await expectRefused(
      (c) => unapplyBulk(c, ctx, { applicationIds: [s.ids[0]!], postingDate: DATE, actor, reason: '' }),
      0,
      'reason-missing',
    );
    const reversals = await t.database.transaction(({ client }) =>
      unapplyBulk(client, ctx, { applicationIds: s.ids, postingDate: DATE, actor, reason: 'wrong customer' }),
    );
    expect(reversals).toHaveLength(4);
    const mirror = await t.database.query<{ total: number; unmatched: number }>(
      `SELECT count(*)::int8 AS total,
              count(*) FILTER (WHERE o.amount_minor IS DISTINCT FROM -r.amount_minor
                                  OR o.base_amount_minor IS DISTINCT FROM -r.base_amount_minor)::int8 AS unmatched
         FROM application a
         JOIN journal_entry e ON e.company_id = a.company_id AND e.entry_id = a.entry_id
         JOIN journal_line r ON r.company_id = e.company_id AND r.entry_id = e.entry_id
         LEFT JOIN journal_line o ON o.company_id = e.company_id AND o.entry_id = e.reverses_entry_id AND o.line_no = r.line_no
        WHERE a.application_id = ANY($1::uuid[])`,
      [reversals],
    );
    expect(mirror[0]!.total).toBeGreaterThanOrEqual(8);
    expect(mirror[0]!.unmatched).toBe(0);
    await expectRefused(
      (c) => unapplyBulk(c, ctx, { applicationIds: [reversals[0]!], postingDate: DATE, actor, reason: 'x' }),
      0,
      'reversal-of-reversal',
    );
    await expectRefused(
      (c) => unapplyBulk(c, ctx, { applicationIds: [s.ids[2]!], postingDate: DATE, actor, reason: 'x' }),
      0,
      'already-reversed',
    );
    expect(await t.database.transaction(({ client }) => checkInvariants(client, ctx))).toEqual([]);
    // Every balance is back where it started, base amounts included.
    const docs = await t.database.query(
      `SELECT open_minor - amount_minor AS d, open_base_minor - base_amount_minor AS d_base FROM document
        WHERE document_id = ANY($1::uuid[])`,
      [[s.inv, s.inv2, s.cm, s.usd]],
    );
    expect(docs).toEqual(Array(4).fill({ d: 0, d_base: 0 }));
    expect(
      await one(
        `SELECT unapplied_minor - amount_minor AS d, unapplied_base_minor - base_amount_minor AS d_base,
                on_account_minor, on_account_base_minor FROM receipt WHERE receipt_id = $1`,
        [s.rec],
      ),
    ).toEqual({ d: 0, d_base: 0, on_account_minor: 0, on_account_base_minor: 0 });
  });

  it('runs a constant number of statements whatever the item count, chunked or not', async () => {
    const statements = async (n: number, chunkSize?: number) =>
      t.database.transaction(async ({ client }) => {
        const rec = await receipt(client, 'OTHER', n * 1_00);
        const docs: string[] = [];
        for (let i = 0; i < n; i++) docs.push(await invoice(client, 'OTHER', 1_00));
        let count = 0;
        const counting: SqlClient = {
          query: (text, params) => {
            count++;
            return client.query(text, params);
          },
          copyFromCsv: (text, csv) => client.copyFromCsv(text, csv),
          release: () => client.release(),
        };
        const ids = await postApplicationsBulk(
          counting,
          ctx,
          {
            ...call,
            items: docs.map((documentId) => ({
              kind: 'payment',
              receiptId: rec,
              documentId,
              cashMinor: 1_00,
            })),
          },
          chunkSize === undefined ? {} : { chunkSize },
        );
        const applied = count;
        count = 0;
        await unapplyBulk(
          counting,
          ctx,
          { applicationIds: ids, postingDate: DATE, actor, reason: 'redo' },
          chunkSize === undefined ? {} : { chunkSize },
        );
        expect(await checkInvariants(client, ctx)).toEqual([]);
        return { applied, unapplied: count };
      });
    const small = await statements(3);
    const large = await statements(40);
    expect(large).toEqual(small);
    // Chunks of 10: four times the per-chunk writes, still independent of rows within a chunk.
    const chunked = await statements(40, 10);
    const chunkedMore = await statements(80, 20);
    expect(chunked).toEqual(chunkedMore);
  });

  it('learns aliases and bank accounts idempotently, normalized', async () => {
    const added = await t.database.transaction(async ({ client }) => [
      await addLearnedAliases(
        client,
        ctx,
        [
          { customerId: cust['SUB-A']!, aliasText: 'Müller & Söhne GmbH.' },
          { customerId: cust['SUB-A']!, aliasText: 'MULLER  SOHNE gmbh' },
          { customerId: cust['SUB-B']!, aliasText: 'Sub B Ltd' },
        ],
        actor,
      ),
      await addLearnedBankAccounts(
        client,
        ctx,
        [
          { customerId: cust['SUB-A']!, accountText: 'DE89 3704 0044 0532 0130 00' },
          { customerId: cust['SUB-A']!, accountText: 'de89370400440532013000' },
        ],
        actor,
      ),
    ]);
    expect(added).toEqual([2, 1]);
    const again = await t.database.transaction(async ({ client }) => [
      await addLearnedAliases(
        client,
        ctx,
        [{ customerId: cust['SUB-A']!, aliasText: 'muller-sohne GMBH' }],
        actor,
      ),
      await addLearnedBankAccounts(
        client,
        ctx,
        [{ customerId: cust['SUB-A']!, accountText: 'DE89370400440532013000' }],
        actor,
      ),
    ]);
    expect(again).toEqual([0, 0]);
    expect(normalizeAlias('Müller & Söhne GmbH.')).toBe('MULLER SOHNE GMBH');
    const rows = await t.database.query<{ alias_key: string; source: string }>(
      'SELECT alias_key, source FROM customer_alias WHERE company_id = $1 ORDER BY alias_key',
      [ctx.companyId],
    );
    expect(rows).toEqual([
      { alias_key: 'MULLER SOHNE GMBH', source: 'learned' },
      { alias_key: 'SUB B LTD', source: 'learned' },
    ]);
    const accounts = await t.database.query(
      'SELECT account_key, source FROM customer_bank_account WHERE company_id = $1',
      [ctx.companyId],
    );
    expect(accounts).toEqual([{ account_key: 'DE89370400440532013000', source: 'learned' }]);
    await expectRefused(
      (c) => addLearnedBankAccounts(c, ctx, [{ customerId: cust['SUB-A']!, accountText: '12' }], actor),
      0,
      'bad-account',
    );
    await expectRefused(
      (c) =>
        addLearnedAliases(
          c,
          ctx,
          [
            { customerId: cust['SUB-A']!, aliasText: 'x' },
            { customerId: cust['SUB-A']!, aliasText: ' .- ' },
          ],
          actor,
        ),
      1,
      'bad-alias',
    );
    await expectRefused(
      (c) =>
        addLearnedAliases(
          c,
          ctx,
          [{ customerId: '0190f0f0-0000-7000-8000-000000000000', aliasText: 'Ghost' }],
          actor,
        ),
      0,
      'not-found',
    );
  });
});
