import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseResult } from '../model.js';
import { extractReferences } from './addenda.js';
import {
  addenda02,
  addenda05,
  addenda98,
  addenda99,
  alpha,
  ctxAddenda,
  type EntrySpec,
  FILE_HEADER,
  type FileSpec,
  nachaFile,
  num,
  traceFor,
} from './fixtures/build.js';
import { parser } from './index.js';

async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buffer = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

async function parse(
  text: string | Buffer,
  options: Partial<ParseOptions> = {},
  chunkSize = 1 << 16,
): Promise<ParseResult> {
  const sink = new CollectingSink('nacha');
  await parser.parse(chunks(text, chunkSize), { fileName: 'test.ach', ...options }, sink);
  return sink.result;
}

async function parseError(text: string | Buffer, options: Partial<ParseOptions> = {}): Promise<ParseError> {
  const error = await parse(text, options).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ParseError);
  return error as ParseError;
}

const T1 = traceFor('09100001', 1);

function file(
  entries: EntrySpec[],
  batch: Partial<FileSpec['batches'][number]> = {},
  spec: Partial<FileSpec> = {},
): string {
  return nachaFile({ batches: [{ entries, ...batch }], ...spec });
}

describe('nacha reader: entries and statements', () => {
  it('reads a PPD batch: one statement, signed entries, dates, counterparty and extras', async () => {
    const result = await parse(
      file([
        {
          code: '22',
          amountCents: 123456,
          name: 'JANE DOE',
          account: '987654321',
          id: 'EMP-7',
          discretionary: 'S ',
        },
        { code: '27', amountCents: 5000, routing8: '02100002', name: 'JOHN ROE' },
      ]),
    );
    expect(result.warnings).toEqual([]);
    expect(result.remittances).toEqual([]);
    expect(result.statements).toHaveLength(1);
    const statement = result.statements[0]!;
    expect(statement).toMatchObject({
      account: '1123456789',
      currency: 'USD',
      opening_balance: null,
      closing_balance: null,
      company_name: 'ACME SUPPLY CO',
      company_id: '1123456789',
      odfi: '09100001',
      batch_number: '0000001',
      sec_code: 'PPD',
      service_class_code: '200',
      effective_entry_date: '2025-01-16',
      entry_count: 2,
      total_credit: '1234.56',
      total_debit: '50.00',
    });
    expect(statement.entries[0]).toEqual({
      booking_date: '2025-01-16',
      value_date: '2025-01-16',
      amount: '1234.56',
      currency: 'USD',
      bank_transaction_code: 'PPD-22',
      bank_reference: T1,
      end_to_end_id: null,
      counterparty: { name: 'JANE DOE', account: '987654321', bank: '121000248' },
      remittance: { references: [], text: null },
      sec_code: 'PPD',
      transaction_code: '22',
      individual_id: 'EMP-7',
      company_name: 'ACME SUPPLY CO',
      company_id: '1123456789',
      company_entry_description: 'PAYMENT',
      discretionary_data: 'S',
    });
    expect(statement.entries[1]).toMatchObject({
      amount: '-50.00',
      bank_transaction_code: 'PPD-27',
      counterparty: { bank: '021000021' },
    });
  });

  it('reads several batches as several statements', async () => {
    const text = nachaFile({
      batches: [{ entries: [{}] }, { sec: 'CCD', companyId: '9999999999', entries: [{}, {}] }],
    });
    const result = await parse(text);
    expect(result.statements.map((s) => [s.account, s.entries.length])).toEqual([
      ['1123456789', 1],
      ['9999999999', 2],
    ]);
  });

  it('dates entries by the settlement day when the operator inserted one, across a year end', async () => {
    const result = await parse(file([{}], { effective: '241231', settlement: '001' }));
    expect(result.statements[0]!.entries[0]).toMatchObject({
      booking_date: '2024-12-31',
      value_date: '2025-01-01',
    });
    expect(result.statements[0]!.settlement_date).toBe('2025-01-01');
  });

  it('reads prenotes and zero-dollar entries as 0.00, and rejects a prenote with an amount', async () => {
    const result = await parse(
      file([
        { code: '23', amountCents: 0 },
        { code: '28', amountCents: 0 },
      ]),
    );
    expect(result.statements[0]!.entries.map((e) => e.amount)).toEqual(['0.00', '0.00']);
    const error = await parseError(file([{ code: '23', amountCents: 100 }]));
    expect(error.location.field).toContain('amount (columns 30-39)');
  });

  it('takes CTX receiving company names from columns 59-74 and CIE names from 40-54', async () => {
    const ctx = await parse(file([{ name: 'RECEIVER CO' }], { sec: 'CTX' }));
    expect(ctx.statements[0]!.entries[0]!.counterparty.name).toBe('RECEIVER CO');
    const cie = await parse(
      file([{ raw: undefined, id: 'CONSUMER NAME', name: 'ACCT-778899' }], { sec: 'CIE' }),
    );
    expect(cie.statements[0]!.entries[0]).toMatchObject({
      counterparty: { name: 'CONSUMER NAME' },
      individual_id: 'ACCT-778899',
    });
  });

  it('reads terminal data of POS entries (addenda 02)', async () => {
    const result = await parse(file([{ code: '27', addenda: [addenda02(T1)] }], { sec: 'POS' }));
    expect(result.statements[0]!.entries[0]!.terminal).toMatchObject({
      terminal_id: 'TERM01',
      city: 'SPRINGFIELD',
      state: 'IL',
    });
  });
});

