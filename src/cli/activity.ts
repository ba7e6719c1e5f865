import type { Command } from 'commander';
import {
  creditCheck,
  creditStatus,
  grantCreditRole,
  listCreditRoles,
  releaseCreditHold,
  revokeCreditRole,
} from '../collections/activity/credit.js';
import { type CustomerRef, resolveCustomer, resolveDocuments } from '../collections/activity/customers.js';
import { ActivityError } from '../collections/activity/errors.js';
import {
  ACTIVITY_KINDS,
  type ActivityKind,
  placeCreditHold,
  recordActivity,
} from '../collections/activity/holds.js';
import { cancelPlan, createPlan, listPlans, planDetail } from '../collections/activity/plans.js';
import {
  createPromise,
  listPromises,
  PROMISE_CHANNELS,
  type PromiseChannel,
  type PromiseStatusName,
  promiseDetail,
  setPromiseStatus,
  undoPromiseEvent,
} from '../collections/activity/promises.js';
import { type ActivitySettings, loadSettings, updateSettings } from '../collections/activity/settings.js';
import { settlePromisesAndPlans } from '../collections/activity/settle.js';
import { customerTimeline, dueFollowUps, setFollowUpDone } from '../collections/activity/timeline.js';
import { CollectionsError } from '../collections/core/errors.js';
import { csvLine } from '../collections/render/common.js';
import type { CompanyContext } from '../ledger/context.js';
import { minorUnitExponent, parseDecimalToMinor } from '../money/index.js';
import type { SqlClient } from '../store/client.js';
import type { Database } from '../store/database.js';
import { actorOf, type GlobalOptions, globals, withCompany } from './context.js';
import { money, parseCount, parseIsoDate, today, UsageError } from './format.js';
import { print, printJson, renderTable } from './output.js';

/**
 * CLI adapter for the collections activity module: the customer timeline (notes, calls,
 * follow-ups), promises to pay, payment plans and credit holds. `report` is the shared
 * `openar report` command (nothing hangs on it yet).
 */
export function registerActivity(program: Command, _report: Command): void {
  registerTimeline(program);
  registerPromises(program);
  registerPlans(program);
  registerCredit(program);
}

/** Bad input is usage (exit 2); a refused operation (no role, not open...) exits 1 with its message. */
const USAGE_CODES = /^(bad-|too-many|reason-required|bad-date)/;

async function run<T>(
  command: Command,
  work: (tx: { client: SqlClient; ctx: CompanyContext; actor: string; database: Database }) => Promise<T>,
): Promise<T> {
  const g: GlobalOptions = globals(command);
  try {
    return await withCompany(g, (database, ctx) =>
      database.transaction(({ client }) => work({ client, ctx, actor: actorOf(g), database })),
    );
  } catch (error) {
    if (error instanceof CollectionsError) throw new UsageError(error.message);
    if (error instanceof ActivityError && USAGE_CODES.test(error.code)) throw new UsageError(error.message);
    throw error;
  }
}

const list = (text: string | undefined): string[] =>
  text === undefined
    ? []
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);

