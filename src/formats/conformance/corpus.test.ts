import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParseError } from '../errors.js';
import type { ParseResult } from '../model.js';
import {
  type CorpusFile,
  checkCorpusFile,
  corpusRoot,
  listCorpusFiles,
  type ParseFn,
  summarize,
} from './corpus.js';
import type { Expectation } from './expect.js';
import { renderFailures, renderSummaryTable, renderWarnings } from './report.js';

const EXPECT: Expectation = {
  source: 'invariants-only',
  valid: true,
  statements: 1,
  entries: 1,
  sum_amount: '12.00',
  sum_abs_amount: null,
  balances: null,
  remittance_lines: null,
  remittance_sum_paid: null,
  notes: '',
};

function file(expect: Partial<Expectation> = {}, name = 'sample.ach'): CorpusFile {
  return {
    relPath: `nacha/src/${name}`,
    absPath: `/corpus/nacha/src/${name}`,
    format: 'nacha',
    expect: { ...EXPECT, ...expect },
  };
}

function parsed(amount: string): ParseResult {
  const entry = {
    booking_date: null,
    value_date: null,
    amount,
    currency: 'USD',
    bank_transaction_code: null,
    bank_reference: null,
    end_to_end_id: null,
    counterparty: { name: null, account: null, bank: null },
    remittance: { references: [], text: null },
  };
  const statement = {
    account: null,
    currency: 'USD',
    opening_balance: null,
    closing_balance: null,
    entries: [entry],
  };
  return { format: 'nacha', statements: [statement], remittances: [], warnings: [] };
}

const controlError = (): ParseError =>
  new ParseError('control-total', { file: 'sample.ach', line: 9 }, 'file control total 10.00 != 12.00', {});

const sniffNacha = async () => 'nacha' as const;

describe('checkCorpusFile', () => {
  it('passes a valid file whose figures match', async () => {
    const outcome = await checkCorpusFile(file(), { parse: async () => parsed('12'), sniff: sniffNacha });
    expect(outcome.status).toBe('pass');
    expect(outcome.lenientNeeded).toBe(false);
    expect(outcome.sniffMismatch).toBe(false);
  });

  it('fails a valid file with the mismatching figure', async () => {
    const outcome = await checkCorpusFile(file(), { parse: async () => parsed('12.01'), sniff: sniffNacha });
    expect(outcome.status).toBe('fail');
    expect(outcome.mismatches).toEqual([{ field: 'sum_amount', expected: '12.00', got: '12.01' }]);
  });

  it('retries with lenient after a control-total error and records it', async () => {
    const calls: boolean[] = [];
    const parse: ParseFn = async (_path, options) => {
      calls.push(options.lenient);
      if (!options.lenient) throw controlError();
      return parsed('12');
    };
    const expected = file({
      notes: 'Control-record inconsistencies (upstream accepts the file): batch count',
    });
    const outcome = await checkCorpusFile(expected, { parse, sniff: sniffNacha });
    expect(calls).toEqual([false, true]);
    expect(outcome).toMatchObject({ status: 'pass', lenientNeeded: true, remarks: [] });

    const unexpected = await checkCorpusFile(file(), { parse, sniff: sniffNacha });
    expect(unexpected).toMatchObject({ status: 'pass', lenientNeeded: true });
    expect(unexpected.remarks[0]).toMatch(/notes do not mention/);
  });

  it('does not retry other errors with lenient', async () => {
    const calls: boolean[] = [];
    const parse: ParseFn = async (_path, options) => {
      calls.push(options.lenient);
      throw new ParseError(
        'bad-amount',
        { file: 'sample.ach', line: 3, field: 'amount' },
        'unreadable amount',
        {},
      );
    };
    const outcome = await checkCorpusFile(file(), { parse, sniff: sniffNacha });
    expect(calls).toEqual([false]);
    expect(outcome.status).toBe('fail');
    expect(outcome.error).toMatch(/^ParseError\[bad-amount\]/);
  });

  it('requires a ParseError naming the file for an invalid file', async () => {
    const invalid = file({ valid: false, statements: null, entries: null, sum_amount: null });
    const rejected = await checkCorpusFile(invalid, {
      parse: async () => Promise.reject(controlError()),
      sniff: sniffNacha,
    });
    expect(rejected.status).toBe('pass');

    const crashed = await checkCorpusFile(invalid, {
      parse: async () =>
        Promise.reject(new TypeError("Cannot read properties of undefined (reading 'slice')")),
      sniff: sniffNacha,
    });
    expect(crashed.status).toBe('fail');
    expect(crashed.mismatches[0]?.got).toMatch(/^TypeError/);

    const anonymous = new ParseError('truncated', { file: 'other.ach', line: 1 }, 'truncated', {});
    const unnamed = await checkCorpusFile(invalid, {
      parse: async () => Promise.reject(anonymous),
      sniff: sniffNacha,
    });
    expect(unnamed.mismatches[0]?.field).toBe('rejection message');

    const accepted = await checkCorpusFile(invalid, { parse: async () => parsed('1'), sniff: sniffNacha });
    expect(accepted.status).toBe('fail');
    expect(accepted.mismatches[0]?.got).toMatch(/^accepted: 1 statement/);
  });

  it('reports a sniff mismatch as a warning, not a failure', async () => {
    const outcome = await checkCorpusFile(file(), {
      parse: async () => parsed('12'),
      sniff: async () => 'csv',
    });
    expect(outcome).toMatchObject({ status: 'pass', sniffMismatch: true, sniffed: 'csv' });
    expect(renderWarnings([outcome])).toMatch(/sniffed as csv, folder says nacha/);
  });

  it('turns a parse that never settles into a failure', async () => {
    const outcome = await checkCorpusFile(file(), {
      parse: () => new Promise<ParseResult>(() => {}),
      sniff: sniffNacha,
      timeoutMs: 20,
    });
    expect(outcome.status).toBe('fail');
    expect(outcome.error).toMatch(/ParseTimeout/);
  });
});

