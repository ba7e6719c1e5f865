/**
 * Property tests: whatever is done to a valid document (cut anywhere, bytes changed, fed in any chunk size),
 * the reader either reads it or rejects it with a ParseError — never another kind of error, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors.js';
import { balance, camtDocument, entry, statementBody, tx } from './fixtures/documents.js';
import { parseCamt } from './test-helpers.js';

const sample = Buffer.from(
  camtDocument({
    statements: [
      statementBody(),
      statementBody({
        balances: `${balance({ code: 'OPBD', amount: '10.00' })}${balance({ code: 'CLBD', amount: '60.00' })}`,
        entries: entry({
          amount: '<Amt Ccy="EUR">50.00</Amt>',
          details: `<Btch><NbOfTxs>2</NbOfTxs></Btch>${tx({ amount: '<Amt Ccy="EUR">20.00</Amt>' })}${tx({ amount: '<Amt Ccy="EUR">30.00</Amt>' })}`,
        }),
      }),
    ],
  }).replace('Kunde &amp; Partner GmbH', 'Kunde Müller'),
);

async function outcome(data: Buffer, chunkSize: number): Promise<'ok' | 'parse-error'> {
  try {
    await parseCamt(data, { lenient: true }, chunkSize);
    return 'ok';
  } catch (error) {
    if (error instanceof ParseError) return 'parse-error';
    throw error;
  }
}

describe('camt robustness', () => {
  it('reads the sample whatever the chunk size', async () => {
    const whole = await parseCamt(sample);
    for (const size of [1, 2, 3, 5, 64, 1000]) {
      expect(await parseCamt(sample, {}, size)).toEqual(whole);
    }
  });

  it('rejects every truncation with a ParseError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: sample.length - 2 }),
        fc.integer({ min: 1, max: 300 }),
        async (cut, size) => {
          // Only the closing "</Document>\n" may be cut and still fail: every shorter prefix is unclosed XML.
          expect(await outcome(sample.subarray(0, cut), size)).toBe('parse-error');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never fails other than with a ParseError on corrupted bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: sample.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 500 }),
        async (changes, size) => {
          const data = Buffer.from(sample);
          for (const [at, byte] of changes) data[at] = byte;
          await outcome(data, size);
        },
      ),
      { numRuns: 200 },
    );
  });
});
