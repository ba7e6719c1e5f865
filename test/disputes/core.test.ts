import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  addDays,
  assertIsoDate,
  deadlineOf,
  escalationLevelDue,
} from '../../src/disputes/core/dates.js';
import { formatIssue } from '../../src/disputes/core/errors.js';
import {
  coverageGaps,
  MatrixIndex,
  type MatrixRule,
  parseMatrixFile,
  uncovered,
} from '../../src/disputes/core/matrix.js';
import { daysDeductionsOutstanding } from '../../src/disputes/core/metrics.js';
import { baseShareOf, mailboxOf, needsApproval, planResolution } from '../../src/disputes/core/outcome.js';
import {
  DEFAULT_REASONS,
  DEFAULT_X12_MAP,
  parseReasonsFile,
  type ReasonMaps,
  resolveReason,
} from '../../src/disputes/core/reasons.js';

const reasons = new Set(DEFAULT_REASONS.map((r) => r.code));
const ctx = { baseCurrency: 'USD', exponent: 2, reasons };

const rule = (id: string, over: Partial<MatrixRule> = {}): MatrixRule => ({
  id,
  reason: null,
  segment: null,
  minMinor: 0,
  maxMinor: null,
  owner: `${id}-owner`,
  team: null,
  manager: null,
  deadlineDays: 10,
  businessDays: false,
  ...over,
});

describe('resolution matrix: validation', () => {
  it('reads JSON and CSV to the same rules', () => {
    const json = parseMatrixFile(
      'm.json',
      JSON.stringify({
        currency: 'USD',
        rules: [
          { id: 'A', reason: 'pricing', max: '1000.00', owner: 'pat', deadline_days: 5 },
          {
            id: 'B',
            reason: 'pricing',
            min: '1000.00',
            owner: 'sam',
            manager: 'boss',
            deadline_days: '10bd',
          },
          { id: 'C', reason: '*', owner: 'ar', deadline_days: 14 },
        ],
      }),
      ctx,
    );
    const csv = parseMatrixFile(
      'm.csv',
      'id,reason,segment,min,max,owner,team,manager,deadline_days,business_days\nA,pricing,,,1000.00,pat,,,5,\nB,pricing,,"1,000.00",,sam,,boss,10,true\nC,*,,,,ar,,,14,\n',
      ctx,
    );
    expect(json.issues).toEqual([]);
    expect(csv.issues).toEqual([]);
    expect(csv.rules).toEqual(json.rules);
    expect(json.rules[1]).toEqual(
      rule('B', { reason: 'pricing', minMinor: 1000_00, owner: 'sam', manager: 'boss', businessDays: true }),
    );
  });

  it('names file, line or path, field and expectation for every bad value', () => {
    const csv = parseMatrixFile(
      'matrix.csv',
      'id,reason,min,max,owner,deadline_days,colour\nA,pricng,10.00,5.00,,400,red\nA,damage,-1,,x,1\n',
      ctx,
    );
    const lines = csv.issues.map((i) => formatIssue('matrix.csv', i));
    expect(lines).toEqual([
      'matrix.csv: line 1: colour: expected one of id, owner, deadline_days, reason, segment, min, max, team, manager, business_days, got an unknown column',
      'matrix.csv: line 2: reason: expected a reason code of the catalogue, or * for any, got "pricng"',
      'matrix.csv: line 2: max: expected more than min (10.00), got "5.00"',
      'matrix.csv: line 2: owner: expected a value, got nothing',
      'matrix.csv: line 2: deadline_days: expected whole days 0 to 365 (10, or 10bd for business days), got "400"',
      'matrix.csv: line 3: id: expected a unique id (A is also at line 2), got "A"',
      'matrix.csv: line 3: min: expected an amount in USD such as 1000.00 (not negative), got "-1"',
    ]);
    const json = parseMatrixFile(
      'm.json',
      '{"rules":[{"id":"X","owner":"o","deadline_days":3,"amount":1}]}',
      ctx,
    );
    expect(json.issues.map((i) => [i.where, i.field])).toEqual([['rules[0].amount', 'amount']]);
    expect(parseMatrixFile('m.json', '{"rules":', ctx).issues[0]).toMatchObject({
      where: 'file',
      expected: 'JSON',
    });
    expect(parseMatrixFile('m.json', '{"currency":"EUR","rules":[]}', ctx).issues[0]).toMatchObject({
      field: 'currency',
      expected: "USD (the company's base currency)",
    });
  });

  it('reports overlapping ranges of the same reason and segment, not of different specificity', () => {
    const m = parseMatrixFile(
      'm.json',
      JSON.stringify([
        { id: 'A', reason: 'damage', max: '500.00', owner: 'a', deadline_days: 5 },
        { id: 'B', reason: 'damage', min: '400.00', owner: 'b', deadline_days: 5 },
        { id: 'C', owner: 'c', deadline_days: 5 },
        { id: 'D', reason: 'damage', segment: 'retail', owner: 'd', deadline_days: 5 },
      ]),
      ctx,
    );
    expect(m.issues).toEqual([
      {
        where: 'rules[1].min',
        field: 'min',
        expected: 'a range not overlapping rule A (0.00 to under 500.00) for reason damage, segment any',
        got: '400.00 and above',
      },
    ]);
  });

  it('reports gaps as warnings: combinations no rule covers go to the default owner', () => {
    const m = parseMatrixFile(
      'm.json',
      JSON.stringify([
        { id: 'A', reason: 'damage', max: '500.00', owner: 'a', deadline_days: 5 },
        { id: 'B', reason: 'damage', min: '1000.00', owner: 'b', deadline_days: 5 },
        { id: 'P', reason: 'pricing', segment: 'retail', owner: 'p', deadline_days: 5 },
      ]),
      { ...ctx, reasons: new Set(['damage', 'pricing']) },
    );
    expect(m.issues).toEqual([]);
    expect(m.warnings).toEqual([
      'reason damage, segment retail: 500.00 to under 1000.00 is not covered (the default owner gets it)',
      'reason damage, segment (none/other): 500.00 to under 1000.00 is not covered (the default owner gets it)',
      'reason pricing, segment (none/other): 0.00 and above is not covered (the default owner gets it)',
    ]);
    expect(coverageGaps([rule('ALL')], reasons, 2)).toEqual([]);
    expect(
      uncovered([
        { minMinor: 5, maxMinor: 10 },
        { minMinor: 0, maxMinor: 6 },
      ]),
    ).toEqual([{ minMinor: 10, maxMinor: null }]);
  });
});

