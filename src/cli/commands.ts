import { existsSync, rmSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import {
  addDays,
  DEFAULT_THRESHOLDS,
  type KeptAgingSpec,
  parseThresholds,
  refreshOpenChanges,
  snapshotClosedPeriods,
} from '../collections/index.js';
import { CollectingSink, FORMAT_NAMES, type FormatName, streamFile } from '../formats/index.js';
import { type ImportKind, importFile, loadImportMapping } from '../imports/index.js';
import { checkInvariants, createCompany, setPeriodStatus, tieOut } from '../ledger/index.js';
import { isPostgresUrl } from '../store/database.js';
import { exportLedger, importLedger } from '../store/transfer.js';
import { describeSettle, settleAfterCash } from './after-cash.js';
import { actorOf, globals, resolveTarget, withCompany, withDatabase } from './context.js';
import { money, parseCount, parseIsoDate, today, UsageError } from './format.js';
import { keepOutgrownAging, keepTodaysAging, refreshWithRetry } from './kept-aging.js';
import { print, printJson, renderTable } from './output.js';
import { asUsage, oneOf } from './reports.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the database (if needed) and a company')
    .option('--code <code>', 'short company code', 'main')
    .option('--name <name>', 'company name', 'My Company')
    .option('--currency <ccy>', 'base currency (ISO 4217)', 'USD')
    .option('--fiscal-year-start <month>', 'first month of the fiscal year (1-12)', '1')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      await withDatabase(g, async (database) => {
        const ctx = await database.transaction(({ client }) =>
          createCompany(client, {
            code: opts.code,
            name: opts.name,
            baseCurrency: String(opts.currency).toUpperCase(),
            fiscalYearStartMonth: Number.parseInt(opts.fiscalYearStart, 10),
            actor: actorOf(g),
          }),
        );
        print(`created company ${ctx.code} (${ctx.name}, ${ctx.baseCurrency}) in ${resolveTarget(g)}`);
      });
    });
}

export function registerImports(program: Command): void {
  const imp = program
    .command('import')
    .description('bring customers, invoices and payments in from an ERP (CSV or XLSX)');
  for (const kind of ['customers', 'invoices', 'payments'] as ImportKind[]) {
    imp
      .command(`${kind} <file>`)
      .description(`import ${kind} in the canonical columns (see README), or another layout with --map`)
      .option('--map <file>', "a JSON mapping from the file's columns to the canonical ones")
      .option('--skip-bad-rows', 'import the good rows; write the bad ones with reasons to a reject file')
      .option('--reject-file <file>', 'where rejected rows go (default FILE.rejects.csv)')
      .option('--json', 'print the summary as JSON')
      .action(async (file: string, opts, command: Command) => {
        const g = globals(command);
        if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
        const mapping = opts.map ? loadImportMapping(opts.map) : undefined;
        await withCompany(g, async (database, ctx) => {
          const bar =
            process.stderr.isTTY && !opts.json
              ? new cliProgress.SingleBar(
                  { format: `${kind} {value} rows read`, stream: process.stderr },
                  cliProgress.Presets.shades_classic,
                )
              : null;
          bar?.start(0, 0);
          try {
            const summary = await importFile(database, ctx, kind, {
              path: file,
              mapping,
              skipBadRows: Boolean(opts.skipBadRows),
              rejectPath: opts.rejectFile,
              actor: actorOf(g),
              onProgress: (n) => bar?.update(n),
            });
            bar?.stop();
            // Payments bring cash and its applications: promises and plan installments it settles are marked.
            const settled = kind === 'payments' ? await settleAfterCash(database, ctx, actorOf(g)) : null;
            const aging = await keepOutgrownAging(database, ctx);
            if (opts.json) return printJson(settled ? { ...summary, promises: settled } : summary);
            print(
              `${summary.file}: ${summary.rowsRead} rows read; ${summary.inserted} new, ${summary.updated} changed, ${summary.unchanged} already there, ${summary.rejected} rejected`,
            );
            const line = settled && describeSettle(settled);
            if (line) print(line);
            if (summary.previousImportId)
              print(
                `(this exact file was imported before, as ${summary.previousImportId}: nothing was added twice)`,
              );
            if (summary.rejectPath) print(`rejected rows and reasons: ${summary.rejectPath}`);
            if (aging) print(aging);
          } finally {
            bar?.stop();
          }
        });
      });
  }
}

