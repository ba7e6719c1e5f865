import { Rng } from '../../demo/prng.js';
import type { CompanyContext } from '../../ledger/context.js';
import { minorUnitExponent } from '../../money/index.js';
import type { SqlClient } from '../../store/client.js';
import { addDays } from '../core/dates.js';
import { moneyText } from './core/money.js';
import { creditCheck, grantCreditRole, listCreditRoles, releaseCreditHold } from './credit.js';
import { insertActivities, type NewActivity, placeCreditHold } from './holds.js';
import { createPlan } from './plans.js';
import { createPromise, type PromiseChannel } from './promises.js';
import { updateSettings } from './settings.js';
import { settlePromisesAndPlans } from './settle.js';
import { dueFollowUps } from './timeline.js';

/**
 * The demo's collections activity, over a company that already has customers, invoices and
 * payments: calls, e-mails and notes by each customer's collector; promises to pay made before
 * payments that really came (kept, one partly), and before silences (broken); a few live promises;
 * a payment plan in good standing and one with a missed installment; then the promise check and the
 * credit check as of `asOfDate`, a credit manager's release and a manual hold. Deterministic for a
 * seed. Returns the lines to print.
 */
export async function seedDemoActivity(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
  seed: number,
): Promise<string[]> {
  const rng = new Rng(seed).fork('collections-activity');
  const pastDue = await loadPastDue(client, ctx, asOfDate);
  const receipts = await loadRecentReceipts(client, ctx, asOfDate);
  const used = new Set<string>();
  const activities: NewActivity[] = [];
  const actorOf = (c: { collector: string | null }) => c.collector ?? 'collections';

  // Promises before payments that came: kept (one partly, promised more than was paid).
  let promised = 0;
  const payers = rng.shuffle(receipts).slice(0, 6);
  for (const r of payers) used.add(r.customerId);
  for (const [i, r] of payers.entries()) {
    const madeOn = addDays(r.receiptDate, -rng.int(3, 10));
    const partly = i === 5;
    const unit = 10 ** minorUnitExponent(r.currency);
    const amountMinor = partly ? Math.round((r.amountMinor * 2.5) / unit) * unit : r.amountMinor;
    await createPromise(client, ctx, {
      customerId: r.customerId,
      amountMinor,
      currency: r.currency,
      promisedDate: addDays(r.receiptDate, rng.int(0, 3)),
      madeOn,
      channel: rng.pick<PromiseChannel>(['phone', 'phone', 'email', 'portal']),
      promisedBy: rng.pick(CONTACTS),
      note: partly ? 'said the rest needs a second signature' : null,
      actor: actorOf(r),
    });
    activities.push(
      call(
        r,
        madeOn,
        'promised',
        `Reached AP about the overdue balance; they will pay ${moneyText(amountMinor, r.currency)}`,
        null,
      ),
    );
    promised++;
  }

  // Promises before silences (broken), and live ones that hold dunning back.
  const silent = rng.shuffle(pastDue.filter((c) => !c.paidRecently && !used.has(c.customerId)));
  const broken = silent.slice(0, Math.min(5, Math.ceil(silent.length / 2)));
  for (const c of broken) {
    used.add(c.customerId);
    const madeOn = addDays(asOfDate, -rng.int(25, 40));
    const amountMinor = roundDown(c.pastDueMinor, c.currency);
    await createPromise(client, ctx, {
      customerId: c.customerId,
      amountMinor,
      promisedDate: addDays(madeOn, rng.int(5, 10)),
      madeOn,
      channel: rng.pick<PromiseChannel>(['phone', 'email']),
      promisedBy: rng.pick(CONTACTS),
      actor: actorOf(c),
    });
    activities.push(
      call(c, madeOn, 'promised', 'Customer confirmed the invoices and promised payment by wire', null),
    );
    promised++;
  }
  const others = () => rng.shuffle(pastDue.filter((c) => !used.has(c.customerId)));
  for (const c of others().slice(0, 4)) {
    used.add(c.customerId);
    const madeOn = addDays(asOfDate, -rng.int(0, 3));
    await createPromise(client, ctx, {
      customerId: c.customerId,
      amountMinor: roundDown(c.pastDueMinor, c.currency),
      promisedDate: addDays(asOfDate, rng.int(3, 12)),
      madeOn,
      channel: 'phone',
      promisedBy: rng.pick(CONTACTS),
      actor: actorOf(c),
    });
    activities.push(
      call(c, madeOn, 'promised', 'Payment run scheduled; promised the full past-due amount', null),
    );
    promised++;
  }

  // Payment plans: one agreed recently (good standing), one whose first installment was missed.
  const plans: string[] = [];
  const big = others().sort((a, b) => b.pastDueMinor - a.pastDueMinor);
  const recent = big.find((c) => c.oldestDue < addDays(asOfDate, -3));
  if (recent) {
    used.add(recent.customerId);
    const p = await createPlan(client, ctx, {
      customerId: recent.customerId,
      installments: 3,
      firstDate: addDays(asOfDate, 7),
      every: '1m',
      madeOn: addDays(asOfDate, -3),
      note: 'cash-flow problems after losing a large client; CFO agreed the schedule',
      actor: actorOf(recent),
    });
    plans.push(
      `${recent.customerNumber}: ${moneyText(p.totalMinor, p.currency)} in 3 monthly installments from ${p.schedule[0]!.dueDate}`,
    );
  }
  const old =
    big.find((c) => !used.has(c.customerId) && !c.paidRecently && c.oldestDue < addDays(asOfDate, -50)) ??
    big.find((c) => !used.has(c.customerId) && c.oldestDue < addDays(asOfDate, -50));
  if (old) {
    used.add(old.customerId);
    const p = await createPlan(client, ctx, {
      customerId: old.customerId,
      installments: 4,
      firstDate: addDays(asOfDate, -35),
      every: '1m',
      madeOn: addDays(asOfDate, -50),
      actor: actorOf(old),
    });
    plans.push(
      `${old.customerNumber}: ${moneyText(p.totalMinor, p.currency)} in 4 monthly installments from ${p.schedule[0]!.dueDate}`,
    );
  }

  // The everyday work: calls, e-mails and notes on past-due accounts, with follow-ups around today.
  for (const c of rng.shuffle(pastDue).slice(0, Math.min(40, pastDue.length))) {
    const day = addDays(asOfDate, -rng.int(1, 20));
    const [outcome, text] = rng.pick(CALLS);
    const followUp = rng.chance(0.6) ? addDays(asOfDate, rng.int(-3, 6)) : null;
    activities.push(call(c, day, outcome, text, followUp));
    if (rng.chance(0.4))
      activities.push({
        customerId: c.customerId,
        kind: 'email',
        text: rng.pick(EMAILS),
        actor: actorOf(c),
        date: addDays(day, 1),
      });
    if (rng.chance(0.3))
      activities.push({
        customerId: c.customerId,
        kind: 'note',
        text: rng.pick(NOTES),
        actor: actorOf(c),
        date: day,
      });
  }
  await insertActivities(client, ctx, activities);

  const settled = await settlePromisesAndPlans(client, ctx, asOfDate, { actor: 'demo' });

  // Credit: the demo company's policy (90 days, 100.00 negligible), the rules as of today, a credit
  // manager's release, a manual hold after a broken promise.
  const hasPolicy = await client.query('SELECT 1 FROM activity_settings WHERE company_id = $1', [
    ctx.companyId,
  ]);
  if (hasPolicy.rows.length === 0)
    await updateSettings(
      client,
      ctx.companyId,
      { creditPastDueDays: 90, creditToleranceMinor: 100 * 10 ** minorUnitExponent(ctx.baseCurrency) },
      'demo',
      'demo company credit policy',
    );
  const managers = (await listCreditRoles(client, ctx)).filter((r) => r.role === 'credit_manager');
  const manager = managers[0]?.user_name ?? 'credit.manager';
  if (managers.length === 0) await grantCreditRole(client, ctx, manager, 'credit_manager', 'demo');
  const credit = await creditCheck(client, ctx, { asOfDate, actor: 'demo' });
  const released =
    credit.placed.find((p) => p.reasons.length === 1 && p.reasons[0]!.code === 'over_limit') ??
    credit.placed[0];
  if (released)
    await releaseCreditHold(client, ctx, {
      customerId: released.customerId,
      reason: 'strategic account: CFO approved shipments while the limit review is pending',
      actor: manager,
      date: asOfDate,
    });
  const brokenCustomer = broken[0];
  if (brokenCustomer && !credit.placed.some((p) => p.customerId === brokenCustomer.customerId))
    await placeCreditHold(client, ctx, {
      customerId: brokenCustomer.customerId,
      reason: 'broken promise to pay; no new orders until the past-due balance is paid',
      actor: actorOf(brokenCustomer),
      source: 'manual',
      date: asOfDate,
    });
  const followUps = await dueFollowUps(client, ctx, { asOfDate, limit: 10_000 });
  const overLimit = credit.placed.filter((p) => p.reasons.some((r) => r.code === 'over_limit')).length;
  const late = credit.placed.filter((p) => p.reasons.some((r) => r.code === 'past_due')).length;
  return [
    `Collections activity as of ${asOfDate}: ${activities.length} calls, e-mails and notes logged; ${followUps.length} follow-ups due today or earlier`,
    `  promises to pay: ${promised} taken — ${settled.kept} kept, ${settled.broken} broken (${settled.partial} partly kept), ${settled.promisesEvaluated - settled.kept - settled.broken} still live`,
    `  payment plans: ${plans.length}${plans.length > 0 ? ` — ${plans.join('; ')}` : ''}; ${settled.installmentsMissed} ${settled.installmentsMissed === 1 ? 'installment' : 'installments'} missed`,
    `  credit check: ${credit.placed.length} customers put on hold (${overLimit} over their limit, ${late} past due beyond the rule)${released ? `; ${released.customerNumber} released by ${manager}` : ''}${brokenCustomer ? `; ${brokenCustomer.customerNumber} on manual hold` : ''}`,
  ];
}

