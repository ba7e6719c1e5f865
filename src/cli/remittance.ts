import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CompanyContext } from '../ledger/index.js';
import {
  importRemittanceFile,
  REMITTANCE_FILE_KINDS,
  type RemittanceFileKind,
  type RemittanceImportOptions,
  type RemittanceImportSummary,
} from '../remittance/index.js';
import type { Database } from '../store/database.js';
import { actorOf, globals, withCompany } from './context.js';
import { UsageError } from './format.js';
import { print, printJson } from './output.js';

/** `openar import remittance <file>`: under the `import` group registered by registerImports. */
export function registerRemittanceImport(program: Command): void {
  const imp = program.commands.find((c) => c.name() === 'import');
  if (imp === undefined) throw new Error('registerImports must run before registerRemittanceImport');
  imp
    .command('remittance <files...>')
    .description(
      'store remittance advices customers sent: e-mails (.eml), their CSV, text, HTML or PDF files (each file its own transaction)',
    )
    .option('--kind <kind>', `auto or one of ${REMITTANCE_FILE_KINDS.join(', ')}`, 'auto')
    .option('--json', 'print the summaries as JSON (an array when several files are given)')
    .action(async (files: string[], opts, command: Command) => {
      const g = globals(command);
      for (const file of files) if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const kind = parseKind(opts.kind);
      await withCompany(g, async (database, ctx) => {
        const summaries: RemittanceImportSummary[] = [];
        for (const file of files) {
          const { summary, lines } = await runRemittanceImport(database, ctx, {
            path: file,
            actor: actorOf(g),
            kind,
          });
          for (const w of summary.warnings) process.stderr.write(`warning: ${summary.file}: ${w}\n`);
          summaries.push(summary);
          if (!opts.json) for (const line of lines) print(line);
        }
        if (opts.json) printJson(files.length === 1 ? summaries[0] : summaries);
      });
    });
}

function parseKind(value: string): RemittanceFileKind | undefined {
  if (value === 'auto') return undefined;
  if ((REMITTANCE_FILE_KINDS as readonly string[]).includes(value)) return value as RemittanceFileKind;
  throw new UsageError(
    `--kind must be auto or one of ${REMITTANCE_FILE_KINDS.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** Imports one file and returns the summary with the lines the command prints. */
export async function runRemittanceImport(
  database: Database,
  ctx: CompanyContext,
  options: RemittanceImportOptions,
): Promise<{ summary: RemittanceImportSummary; lines: string[] }> {
  const summary = await importRemittanceFile(database, ctx, options);
  return { summary, lines: describeRemittanceImport(summary) };
}

/** What the command prints: counts, one line per advice, then what was not understood. */
export function describeRemittanceImport(s: RemittanceImportSummary): string[] {
  const lines = [
    `${s.file} (${s.kind}): remittance advices ${s.advicesNew} new, ${s.advicesExisting} already there; ${s.linesNew} lines stored`,
  ];
  for (const a of s.advices) {
    const who = [a.payer ?? 'payer unknown', a.payer_email ? `<${a.payer_email}>` : null]
      .filter(Boolean)
      .join(' ');
    const parts = [
      who,
      a.payment_reference ? `ref ${a.payment_reference}` : 'no payment reference',
      a.amount ? `${a.amount} ${a.currency ?? ''}`.trim() : 'amount not stated',
      a.payment_date ? `paid ${a.payment_date}` : null,
      `${a.lines} line${a.lines === 1 ? '' : 's'}`,
      a.status === 'new' ? 'new' : 'already there',
    ];
    lines.push(`  ${parts.filter(Boolean).join('; ')}`);
    if (a.unparsed_references.length > 0)
      lines.push(`    not understood (kept for review, not matched): ${a.unparsed_references.join(', ')}`);
    for (const w of a.warnings) lines.push(`    note: ${w}`);
  }
  return lines;
}
