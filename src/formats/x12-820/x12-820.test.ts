import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseResult } from '../model.js';
import {
  type Delimiters,
  interchange,
  isaHeader,
  SAMPLE_BODY,
  STANDARD,
  simple820,
} from './fixtures/build.js';
import { parser, parseX12820Text } from './index.js';

async function* chunks(text: string | Buffer, size = 1 << 16): AsyncGenerator<Buffer> {
  const buffer = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

async function parse(
  text: string | Buffer,
  options: Partial<ParseOptions> = {},
  chunkSize?: number,
): Promise<ParseResult> {
  const sink = new CollectingSink('x12-820');
  await parser.parse(chunks(text, chunkSize), { fileName: 'test.820', ...options }, sink);
  return sink.result;
}

async function parseError(text: string | Buffer, options: Partial<ParseOptions> = {}): Promise<ParseError> {
  try {
    await parse(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError');
}

describe('x12-820 reader: mapping', () => {
  it('maps BPR, TRN, CUR, N1, RMR, REF, DTM and ADX into one remittance advice', async () => {
    const result = await parse(simple820());
    expect(result.statements).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.remittances).toHaveLength(1);
    const advice = result.remittances[0]!;
    expect(advice).toMatchObject({
      payer: 'ACME SUPPLY CO',
      payer_id: 'C100',
      payee: 'OPENAR DEMO INC',
      payment_reference: 'TRACE123',
      amount: '1500.00',
      currency: 'USD',
      payment_method: 'ACH',
      payment_format: 'CTX',
      payment_date: '2025-01-16',
      handling_code: 'C',
      credit_debit_flag: 'C',
      originator_account: { bank: '091000019', account: '123456' },
      receiver_account: { bank: '121000248', account: '98765' },
      originator_id: '1234567890',
      transaction_control_number: '0001',
      references: [{ qualifier: 'CK', value: '5001' }],
      dates: [{ qualifier: '097', date: '2025-01-15' }],
    });
    expect(advice.lines).toEqual([
      {
        document_number: 'INV-1001',
        reference_qualifier: 'IV',
        payment_action_code: 'PI',
        amount_paid: '1000.00',
        amount_invoiced: '1020.00',
        discount: '20.00',
        adjustments: [],
        entity: '1',
        references: [{ qualifier: 'PO', value: 'PO-9' }],
        dates: [{ qualifier: '003', date: '2024-12-01' }],
      },
      {
        document_number: 'INV-1002',
        reference_qualifier: 'IV',
        payment_action_code: 'PI',
        amount_paid: '525.00',
        amount_invoiced: '525.00',
        discount: null,
        adjustments: [{ reason_code: '01', amount: '-5.00' }],
        entity: '1',
      },
    ]);
    // ADX before the first RMR of its ENT loop adjusts the whole payment.
    expect(advice.adjustments).toEqual([
      {
        reason_code: 'CM',
        amount: '-25.00',
        reference_qualifier: 'CM',
        reference: 'CR-77',
        entity: '1',
        references: [{ qualifier: 'CM', value: 'CR-77' }],
      },
    ]);
  });

  it('reads RMR07/RMR08 as an adjustment and pads amounts to the currency exponent', async () => {
    const result = await parse(
      simple820([
        'BPR*C*1000*C*CHK************20250116',
        'TRN*1*CHK5',
        'CUR*PR*JPY',
        'RMR*IV*A1*PI*1000*1100**CS*-100',
      ]),
    );
    const advice = result.remittances[0]!;
    expect(advice.amount).toBe('1000');
    expect(advice.lines[0]).toMatchObject({
      amount_paid: '1000',
      amount_invoiced: '1100',
      adjustments: [{ reason_code: 'CS', amount: '-100' }],
    });
  });

  it('canonicalizes X12 R numbers: no decimal point, leading zeros, negative credit memos', async () => {
    const result = await parse(
      simple820([
        'BPR*I*101.6*C*NON',
        'TRN*1*R1',
        'RMR*IV*A*PI*00101.60',
        'RMR*CM*B*PI*-.5',
        'RMR*IV*C*PI*0.50',
      ]),
    );
    expect(result.remittances[0]!.amount).toBe('101.60');
    expect(result.remittances[0]!.lines.map((l) => l.amount_paid)).toEqual(['101.60', '-0.50', '0.50']);
  });

  it('accepts YYMMDD dates (before 004010) and DTM periods (RD8)', async () => {
    const result = await parse(
      simple820([
        'BPR*C*10*C*ACH************031016',
        'TRN*1*X',
        'RMR*IV*A*PO*10',
        'DTM*582****RD8*20240101-20240131',
      ]),
    );
    expect(result.remittances[0]!.payment_date).toBe('2003-10-16');
    expect(result.remittances[0]!.lines[0]!.dates).toEqual([
      { qualifier: '582', start: '2024-01-01', end: '2024-01-31' },
    ]);
  });

  it('names the entity of each line (ENT, NM1) for premium payments', async () => {
    const result = await parse(
      simple820(['BPR*I*25*C*ACH', 'TRN*3*T', 'ENT*7*2J*EI*MEMBER7', 'NM1*QE*1*DOE*JANE', 'RMR*IK*POL1**25']),
    );
    expect(result.remittances[0]!.lines[0]).toMatchObject({
      entity: '7',
      entity_id: 'MEMBER7',
      entity_name: 'DOE JANE',
      amount_paid: '25.00',
    });
  });

  it('warns when the sum of RMR04 (with entity-level ADX) differs from BPR02', async () => {
    const result = await parse(simple820(['BPR*C*100*C*ACH', 'TRN*1*X', 'RMR*IV*A*PI*60', 'RMR*IV*B*PI*50']));
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'remittance-total', message: expect.stringContaining('110.00') }),
    ]);
    expect(result.remittances).toHaveLength(1);
  });

  it('reads several transaction sets, groups and interchanges', async () => {
    const text =
      interchange({
        groups: [
          { control: '1', transactions: [{ control: '0001' }, { control: '0002' }] },
          { control: '2', transactions: [{ control: '0003' }] },
        ],
      }) +
      interchange({
        control: '000000102',
        delimiters: { ...STANDARD, element: '|', segment: '!' },
        groups: [{ transactions: [{}] }],
      });
    const result = await parse(text);
    expect(result.remittances.map((r) => r.transaction_control_number)).toEqual([
      '0001',
      '0002',
      '0003',
      '0001',
    ]);
  });
});

