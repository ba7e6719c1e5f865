/**
 * Robustness: whatever the bytes, the reader either reads the file or throws a ParseError — never
 * another error, never a hang. Mutations of a valid file and random BAI2-like text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import { parser } from './index.js';

const VALID = [
  '01,SENDER1,RECEIVER1,240615,0800,FILE42,80,10,2/',
  '02,RECEIVER1,SENDER1,1,240614,2400,USD,2/',
  '03,111222333,,010,150000,,,015,175000,,,100,40000,2,,400,15000,1,/',
  '16,142,25000,Z,BANKREF1,INV-1001,ACH CREDIT ACME CORP/',
  '16,195,15000,V,240614,1200,WIRE77,CUSTREF2,INCOMING WIRE',
  '88,OBI:=INVOICE 123456',
  '16,475,15000,0,CHK1234,,CHECK PAID 1234/',
  '49,435000,6/',
  '03,444555666,EUR,010,-5000,,,015,-5000,,/',
  '88,040,-5000,,,110,300,2,D,2,0,100,1,200/',
  '49,-14700,3/',
  '98,420300,2,11/',
  '99,420300,1,13/',
].join('\n');

async function outcome(bytes: Buffer, lenient: boolean): Promise<'ok' | 'parse-error'> {
  const sink = new CollectingSink('bai2');
  async function* input() {
    yield bytes;
  }
  try {
    await parser.parse(input(), { fileName: 'fuzz.bai', lenient }, sink);
    return 'ok';
  } catch (error) {
    if (error instanceof ParseError) return 'parse-error';
    throw error;
  }
}

describe('bai2 robustness', () => {
  it('reads the fuzz seed file', async () => {
    expect(await outcome(Buffer.from(VALID), false)).toBe('ok');
  });

  it('never throws anything but ParseError for mutated files', async () => {
    const alphabet = fc.constantFrom(
      ',',
      '/',
      '\n',
      '\r',
      ' ',
      '0',
      '9',
      '-',
      '+',
      'Z',
      'S',
      'V',
      'D',
      '88,',
      '16,',
      '49,',
      'A',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(VALID.length), fc.nat(3), alphabet), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (edits, lenient) => {
          let text = VALID;
          for (const [at, cut, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
          expect(['ok', 'parse-error']).toContain(await outcome(Buffer.from(text, 'latin1'), lenient));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws anything but ParseError for random record soup', async () => {
    const record = fc.tuple(
      fc.constantFrom('01', '02', '03', '16', '88', '49', '98', '99', '00', 'xx'),
      fc.array(
        fc.constantFrom(
          '',
          '0',
          '123',
          '-5',
          'Z',
          'S',
          'V',
          'D',
          '3',
          '240230',
          'USD',
          'a/b',
          '999999999999999999999',
        ),
        {
          maxLength: 12,
        },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 20 }), fc.boolean(), async (records, lenient) => {
        const text = records.map(([code, fields]) => `${[code, ...fields].join(',')}/`).join('\n');
        expect(['ok', 'parse-error']).toContain(await outcome(Buffer.from(text, 'latin1'), lenient));
      }),
      { numRuns: 400 },
    );
  });
});
