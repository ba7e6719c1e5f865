import { describe, expect, it } from 'vitest';
import {
  assignStrategy,
  type CandidateDocument,
  type CustomerFacts,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_FILE,
  type DunningConfig,
  DunningError,
  formatAmount,
  interestMinor,
  itemsTable,
  parseConfig,
  parsePercent,
  planDunning,
  renderLetter,
  targetLevel,
  unknownPlaceholders,
} from '../../src/collections/dunning/index.js';

const STANDARD = DEFAULT_CONFIG.strategies.get('standard')!;

function customer(id: string, over: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    customerId: id,
    customerNumber: id.toUpperCase(),
    name: `Customer ${id}`,
    currency: 'USD',
    collector: 'alice',
    parentNumber: null,
    topParentNumber: null,
    balanceBaseMinor: 1000_00,
    strategyOverride: null,
    email: `${id}@example.com`,
    language: null,
    blockedReason: null,
    creditsMinor: new Map(),
    ...over,
  };
}

let seq = 0;
function doc(
  customerId: string,
  dueDate: string,
  openMinor: number,
  over: Partial<CandidateDocument> = {},
): CandidateDocument {
  seq += 1;
  return {
    documentId: `d${seq}`,
    documentNumber: `INV-${String(seq).padStart(3, '0')}`,
    customerId,
    docType: 'invoice',
    currency: 'USD',
    documentDate: '2026-01-01',
    dueDate,
    openMinor,
    doneDays: null,
    interestThrough: null,
    isCharge: false,
    ...over,
  };
}

function plan(
  documents: CandidateDocument[],
  customers: CustomerFacts[],
  extra: {
    holds?: Map<string, never[]> | Map<string, { kind: 'promise'; until: string; reason: string }[]>;
    disputes?: Map<string, { disputedMinor: number; caseIds: string[] }>;
    config?: DunningConfig;
  } = {},
) {
  return planDunning({
    asOf: '2026-03-31',
    baseCurrency: 'USD',
    config: extra.config ?? DEFAULT_CONFIG,
    documents,
    customers: new Map(customers.map((c) => [c.customerId, c])),
    holds: extra.holds ?? new Map(),
    disputes: extra.disputes ?? new Map(),
  });
}

describe('interest', () => {
  it('is simple interest in minor units, rounded half to even once', () => {
    // 10,000.00 at 8% for 30 days on a 365-day year: 1,000,000 × 8 × 30 / (100 × 365) = 6,575.34… → 65.75.
    expect(interestMinor(1_000_000, parsePercent('8'), 30, 365)).toBe(6575);
    expect(interestMinor(1_000_000, parsePercent('8.00'), 30, 365)).toBe(6575);
    // Ties go to the even neighbour: 1,800 × 10 × 1 / 36,000 = 0.5 → 0; 5,400 → 1.5 → 2.
    expect(interestMinor(1800, parsePercent('10'), 1, 360)).toBe(0);
    expect(interestMinor(5400, parsePercent('10'), 1, 360)).toBe(2);
    expect(interestMinor(9000, parsePercent('10'), 1, 360)).toBe(2); // 2.5 → 2
    expect(interestMinor(1_000_000, parsePercent('8'), 0, 365)).toBe(0);
    expect(interestMinor(0, parsePercent('8'), 30, 365)).toBe(0);
  });

  it('refuses rates it cannot hold exactly', () => {
    expect(() => parsePercent('8,5')).toThrow(DunningError);
    expect(() => parsePercent('101')).toThrow(/at most 100%/);
    expect(() => parsePercent('1.1234567')).toThrow(DunningError);
    expect(parsePercent('0.125')).toEqual({ units: 125n, scale: 3 });
  });
});

