import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseThresholds } from '../collections/core/buckets.js';
import { monthStart } from '../collections/core/dates.js';
import { CollectionsError } from '../collections/core/errors.js';
import {
  customerDunning,
  DEFAULT_CONFIG_FILE,
  DunningError,
  listRuns,
  loadConfig,
  parseConfigText,
  type RunSummary,
  releaseAsCreditManager,
  resolveRun,
  runDunning,
  saveConfig,
  sendLetters,
  setCustomerDunning,
  showRun,
  undoRun,
} from '../collections/dunning/index.js';
import { customerStatement, StatementError } from '../collections/statement/index.js';
import { statementPdf } from '../collections/statement/pdf.js';
import {
  statementCsv,
  statementJson,
  statementTable,
  statementXlsx,
} from '../collections/statement/render.js';
import { actorOf, globals, withCompany } from './context.js';
import { parseIsoDate, today, UsageError } from './format.js';
import { print, printJson, renderTable } from './output.js';

/**
 * CLI adapter for dunning (`openar dunning …`) and the customer statement (`openar report statement`).
 * A refusal (a bad strategy file, an unknown run, no SMTP server) prints the reason and exits 1.
 */

async function refusing(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof CollectionsError) throw new UsageError(error.message);
    if (error instanceof DunningError || error instanceof StatementError) {
      process.stderr.write(`openar: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

export function registerDunning(program: Command, report: Command): void {
  const dunning = program
    .command('dunning')
    .description('reminders, fees and follow-up steps for overdue accounts, by strategy and segment');

  dunning
    .command('run')
    .description('send every letter and record every step due today (e-mails over SMTP_URL)')
    .option('--as-of <date>', 'dun as of this date (default today)')
    .option('--dry-run', 'show who would get what; send and record nothing')
    .option('--json', 'print the run as JSON')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      const asOf = opts.asOf ? parseIsoDate(opts.asOf) : today();
      await refusing(() =>
        withCompany(g, async (database, ctx) => {
          const s = await runDunning((work) => database.transaction(({ client }) => work(client)), ctx, {
            asOf,
            dryRun: Boolean(opts.dryRun),
            actor: actorOf(g),
            smtpUrl: process.env.SMTP_URL,
          });
          if (opts.json) return printJson(s);
          print(runText(s));
          if (s.counts.failed > 0) process.exitCode = 1;
        }),
      );
    });

  dunning
    .command('undo <run>')
    .description(
      'reverse a run ("last" for the latest): fees and interest reversed, levels reset, holds flagged for release',
    )
    .requiredOption('--reason <text>', 'why (recorded)')
    .option('--date <date>', "posting date of the reversals (default: the run's as-of date)")
    .option('--release-holds', 'release the credit holds the run placed (needs the credit_manager role)')
    .option('--json', 'print the summary as JSON')
    .action(async (run: string, opts, command: Command) => {
      const g = globals(command);
      await refusing(() =>
        withCompany(g, async (database, ctx) => {
          const s = await database.transaction(({ client }) =>
            undoRun(client, ctx, run, {
              actor: actorOf(g),
              reason: opts.reason,
              postingDate: opts.date ? parseIsoDate(opts.date) : undefined,
              releaseHold: opts.releaseHolds ? releaseAsCreditManager : undefined,
            }),
          );
          if (opts.json) return printJson(s);
          print(
            `run ${s.runId} undone: ${s.lettersUndone} letters, ${s.levelsReset} document levels reset, ${s.chargesReversed.length} fees/interest reversed, ${s.emailsKeptAsSent} e-mails stay recorded as sent`,
          );
          for (const c of s.chargesReversed)
            print(
              `  ${c.document} reversed by ${c.reversal}: ${c.amount} ${c.currency}${c.note ? ` (${c.note})` : ''}`,
            );
          for (const c of s.chargesNotReversed) print(`  ${c.document} not reversed: ${c.note}`);
          for (const h of s.holdsReleased) print(`  credit hold ${h} released`);
          for (const h of s.holdsToRelease)
            print(`  credit hold ${h} must be released by a credit manager (follow-up recorded)`);
        }),
      );
    });

  dunning
    .command('resend <run>')
    .description('send again the e-mails of a run that failed or were not sent')
    .option('--json', 'print the outcome as JSON')
    .action(async (run: string, opts, command: Command) => {
      const g = globals(command);
      await refusing(() =>
        withCompany(g, async (database, ctx) => {
          const runId = await database.transaction(({ client }) => resolveRun(client, ctx, run));
          const results = await sendLetters(
            (work) => database.transaction(({ client }) => work(client)),
            ctx,
            runId,
            {
              smtpUrl: process.env.SMTP_URL ?? '',
              actor: actorOf(g),
              retryFailed: true,
            },
          );
          if (opts.json) return printJson(results);
          print(
            `run ${runId}: ${results.filter((r) => r.status === 'sent').length} sent, ${results.filter((r) => r.status === 'failed').length} failed`,
          );
          if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
        }),
      );
    });

  dunning
    .command('list')
    .description('dunning runs, newest first')
    .option('--limit <n>', 'at most this many', '20')
    .option('--json', 'print as JSON')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      const limit = Number.parseInt(opts.limit, 10);
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new UsageError('--limit must be a positive whole number');
      await withCompany(g, async (database, ctx) => {
        const runs = await database.transaction(({ client }) => listRuns(client, ctx, limit));
        if (opts.json) return printJson(runs);
        if (runs.length === 0) return print('no dunning runs yet');
        print(
          renderTable(runs, [
            { header: 'run', value: (r) => r.runId },
            { header: 'as of', value: (r) => r.asOf },
            { header: 'e-mails', value: (r) => String(r.emails), align: 'right' },
            { header: 'sent', value: (r) => String(r.sent), align: 'right' },
            { header: 'not sent', value: (r) => String(r.failed + r.pending), align: 'right' },
            { header: 'steps', value: (r) => String(r.actions), align: 'right' },
            { header: 'held back', value: (r) => String(r.skips), align: 'right' },
            { header: 'by', value: (r) => r.createdBy },
            {
              header: 'undone',
              value: (r) => (r.undoneAt ? `${r.undoneAt.slice(0, 10)} ${r.undoReason ?? ''}` : ''),
            },
          ]),
        );
      });
    });

  dunning
    .command('show <run>')
    .description(
      'a run\'s letters and steps with their documents, charges, outcome and reasons ("last" for the latest)',
    )
    .option('--json', 'print as JSON')
    .action(async (run: string, opts, command: Command) => {
      const g = globals(command);
      await refusing(() =>
        withCompany(g, async (database, ctx) => {
          const d = await database.transaction(({ client }) => showRun(client, ctx, run));
          if (opts.json) return printJson(d);
          print(
            `run ${d.run.runId} as of ${d.run.asOf} by ${d.run.createdBy}: ${d.run.emails} e-mails (${d.run.sent} sent, ${d.run.failed} failed, ${d.run.pending} pending), ${d.run.actions} steps, ${d.run.skips} held back${d.run.undoneAt ? `; UNDONE ${d.run.undoneAt} by ${d.run.undoneBy}: ${d.run.undoReason}` : ''}`,
          );
          for (const l of d.letters) {
            print('');
            print(
              `${l.customerNumber} ${l.customerName}: ${l.action} ${l.step} (level ${l.level}, ${l.strategy}/${l.segment}, ${l.language}) ${l.status}${l.recipient ? ` to ${l.recipient}` : ''}${l.undone ? ' [undone]' : ''}`,
            );
            if (l.subject) print(`  subject: ${l.subject}`);
            for (const i of l.items)
              print(
                `  ${i.document}: ${i.open} ${i.currency}, ${i.daysOverdue} days, ${i.step} (level ${i.level})${/^0(\.0+)?$/.test(i.interest) ? '' : `, interest ${i.interest}`}`,
              );
            for (const c of l.charges)
              print(
                `  ${c.kind} ${c.document}: ${c.amount} ${c.currency}${c.reversed !== null ? ` (reversed ${c.reversed})` : ''}`,
              );
            if (l.error) print(`  error: ${l.error}`);
            for (const r of l.reasons) print(`  · ${r}`);
          }
          if (d.skipped.length > 0) {
            print('');
            print('held back:');
            for (const s of d.skipped)
              print(`  ${s.customerNumber}${s.document ? ` ${s.document}` : ''}: ${s.code} — ${s.detail}`);
          }
        }),
      );
    });

  const strategy = dunning.command('strategy').description('the dunning strategies, segments and templates');
  strategy
    .command('load <file>')
    .description('check a strategy file (JSON) and put it in force')
    .action(async (file: string, _opts, command: Command) => {
      const g = globals(command);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
      }
      await refusing(async () => {
        const config = parseConfigText(text, basename(file));
        await withCompany(g, async (database, ctx) => {
          const id = await database.transaction(({ client }) =>
            saveConfig(client, ctx, config, basename(file), actorOf(g)),
          );
          print(
            `loaded ${basename(file)} (configuration ${id}): ${config.strategies.size} strategies, ${config.segments.length} segments, default ${config.defaultStrategy}`,
          );
        });
      });
    });
  strategy
    .command('show')
    .description('the configuration in force, as a file that can be edited and loaded back')
    .option('--output <file>', 'write it to FILE')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      await withCompany(g, async (database, ctx) => {
        const loaded = await database.transaction(({ client }) => loadConfig(client, ctx));
        const text = `${JSON.stringify(loaded.config.file, null, 2)}\n`;
        if (opts.output) {
          writeFileSync(opts.output, text);
          print(`wrote ${opts.output} (${loaded.sourceName})`);
        } else process.stdout.write(text);
      });
    });
  strategy
    .command('default')
    .description('print the built-in default configuration (a starting point for your own)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(DEFAULT_CONFIG_FILE, null, 2)}\n`);
    });

  dunning
    .command('customer <customer>')
    .description("a customer's dunning settings, strategy and document levels; change them with the options")
    .option('--language <code>', 'letter language (en, de, fr…)')
    .option(
      '--strategy <code>',
      'use this strategy whatever the segments say ("auto" to follow the segments)',
    )
    .option('--block <reason>', 'send this customer nothing until unblocked')
    .option('--unblock', 'lift a block')
    .option('--reason <text>', 'why the change (recorded)')
    .option('--json', 'print as JSON')
    .action(async (customer: string, opts, command: Command) => {
      const g = globals(command);
      const changing =
        opts.language !== undefined ||
        opts.strategy !== undefined ||
        opts.block !== undefined ||
        opts.unblock;
      if (opts.block !== undefined && opts.unblock) throw new UsageError('--block and --unblock together');
      if (changing && !opts.reason && opts.block === undefined)
        throw new UsageError('a change needs --reason TEXT');
      await refusing(() =>
        withCompany(g, async (database, ctx) => {
          const d = await database.transaction(({ client }) =>
            changing
              ? setCustomerDunning(client, ctx, customer, {
                  ...(opts.language !== undefined ? { language: opts.language } : {}),
                  ...(opts.strategy !== undefined
                    ? { strategy: opts.strategy === 'auto' ? null : opts.strategy }
                    : {}),
                  ...(opts.block !== undefined
                    ? { blockedReason: opts.block }
                    : opts.unblock
                      ? { blockedReason: null }
                      : {}),
                  actor: actorOf(g),
                  reason: opts.reason ?? opts.block,
                })
              : customerDunning(client, ctx, customer),
          );
          if (opts.json) return printJson(d);
          print(`${d.customerNumber} ${d.name}`);
          print(
            `  language: ${d.language ?? '(default)'}; strategy: ${d.strategy ?? '(by segment)'}${d.blockedReason ? `; BLOCKED: ${d.blockedReason}` : ''}`,
          );
          if (d.assignment)
            print(
              `  last dunned under ${d.assignment.strategy} (${d.assignment.segment}: ${d.assignment.reason})`,
            );
          for (const doc of d.documents)
            print(
              `  ${doc.document} due ${doc.dueDate}: level ${doc.level}${doc.lastStep ? ` (${doc.lastStep})` : ''}`,
            );
        }),
      );
    });

  report
    .command('statement <customer>')
    .description(
      "a customer's statement of account: opening balance, the period's movements, closing balance, aging",
    )
    .option('--from <date>', 'first day (default: the first of the month of --to)')
    .option('--to <date>', 'last day (default today)')
    .option('--buckets <days>', 'aging thresholds in days', '30,60,90,120')
    .option('--language <code>', 'PDF labels: en, de or fr', 'en')
    .option('--format <format>', 'table, csv, json, xlsx or pdf', 'table')
    .option('--output <file>', 'write to FILE (xlsx and pdf need it)')
    .option('--json', 'same as --format json')
    .action(async (customer: string, opts, command: Command) => {
      const g = globals(command);
      const format = opts.json ? 'json' : String(opts.format);
      if (!['table', 'csv', 'json', 'xlsx', 'pdf'].includes(format))
        throw new UsageError(
          `--format must be one of table, csv, json, xlsx, pdf; got ${JSON.stringify(format)}`,
        );
      if ((format === 'xlsx' || format === 'pdf') && !opts.output)
        throw new UsageError(`--format ${format} needs --output FILE`);
      const to = opts.to ? parseIsoDate(opts.to) : today();
      const from = opts.from ? parseIsoDate(opts.from) : monthStart(to);
      if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      let thresholds: number[];
      try {
        thresholds = parseThresholds(opts.buckets);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      await refusing(() =>
        withCompany(g, async (database, ctx) => {
          const s = await database.transaction(({ client }) =>
            customerStatement(client, ctx, customer, { from, to, thresholds }),
          );
          if (format === 'xlsx') return statementXlsx(s, opts.output);
          if (format === 'pdf') {
            writeFileSync(opts.output, await statementPdf(s, opts.language));
            return;
          }
          const text =
            format === 'json'
              ? JSON.stringify(statementJson(s), null, 2)
              : format === 'csv'
                ? statementCsv(s)
                : statementTable(s);
          if (opts.output) writeFileSync(opts.output, text.endsWith('\n') ? text : `${text}\n`);
          else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        }),
      );
    });
}