describe('x12-820 reader: delimiters and layout', () => {
  const variants: Array<[string, Delimiters]> = [
    [
      'pipe elements, colon components, newline terminator',
      { element: '|', component: ':', segment: '\n', repetition: 'U', after: '' },
    ],
    [
      'backslash terminator followed by CRLF and indentation',
      { element: '*', component: ':', segment: '\\', repetition: 'U', after: '\r\n    ' },
    ],
    [
      'tilde terminator on one line',
      { element: '*', component: '>', segment: '~', repetition: '^', after: '' },
    ],
    [
      'caret elements and a CR terminator',
      { element: '^', component: '>', segment: '\r', repetition: 'U', after: '\n' },
    ],
  ];
  for (const [name, delimiters] of variants) {
    it(`reads ${name}`, async () => {
      const result = await parse(simple820(SAMPLE_BODY, delimiters));
      expect(result.remittances).toHaveLength(1);
      expect(result.remittances[0]!.lines).toHaveLength(2);
      expect(result.warnings).toEqual([]);
    });
  }

  it('skips a UTF-8 BOM and leading whitespace, and tolerates a space before the terminator', async () => {
    const [isa, ...rest] = simple820().split('\n');
    const text = `\uFEFF\r\n  ${isa}\n${rest.join('\n').replace(/~/g, ' ~')}`;
    const result = await parse(text);
    expect(result.remittances[0]!.payer).toBe('ACME SUPPLY CO');
  });

  it('gives the same result when the input arrives one byte at a time', async () => {
    const text = simple820(SAMPLE_BODY, {
      element: '*',
      component: ':',
      segment: '\\',
      repetition: 'U',
      after: '\r\n  ',
    });
    expect(await parse(text, {}, 1)).toEqual(await parse(text));
  });

  it('accepts an ISA that is not fixed-width, with a bank-deviation warning', async () => {
    const text = simple820().replace('PAYERID        ', 'PAYERID');
    const result = await parse(text);
    expect(result.remittances).toHaveLength(1);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'bank-deviation', message: expect.stringContaining('fixed-width') }),
    ]);
  });

  it('reports the physical line of a bad segment in a pretty-printed file', async () => {
    const body = [...SAMPLE_BODY];
    body[10] = 'RMR*IV*INV-1001*PI*ABC';
    const error = await parseError(simple820(body));
    expect(error.code).toBe('invalid-amount');
    // Line 1 ISA, 2 GS, 3 ST, 4 BPR … 14 the eleventh body segment.
    expect(error.location).toMatchObject({ line: 14, field: 'RMR04', found: 'ABC' });
  });
});

