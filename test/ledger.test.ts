import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustDocument,
  applyCredit,
  applyReceipt,
  type CompanyContext,
  checkInvariants,
  createCompany,
  MAX_DOCUMENTS_PER_CALL,
  postDocument,
  postDocuments,
  putOnAccount,
  recordReceipt,
  reverseAdjustment,
  setPeriodStatus,
  tieOut,
  unapply,
} from '../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/db.js';

const actor = 'test';

describe.each(ENGINES)('ledger on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let customerId: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    await t.database.transaction(async ({ client }) => {
      ctx = await createCompany(client, { code: 'acme', name: 'Acme', baseCurrency: 'USD', actor });
      customerId = (
        await client.query<{ id: string }>(
          `INSERT INTO customer (company_id, customer_id, customer_number, name, currency, created_by, updated_by)
           VALUES ($1, gen_random_uuid(), 'C1', 'Customer One', 'USD', 't', 't') RETURNING customer_id AS id`,
          [ctx.companyId],
        )
      ).rows[0]!.id;
    });
  });
  afterAll(async () => t?.dispose());

  it('posts an invoice, a receipt and an application that tie out', async () => {
    await t.database.transaction(async ({ client }) => {
      const inv = await postDocument(client, ctx, {
        documentNumber: 'INV-1',
        customerId,
        docType: 'invoice',
        documentDate: '2026-01-10',
        dueDate: '2026-02-09',
        currency: 'USD',
        amountMinor: 100_00,
        actor,
      });
      const rec = await recordReceipt(client, ctx, {
        receiptKey: 'P-1',
        customerId: null,
        receiptDate: '2026-02-01',
        method: 'ach',
        currency: 'USD',
        amountMinor: 150_00,
        actor,
      });
      await applyReceipt(client, ctx, {
        receiptId: rec,
        documentId: inv,
        cashMinor: 98_00,
        discountMinor: 2_00,
        postingDate: '2026-02-01',
        actor,
      });
      await putOnAccount(client, ctx, {
        receiptId: rec,
        amountMinor: 52_00,
        postingDate: '2026-02-01',
        actor,
      });
      const doc = await client.query<{ open_minor: number }>(
        'SELECT open_minor FROM document WHERE document_id = $1',
        [inv],
      );
      expect(doc.rows[0]!.open_minor).toBe(0);
      const tie = await tieOut(client, ctx);
      expect(tie.tied).toBe(true);
      expect(tie.arBase.subledgerMinor).toBe(-52_00);
      expect(await checkInvariants(client, ctx)).toEqual([]);
    });
  });

  it('refuses to apply more than a receipt holds, and the database refuses too', async () => {
    await expect(
      t.database.transaction(async ({ client }) => {
        const inv = await postDocument(client, ctx, {
          documentNumber: 'INV-2',
          customerId,
          docType: 'invoice',
          documentDate: '2026-01-10',
          dueDate: '2026-02-09',
          currency: 'USD',
          amountMinor: 500_00,
          actor,
        });
        const rec = await recordReceipt(client, ctx, {
          receiptKey: 'P-2',
          customerId,
          receiptDate: '2026-02-01',
          method: 'ach',
          currency: 'USD',
          amountMinor: 10_00,
          actor,
        });
        await applyReceipt(client, ctx, {
          receiptId: rec,
          documentId: inv,
          cashMinor: 11_00,
          postingDate: '2026-02-01',
          actor,
        });
      }),
    ).rejects.toThrow(/has 1000 unapplied/);
    await expect(
      t.database.query(`UPDATE receipt SET unapplied_minor = -1 WHERE company_id = $1`, [ctx.companyId]),
    ).rejects.toThrow(/check constraint/);
  });

  it('keeps history append-only and journal entries balanced at the database level', async () => {
    await expect(t.database.query('DELETE FROM journal_line')).rejects.toThrow(/append-only/);
    await expect(
      t.database.transaction(async ({ client }) => {
        await client.query(
          `INSERT INTO journal_entry (company_id, entry_id, posting_date, source_type, memo, line_count, debit_base_minor, credit_base_minor, created_by)
           VALUES ($1, '00000000-0000-7000-8000-000000000001', '2026-01-01', 'test', 'bad', 2, 5, 5, 't')`,
          [ctx.companyId],
        );
        await client.query(
          `INSERT INTO journal_line (company_id, entry_id, line_no, account_code, currency, amount_minor, base_amount_minor)
           VALUES ($1, '00000000-0000-7000-8000-000000000001', 1, $2, 'USD', 5, 5),
                  ($1, '00000000-0000-7000-8000-000000000001', 2, $3, 'USD', -4, -4)`,
          [ctx.companyId, ctx.accounts.cash, ctx.accounts.unapplied_cash],
        );
      }),
    ).rejects.toThrow(/does not balance/);
  });

  it('unapplies, credits, writes off and reverses with an exact trail', async () => {
    await t.database.transaction(async ({ client }) => {
      const inv = await postDocument(client, ctx, {
        documentNumber: 'INV-3',
        customerId,
        docType: 'invoice',
        documentDate: '2026-03-01',
        dueDate: '2026-03-31',
        currency: 'USD',
        amountMinor: 300_00,
        actor,
      });
      const cm = await postDocument(client, ctx, {
        documentNumber: 'CM-3',
        customerId,
        docType: 'credit_memo',
        documentDate: '2026-03-02',
        dueDate: '2026-03-02',
        currency: 'USD',
        amountMinor: 50_00,
        actor,
      });
      const rec = await recordReceipt(client, ctx, {
        receiptKey: 'P-3',
        customerId,
        receiptDate: '2026-03-10',
        method: 'check',
        currency: 'USD',
        amountMinor: 200_00,
        actor,
      });
      const app = await applyReceipt(client, ctx, {
        receiptId: rec,
        documentId: inv,
        cashMinor: 200_00,
        postingDate: '2026-03-10',
        actor,
      });
      await applyCredit(client, ctx, {
        creditDocumentId: cm,
        documentId: inv,
        amountMinor: 50_00,
        postingDate: '2026-03-10',
        actor,
      });
      const wo = await adjustDocument(client, ctx, {
        documentId: inv,
        kind: 'small_balance',
        amountMinor: 50_00,
        postingDate: '2026-03-11',
        reason: 'agreed',
        actor,
      });
      await reverseAdjustment(client, ctx, {
        adjustmentId: wo,
        postingDate: '2026-03-12',
        reason: 'customer will pay',
        actor,
      });
      await unapply(client, ctx, {
        applicationId: app,
        postingDate: '2026-03-12',
        reason: 'misapplied',
        actor,
      });
      await expect(
        unapply(client, ctx, { applicationId: app, postingDate: '2026-03-12', reason: 'again', actor }),
      ).rejects.toThrow(/already/);
      const doc = await client.query<{ open_minor: number }>(
        'SELECT open_minor FROM document WHERE document_id = $1',
        [inv],
      );
      expect(doc.rows[0]!.open_minor).toBe(250_00);
      const r = await client.query<{ unapplied_minor: number }>(
        'SELECT unapplied_minor FROM receipt WHERE receipt_id = $1',
        [rec],
      );
      expect(r.rows[0]!.unapplied_minor).toBe(200_00);
      expect(await checkInvariants(client, ctx)).toEqual([]);
    });
  });

  it('realizes FX gain or loss and still ties in base and in each currency', async () => {
    await t.database.transaction(async ({ client }) => {
      const inv = await postDocument(client, ctx, {
        documentNumber: 'INV-EUR',
        customerId,
        docType: 'invoice',
        documentDate: '2026-04-01',
        dueDate: '2026-05-01',
        currency: 'EUR',
        amountMinor: 1000_00,
        fxRate: '1.10',
        actor,
      });
      const rec = await recordReceipt(client, ctx, {
        receiptKey: 'P-EUR',
        customerId,
        receiptDate: '2026-05-01',
        method: 'wire',
        currency: 'EUR',
        amountMinor: 1000_00,
        fxRate: '1.05',
        actor,
      });
      await applyReceipt(client, ctx, {
        receiptId: rec,
        documentId: inv,
        cashMinor: 333_33,
        postingDate: '2026-05-01',
        actor,
      });
      await applyReceipt(client, ctx, {
        receiptId: rec,
        documentId: inv,
        cashMinor: 666_67,
        postingDate: '2026-05-01',
        actor,
      });
      const fx = await client.query<{ total: number }>(
        'SELECT sum(fx_gain_loss_base_minor)::int8 AS total FROM application WHERE document_id = $1',
        [inv],
      );
      expect(fx.rows[0]!.total).toBe(-50_00);
      const tie = await tieOut(client, ctx);
      expect(tie.tied).toBe(true);
      expect(await checkInvariants(client, ctx)).toEqual([]);
    });
  });

  it('posts many documents at once, each with its own balanced entry, and refuses a bad one whole', async () => {
    const doc = (n: number, over: Partial<Parameters<typeof postDocument>[2]> = {}) => ({
      documentNumber: `MANY-${n}`,
      customerId,
      docType: 'debit_memo' as const,
      documentDate: '2026-06-01',
      dueDate: '2026-06-15',
      currency: 'USD',
      amountMinor: 10_00 + n,
      actor,
      ...over,
    });
    await t.database.transaction(async ({ client }) => {
      const ids = await postDocuments(client, ctx, [
        doc(1),
        doc(2, { currency: 'EUR', fxRate: '1.25', actor: 'dunning' }),
        doc(3, { docType: 'credit_memo' }),
      ]);
      const { rows } = await client.query<{
        document_number: string;
        base_amount_minor: number;
        open_minor: number;
        created_by: string;
        source_id: string;
        entry_by: string;
        lines: number;
        net: number;
      }>(
        `SELECT d.document_number, d.base_amount_minor, d.open_minor, d.created_by, e.source_id::text,
                e.created_by AS entry_by,
                (SELECT count(*)::int4 FROM journal_line l WHERE l.company_id = e.company_id AND l.entry_id = e.entry_id) AS lines,
                (SELECT sum(l.base_amount_minor)::int8 FROM journal_line l
                  WHERE l.company_id = e.company_id AND l.entry_id = e.entry_id) AS net
           FROM document d JOIN journal_entry e ON e.company_id = d.company_id AND e.entry_id = d.entry_id
          WHERE d.document_id = ANY($1::uuid[]) ORDER BY d.document_number`,
        [ids],
      );
      expect(
        rows.map((r) => [r.document_number, r.base_amount_minor, r.open_minor, r.created_by, r.entry_by]),
      ).toEqual([
        ['MANY-1', 10_01, 10_01, actor, actor],
        ['MANY-2', 12_52, 10_02, 'dunning', 'dunning'], // 10.02 EUR × 1.25 = 12.525: half-even
        ['MANY-3', 10_03, 10_03, actor, actor],
      ]);
      // In the input's order, each document the source of its own entry, every entry balanced.
      expect(rows.map((r) => r.source_id).sort()).toEqual([...ids].sort());
      for (const r of rows) expect([r.lines >= 2, r.net]).toEqual([true, 0]);
      expect((await tieOut(client, ctx)).tied).toBe(true);
      expect(await checkInvariants(client, ctx)).toEqual([]);
    });
    await expect(
      t.database.transaction(async ({ client }) =>
        postDocuments(client, ctx, [doc(4), doc(5, { currency: 'EUR', fxRate: undefined })]),
      ),
    ).rejects.toThrow(/exchange rate is needed for EUR/);
    const left = await t.database.query<{ n: number }>(
      "SELECT count(*)::int4 AS n FROM document WHERE company_id = $1 AND document_number IN ('MANY-4', 'MANY-5')",
      [ctx.companyId],
    );
    expect(left[0]!.n).toBe(0);
    await expect(
      t.database.transaction(async ({ client }) =>
        postDocuments(
          client,
          ctx,
          Array.from({ length: MAX_DOCUMENTS_PER_CALL + 1 }, (_, i) => doc(100 + i)),
        ),
      ),
    ).rejects.toThrow(/at most 10000/);
  });

  it('refuses postings into a closed period', async () => {
    await t.database.transaction(async ({ client }) =>
      setPeriodStatus(client, ctx, '2025-12', 'closed', actor, 'year end'),
    );
    await expect(
      t.database.transaction(async ({ client }) =>
        postDocument(client, ctx, {
          documentNumber: 'INV-OLD',
          customerId,
          docType: 'invoice',
          documentDate: '2025-12-15',
          dueDate: '2026-01-14',
          currency: 'USD',
          amountMinor: 1_00,
          actor,
        }),
      ),
    ).rejects.toThrow(/period 2025-12 is closed/);
  });
});
