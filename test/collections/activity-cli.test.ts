import { describe, expect, it } from 'vitest';
import { initWithFixtures, openarInProcess as openar, tempDatabase } from '../helpers/cli.js';

/**
 * The activity commands end to end over the canonical fixtures (PGlite): notes and calls on the
 * timeline, follow-ups, a promise checked against the ledger's cash, a payment plan, the credit
 * check, and a hold released only once the user has the role.
 */
describe('openar note|call|timeline|followups|promise|plan|credit', { timeout: 600_000 }, () => {
  const { db } = tempDatabase('activity');
  const run = (...args: string[]) => openar(db, 'alice', ...args);
  const json = async (...args: string[]) => JSON.parse((await run(...args, '--json')).stdout);

  it('records, checks and holds', async () => {
    await initWithFixtures(run);

    const note = await run(
      'note',
      'C101',
      'AP says INV-1002 is approved',
      '--date',
      '2026-03-10',
      '--follow-up',
      '2026-03-12',
    );
    expect(note.code).toBe(0);
    const call = await run(
      'call',
      'C101',
      'Promised the rest by the 20th',
      '--outcome',
      'promised',
      '--date',
      '2026-03-11',
    );
    expect(call.stdout).toMatch(/call recorded on C101's timeline/);
    const unknown = await run('note', 'NOPE', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no customer NOPE/);
    expect((await run('note', 'C101', 'x', '--follow-up', '2026-02-30')).code).toBe(2);

    const { promise_id } = await json(
      'promise',
      'C101',
      '--amount',
      '400.50',
      '--date',
      '2026-03-20',
      '--by',
      'Ann Smith',
      '--documents',
      'INV-1002',
      '--made-on',
      '2026-03-11',
    );
    expect((await run('promise', 'C101', '--amount', '12.345', '--date', '2026-03-20')).code).toBe(2);
    expect(
      (await run('promise', 'C101', '--amount', '10', '--date', '2026-03-20', '--documents', 'INV-1001'))
        .code,
    ).toBe(2);

    const timeline = await json('timeline', 'C101');
    expect(timeline.entries.map((e: { kind: string }) => e.kind)).toEqual(['note', 'call', 'promise']);
    expect(timeline.entries[2].text).toBe(
      'promise to pay 400.50 USD by 2026-03-20 by Ann Smith (phone) for 1 document(s)',
    );
    expect((await run('timeline', 'C101', '--csv')).stdout.split('\n')[0]).toBe(
      'date,kind,text,outcome,follow_up,follow_up_done,by,recorded_at,activity_id',
    );

    const due = await json('followups', '--as-of', '2026-03-25', '--collector', 'alice');
    expect(
      due.map((f: { customerNumber: string; followUpDate: string }) => [f.customerNumber, f.followUpDate]),
    ).toEqual([
      ['C101', '2026-03-12'],
      ['C101', '2026-03-24'],
    ]);
    expect((await run('followup', 'done', due[0].activityId, '--reason', 'checked')).code).toBe(0);
    expect(await json('followups', '--as-of', '2026-03-25')).toHaveLength(1);
    expect(await json('followups', '--as-of', '2026-03-25', '--collector', 'bob')).toHaveLength(0);

    expect(await json('promise', 'list', '--status', 'open')).toMatchObject([
      {
        promiseId: promise_id,
        customerNumber: 'C101',
        amount: '400.50',
        status: 'open',
        documentNumbers: ['INV-1002'],
      },
    ]);
    expect(await json('promise', 'check', '--as-of', '2026-03-30')).toMatchObject({
      kept: 0,
      broken: 1,
      partial: 0,
    });
    const shown = await json('promise', 'show', promise_id);
    expect(shown.promise.status).toBe('broken');
    expect(shown.events[0].reason).toBe(
      'broken: nothing received from 2026-03-11 to 2026-03-23 (promised 2026-03-20, 3 grace days)',
    );
    expect(
      (await run('promise', 'undo', shown.events[0].eventId, '--reason', 'customer sent proof of payment'))
        .code,
    ).toBe(0);
    expect(
      (
        await run(
          'promise',
          'set',
          promise_id,
          'kept',
          '--reason',
          'paid by card at the counter',
          '--date',
          '2026-03-30',
        )
      ).code,
    ).toBe(0);
    expect((await json('promise', 'list'))[0].status).toBe('kept');

    const plan = await json(
      'plan',
      'create',
      'C102',
      '--installments',
      '3',
      '--first',
      '2026-04-01',
      '--every',
      '1m',
      '--made-on',
      '2026-03-20',
    );
    expect(plan).toMatchObject({
      currency: 'EUR',
      totalMinor: 5000_00,
      schedule: [
        { seq: 1, dueDate: '2026-04-01', amountMinor: 1666_67 },
        { seq: 2, dueDate: '2026-05-01', amountMinor: 1666_67 },
        { seq: 3, dueDate: '2026-06-01', amountMinor: 1666_66 },
      ],
    });
    expect(await json('plan', 'list')).toMatchObject([
      { customerNumber: 'C102', status: 'active', standing: 'good' },
    ]);

    // On 2026-05-10: C101 has 300.50 past due since March 1 net of its credit memo (> 60 days);
    // C102's plan does not stop the credit rules (INV-1003 is 68 days past due).
    const dry = await json('credit', 'check', '--as-of', '2026-05-10', '--dry-run');
    expect(dry.placed.map((p: { customerNumber: string }) => p.customerNumber)).toEqual(['C101', 'C102']);
    expect(await json('credit', 'status', '--held')).toEqual([]);
    expect((await run('credit', 'check', '--as-of', '2026-05-10')).stdout).toMatch(/2 holds placed/);
    const status = await json('credit', 'status', 'C101', '--as-of', '2026-05-10');
    expect(status[0]).toMatchObject({
      credit_limit: '50000.00',
      exposure: '300.50',
      available: '49699.50',
      on_hold: true,
    });

    const refused = await run('credit', 'release', 'C101', '--reason', 'paid by card');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/needs the credit_manager role/);
    expect((await run('credit', 'role', 'grant', 'carol', 'credit_manager')).code).toBe(0);
    expect((await openar(db, 'bob', 'credit', 'role', 'grant', 'bob', 'credit_manager')).code).toBe(1);
    const released = await openar(
      db,
      'carol',
      'credit',
      'release',
      'C101',
      '--reason',
      'paid by card',
      '--date',
      '2026-05-12',
      '--until',
      '2026-06-30',
    );
    expect(released.stdout).toMatch(/1 hold\(s\) released; the rules leave it alone until 2026-06-30/);
    expect((await run('credit', 'hold', 'C100', '--reason', 'legal dispute')).code).toBe(0);
    const held = await json('credit', 'status', '--held');
    expect(held.map((r: { customerNumber: string }) => r.customerNumber)).toEqual(['C100', 'C102']);
    expect((await run('credit', 'settings', '--past-due-days', '90')).code).toBe(2);
    expect((await run('credit', 'settings', '--past-due-days', '90', '--reason', 'policy 2026')).code).toBe(
      0,
    );
    expect(await json('credit', 'settings')).toMatchObject({ creditPastDueDays: 90 });
  });
});