describe('corpus discovery and report', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'openar-corpus-'));
    await mkdir(join(root, 'bai2', 'src', 'deep'), { recursive: true });
    await writeFile(join(root, 'bai2', 'src', 'deep', 'a.txt'), '01,x/\n');
    await writeFile(
      join(root, 'bai2', 'src', 'deep', 'a.txt.expect.json'),
      JSON.stringify({ ...EXPECT, valid: true }),
    );
    await writeFile(join(root, 'bai2', 'src', 'orphan.txt.expect.json'), JSON.stringify(EXPECT));
    await writeFile(join(root, 'bai2', 'src', 'upstream.json'), '{}');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds inputs that have an expectation, with corpus-relative paths', async () => {
    const files = await listCorpusFiles(root);
    expect(files.map((f) => [f.relPath, f.format])).toEqual([['bai2/src/deep/a.txt', 'bai2']]);
    expect(await listCorpusFiles(root, ['camt'])).toEqual([]);
  });

  it('resolves the corpus from OPENAR_CORPUS, else ../shared/corpus', () => {
    expect(corpusRoot({ OPENAR_CORPUS: '/x/corpus' }, '/repo')).toBe('/x/corpus');
    expect(corpusRoot({}, '/work/main')).toBe('/work/shared/corpus');
  });

  it('renders the per-format table and the failures', async () => {
    const pass = await checkCorpusFile(file(), { parse: async () => parsed('12'), sniff: sniffNacha });
    const failed = await checkCorpusFile(file({}, 'b.ach'), {
      parse: async () => parsed('1'),
      sniff: sniffNacha,
    });
    const table = renderSummaryTable(summarize([pass, failed]));
    expect(table).toContain('| nacha | 2 | 1 | 1 | 0 | 0 |');
    const failures = renderFailures([pass, failed], { 'nacha/src/b.ach': 'reader bug #1' });
    expect(failures).toContain('nacha/src/b.ach (valid) [known: reader bug #1]');
    expect(failures).toContain('sum_amount: expected 12.00; got 1');
  });
});