export function registerBankImport(program: Command): void {
  const imp = program.commands.find((c) => c.name() === 'import')!;
  imp
    .command('bank <file>')
    .description('store a bank statement or remittance file and create receipts for incoming credits')
    .option('--format <format>', `auto or one of ${FORMAT_NAMES.join(', ')}`, 'auto')
    .option('--mapping <name>', 'CSV/XLSX: a saved column mapping (name or path)')
    .option('--lenient', 'accept control totals that disagree, with a warning')
    .option('--strict', 'treat balances that do not tie as errors')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts, command: Command) => {
      const g = globals(command);
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const { importBankFile } = await import('../banking/index.js');
      await withCompany(g, async (database, ctx) => {
        const s = await importBankFile(database, ctx, {
          path: file,
          format: opts.format,
          lenient: Boolean(opts.lenient),
          strict: Boolean(opts.strict),
          mapping: opts.mapping,
          actor: actorOf(g),
        });
        for (const w of s.warnings) process.stderr.write(`warning: ${s.file}: ${w}\n`);
        const aging = await keepOutgrownAging(database, ctx);
        if (opts.json) return printJson(s);
        print(
          `${s.file} (${s.format}): ${s.statements} statements; entries ${s.entriesNew} new, ${s.entriesExisting} already there; ${s.receiptsCreated} receipts created (${s.receiptsIdentified} with the payer identified); remittance advices ${s.remittancesNew} new, ${s.remittancesExisting} already there`,
        );
        if (aging) print(aging);
      });
    });
}

export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('the AR subledger and its GL control accounts');
  ledger
    .command('balance')
    .description('tie-out: AR subledger against the GL control account, in base and per currency')
    .option('--as-of <date>', 'rebuild the tie-out as of a past date')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const asOf = opts.asOf ? parseIsoDate(opts.asOf) : undefined;
      await withCompany(globals(command), async (database, ctx) => {
        const tie = await database.transaction(({ client }) => tieOut(client, ctx, asOf));
        if (opts.json)
          return printJson({
            company: ctx.code,
            base_currency: ctx.baseCurrency,
            as_of: asOf ?? null,
            ...tie,
          });
        const b = ctx.baseCurrency;
        print(
          `${ctx.name} (${ctx.code})${asOf ? ` as of ${asOf}` : ''}: ${tie.tied ? 'subledger ties to the GL' : 'OUT OF BALANCE'}`,
        );
        print(
          renderTable(
            [
              { what: `AR control (${b})`, ...tie.arBase },
              { what: `unapplied cash (${b})`, ...tie.unappliedBase },
              ...tie.arByCurrency.map((l) => ({ what: `AR in ${l.currency}`, ...l, currency: l.currency })),
            ],
            [
              { header: 'account', value: (r) => r.what },
              {
                header: 'subledger',
                value: (r) => money(r.subledgerMinor, 'currency' in r ? String(r.currency) : b),
                align: 'right',
              },
              {
                header: 'GL',
                value: (r) => money(r.glMinor, 'currency' in r ? String(r.currency) : b),
                align: 'right',
              },
              {
                header: 'difference',
                value: (r) => money(r.differenceMinor, 'currency' in r ? String(r.currency) : b),
                align: 'right',
              },
            ],
          ),
        );
        if (!tie.tied) process.exitCode = 1;
      });
    });
  ledger
    .command('check')
    .description('recompute every cached balance from history and report any disagreement')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      await withCompany(globals(command), async (database, ctx) => {
        const violations = await database.transaction(({ client }) => checkInvariants(client, ctx));
        if (opts.json) printJson(violations);
        else
          print(
            violations.length === 0
              ? 'all invariants hold'
              : violations.map((v) => `${v.rule}: ${v.detail}`).join('\n'),
          );
        if (violations.length > 0) process.exitCode = 1;
      });
    });

  const period = program.command('period').description('close or reopen accounting periods (YYYY-MM)');
  for (const [name, status] of [
    ['close', 'closed'],
    ['open', 'open'],
  ] as const) {
    period
      .command(`${name} <period>`)
      .description(
        `${name} a month: ${status === 'closed' ? 'nothing can post into it afterwards' : 'allow postings again'}`,
      )
      .requiredOption('--reason <text>', 'why (recorded)')
      .action(async (code: string, opts, command: Command) => {
        const g = globals(command);
        await withCompany(g, async (database, ctx) => {
          // Closing a month takes the AR snapshot of its last day (and of any closed month before it
          // without one), in the same transaction: aging and metrics then start from it.
          const snapshots = await database.transaction(async ({ client }) => {
            await setPeriodStatus(client, ctx, code, status, actorOf(g), opts.reason);
            return status === 'closed' ? snapshotClosedPeriods(client, ctx) : [];
          });
          print(`period ${code} is ${status}`);
          for (const s of snapshots)
            print(
              `AR snapshot of ${s.asOf}: ${s.documents} open documents, ${s.receipts} receipts with cash left${
                s.changes ? `; ${s.changes.rows} open-item changes by day since ${s.changes.from}` : ''
              }`,
            );
          // A close also keeps today's aging, and so clears the marks postings leave for it: a
          // company that never runs the nightly refresh has them bounded by a month, like the
          // history marks the snapshot clears.
          if (status === 'closed') await keepTodaysAging(database, ctx, today());
        });
      });
  }

  period
    .command('refresh')
    .description(
      "keep the open month's AR change log up to a day, and the next day's aging (run nightly): aging on those days then reads them",
    )
    .option('--through <date>', 'the last day the log covers (default yesterday)')
    .option(
      '--buckets <days>',
      "the kept aging's past-due ranges, as reports ask for them",
      DEFAULT_THRESHOLDS.join(','),
    )
    .option('--basis <basis>', "the kept aging's basis (due|invoice)", 'due')
    .option('--age-credits', 'keep the aging with open credit memos aged into the buckets')
    .action(async (opts, command: Command) => {
      const through = opts.through ? parseIsoDate(opts.through) : addDays(today(), -1);
      const keep: KeptAgingSpec = (await asUsage(async () => ({
        thresholds: parseThresholds(opts.buckets),
        basis: oneOf('--basis', opts.basis, ['due', 'invoice'] as const),
        agedCredits: Boolean(opts.ageCredits),
      })))!;
      await withCompany(globals(command), async (database, ctx) => {
        const open = await refreshWithRetry(() =>
          database.transaction(({ client }) => refreshOpenChanges(client, ctx, through), {
            isolation: 'repeatable read',
          }),
        );
        print(
          open
            ? `open-item changes by day of ${addDays(open.from, 1)} to ${open.to}: ${open.rows} rows`
            : `no change log kept for ${through}: it must fall within two months after the latest AR snapshot (close the months before it)`,
        );
        await keepTodaysAging(database, ctx, addDays(through, 1), keep);
      });
    });
}

