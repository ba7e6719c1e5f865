import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { toExpectation } from '../conformance/expect.js';
import { ParseError } from '../errors.js';
import { compareWithExpectation, findExpectedInputs } from './corpus-compare.js';
import { parser } from './index.js';

const CORPUS = resolve(process.cwd(), '../shared/corpus/bai2');
const exists = existsSync(CORPUS);
const inputs = exists ? findExpectedInputs(CORPUS) : [];

/**
 * Valid files whose own control records disagree with their content: upstream does not check them,
 * openar rejects them by default and reads them with `lenient`.
 */
const NEEDS_LENIENT: Record<string, string> = {
  'sample4-continuations-newline-delimited.txt':
    '49/98/99 control totals and record counts do not match the records',
  'sample5-issue113.txt': '49/98/99 control totals and record counts do not match the records',
};

async function parse(path: string, lenient: boolean) {
  const sink = new CollectingSink('bai2');
  await parser.parse(createReadStream(path), { fileName: basename(path), lenient }, sink);
  return sink.result;
}

describe.skipIf(!exists)('bai2 corpus (shared/corpus/bai2)', () => {
  it('has inputs', () => {
    expect(inputs.length).toBeGreaterThan(0);
  });

  for (const input of inputs) {
    const name = relative(CORPUS, input);
    it(name, async () => {
      const expectation = toExpectation(JSON.parse(readFileSync(`${input}.expect.json`, 'utf8')), name);
      if (!expectation.valid) {
        await expect(parse(input, false)).rejects.toBeInstanceOf(ParseError);
        return;
      }
      const lenientReason = NEEDS_LENIENT[basename(input)];
      if (lenientReason !== undefined) {
        await expect(parse(input, false)).rejects.toMatchObject({ code: 'control-total' });
      }
      const result = await parse(input, lenientReason !== undefined);
      expect(compareWithExpectation(result, expectation)).toEqual([]);
    });
  }
});
