/**
 * Lockbox reader behaviour from hand-made fixtures. Records are built by placing values at the
 * 1-based columns of the BAI lockbox layout (see layout.ts / docs/formats/lockbox.md).
 */
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseResult } from '../model.js';
import { BAI_LOCKBOX_LAYOUT, parser } from './index.js';
import type { LockboxLayout } from './layout.js';

/** A record with `values` placed at 1-based columns, right-trimmed like bank files usually are. */
function rec(...values: [column: number, value: string][]): string {
  const chars: string[] = [];
  for (const [column, value] of values) {
    for (let i = 0; i < value.length; i++) chars[column - 1 + i] = value[i]!;
  }
  return Array.from(chars, (c) => c ?? ' ')
    .join('')
    .trimEnd();
}

const header = rec([1, '1'], [2, '00'], [4, 'DESTIN0001'], [14, '0210000021'], [24, '240614'], [30, '0930']);
const service = rec(
  [1, '2'],
  [2, 'DESTIN00010210000021'],
  [22, '0000000000'],
  [32, '400'],
  [35, '104'],
  [38, '0001'],
  [42, '1'],
);
const lockboxHeader = (lockbox: string) =>
  rec([1, '5'], [2, '000'], [5, '000'], [8, lockbox], [15, '240614'], [21, 'DESTIN0001']);

function check(batch: string, item: string, cents: string, checkNumber: string, remitter: string): string {
  return rec(
    [1, '6'],
    [2, batch],
    [5, item],
    [8, cents.padStart(10, '0')],
    [18, '021000021'],
    [27, '0012345678'],
    [37, checkNumber.padStart(10, '0')],
    [47, '061024'],
    [53, remitter],
    [83, 'OPENAR DEMO INC'],
  );
}

/** Overflow record with up to three (invoice, amount) slots from column 12, every 25 columns. */
function overflow(
  batch: string,
  item: string,
  sequence: string,
  last: boolean,
  invoices: [string, string][],
): string {
  const slots: [number, string][] = [];
  invoices.forEach(([number, cents], k) => {
    slots.push([12 + k * 25, number]);
    if (cents !== '') slots.push([27 + k * 25, cents.padStart(10, '0')]);
  });
  return rec([1, '4'], [2, batch], [5, item], [8, '4'], [9, sequence], [11, last ? '9' : '0'], ...slots);
}

const batchTotal = (batch: string, lockbox: string, count: string, cents: string) =>
  rec(
    [1, '7'],
    [2, batch],
    [5, '000'],
    [8, lockbox],
    [15, '240614'],
    [21, count],
    [24, cents.padStart(10, '0')],
  );
const lockboxTotal = (lockbox: string, count: string, cents: string) =>
  rec(
    [1, '8'],
    [2, '000'],
    [5, '000'],
    [8, lockbox],
    [15, '240614'],
    [21, count],
    [25, cents.padStart(10, '0')],
  );
const trailer = (count: number) => rec([1, '9'], [2, String(count).padStart(6, '0')]);

/* Lockbox 0012345: batch 001 = 1500.00 + 250.50 (2 checks), batch 002 = 99.99 (1 check); 1850.49 total. */
const RECORDS = [
  header,
  service,
  lockboxHeader('0012345'),
  check('001', '001', '150000', '1001', 'ACME TRADING INC'),
  overflow('001', '001', '01', false, [
    ['INV-1001', '100000'],
    ['INV-1002', '40000'],
    ['INV-1003', '5000'],
  ]),
  overflow('001', '001', '02', true, [['INV-1004', '5000']]),
  check('001', '002', '25050', '77', 'GLOBEX CORP'),
  batchTotal('001', '0012345', '002', '175050'),
  check('002', '001', '9999', '5', 'INITECH'),
  overflow('002', '001', '01', true, [['CE554', '']]),
  batchTotal('002', '0012345', '001', '9999'),
  lockboxTotal('0012345', '0003', '185049'),
];
const FILE = [...RECORDS, trailer(RECORDS.length + 1)].join('\n');

async function parse(text: string, options: Partial<ParseOptions> = {}): Promise<ParseResult> {
  const sink = new CollectingSink('lockbox');
  async function* input() {
    const bytes = Buffer.from(text, 'latin1');
    for (let i = 0; i < bytes.length; i += 37) yield bytes.subarray(i, i + 37);
  }
  await parser.parse(input(), { fileName: 'box.txt', ...options }, sink);
  return sink.result;
}