interface PastDueCustomer {
  customerId: string;
  customerNumber: string;
  collector: string | null;
  currency: string;
  pastDueMinor: number;
  oldestDue: string;
  paidRecently: boolean;
}

/** Customers with past-due debt in their own currency, and whether they paid anything lately. */
async function loadPastDue(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
): Promise<PastDueCustomer[]> {
  const { rows } = await client.query<{
    customer_id: string;
    customer_number: string;
    collector: string | null;
    currency: string;
    past_due_minor: number;
    oldest_due: string;
    paid_recently: boolean;
  }>(
    `SELECT c.customer_id, c.customer_number, c.collector, c.currency, sum(d.open_minor)::int8 AS past_due_minor,
            min(d.due_date) AS oldest_due,
            EXISTS (SELECT 1 FROM receipt r WHERE r.company_id = c.company_id AND r.customer_id = c.customer_id
                       AND r.receipt_date > $2::date - 60) AS paid_recently
       FROM customer c
       JOIN document d ON d.company_id = c.company_id AND d.customer_id = c.customer_id AND d.currency = c.currency
      WHERE c.company_id = $1 AND d.open_minor > 0 AND d.doc_type <> 'credit_memo' AND d.due_date < $2
      GROUP BY c.company_id, c.customer_id, c.customer_number, c.collector, c.currency
      ORDER BY c.customer_number`,
    [ctx.companyId, asOfDate],
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    customerNumber: r.customer_number,
    collector: r.collector,
    currency: r.currency.trim(),
    pastDueMinor: r.past_due_minor,
    oldestDue: r.oldest_due,
    paidRecently: r.paid_recently,
  }));
}

