import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditReasons, decideCredit } from '../../src/collections/activity/core/credit.js';
import { foldExposure, fromBase } from '../../src/collections/activity/core/exposure.js';
import { evaluatePlan } from '../../src/collections/activity/core/plans.js';
import {
  type CashPiece,
  evaluatePromises,
  type OpenPromise,
} from '../../src/collections/activity/core/promises.js';
import {
  addMonths,
  buildSchedule,
  installmentDates,
  parseEvery,
  splitInstallments,
} from '../../src/collections/activity/core/schedule.js';

const C = 'cust-1';
const piece = (
  receiptId: string,
  receiptDate: string,
  amountMinor: number,
  documentId: string | null = null,
): CashPiece => ({
  customerId: C,
  currency: 'USD',
  receiptId,
  receiptKey: receiptId.toUpperCase(),
  receiptDate,
  documentId,
  amountMinor,
});
const promise = (
  id: string,
  amountMinor: number,
  promisedDate: string,
  extra: Partial<OpenPromise> = {},
): OpenPromise => ({
  promiseId: id,
  customerId: C,
  currency: 'USD',
  amountMinor,
  promisedDate,
  madeOn: '2026-03-01',
  documentIds: [],
  ...extra,
});
const rules = { graceDays: 3, toleranceMinor: 100 };

