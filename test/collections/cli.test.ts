import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { fixture, initWithFixtures, openar, tempDatabase } from '../helpers/cli.js';

const iso = (d: Date) => d.toISOString().slice(0, 10);

/**
 * `openar report aging|metrics` over the canonical fixtures (PGlite): JSON with decimal strings,
 * an as-of date before and after a re-import revised an invoice, CSV, XLSX sheets, metrics as
 * numbers, and bad usage refused with exit code 2.
 */
describe('openar report', { timeout: 600_000 }, () => {
  const { dir, db } = tempDatabase('report');

  it('ages, summarizes, revises, exports and measures', async () => {
    await initWithFixtures((...args) => openar(db, ...args));

    const aging = openar(db, 'report', 'aging', '--as-of', '2026-03-10', '--json');
    expect(aging.code).toBe(0);
    const report = JSON.parse(aging.stdout);
    const row = (n: string | null) => report.rows.find((r: { number: string | null }) => r.number === n);
    // C100: paid in full, 300.00 of PAY-1 on account. C101: INV-1002 9 days late, a credit memo.
    expect(row('C100').amounts).toMatchObject({ on_account: '-300.00', ar: '-300.00' });
    expect(row('C101').amounts).toMatchObject({
      buckets: { current: '0.00', '1-30': '400.50' },
      credits: '-100.00',
    });
    expect(row('C102')).toMatchObject({
      currency: 'EUR',
      amounts: { buckets: { '1-30': '5000.00' } },
      base: { ar: '5417.00' },
    });
    expect(row(null).amounts).toMatchObject({ unapplied_cash: '-75.00', ar: '0.00' });
    expect(report.total_base).toMatchObject({ ar: '5417.50', unapplied_cash: '-75.00', net: '5342.50' });

    const csv = openar(
      db,
      'report',
      'aging',
      '--as-of',
      '2026-03-10',
      '--by',
      'collector',
      '--format',
      'csv',
    );
    expect(csv.stdout.split('\n')[0]).toBe(
      'row_type,group_key,group_number,group_name,currency,current,1-30,31-60,61-90,91-120,over 120,credits,on_account,ar,unapplied_cash,net,base_ar,base_net,items',
    );
    expect(csv.stdout).toContain(
      'group,alice,,alice,USD,0.00,400.50,0.00,0.00,0.00,0.00,-100.00,-300.00,0.50,0.00,0.50,0.50,0.50,3',
    );

    // A re-import changes INV-1002's amount and due date today: yesterday's aging keeps the old ones.
    const changed = join(dir, 'invoices.csv');
    writeFileSync(
      changed,
      readFileSync(fixture('invoices.csv'), 'utf8').replace('2026-03-01,800.50', '2026-03-15,900.50'),
    );
    expect(openar(db, 'import', 'invoices', changed).code).toBe(0);
    const now = new Date();
    const today = iso(now);
    const yesterday = iso(new Date(now.getTime() - 86_400_000));
    const item = (asOf: string) =>
      JSON.parse(openar(db, 'report', 'aging', '--detail', '--as-of', asOf, '--json').stdout).items.find(
        (i: { number: string }) => i.number === 'INV-1002',
      );
    expect(item(yesterday)).toMatchObject({ open: '400.50', due_date: '2026-03-01' });
    expect(item(today)).toMatchObject({ open: '500.50', due_date: '2026-03-15' });

    const xlsx = join(dir, 'aging.xlsx');
    expect(
      openar(db, 'report', 'aging', '--as-of', '2026-03-10', '--format', 'xlsx', '--output', xlsx).code,
    ).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Aging', 'Data']);
    expect(wb.getWorksheet('Aging')!.getCell('A1').value).toBe('Aging as of 2026-03-10');
    const data = wb.getWorksheet('Data')!;
    expect(data.getRow(1).values).toEqual([
      undefined,
      'as_of',
      'basis',
      'group_by',
      'group_key',
      'group_label',
      'group_name',
      'currency',
      'line',
      'line_order',
      'amount',
      'amount_base',
      'base_currency',
    ]);
    const cells = data.getSheetValues().slice(2) as unknown[][];
    expect(cells.find((r) => r[5] === 'C102' && r[8] === '1-30')?.slice(10, 12)).toEqual([5000, 5417]);

    // February: nothing was past due at its end; PAY-1 paid INV-1001 on its due date (30 days),
    // PAY-2 paid part of INV-1002 nine days early (41 days after the invoice).
    const metrics = openar(db, 'report', 'metrics', '--from', '2026-02-01', '--to', '2026-02-28', '--json');
    expect(metrics.code).toBe(0);
    // Closing January to March takes their AR snapshots and February's and March's change logs;
    // the same reports then start from them (the summary of a day inside March from March's log,
    // the re-import's revision, posted today, still left out of a March date) and agree.
    const agingBefore = openar(db, 'report', 'aging', '--as-of', '2026-03-10', '--json').stdout;
    const detailBefore = openar(db, 'report', 'aging', '--detail', '--as-of', '2026-03-10', '--json').stdout;
    for (const month of ['2026-01', '2026-02', '2026-03']) {
      const closed = openar(db, 'period', 'close', month, '--reason', 'month end');
      expect(closed.code).toBe(0);
      expect(closed.stdout).toContain(`AR snapshot of ${month}-`);
      // January is the first closed month: no snapshot before it to keep a change log from.
      if (month !== '2026-01')
        expect(closed.stdout).toMatch(/open-item changes by day since 2026-0[12]-\d\d/);
      else expect(closed.stdout).not.toContain('open-item changes');
      // A close keeps today's aging too (and clears the marks postings left for it).
      expect(closed.stdout).toMatch(
        /^aging as of \d{4}-\d\d-\d\d kept \(buckets 30,60,90,120, due basis\): \d+ groups by customer$/m,
      );
    }
    expect(JSON.parse(openar(db, 'report', 'aging', '--json').stdout).strategy).toBe('cached');
    const strip = (json: string) => ({ ...JSON.parse(json), strategy: null });
    const agingAfter = openar(db, 'report', 'aging', '--as-of', '2026-03-10', '--json').stdout;
    expect(JSON.parse(agingAfter).strategy).toBe('changes');
    expect(strip(agingAfter)).toEqual(strip(agingBefore));
    expect(
      strip(openar(db, 'report', 'aging', '--detail', '--as-of', '2026-03-10', '--json').stdout),
    ).toEqual(strip(detailBefore));
    // April is open: a day in it is rebuilt from March's snapshot, until the nightly refresh keeps
    // its change log (the re-import's revision, posted today, is after it).
    const april = () => openar(db, 'report', 'aging', '--as-of', '2026-04-05', '--json').stdout;
    const aprilBefore = april();
    const eleventhBefore = openar(db, 'report', 'aging', '--as-of', '2026-04-11', '--json').stdout;
    expect(JSON.parse(eleventhBefore).strategy).not.toBe('cached');
    expect(JSON.parse(aprilBefore).strategy).toBe('snapshot');
    const refreshed = openar(db, 'period', 'refresh', '--through', '2026-04-10');
    expect(refreshed.code).toBe(0);
    // The refresh also keeps the next day's aging by customer (today's, run nightly, which the
    // default report then reads), even with postings dated after it (the re-import's revision):
    // a report of the day recomputes the customers they touch.
    expect(refreshed.stdout).toMatch(
      /^aging as of 2026-04-11 kept \(buckets 30,60,90,120, due basis\): \d+ groups by customer$/m,
    );
    const eleventh = openar(db, 'report', 'aging', '--as-of', '2026-04-11', '--json').stdout;
    expect(JSON.parse(eleventh).strategy).toBe('cached');
    expect(strip(eleventh)).toEqual(strip(eleventhBefore));
    expect(refreshed.stdout).toMatch(/^open-item changes by day of 2026-04-01 to 2026-04-10: \d+ rows$/m);
    expect(JSON.parse(april()).strategy).toBe('changes');
    expect(strip(april())).toEqual(strip(aprilBefore));
    expect(openar(db, 'period', 'refresh', '--through', '2026-03-31').stdout).toContain('no change log kept');
    const todayBefore = openar(db, 'report', 'aging', '--json').stdout;
    const nightly = openar(db, 'period', 'refresh');
    expect(nightly.stdout).toMatch(
      /^aging as of \d{4}-\d\d-\d\d kept \(buckets 30,60,90,120, due basis\): \d+ groups by customer$/m,
    );
    const todayAfter = openar(db, 'report', 'aging', '--json').stdout;
    expect(JSON.parse(todayBefore).strategy).toBe('current');
    expect(JSON.parse(todayAfter).strategy).toBe('cached');
    expect(strip(todayAfter)).toEqual(strip(todayBefore));
    // A company that ages by invoice date in its own buckets keeps those instead.
    const ownBuckets = ['--buckets', '15,45', '--basis', 'invoice', '--by', 'parent', '--json'];
    const ownBefore = openar(db, 'report', 'aging', ...ownBuckets).stdout;
    expect(JSON.parse(ownBefore).strategy).toBe('current');
    expect(openar(db, 'period', 'refresh', '--buckets', '15,45', '--basis', 'invoice').stdout).toMatch(
      /^aging as of \d{4}-\d\d-\d\d kept \(buckets 15,45, invoice basis\): \d+ groups by customer$/m,
    );
    const ownAfter = openar(db, 'report', 'aging', ...ownBuckets).stdout;
    expect(JSON.parse(ownAfter).strategy).toBe('cached');
    expect(strip(ownAfter)).toEqual(strip(ownBefore));
    // An import keeps it again only when it no longer serves the day (refreshOutgrownAging): the
    // same file again moves nothing, and the report still reads what was kept.
    const again = openar(db, 'import', 'invoices', changed);
    expect(again.stdout).toContain('already there');
    expect(again.stdout).not.toContain('kept again');
    expect(JSON.parse(openar(db, 'report', 'aging', ...ownBuckets).stdout).strategy).toBe('cached');
    expect(JSON.parse(openar(db, 'report', 'aging', '--json').stdout).strategy).toBe('current');
    expect(openar(db, 'period', 'refresh', '--buckets', '30,x').stderr).toContain(
      'buckets must be whole days',
    );
    expect(
      JSON.parse(
        openar(db, 'report', 'metrics', '--from', '2026-02-01', '--to', '2026-02-28', '--json').stdout,
      ),
    ).toEqual(JSON.parse(metrics.stdout));
    const m = JSON.parse(metrics.stdout);
    expect(m.inputs).toMatchObject({
      ar_begin: '1900.50',
      ar_end: '5417.50',
      credit_sales: '5417.00',
      payments: 2,
    });
    expect(m).toMatchObject({
      days: 28,
      months: 1,
      percent_current: 100,
      cei: 100,
      add: 0,
      average_days_to_pay: 35.5,
    });
    for (const key of [
      'dso',
      'dso_countback',
      'best_possible_dso',
      'add',
      'cei',
      'percent_current',
      'ar_turnover',
      'average_days_to_pay',
    ])
      expect(typeof m[key]).toBe('number');
    expect(m.dso).toBeCloseTo((5417.5 / 5417) * 28, 3);
    expect(m.weighted_days_to_pay).toBeCloseTo(32.75, 4);
    expect(m.average_days_beyond_terms).toBeCloseTo(-4.5, 4);

    const byCollector = JSON.parse(
      openar(
        db,
        'report',
        'metrics',
        '--from',
        '2026-02-01',
        '--to',
        '2026-02-28',
        '--by',
        'collector',
        '--json',
      ).stdout,
    );
    expect(byCollector.groups.map((g: { label: string }) => g.label)).toEqual(['alice', 'bob']);

    // By month: each period as the single-period report prints it, without the settings said once.
    const trendArgs = ['report', 'metrics', '--from', '2026-01-15', '--to', '2026-02-28', '--trend', 'month'];
    const trend = openar(db, ...trendArgs, '--json');
    expect(trend.code).toBe(0);
    const { base_currency, by, cei_convention, ...february } = JSON.parse(metrics.stdout);
    expect(JSON.parse(trend.stdout)).toMatchObject({ step: 'month', base_currency, by, cei_convention });
    expect(JSON.parse(trend.stdout).periods.map((p: { from: string }) => p.from)).toEqual([
      '2026-01-15',
      '2026-02-01',
    ]);
    expect(JSON.parse(trend.stdout).periods[1]).toEqual(february);
    const trendTable = openar(db, ...trendArgs);
    expect(trendTable.stdout).toContain('2026-02-01 – 2026-02-28');
    expect(
      openar(db, 'report', 'metrics', '--from', '2026-01-01', '--to', '2026-02-28', '--trend', 'week').code,
    ).toBe(2);

    const bad = openar(db, 'report', 'aging', '--buckets', '60,30');
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'openar: bucket thresholds must increase: 60,30']);
    expect(openar(db, 'report', 'metrics', '--from', '2026-03-01', '--to', '2026-02-01').code).toBe(2);
    expect(openar(db, 'report', 'aging', '--format', 'xlsx').code).toBe(2);
  });
});
