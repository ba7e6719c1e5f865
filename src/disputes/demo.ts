import { Rng } from '../demo/prng.js';
import type { CompanyContext } from '../ledger/index.js';
import { formatMinor, minorUnitExponent } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import { closeCases } from './actions.js';
import { type NewCase, openCasesBulk, rerouteLiveCases } from './cases.js';
import { ensureDisputeSetup, loadMatrixFile, updateSettings } from './config.js';
import { addDays, daysBetween } from './core/dates.js';
import { mailboxOf, type Outcome } from './core/outcome.js';
import { runEscalation } from './escalate.js';
import { approveResolution, resolveCase } from './resolve.js';

/** The demo's people: the owner teams of a mid-sized manufacturer's deduction process. */
const PEOPLE = {
  pricing: 'Priya Shah <priya.shah@demo.example>',
  pricingLead: 'Tom Becker <tom.becker@demo.example>',
  logistics: 'Luis Romero <luis.romero@demo.example>',
  logisticsLead: 'Hannah Weiss <hannah.weiss@demo.example>',
  service: 'Grace Kim <grace.kim@demo.example>',
  serviceLead: 'Omar Haddad <omar.haddad@demo.example>',
  trade: 'Nina Petrova <nina.petrova@demo.example>',
  tradeLead: 'Daniel Okafor <daniel.okafor@demo.example>',
  tax: 'Ravi Iyer <ravi.iyer@demo.example>',
  ar: 'Ella Novak <ella.novak@demo.example>',
  controller: 'Marta Jensen <marta.jensen@demo.example>',
};

/** The demo's resolution matrix (amounts in major units of the base currency). */
function demoMatrix(baseCurrency: string): string {
  const exp = minorUnitExponent(baseCurrency);
  const amount = (major: number) => formatMinor(major * 10 ** exp, exp);
  const rule = (
    id: string,
    reason: string,
    owner: string,
    team: string,
    manager: string,
    days: number | string,
    extra = {},
  ) => ({
    id,
    reason,
    owner,
    team,
    manager,
    deadline_days: days,
    ...extra,
  });
  return JSON.stringify({
    currency: baseCurrency,
    rules: [
      rule('PRICING', 'pricing', PEOPLE.pricing, 'Pricing', PEOPLE.pricingLead, '10bd', {
        max: amount(10_000),
      }),
      rule('PRICING-LARGE', 'pricing', PEOPLE.pricingLead, 'Pricing', PEOPLE.controller, '5bd', {
        min: amount(10_000),
      }),
      rule('PRICING-KEY', 'pricing', PEOPLE.pricingLead, 'Sales', PEOPLE.controller, '5bd', {
        segment: 'key_account',
      }),
      rule('SHORTAGE', 'shortage', PEOPLE.logistics, 'Logistics', PEOPLE.logisticsLead, 7),
      rule('DAMAGE', 'damage', PEOPLE.logistics, 'Logistics', PEOPLE.logisticsLead, 7),
      rule('FREIGHT', 'freight', PEOPLE.logistics, 'Logistics', PEOPLE.logisticsLead, 10),
      rule('RETURNS', 'returns', PEOPLE.service, 'Customer Service', PEOPLE.serviceLead, 10),
      rule('QUALITY', 'quality', PEOPLE.service, 'Customer Service', PEOPLE.serviceLead, 10),
      rule('SERVICE', 'service_complaint', PEOPLE.service, 'Customer Service', PEOPLE.serviceLead, 10),
      rule('PROMO', 'promotion', PEOPLE.trade, 'Marketing', PEOPLE.tradeLead, 15),
      rule('TAX', 'tax', PEOPLE.tax, 'Tax', PEOPLE.controller, 10),
      rule('AR-OTHER', '*', PEOPLE.ar, 'Accounts Receivable', PEOPLE.controller, 14),
    ],
  });
}

/** Reasons a demo customer gives, with what they write, a code (X12 426 or their own) and weights. */
const CLAIMS: readonly (readonly [
  { reason: string; text: readonly string[]; code: readonly (string | null)[]; share: [number, number] },
  number,
])[] = [
  [
    {
      reason: 'pricing',
      text: ['price per contract is lower', 'billed list price, PO price applies', 'overcharge vs quote'],
      code: ['01', 'PR', null],
      share: [3, 12],
    },
    22,
  ],
  [
    {
      reason: 'shortage',
      text: ['short shipped 2 cartons', 'received 46 of 50 units', 'missing items on delivery'],
      code: ['06', '59', null],
      share: [2, 10],
    },
    18,
  ],
  [
    {
      reason: 'damage',
      text: ['damaged in transit', 'crushed pallet, photos attached', 'broken units on arrival'],
      code: ['04', null],
      share: [2, 8],
    },
    15,
  ],
  [
    {
      reason: 'promotion',
      text: ['Q3 promo allowance', 'co-op advertising 2%', 'markdown support'],
      code: ['56', '71', null],
      share: [2, 5],
    },
    14,
  ],
  [
    {
      reason: 'freight',
      text: ['freight should be prepaid', 'delivery charge not agreed'],
      code: ['54', null],
      share: [1, 3],
    },
    9,
  ],
  [
    {
      reason: 'returns',
      text: ['returned goods RMA 4471', 'return credit not received'],
      code: ['72', null],
      share: [5, 15],
    },
    8,
  ],
  [
    {
      reason: 'tax',
      text: ['tax exempt, certificate on file', 'sales tax charged in error'],
      code: ['55', null],
      share: [5, 8],
    },
    5,
  ],
  [
    {
      reason: 'duplicate_billing',
      text: ['billed twice for the same shipment'],
      code: ['19'],
      share: [100, 100],
    },
    3,
  ],
  [
    {
      reason: 'missing_po',
      text: ['no PO on invoice, cannot approve'],
      code: ['17', null],
      share: [100, 100],
    },
    3,
  ],
  [
    {
      reason: 'service_complaint',
      text: ['late delivery, penalty per agreement'],
      code: [null],
      share: [2, 5],
    },
    3,
  ],
];