describe('nacha reader: remittance addenda', () => {
  it('puts CCD+ addenda text into the remittance and extracts RMR invoice references', async () => {
    const result = await parse(
      file([{ addenda: [addenda05('RMR*IV*INV-1001*PI*100.00\\', 1, T1)] }], { sec: 'CCD' }),
    );
    expect(result.statements[0]!.entries[0]!.remittance).toEqual({
      references: ['INV-1001'],
      text: 'RMR*IV*INV-1001*PI*100.00\\',
    });
  });

  it('extracts invoice numbers from free text best-effort', () => {
    expect(extractReferences('PAYMENT FOR INV 4711 AND INVOICE# A-99')).toEqual(['4711', 'A-99']);
    expect(extractReferences('THANK YOU')).toEqual([]);
    expect(extractReferences('RMR*IV*A1*PI*1\\RMR*IV*A2*PI*2\\RMR*IV*A1*PI*3')).toEqual(['A1', 'A2']);
  });

  const ctx820 = (withTrn = true): string =>
    [
      'ST*820*0001',
      'BPR*C*150.00*C*ACH*CTX',
      ...(withTrn ? ['TRN*1*PAYREF9'] : []),
      // The space of "ACME SUPPLY" lands on column 80 of the first addenda: trailing blanks of a chunk are data.
      `N1*PR*${'X'.repeat(80 - 'ST*820*0001\\BPR*C*150.00*C*ACH*CTX\\TRN*1*PAYREF9\\N1*PR*'.length - 5)}ACME SUPPLY CO`,
      'ENT*1',
      'RMR*IV*INV-1*PI*100.00',
      'RMR*IV*INV-2*PI*50.00',
      `SE*${withTrn ? 8 : 7}*0001`,
    ]
      .map((segment) => `${segment}\\`)
      .join('');

  it('parses the X12 820 carried by CTX addenda, untrimmed, and links it to the entry', async () => {
    const info = ctx820();
    expect(info.charAt(79)).toBe(' ');
    const result = await parse(file([{ amountCents: 15000, addenda: ctxAddenda(info, T1) }], { sec: 'CTX' }));
    expect(result.warnings).toEqual([]);
    expect(result.remittances).toHaveLength(1);
    const advice = result.remittances[0]!;
    expect(advice.payer).toMatch(/ACME SUPPLY CO$/);
    expect(advice).toMatchObject({ payment_reference: 'PAYREF9', trace_number: T1, amount: '150.00' });
    expect(advice.lines.map((l) => [l.document_number, l.amount_paid])).toEqual([
      ['INV-1', '100.00'],
      ['INV-2', '50.00'],
    ]);
    expect(result.statements[0]!.entries[0]!.remittance).toEqual({
      references: ['INV-1', 'INV-2'],
      text: null,
    });
  });

  it('parses a full ISA…IEA interchange carried in CTX addenda', async () => {
    const isa = `ISA*00*${' '.repeat(10)}*00*${' '.repeat(10)}*ZZ*${'PAYER'.padEnd(15)}*ZZ*${'PAYEE'.padEnd(15)}*250115*1200*U*00401*000000007*0*P*>\\`;
    const body = [
      'ST*820*0001',
      'BPR*C*150.00*C*ACH*CTX',
      'TRN*1*ISAREF',
      'RMR*IV*INV-7*PI*150.00',
      'SE*5*0001',
    ];
    const segments = [
      isa.slice(0, -1),
      'GS*RA*PAYER*PAYEE*20250115*1200*7*X*004010',
      ...body,
      'GE*1*7',
      'IEA*1*000000007',
    ];
    const info = segments.map((segment) => `${segment}\\`).join('');
    const result = await parse(file([{ amountCents: 15000, addenda: ctxAddenda(info, T1) }], { sec: 'CTX' }));
    expect(result.warnings).toEqual([]);
    expect(result.remittances).toEqual([
      expect.objectContaining({ payment_reference: 'ISAREF', trace_number: T1, amount: '150.00' }),
    ]);
  });

  it('uses the trace number as payment reference when the 820 has no TRN', async () => {
    const result = await parse(
      file([{ amountCents: 15000, addenda: ctxAddenda(ctx820(false), T1) }], { sec: 'CTX' }),
    );
    expect(result.remittances[0]).toMatchObject({ payment_reference: T1, trace_number: T1 });
  });

  it('orders CTX addenda by their sequence numbers', async () => {
    const [first, second, ...rest] = ctxAddenda(ctx820(), T1);
    const result = await parse(
      file([{ amountCents: 15000, addenda: [second!, first!, ...rest] }], { sec: 'CTX' }),
    );
    expect(result.remittances).toHaveLength(1);
  });

  it('keeps an unreadable 820 as text with a warning, or rejects it under strict', async () => {
    const broken = 'ST*820*0001\\BPR*C*NOT A NUMBER*C*ACH\\SE*3*0001\\';
    const text = file([{ addenda: ctxAddenda(broken, T1) }], { sec: 'CTX' });
    const result = await parse(text);
    expect(result.remittances).toEqual([]);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'remittance-unreadable', statement: 0 }),
    ]);
    expect(result.statements[0]!.entries[0]!.remittance.text).toBe(broken);
    expect((await parseError(text, { strict: true })).location.field).toBe('BPR02');
  });

  it('joins non-X12 CTX addenda text', async () => {
    const result = await parse(
      file([{ addenda: [addenda05('FIRST PART', 1, T1), addenda05('SECOND PART', 2, T1)] }], { sec: 'CTX' }),
    );
    expect(result.statements[0]!.entries[0]!.remittance.text).toBe('FIRST PART SECOND PART');
  });

  it('checks the CTX number of addenda records', async () => {
    const text = file([{ addenda: [addenda05('A', 1, T1)], addendaCount: 2 }], { sec: 'CTX' });
    expect((await parseError(text)).code).toBe('control-total');
    const result = await parse(text, { lenient: true });
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'control-total',
        message: expect.stringContaining('number of addenda records 2'),
      }),
    ]);
  });
});