interface RecentReceipt {
  customerId: string;
  collector: string | null;
  receiptDate: string;
  currency: string;
  amountMinor: number;
}

/** One receipt per customer from 8 to 60 days ago (the largest), in the customer's currency. */
async function loadRecentReceipts(
  client: SqlClient,
  ctx: CompanyContext,
  asOfDate: string,
): Promise<RecentReceipt[]> {
  const { rows } = await client.query<{
    customer_id: string;
    collector: string | null;
    receipt_date: string;
    currency: string;
    amount_minor: number;
  }>(
    `SELECT DISTINCT ON (r.customer_id) r.customer_id, c.collector, r.receipt_date, r.currency, r.amount_minor
       FROM receipt r JOIN customer c ON c.company_id = r.company_id AND c.customer_id = r.customer_id
      WHERE r.company_id = $1 AND r.receipt_date BETWEEN $2::date - 60 AND $2::date - 8 AND r.currency = c.currency
      ORDER BY r.customer_id, r.amount_minor DESC, r.receipt_id`,
    [ctx.companyId, asOfDate],
  );
  return rows.map((r) => ({
    customerId: r.customer_id,
    collector: r.collector,
    receiptDate: r.receipt_date,
    currency: r.currency.trim(),
    amountMinor: r.amount_minor,
  }));
}

/** A round promise: the amount down to a whole hundred (or the amount itself when smaller). */
function roundDown(minor: number, currency: string): number {
  const hundred = 100 * 10 ** minorUnitExponent(currency);
  return minor >= hundred ? Math.floor(minor / hundred) * hundred : minor;
}

function call(
  c: { customerId: string; collector: string | null },
  date: string,
  outcome: string,
  text: string,
  followUpDate: string | null,
): NewActivity {
  return {
    customerId: c.customerId,
    kind: 'call',
    text,
    outcome,
    date,
    followUpDate,
    actor: c.collector ?? 'collections',
  };
}

const CONTACTS = [
  'Dana (AP)',
  'M. Keller, controller',
  'Accounts payable desk',
  'Priya, AP lead',
  'J. Ortega, CFO',
];

const CALLS: ReadonlyArray<readonly [string, string]> = [
  ['voicemail', 'Left a voicemail about the past-due invoices'],
  ['reached', 'AP confirmed receipt of the invoices; waiting on approval'],
  ['no_answer', 'No answer at the AP line'],
  ['reached', 'Invoices are in the next payment run'],
  ['wrong_contact', 'Contact left the company; asked for the new AP contact'],
  ['reached', 'Customer asked for copies of the invoices and a statement'],
  ['refused', 'Customer will not pay until the delivery issue is resolved'],
];

const EMAILS = [
  'Sent copies of the open invoices and the statement',
  'Sent the remittance details again',
  'Asked AP for the payment date in writing',
];

const NOTES = [
  'Customer pays on the last Friday of the month',
  'New AP portal; invoices must be uploaded there from now on',
  'Key account: escalate to the sales director before any hold',
  'Needs a PO number on every invoice',
];