async function parseError(text: string, options: Partial<ParseOptions> = {}): Promise<ParseError> {
  try {
    await parse(text, options);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

function replaceRecord(index: number, record: string): string {
  const records = FILE.split('\n');
  records[index] = record;
  return records.join('\n');
}

describe('lockbox reader (BAI layout)', () => {
  it('reads each batch as a statement and each check as an entry', async () => {
    const result = await parse(FILE);
    expect(result.warnings).toEqual([]);
    expect(result.statements).toHaveLength(2);
    expect(result.statements[0]).toMatchObject({
      account: '0012345',
      currency: 'USD',
      opening_balance: null,
      closing_balance: null,
      batch_number: '001',
      deposit_date: '2024-06-14',
      item_count: 2,
      total: '1750.50',
    });
    expect(result.statements.map((s) => s.entries.map((e) => e.amount))).toEqual([
      ['1500.00', '250.50'],
      ['99.99'],
    ]);
  });

  it('maps the check fields and the overflow invoices', async () => {
    const [first, second] = (await parse(FILE)).statements[0]!.entries;
    expect(first).toMatchObject({
      booking_date: '2024-06-14',
      amount: '1500.00',
      bank_reference: '001-001',
      counterparty: { name: 'ACME TRADING INC', account: '0012345678', bank: '021000021' },
      remittance: { references: ['INV-1001', 'INV-1002', 'INV-1003', 'INV-1004'], text: null },
      check_number: '1001',
      check_date: '2024-06-10',
      payee_name: 'OPENAR DEMO INC',
      invoices: [
        { number: 'INV-1001', amount: '1000.00' },
        { number: 'INV-1002', amount: '400.00' },
        { number: 'INV-1003', amount: '50.00' },
        { number: 'INV-1004', amount: '50.00' },
      ],
    });
    expect(second).toMatchObject({
      bank_reference: '001-002',
      check_number: '77',
      invoices: [],
      remittance: { references: [] },
    });
  });

  it('emits a remittance advice per check that lists invoices', async () => {
    const result = await parse(FILE);
    expect(result.remittances).toHaveLength(2);
    expect(result.remittances[0]).toMatchObject({
      payer: 'ACME TRADING INC',
      payment_reference: '1001',
      amount: '1500.00',
    });
    expect(result.remittances[0]!.lines.map((l) => [l.document_number, l.amount_paid])).toEqual([
      ['INV-1001', '1000.00'],
      ['INV-1002', '400.00'],
      ['INV-1003', '50.00'],
      ['INV-1004', '50.00'],
    ]);
    expect(result.remittances[1]!.lines).toEqual([
      { document_number: 'CE554', amount_paid: null, amount_invoiced: null, discount: null, adjustments: [] },
    ]);
  });

  it('re-decodes UTF-8 names and keeps latin1 ones', async () => {
    const utf8Name = Buffer.from('CAFÉ LUMIÈRE', 'utf8').toString('latin1');
    const latin1Name = 'MÜLLER GMBH';
    const withNames = FILE.replace('ACME TRADING INC', utf8Name.padEnd(16)).replace(
      'GLOBEX CORP',
      latin1Name,
    );
    const [first, second] = (await parse(withNames)).statements[0]!.entries;
    expect(first!.counterparty.name).toBe('CAFÉ LUMIÈRE');
    expect(second!.counterparty.name).toBe('MÜLLER GMBH');
  });

  it('reads an empty batch and several lockboxes', async () => {
    const records = [
      header,
      lockboxHeader('0000001'),
      batchTotal('000', '0000001', '000', '0'),
      lockboxTotal('0000001', '0000', '0'),
      lockboxHeader('0000002'),
      check('001', '001', '100', '1', 'A'),
      batchTotal('001', '0000002', '001', '100'),
      lockboxTotal('0000002', '0001', '100'),
    ];
    const result = await parse([...records, trailer(records.length + 1)].join('\r\n'));
    expect(result.statements.map((s) => [s.account, s.entries.length])).toEqual([
      ['0000001', 0],
      ['0000002', 1],
    ]);
  });

  it('rejects wrong batch, lockbox and trailer totals unless lenient', async () => {
    const wrongBatch = replaceRecord(7, batchTotal('001', '0012345', '002', '175051'));
    expect(await parseError(wrongBatch)).toMatchObject({
      code: 'control-total',
      location: { line: 8, expected: '1750.50', found: '1750.51' },
    });
    const wrongCount = replaceRecord(7, batchTotal('001', '0012345', '003', '175050'));
    expect((await parseError(wrongCount)).location.field).toBe('batch 001 total item count');
    const wrongLockbox = replaceRecord(11, lockboxTotal('0012345', '0003', '185048'));
    expect((await parseError(wrongLockbox)).location.field).toBe('lockbox 0012345 total amount');
    const wrongTrailer = replaceRecord(12, trailer(99));
    expect((await parseError(wrongTrailer)).location.field).toBe('trailer record count');
    const lenient = await parse(wrongBatch, { lenient: true });
    // The lockbox total is checked against the checks themselves, so only the batch total is reported.
    expect(lenient.warnings).toEqual([expect.objectContaining({ code: 'control-total', line: 8 })]);
    expect(lenient.statements).toHaveLength(2);
  });

  it('rejects bad amounts and dates', async () => {
    const badAmount = replaceRecord(3, check('001', '001', '15000O', '1001', 'ACME'));
    expect(await parseError(badAmount)).toMatchObject({
      code: 'bad-amount',
      location: { line: 4, field: 'amount (record 6)' },
    });
    const badDate = replaceRecord(2, lockboxHeader('0012345').replace('240614', '241314'));
    expect(await parseError(badDate)).toMatchObject({ code: 'bad-date', location: { line: 3 } });
    const badInvoice = replaceRecord(5, overflow('001', '001', '02', true, [['INV-1004', '50.00']]));
    expect((await parseError(badInvoice)).location.field).toBe('invoice 1 amount');
  });

  it('rejects truncated files and structural errors', async () => {
    const records = FILE.split('\n');
    expect(await parseError(records.slice(0, -1).join('\n'))).toMatchObject({ code: 'truncated' });
    expect((await parseError(records.slice(0, 9).join('\n'))).location.expected).toContain('batch total');
    expect((await parseError(replaceRecord(3, 'X'))).code).toBe('structure');
    expect((await parseError(records.slice(1).join('\n'))).location.expected).toContain('file header');
    expect((await parseError(`${FILE}\n${check('003', '001', '1', '1', 'A')}`)).location.expected).toContain(
      'nothing after',
    );
    const orphan = [header, lockboxHeader('0012345'), overflow('001', '001', '01', true, [['X', '']])].join(
      '\n',
    );
    expect((await parseError(orphan)).location.expected).toContain('check record before');
    expect(
      (await parseError(replaceRecord(4, overflow('001', '009', '01', false, [['X', '']])))).location.field,
    ).toBe('overflow item number');
    expect(
      (await parseError(replaceRecord(6, check('002', '002', '25050', '77', 'GLOBEX')))).location.field,
    ).toBe('check batch number');
    expect((await parseError('')).code).toBe('empty');
  });
});

describe('lockbox reader with a bank layout (options.mapping)', () => {
  /** A made-up bank layout: two-character record codes, other columns, a customer number field. */
  const BANK: Partial<LockboxLayout> = {
    name: 'example-bank',
    recordType: { start: 1, length: 2 },
    currency: 'CAD',
    records: {
      HD: { role: 'file-header', fields: { date: { start: 3, length: 6, kind: 'date-yymmdd' } } },
      BH: {
        role: 'lockbox-header',
        fields: {
          lockbox_number: { start: 3, length: 5, kind: 'text' },
          deposit_date: { start: 8, length: 8, kind: 'text' },
        },
      },
      CK: {
        role: 'check',
        fields: {
          amount: { start: 3, length: 12, kind: 'amount' },
          check_number: { start: 15, length: 8, kind: 'text' },
          remitter_name: { start: 23, length: 20, kind: 'text' },
          customer_number: { start: 43, length: 6, kind: 'text' },
        },
        invoices: {
          start: 49,
          count: 2,
          stride: 20,
          number: { offset: 0, length: 10 },
          amount: { offset: 10, length: 10 },
        },
      },
      BT: {
        role: 'batch-total',
        fields: {
          item_count: { start: 3, length: 4, kind: 'number' },
          amount_total: { start: 7, length: 12, kind: 'amount' },
        },
      },
      TR: { role: 'file-trailer', fields: { record_count: { start: 3, length: 5, kind: 'number' } } },
    },
  };

  const text = [
    'HD240614',
    'BH777772024-06-14',
    `CK${'000000012345'}${'CHK00042'}${'NORTHWIND LTD'.padEnd(20)}${'C00042'}${'INV-A'.padEnd(10)}${'0000010000'}${'INV-B'.padEnd(10)}${'0000002345'}`,
    `BT0001${'000000012345'}`,
    'TR00005',
  ].join('\n');

  it('reads a bank layout without code, with custom fields and invoices on the check record', async () => {
    const result = await parse(text, { mapping: BANK });
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]).toMatchObject({ account: '77777', currency: 'CAD', layout: 'example-bank' });
    expect(result.statements[0]!.entries[0]).toMatchObject({
      amount: '123.45',
      currency: 'CAD',
      check_number: 'CHK00042',
      counterparty: { name: 'NORTHWIND LTD' },
      fields: { customer_number: 'C00042' },
      invoices: [
        { number: 'INV-A', amount: '100.00' },
        { number: 'INV-B', amount: '23.45' },
      ],
    });
  });

  it('reads fixed-length records without line ends when the layout gives the record length', async () => {
    const fixed = text
      .split('\n')
      .map((r) => r.padEnd(100))
      .join('');
    const result = await parse(fixed, { mapping: { ...BANK, recordLength: 100 } });
    expect(result.statements[0]!.entries).toHaveLength(1);
  });

  it('ends batches at the lockbox or file end when the layout has no batch total', async () => {
    const { BT: _batchTotal, ...withoutBatchTotal } = BANK.records!;
    const noTotals = { ...BANK, records: withoutBatchTotal };
    const lines = text.split('\n').filter((l) => !l.startsWith('BT'));
    const result = await parse(lines.join('\n').replace('TR00005', 'TR00004'), { mapping: noTotals });
    expect(result.statements).toHaveLength(1);
    expect(result.statements[0]!.entries).toHaveLength(1);
    const { TR: _trailer, ...withoutTotalsOrTrailer } = withoutBatchTotal;
    const noTrailer = await parse(lines.slice(0, -1).join('\n'), {
      mapping: { ...BANK, records: withoutTotalsOrTrailer },
    });
    expect(noTrailer.statements).toHaveLength(1);
  });

  it('accepts the default layout by name and as an object', async () => {
    expect((await parse(FILE, { mapping: 'bai-lockbox' })).statements).toHaveLength(2);
    expect((await parse(FILE, { mapping: BAI_LOCKBOX_LAYOUT })).statements).toHaveLength(2);
  });

  it('rejects field names that are not plain identifiers', async () => {
    const polluting = {
      ...BANK,
      records: {
        ...BANK.records,
        CK: {
          role: 'check',
          fields: {
            amount: BANK.records!.CK!.fields.amount!,
            __proto__x: { start: 1, length: 1, kind: 'text' },
          },
        },
      },
    };
    expect((await parseError(text, { mapping: polluting })).location.field).toBe(
      'mapping.records.CK.fields.__proto__x',
    );
  });

  it('rejects an invalid layout with a ParseError naming the mapping field', async () => {
    const noCheck = { ...BANK, records: { HD: BANK.records!.HD! } };
    expect(await parseError(text, { mapping: noCheck })).toMatchObject({
      code: 'mapping',
      location: { field: 'mapping.records' },
    });
    const badKind = {
      ...BANK,
      records: {
        ...BANK.records,
        CK: { role: 'check', fields: { amount: { start: 3, length: 12, kind: 'money' } } },
      },
    };
    expect((await parseError(text, { mapping: badKind })).location.field).toBe(
      'mapping.records.CK.fields.amount.kind',
    );
    const badStart = {
      ...BANK,
      records: {
        ...BANK.records,
        CK: { role: 'check', fields: { amount: { start: 0, length: 12, kind: 'amount' } } },
      },
    };
    expect((await parseError(text, { mapping: badStart })).location.field).toBe(
      'mapping.records.CK.fields.amount',
    );
    expect((await parseError(text, { mapping: 'unknown-bank' })).code).toBe('mapping');
    expect((await parseError(text, { mapping: 42 })).code).toBe('mapping');
  });
});

describe('lockbox sniff', () => {
  const sniff = (text: string) => parser.sniff(Buffer.from(text, 'latin1'));

  it('recognises a BAI lockbox header followed by a service or lockbox header', () => {
    expect(sniff(FILE)).toBe(true);
    expect(sniff(FILE.replace(/\n/g, '\r\n'))).toBe(true);
    expect(sniff([header, lockboxHeader('0000001')].join('\n'))).toBe(true);
  });

  it('does not claim NACHA, BAI2 or other files', () => {
    const nacha = [
      '101 091000019 1234567891807081504A094101Federal Reserve Bank   My Bank Name           12345678',
      '5220Name on Account                     231380104 PPDREG.SALARY      180709   1091000010000001',
    ].join('\n');
    expect(sniff(nacha)).toBe(false);
    expect(sniff('01,SENDER,RECEIVER,240615,0800,1,,,2/\n02,R,S,1,240614,,,2/')).toBe(false);
    expect(sniff(`${header}\nHELLO`)).toBe(false);
    expect(sniff(header)).toBe(false);
    expect(sniff('')).toBe(false);
  });
});