describe('nacha reader: returns and notifications of change', () => {
  it('reads a return (99) with its reason, original trace and sign by transaction code', async () => {
    const result = await parse(
      file(
        [
          {
            code: '26',
            amountCents: 2500,
            addenda: [addenda99('R01', '121000240000042', T1, 'INSUFFICIENT FUNDS')],
          },
        ],
        { effective: '000000' },
      ),
    );
    const entry = result.statements[0]!.entries[0]!;
    expect(entry).toMatchObject({
      amount: '-25.00',
      return_reason: 'R01',
      original_trace: '121000240000042',
      original_rdfi: '12100024',
      return_information: 'INSUFFICIENT FUNDS',
      return_or_notification: true,
      // No effective date in a return batch: dated by the file creation date.
      booking_date: '2025-01-15',
    });
  });

  it('accepts a non-standard reason on a return entry with a warning, rejects it on a forward entry', async () => {
    const custom = await parse(file([{ code: '21', addenda: [addenda99('R97', '121000240000042', T1)] }]));
    expect(custom.warnings).toEqual([
      expect.objectContaining({ code: 'bank-deviation', message: expect.stringContaining('R97') }),
    ]);
    const error = await parseError(
      file([{ code: '27', addenda: [addenda99('R96', '121000240000042', T1)] }]),
    );
    expect(error.location.field).toContain('return reason code');
  });

  it('reads a notification of change (98) and rejects an unknown change code', async () => {
    const result = await parse(
      file(
        [{ code: '21', amountCents: 0, addenda: [addenda98('C01', '121000240000042', '1918171614', T1)] }],
        { sec: 'COR' },
      ),
    );
    expect(result.statements[0]!.entries[0]).toMatchObject({
      amount: '0.00',
      change_code: 'C01',
      corrected_data: '1918171614',
    });
    const error = await parseError(
      file([{ code: '21', amountCents: 0, addenda: [addenda98('C92', '121000240000042', 'X', T1)] }], {
        sec: 'COR',
      }),
    );
    expect(error.location.field).toContain('change code');
  });
});

