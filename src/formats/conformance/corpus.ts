/**
 * Runs the shared corpus (`../shared/corpus`, see its README) through the format readers: finds every
 * input that has an `<input>.expect.json`, parses it with the format named by its top folder, and
 * judges the outcome. Shared by `npm run conformance` and `test/conformance.test.ts`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import {
  FORMAT_NAMES,
  type FormatName,
  ParseError,
  type ParseResult,
  parseFile,
  sniffFormat,
} from '../index.js';
import { compareResult, type Mismatch } from './compare.js';
import { type Expectation, notesSayControlsInconsistent, toExpectation } from './expect.js';

export const EXPECT_SUFFIX = '.expect.json';

/** `OPENAR_CORPUS`, else `../shared/corpus` relative to the working directory (the repository root). */
export function corpusRoot(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const override = env.OPENAR_CORPUS;
  return override && override.length > 0 ? resolve(cwd, override) : resolve(cwd, '../shared/corpus');
}

export function corpusExists(root = corpusRoot()): boolean {
  return existsSync(join(root, 'README.md')) || FORMAT_NAMES.some((f) => existsSync(join(root, f)));
}

export interface CorpusFile {
  /** Path relative to the corpus root with "/" separators, e.g. "bai2/moov-io-bai2/test/testdata/sample1.txt". */
  relPath: string;
  absPath: string;
  format: FormatName;
  expect: Expectation;
}

