import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agingReport } from '../../src/collections/aging.js';
import { type InTransaction, runDunning } from '../../src/collections/dunning/index.js';
import { renderPlanned } from '../../src/collections/dunning/record.js';
import { prepareRun } from '../../src/collections/dunning/run.js';
import { openDeductions } from '../../src/disputes/index.js';
import { resolveCase } from '../../src/disputes/resolve.js';
import { type CompanyContext, createCompany, postDocument, tieOut } from '../../src/ledger/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';

const actor = 'release-test';
const AS_OF = '2026-03-31';

/**
 * One short pay followed across modules: the deduction cash application opens holds its invoice
 * out of dunning and shows in aging's disputed column; the owner finds it invalid; the next
 * dunning run asks for the amount again, and the ledger never moved.
 */
describe.each(ENGINES)('a deduction found invalid goes back to dunning on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let tx: InTransaction;
  let customerId: string;
  let invoiceId: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    tx = (work) => t.database.transaction(({ client }) => work(client));
    await tx(async (client) => {
      ctx = await createCompany(client, { code: 'rel', name: 'Release Corp', baseCurrency: 'USD', actor });
      customerId = uuidv7();
      await client.query(
        `INSERT INTO customer (company_id, customer_id, customer_number, name, currency, email, created_by, updated_by)
         VALUES ($1, $2, 'K1', 'Kestrel Foods', 'USD', 'ap@kestrel.example', $3, $3)`,
        [ctx.companyId, customerId, actor],
      );
      invoiceId = await postDocument(client, ctx, {
        documentNumber: 'INV-K1',
        customerId,
        docType: 'invoice',
        documentDate: '2026-02-01',
        dueDate: '2026-03-03',
        currency: 'USD',
        amountMinor: 120_00,
        actor,
      });
      await openDeductions(
        client,
        ctx,
        [
          {
            customerId,
            documentId: invoiceId,
            receiptId: null,
            applicationId: null,
            currency: 'USD',
            amountMinor: 120_00,
            reasonCode: 'PRICING',
            reasonText: 'PRICE DIFFERENCE PER CONTRACT',
          },
        ],
        { actor: 'cash.application', openedOn: '2026-03-10' },
      );
    });
  });
  afterAll(async () => t?.dispose());

  it('holds the disputed invoice out of dunning and shows it in aging', async () => {
    const run = await runDunning(tx, ctx, { asOf: AS_OF, dryRun: true, actor });
    expect(run.letters.flatMap((l) => l.documents)).not.toContain('INV-K1');
    expect(run.skipped.map((s) => [s.customerNumber, s.code])).toContainEqual(['K1', 'disputed']);
    const aging = await tx((client) => agingReport(client, ctx, { asOf: AS_OF }));
    expect(aging.rows.find((r) => r.number === 'K1')!.disputedMinor).toBe(120_00);
  });

  it('after an invalid finding, dunning asks for the amount again and nothing was posted', async () => {
    const before = await tx((client) => tieOut(client, ctx));
    const { rows } = await tx((client) =>
      client.query<{ case_number: string }>('SELECT case_number FROM dispute_case WHERE company_id = $1', [
        ctx.companyId,
      ]),
    );
    const resolved = await tx((client) =>
      resolveCase(client, ctx, rows[0]!.case_number, {
        outcome: 'invalid',
        finding: 'contract price 9.80 applies; the invoice is right',
        postingDate: AS_OF,
        actor: 'pricing.owner',
      }),
    );
    expect(resolved).toMatchObject({ status: 'posted', creditMinor: 0, collectMinor: 120_00 });
    const run = await runDunning(tx, ctx, { asOf: AS_OF, dryRun: true, actor });
    const letter = run.letters.find((l) => l.customerNumber === 'K1' && l.action === 'email');
    expect(letter?.documents).toContain('INV-K1');
    expect(letter?.status).toBe('would_send');
    // The letter tells the customer why it is asked again: the owner's finding, with the case.
    const prepared = await tx((client) => prepareRun(client, ctx, AS_OF));
    const planned = prepared.plan.letters.find((l) => l.customerNumber === 'K1' && l.action === 'email')!;
    const body = renderPlanned(ctx, prepared.config, planned, AS_OF).body!;
    expect(body).toMatch(/INV-K1: contract price 9\.80 applies; the invoice is right \(DC-\d{6}\)/);
    const aging = await tx((client) => agingReport(client, ctx, { asOf: AS_OF }));
    expect(aging.rows.find((r) => r.number === 'K1')!.disputedMinor).toBe(0);
    const after = await tx((client) => tieOut(client, ctx));
    expect(after).toEqual(before);
    expect(after.tied).toBe(true);
  });
});
