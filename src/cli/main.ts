import { Command, CommanderError } from 'commander';
import { BankImportError } from '../banking/index.js';
import { CashappError } from '../cashapp/manual.js';
import { ActivityError } from '../collections/activity/errors.js';
import { DunningError } from '../collections/dunning/core/errors.js';
import { PredictionError } from '../collections/prediction/core/errors.js';
import { StatementError } from '../collections/statement/core/errors.js';
import { WorklistError } from '../collections/worklist/core/errors.js';
import { DeductionError } from '../disputes/index.js';
import { ParseError } from '../formats/errors.js';
import { ImportError, MappingError } from '../imports/index.js';
import { LedgerError } from '../ledger/index.js';
import { MoneyError } from '../money/index.js';
import { StoreError } from '../store/client.js';
import { registerActivity } from './activity.js';
import { registerCashapp } from './cashapp.js';
import {
  registerBankImport,
  registerDb,
  registerDemo,
  registerImports,
  registerInit,
  registerLedger,
  registerParse,
} from './commands.js';
import { registerDisputes } from './disputes.js';
import { registerDunning } from './dunning.js';
import { UsageError } from './format.js';
import { registerListings } from './listings.js';
import { registerRemittanceImport } from './remittance.js';
import { registerReports } from './reports.js';
import { registerWorklist } from './worklist.js';

export function buildProgram(): Command {
  const program = new Command('openar')
    .description('openar: accounts-receivable automation on an exact ledger')
    .version('0.1.0')
    .option(
      '--db <target>',
      'PGlite data directory or postgres:// URL (default: $DATABASE_URL, $OPENAR_DB or ./openar-data)',
    )
    .option('--company <code>', 'which company (needed when there are several)')
    .option(
      '--user <name>',
      'who is acting (recorded on every change; default $OPENAR_USER or the login name)',
    )
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerInit(program);
  registerImports(program);
  registerBankImport(program);
  registerRemittanceImport(program);
  registerListings(program);
  registerLedger(program);
  registerDb(program);
  registerParse(program);
  registerDemo(program);
  registerCashapp(program);
  const report = registerReports(program);
  registerDisputes(program, report);
  registerActivity(program, report);
  registerDunning(program, report);
  registerWorklist(program, report);
  for (const command of program.commands) applyExitOverride(command);
  return program;
}

function applyExitOverride(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) applyExitOverride(sub);
}

/** Runs the CLI; returns the exit code: 0 done, 1 refused or failed, 2 bad usage. Never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error);
  }
}

const KNOWN_ERRORS = [
  ActivityError,
  BankImportError,
  DunningError,
  PredictionError,
  StatementError,
  WorklistError,
  CashappError,
  DeductionError,
  LedgerError,
  ImportError,
  ParseError,
  StoreError,
  MappingError,
  MoneyError,
];

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return 0;
    return 2;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`openar: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  const known = KNOWN_ERRORS.some((type) => error instanceof type);
  process.stderr.write(`openar: ${known ? '' : 'error: '}${message}\n`);
  if (!known && process.env.OPENAR_DEBUG && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  return 1;
}