describe('nacha reader: IAT and ADV', () => {
  const iatHeader = `5220${alpha('', 16)}FF3${alpha('', 15)}DE${alpha('1234567890', 10)}IAT${alpha('TRADEPAYMT', 10)}EURUSD250116   1${'09100001'}${num(1, 7)}`;
  const seq = T1.slice(8);
  const iatEntry = `622${'12100024'}8${num(7, 4)}${alpha('', 13)}${num(100000, 10)}${alpha('DE89370400440532013000', 35)}${alpha('', 2)}  1${T1}`;
  const iatAddenda = [
    `710ANN${num(100000, 18)}${alpha('', 22)}${alpha('OPENAR GMBH', 35)}${alpha('', 6)}${seq}`,
    `711${alpha('BEK ENTERPRISES', 35)}${alpha('15 WEST PLACE', 35)}${alpha('', 14)}${seq}`,
    `712${alpha('SPRINGFIELD*IL\\', 35)}${alpha('US*62701\\', 35)}${alpha('', 14)}${seq}`,
    `713${alpha('FIRST BANK', 35)}01${alpha('091000019', 34)}US ${alpha('', 10)}${seq}`,
    `714${alpha('DEUTSCHE BANK', 35)}02${alpha('DEUTDEFF', 34)}DE ${alpha('', 10)}${seq}`,
    `715${alpha('RCV-1', 15)}${alpha('HAUPTSTRASSE 1', 35)}${alpha('', 34)}${seq}`,
    `716${alpha('BERLIN*BE\\', 35)}${alpha('DE*10115\\', 35)}${alpha('', 14)}${seq}`,
    `717${alpha('INVOICE 2025-001 CONSULTING', 80)}0001${seq}`,
    `718${alpha('CORRESPONDENT BANK', 35)}02${alpha('CORRDEFF', 34)}DE ${alpha('', 6)}0001${seq}`,
  ];

  it('reads an IAT batch: receiver from addenda 10, originator from 11, remittance from 17', async () => {
    const text = nachaFile({
      batches: [
        {
          header: iatHeader,
          serviceClass: '220',
          sec: 'IAT',
          companyId: '',
          entries: [{ raw: iatEntry, amountCents: 100000, addenda: iatAddenda }],
        },
      ],
    });
    const result = await parse(text);
    expect(result.warnings).toEqual([]);
    const entry = result.statements[0]!.entries[0]!;
    expect(entry).toMatchObject({
      amount: '1000.00',
      bank_transaction_code: 'IAT-22',
      counterparty: { name: 'OPENAR GMBH', account: 'DE89370400440532013000', bank: '121000248' },
      company_name: 'BEK ENTERPRISES',
      remittance: { text: 'INVOICE 2025-001 CONSULTING', references: ['2025-001'] },
      iat: { transaction_type_code: 'ANN', rdfi_name: 'DEUTSCHE BANK', receiver_id: 'RCV-1' },
    });
    expect(result.statements[0]).toMatchObject({
      account: '1234567890',
      originating_currency: 'EUR',
      destination_country: 'DE',
    });
  });

  it('rejects an unknown IAT transaction type code', async () => {
    const addenda = [iatAddenda[0]!.replace('710ANN', '710XXX'), ...iatAddenda.slice(1)];
    const text = nachaFile({
      batches: [
        {
          header: iatHeader,
          serviceClass: '220',
          sec: 'IAT',
          companyId: '',
          entries: [{ raw: iatEntry, amountCents: 100000, addenda }],
        },
      ],
    });
    expect((await parseError(text)).location.field).toContain('transaction type code');
  });

  it('reads ADV batches (service class 280) with their own entry and control layouts', async () => {
    const adv = (code: string, amountCents: number, sequence: number): string =>
      `6${code}${'12100024'}8${alpha('744-5678-99', 15)}${num(amountCents, 12)}${'121042882'}${alpha('11131', 5)} ${alpha('NAME', 22)}  0${'12100024'}${'016'}${num(sequence, 4)}`;
    const records = [
      FILE_HEADER,
      `5280${alpha('COMPANY NAME', 16)}${alpha('', 20)}${alpha('121042882', 10)}ADV${alpha('ACCOUNTING', 10)}${alpha('', 6)}250116   0${'12100024'}${num(1, 7)}`,
      adv('81', 50000, 1),
      adv('82', 250000, 2),
      `8280${num(2, 6)}${num(24200048, 10)}${num(250000, 20)}${num(50000, 20)}${alpha('', 19)}${'12100024'}${num(1, 7)}`,
      `9${num(1, 6)}${num(1, 6)}${num(2, 8)}${num(24200048, 10)}${num(250000, 20)}${num(50000, 20)}${alpha('', 23)}`,
    ];
    const result = await parse(`${records.join('\n')}\n`);
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]!.entries.map((e) => e.amount)).toEqual(['500.00', '-2500.00']);
  });
});