/** Every input with an expectation, sorted by path; `formats` restricts the top folders searched. */
export async function listCorpusFiles(
  root: string,
  formats: readonly FormatName[] = FORMAT_NAMES,
): Promise<CorpusFile[]> {
  const files: CorpusFile[] = [];
  for (const format of formats) {
    const dir = join(root, format);
    if (!existsSync(dir)) continue;
    const names = await readdir(dir, { recursive: true });
    for (const name of names.filter((n) => n.endsWith(EXPECT_SUFFIX)).sort()) {
      const inputRel = name.slice(0, -EXPECT_SUFFIX.length);
      const absPath = join(dir, inputRel);
      if (!existsSync(absPath)) continue;
      const expectPath = join(dir, name);
      const expect = toExpectation(JSON.parse(await readFile(expectPath, 'utf8')), expectPath);
      files.push({ relPath: `${format}/${inputRel.split(sep).join('/')}`, absPath, format, expect });
    }
  }
  return files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

export type OutcomeStatus = 'pass' | 'fail';

export interface FileOutcome {
  relPath: string;
  format: FormatName;
  valid: boolean;
  status: OutcomeStatus;
  /** The default parse failed on control totals and the file passed with `lenient: true`. */
  lenientNeeded: boolean;
  /** What auto-sniffing picked (null: nothing); a mismatch is a warning, not a failure. */
  sniffed: FormatName | null;
  sniffMismatch: boolean;
  /** Figures that differ from the expectation, or the reason the file failed. */
  mismatches: Mismatch[];
  /** Remarks that do not fail the file (unexpected lenient retry, sniffing error…). */
  remarks: string[];
  /** Number of warnings the reader emitted (of the parse that counted). */
  parseWarnings: number;
  /** The error that made the outcome, if any ("ParseError[control-total]: …", "TypeError: …"). */
  error?: string;
}

export type ParseFn = (
  path: string,
  options: { format: FormatName; lenient: boolean },
) => Promise<ParseResult>;
export type SniffFn = (path: string) => Promise<FormatName | null>;

export interface CheckOptions {
  /** Per-parse time limit in ms (guards against asynchronous hangs). Default 120 000. */
  timeoutMs?: number;
  /** The registry's `parseFile` / `sniffFormat` unless a test injects its own. */
  parse?: ParseFn;
  sniff?: SniffFn;
}

interface Checker {
  timeoutMs: number;
  parse: ParseFn;
  sniff: SniffFn;
}

export async function checkCorpusFile(file: CorpusFile, options: CheckOptions = {}): Promise<FileOutcome> {
  const outcome: FileOutcome = {
    relPath: file.relPath,
    format: file.format,
    valid: file.expect.valid,
    status: 'pass',
    lenientNeeded: false,
    sniffed: null,
    sniffMismatch: false,
    mismatches: [],
    remarks: [],
    parseWarnings: 0,
  };
  const checker: Checker = {
    timeoutMs: options.timeoutMs ?? 120_000,
    parse: options.parse ?? parseFile,
    sniff: options.sniff ?? sniffFormat,
  };
  await checkSniff(file, outcome, checker);
  if (file.expect.valid) await checkValid(file, outcome, checker);
  else await checkInvalid(file, outcome, checker);
  outcome.status = outcome.mismatches.length === 0 ? 'pass' : 'fail';
  return outcome;
}

async function checkSniff(file: CorpusFile, outcome: FileOutcome, checker: Checker): Promise<void> {
  try {
    outcome.sniffed = await checker.sniff(file.absPath);
  } catch (error) {
    outcome.remarks.push(`sniffing threw ${describeError(error)}`);
  }
  // Invalid inputs include non-bank files (QIF, X12 824, fragments): not sniffing them is right.
  outcome.sniffMismatch = file.expect.valid && outcome.sniffed !== file.format;
}

async function checkValid(file: CorpusFile, outcome: FileOutcome, checker: Checker): Promise<void> {
  let result: ParseResult;
  try {
    result = await parseWithTimeout(file, false, checker);
  } catch (error) {
    if (!isControlTotalError(error)) {
      fail(outcome, 'parse', 'parses', error);
      return;
    }
    try {
      result = await parseWithTimeout(file, true, checker);
    } catch (lenientError) {
      fail(outcome, 'parse --lenient', 'parses with lenient after a control-total error', lenientError);
      return;
    }
    outcome.lenientNeeded = true;
    if (!notesSayControlsInconsistent(file.expect.notes)) {
      outcome.remarks.push(
        `needed --lenient but the notes do not mention inconsistent controls: ${describeError(error)}`,
      );
    }
  }
  if (!outcome.lenientNeeded && notesSayControlsInconsistent(file.expect.notes)) {
    outcome.remarks.push(
      'notes mention inconsistent control records, yet the default parse accepted the file',
    );
  }
  outcome.parseWarnings = result.warnings.length;
  outcome.mismatches.push(...compareResult(file.expect, result));
}

async function checkInvalid(file: CorpusFile, outcome: FileOutcome, checker: Checker): Promise<void> {
  let result: ParseResult;
  try {
    result = await parseWithTimeout(file, false, checker);
  } catch (error) {
    outcome.error = describeError(error);
    if (!(error instanceof ParseError)) {
      outcome.mismatches.push({ field: 'rejection', expected: 'a ParseError', got: outcome.error });
    } else if (!error.message.includes(basename(file.absPath))) {
      outcome.mismatches.push({
        field: 'rejection message',
        expected: `names the file ${basename(file.absPath)}`,
        got: error.message,
      });
    }
    return;
  }
  const entries = result.statements.reduce((n, s) => n + s.entries.length, 0);
  outcome.parseWarnings = result.warnings.length;
  outcome.mismatches.push({
    field: 'rejection',
    expected: 'a ParseError (the file is invalid)',
    got: `accepted: ${result.statements.length} statement(s), ${entries} entries, ${result.remittances.length} remittance(s), ${result.warnings.length} warning(s)`,
  });
}

function fail(outcome: FileOutcome, field: string, expected: string, error: unknown): void {
  outcome.error = describeError(error);
  outcome.mismatches.push({ field, expected, got: outcome.error });
}

/** A rejection because control records disagree with the content: the case `--lenient` exists for. */
export function isControlTotalError(error: unknown): error is ParseError {
  return error instanceof ParseError && /control/i.test(error.code);
}

export function describeError(error: unknown): string {
  if (error instanceof ParseError) return `ParseError[${error.code}]: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-Error thrown: ${String(error)}`;
}

class ParseTimeout extends Error {
  override name = 'ParseTimeout';
}

async function parseWithTimeout(file: CorpusFile, lenient: boolean, checker: Checker): Promise<ParseResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const ms = checker.timeoutMs;
    timer = setTimeout(() => reject(new ParseTimeout(`no result after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([checker.parse(file.absPath, { format: file.format, lenient }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface FormatSummary {
  format: FormatName;
  files: number;
  passed: number;
  failed: number;
  lenientNeeded: number;
  sniffMismatches: number;
}

export function summarize(
  outcomes: readonly FileOutcome[],
  formats: readonly FormatName[] = FORMAT_NAMES,
): FormatSummary[] {
  return formats
    .map((format) => {
      const mine = outcomes.filter((o) => o.format === format);
      return {
        format,
        files: mine.length,
        passed: mine.filter((o) => o.status === 'pass').length,
        failed: mine.filter((o) => o.status === 'fail').length,
        lenientNeeded: mine.filter((o) => o.lenientNeeded).length,
        sniffMismatches: mine.filter((o) => o.sniffMismatch).length,
      };
    })
    .filter((s) => s.files > 0);
}
