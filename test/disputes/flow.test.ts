import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revertRun } from '../../src/cashapp/manual.js';
import { runCashapp } from '../../src/cashapp/run.js';
import { agingDetail, agingReport } from '../../src/collections/index.js';
import {
  addNote,
  approveResolution,
  assignCase,
  attachFile,
  caseDetail,
  closeCase,
  collectBackFindings,
  disputeCountsByCustomer,
  disputedByDocument,
  disputeReport,
  findCase,
  listCases,
  listDeductions,
  loadMatrixFile,
  loadReasonsFile,
  openCasesBulk,
  overdueCases,
  resolveCase,
  runEscalation,
  setSegment,
  updateSettings,
} from '../../src/disputes/index.js';
import { type CompanyContext, checkInvariants, recordReceipt, tieOut } from '../../src/ledger/index.js';
import type { SqlClient } from '../../src/store/client.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../helpers/db.js';
import { actor, MATRIX, seedCompany } from './setup.js';

async function openOf(client: SqlClient, ctx: CompanyContext, number: string): Promise<number> {
  const { rows } = await client.query<{ open_minor: number }>(
    'SELECT open_minor FROM document WHERE company_id = $1 AND document_number = $2',
    [ctx.companyId, number],
  );
  return rows[0]!.open_minor;
}

async function ledgerIsExact(client: SqlClient, ctx: CompanyContext) {
  expect((await tieOut(client, ctx)).tied).toBe(true);
  expect(await checkInvariants(client, ctx)).toEqual([]);
}

/**
 * A deduction from a cash-application short pay, followed through routing, escalation past its
 * deadline and a valid outcome; customers' claims resolved invalid (collect-back) and partial
 * (with a second person's approval); aging's disputed column and the holds at every step.
 */