function runText(s: RunSummary): string {
  const head = s.dryRun
    ? `DRY RUN as of ${s.asOf} (${s.strategySource}): ${s.counts.emails} e-mails would be sent, ${s.counts.actions} steps recorded, ${s.counts.skipped} held back — nothing was sent or recorded`
    : `run ${s.runId} as of ${s.asOf} (${s.strategySource}): ${s.counts.sent} e-mails sent, ${s.counts.failed} failed, ${s.counts.actions} steps recorded, ${s.counts.charges} fees/interest posted, ${s.counts.skipped} held back`;
  const lines = [head];
  if (s.letters.length > 0) {
    lines.push(
      '',
      renderTable(s.letters, [
        { header: 'customer', value: (l) => l.customerNumber },
        { header: 'name', value: (l) => l.customerName.slice(0, 28) },
        { header: 'step', value: (l) => `${l.level} ${l.step}` },
        { header: 'action', value: (l) => l.action },
        { header: 'lang', value: (l) => l.language },
        { header: 'to', value: (l) => l.recipient ?? '' },
        { header: 'docs', value: (l) => String(l.documents.length), align: 'right' },
        {
          header: 'open',
          value: (l) =>
            Object.entries(l.totals)
              .map(([c, t]) => `${t.open} ${c}`)
              .join(' + '),
          align: 'right',
        },
        { header: 'charges', value: (l) => l.charges.map((c) => `${c.kind} ${c.amount}`).join(', ') },
        { header: 'status', value: (l) => l.status },
      ]),
    );
  }
  if (s.skipped.length > 0) {
    lines.push('', 'held back:');
    for (const k of s.skipped)
      lines.push(`  ${k.customerNumber}${k.document ? ` ${k.document}` : ''}: ${k.code} — ${k.detail}`);
  }
  return lines.join('\n');
}