describe('resolution matrix: matching', () => {
  const index = new MatrixIndex([
    rule('ANY'),
    rule('DMG-S', { reason: 'damage', maxMinor: 1000_00 }),
    rule('DMG-L', { reason: 'damage', minMinor: 1000_00 }),
    rule('RETAIL', { segment: 'retail', maxMinor: 500_00 }),
    rule('DMG-RETAIL', { reason: 'damage', segment: 'retail', minMinor: 5000_00 }),
  ]);

  it('takes the most specific rule whose range holds the amount', () => {
    const m = (reason: string, segment: string | null, amount: number) =>
      index.match(reason, segment, amount)?.id;
    expect(m('damage', null, 999_99)).toBe('DMG-S');
    expect(m('damage', null, 1000_00)).toBe('DMG-L');
    expect(m('damage', 'retail', 5000_00)).toBe('DMG-RETAIL');
    expect(m('damage', 'retail', 100_00)).toBe('DMG-S');
    expect(m('pricing', 'retail', 100_00)).toBe('RETAIL');
    expect(m('pricing', 'retail', 500_00)).toBe('ANY');
    expect(m('pricing', null, 0)).toBe('ANY');
    expect(new MatrixIndex([]).match('pricing', null, 1)).toBeNull();
  });

  it('always finds a rule when the file has no gaps (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 6 }),
        fc.constantFrom(...reasons),
        fc.integer({ min: 0, max: 2_000_000 }),
        (cuts, reason, amount) => {
          const bounds = [0, ...cuts.sort((a, b) => a - b)];
          const rules = bounds.map((b, i) =>
            rule(`R${i}`, { reason: 'damage', minMinor: b, maxMinor: bounds[i + 1] ?? null }),
          );
          const idx = new MatrixIndex([...rules, rule('ANY')]);
          const hit = idx.match(reason, null, amount)!;
          if (reason !== 'damage') return hit.id === 'ANY';
          return hit.minMinor <= amount && (hit.maxMinor === null || amount < hit.maxMinor);
        },
      ),
    );
  });
});