describe.each(ENGINES)('disputes on %s', (engine) => {
  let t: TestDatabase;
  let ctx: CompanyContext;
  let ids: Record<string, string>;
  const tx = <T>(work: (client: SqlClient) => Promise<T>) =>
    t.database.transaction(({ client }) => work(client));

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    ({ ctx, ids } = await tx((client) => seedCompany(client, 'acme')));
    await tx(async (client) => {
      const loaded = await loadMatrixFile(
        client,
        ctx,
        { name: 'matrix.json', text: JSON.stringify(MATRIX) },
        { actor: 'manager' },
      );
      expect(loaded.rules).toHaveLength(4);
      expect(loaded.warnings).toEqual([]);
      await loadReasonsFile(
        client,
        ctx,
        { name: 'reasons.csv', text: 'type,code,name,customer,reason\ncustomer,PD,,C200,pricing\n' },
        'manager',
      );
      await setSegment(client, ctx, 'C100', 'key_account', 'manager');
    });
  });
  afterAll(async () => t?.dispose());

  it('opens and routes a case from a cash-application short pay', async () => {
    const run = await runCashapp(t.database, ctx, { actor, postingDate: '2026-10-21' });
    expect(run).toMatchObject({ deductions: 1 });
    const [c] = await tx((client) => listCases(client, ctx));
    expect(c).toMatchObject({
      caseNumber: 'DC-000001',
      origin: 'cashapp',
      customerNumber: 'C300',
      amountMinor: 250_00,
      baseAmountMinor: 250_00,
      reasonCode: 'damage',
      externalCode: 'DAMAGED',
      owner: 'Lee Logistics <lee@acme.example>',
      team: 'Logistics',
      ruleId: 'DMG-SMALL',
      openedOn: '2026-10-20',
      deadline: '2026-10-25',
      status: 'open',
      productLine: 'Outdoor apparel',
    });
    expect(c!.reasonText).toContain('LESS 250.00 DAMAGED GOODS');
    const detail = await tx((client) => caseDetail(client, ctx, 'DC-000001'));
    expect(detail.events.map((e) => e.kind)).toEqual(['opened']);
    expect(detail.events[0]!.text).toMatch(
      /remittance said DAMAGED → damage; routed by matrix rule DMG-SMALL/,
    );
    const held = await tx((client) => disputedByDocument(client, ctx.companyId));
    expect([...held]).toEqual([[ids['INV-1'], { disputedMinor: 250_00, caseIds: [c!.caseId] }]]);
    expect(await tx((client) => openOf(client, ctx, 'INV-1'))).toBe(250_00);
    const aging = await tx((client) => agingReport(client, ctx, { asOf: '2026-10-21' }));
    const row = aging.rows.find((r) => r.number === 'C300')!;
    expect([row.disputedMinor, row.amounts.ar]).toEqual([250_00, 250_00 + 1_200_00]);
    expect(aging.totalDisputedBase).toBe(250_00);
    expect(aging.hasDisputes).toBe(true);
    // The day before the short pay nothing was in dispute (rebuilt from the case's dates).
    const before = await tx((client) => agingReport(client, ctx, { asOf: '2026-10-19' }));
    expect(before.totalDisputedBase).toBe(0);
    await tx((client) => ledgerIsExact(client, ctx));
  });

  it('opens claims from customers and collectors, mapped and routed by segment and amount', async () => {
    const opened = await tx((client) =>
      openCasesBulk(
        client,
        ctx,
        [
          {
            customerId: ids.bolt!,
            origin: 'claim',
            openedOn: '2026-10-22',
            externalCode: 'pd',
            reasonText: 'price should be 9.20 per box',
            lines: [{ documentId: ids['INV-3']!, amountMinor: 80_00 }],
          },
          {
            customerId: ids.north!,
            origin: 'claim',
            openedOn: '2026-10-22',
            reasonText: 'Overcharged vs contract price',
            lines: [{ documentId: ids['INV-4']!, amountMinor: 6_000_00 }],
          },
          {
            customerId: ids.euro!,
            origin: 'collector',
            openedOn: '2026-10-23',
            externalCode: '04',
            lines: [{ documentId: ids['INV-5']!, amountMinor: 333_33 }],
          },
        ],
        { actor: 'collector' },
      ),
    );
    expect(
      opened.map((o) => [o.caseNumber, o.reasonCode, o.ruleId, o.owner, o.deadline, o.baseAmountMinor]),
    ).toEqual([
      ['DC-000002', 'pricing', 'ANY', 'ar-team@acme.example', '2026-11-05', 80_00],
      // 10 business days from Thursday 2026-10-22.
      ['DC-000003', 'pricing', 'PRC-KEY', 'Pat Pricing <pat@acme.example>', '2026-11-05', 6_000_00],
      // X12 04 (item not accepted - damaged); 333.33 EUR at 1.1 = 366.663 → 366.66 USD.
      ['DC-000004', 'damage', 'DMG-SMALL', 'Lee Logistics <lee@acme.example>', '2026-10-28', 366_66],
    ]);
    const euroAging = await tx((client) => agingReport(client, ctx, { asOf: '2026-10-23' }));
    const euro = euroAging.rows.find((r) => r.number === 'C400')!;
    expect([euro.disputedMinor, euro.disputedBaseMinor]).toEqual([333_33, 366_66]);
    const detail = await tx(async (client) => {
      const rows: { number: string; disputedMinor: number }[] = [];
      await agingDetail(client, ctx, { asOf: '2026-10-23', strategy: 'forward' }, (batch) => {
        rows.push(...batch.filter((r) => r.disputedMinor > 0));
      });
      return rows.map((r) => [r.number, r.disputedMinor]);
    });
    expect(detail).toEqual([
      ['INV-4', 6_000_00],
      ['INV-3', 80_00],
      ['INV-1', 250_00],
      ['INV-5', 333_33],
    ]);
    await expect(
      tx((client) =>
        openCasesBulk(
          client,
          ctx,
          [
            {
              customerId: ids.bolt!,
              origin: 'claim',
              openedOn: '2026-10-22',
              lines: [{ documentId: ids['INV-1']!, amountMinor: 1 }],
            },
          ],
          { actor },
        ),
      ),
    ).rejects.toThrow(/INV-1 belongs to another customer/);
    const counts = await tx((client) => disputeCountsByCustomer(client, ctx.companyId, '2026-10-01'));
    expect(counts.get(ids.north!)).toEqual({ cases: 1, amountMinor: 6_000_00 });
  });

  it('records notes, status, attachments and reassignment with who and why', async () => {
    await tx((client) =>
      addNote(client, ctx, 'DC-000002', {
        text: 'asked Bolt for their PO copy',
        status: 'waiting_on_customer',
        actor: 'collector',
      }),
    );
    const id = await tx((client) =>
      attachFile(client, ctx, '2', {
        fileName: 'po-4411.pdf',
        mediaType: 'application/pdf',
        bytes: new TextEncoder().encode('%PDF-1.4 fake'),
        path: null,
        store: true,
        kind: 'po',
        actor: 'collector',
      }),
    );
    const d = await tx((client) => caseDetail(client, ctx, 'DC-000002'));
    expect(d.case.status).toBe('waiting_on_customer');
    expect(d.attachments).toMatchObject([{ attachmentId: id, kind: 'po', sizeBytes: 13, stored: true }]);
    expect(d.attachments[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.events.map((e) => [e.kind, e.actor])).toEqual([
      ['opened', 'collector'],
      ['note', 'collector'],
      ['status', 'collector'],
      ['attached', 'collector'],
    ]);
    // History is append-only.
    await expect(
      tx((client) => client.query('DELETE FROM dispute_event WHERE company_id = $1', [ctx.companyId])),
    ).rejects.toThrow(/append-only/);
    await expect(
      tx((client) => addNote(client, ctx, 'DC-000002', { text: 'done', status: 'resolved', actor })),
    ).rejects.toThrow(/use resolve or close/);
  });

  it('escalates past the deadline to the owner, then the manager, once per level', async () => {
    expect(await tx((client) => overdueCases(client, ctx.companyId, '2026-10-25'))).toEqual([]);
    const overdue = await tx((client) => overdueCases(client, ctx.companyId, '2026-10-26'));
    expect(overdue).toEqual([
      {
        caseId: expect.any(String),
        customerId: ids.cobalt,
        owner: 'Lee Logistics <lee@acme.example>',
        deadline: '2026-10-25',
        amountMinor: 250_00,
        currency: 'USD',
        reasonCode: 'damage',
        escalationLevel: 0,
      },
    ]);
    const first = await tx((client) =>
      runEscalation(client, ctx, { asOf: '2026-10-26', actor: 'scheduler', smtp: false }),
    );
    expect(first.created.map((n) => [n.caseNumber, n.level, n.recipient, n.transport])).toEqual([
      ['DC-000001', 1, 'Lee Logistics <lee@acme.example>', 'outbox'],
    ]);
    const again = await tx((client) =>
      runEscalation(client, ctx, { asOf: '2026-10-26', actor: 'scheduler', smtp: false }),
    );
    expect(again.created).toEqual([]);
    // 2026-10-31: DC-000001 is 6 days late (> 5: its manager), DC-000004 3 days (its owner).
    const later = await tx((client) =>
      runEscalation(client, ctx, { asOf: '2026-10-31', actor: 'scheduler', smtp: false }),
    );
    expect(later.created.map((n) => [n.caseNumber, n.level, n.recipient])).toEqual([
      ['DC-000001', 2, 'Mia Ops <mia@acme.example>'],
      ['DC-000004', 1, 'Lee Logistics <lee@acme.example>'],
    ]);
    expect(
      (
        await tx((client) =>
          runEscalation(client, ctx, { asOf: '2026-11-02', actor: 'scheduler', smtp: false }),
        )
      ).created,
    ).toEqual([]);
    const worklist = await tx((client) => overdueCases(client, ctx.companyId, '2026-11-02'));
    expect(worklist.map((w) => [w.owner, w.escalationLevel])).toEqual([
      ['Lee Logistics <lee@acme.example>', 2],
      ['Lee Logistics <lee@acme.example>', 1],
    ]);
    // A new owner starts a new round: reminded again when late again.
    await tx((client) =>
      assignCase(client, ctx, 'DC-000004', {
        owner: 'Mia Ops <mia@acme.example>',
        deadline: '2026-11-03',
        reason: 'Lee is on leave',
        actor: 'manager',
      }),
    );
    const round2 = await tx((client) =>
      runEscalation(client, ctx, { asOf: '2026-11-04', actor: 'scheduler', smtp: false }),
    );
    expect(round2.created.map((n) => [n.caseNumber, n.level, n.recipient])).toEqual([
      ['DC-000004', 1, 'Mia Ops <mia@acme.example>'],
    ]);
  });

  it('valid: a credit memo for the deduction, applied to the invoice; the hold is released', async () => {
    const r = await tx((client) =>
      resolveCase(client, ctx, 'DC-000001', {
        outcome: 'valid',
        finding: 'carrier POD notes 10 cartons crushed',
        postingDate: '2026-11-03',
        actor: 'Lee',
      }),
    );
    expect(r).toMatchObject({
      status: 'posted',
      creditMinor: 250_00,
      collectMinor: 0,
      applicationIds: [expect.any(String)],
    });
    expect(await tx((client) => openOf(client, ctx, 'INV-1'))).toBe(0);
    expect(await tx((client) => openOf(client, ctx, 'CM-DC-000001'))).toBe(0);
    const journal = await tx(async (client) => {
      const { rows } = await client.query<{ account_code: string; total: number }>(
        `SELECT l.account_code, sum(l.base_amount_minor)::int8 AS total
           FROM journal_line l JOIN journal_entry e ON e.company_id = l.company_id AND e.entry_id = l.entry_id
          WHERE l.company_id = $1 AND e.posting_date = '2026-11-03' GROUP BY l.account_code ORDER BY 1`,
        [ctx.companyId],
      );
      return rows.map((x) => [x.account_code, x.total]);
    });
    // Cr AR 250 (credit memo), Dr sales 250; the application nets the memo against INV-1 within AR.
    expect(journal).toEqual([
      ['1100', -250_00],
      ['4000', 250_00],
    ]);
    const held = await tx((client) => disputedByDocument(client, ctx.companyId));
    expect(held.has(ids['INV-1']!)).toBe(false);
    expect(await tx((client) => listDeductions(client, ctx, { status: 'resolved' }))).toHaveLength(1);
    const c = await tx((client) => findCase(client, ctx, 'DC-000001'));
    expect(c).toMatchObject({
      status: 'resolved',
      outcome: 'valid',
      creditMinor: 250_00,
      resolvedOn: '2026-11-03',
      resolvedBy: 'Lee',
    });
    const aging = await tx((client) => agingReport(client, ctx, { asOf: '2026-11-03' }));
    expect(aging.rows.find((x) => x.number === 'C300')!.disputedMinor).toBe(0);
    // As of the day before, the case was still live: the deduction was disputed.
    const before = await tx((client) => agingReport(client, ctx, { asOf: '2026-11-02' }));
    expect(before.rows.find((x) => x.number === 'C300')!.disputedMinor).toBe(250_00);
    await tx((client) => ledgerIsExact(client, ctx));
  });

  it('invalid: nothing posts, the amount returns to dunning with the finding', async () => {
    const before = await tx((client) => openOf(client, ctx, 'INV-3'));
    const r = await tx((client) =>
      resolveCase(client, ctx, 'DC-000002', {
        outcome: 'invalid',
        finding: 'price 9.80 per box per agreement of 2026-03-01 (attached)',
        postingDate: '2026-11-04',
        actor: 'ar-team',
      }),
    );
    expect(r).toMatchObject({
      status: 'posted',
      creditMinor: 0,
      collectMinor: 80_00,
      creditDocumentId: null,
    });
    expect(await tx((client) => openOf(client, ctx, 'INV-3'))).toBe(before);
    expect((await tx((client) => disputedByDocument(client, ctx.companyId))).has(ids['INV-3']!)).toBe(false);
    const findings = await tx((client) => collectBackFindings(client, ctx.companyId, '2026-11-01'));
    expect(findings.get(ids['INV-3']!)).toMatchObject({
      caseNumber: 'DC-000002',
      collectMinor: 80_00,
      finding: 'price 9.80 per box per agreement of 2026-03-01 (attached)',
    });
    await tx((client) => ledgerIsExact(client, ctx));
  });

  it('partial: above the approval threshold a second person approves; the rest is collected back', async () => {
    await tx((client) => updateSettings(client, ctx, { approvalThresholdMinor: 1_000_00 }, 'controller'));
    const proposed = await tx((client) =>
      resolveCase(client, ctx, 'DC-000003', {
        outcome: 'partial',
        creditMinor: 2_500_00,
        finding: 'contract price applies to 250 of the 600 units',
        postingDate: '2026-11-05',
        actor: 'pat',
      }),
    );
    expect(proposed).toMatchObject({ status: 'pending', creditMinor: 2_500_00, collectMinor: 3_500_00 });
    expect(proposed.approval).toMatch(/above the approval threshold 1000.00/);
    expect(await tx((client) => openOf(client, ctx, 'INV-4'))).toBe(20_000_00);
    expect((await tx((client) => findCase(client, ctx, 'DC-000003'))).status).toBe('waiting_on_internal');
    // Still held while it waits.
    expect(
      (await tx((client) => disputedByDocument(client, ctx.companyId))).get(ids['INV-4']!)?.disputedMinor,
    ).toBe(6_000_00);
    await expect(
      tx((client) => approveResolution(client, ctx, 'DC-000003', { actor: 'pat' })),
    ).rejects.toThrow(/second person/);
    const rejected = await tx((client) =>
      approveResolution(client, ctx, 'DC-000003', {
        actor: 'sam',
        reject: true,
        reason: 'check the 2026 price list first',
      }),
    );
    expect(rejected.decision).toBe('rejected');
    expect((await tx((client) => findCase(client, ctx, 'DC-000003'))).status).toBe('open');
    await tx((client) =>
      resolveCase(client, ctx, 'DC-000003', {
        outcome: 'partial',
        creditMinor: 2_500_00,
        finding: 'contract price applies to 250 of the 600 units (2026 list checked)',
        postingDate: '2026-11-05',
        actor: 'pat',
      }),
    );
    const approved = await tx((client) => approveResolution(client, ctx, 'DC-000003', { actor: 'sam' }));
    expect(approved).toMatchObject({ decision: 'approved', status: 'posted', creditMinor: 2_500_00 });
    expect(await tx((client) => openOf(client, ctx, 'INV-4'))).toBe(17_500_00);
    const c = await tx((client) => findCase(client, ctx, 'DC-000003'));
    expect(c).toMatchObject({
      status: 'resolved',
      outcome: 'partial',
      creditMinor: 2_500_00,
      collectMinor: 3_500_00,
      resolvedBy: 'pat',
    });
    const events = (await tx((client) => caseDetail(client, ctx, 'DC-000003'))).events;
    expect(events.slice(-5).map((e) => [e.kind, e.actor])).toEqual([
      ['proposed', 'pat'],
      ['rejected', 'sam'],
      ['proposed', 'pat'],
      ['approved', 'sam'],
      ['resolved', 'sam'],
    ]);
    expect(
      (await tx((client) => collectBackFindings(client, ctx.companyId, '2026-11-01'))).get(ids['INV-4']!)
        ?.collectMinor,
    ).toBe(3_500_00);
    await tx((client) => ledgerIsExact(client, ctx));
  });

  it('closes a case without posting and reports root causes', async () => {
    await tx((client) =>
      closeCase(client, ctx, 'DC-000004', {
        reason: 'customer paid the difference',
        actor: 'collector',
        on: '2026-11-06',
      }),
    );
    expect(await tx((client) => disputedByDocument(client, ctx.companyId))).toEqual(new Map());
    const byReason = await tx((client) =>
      disputeReport(client, ctx, { by: 'reason', from: '2026-10-01', to: '2026-11-30' }),
    );
    expect(
      byReason.rows.map((r) => [
        r.key,
        r.opened,
        r.openedBaseMinor,
        r.valid,
        r.invalid,
        r.partial,
        r.withdrawn,
      ]),
    ).toEqual([
      ['pricing', 2, 6_080_00, 0, 1, 1, 0],
      ['damage', 2, 616_66, 1, 0, 0, 1],
    ]);
    const damage = byReason.rows[1]!;
    expect(damage).toMatchObject({
      name: 'Damage',
      creditedBaseMinor: 250_00,
      avgDaysToResolve: 14,
      liveAtEnd: 0,
    });
    expect(byReason.total).toMatchObject({
      opened: 4,
      resolved: 3,
      creditedBaseMinor: 2_750_00,
      collectedBackBaseMinor: 3_580_00,
    });
    const byMonth = await tx((client) =>
      disputeReport(client, ctx, { by: 'month', from: '2026-10-01', to: '2026-11-30' }),
    );
    expect(
      byMonth.rows.map((r) => [r.key, r.opened, r.resolved, r.withdrawn, r.liveAtEnd, r.liveAtEndBaseMinor]),
    ).toEqual([
      ['2026-10', 4, 0, 0, 4, 6_696_66],
      ['2026-11', 0, 3, 1, 0, 0],
    ]);
    // October: 6,696.66 still open at the end of 31 days of 6,696.66 taken: DDO 31.
    expect(byMonth.rows[0]!.ddo).toBe(31);
    const byOwner = await tx((client) =>
      disputeReport(client, ctx, { by: 'owner', from: '2026-10-01', to: '2026-10-31' }),
    );
    expect(byOwner.rows.map((r) => [r.key, r.liveAtEnd])).toEqual([
      ['Pat Pricing <pat@acme.example>', 1],
      ['Mia Ops <mia@acme.example>', 1],
      ['Lee Logistics <lee@acme.example>', 1],
      ['ar-team@acme.example', 1],
    ]);
    const byProduct = await tx((client) =>
      disputeReport(client, ctx, {
        by: 'product_line',
        from: '2026-10-01',
        to: '2026-11-30',
        repeatMinCases: 1,
      }),
    );
    expect(byProduct.rows.map((r) => r.label)).toEqual(['Industrial fasteners', 'Outdoor apparel']);
    expect(byProduct.repeatOffenders.map((o) => o.customerNumber).sort()).toEqual([
      'C100',
      'C200',
      'C300',
      'C400',
    ]);
  });

  it('a reverted cash-application run closes the cases of the deductions it cancels', async () => {
    const r2 = await tx((client) =>
      recordReceipt(client, ctx, {
        receiptKey: 'R2',
        customerId: null,
        receiptDate: '2026-11-10',
        method: 'ach',
        currency: 'USD',
        amountMinor: 1_100_00,
        payerName: 'COBALT OUTFITTERS',
        remittanceText: 'INV-2 LESS 100.00 FREIGHT',
        actor,
      }),
    );
    expect(r2).toBeTruthy();
    const run = await runCashapp(t.database, ctx, { actor, postingDate: '2026-11-10' });
    expect(run.deductions).toBe(1);
    const [c] = await tx((client) => listCases(client, ctx));
    expect(c).toMatchObject({
      caseNumber: 'DC-000005',
      reasonCode: 'freight',
      ruleId: 'ANY',
      amountMinor: 100_00,
    });
    await revertRun(t.database, ctx, run.runId, { actor, reason: 'wrong customer' });
    const closed = await tx((client) => findCase(client, ctx, 'DC-000005'));
    expect(closed).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
    expect(closed.finding).toMatch(/^deduction cancelled: run reverted: wrong customer/);
    expect(await tx((client) => disputedByDocument(client, ctx.companyId))).toEqual(new Map());
    await tx((client) => ledgerIsExact(client, ctx));
  });
});
