/**
 * Conformance against the shared corpus of real camt files (../shared/corpus/camt, not part of the
 * repository): every input with an `.expect.json` must be read (valid) or rejected with a ParseError
 * (invalid), and the figures that are not null must match exactly.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decimalEquals, sumDecimals } from '../../money/index.js';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { ParseResult } from '../model.js';
import { parser } from './index.js';

const CORPUS = resolve(process.cwd(), '../shared/corpus/camt');
const exists = existsSync(CORPUS);

interface Expectation {
  valid: boolean;
  statements: number | null;
  entries: number | null;
  sum_amount: string | null;
  sum_abs_amount: string | null;
  balances: { account: string | null; opening: string | null; closing: string | null }[] | null;
  remittance_lines: number | null;
  remittance_sum_paid: string | null;
  notes: string;
}

/** Files that cannot pass, with the reason (see docs/formats/camt.md). None at present. */
const KNOWN_EXCEPTIONS: Readonly<Record<string, string>> = {};

function expectationFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...expectationFiles(path));
    else if (name.endsWith('.expect.json')) found.push(path);
  }
  return found.sort();
}

async function parseFile(path: string, lenient: boolean): Promise<ParseResult> {
  const sink = new CollectingSink('camt');
  await parser.parse(createReadStream(path), { fileName: basename(path), lenient }, sink);
  return sink.result;
}

function normalizeAccount(account: string): string {
  return account.replace(/\s+/g, '').toLowerCase();
}

function checkFigures(result: ParseResult, expected: Expectation): void {
  const entries = result.statements.flatMap((s) => s.entries);
  if (expected.statements !== null) expect(result.statements).toHaveLength(expected.statements);
  if (expected.entries !== null) expect(entries).toHaveLength(expected.entries);
  if (expected.sum_amount !== null) {
    const sum = sumDecimals(['0', ...entries.map((e) => e.amount)]);
    expect(decimalEquals(sum, expected.sum_amount), `sum ${sum} vs ${expected.sum_amount}`).toBe(true);
  }
  if (expected.sum_abs_amount !== null) {
    const sum = sumDecimals(['0', ...entries.map((e) => e.amount.replace(/^-/, ''))]);
    expect(decimalEquals(sum, expected.sum_abs_amount), `abs sum ${sum} vs ${expected.sum_abs_amount}`).toBe(
      true,
    );
  }
  for (const [i, balance] of (expected.balances ?? []).entries()) {
    const statement = result.statements[i];
    expect(statement, `statement ${i}`).toBeDefined();
    if (balance.account !== null) {
      const mine = normalizeAccount(statement!.account ?? '');
      const theirs = normalizeAccount(balance.account);
      expect(
        mine.length > 0 && (mine.includes(theirs) || theirs.includes(mine)),
        `account ${mine} vs ${theirs}`,
      ).toBe(true);
    }
    for (const [mine, theirs, what] of [
      [statement!.opening_balance, balance.opening, 'opening'],
      [statement!.closing_balance, balance.closing, 'closing'],
    ] as const) {
      if (theirs === null) continue;
      expect(
        mine !== null && decimalEquals(mine, theirs),
        `${what} ${mine} vs ${theirs} (statement ${i})`,
      ).toBe(true);
    }
  }
  if (expected.remittance_lines !== null) {
    expect(result.remittances.flatMap((r) => r.lines)).toHaveLength(expected.remittance_lines);
  }
}

describe.skipIf(!exists)('camt corpus', () => {
  const files = exists ? expectationFiles(CORPUS) : [];

  it('has inputs', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const expectPath of files) {
    const input = expectPath.slice(0, -'.expect.json'.length);
    const name = relative(CORPUS, input);
    const expected = JSON.parse(readFileSync(expectPath, 'utf8')) as Expectation;
    const exception = KNOWN_EXCEPTIONS[name];
    it.skipIf(exception !== undefined)(`${expected.valid ? 'reads' : 'rejects'} ${name}`, async () => {
      if (!expected.valid) {
        await expect(parseFile(input, false)).rejects.toBeInstanceOf(ParseError);
        return;
      }
      // Only files whose notes say their control records are inconsistent may need lenient.
      const lenient = /control record|inconsistent|do not match/i.test(expected.notes);
      checkFigures(await parseFile(input, lenient), expected);
    });
  }
});