describe('installment schedule', () => {
  it('splits exactly, earlier installments carrying the extra units', () => {
    expect(splitInstallments(100_00, 3)).toEqual([33_34, 33_33, 33_33]);
    expect(splitInstallments(10, 4)).toEqual([3, 3, 2, 2]);
    expect(splitInstallments(5, 5)).toEqual([1, 1, 1, 1, 1]);
    expect(() => splitInstallments(4, 5)).toThrow(/at least 5 minor units/);
    expect(() => splitInstallments(100, 0)).toThrow(/installments/);
    expect(() => splitInstallments(100, 121)).toThrow(/installments/);
  });

  it('reads intervals and steps by days or calendar months without drifting', () => {
    expect(parseEvery('30d')).toEqual({ unit: 'd', count: 30 });
    expect(parseEvery('2w')).toEqual({ unit: 'd', count: 14 });
    expect(parseEvery('1m')).toEqual({ unit: 'm', count: 1 });
    expect(() => parseEvery('1y')).toThrow(/interval/);
    expect(() => parseEvery('0d')).toThrow(/out of range/);
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(installmentDates('2026-01-31', parseEvery('1m'), 4)).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
    ]);
    expect(installmentDates('2026-02-20', parseEvery('30d'), 3)).toEqual([
      '2026-02-20',
      '2026-03-22',
      '2026-04-21',
    ]);
    expect(buildSchedule(1000, 3, '2026-05-01', parseEvery('2w'))).toEqual([
      { seq: 1, dueDate: '2026-05-01', amountMinor: 334 },
      { seq: 2, dueDate: '2026-05-15', amountMinor: 333 },
      { seq: 3, dueDate: '2026-05-29', amountMinor: 333 },
    ]);
  });

  it('property: the split adds up exactly, has no negative part and differs by at most one minor unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (count, extra) => {
          const total = Math.min(Number.MAX_SAFE_INTEGER, count + extra);
          const parts = splitInstallments(total, count);
          expect(parts).toHaveLength(count);
          expect(parts.reduce((s, p) => s + BigInt(p), 0n)).toBe(BigInt(total));
          expect(parts.every((p) => Number.isSafeInteger(p) && p > 0)).toBe(true);
          expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
          // Non-increasing: the extra units come first.
          for (let i = 1; i < parts.length; i++) expect(parts[i]!).toBeLessThanOrEqual(parts[i - 1]!);
          if (total % count === 0) expect(new Set(parts).size).toBe(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('promise evaluation', () => {
  it('is kept as soon as the cash (less the tolerance) arrives, even before the date', () => {
    const [o] = evaluatePromises(
      [promise('p1', 1000_00, '2026-03-10')],
      [piece('r1', '2026-03-05', 400_00), piece('r2', '2026-03-07', 599_50)],
      [],
      '2026-03-08',
      rules,
    );
    expect(o).toMatchObject({ status: 'kept', keptMinor: 999_50, settledOn: '2026-03-07' });
    expect(o!.allocations.map((a) => a.receiptId)).toEqual(['r1', 'r2']);
    expect(o!.reason).toContain('R1 (2026-03-05), R2 (2026-03-07)');
  });

  it('stays open until the grace days run out, then is partly kept or broken', () => {
    const p = [promise('p1', 1000_00, '2026-03-10')];
    const cash = [piece('r1', '2026-03-12', 300_00)];
    expect(evaluatePromises(p, cash, [], '2026-03-13', rules)[0]).toMatchObject({
      status: 'open',
      keptMinor: 300_00,
    });
    expect(evaluatePromises(p, cash, [], '2026-03-14', rules)[0]).toMatchObject({
      status: 'partial',
      keptMinor: 300_00,
      settledOn: '2026-03-14',
    });
    expect(evaluatePromises(p, [], [], '2026-03-14', rules)[0]).toMatchObject({
      status: 'broken',
      keptMinor: 0,
      settledOn: '2026-03-14',
    });
    // Cash after the grace period, or before the promise was made, does not count.
    const late = [piece('r0', '2026-02-28', 1000_00), piece('r9', '2026-03-14', 1000_00)];
    expect(evaluatePromises(p, late, [], '2026-03-20', rules)[0]).toMatchObject({ status: 'broken' });
  });

  it('counts a receipt once: earlier promises first, cash already counted is gone', () => {
    const p = [promise('p2', 500_00, '2026-03-20'), promise('p1', 500_00, '2026-03-10')];
    const cash = [piece('r1', '2026-03-05', 500_00)];
    const out = evaluatePromises(p, cash, [], '2026-03-30', rules);
    expect(out.map((o) => [o.promiseId, o.status])).toEqual([
      ['p2', 'broken'],
      ['p1', 'kept'],
    ]);
    const again = evaluatePromises(
      [promise('p3', 500_00, '2026-03-20')],
      cash,
      [{ receiptId: 'r1', documentId: null, amountMinor: 500_00 }],
      '2026-03-30',
      rules,
    );
    expect(again[0]!.status).toBe('broken');
  });

  it("a promise naming documents counts only the cash applied to them, and draws before the account's promises", () => {
    const cash = [piece('r1', '2026-03-05', 200_00, 'doc-a'), piece('r1', '2026-03-05', 300_00, 'doc-b')];
    const out = evaluatePromises(
      [
        promise('acct', 300_00, '2026-03-06'),
        promise('docs', 300_00, '2026-03-10', { documentIds: ['doc-b'] }),
      ],
      cash,
      [],
      '2026-03-20',
      rules,
    );
    expect(out.find((o) => o.promiseId === 'docs')).toMatchObject({ status: 'kept', keptMinor: 300_00 });
    expect(out.find((o) => o.promiseId === 'acct')).toMatchObject({ status: 'partial', keptMinor: 200_00 });
  });

  it('ignores cash in another currency and cash dated after the as-of date', () => {
    const cash = [
      { ...piece('r1', '2026-03-05', 1000_00), currency: 'EUR' },
      piece('r2', '2026-03-09', 1000_00),
    ];
    expect(
      evaluatePromises([promise('p1', 1000_00, '2026-03-10')], cash, [], '2026-03-08', rules)[0]!.status,
    ).toBe('open');
  });
});

describe('plan evaluation', () => {
  const plan = {
    planId: 'plan-1',
    customerId: C,
    currency: 'USD',
    madeOn: '2026-03-01',
    documentIds: [] as string[],
    installments: [
      { seq: 1, dueDate: '2026-03-15', amountMinor: 334 },
      { seq: 2, dueDate: '2026-04-15', amountMinor: 333 },
      { seq: 3, dueDate: '2026-05-15', amountMinor: 333 },
    ],
  };
  const planRules = { graceDays: 5, toleranceMinor: 0 };

  it('pays installments in order and flags the missed one after the grace days', () => {
    const cash = [piece('r1', '2026-03-14', 334), piece('r2', '2026-04-30', 100)];
    const out = evaluatePlan(plan, cash, '2026-04-21', planRules);
    expect(out.installments.map((i) => [i.seq, i.status, i.paidMinor, i.settledOn])).toEqual([
      [1, 'paid', 334, '2026-03-14'],
      [2, 'missed', 0, '2026-04-21'],
      [3, 'open', 0, null],
    ]);
    expect(out.standing).toBe('missed');
    expect(out.completed).toBe(false);
    const later = evaluatePlan(plan, [...cash, piece('r3', '2026-05-02', 233)], '2026-05-03', planRules);
    expect(later.installments[1]).toMatchObject({
      status: 'paid_late',
      paidMinor: 333,
      settledOn: '2026-05-02',
    });
    expect(later.standing).toBe('good');
    const done = evaluatePlan(plan, [...cash, piece('r3', '2026-05-02', 566)], '2026-05-03', planRules);
    expect(done.completed).toBe(true);
    expect(done.paidMinor).toBe(1000);
  });

  it('counts only cash since the plan was made, on its documents when it names them', () => {
    const scoped = { ...plan, documentIds: ['doc-a'] };
    const cash = [
      piece('r0', '2026-02-27', 1000, 'doc-a'),
      piece('r1', '2026-03-10', 1000, 'doc-b'),
      piece('r2', '2026-03-11', 50, 'doc-a'),
    ];
    const out = evaluatePlan(scoped, cash, '2026-03-21', planRules);
    expect(out.paidMinor).toBe(50);
    expect(out.installments[0]).toMatchObject({ status: 'missed', paidMinor: 50 });
  });
});

describe('credit rules', () => {
  const settings = { creditOverLimit: true, creditPastDueDays: 60, creditToleranceMinor: 10_00 };
  const facts = {
    customerId: C,
    currency: 'USD',
    creditLimitMinor: 5000_00,
    exposureMinor: 5005_00,
    lateMinor: 0,
    creditsMinor: 0,
    oldestPastDueDate: null,
  };

  it('holds over the limit or past due beyond the days, only beyond the tolerance', () => {
    expect(creditReasons(facts, settings)).toEqual([]);
    const over = creditReasons({ ...facts, exposureMinor: 5010_01 }, settings);
    expect(over).toMatchObject([{ code: 'over_limit', overMinor: 10_01 }]);
    expect(over[0]!.text).toBe('exposure 5010.01 USD is over the credit limit 5000.00 USD by 10.01 USD');
    expect(
      creditReasons({ ...facts, lateMinor: 10_01, oldestPastDueDate: '2026-01-01' }, settings),
    ).toMatchObject([{ code: 'past_due', days: 60 }]);
    // Unapplied cash and open credits cover past-due debt first.
    expect(creditReasons({ ...facts, lateMinor: 500_00, creditsMinor: 495_00 }, settings)).toEqual([]);
    expect(
      creditReasons(
        { ...facts, lateMinor: 500_00, creditsMinor: 400_00, oldestPastDueDate: '2026-01-01' },
        settings,
      )[0]!.text,
    ).toBe('100.00 USD past due by more than 60 days, net of 400.00 USD of credits (oldest due 2026-01-01)');
    expect(creditReasons({ ...facts, creditLimitMinor: null, exposureMinor: 1e9 }, settings)).toEqual([]);
    expect(
      creditReasons(
        { ...facts, exposureMinor: 1e9, lateMinor: 1e9 },
        { ...settings, creditOverLimit: false, creditPastDueDays: null },
      ),
    ).toEqual([]);
  });

  it('places, lifts, keeps, and respects a manager override', () => {
    const over = { ...facts, exposureMinor: 9000_00 };
    expect(decideCredit(over, { ruleHoldId: null, overrideUntil: null }, settings, '2026-03-01').action).toBe(
      'place',
    );
    expect(decideCredit(over, { ruleHoldId: 'h', overrideUntil: null }, settings, '2026-03-01').action).toBe(
      'keep',
    );
    expect(
      decideCredit(facts, { ruleHoldId: 'h', overrideUntil: null }, settings, '2026-03-01'),
    ).toMatchObject({ action: 'lift', holdId: 'h' });
    expect(
      decideCredit(over, { ruleHoldId: null, overrideUntil: '2026-03-01' }, settings, '2026-03-01'),
    ).toMatchObject({ action: 'keep', overridden: true });
    expect(
      decideCredit(over, { ruleHoldId: null, overrideUntil: '2026-02-28' }, settings, '2026-03-01').action,
    ).toBe('place');
  });

  it('folds exposure into the customer currency, netting credits', () => {
    const g = (currency: string, debit: number, debitBase: number, credit = 0, creditBase = 0) => ({
      currency,
      debitMinor: debit,
      debitBaseMinor: debitBase,
      creditMinor: credit,
      creditBaseMinor: creditBase,
      lateMinor: 0,
      lateBaseMinor: 0,
      oldestPastDueDate: null,
    });
    const usd = foldExposure(
      [g('USD', 1000_00, 1000_00, 300_00, 300_00), g('EUR', 100_00, 110_00)],
      'USD',
      'USD',
      new Map(),
    );
    expect(usd).toMatchObject({
      openDebitMinor: 1110_00,
      creditsMinor: 300_00,
      exposureMinor: 810_00,
      unconverted: [],
    });
    // An EUR customer in a USD company: USD items converted through the base at the EUR rate (1 EUR = 1.10 USD).
    expect(fromBase(110_00, 'EUR', 'USD', '1.1')).toBe(100_00);
    expect(fromBase(1000, 'JPY', 'USD', '0.0067')).toBe(1493);
    const eur = foldExposure(
      [g('EUR', 500_00, 550_00), g('USD', 220_00, 220_00)],
      'EUR',
      'USD',
      new Map([['EUR', '1.1']]),
    );
    expect(eur.exposureMinor).toBe(700_00);
    const noRate = foldExposure(
      [g('EUR', 500_00, 550_00), g('GBP', 100_00, 125_00)],
      'EUR',
      'USD',
      new Map(),
    );
    expect(noRate).toMatchObject({ exposureMinor: 500_00, unconverted: ['GBP'] });
  });
});