describe('step selection', () => {
  it('finds the target level from the days past due', () => {
    expect(targetLevel(STANDARD, -4)).toBe(0);
    expect(targetLevel(STANDARD, -3)).toBe(1);
    expect(targetLevel(STANDARD, 0)).toBe(2);
    expect(targetLevel(STANDARD, 14)).toBe(3);
    expect(targetLevel(STANDARD, 15)).toBe(4);
    expect(targetLevel(STANDARD, 200)).toBe(9);
  });

  it('groups a customer into one e-mail at the highest level due, each item at its own level', () => {
    const docs = [
      doc('a', '2026-04-03', 100_00),
      doc('a', '2026-03-24', 200_00),
      doc('a', '2026-03-10', 300_00),
    ];
    const p = plan(docs, [customer('a')]);
    expect(p.letters).toHaveLength(1);
    const l = p.letters[0]!;
    expect(l.action).toBe('email');
    expect(l.step.code).toBe('overdue_15'); // 21 days: level 4
    expect(l.items.map((i) => [i.documentNumber, i.level, i.stepCode])).toEqual([
      [docs[2]!.documentNumber, 4, 'overdue_15'],
      [docs[1]!.documentNumber, 3, 'overdue_7'],
      [docs[0]!.documentNumber, 1, 'reminder'],
    ]);
    // The fee of the letter's step, once per currency; no interest before the final notice.
    expect(l.charges).toEqual([{ kind: 'fee', currency: 'USD', amountMinor: 10_00, dueDate: '2026-04-14' }]);
    expect(l.reasons.join('\n')).toMatch(/step overdue_15/);
  });

  it('sends nothing for a level already done (idempotent) and only what is new', () => {
    const done = doc('a', '2026-03-24', 200_00, { doneDays: 7 });
    expect(plan([done], [customer('a')]).letters).toEqual([]);
    const later = doc('a', '2026-03-16', 200_00, { doneDays: 7 });
    const p = plan([later], [customer('a')]);
    expect(p.letters[0]!.items[0]).toMatchObject({ level: 4, stepDays: 15, previousDays: 7 });
  });

  it('carries on from the offset done when a customer moves to another strategy', () => {
    // Dunned up to +10 under key_account (its call at +10); now under standard: +7 is behind it, +15 is next.
    const d = doc('a', '2026-03-19', 200_00, { doneDays: 10 });
    expect(plan([d], [customer('a')]).letters).toEqual([]);
    const older = doc('a', '2026-03-16', 200_00, { doneDays: 10 });
    expect(plan([older], [customer('a')]).letters[0]!.items[0]).toMatchObject({
      stepCode: 'overdue_15',
      previousDays: 10,
    });
  });

  it('splits non-e-mail steps into one action per kind, recorded at their own levels', () => {
    // 70 days overdue, never dunned: final notice by e-mail (5), call (6), escalation (7), credit hold (8).
    const p = plan([doc('a', '2026-01-20', 500_00)], [customer('a')]);
    expect(p.letters.map((l) => [l.action, l.step.code, l.items[0]!.level])).toEqual([
      ['email', 'final_30', 5],
      ['call_task', 'call_35', 6],
      ['escalation', 'escalate_45', 7],
      ['credit_hold', 'hold_60', 8],
    ]);
    // Interest at the final notice: 500.00 × 8% × 70 / 365 = 7.67 (767.12… → 767).
    const email = p.letters[0]!;
    expect(email.items[0]!.interestMinor).toBe(767);
    expect(email.charges).toEqual([
      expect.objectContaining({ kind: 'interest', amountMinor: 767, days: 70 }),
    ]);
  });

  it('charges interest only from where it was charged before, never on a fee', () => {
    const config = parseConfig(
      {
        ...DEFAULT_CONFIG_FILE,
        strategies: [
          {
            code: 'standard',
            steps: [
              {
                code: 'first',
                days: 1,
                action: 'email',
                interest: { annual_rate_percent: '10', day_count: 360 },
              },
              {
                code: 'second',
                days: 40,
                action: 'email',
                interest: { annual_rate_percent: '10', day_count: 360 },
              },
            ],
          },
        ],
        segments: [],
      },
      'test.json',
    );
    const a = doc('a', '2026-02-19', 3600_00, { doneDays: 1, interestThrough: '2026-03-01' });
    const fee = doc('a', '2026-02-19', 10_00, { doneDays: 1, isCharge: true });
    const l = plan([a, fee], [customer('a')], { config }).letters[0]!;
    // 30 days from 2026-03-01: 360,000 × 10 × 30 / 36,000 = 3,000.
    expect(l.items.find((i) => i.documentId === a.documentId)).toMatchObject({
      interestMinor: 3000,
      interestFrom: '2026-03-01',
    });
    expect(l.items.find((i) => i.documentId === fee.documentId)!.interestMinor).toBe(0);
  });

  it('skips disputed documents, held and blocked customers, customers without e-mail, covered and small balances', () => {
    const disputed = doc('a', '2026-03-01', 100_00);
    const fine = doc('a', '2026-03-01', 100_00);
    const held = doc('b', '2026-03-01', 100_00);
    const noMail = doc('c', '2026-02-20', 100_00); // 39 days: up to the call at +35
    const covered = doc('d', '2026-03-01', 100_00);
    const small = doc('e', '2026-03-01', 4_00);
    const blocked = doc('f', '2026-03-01', 100_00);
    const p = plan(
      [disputed, fine, held, noMail, covered, small, blocked],
      [
        customer('a'),
        customer('b'),
        customer('c', { email: null }),
        customer('d', { creditsMinor: new Map([['USD', 150_00]]) }),
        customer('e'),
        customer('f', { blockedReason: 'in insolvency talks' }),
      ],
      {
        holds: new Map([
          ['b', [{ kind: 'promise' as const, until: '2026-04-05', reason: 'promise to pay 100.00 USD' }]],
        ]),
        disputes: new Map([[disputed.documentId, { disputedMinor: 100_00, caseIds: ['case-1'] }]]),
      },
    );
    expect(
      p.letters
        .filter((l) => l.action === 'email')
        .map((l) => [l.customerId, l.items.map((i) => i.documentId)]),
    ).toEqual([['a', [fine.documentId]]]);
    expect(p.skips.map((s) => [s.customerId, s.code])).toEqual([
      ['a', 'disputed'],
      ['b', 'promise'],
      ['c', 'no_email'],
      ['d', 'credits_cover'],
      ['e', 'below_minimum'],
      ['f', 'blocked'],
    ]);
    expect(p.skips[0]!.detail).toMatch(/case-1/);
    // Non-e-mail steps still happen without an e-mail address.
    expect(p.letters.filter((l) => l.customerId === 'c').map((l) => l.action)).toEqual(['call_task']);
  });
});

