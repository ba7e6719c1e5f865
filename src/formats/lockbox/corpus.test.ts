import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWithExpectation, findExpectedInputs } from '../bai2/corpus-compare.js';
import { CollectingSink } from '../collect.js';
import { toExpectation } from '../conformance/expect.js';
import { ParseError } from '../errors.js';
import { parser } from './index.js';

const CORPUS = resolve(process.cwd(), '../shared/corpus/lockbox');
const exists = existsSync(CORPUS);
const inputs = exists ? findExpectedInputs(CORPUS) : [];

async function parse(path: string) {
  const sink = new CollectingSink('lockbox');
  await parser.parse(createReadStream(path), { fileName: basename(path) }, sink);
  return sink.result;
}

describe.skipIf(!exists)('lockbox corpus (shared/corpus/lockbox)', () => {
  it('has inputs', () => {
    expect(inputs.length).toBeGreaterThan(0);
  });

  for (const input of inputs) {
    const name = relative(CORPUS, input);
    it(name, async () => {
      const expectation = toExpectation(JSON.parse(readFileSync(`${input}.expect.json`, 'utf8')), name);
      if (!expectation.valid) {
        await expect(parse(input)).rejects.toBeInstanceOf(ParseError);
        return;
      }
      expect(parser.sniff(readFileSync(input))).toBe(true);
      const result = await parse(input);
      expect(compareWithExpectation(result, expectation)).toEqual([]);
      expect(result.warnings).toEqual([]);
    });
  }

  it('reads the FundersClub check with its remitter, date, number and memo', async () => {
    const input = inputs.find((p) => p.endsWith('test_lockbox.bai'));
    if (input === undefined) return;
    const result = await parse(input);
    const entry = result.statements[0]!.entries[0]!;
    expect(entry).toMatchObject({
      amount: '7000.00',
      check_number: '180',
      check_date: '2016-05-16',
      payee_name: 'MY BUSINESS COMPANY',
      counterparty: { name: 'BOB E SMITH' },
      remittance: { references: ['CE554'] },
    });
    expect(result.remittances).toHaveLength(1);
    expect(result.remittances[0]!.lines).toEqual([
      { document_number: 'CE554', amount_paid: null, amount_invoiced: null, discount: null, adjustments: [] },
    ]);
  });
});
