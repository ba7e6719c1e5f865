import { describe, expect, it } from 'vitest';
import {
  type AccountInput,
  bandOf,
  checkSettings,
  DEFAULT_SETTINGS,
  emptyBands,
  rankRows,
  scoreAccount,
} from '../../src/collections/worklist/core/score.js';

const money = (minor: number) => `$${(minor / 100).toFixed(2)}`;
const AS_OF = '2026-03-31';

function account(over: Partial<AccountInput> = {}): AccountInput {
  return {
    customerId: 'c',
    customerNumber: 'C1',
    name: 'Customer 1',
    collector: 'alice',
    bands: emptyBands(),
    openBaseMinor: 0,
    pastDueBaseMinor: 0,
    maxDaysPastDue: 0,
    documents: 0,
    topDocument: null,
    soonDue: null,
    behaviour: null,
    promisesBroken: 0,
    planMissedInstallments: 0,
    livePromise: null,
    planInGoodStanding: null,
    onCreditHold: false,
    overLimitBaseMinor: 0,
    overLimitText: null,
    disputes: [],
    nextFollowUpDate: null,
    snooze: null,
    ...over,
  };
}

/** An account with one open item in a band, `p` likely late. */
function withItem(band: keyof ReturnType<typeof emptyBands>, openMinor: number, p: number, dpd: number) {
  const bands = emptyBands();
  bands[band] = { openBaseMinor: openMinor, riskBaseMinor: openMinor * p };
  return {
    bands,
    openBaseMinor: openMinor,
    pastDueBaseMinor: dpd > 0 ? openMinor : 0,
    maxDaysPastDue: Math.max(0, dpd),
    documents: 1,
  };
}