export function registerDb(program: Command): void {
  const db = program.command('db').description('move a whole ledger between PGlite and PostgreSQL');
  db.command('export <file>')
    .description('write every table to FILE')
    .action(async (file: string, _opts, command: Command) => {
      await withDatabase(globals(command), async (database) => {
        const counts = await exportLedger(database, file);
        print(
          `exported ${Object.values(counts).reduce((a, b) => a + b, 0)} rows from ${Object.keys(counts).length} tables to ${file}`,
        );
      });
    });
  db.command('import <file>')
    .description('load an export into an empty database')
    .action(async (file: string, _opts, command: Command) => {
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      await withDatabase(globals(command), async (database) => {
        const counts = await importLedger(database, file);
        print(
          `imported ${Object.values(counts).reduce((a, b) => a + b, 0)} rows into ${Object.keys(counts).length} tables`,
        );
      });
    });
}

export function registerParse(program: Command): void {
  program
    .command('parse <file>')
    .description('read a bank or remittance file into the normalized model; touches no database')
    .option('--format <format>', `auto or one of ${FORMAT_NAMES.join(', ')}`, 'auto')
    .option('--mapping <name>', 'CSV/XLSX: a saved column mapping (name or path)')
    .option('--lenient', 'accept control totals that disagree, with a warning')
    .option('--strict', 'treat balances that do not tie as errors')
    .option('--json', 'print the normalized JSON')
    .action(async (file: string, opts) => {
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const format = opts.format as FormatName | 'auto';
      if (format !== 'auto' && !FORMAT_NAMES.includes(format))
        throw new UsageError(`unknown format ${format}; expected auto or one of ${FORMAT_NAMES.join(', ')}`);
      const sink = new CollectingSink(format === 'auto' ? 'csv' : format);
      const used = await streamFile(
        file,
        { format, lenient: Boolean(opts.lenient), strict: Boolean(opts.strict), mapping: opts.mapping },
        sink,
      );
      const result = { ...sink.result, format: used };
      for (const w of result.warnings) process.stderr.write(`warning: ${file}: ${w.message}\n`);
      if (opts.json) return printJson(result);
      print(
        `${file}: ${used}, ${result.statements.length} statements, ${result.statements.reduce((n, s) => n + s.entries.length, 0)} entries, ${result.remittances.length} remittance advices`,
      );
      print(
        renderTable(result.statements, [
          { header: 'account', value: (s) => s.account ?? '' },
          { header: 'ccy', value: (s) => s.currency ?? '' },
          { header: 'opening', value: (s) => s.opening_balance ?? '', align: 'right' },
          { header: 'closing', value: (s) => s.closing_balance ?? '', align: 'right' },
          { header: 'entries', value: (s) => String(s.entries.length), align: 'right' },
        ]),
      );
    });
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('build a realistic demo company (deterministic) and show what openar sees')
    .option('--fresh', 'start from an empty database (the embedded one only)')
    .option('--customers <n>', 'how many customers (default 300)')
    .option('--seed <n>', 'random seed (default 42)')
    .option('--as-of <date>', 'the demo\'s "today"')
    .action(async (opts, command: Command) => {
      const g = globals(command);
      const target = resolveTarget(g);
      if (opts.fresh) {
        if (isPostgresUrl(target))
          throw new UsageError(
            '--fresh only resets the embedded database; drop the PostgreSQL database yourself',
          );
        rmSync(target, { recursive: true, force: true });
      }
      const { runDemo } = await import('../demo/run.js');
      await withDatabase(g, async (database) => {
        await runDemo(database, {
          seed: opts.seed === undefined ? undefined : parseCount(opts.seed),
          customers: opts.customers === undefined ? undefined : parseCount(opts.customers),
          asOf: opts.asOf ? parseIsoDate(opts.asOf) : undefined,
          actor: actorOf(g),
          log: print,
        });
      });
    });
}