describe('segments', () => {
  const config = parseConfig(
    {
      ...DEFAULT_CONFIG_FILE,
      segments: [
        { code: 'vip', strategy: 'key_account', match: { customers: ['V1'] } },
        { code: 'eu', strategy: 'key_account', match: { currencies: ['EUR'], collectors: ['bob'] } },
        { code: 'kids', strategy: 'key_account', match: { has_parent: true, parents: ['P1'] } },
        { code: 'big', strategy: 'key_account', match: { balance_min: '50000.00', balance_max: '100000' } },
      ],
    },
    'segments.json',
  );
  const attrs = (over: Partial<CustomerFacts>) => customer('x', over);
  it('takes the first segment that matches, the manual strategy first, else the default', () => {
    expect(assignStrategy(config, attrs({ customerNumber: 'V1' }), 'USD').segmentCode).toBe('vip');
    expect(assignStrategy(config, attrs({ currency: 'EUR', collector: 'bob' }), 'USD').segmentCode).toBe(
      'eu',
    );
    expect(assignStrategy(config, attrs({ currency: 'EUR', collector: 'carol' }), 'USD').segmentCode).toBe(
      'default',
    );
    expect(
      assignStrategy(config, attrs({ parentNumber: 'P2', topParentNumber: 'P1' }), 'USD').segmentCode,
    ).toBe('kids');
    expect(assignStrategy(config, attrs({ balanceBaseMinor: 50_000_00 }), 'USD').segmentCode).toBe('big');
    expect(assignStrategy(config, attrs({ balanceBaseMinor: 49_999_99 }), 'USD').segmentCode).toBe('default');
    expect(assignStrategy(config, attrs({ balanceBaseMinor: 100_000_01 }), 'USD').segmentCode).toBe(
      'default',
    );
    const manual = assignStrategy(
      config,
      attrs({ customerNumber: 'V1', strategyOverride: 'standard' }),
      'USD',
    );
    expect(manual).toMatchObject({ strategyCode: 'standard', segmentCode: 'manual' });
    expect(assignStrategy(config, attrs({ strategyOverride: 'gone' }), 'USD').reason).toMatch(
      /not in the loaded/,
    );
  });
});