function amountOf(text: string, currency: string, what: string): number {
  try {
    return parseDecimalToMinor(text, minorUnitExponent(currency));
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

/**
 * `promise` records a promise itself and has subcommands; commander gives the parent the options
 * both declare (--json, --date, --note) even after a subcommand's name, so subcommands read theirs
 * merged with the parent's.
 */
// biome-ignore lint/suspicious/noExplicitAny: commander's parsed options are untyped, as in its own `opts`
const withParent = (opts: Record<string, unknown>, command: Command): Record<string, any> => ({
  ...(command.parent?.opts() ?? {}),
  ...opts,
});

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  return value as T;
}

function printCsv(header: string[], rows: (string | number | null)[][]): void {
  process.stdout.write(csvLine(header));
  for (const r of rows) process.stdout.write(csvLine(r));
}

function registerTimeline(program: Command): void {
  const entry = (kind: 'note' | 'call' | 'email', description: string) => {
    const cmd = program
      .command(`${kind} <customer> <text>`)
      .description(description)
      .option('--follow-up <date>', 'when to come back to it')
      .option('--date <date>', 'when it happened (default today)');
    if (kind !== 'note')
      cmd.option('--outcome <outcome>', 'reached, voicemail, no_answer, promised, refused, wrong_contact...');
    cmd
      .option('--json', 'print the new entry as JSON')
      .action(async (number: string, text: string, opts, command: Command) => {
        const id = await run(command, async ({ client, ctx, actor }) => {
          const customer = await resolveCustomer(client, ctx, number);
          return recordActivity(client, ctx, {
            customerId: customer.customerId,
            kind,
            text,
            outcome: opts.outcome,
            followUpDate: opts.followUp ? parseIsoDate(opts.followUp) : null,
            date: opts.date ? parseIsoDate(opts.date) : undefined,
            actor,
          });
        });
        if (opts.json) return printJson({ activity_id: id });
        print(
          `${kind} recorded on ${number}'s timeline (${id})${opts.followUp ? `; follow up on ${opts.followUp}` : ''}`,
        );
      });
  };
  entry('note', "add a note to a customer's timeline");
  entry('call', 'log a call with a customer');
  entry('email', 'log an e-mail exchanged with a customer (outside dunning)');

  program
    .command('timeline <customer>')
    .description("a customer's timeline: calls, e-mails, notes, promises, plans, holds, dunning and disputes")
    .option('--limit <n>', 'the latest N entries', '100')
    .option('--kind <kinds>', `only these kinds (comma-separated: ${ACTIVITY_KINDS.join(', ')})`)
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .action(async (number: string, opts, command: Command) => {
      const kinds = list(opts.kind).map((k) => oneOf('--kind', k, ACTIVITY_KINDS)) as ActivityKind[];
      const { customer, entries } = await run(command, async ({ client, ctx }) => {
        const customer = await resolveCustomer(client, ctx, number);
        const entries = await customerTimeline(client, ctx, customer.customerId, {
          limit: parseCount(opts.limit),
          kinds: kinds.length > 0 ? kinds : undefined,
        });
        return { customer, entries };
      });
      if (opts.json) return printJson({ customer: customer.customerNumber, name: customer.name, entries });
      if (opts.csv)
        return printCsv(
          [
            'date',
            'kind',
            'text',
            'outcome',
            'follow_up',
            'follow_up_done',
            'by',
            'recorded_at',
            'activity_id',
          ],
          entries.map((e) => [
            e.date,
            e.kind,
            e.text,
            e.outcome,
            e.followUpDate,
            e.followUpDate ? String(e.followUpDate && e.followUpDone) : null,
            e.by,
            e.recordedAt,
            e.activityId,
          ]),
        );
      print(
        `${customer.customerNumber} ${customer.name}${customer.collector ? ` (collector ${customer.collector})` : ''}`,
      );
      if (entries.length === 0) return print('nothing on the timeline yet');
      print(
        renderTable(entries, [
          { header: 'date', value: (e) => e.date },
          { header: 'kind', value: (e) => e.kind },
          { header: 'what', value: (e) => `${e.text}${e.outcome ? ` [${e.outcome}]` : ''}`.slice(0, 100) },
          {
            header: 'follow-up',
            value: (e) => (e.followUpDate ? `${e.followUpDate}${e.followUpDone ? ' done' : ''}` : ''),
          },
          { header: 'by', value: (e) => e.by },
        ]),
      );
    });

  program
    .command('followups')
    .description('follow-ups due (not done) on or before a date, oldest first')
    .option('--collector <name>', "only this collector's customers")
    .option('--as-of <date>', 'due on or before this date (default today)')
    .option('--limit <n>', 'at most N', '500')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .action(async (opts, command: Command) => {
      const asOfDate = opts.asOf ? parseIsoDate(opts.asOf) : today();
      const rows = await run(command, ({ client, ctx }) =>
        dueFollowUps(client, ctx, {
          asOfDate,
          collector: opts.collector ?? null,
          limit: parseCount(opts.limit),
        }),
      );
      if (opts.json) return printJson(rows);
      if (opts.csv)
        return printCsv(
          ['follow_up', 'days_overdue', 'customer', 'name', 'collector', 'kind', 'text', 'activity_id'],
          rows.map((r) => [
            r.followUpDate,
            r.daysOverdue,
            r.customerNumber,
            r.customerName,
            r.collector,
            r.kind,
            r.text,
            r.activityId,
          ]),
        );
      if (rows.length === 0) return print(`no follow-ups due by ${asOfDate}`);
      print(
        renderTable(rows, [
          { header: 'due', value: (r) => r.followUpDate ?? '' },
          { header: 'late', value: (r) => String(r.daysOverdue), align: 'right' },
          { header: 'customer', value: (r) => r.customerNumber },
          { header: 'name', value: (r) => r.customerName.slice(0, 30) },
          { header: 'collector', value: (r) => r.collector ?? '' },
          { header: 'about', value: (r) => `${r.kind}: ${r.text}`.slice(0, 70) },
          { header: 'id', value: (r) => r.activityId },
        ]),
      );
    });

  const followup = program.command('followup').description('mark a follow-up done, or open again');
  for (const [name, done] of [
    ['done', true],
    ['undo', false],
  ] as const) {
    followup
      .command(`${name} <activity>`)
      .description(done ? 'the follow-up is done' : 'the follow-up is open again')
      .option('--reason <text>', 'why (recorded)')
      .action(async (activityId: string, opts, command: Command) => {
        await run(command, ({ client, ctx, actor }) =>
          setFollowUpDone(client, ctx, activityId, done, actor, opts.reason),
        );
        print(`follow-up ${activityId} ${done ? 'done' : 'open again'}`);
      });
  }
}

function registerPromises(program: Command): void {
  const promise = program
    .command('promise')
    .description(
      'record a promise to pay (openar promise CUSTOMER --amount A --date D), or: list, show, check, set, undo, cancel, settings',
    )
    .argument('[customer]', "the customer's number")
    .option('--amount <amount>', 'the promised amount, e.g. 1234.56')
    .option('--date <date>', 'the day the customer promised to pay by')
    .option('--channel <channel>', `how it was promised: ${PROMISE_CHANNELS.join(', ')}`, 'phone')
    .option('--by <name>', 'who promised (the customer contact)')
    .option('--documents <numbers>', 'the documents it is for (comma-separated); default the whole account')
    .option('--currency <code>', "default the documents' or the customer's currency")
    .option('--made-on <date>', 'when the promise was made (default today)')
    .option('--note <text>', 'anything else')
    .option('--json', 'print JSON')
    .action(async (number: string | undefined, opts, command: Command) => {
      if (!number)
        throw new UsageError('name a customer: openar promise CUSTOMER --amount A --date YYYY-MM-DD');
      if (!opts.amount || !opts.date) throw new UsageError('a promise needs --amount and --date');
      const promisedDate = parseIsoDate(opts.date);
      const channel = oneOf('--channel', opts.channel, PROMISE_CHANNELS) as PromiseChannel;
      const r = await run(command, async ({ client, ctx, actor }) => {
        const customer = await resolveCustomer(client, ctx, number);
        const docs = await resolveDocuments(client, ctx, customer.customerId, list(opts.documents));
        const currency = opts.currency ?? docs[0]?.currency ?? customer.currency;
        const amountMinor = amountOf(opts.amount, currency, '--amount');
        const created = await createPromise(client, ctx, {
          customerId: customer.customerId,
          amountMinor,
          currency,
          promisedDate,
          madeOn: opts.madeOn ? parseIsoDate(opts.madeOn) : undefined,
          channel,
          promisedBy: opts.by ?? null,
          documentIds: docs.map((d) => d.documentId),
          note: opts.note ?? null,
          actor,
        });
        return { ...created, customer, currency, amountMinor };
      });
      if (opts.json) return printJson({ promise_id: r.promiseId, activity_id: r.activityId });
      print(
        `promise ${r.promiseId}: ${r.customer.customerNumber} to pay ${money(r.amountMinor, r.currency)} ${r.currency} by ${promisedDate}`,
      );
    });

  promise
    .command('list')
    .description('promises to pay, by promised date')
    .option('--status <status>', 'open, kept, partial, broken or cancelled')
    .option('--customer <number>', 'one customer')
    .option('--limit <n>', 'at most N', '500')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .action(async (parsed, command: Command) => {
      const opts = withParent(parsed, command);
      const status = opts.status
        ? (oneOf('--status', opts.status, [
            'open',
            'kept',
            'partial',
            'broken',
            'cancelled',
          ]) as PromiseStatusName)
        : undefined;
      const rows = await run(command, async ({ client, ctx }) => {
        const customer = opts.customer ? await resolveCustomer(client, ctx, opts.customer) : null;
        return listPromises(client, ctx, {
          status,
          customerId: customer?.customerId,
          limit: parseCount(opts.limit),
        });
      });
      if (opts.json)
        return printJson(
          rows.map((r) => ({
            ...r,
            amount: money(r.amountMinor, r.currency),
            kept: money(r.keptMinor, r.currency),
          })),
        );
      if (opts.csv)
        return printCsv(
          [
            'promise_id',
            'customer',
            'promised_date',
            'amount',
            'kept',
            'currency',
            'status',
            'settled_on',
            'channel',
            'promised_by',
            'documents',
          ],
          rows.map((r) => [
            r.promiseId,
            r.customerNumber,
            r.promisedDate,
            money(r.amountMinor, r.currency),
            money(r.keptMinor, r.currency),
            r.currency,
            r.status,
            r.settledOn,
            r.channel,
            r.promisedBy,
            r.documentNumbers.join(' '),
          ]),
        );
      if (rows.length === 0) return print('no promises');
      print(
        renderTable(rows, [
          { header: 'promised', value: (r) => r.promisedDate },
          { header: 'customer', value: (r) => r.customerNumber },
          {
            header: 'amount',
            value: (r) => `${money(r.amountMinor, r.currency)} ${r.currency}`,
            align: 'right',
          },
          {
            header: 'kept',
            value: (r) => (r.keptMinor > 0 ? money(r.keptMinor, r.currency) : ''),
            align: 'right',
          },
          { header: 'status', value: (r) => r.status },
          { header: 'settled', value: (r) => r.settledOn ?? '' },
          { header: 'by', value: (r) => `${r.promisedBy ?? ''} (${r.channel})`.trim() },
          { header: 'id', value: (r) => r.promiseId },
        ]),
      );
    });

  promise
    .command('show <promise>')
    .description('a promise with every status change, its reasons and the receipts counted')
    .option('--json', 'print JSON')
    .action(async (id: string, parsed, command: Command) => {
      const opts = withParent(parsed, command);
      const d = await run(command, ({ client, ctx }) => promiseDetail(client, ctx, id));
      if (opts.json) return printJson(d);
      const p = d.promise;
      print(`promise ${p.promiseId} — ${p.customerNumber} ${p.customerName}`);
      print(
        `  ${money(p.amountMinor, p.currency)} ${p.currency} by ${p.promisedDate} (made ${p.madeOn}, ${p.channel}${p.promisedBy ? `, ${p.promisedBy}` : ''})`,
      );
      if (p.documentNumbers.length > 0) print(`  for ${p.documentNumbers.join(', ')}`);
      print(
        `  status ${p.status}${p.settledOn ? ` on ${p.settledOn}` : ''}${p.keptMinor > 0 ? `, ${money(p.keptMinor, p.currency)} counted` : ''}`,
      );
      for (const e of d.events)
        print(
          `  ${e.asOfDate} ${e.fromStatus} → ${e.toStatus} (${e.source}, ${e.by})${e.reversedBy ? ' [undone]' : ''}: ${e.reason}  [event ${e.eventId}]`,
        );
    });

  promise
    .command('check')
    .description(
      'mark open promises kept, partly kept or broken, and payment plans paid or missed, from the cash in the ledger',
    )
    .option('--as-of <date>', 'evaluate as of this date (default today)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', 'print JSON')
    .action(async (parsed, command: Command) => {
      const opts = withParent(parsed, command);
      const asOfDate = opts.asOf ? parseIsoDate(opts.asOf) : today();
      const s = await run(command, ({ client, ctx, actor }) =>
        settlePromisesAndPlans(client, ctx, asOfDate, { actor, dryRun: Boolean(opts.dryRun) }),
      );
      if (opts.json) return printJson({ as_of: asOfDate, dry_run: Boolean(opts.dryRun), ...s });
      print(
        `${opts.dryRun ? '(dry run) ' : ''}as of ${asOfDate}: ${s.promisesEvaluated} open promises — ${s.kept} kept, ${s.broken} broken (${s.partial} partly kept); ${s.plansEvaluated} active plans — ${s.installmentsPaid} installments paid, ${s.installmentsMissed} missed, ${s.plansCompleted} plans completed`,
      );
    });

  promise
    .command('set <promise> <status>')
    .description('settle an open promise by hand: kept, broken or cancelled')
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--date <date>', 'as of (default today)')
    .action(async (id: string, status: string, parsed, command: Command) => {
      const opts = withParent(parsed, command);
      const to = oneOf('status', status, ['kept', 'broken', 'cancelled'] as const);
      const eventId = await run(command, ({ client, ctx, actor }) =>
        setPromiseStatus(client, ctx, id, to, {
          reason: opts.reason,
          actor,
          date: opts.date ? parseIsoDate(opts.date) : undefined,
        }),
      );
      print(`promise ${id} ${to} (event ${eventId}; undo with: openar promise undo ${eventId} --reason …)`);
    });

  promise
    .command('cancel <promise>')
    .description('cancel an open promise (recorded by mistake, replaced by a new one)')
    .requiredOption('--reason <text>', 'why (recorded)')
    .action(async (id: string, parsed, command: Command) => {
      const opts = withParent(parsed, command);
      const eventId = await run(command, ({ client, ctx, actor }) =>
        setPromiseStatus(client, ctx, id, 'cancelled', { reason: opts.reason, actor }),
      );
      print(`promise ${id} cancelled (event ${eventId})`);
    });

  promise
    .command('undo <event>')
    .description("undo a promise's last status change (see promise show): it is open again")
    .requiredOption('--reason <text>', 'why (recorded)')
    .action(async (eventId: string, parsed, command: Command) => {
      const opts = withParent(parsed, command);
      const undoId = await run(command, ({ client, ctx, actor }) =>
        undoPromiseEvent(client, ctx, eventId, { reason: opts.reason, actor }),
      );
      print(`undone (event ${undoId}); the promise is open again`);
    });

  promise
    .command('settings')
    .description('grace days and tolerance for promises and plans (no option: show them)')
    .option('--grace-days <n>', 'cash this many days after the promised date still keeps it')
    .option(
      '--tolerance <amount>',
      "a promise short by at most this much is kept (in the base currency's decimals)",
    )
    .option('--plan-grace-days <n>', 'an installment is missed this many days after its due date')
    .option('--reason <text>', 'why (required to change)')
    .option('--json', 'print JSON')
    .action(async (parsed, command: Command) => {
      const opts = withParent(parsed, command);
      await settingsCommand(command, opts, (o, ctx) => ({
        ...(o.graceDays !== undefined && { promiseGraceDays: parseCount(o.graceDays) }),
        ...(o.tolerance !== undefined && {
          promiseToleranceMinor: amountOf(o.tolerance, ctx.baseCurrency, '--tolerance'),
        }),
        ...(o.planGraceDays !== undefined && { planGraceDays: parseCount(o.planGraceDays) }),
      }));
    });
}

async function settingsCommand(
  command: Command,
  opts: Record<string, string | boolean | undefined>,
  change: (opts: Record<string, string | undefined>, ctx: CompanyContext) => Partial<ActivitySettings>,
): Promise<void> {
  const s = await run(command, async ({ client, ctx, actor }) => {
    const c = change(opts as Record<string, string | undefined>, ctx);
    if (Object.keys(c).length === 0) return loadSettings(client, ctx.companyId);
    if (typeof opts.reason !== 'string') throw new UsageError('changing settings needs --reason');
    return updateSettings(client, ctx.companyId, c, actor, opts.reason);
  });
  if (opts.json) return printJson(s);
  for (const [k, v] of Object.entries(s)) print(`${k}: ${v === null ? 'off' : v}`);
}

function registerPlans(program: Command): void {
  const plan = program
    .command('plan')
    .description('payment plans: split a past-due balance into installments');
  plan
    .command('create <customer>')
    .description('a plan over the chosen documents, or all past-due invoices and debit memos')
    .requiredOption('--installments <n>', 'how many installments (1–120)')
    .requiredOption('--first <date>', 'when the first installment is due')
    .option('--every <interval>', 'between installments: 30d, 2w, 1m...', '1m')
    .option('--documents <numbers>', 'the documents (comma-separated); default all past due')
    .option('--made-on <date>', 'the day the plan is agreed (default today)')
    .option('--note <text>', 'anything else')
    .option('--json', 'print JSON')
    .action(async (number: string, opts, command: Command) => {
      const r = await run(command, async ({ client, ctx, actor }) => {
        const customer = await resolveCustomer(client, ctx, number);
        const docs = await resolveDocuments(client, ctx, customer.customerId, list(opts.documents));
        return createPlan(client, ctx, {
          customerId: customer.customerId,
          installments: parseCount(opts.installments),
          firstDate: parseIsoDate(opts.first),
          every: opts.every,
          documentIds: docs.map((d) => d.documentId),
          madeOn: opts.madeOn ? parseIsoDate(opts.madeOn) : undefined,
          note: opts.note ?? null,
          actor,
        });
      });
      if (opts.json) return printJson(r);
      print(
        `plan ${r.planId}: ${money(r.totalMinor, r.currency)} ${r.currency} over ${r.schedule.length} installments (${r.documents} documents)`,
      );
      print(
        renderTable(r.schedule, [
          { header: '#', value: (s) => String(s.seq), align: 'right' },
          { header: 'due', value: (s) => s.dueDate },
          { header: 'amount', value: (s) => money(s.amountMinor, r.currency), align: 'right' },
        ]),
      );
    });
  plan
    .command('list')
    .description('payment plans')
    .option('--status <status>', 'active, completed or cancelled')
    .option('--customer <number>', 'one customer')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const status = opts.status
        ? (oneOf('--status', opts.status, ['active', 'completed', 'cancelled'] as const) as
            | 'active'
            | 'completed'
            | 'cancelled')
        : undefined;
      const rows = await run(command, async ({ client, ctx }) => {
        const customer = opts.customer ? await resolveCustomer(client, ctx, opts.customer) : null;
        return listPlans(client, ctx, { status, customerId: customer?.customerId });
      });
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return print('no payment plans');
      print(
        renderTable(rows, [
          { header: 'customer', value: (r) => r.customerNumber },
          {
            header: 'total',
            value: (r) => `${money(r.totalMinor, r.currency)} ${r.currency}`,
            align: 'right',
          },
          { header: 'paid', value: (r) => money(r.paidMinor, r.currency), align: 'right' },
          { header: 'installments', value: (r) => `${r.installmentCount} every ${r.every}`, align: 'right' },
          { header: 'next due', value: (r) => r.nextDueDate ?? '' },
          { header: 'status', value: (r) => r.status },
          {
            header: 'standing',
            value: (r) => (r.standing === 'missed' ? `missed (${r.missedInstallments})` : 'good'),
          },
          { header: 'id', value: (r) => r.planId },
        ]),
      );
    });
  plan
    .command('show <plan>')
    .description('a plan with its installments and every status change')
    .option('--json', 'print JSON')
    .action(async (id: string, opts, command: Command) => {
      const d = await run(command, ({ client, ctx }) => planDetail(client, ctx, id));
      if (opts.json) return printJson(d);
      const p = d.plan;
      const m = (minor: number) => money(minor, p.currency);
      print(
        `plan ${p.planId} — ${p.customerNumber} ${p.customerName}: ${m(p.totalMinor)} ${p.currency}, ${p.status}, standing ${p.standing}`,
      );
      print(`  made ${p.madeOn} by ${p.createdBy}; documents ${d.documentNumbers.join(', ')}`);
      print(
        renderTable(d.installments, [
          { header: '#', value: (i) => String(i.seq), align: 'right' },
          { header: 'due', value: (i) => i.dueDate },
          { header: 'amount', value: (i) => m(i.amountMinor), align: 'right' },
          { header: 'paid', value: (i) => m(i.paidMinor), align: 'right' },
          { header: 'status', value: (i) => i.status },
          { header: 'on', value: (i) => i.settledOn ?? '' },
        ]),
      );
      for (const e of d.events)
        print(
          `  ${e.asOfDate} ${e.seq === null ? 'plan' : `#${e.seq}`} ${e.fromStatus} → ${e.toStatus}: ${e.reason}`,
        );
    });
  plan
    .command('cancel <plan>')
    .description('cancel an active plan (dunning resumes)')
    .requiredOption('--reason <text>', 'why (recorded)')
    .action(async (id: string, opts, command: Command) => {
      await run(command, ({ client, ctx, actor }) =>
        cancelPlan(client, ctx, id, { reason: opts.reason, actor }),
      );
      print(`plan ${id} cancelled`);
    });
}