describe('x12-820 reader: control numbers and counts', () => {
  it('rejects a wrong SE01 segment count, or warns with lenient and still reads the advice', async () => {
    const text = interchange({ groups: [{ transactions: [{ segmentCount: 99 }] }] });
    const error = await parseError(text);
    expect(error.code).toBe('control-total');
    expect(error.message).toContain('SE01 says 99 segments');
    const result = await parse(text, { lenient: true });
    expect(result.remittances).toHaveLength(1);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'control-total', message: expect.stringContaining('SE01') }),
    ]);
  });

  const cases: Array<[string, Parameters<typeof interchange>[0], string]> = [
    ['SE02', { groups: [{ transactions: [{ trailerControl: '0009' }] }] }, 'SE02'],
    ['GE01', { groups: [{ transactions: [{}], transactionCount: 2 }] }, 'GE01'],
    ['GE02', { groups: [{ transactions: [{}], trailerControl: '999' }] }, 'GE02'],
    ['IEA01', { groups: [{ transactions: [{}] }], groupCount: 3 }, 'IEA01'],
    ['IEA02', { groups: [{ transactions: [{}] }], trailerControl: '000000999' }, 'IEA02'],
  ];
  for (const [name, spec, field] of cases) {
    it(`checks ${name}`, async () => {
      const error = await parseError(interchange(spec));
      expect(error.code).toBe('control-total');
      expect(error.location.field).toBe(field);
      const result = await parse(interchange(spec), { lenient: true });
      expect(result.warnings.map((w) => w.code)).toEqual(['control-total']);
    });
  }

  it('compares numeric control numbers without their leading zeros', async () => {
    const result = await parse(
      interchange({ groups: [{ transactions: [{ control: '0001203', trailerControl: '000001203' }] }] }),
    );
    expect(result.warnings).toEqual([]);
  });
});

describe('x12-820 reader: rejections', () => {
  it('rejects another transaction set (824) as not an 820', async () => {
    const error = await parseError(
      interchange({ groups: [{ transactions: [{ set: '824', body: ['BGN*00*1*20250101'] }] }] }),
    );
    expect(error.code).toBe('unsupported-transaction');
    expect(error.message).toContain('824');
  });

  it('rejects text that is not X12', async () => {
    expect((await parseError('HELLO WORLD\n')).code).toBe('not-x12');
  });

  it('rejects an empty file', async () => {
    expect((await parseError('')).code).toBe('truncated');
    expect((await parseError('  \r\n')).code).toBe('truncated');
  });

  for (const where of ['SE', 'GE', 'IEA'] as const) {
    it(`rejects a file that stops before ${where}`, async () => {
      const error = await parseError(
        interchange({ groups: [{ transactions: [{}] }], truncateBefore: where }),
      );
      expect(error.code).toBe('truncated');
      expect(error.location.field).toBe(where);
    });
  }

  it('rejects an incomplete ISA header', async () => {
    expect((await parseError('ISA*00*          *00*')).code).toBe('truncated');
  });

  it('rejects an unreadable date', async () => {
    const body = [...SAMPLE_BODY];
    body[0] = 'BPR*C*1500.00*C*ACH*CTX*01*091000019*DA*123456*1234567890**01*121000248*DA*98765*20251340';
    const error = await parseError(simple820(body));
    expect(error.code).toBe('invalid-date');
    expect(error.location.field).toBe('BPR16');
  });

  it('rejects placeholder text in amounts (implementation-guide templates)', async () => {
    const error = await parseError(simple820(['BPR*I*TOTAL DOLLAR AMT*C*CHK', 'TRN*1*REF']));
    expect(error.location.field).toBe('BPR02');
  });

  it('rejects a transaction set without BPR', async () => {
    expect((await parseError(simple820(['TRN*1*X', 'RMR*IV*A*PI*1']))).location.field).toBe('BPR');
  });

  it('rejects segments outside a transaction set and nested envelopes', async () => {
    const stray = `${isaHeader(STANDARD)}\nRMR*IV*A*PI*1~\n`;
    expect((await parseError(stray)).code).toBe('structure');
    const nested = simple820().replace('TRN*1', 'GS*RA*X~TRN*1');
    expect((await parseError(nested)).code).toBe('structure');
  });

  it('rejects a segment id that is not X12', async () => {
    expect((await parseError(simple820().replace('TRN*1', 'trn*1'))).code).toBe('syntax');
  });

  it('rejects an ISA whose element separator is a letter', async () => {
    expect((await parseError('ISAX00X')).code).toBe('syntax');
  });
});

