import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { compareResult } from '../conformance/compare.js';
import { notesSayControlsInconsistent, toExpectation } from '../conformance/expect.js';
import { ParseError } from '../errors.js';
import { parser } from './index.js';

const CORPUS = resolve(process.cwd(), '../shared/corpus/csv');
const exists = existsSync(CORPUS);

function inputsUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...inputsUnder(path));
    else if (name.endsWith('.expect.json')) found.push(path.slice(0, -'.expect.json'.length));
  }
  return found;
}

const inputs = exists ? inputsUnder(CORPUS) : [];

async function parse(path: string, lenient: boolean) {
  const sink = new CollectingSink('csv');
  await parser.parse(createReadStream(path), { fileName: basename(path), lenient }, sink);
  return sink.result;
}

describe.skipIf(!exists)('csv corpus (shared/corpus/csv)', () => {
  it('has inputs', () => {
    expect(inputs.length).toBeGreaterThan(0);
  });

  for (const input of inputs) {
    const name = relative(CORPUS, input);
    it(name, async () => {
      const expectation = toExpectation(JSON.parse(readFileSync(`${input}.expect.json`, 'utf8')), name);
      expect(parser.sniff(readFileSync(input).subarray(0, 64 * 1024))).toBe(expectation.valid);
      if (!expectation.valid) {
        await expect(parse(input, false)).rejects.toBeInstanceOf(ParseError);
        return;
      }
      const result = await parse(input, notesSayControlsInconsistent(expectation.notes));
      expect(compareResult(expectation, result)).toEqual([]);
    });
  }
});
