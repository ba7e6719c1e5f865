import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decimalEquals, sumDecimals } from '../../money/index.js';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { ParseResult } from '../model.js';
import { parser } from './index.js';

/** Real files from other projects' test suites, read in place (never copied): see ../shared/corpus/README.md. */
const CORPUS = path.resolve(process.cwd(), '../shared/corpus/x12-820');
const exists = existsSync(CORPUS);

interface Expectation {
  valid: boolean;
  statements: number | null;
  entries: number | null;
  remittance_lines: number | null;
  remittance_sum_paid: string | null;
  notes: string;
}

function inputs(): string[] {
  if (!exists) return [];
  return (readdirSync(CORPUS, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.expect.json'))
    .map((f) => f.slice(0, -'.expect.json'.length))
    .sort();
}

async function read(file: string, lenient: boolean): Promise<ParseResult> {
  const sink = new CollectingSink('x12-820');
  await parser.parse(
    createReadStream(path.join(CORPUS, file)),
    { fileName: path.basename(file), lenient },
    sink,
  );
  return sink.result;
}

describe.skipIf(!exists)('x12-820 corpus', () => {
  for (const file of inputs()) {
    const expectation = JSON.parse(
      readFileSync(path.join(CORPUS, `${file}.expect.json`), 'utf8'),
    ) as Expectation;
    it(`${expectation.valid ? 'reads' : 'rejects'} ${file}`, async () => {
      if (!expectation.valid) {
        await expect(read(file, false)).rejects.toBeInstanceOf(ParseError);
        return;
      }
      const lenient = /control-record inconsistencies/i.test(expectation.notes);
      const result = await read(file, lenient);
      expect(parser.sniff(readFileSync(path.join(CORPUS, file)).subarray(0, 65536))).toBe(true);
      const lines = result.remittances.flatMap((r) => r.lines);
      if (expectation.remittance_lines !== null) expect(lines).toHaveLength(expectation.remittance_lines);
      if (expectation.remittance_sum_paid !== null) {
        const paid = lines.map((l) => l.amount_paid).filter((a): a is string => a !== null);
        expect(decimalEquals(sumDecimals(paid), expectation.remittance_sum_paid)).toBe(true);
      }
      if (expectation.statements !== null) expect(result.statements).toHaveLength(expectation.statements);
      if (expectation.entries !== null)
        expect(result.statements.flatMap((s) => s.entries)).toHaveLength(expectation.entries);
    });
  }
});