const FINDINGS: Record<Outcome, readonly string[]> = {
  valid: [
    'confirmed by POD and carrier report',
    'contract price confirmed by Sales',
    'agreed: credit issued',
    'return received in warehouse',
  ],
  invalid: [
    'signed POD shows full delivery: amount is due',
    'price per agreement of January: amount is due',
    'promotion period had ended: amount is due',
    'no return received: amount is due',
  ],
  partial: ['part of the shipment confirmed damaged', 'contract price applies to part of the lines'],
};

/** What the demo's owners and approvers are called when they act. */
const shortName = (person: string) => (mailboxOf(person) ?? person).split('@')[0]!;

/**
 * The demo's disputes, on a company that already has customers, invoices and cash applied: a
 * resolution matrix, the key accounts segment, realistic deductions and claims over the last few
 * months (cases cash application opened are routed again by the matrix), some resolved valid
 * (credit memos, the larger ones approved by the controller), some invalid (collected back), a few
 * partial, one withdrawn, the rest open with their owners (some overdue and escalated). Deterministic
 * for a seed. Returns the lines to print.
 */
export async function seedDemoDisputes(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
  seed: number,
): Promise<string[]> {
  const rng = new Rng(seed).fork('disputes');
  const exp = minorUnitExponent(ctx.baseCurrency);
  const money = (minor: number) => `${formatMinor(minor, exp)} ${ctx.baseCurrency}`;
  await ensureDisputeSetup(client, ctx, 'ar.manager');
  await updateSettings(
    client,
    ctx,
    { approvalThresholdMinor: 1_000 * 10 ** exp, managerAfterDays: 5 },
    'controller',
  );
  const matrix = await loadMatrixFile(
    client,
    ctx,
    { name: 'demo-matrix.json', text: demoMatrix(ctx.baseCurrency) },
    { actor: 'ar.manager' },
  );
  // Key accounts: the parents of customer families and their subsidiaries.
  await client.query(
    `INSERT INTO dispute_segment (company_id, customer_id, segment, updated_by)
     SELECT c.company_id, c.customer_id, 'key_account', 'ar.manager' FROM customer c
      WHERE c.company_id = $1 AND c.parent_customer_id IS NULL
        AND EXISTS (SELECT 1 FROM customer k WHERE k.company_id = $1 AND k.parent_customer_id = c.customer_id)
     ON CONFLICT (company_id, customer_id) DO NOTHING`,
    [ctx.companyId],
  );
  const rerouted = await rerouteLiveCases(client, ctx, { actor: 'ar.manager' });

  // Open invoices to dispute: a reporting read of the ledger's documents, in a fixed order.
  const { rows: open } = await client.query<{
    document_id: string;
    customer_id: string;
    document_date: string;
    open_minor: number;
    amount_minor: number;
  }>(
    `SELECT d.document_id, d.customer_id, d.document_date, d.open_minor, d.amount_minor FROM document d
      WHERE d.company_id = $1 AND d.doc_type = 'invoice' AND d.open_minor > 0 AND d.document_date <= $2
        AND d.document_date > $2::date - 150 AND d.currency = $3
        AND NOT EXISTS (SELECT 1 FROM dispute_case_line l WHERE l.company_id = $1 AND l.document_id = d.document_id)
      ORDER BY d.document_id LIMIT 20000`,
    [ctx.companyId, asOfDate, ctx.baseCurrency],
  );
  const chosen = rng.shuffle(open).slice(0, Math.min(90, Math.floor(open.length / 3)));
  const cases: NewCase[] = [];
  for (const d of chosen) {
    const claim = rng.weighted(CLAIMS);
    const sharePct = rng.int(claim.share[0], claim.share[1]);
    const amountMinor = Math.max(1, Math.min(d.open_minor, Math.floor((d.amount_minor * sharePct) / 100)));
    const earliest = [d.document_date, addDays(asOfDate, -120)].sort()[1]!;
    const span = Math.max(0, daysBetween(earliest, asOfDate) - 1);
    cases.push({
      customerId: d.customer_id,
      origin: rng.chance(0.7) ? 'claim' : 'collector',
      // Customers take deductions soon after the invoice is due or paid: most cases are weeks old.
      openedOn: addDays(
        earliest,
        Math.min(span, Math.floor(rng.int(Math.min(5, span), span) * rng.next() ** 0.5)),
      ),
      externalCode: rng.pick(claim.code),
      reasonText: rng.pick(claim.text),
      lines: [{ documentId: d.document_id, amountMinor }],
    });
  }
  const opened = await openCasesBulk(client, ctx, cases, { actor: 'collections' });

  // Decide the older ones; leave the recent ones (and some old ones: overdue) open.
  const tally = { valid: 0, invalid: 0, partial: 0, credited: 0, collected: 0, approvals: 0 };
  for (const [i, c] of opened.entries()) {
    const openedOn = cases[i]!.openedOn;
    const age = daysBetween(openedOn, asOfDate);
    if (age < 12 || rng.chance(0.2)) continue;
    const outcome = rng.weighted<Outcome>([
      ['valid', 50],
      ['invalid', 35],
      ['partial', 15],
    ]);
    const postingDate = addDays(openedOn, rng.int(3, Math.min(age, 40)));
    const owner = shortName(c.owner);
    const credit =
      outcome === 'partial' ? Math.max(1, Math.floor((c.amountMinor * rng.int(30, 70)) / 100)) : null;
    if (outcome === 'partial' && (credit === null || credit >= c.amountMinor)) continue;
    const r = await resolveCase(client, ctx, c.caseId, {
      outcome,
      creditMinor: credit,
      finding: rng.pick(FINDINGS[outcome]),
      postingDate,
      actor: owner,
    });
    if (r.status === 'pending') {
      await approveResolution(client, ctx, c.caseId, {
        actor: shortName(PEOPLE.controller),
        reason: 'checked against the contract',
      });
      tally.approvals++;
    }
    tally[outcome]++;
    tally.credited += r.creditBaseMinor;
    tally.collected += r.collectMinor;
  }
  // One the customer paid after all.
  const { rows: live } = await client.query<{ case_id: string }>(
    `SELECT case_id FROM dispute_case WHERE company_id = $1 AND status = 'open' AND opened_on <= $2::date - 12
      ORDER BY case_number LIMIT 1`,
    [ctx.companyId, asOfDate],
  );
  const withdrawn = live.length > 0 ? await closeCasesIfLive(client, ctx, live[0]!.case_id, asOfDate) : 0;

  const escalation = await runEscalation(client, ctx, { asOf: asOfDate, actor: 'scheduler', smtp: false });
  const { rows: overdue } = await client.query<{ owner: string; n: number; base: number }>(
    `SELECT owner, count(*)::int8 AS n, sum(base_amount_minor)::int8 AS base FROM dispute_case
      WHERE company_id = $1 AND status NOT IN ('resolved', 'closed') AND deadline < $2
      GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 5`,
    [ctx.companyId, asOfDate],
  );
  const { rows: totals } = await client.query<{
    n: number;
    live: number;
    live_base: number;
    cashapp: number;
  }>(
    `SELECT count(*)::int8 AS n, count(*) FILTER (WHERE status NOT IN ('resolved', 'closed'))::int8 AS live,
            coalesce(sum(base_amount_minor) FILTER (WHERE status NOT IN ('resolved', 'closed')), 0)::int8 AS live_base,
            count(*) FILTER (WHERE origin = 'cashapp')::int8 AS cashapp
       FROM dispute_case WHERE company_id = $1`,
    [ctx.companyId],
  );
  const t = totals[0]!;
  const lines = [
    `Disputes: ${t.n} cases (${t.cashapp} from cash-application deductions${rerouted > 0 ? `, ${rerouted} routed again` : ''}), routed by a ${matrix.rules.length}-rule resolution matrix`,
    `  resolved valid ${tally.valid}, invalid ${tally.invalid}, partial ${tally.partial} (${tally.approvals} approved by a second person), withdrawn ${withdrawn}; credited ${money(tally.credited)}, collected back ${money(tally.collected)}`,
    `  open ${t.live} for ${money(t.live_base)}; escalated today: ${escalation.created.filter((n) => n.level === 1).length} reminders to owners, ${escalation.created.filter((n) => n.level === 2).length} to managers (outbox)`,
  ];
  if (overdue.length > 0) lines.push('  overdue by owner:');
  for (const o of overdue) lines.push(`    ${o.owner}: ${o.n} case${o.n === 1 ? '' : 's'}, ${money(o.base)}`);
  lines.push('  try: openar dispute list --overdue, openar report disputes --by reason');
  return lines;
}

async function closeCasesIfLive(
  client: SqlClient,
  ctx: CompanyContext,
  caseId: string,
  on: string,
): Promise<number> {
  return closeCases(client, ctx, [caseId], {
    reason: 'customer paid the deducted amount with its next remittance',
    actor: 'collections',
    on,
    deductionStatus: 'resolved',
  });
}