describe('reason codes', () => {
  const maps: ReasonMaps = {
    catalogue: reasons,
    x12: new Map(Object.entries(DEFAULT_X12_MAP)),
    customer: new Map([
      [
        'cust-1',
        new Map([
          ['PD', 'pricing'],
          ['19', 'promotion'],
        ]),
      ],
    ]),
  };
  const r = (input: Parameters<typeof resolveReason>[1]) => {
    const x = resolveReason(maps, input);
    return [x.reasonCode, x.via];
  };

  it("maps the customer's own codes first, then X12 426, catalogue codes, cash-application words, text", () => {
    expect(r({ customerId: 'cust-1', externalCode: ' pd ' })).toEqual(['pricing', 'customer-code']);
    expect(r({ customerId: 'cust-1', externalCode: '19' })).toEqual(['promotion', 'customer-code']);
    expect(r({ customerId: 'other', externalCode: '19' })).toEqual(['duplicate_billing', 'x12']);
    expect(r({ customerId: 'other', externalCode: 'Freight' })).toEqual(['freight', 'catalogue']);
    expect(r({ customerId: 'other', externalCode: 'DAMAGED' })).toEqual(['damage', 'cashapp-word']);
    expect(r({ customerId: 'other', externalCode: 'ZZ9', reasonText: 'we were billed twice' })).toEqual([
      'duplicate_billing',
      'text',
    ]);
    expect(r({ customerId: 'other', reasonText: 'no reason' })).toEqual(['unidentified', 'none']);
    expect(r({ customerId: 'other', externalCode: '04', given: 'tax' })).toEqual(['tax', 'given']);
    expect(resolveReason(maps, { customerId: 'x', externalCode: 'Q7' }).explanation).toBe(
      'code Q7 is not mapped: unidentified',
    );
  });

  it('passes over a mapping to a reason that is not active', () => {
    const narrow = { ...maps, catalogue: new Set(['unidentified', 'damage']) };
    expect(resolveReason(narrow, { customerId: 'cust-1', externalCode: 'PD' }).reasonCode).toBe(
      'unidentified',
    );
  });

  it('validates a reasons file with places and expectations', () => {
    const { file, issues } = parseReasonsFile(
      'reasons.csv',
      'type,code,name,customer,reason\nreason,slotting,Slotting fees,,\nx12,ZZ,,,slotting\ncustomer,PD,,C100,pricing\ncustomer,PD,,C100,pricing\nx12,1234,,,nothing\nreason,Bad Code,,,\n',
      reasons,
    );
    expect(issues.map((i) => formatIssue('reasons.csv', i))).toEqual([
      'reasons.csv: line 5: code: expected each code mapped once per customer, got "PD" again',
      'reasons.csv: line 6: code: expected an X12 426 adjustment reason code (2 letters or digits), got "1234"',
      'reasons.csv: line 6: reason: expected a reason code of the catalogue or of this file, got "nothing"',
      'reasons.csv: line 7: code: expected a reason code: a-z, 0-9, _ (up to 40, starting with a letter), got "Bad Code"',
      'reasons.csv: line 7: name: expected a name of 1 to 200 characters, got nothing',
    ]);
    expect(file.reasons[0]).toEqual({
      code: 'slotting',
      name: 'Slotting fees',
      description: null,
      active: true,
    });
    expect(file.mappings[0]).toEqual({ source: 'x12', customer: null, code: 'ZZ', reason: 'slotting' });
    const json = parseReasonsFile(
      'r.json',
      JSON.stringify({ mappings: [{ source: 'customer', code: 'A1', reason: 'damage' }] }),
      reasons,
    );
    expect(json.issues.map((i) => [i.where, i.field])).toEqual([['mappings[0].customer', 'customer']]);
  });
});

