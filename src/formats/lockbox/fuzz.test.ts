/** Robustness: whatever the bytes, the lockbox reader reads the file or throws a ParseError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import { parser } from './index.js';

const VALID = [
  '100DESTIN000102100000212406140930',
  '2DESTIN00010210000021000000000040010400011',
  '50000000012345240614DESTIN0001',
  `60010010000150000021000021001234567800000010010610240${'ACME TRADING INC'.padEnd(29)}OPENAR DEMO INC`.replace(
    '0610240',
    '061024',
  ),
  '40010014019INV-1001       0000100000INV-1002       0000050000',
  '70010000012345240614001' + '0000150000',
  '80000000012345240614' + '0001' + '0000150000',
  '9000008',
].join('\n');

async function outcome(text: string, lenient: boolean): Promise<'ok' | 'parse-error'> {
  const sink = new CollectingSink('lockbox');
  async function* input() {
    yield Buffer.from(text, 'latin1');
  }
  try {
    await parser.parse(input(), { fileName: 'fuzz.lbx', lenient }, sink);
    return 'ok';
  } catch (error) {
    if (error instanceof ParseError) return 'parse-error';
    throw error;
  }
}

describe('lockbox robustness', () => {
  it('reads the fuzz seed file', async () => {
    expect(await outcome(VALID, false)).toBe('ok');
  });

  it('never throws anything but ParseError for mutated files', async () => {
    const alphabet = fc.constantFrom('\n', ' ', '0', '9', '4', '6', '7', 'A', '-', '\r');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(VALID.length), fc.nat(3), alphabet), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (edits, lenient) => {
          let text = VALID;
          for (const [at, cut, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
          expect(['ok', 'parse-error']).toContain(await outcome(text, lenient));
        },
      ),
      { numRuns: 400 },
    );
  });
});