describe('x12-820 sniffing', () => {
  it('recognises an 820 interchange whatever its separator, after a BOM or whitespace', () => {
    expect(parser.sniff(Buffer.from(simple820()))).toBe(true);
    expect(
      parser.sniff(Buffer.from(`\uFEFF  \r\n${simple820(SAMPLE_BODY, { ...STANDARD, element: '|' })}`)),
    ).toBe(true);
  });

  it('does not claim other X12 transaction sets or other formats', () => {
    expect(parser.sniff(Buffer.from(interchange({ groups: [{ transactions: [{ set: '824' }] }] })))).toBe(
      false,
    );
    expect(parser.sniff(Buffer.from('101 091000019 1234567890250115'))).toBe(false);
    expect(parser.sniff(Buffer.from('Date,Amount\n2025-01-01,10\n'))).toBe(false);
    expect(parser.sniff(Buffer.from('ISAAC NEWTON ST*820*'))).toBe(false);
    expect(parser.sniff(Buffer.alloc(0))).toBe(false);
  });
});

describe('parseX12820Text (820 carried in other files)', () => {
  it('reads a bare ST…SE transaction set with NACHA delimiters and trailing blanks', () => {
    const text = `${['ST*820*0001', 'BPR*C*10.00*C*ACH*CTX', 'TRN*1*T1', 'RMR*IV*INV-9*PI*10.00', 'SE*5*0001'].join('\\')}\\${' '.repeat(30)}`;
    const sink = new CollectingSink('x12-820');
    expect(parseX12820Text(text, { fileName: 'a.ach', line: 12 }, sink)).toBe(1);
    expect(sink.result.remittances[0]).toMatchObject({
      payment_reference: 'T1',
      amount: '10.00',
      lines: [{ document_number: 'INV-9' }],
    });
  });

  it('reads a full interchange and reports errors at the enclosing line', () => {
    const sink = new CollectingSink('x12-820');
    expect(parseX12820Text(simple820(), { fileName: 'a.ach' }, sink)).toBe(1);
    try {
      parseX12820Text(
        'ST*820*1\\BPR*C*X\\SE*3*1\\',
        { fileName: 'a.ach', line: 7 },
        new CollectingSink('x12-820'),
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).location).toMatchObject({ file: 'a.ach', line: 7, field: 'BPR02' });
    }
  });
});

describe('x12-820 reader: bounded memory on bad input', () => {
  it('stops when no segment terminator comes for megabytes (wrong terminator in ISA)', async () => {
    const text = `${isaHeader(STANDARD)}\n${'GS*RA*X\n'.repeat(700_000)}`;
    const error = await parseError(text);
    expect(error.code).toBe('syntax');
    expect(error.location.field).toBe('segment terminator');
  });
});