function registerCredit(program: Command): void {
  const credit = program.command('credit').description('credit limits, exposure and holds');
  credit
    .command('check')
    .description('evaluate the credit rules for every customer; place and lift rule holds with their reasons')
    .option('--as-of <date>', 'judge past-due days as of this date (default today)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const asOfDate = opts.asOf ? parseIsoDate(opts.asOf) : today();
      const s = await run(command, ({ client, ctx, actor }) =>
        creditCheck(client, ctx, { asOfDate, dryRun: Boolean(opts.dryRun), actor }),
      );
      if (opts.json) return printJson(s);
      print(
        `${s.dryRun ? '(dry run) ' : ''}as of ${asOfDate}: ${s.customersEvaluated} customers — ${s.placed.length} holds placed, ${s.lifted.length} lifted, ${s.onRuleHold} on rule hold, ${s.overridden} held back by a manager's release`,
      );
      for (const p of s.placed.slice(0, 50))
        print(`  hold  ${p.customerNumber}: ${p.reasons.map((r) => r.text).join('; ')}`);
      for (const l of s.lifted.slice(0, 50)) print(`  lift  ${l.customerNumber}`);
      if (s.placed.length + s.lifted.length > 100) print('  … (--json for all)');
    });
  credit
    .command('hold <customer>')
    .description('put a customer on credit hold by hand')
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--date <date>', 'the day of the hold (default today)')
    .action(async (number: string, opts, command: Command) => {
      const id = await run(command, async ({ client, ctx, actor }) => {
        const customer = await resolveCustomer(client, ctx, number);
        return placeCreditHold(client, ctx, {
          customerId: customer.customerId,
          reason: opts.reason,
          actor,
          source: 'manual',
          date: opts.date ? parseIsoDate(opts.date) : undefined,
        });
      });
      print(`${number} on credit hold (${id})`);
    });
  credit
    .command('release <customer>')
    .description(
      "release a customer's credit holds (needs the credit_manager role); overrides the rules for a while",
    )
    .requiredOption('--reason <text>', 'why (recorded)')
    .option(
      '--until <date>',
      'the rules may hold the customer again after this date (default: the override days setting)',
    )
    .option('--source <source>', 'only holds from manual, dunning or rule')
    .option('--date <date>', 'the day of the release (default today)')
    .action(async (number: string, opts, command: Command) => {
      const source = opts.source
        ? oneOf('--source', opts.source, ['manual', 'dunning', 'rule'] as const)
        : undefined;
      const r = await run(command, async ({ client, ctx, actor }) => {
        const customer = await resolveCustomer(client, ctx, number);
        return releaseCreditHold(client, ctx, {
          customerId: customer.customerId,
          reason: opts.reason,
          actor,
          until: opts.until ? parseIsoDate(opts.until) : undefined,
          source,
          date: opts.date ? parseIsoDate(opts.date) : undefined,
        });
      });
      print(
        `${number}: ${r.released.length} hold(s) released; the rules leave it alone until ${r.overrideUntil}`,
      );
    });
  credit
    .command('status [customer]')
    .description('credit limit, exposure, what the rules say and active holds (one customer, or all)')
    .option('--as-of <date>', 'judge past-due days as of this date (default today)')
    .option('--held', 'only customers on hold')
    .option('--limit <n>', 'at most N rows in the table', '200')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .action(async (number: string | undefined, opts, command: Command) => {
      const asOfDate = opts.asOf ? parseIsoDate(opts.asOf) : today();
      const rows = await run(command, async ({ client, ctx }) => {
        const customer: CustomerRef | null = number ? await resolveCustomer(client, ctx, number) : null;
        return creditStatus(client, ctx, {
          asOfDate,
          customerId: customer?.customerId,
          onlyHeld: Boolean(opts.held),
        });
      });
      if (opts.json)
        return printJson(
          rows.map((r) => ({
            ...r,
            credit_limit: r.creditLimitMinor === null ? null : money(r.creditLimitMinor, r.currency),
            exposure: money(r.exposureMinor, r.currency),
            available: r.availableMinor === null ? null : money(r.availableMinor, r.currency),
            on_hold: r.holds.length > 0,
          })),
        );
      if (opts.csv)
        return printCsv(
          [
            'customer',
            'name',
            'currency',
            'credit_limit',
            'exposure',
            'available',
            'past_due_beyond_rule',
            'on_hold',
            'hold_reasons',
            'rule_reasons',
            'override_until',
          ],
          rows.map((r) => [
            r.customerNumber,
            r.name,
            r.currency,
            r.creditLimitMinor === null ? null : money(r.creditLimitMinor, r.currency),
            money(r.exposureMinor, r.currency),
            r.availableMinor === null ? null : money(r.availableMinor, r.currency),
            money(r.lateMinor, r.currency),
            r.holds.length > 0 ? 'yes' : 'no',
            r.holds.map((h) => `${h.source}: ${h.reason}`).join(' | '),
            r.ruleReasons.join(' | '),
            r.overrideUntil,
          ]),
        );
      if (number && rows[0]) {
        const r = rows[0];
        const m = (minor: number) => `${money(minor, r.currency)} ${r.currency}`;
        print(`${r.customerNumber} ${r.name}`);
        print(
          `  credit limit ${r.creditLimitMinor === null ? 'none' : m(r.creditLimitMinor)}; exposure ${m(r.exposureMinor)} (open ${m(r.openDebitMinor)} less credits ${m(r.creditsMinor)})${r.availableMinor === null ? '' : `; available ${m(r.availableMinor)}`}`,
        );
        print(`  rules: ${r.ruleReasons.length > 0 ? r.ruleReasons.join('; ') : 'nothing to hold for'}`);
        if (r.overrideUntil)
          print(`  a credit manager's release overrides the rules until ${r.overrideUntil}`);
        if (r.holds.length === 0) print('  not on hold');
        for (const h of r.holds)
          print(`  ON HOLD (${h.source}) since ${h.placedOn} by ${h.placedBy}: ${h.reason}`);
        return;
      }
      const shown = rows.slice(0, parseCount(opts.limit));
      print(
        renderTable(shown, [
          { header: 'customer', value: (r) => r.customerNumber },
          { header: 'name', value: (r) => r.name.slice(0, 30) },
          {
            header: 'limit',
            value: (r) => (r.creditLimitMinor === null ? '' : money(r.creditLimitMinor, r.currency)),
            align: 'right',
          },
          { header: 'exposure', value: (r) => money(r.exposureMinor, r.currency), align: 'right' },
          { header: 'cur', value: (r) => r.currency },
          { header: 'hold', value: (r) => r.holds.map((h) => h.source).join(',') },
          { header: 'rules say', value: (r) => r.ruleReasons.join('; ').slice(0, 70) },
        ]),
      );
      if (rows.length > shown.length)
        print(`… ${rows.length - shown.length} more (--limit, --held, --csv or --json)`);
    });
  credit
    .command('settings')
    .description('credit rules (no option: show them)')
    .option('--over-limit <on|off>', 'hold customers over their credit limit')
    .option('--past-due-days <n|off>', 'hold customers with debt past due by more than N days')
    .option('--tolerance <amount>', "negligible amount (in the base currency's decimals)")
    .option('--override-days <n>', "how long a manager's release keeps the rules away")
    .option('--reason <text>', 'why (required to change)')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      await settingsCommand(command, opts, (o, ctx) => ({
        ...(o.overLimit !== undefined && {
          creditOverLimit: oneOf('--over-limit', o.overLimit, ['on', 'off'] as const) === 'on',
        }),
        ...(o.pastDueDays !== undefined && {
          creditPastDueDays: o.pastDueDays === 'off' ? null : parseCount(o.pastDueDays),
        }),
        ...(o.tolerance !== undefined && {
          creditToleranceMinor: amountOf(o.tolerance, ctx.baseCurrency, '--tolerance'),
        }),
        ...(o.overrideDays !== undefined && { creditOverrideDays: parseCount(o.overrideDays) }),
      }));
    });
  const role = credit.command('role').description('who may release credit holds');
  role
    .command('grant <user> <role>')
    .description('grant a role (credit_manager); only a credit manager may, except for the first one')
    .action(async (user: string, roleName: string, _opts, command: Command) => {
      const r = await run(command, ({ client, ctx, actor }) =>
        grantCreditRole(client, ctx, user, oneOf('role', roleName, ['credit_manager'] as const), actor),
      );
      print(`${user} is now ${roleName}${r.bootstrap ? ' (the first credit manager)' : ''}`);
    });
  role
    .command('revoke <user> <role>')
    .description('revoke a role (needs credit_manager)')
    .action(async (user: string, roleName: string, _opts, command: Command) => {
      await run(command, ({ client, ctx, actor }) =>
        revokeCreditRole(client, ctx, user, oneOf('role', roleName, ['credit_manager'] as const), actor),
      );
      print(`${user} is no longer ${roleName}`);
    });
  role
    .command('list')
    .description('who holds which role')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const rows = await run(command, ({ client, ctx }) => listCreditRoles(client, ctx));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return print('no roles granted');
      print(
        renderTable(rows, [
          { header: 'user', value: (r) => r.user_name },
          { header: 'role', value: (r) => r.role },
          { header: 'granted by', value: (r) => r.granted_by },
          { header: 'on', value: (r) => r.granted_at },
        ]),
      );
    });
}