describe('deadlines and escalation', () => {
  it('adds calendar and business days', () => {
    expect(addDays('2026-12-30', 5)).toBe('2027-01-04');
    expect(addDays('2028-02-27', 2)).toBe('2028-02-29');
    // Thursday + 10 business days = Thursday two weeks on; a Saturday start counts from Monday.
    expect(addBusinessDays('2026-10-22', 10)).toBe('2026-11-05');
    expect(addBusinessDays('2026-10-24', 0)).toBe('2026-10-26');
    expect(addBusinessDays('2026-10-24', 1)).toBe('2026-10-27');
    expect(addBusinessDays('2026-10-23', 1)).toBe('2026-10-26');
    expect(deadlineOf('2026-10-20', 5, false)).toBe('2026-10-25');
    expect(() => assertIsoDate('2026-02-30')).toThrow(/YYYY-MM-DD/);
  });

  it('never lands on a weekend and counts exactly the business days (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 60 }), (offset, days) => {
        const start = addDays('2024-01-01', offset);
        const end = addBusinessDays(start, days);
        const dow = new Date(`${end}T00:00:00Z`).getUTCDay();
        if (dow === 0 || dow === 6) return false;
        let count = 0;
        for (let d = addDays(start, 1); d <= end; d = addDays(d, 1)) {
          const w = new Date(`${d}T00:00:00Z`).getUTCDay();
          if (w !== 0 && w !== 6) count++;
        }
        const startDow = new Date(`${start}T00:00:00Z`).getUTCDay();
        // From a weekend the count starts at the Monday, which itself is day 0.
        return startDow === 0 || startDow === 6
          ? count === days + 1 || (days === 0 && count <= 1)
          : count === days;
      }),
    );
  });

  it('escalates to the owner after the deadline, to the manager after the grace days', () => {
    expect(escalationLevelDue('2026-10-25', '2026-10-25', 5)).toBe(0);
    expect(escalationLevelDue('2026-10-26', '2026-10-25', 5)).toBe(1);
    expect(escalationLevelDue('2026-10-30', '2026-10-25', 5)).toBe(1);
    expect(escalationLevelDue('2026-10-31', '2026-10-25', 5)).toBe(2);
    expect(escalationLevelDue('2026-10-26', '2026-10-25', 0)).toBe(2);
  });
});

describe('outcomes', () => {
  it('credits the whole, nothing, or the agreed part spread by largest remainder', () => {
    expect(planResolution('valid', [100, 200], null)).toEqual({
      outcome: 'valid',
      creditMinor: 300,
      collectMinor: 0,
      lineCredits: [100, 200],
    });
    expect(planResolution('invalid', [100, 200], null)).toEqual({
      outcome: 'invalid',
      creditMinor: 0,
      collectMinor: 300,
      lineCredits: [0, 0],
    });
    expect(planResolution('partial', [100, 200], 100)).toEqual({
      outcome: 'partial',
      creditMinor: 100,
      collectMinor: 200,
      lineCredits: [33, 67],
    });
    expect(() => planResolution('valid', [100], 50)).toThrow(/use --outcome partial/);
    expect(() => planResolution('partial', [100], 100)).toThrow(/less than the disputed 100/);
    expect(() => planResolution('partial', [100], null)).toThrow(/agreed credit/);
  });

  it('splits exactly for any amounts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        (lines, seed) => {
          const total = lines.reduce((a, b) => a + b, 0);
          if (total < 2) return true;
          const credit = 1 + (seed % (total - 1));
          const p = planResolution('partial', lines, credit);
          return (
            p.lineCredits.reduce((a, b) => a + b, 0) === credit &&
            p.lineCredits.every((c, i) => c >= 0 && c <= lines[i]!) &&
            p.collectMinor === total - credit
          );
        },
      ),
    );
  });

  it('needs approval only above the threshold; base shares are half-even', () => {
    expect(needsApproval(1000_00, 1000_00)).toBe(false);
    expect(needsApproval(1000_01, 1000_00)).toBe(true);
    expect(baseShareOf(333_33, 1000_00, 1100_00)).toBe(366_66);
    expect(baseShareOf(1, 2, 1)).toBe(0);
    expect(baseShareOf(1, 2, 3)).toBe(2);
    expect(baseShareOf(50, 50, 77)).toBe(77);
  });

  it('finds mailboxes in owner names', () => {
    expect(mailboxOf('Lee Logistics <lee@acme.example>')).toBe('lee@acme.example');
    expect(mailboxOf('ar-team@acme.example')).toBe('ar-team@acme.example');
    expect(mailboxOf('Pricing team')).toBeNull();
  });

  it('computes DDO like DSO', () => {
    expect(daysDeductionsOutstanding(500, 1000, 30)).toBe(15);
    expect(daysDeductionsOutstanding(500, 0, 30)).toBeNull();
  });
});