describe('nacha reader: line layout', () => {
  const sample = file([{ addenda: [addenda05('RMR*IV*A1*PI*1.00\\', 1, T1)] }, { code: '27' }], {
    sec: 'CCD',
  });
  const base = async (): Promise<ParseResult> => parse(sample);

  it('reads LF, CRLF, no final newline and no line breaks at all alike', async () => {
    const expected = await base();
    expect(expected.statements[0]!.entries).toHaveLength(2);
    expect(await parse(sample.replace(/\n/g, '\r\n'))).toEqual(expected);
    expect(await parse(sample.slice(0, -1))).toEqual(expected);
    const unbroken = sample.replace(/\n/g, '');
    expect(unbroken.length % 94).toBe(0);
    expect(await parse(unbroken)).toEqual(expected);
    expect(await parse(unbroken, {}, 7)).toEqual(expected);
  });

  it('gives the same result whatever the chunk size', async () => {
    const expected = await base();
    for (const size of [1, 3, 94, 95, 1000]) expect(await parse(sample, {}, size)).toEqual(expected);
  });

  it('streams a long file without line breaks record by record', async () => {
    const entries = Array.from({ length: 1500 }, (_, i) => ({ amountCents: i + 1 }));
    const text = nachaFile({ batches: [{ entries }], newline: '' });
    const result = await parse(text, {}, 4096);
    expect(result.statements[0]!.entries).toHaveLength(1500);
    expect(result.statements[0]!.entries[1499]!.amount).toBe('15.00');
  });

  it('accepts lines with trailing blanks or stripped blanks, with one bank-deviation warning', async () => {
    const lines = sample.split('\n');
    lines[0] = `${lines[0]}      `;
    lines[3] = lines[3]!.trimEnd();
    const result = await parse(lines.join('\n'));
    expect(result.statements[0]!.entries).toHaveLength(2);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'bank-deviation', message: expect.stringContaining('94 characters') }),
    ]);
  });

  it('skips blank lines and a DOS end-of-file marker', async () => {
    const result = await parse(`${sample}\r\n\n\x1a`);
    expect(result.statements[0]!.entries).toHaveLength(2);
  });

  it('reads UTF-8 names as one character each and keeps latin1 bytes', async () => {
    const utf8 = Buffer.from(file([{ name: 'ŻANETA KOWALSKA' }]), 'utf8');
    expect((await parse(utf8)).statements[0]!.entries[0]!.counterparty.name).toBe('ŻANETA KOWALSKA');
    const latin1 = Buffer.from(file([{ name: 'JOSÉ GARCÍA' }]), 'latin1');
    expect((await parse(latin1)).statements[0]!.entries[0]!.counterparty.name).toBe('JOSÉ GARCÍA');
  });

  it('rejects a record that is too long, and a line without breaks that is not whole records', async () => {
    const lines = sample.split('\n');
    lines[2] = `${lines[2]}X`;
    const error = await parseError(lines.join('\n'));
    expect(error.location).toMatchObject({ line: 3, field: 'record length' });
    expect((await parseError(`${sample.replace(/\n/g, '')}99`)).location.field).toBe('record length');
  });

  it('rejects a control character inside a record, naming its column', async () => {
    const lines = sample.split('\n');
    lines[2] = `${lines[2]!.slice(0, 60)}\x1a${lines[2]!.slice(61)}`;
    const error = await parseError(lines.join('\n'));
    expect(error.location).toMatchObject({ line: 3, field: 'entry detail column 61', found: '\\x1a' });
  });
});

