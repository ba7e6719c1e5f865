import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWithFixtures, openarInProcess as openar, tempDatabase } from '../helpers/cli.js';
import { createScratchDatabase, dropScratchDatabase, ENGINES } from '../helpers/db.js';

/**
 * The dispute commands end to end (PGlite): a bad matrix refused with its places, a good one
 * loaded, a claim opened and routed, worked (note, attachment, assignment), escalated, resolved
 * with a second person's approval, and the root-cause report and aging's disputed column in
 * every format.
 */
describe.each(ENGINES)('openar dispute on %s', { timeout: 600_000 }, (engine) => {
  const { dir, db: embedded } = tempDatabase('disputes');
  let db = embedded;
  beforeAll(async () => {
    if (engine === 'postgres') db = await createScratchDatabase();
  });
  afterAll(async () => {
    if (engine === 'postgres') await dropScratchDatabase(db);
  });

  it('opens, routes, works, escalates, resolves and reports', async () => {
    await initWithFixtures((...args) => openar(db, 'admin', ...args), ['customers', 'invoices']);

    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'id,reason,min,max,owner,deadline_days\nA,damage,0,100.00,lee,5\nB,damage,50.00,,mia,5\nC,pricng,,,pat,5x\n',
    );
    const refused = await openar(db, 'manager', 'dispute', 'matrix', 'load', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('bad.csv is not valid (3 problems)');
    expect(refused.stderr).toContain(
      'bad.csv: line 4: reason: expected a reason code of the catalogue, or * for any, got "pricng"',
    );
    expect(refused.stderr).toContain(
      'bad.csv: line 3: min: expected a range not overlapping rule A (0.00 to under 100.00)',
    );
    expect(refused.stderr).not.toContain('    at ');

    const good = join(dir, 'matrix.json');
    writeFileSync(
      good,
      JSON.stringify({
        rules: [
          {
            id: 'DMG',
            reason: 'damage',
            owner: 'Lee <lee@acme.example>',
            manager: 'Mia <mia@acme.example>',
            team: 'Logistics',
            deadline_days: 5,
          },
          {
            id: 'PRC',
            reason: 'pricing',
            max: '1000.00',
            owner: 'Pat <pat@acme.example>',
            team: 'Pricing',
            deadline_days: 10,
          },
        ],
      }),
    );
    const loaded = await openar(db, 'manager', 'dispute', 'matrix', 'load', good);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toContain('2 rules loaded');
    expect(loaded.stdout).toContain(
      'warning: reason pricing, segment (none/other): 1000.00 and above is not covered',
    );
    expect((await openar(db, 'manager', 'dispute', 'matrix', 'show')).stdout).toContain(
      '0.00 to under 1000.00',
    );

    const reasons = join(dir, 'reasons.csv');
    writeFileSync(
      reasons,
      'type,code,name,customer,reason\nreason,slotting,Slotting fees,,\ncustomer,DMG,,C101,damage\n',
    );
    expect((await openar(db, 'manager', 'dispute', 'reasons', 'load', reasons)).stdout).toContain(
      '1 reasons and 1 code mappings loaded',
    );
    expect((await openar(db, 'manager', 'dispute', 'reasons', 'list')).stdout).toContain('Slotting fees');

    const opened = await openar(
      db,
      'collector',
      'dispute',
      'open',
      '--item',
      'INV-1002=300.50',
      '--code',
      'dmg',
      '--text',
      'two pallets crushed',
      '--date',
      '2026-03-02',
      '--json',
    );
    expect(opened.code).toBe(0);
    expect(JSON.parse(opened.stdout)).toMatchObject({
      caseNumber: 'DC-000001',
      reasonCode: 'damage',
      ruleId: 'DMG',
      deadline: '2026-03-07',
      amountMinor: 300_50,
    });
    expect((await openar(db, 'collector', 'dispute', 'open', '--item', 'INV-1002=9000.00')).code).toBe(1);
    expect((await openar(db, 'collector', 'dispute', 'open', '--item', 'INV-1002=abc')).code).toBe(2);
    expect(
      (
        await openar(
          db,
          'collector',
          'dispute',
          'open',
          '--item',
          'INV-1001',
          '--reason',
          'pricing',
          '--date',
          '2026-03-02',
        )
      ).stdout,
    ).toContain('DC-000002 opened: 1200.00 USD, reason pricing, owner ar-deductions');

    expect(
      (
        await openar(
          db,
          'collector',
          'dispute',
          'note',
          'DC-000001',
          'asked for photos',
          '--status',
          'waiting_on_customer',
        )
      ).code,
    ).toBe(0);
    const pod = join(dir, 'pod.txt');
    writeFileSync(pod, 'signed: 2 pallets damaged');
    expect((await openar(db, 'collector', 'dispute', 'attach', '1', pod, '--kind', 'pod')).code).toBe(0);
    expect(
      (
        await openar(
          db,
          'manager',
          'dispute',
          'assign',
          '2',
          '--owner',
          'Pat <pat@acme.example>',
          '--reason',
          'pricing owns it',
        )
      ).code,
    ).toBe(0);

    const list = JSON.parse((await openar(db, 'collector', 'dispute', 'list', '--json')).stdout);
    expect(list.map((c: { caseNumber: string; status: string }) => [c.caseNumber, c.status])).toEqual([
      ['DC-000001', 'waiting_on_customer'],
      ['DC-000002', 'open'],
    ]);
    const esc = await openar(db, 'scheduler', 'dispute', 'escalate', '--as-of', '2026-03-20', '--json');
    expect(
      JSON.parse(esc.stdout).created.map((n: { caseNumber: string; level: number }) => [
        n.caseNumber,
        n.level,
      ]),
    ).toEqual([
      ['DC-000001', 1],
      ['DC-000001', 2],
      ['DC-000002', 1],
    ]);
    expect(
      JSON.parse(
        (await openar(db, 'scheduler', 'dispute', 'escalate', '--as-of', '2026-03-20', '--json')).stdout,
      ).created,
    ).toEqual([]);
    expect(
      (await openar(db, 'collector', 'dispute', 'list', '--overdue', '--as-of', '2026-03-20')).stdout,
    ).toContain('DC-000002');

    const agingCsv = (
      await openar(db, 'collector', 'report', 'aging', '--as-of', '2026-03-10', '--format', 'csv')
    ).stdout;
    expect(agingCsv.split('\n')[0]).toMatch(/,items,disputed,base_disputed$/);
    expect(agingCsv).toMatch(/^group,[^,]+,C101,.*,300\.50,300\.50$/m);

    expect((await openar(db, 'manager', 'dispute', 'settings', '--approval-threshold', '100.00')).code).toBe(
      0,
    );
    const proposed = await openar(
      db,
      'lee',
      'dispute',
      'resolve',
      '1',
      '--outcome',
      'partial',
      '--credit',
      '200.00',
      '--finding',
      'one pallet was damaged',
      '--date',
      '2026-03-21',
    );
    expect(proposed.stdout).toContain("waits for a second person's approval");
    const self = await openar(db, 'lee', 'dispute', 'approve', '1');
    expect([self.code, self.stderr.trim()]).toEqual([
      1,
      'openar: lee proposed this resolution: a second person must approve it',
    ]);
    const approved = await openar(db, 'mia', 'dispute', 'approve', '1');
    expect(approved.stdout).toContain(
      'resolved partial: credit 200.00, collect back 100.50 (credit memo CM-DC-000001)',
    );
    expect(
      (
        await openar(
          db,
          'pat',
          'dispute',
          'resolve',
          '2',
          '--outcome',
          'invalid',
          '--finding',
          'list price applies',
          '--date',
          '2026-03-22',
        )
      ).code,
    ).toBe(0);
    const show = await openar(db, 'pat', 'dispute', 'show', '1');
    expect(show.stdout).toContain('pod.txt');
    expect(show.stdout).toContain('outcome partial on 2026-03-21 by lee: one pallet was damaged');
    const tie = await openar(db, 'admin', 'ledger', 'balance');
    expect(tie.code).toBe(0);

    const json = JSON.parse(
      (
        await openar(
          db,
          'pat',
          'report',
          'disputes',
          '--by',
          'reason',
          '--from',
          '2026-03-01',
          '--to',
          '2026-03-31',
          '--json',
        )
      ).stdout,
    );
    expect(
      json.rows.map((r: { key: string; opened: number; credited: string; collected_back: string }) => [
        r.key,
        r.opened,
        r.credited,
        r.collected_back,
      ]),
    ).toEqual([
      ['pricing', 1, '0.00', '1200.00'],
      ['damage', 1, '200.00', '100.50'],
    ]);
    const csv = (
      await openar(
        db,
        'pat',
        'report',
        'disputes',
        '--by',
        'month',
        '--from',
        '2026-03-01',
        '--to',
        '2026-03-31',
        '--format',
        'csv',
      )
    ).stdout;
    expect(csv.split('\n')[0]).toContain('row_type,group_by,key,label,name,from,to,opened,opened_amount');
    expect(csv).toContain('group,month,2026-03,2026-03,,2026-03-01,2026-03-31,2');
    const table = await openar(
      db,
      'pat',
      'report',
      'disputes',
      '--by',
      'owner',
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-31',
    );
    expect(table.stdout).toContain('Disputes and deductions 2026-03-01 to 2026-03-31');
    const xlsx = join(dir, 'disputes.xlsx');
    expect(
      (
        await openar(
          db,
          'pat',
          'report',
          'disputes',
          '--by',
          'customer',
          '--from',
          '2026-03-01',
          '--to',
          '2026-03-31',
          '--format',
          'xlsx',
          '--output',
          xlsx,
        )
      ).code,
    ).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Disputes', 'Repeat offenders', 'Recurring reasons']);
    expect((await openar(db, 'pat', 'report', 'disputes', '--by', 'colour')).code).toBe(2);
    expect(readFileSync(xlsx).length).toBeGreaterThan(1000);
  });
});
