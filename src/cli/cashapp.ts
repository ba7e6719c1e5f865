import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type CashappSettings, DEFAULT_SETTINGS } from '../cashapp/core/types.js';
import { applyManually, rejectSuggestion, revertRun } from '../cashapp/manual.js';
import {
  APPLICATION_COLUMNS,
  type ApplicationRow,
  cashappQueue,
  cashappStats,
  exportApplications,
} from '../cashapp/reports.js';
import { runCashapp } from '../cashapp/run.js';
import { loadSettings, saveSettings } from '../cashapp/settings.js';
import { minorUnitExponent, parseDecimalToMinor } from '../money/index.js';
import { describeSettle, settleAfterCash } from './after-cash.js';
import { actorOf, globals, withCompany } from './context.js';
import { parseIsoDate, today, UsageError } from './format.js';
import { keepOutgrownAging } from './kept-aging.js';
import { print, printJson, renderTable } from './output.js';

export function registerCashapp(program: Command): void {
  const cashapp = program
    .command('cashapp')
    .description('apply incoming cash to invoices, explain it, and queue the rest');
  cashapp
    .command('run')
    .description(
      'match every receipt with cash left to apply and post what is certain (revert with "cashapp revert RUN")',
    )
    .option('--date <date>', 'posting date where a receipt falls in a closed period (default today)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      await withCompany(g, async (database, ctx) => {
        const s = await runCashapp(database, ctx, {
          actor: actorOf(g),
          postingDate: opts.date ? parseIsoDate(opts.date) : undefined,
        });
        const settled = await settleAfterCash(database, ctx, actorOf(g));
        const aging = await keepOutgrownAging(database, ctx);
        if (opts.json) return printJson({ ...s, promises: settled });
        print(
          `run ${s.runId}: ${s.receipts} receipts — ${s.auto} applied automatically, ${s.proposed} proposed, ${s.unapplied} left unapplied; ${s.applications} applications, ${s.deductions} deductions opened, ${s.advicesLinked} remittance advices linked`,
        );
        const line = describeSettle(settled);
        if (line) print(line);
        if (aging) print(aging);
      });
    });
  cashapp
    .command('revert <run>')
    .description(
      'undo a run exactly ("last" for the latest): reverse its applications, cancel its deductions',
    )
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--json', 'print the summary as JSON')
    .action(async (run: string, opts, command: Command) => {
      const g = globals(command);
      await withCompany(g, async (database, ctx) => {
        const s = await revertRun(database, ctx, run, { actor: actorOf(g), reason: opts.reason });
        if (opts.json) return printJson(s);
        print(
          `run ${s.runId} reverted: ${s.applicationsReversed} applications reversed, ${s.deductionsCancelled} deductions cancelled`,
        );
      });
    });
  cashapp
    .command('queue')
    .description('receipts that need a person, largest first, with the top suggestions')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      await withCompany(g, async (database, ctx) => {
        const limit = opts.json && opts.limit === '50' ? 1_000_000 : Number.parseInt(opts.limit, 10);
        const items = await database.transaction(({ client }) => cashappQueue(client, ctx, limit));
        if (opts.json) return printJson(items);
        if (items.length === 0) return print('nothing waits for a person');
        for (const q of items) {
          print(
            `${q.receipt_date}  ${q.amount} ${q.currency}  ${q.payer_name ?? '(no payer name)'}  [${q.status}]  receipt ${q.receipt_id}`,
          );
          for (const s of q.suggestions) {
            const lines = s.lines
              .map((l) => `${l.kind} ${l.invoice_number ?? ''} ${l.amount}`.replace('  ', ' '))
              .join(', ');
            print(`   ${s.rank}. ${s.score.toFixed(2)} ${s.customer_number ?? '?'}: ${lines}`);
            print(`      ${s.reasons.join('; ')}`);
          }
        }
      });
    });
  cashapp
    .command('apply <receipt>')
    .description(
      'apply a receipt by hand (receipt id, key, bank reference or end-to-end id); the choice is learned',
    )
    .option(
      '--invoice <number[=amount]...>',
      'an invoice and optionally the amount to apply to it',
      collect,
      [],
    )
    .option('--on-account', 'leave what is left on the customer account')
    .option('--write-off <reason>', "write off the last invoice's remainder with this reason")
    .option('--customer <number>', 'the payer, when no invoice names it')
    .option('--date <date>', 'posting date (default today)')
    .action(async (receipt: string, opts, command: Command) => {
      const g = globals(command);
      await withCompany(g, async (database, ctx) => {
        const invoices = (opts.invoice as string[]).map((text) => parseInvoiceArg(text, ctx.baseCurrency));
        const s = await applyManually(database, ctx, {
          receipt,
          invoices,
          onAccount: Boolean(opts.onAccount),
          writeOffReason: opts.writeOff ?? null,
          customerNumber: opts.customer ?? null,
          postingDate: opts.date ? parseIsoDate(opts.date) : today(),
          actor: actorOf(g),
        });
        print(
          `receipt ${s.receiptId}: ${s.applications} applications posted${s.acceptedRank > 0 ? ` (suggestion ${s.acceptedRank})` : ''}; learned ${s.learned.aliases} payer names, ${s.learned.accounts} accounts, ${s.learned.habits} reference habits`,
        );
      });
    });
  cashapp
    .command('reject <receipt>')
    .description('say a suggested customer or invoice is wrong for a receipt; it is not proposed again')
    .option('--customer <number>', 'the customer that did not pay this')
    .option('--invoice <number...>', 'invoices this does not pay', collect, [])
    .requiredOption('--reason <text>', 'why (recorded)')
    .action(async (receipt: string, opts, command: Command) => {
      const g = globals(command);
      await withCompany(g, async (database, ctx) => {
        const n = await rejectSuggestion(database, ctx, {
          receipt,
          customerNumber: opts.customer ?? null,
          invoiceNumbers: opts.invoice,
          reason: opts.reason,
          actor: actorOf(g),
        });
        print(`${n} rejection(s) recorded`);
      });
    });
  cashapp
    .command('stats')
    .description(
      'identified, straight-through, line-item and corrected rates by source, scenario or customer',
    )
    .option('--by <what>', 'all, source, scenario or customer', 'all')
    .option('--json', 'print as JSON')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      if (!['all', 'source', 'scenario', 'customer'].includes(opts.by))
        throw new UsageError('--by is all, source, scenario or customer');
      await withCompany(g, async (database, ctx) => {
        const rows = await database.transaction(({ client }) => cashappStats(client, ctx, opts.by));
        const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);
        const out = rows.map((r) => ({
          ...r,
          identifiedRate: r.receipts ? r.identified / r.receipts : null,
          straightThroughRate: r.receipts ? r.straightThrough / r.receipts : null,
          lineItemRate: r.receipts ? r.lineItemRight / r.receipts : null,
          wrongRate: r.receipts ? r.corrected / r.receipts : null,
        }));
        if (opts.json) return printJson(out);
        print(
          renderTable(rows, [
            { header: opts.by, value: (r) => r.group },
            { header: 'receipts', value: (r) => String(r.receipts), align: 'right' },
            { header: 'identified', value: (r) => pct(r.identified, r.receipts), align: 'right' },
            { header: 'straight-through', value: (r) => pct(r.straightThrough, r.receipts), align: 'right' },
            { header: 'line-item', value: (r) => pct(r.lineItemRight, r.receipts), align: 'right' },
            { header: 'corrected', value: (r) => pct(r.corrected, r.receipts), align: 'right' },
            { header: 'proposed', value: (r) => String(r.proposed), align: 'right' },
            { header: 'unapplied', value: (r) => String(r.unapplied), align: 'right' },
          ]),
        );
      });
    });
  cashapp
    .command('settings')
    .description('show or change the thresholds and tolerances (e.g. --set autoThreshold=0.95)')
    .option('--set <key=value...>', 'a setting to change', collect, [])
    .action(async (opts, command: Command) => {
      const g = globals(command);
      await withCompany(g, async (database, ctx) => {
        const changes: Partial<CashappSettings> = {};
        for (const pair of opts.set as string[]) {
          const [key, value] = pair.split('=', 2) as [keyof CashappSettings, string | undefined];
          if (!(key in DEFAULT_SETTINGS) || value === undefined)
            throw new UsageError(
              `unknown setting ${pair}; known: ${Object.keys(DEFAULT_SETTINGS).join(', ')}`,
            );
          (changes as Record<string, unknown>)[key] =
            typeof DEFAULT_SETTINGS[key] === 'number' ? Number(value) : value;
        }
        const settings = await database.transaction(({ client }) =>
          Object.keys(changes).length > 0
            ? saveSettings(client, ctx, changes, actorOf(g))
            : loadSettings(client, ctx),
        );
        printJson(settings);
      });
    });

  const exp =
    program.commands.find((c) => c.name() === 'export') ??
    program.command('export').description('export data');
  exp
    .command('applications')
    .description('one row per application, deduction and unapplied remainder')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--output <file>', 'write to a file instead of standard output')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      if (!['csv', 'json'].includes(opts.format)) throw new UsageError('--format is csv or json');
      await withCompany(g, async (database, ctx) => {
        const rows = await database.transaction(({ client }) => exportApplications(client, ctx));
        const text = opts.format === 'json' ? `${JSON.stringify(rows, null, 1)}\n` : toCsv(rows);
        if (opts.output) writeFileSync(opts.output, text);
        else process.stdout.write(text);
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseInvoiceArg(text: string, currency: string): { number: string; amountMinor: number | null } {
  const at = text.lastIndexOf('=');
  if (at < 0) return { number: text, amountMinor: null };
  const amount = text.slice(at + 1);
  try {
    return {
      number: text.slice(0, at),
      amountMinor: parseDecimalToMinor(amount, minorUnitExponent(currency)),
    };
  } catch (error) {
    throw new UsageError(`--invoice ${text}: ${amount} is not an amount`, { cause: error });
  }
}

function toCsv(rows: ApplicationRow[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [
    APPLICATION_COLUMNS.join(','),
    ...rows.map((r) => APPLICATION_COLUMNS.map((c) => cell(r[c])).join(',')),
  ];
  return `${lines.join('\n')}\n`;
}