describe('nacha reader: malformed and truncated files', () => {
  it('rejects an unreadable amount naming line, field and columns', async () => {
    const lines = file([{}]).split('\n');
    lines[2] = `${lines[2]!.slice(0, 29)}00000ABC00${lines[2]!.slice(39)}`;
    const error = await parseError(lines.join('\n'));
    expect(error.code).toBe('invalid-field');
    expect(error.location).toMatchObject({
      file: 'test.ach',
      line: 3,
      field: 'entry detail amount (columns 30-39)',
      found: '00000ABC00',
    });
  });

  it('rejects an unreadable file creation date', async () => {
    const header = `${FILE_HEADER.slice(0, 23)}251340${FILE_HEADER.slice(29)}`;
    expect((await parseError(nachaFile({ header, batches: [{ entries: [{}] }] }))).location.field).toContain(
      'file creation date',
    );
  });

  it('warns on an unreadable effective entry date and rejects it under strict', async () => {
    const text = file([{}], { effective: '16    ' });
    const result = await parse(text);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'bank-deviation',
        message: expect.stringContaining('effective entry date'),
      }),
    ]);
    expect(result.statements[0]!.entries[0]!.booking_date).toBe('2025-01-15');
    expect((await parseError(text, { strict: true })).location.field).toContain('effective entry date');
  });

  it('rejects a wrong check digit, an unknown transaction code and a zero trace number', async () => {
    const lines = file([{}]).split('\n');
    const entry = lines[2]!;
    lines[2] = `${entry.slice(0, 11)}9${entry.slice(12)}`;
    expect((await parseError(lines.join('\n'))).location.field).toContain('check digit');
    expect((await parseError(file([{ code: '25' }]))).location.field).toContain('transaction code');
    lines[2] = `${entry.slice(0, 79)}${'0'.repeat(15)}`;
    expect((await parseError(lines.join('\n'))).location.field).toContain('trace number');
  });

  it('rejects missing receiver names where the Rules require them, and names made of zeros', async () => {
    expect((await parseError(file([{ name: '' }], { sec: 'TEL' }))).location.field).toContain(
      'receiver name',
    );
    expect((await parseError(file([{ name: '0000000' }]))).location.field).toContain('receiver name');
    expect((await parseError(file([{}], { companyName: '0000000000' }))).location.field).toContain(
      'company name',
    );
  });

  it('rejects a wrong file header layout', async () => {
    const header = `${FILE_HEADER.slice(0, 39)}9${FILE_HEADER.slice(40)}`;
    expect((await parseError(nachaFile({ header, batches: [{ entries: [{}] }] }))).location.field).toContain(
      'format code',
    );
    const noDestination = `101${' '.repeat(10)}${FILE_HEADER.slice(13)}`;
    expect((await parseError(nachaFile({ header: noDestination, batches: [] }))).location.field).toContain(
      'immediate destination',
    );
  });

  it('rejects truncated files', async () => {
    expect((await parseError('')).code).toBe('truncated');
    expect((await parseError(`${FILE_HEADER}\n`)).location.field).toBe('file control');
    const noBatchControl = nachaFile({ batches: [{ entries: [{}], noControl: true }], noControl: true });
    expect((await parseError(noBatchControl)).location.field).toBe('batch control');
    const noFileControl = nachaFile({ batches: [{ entries: [{}] }], noControl: true });
    expect((await parseError(noFileControl)).location.field).toBe('file control');
    // An all-9 padding line is not a file control.
    expect((await parseError(`${noFileControl}${'9'.repeat(94)}\n`)).code).toBe('structure');
  });

  it('rejects records out of place', async () => {
    const lines = file([{ addenda: [addenda05('X', 1, T1)] }], { sec: 'CCD' }).split('\n');
    const [header, batch, entry, addendum] = lines;
    const [, , plainEntry, control, fileControl] = file([{}]).split('\n');
    const cases: Array<[string[], string]> = [
      [[batch!, entry!], 'batch header before the file header'],
      [[header!, entry!], 'entry detail record outside a batch'],
      [[header!, batch!, addendum!], 'addenda record outside an entry'],
      [[header!, batch!, entry!, batch!], 'batch header inside a batch'],
      [[header!, header!], 'second file header'],
      [[header!, batch!, plainEntry!, control!, fileControl!, plainEntry!], 'after the file control'],
      [[header!, 'X'.repeat(94)], 'unknown record type'],
    ];
    for (const [records, message] of cases) {
      const error = await parseError(`${records.join('\n')}\n`);
      expect(error.code).toBe('structure');
      expect(error.message).toContain(message);
    }
  });
});