describe('strategy files', () => {
  const bad = (patch: (f: Record<string, unknown>) => void) => {
    const f = structuredClone(DEFAULT_CONFIG_FILE) as unknown as Record<string, unknown>;
    patch(f);
    try {
      parseConfig(f, 'strategy.json');
    } catch (error) {
      expect(error).toBeInstanceOf(DunningError);
      return (error as Error).message;
    }
    throw new Error('accepted a bad file');
  };
  const steps = (f: Record<string, unknown>) =>
    (f.strategies as { steps: Record<string, unknown>[] }[])[0]!.steps;

  it('names the file, the path, what was expected and what it got', () => {
    expect(bad((f) => (steps(f)[2]!.days = '7'))).toBe(
      'strategy.json: strategies[0].steps[2].days: expected days relative to the due date: a whole number from -365 to 3650, got "7"',
    );
    expect(bad((f) => (steps(f)[1]!.action = 'sms'))).toMatch(
      /^strategy\.json: strategies\[0\]\.steps\[1\]\.action: expected one of email, call_task, escalation, credit_hold, legal, got "sms"$/,
    );
    expect(bad((f) => (steps(f)[0]!.colour = 'red'))).toBe(
      'strategy.json: strategies[0].steps[0]: unexpected field "colour"',
    );
    expect(bad((f) => delete f.default_strategy)).toMatch(/default_strategy: .*got nothing/);
  });

  it('checks what a schema cannot: order of steps, references, placeholders, amounts', () => {
    expect(bad((f) => (steps(f)[3]!.days = 5))).toMatch(
      /strategies\[0\]\.steps\[3\]\.days: expected more days than the step before \(7\), got 5/,
    );
    expect(bad((f) => (f.default_strategy = 'nope'))).toMatch(
      /default_strategy: expected the code of one of the strategies, got "nope"/,
    );
    expect(bad((f) => ((f.segments as Record<string, unknown>[])[0]!.strategy = 'nope'))).toMatch(
      /segments\[0\]\.strategy/,
    );
    expect(
      bad((f) => (f.templates = { de: { due: { subject: 'Fällig {{customer_nam}}', body: 'x' } } })),
    ).toMatch(/templates\.de\.due\.subject: expected known placeholders only, got \{\{customer_nam\}\}/);
    expect(bad((f) => (steps(f)[3]!.fee = { JPY: '10.50' }))).toMatch(
      /fee\.JPY: expected an amount with at most 0 decimals/,
    );
  });
});

describe('templates', () => {
  it('formats amounts and dates the way each language writes them', () => {
    expect(formatAmount(123456789, 'EUR', 'de')).toBe('1.234.567,89 EUR');
    expect(formatAmount(123456789, 'EUR', 'fr')).toBe('1 234 567,89 EUR');
    expect(formatAmount(-123456789, 'USD', 'en')).toBe('-1,234,567.89 USD');
    expect(formatAmount(1234, 'JPY', 'en')).toBe('1,234 JPY');
  });

  it('renders every placeholder, in the customer language, with the items and totals', () => {
    const lines = [
      {
        documentNumber: 'INV-1',
        documentDate: '2026-01-01',
        dueDate: '2026-01-31',
        daysOverdue: 40,
        openMinor: 1234_56,
        currency: 'EUR',
      },
      {
        documentNumber: 'INV-2',
        documentDate: '2026-02-01',
        dueDate: '2026-03-03',
        daysOverdue: 9,
        openMinor: 100_00,
        currency: 'EUR',
      },
    ];
    const r = renderLetter(DEFAULT_CONFIG.templates, {
      templateKey: 'final',
      language: 'de',
      fallbackLanguage: 'en',
      customerName: 'Müller GmbH',
      customerNumber: 'C-7',
      companyName: 'Acme',
      contact: { name: 'Anna AR', email: 'ar@acme.test', phone: '+49 1' },
      asOf: '2026-03-12',
      stepCode: 'final_30',
      lines,
      charges: [{ kind: 'fee', currency: 'EUR', amountMinor: 10_00 }],
    });
    expect(r.language).toBe('de');
    expect(r.subject).toBe('Letzte Mahnung vor weiteren Schritten (Müller GmbH)');
    expect(r.body).toContain('seit bis zu 40 Tagen überfällig');
    expect(r.body).toContain('INV-1');
    expect(r.body).toContain('31.01.2026');
    expect(r.body).toContain('Mahngebühr: 10,00 EUR');
    expect(r.body).toContain('Gesamtbetrag: 1.344,56 EUR');
    expect(r.body).toContain('Anna AR');
    expect(unknownPlaceholders(r.body)).toEqual([]);
    expect(r.body).not.toMatch(/\{\{/);
    // A language without templates falls back to the configured default.
    const es = renderLetter(DEFAULT_CONFIG.templates, {
      templateKey: 'due',
      language: 'es',
      fallbackLanguage: 'fr',
      customerName: 'X\nBcc: evil@example.com',
      customerNumber: 'C',
      companyName: 'Acme',
      contact: { name: 'A', email: 'a@b.c', phone: '' },
      asOf: '2026-03-12',
      stepCode: 'due',
      lines,
      charges: [],
    });
    expect(es.language).toBe('fr');
    expect(es.subject).not.toMatch(/\n/);
  });

  it('lays the items out as a table with the language headers', () => {
    const table = itemsTable(
      [
        {
          documentNumber: 'F-1',
          documentDate: '2026-01-01',
          dueDate: '2026-01-31',
          daysOverdue: 3,
          openMinor: 5_00,
          currency: 'EUR',
        },
      ],
      'fr',
    );
    expect(table.split('\n')[0]).toMatch(/^Document\s+Date\s+Échéance\s+Jours de retard\s+Montant dû$/);
    expect(table).toContain('31/01/2026');
    expect(table).toContain('5,00 EUR');
  });
});