describe('worklist scoring', () => {
  it('puts items in age bands with the grace days', () => {
    expect(bandOf(-3, 5)).toBe('not_due');
    expect(bandOf(0, 5)).toBe('not_due');
    expect(bandOf(5, 5)).toBe('grace');
    expect(bandOf(6, 5)).toBe('d1_30');
    expect(bandOf(31, 5)).toBe('d31_60');
    expect(bandOf(90, 5)).toBe('d61_90');
    expect(bandOf(91, 5)).toBe('d90_plus');
  });

  it('scores amount at risk × probability × age weight, with the terms as reasons', () => {
    const row = scoreAccount(account(withItem('d31_60', 10_000_00, 0.8, 40)), DEFAULT_SETTINGS, AS_OF, money);
    expect(row.scoreBaseMinor).toBe(Math.round(10_000_00 * 0.8 * 1.5));
    expect(row.terms[0]).toMatchObject({ code: 'at_risk_d31_60', valueBaseMinor: 1_200_000 });
    expect(row.terms[0]!.text).toBe('$10000.00 31–60 days past due × 80% likely late × age weight 1.5');
    expect(row.action).toBe('call');
    expect(row.nextActionDate).toBe(AS_OF);
  });

  it('adds broken promises, exposure over the limit and overdue disputes', () => {
    const base = withItem('d1_30', 1_000_00, 1, 10);
    const row = scoreAccount(
      account({
        ...base,
        promisesBroken: 5,
        overLimitBaseMinor: 300_00,
        disputes: [
          {
            caseId: 'k',
            owner: 'sales',
            deadline: '2026-03-01',
            amountBaseMinor: 200_00,
            reasonCode: 'pricing',
          },
        ],
      }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    const value = (code: string) => row.terms.find((t) => t.code === code)?.valueBaseMinor;
    expect(value('at_risk_d1_30')).toBe(1_000_00);
    expect(value('broken_promises')).toBe(1_000_00 * 0.25 * 3);
    expect(value('over_credit_limit')).toBe(300_00);
    expect(value('overdue_disputes')).toBe(100_00);
    expect(row.scoreBaseMinor).toBe(1_000_00 + 750_00 + 300_00 + 100_00);
    expect(row.action).toBe('call_broken_promise');
    expect(row.actionText).toBe('call — broken promise');
  });

  it('recommends in order: dispute owner, credit hold, wait for a live promise, final notice, escalate', () => {
    const dispute = scoreAccount(
      account({
        ...withItem('d1_30', 100_00, 1, 10),
        overLimitBaseMinor: 50_00,
        disputes: [
          { caseId: 'k', owner: 'pat', deadline: '2026-03-01', amountBaseMinor: 1, reasonCode: 'x' },
        ],
      }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(dispute.actionText).toBe('escalate dispute to owner (pat)');
    const hold = scoreAccount(
      account({ ...withItem('d1_30', 100_00, 1, 10), overLimitBaseMinor: 50_00 }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(hold.action).toBe('place_credit_hold');
    const held = scoreAccount(
      account({ ...withItem('d1_30', 100_00, 1, 10), overLimitBaseMinor: 50_00, onCreditHold: true }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(held.action).toBe('call');
    const promise = scoreAccount(
      account({
        ...withItem('d61_90', 1_000_00, 1, 70),
        livePromise: { amountMinor: 1_000_00, until: '2026-04-08', reason: 'promise to pay by 2026-04-05' },
      }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(promise.actionText).toBe('no action — promise live until 2026-04-08');
    expect(promise.nextActionDate).toBe('2026-04-08');
    // 1,000.00 × 2 = 2,000.00 at risk, × 0.2 while the promise is live.
    expect(promise.scoreBaseMinor).toBe(400_00);
    expect(promise.terms.find((t) => t.code === 'promise_live')?.valueBaseMinor).toBe(-1_600_00);
    // A plan in good standing is waited on like a live promise: ranked low, not at the top.
    const plan = scoreAccount(
      account({
        ...withItem('d61_90', 1_000_00, 1, 70),
        planInGoodStanding: { until: '2026-05-01', reason: 'payment plan in good standing' },
      }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(plan.actionText).toBe('no action — payment plan in good standing');
    expect(plan.scoreBaseMinor).toBe(400_00);
    expect(plan.terms.find((t) => t.code === 'plan_in_good_standing')?.valueBaseMinor).toBe(-1_600_00);
    expect(
      scoreAccount(account(withItem('d31_60', 100_00, 1, 50)), DEFAULT_SETTINGS, AS_OF, money).action,
    ).toBe('final_notice');
    expect(
      scoreAccount(account(withItem('d90_plus', 100_00, 1, 120)), DEFAULT_SETTINGS, AS_OF, money).action,
    ).toBe('escalate');
    expect(
      scoreAccount(account(withItem('grace', 100_00, 1, 3)), DEFAULT_SETTINGS, AS_OF, money).action,
    ).toBe('none');
  });

  it('reminds before due when a soon-due invoice is likely to be paid late', () => {
    const row = scoreAccount(
      account({ ...withItem('not_due', 500_00, 0.9, -6), soonDue: { pLate: 0.9, dueDate: '2026-04-06' } }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(row.action).toBe('remind_before_due');
    expect(row.nextActionDate).toBe('2026-04-03');
    expect(row.scoreBaseMinor).toBe(Math.round(500_00 * 0.9 * 0.25));
  });

  it('dates the next action by the follow-up or the snooze', () => {
    const followUp = scoreAccount(
      account({ ...withItem('d1_30', 100_00, 1, 10), nextFollowUpDate: '2026-04-02' }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(followUp.nextActionDate).toBe('2026-04-02');
    const snoozed = scoreAccount(
      account({ ...withItem('d1_30', 100_00, 1, 10), snooze: { until: '2026-04-15', reason: 'on holiday' } }),
      DEFAULT_SETTINGS,
      AS_OF,
      money,
    );
    expect(snoozed).toMatchObject({
      snoozedUntil: '2026-04-15',
      snoozeReason: 'on holiday',
      nextActionDate: '2026-04-15',
    });
  });

  it('ranks by score, then past due, then customer number', () => {
    const row = (n: string, score: number, pastDue: number) => ({
      ...scoreAccount(account({ customerNumber: n }), DEFAULT_SETTINGS, AS_OF, money),
      scoreBaseMinor: score,
      pastDueBaseMinor: pastDue,
    });
    const ranked = rankRows([row('C3', 5, 0), row('C2', 10, 0), row('C1', 5, 0), row('C0', 5, 7)]);
    expect(ranked.map((r) => r.customerNumber)).toEqual(['C2', 'C0', 'C1', 'C3']);
  });

  it('refuses nonsense settings', () => {
    expect(() => checkSettings({ ...DEFAULT_SETTINGS, overLimitWeight: -1 })).toThrow(/weights/);
    expect(() => checkSettings({ ...DEFAULT_SETTINGS, finalNoticeDays: 1.5 })).toThrow(/whole days/);
  });
});