describe('nacha reader: control totals', () => {
  const batchCases: Array<[string, NonNullable<FileSpec['batches'][number]['control']>, string]> = [
    ['entry/addenda count', { count: 5 }, 'entry/addenda count 5'],
    ['entry hash', { hash: 1 }, 'entry hash 1'],
    ['total debit', { debit: 1 }, 'total debit 0.01, entries 0.00'],
    ['total credit', { credit: 99 }, 'total credit 0.99, entries 100.00'],
    ['batch number', { number: 9 }, 'batch number 0000009'],
    ['company identification', { companyId: '9999999999' }, 'company identification 9999999999'],
  ];
  for (const [name, control, message] of batchCases) {
    it(`checks the batch control ${name}: error, or a warning naming the totals with lenient`, async () => {
      const text = file(
        [{}],
        { control },
        {
          control: { count: control.count, hash: control.hash, debit: control.debit, credit: control.credit },
        },
      );
      const error = await parseError(text);
      expect(error.code).toBe('control-total');
      expect(error.message).toContain(message);
      const result = await parse(text, { lenient: true });
      expect(result.statements[0]!.entries).toHaveLength(1);
      expect(result.warnings[0]).toMatchObject({ code: 'control-total', statement: 0 });
      expect(result.warnings[0]!.message).toContain(message);
    });
  }

  const fileCases: Array<[string, NonNullable<FileSpec['control']>, string]> = [
    ['batch count', { batches: 2 }, 'batch count 2, file has 1'],
    ['entry/addenda count', { count: 7 }, 'entry/addenda count 7, file has 1'],
    ['entry hash', { hash: 42 }, 'entry hash 42, file has 12100024'],
    ['total debit', { debit: 5 }, 'total debit 0.05, entries 0.00'],
    ['total credit', { credit: 5 }, 'total credit 0.05, entries 100.00'],
  ];
  for (const [name, control, message] of fileCases) {
    it(`checks the file control ${name}`, async () => {
      const text = file([{}], {}, { control });
      expect((await parseError(text)).message).toContain(message);
      const result = await parse(text, { lenient: true });
      expect(result.warnings.map((w) => w.message)).toEqual([expect.stringContaining(message)]);
    });
  }

  it('keeps the entry hash to its low ten digits', async () => {
    const entries = Array.from({ length: 120 }, () => ({ routing8: '99999999' }));
    const result = await parse(nachaFile({ batches: [{ entries }] }));
    expect(result.warnings).toEqual([]);
  });

  it('checks the addenda record indicator against the addenda that follow', async () => {
    const text = file([{ indicator: '1' }]);
    expect((await parseError(text)).message).toContain('addenda record indicator 1 but 0 addenda');
  });

  it('warns (does not fail) on a block count that does not match the blocking', async () => {
    const result = await parse(file([{}], {}, { control: { blocks: 7 } }));
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'bank-deviation', message: expect.stringContaining('block count 7') }),
    ]);
    expect(await parse(file([{}], {}, { padding: false }))).toMatchObject({ warnings: [] });
  });

  it('warns when a batch holds entries its service class excludes', async () => {
    const result = await parse(file([{ code: '27' }], { serviceClass: '220' }));
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'bank-deviation',
        message: expect.stringContaining('service class 220'),
      }),
    ]);
  });
});

describe('nacha sniffing', () => {
  it('recognises a file header, with or without line breaks', () => {
    const text = file([{}]);
    expect(parser.sniff(Buffer.from(text))).toBe(true);
    expect(parser.sniff(Buffer.from(text.replace(/\n/g, '\r\n')))).toBe(true);
    expect(parser.sniff(Buffer.from(text.replace(/\n/g, '')))).toBe(true);
  });

  it('does not claim other formats', () => {
    expect(parser.sniff(Buffer.from('01,BANKID,CUSTID,250115,1200,1,80,,2/\n'))).toBe(false);
    expect(parser.sniff(Buffer.from('ISA*00*          *00*          *ZZ*A'))).toBe(false);
    expect(parser.sniff(Buffer.from('101,200,300\n1,2,3\n'))).toBe(false);
    expect(
      parser.sniff(Buffer.from(`101 091000019 1234567890250115${'1200'}A095101${' '.repeat(54)}\n`)),
    ).toBe(false);
    expect(parser.sniff(Buffer.from(`${FILE_HEADER}${'X'.repeat(40)}\n`))).toBe(false);
  });
});
