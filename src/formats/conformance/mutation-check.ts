/**
 * The machinery of the mutation property test (`test/formats-mutation.test.ts`): seeds and their
 * baselines per format, the fast-check arbitraries for damage and chunking, and the judgement of one
 * outcome. Kept out of the test file so a longer exploratory run can reuse it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FormatName, ParseResult } from '../model.js';
import {
  type ControlKind,
  controlledTotalsDiffer,
  type EntryTotals,
  entryTotals,
  hasBalances,
  modelProblems,
  untiedStatements,
  warnedAboutTotals,
} from './invariants.js';
import type { IsolatedOutcome, IsolatedParser } from './isolated-parser.js';
import type { Mutation } from './mutations.js';
import { generatorSeed, inlineSeeds, type Seed } from './seeds.js';

export const GENERATED_SEED_BYTES = 6_000;
export const FAILURE_DIR = join(tmpdir(), 'openar-mutation-failures');

/** Formats whose control records vouch for the entries, and how (see `controlledTotalsDiffer`). */
export const CONTROLLED: Partial<Record<FormatName, ControlKind>> = {
  bai2: 'abs',
  nacha: 'signed',
  lockbox: 'signed',
};

export interface Baseline {
  seed: Seed;
  result: ParseResult;
  totals: EntryTotals;
  /** Continuity is judged only where the unmutated file has statements with balances that all tie. */
  judgeBalances: boolean;
}

export interface FormatPlan {
  format: FormatName;
  baselines: Baseline[];
  /** Seeds the reader did not accept cleanly: a finding in itself. */
  seedFailures: string[];
  /** Why the format is not tested at all (no seed, reader not implemented), else null. */
  skipReason: string | null;
}

export interface MutatedCase {
  baseline: Baseline;
  bytes: Uint8Array;
  /** Seed name and mutations, for the failure message. */
  label: string;
  lenient: boolean;
  strict: boolean;
}

export async function planFormat(parser: IsolatedParser, format: FormatName): Promise<FormatPlan> {
  const plan: FormatPlan = { format, baselines: [], seedFailures: [], skipReason: null };
  const seeds = [...inlineSeeds(format)];
  const generated = await generatorSeed(format, GENERATED_SEED_BYTES);
  if (generated) seeds.push(generated);
  if (seeds.length === 0) return { ...plan, skipReason: 'no generator and no inline seed' };
  for (const seed of seeds) {
    const outcome = await parser.parse(format, seed.bytes, {
      fileName: `${seed.name}.${format}`,
      timeoutMs: 60_000,
    });
    if (outcome.kind === 'crash' && /not implemented/i.test(outcome.message)) {
      return { ...plan, skipReason: 'reader not implemented' };
    }
    if (outcome.kind !== 'ok' || outcome.result.warnings.length > 0 || outcome.protocolErrors.length > 0) {
      plan.seedFailures.push(`${seed.name}: ${describeOutcome(outcome)}`);
      continue;
    }
    plan.baselines.push({
      seed,
      result: outcome.result,
      totals: entryTotals(outcome.result),
      judgeBalances: hasBalances(outcome.result) && untiedStatements(outcome.result).length === 0,
    });
  }
  return plan;
}

export function describeOutcome(outcome: IsolatedOutcome): string {
  switch (outcome.kind) {
    case 'ok': {
      const warnings = outcome.result.warnings.map((w) => `${w.code}: ${w.message}`);
      const notes = [...warnings, ...outcome.protocolErrors].slice(0, 5).join(' | ');
      return `parsed (${outcome.result.statements.length} statements)${notes ? `: ${notes}` : ''}`;
    }
    case 'parse-error':
      return `ParseError[${outcome.code}]: ${outcome.message}`;
    case 'crash':
      return `${outcome.name}: ${outcome.message}\n${outcome.stack.split('\n').slice(1, 6).join('\n')}`;
    case 'timeout':
      return `hang: no result after ${outcome.ms} ms`;
    case 'worker-died':
      return `worker died: ${outcome.message}`;
  }
}

/** Everything wrong with one outcome of a mutated file (empty: acceptable). */
export function judge(
  format: FormatName,
  c: MutatedCase,
  outcome: IsolatedOutcome,
  fileName: string,
): string[] {
  if (outcome.kind === 'parse-error') {
    return outcome.message.includes(fileName)
      ? []
      : [`ParseError message does not name the file: ${outcome.message}`];
  }
  if (outcome.kind !== 'ok') return [describeOutcome(outcome)];
  const result = outcome.result;
  const problems = [...outcome.protocolErrors, ...modelProblems(result)];
  const control = CONTROLLED[format];
  if (control && !warnedAboutTotals(result)) {
    const differs = controlledTotalsDiffer(control, c.baseline.totals, entryTotals(result));
    if (differs) problems.push(`silently wrong total: ${differs}, and no warning`);
  }
  if (c.baseline.judgeBalances) {
    for (const i of untiedStatements(result)) {
      if (!warnedAboutTotals(result, i)) problems.push(`statement ${i} does not tie and has no warning`);
      else if (c.strict && result.warnings.some((w) => w.code === 'balance-mismatch' && w.statement === i)) {
        problems.push(`strict parse only warned that statement ${i} does not tie; strict must reject it`);
      }
    }
  }
  return problems;
}

/** Keeps a failing input where it can be replayed with `parseFile(path, { format })`. */
export function saveInput(format: FormatName, bytes: Uint8Array): string {
  mkdirSync(FAILURE_DIR, { recursive: true });
  const hash = createHash('sha1').update(bytes).digest('hex').slice(0, 12);
  const path = join(FAILURE_DIR, `${format}-${hash}.bin`);
  writeFileSync(path, bytes);
  return path;
}

export function caseFileName(c: MutatedCase, format: FormatName): string {
  return `${c.baseline.seed.name}-mutated.${format}`;
}

const position = fc.nat({ max: 0x7fffffff });

/** Structural bits of the formats: inserted garbage that reaches deeper than random bytes. */
const TOKENS: number[][] = [
  '\n',
  '\r\n',
  '\r',
  '/',
  ',',
  ':',
  '<',
  '>',
  '</',
  '&',
  '-',
  '+',
  '.',
  ' ',
  '"',
  '0',
  '9',
  'é',
  '\u0000',
  ':61:',
  ':86:',
  '<Ntry>',
  '</Stmt>',
  '16,',
  '88,',
  '49,',
  '99,',
  '6',
  '9999',
  'RMR*',
  '~',
  '<STMTTRN>',
].map((t) => [...Buffer.from(t, 'utf8')]);

const insertedBytes = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
  fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 4 }).map((parts) => parts.flat()),
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('flip-byte' as const),
    at: position,
    value: fc.integer({ min: 0, max: 255 }),
  }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('change-digit' as const),
      nth: position,
      delta: fc.integer({ min: 1, max: 9 }),
    }),
  },
  fc.record({ kind: fc.constant('duplicate-line' as const), line: position }),
  fc.record({ kind: fc.constant('drop-line' as const), line: position }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: position, b: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: insertedBytes }),
);

export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 3 });

/** Whole file at once, tiny chunks (1–64 B) that split every token, and everything between. */
export const chunkBytesArb = fc.oneof(
  fc.constant(64 * 1024),
  fc.integer({ min: 1, max: 64 }),
  fc.integer({ min: 65, max: 8192 }),
);
