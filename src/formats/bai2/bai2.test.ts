/**
 * BAI2 reader behaviour, from hand-made fixtures written from the BAI2 v2 specification.
 * Control totals in the fixtures are worked out by hand in the comments next to them.
 */
import { describe, expect, it } from 'vitest';
import { CollectingSink } from '../collect.js';
import { ParseError } from '../errors.js';
import type { ParseOptions, ParseResult } from '../model.js';
import { parser } from './index.js';

async function* chunks(text: string | Buffer, size = 1 << 20): AsyncGenerator<Buffer> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(
  text: string | Buffer,
  options: Partial<ParseOptions> = {},
  size?: number,
): Promise<ParseResult> {
  const sink = new CollectingSink('bai2');
  await parser.parse(chunks(text, size), { fileName: 'test.bai', ...options }, sink);
  return sink.result;
}

async function parseError(text: string | Buffer, options: Partial<ParseOptions> = {}): Promise<ParseError> {
  try {
    await parse(text, options);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

/*
 * Account 111222333 (USD from the group): 03 amounts 150000 + 175000 + 40000 + 15000 = 380000,
 * details 25000 + 15000 + 15000 = 55000 -> 49 total 435000; records 03,16,16,88,16,49 = 6.
 * Account 444555666 (EUR): -5000 + -5000 = -10000; records 03,49 = 2.
 * 98: 435000 - 10000 = 425000, 2 accounts, 02 + 6 + 2 + 98 = 10 records. 99: 425000, 1 group, 12 records.
 */
const BASIC = [
  '01,SENDER1,RECEIVER1,240615,0800,FILE42,80,10,2/',
  '02,RECEIVER1,SENDER1,1,240614,2400,USD,2/',
  '03,111222333,,010,150000,,,015,175000,,,100,40000,2,,400,15000,1,/',
  '16,142,25000,Z,BANKREF1,INV-1001,ACH CREDIT ACME CORP/',
  '16,195,15000,V,240614,1200,WIRE77,CUSTREF2,INCOMING WIRE',
  '88,OBI:=INVOICE 123456',
  '16,475,15000,0,CHK1234,,CHECK PAID 1234/',
  '49,435000,6/',
  '03,444555666,EUR,010,-5000,,,015,-5000,,/',
  '49,-10000,2/',
  '98,425000,2,10/',
  '99,425000,1,12/',
].join('\n');

describe('bai2 reader: records and mapping', () => {
  it('reads groups, accounts, balances and details with signs from the type codes', async () => {
    const result = await parse(BASIC);
    expect(result.warnings).toEqual([]);
    expect(result.statements).toHaveLength(2);
    const [usd, eur] = result.statements;
    expect(usd).toMatchObject({
      account: '111222333',
      currency: 'USD',
      opening_balance: '1500.00',
      closing_balance: '1750.00',
      as_of_date: '2024-06-14',
      as_of_time: '2400',
      group_status: 1,
      file_id: 'FILE42',
      control_total: '4350.00',
    });
    expect(usd!.entries.map((e) => e.amount)).toEqual(['250.00', '150.00', '-150.00']);
    expect(eur).toMatchObject({
      account: '444555666',
      currency: 'EUR',
      opening_balance: '-50.00',
      closing_balance: '-50.00',
    });
    expect(eur!.entries).toEqual([]);
  });

  it('maps 16 fields into the entry', async () => {
    const [first, wire, check] = (await parse(BASIC)).statements[0]!.entries;
    expect(first).toMatchObject({
      booking_date: '2024-06-14',
      value_date: null,
      amount: '250.00',
      currency: 'USD',
      bank_transaction_code: '142',
      bank_reference: 'BANKREF1',
      customer_reference: 'INV-1001',
      type_description: 'ACH Credit Received',
      direction: 'credit',
      funds_type: 'Z',
      remittance: { references: ['INV-1001'], text: 'ACH CREDIT ACME CORP' },
    });
    expect(wire).toMatchObject({
      value_date: '2024-06-14',
      value_time: '1200',
      funds_type: 'V',
      bank_reference: 'WIRE77',
      remittance: { references: ['CUSTREF2', 'INVOICE 123456'], text: 'INCOMING WIRE OBI:=INVOICE 123456' },
      text_pieces: ['INCOMING WIRE', 'OBI:=INVOICE 123456'],
    });
    expect(check).toMatchObject({
      amount: '-150.00',
      direction: 'debit',
      customer_reference: null,
      type_description: 'Check Paid',
      remittance: { references: [], text: 'CHECK PAID 1234' },
    });
  });

  it('keeps the summaries of the 03 record', async () => {
    const usd = (await parse(BASIC)).statements[0]!;
    expect(usd.summaries).toEqual([
      {
        type_code: '010',
        description: 'Opening Ledger',
        amount: '1500.00',
        item_count: null,
        funds_type: null,
      },
      {
        type_code: '015',
        description: 'Closing Ledger',
        amount: '1750.00',
        item_count: null,
        funds_type: null,
      },
      { type_code: '100', description: 'Total Credits', amount: '400.00', item_count: 2, funds_type: null },
      { type_code: '400', description: 'Total Debits', amount: '150.00', item_count: 1, funds_type: null },
    ]);
  });

  it('gives the same result whatever the chunk size', async () => {
    const whole = await parse(BASIC);
    for (const size of [1, 3, 7, 64]) {
      expect(await parse(BASIC, {}, size)).toEqual(whole);
    }
  });

  it('joins 88 text continuations with one space and keeps the raw pieces', async () => {
    // 49: 100 + 100 (03) + 500 (16) = 700; records 03,16,88,88,49 = 5.
    const text = [
      '01,S,R,240615,0800,1,,,2/',
      '02,R,S,1,240614,,,2/',
      '03,1,,010,100,,,015,100,,/',
      '16,399,500,Z,,,PAYMENT FOR INV 1, INV 2 / DATED 13/05/24',
      '88,  AND INV 3  ',
      '88,REMI: INV 4',
      '49,700,5/',
      '98,700,1,7/',
      '99,700,1,9/',
    ].join('\n');
    const result = await parse(text);
    const entry = result.statements[0]!.entries[0]!;
    expect(entry.remittance.text).toBe('PAYMENT FOR INV 1, INV 2 / DATED 13/05/24 AND INV 3 REMI: INV 4');
    expect(entry.text_pieces).toEqual([
      'PAYMENT FOR INV 1, INV 2 / DATED 13/05/24',
      '  AND INV 3  ',
      'REMI: INV 4',
    ]);
    expect(entry.remittance.references).toEqual(['INV 4']);
  });

  it('reads an 03 summary continued on 88 records at any field boundary', async () => {
    // 03/88 summaries: 010 100, 015 -200, 190 300 (D: 100 + 200, not in the total), 400 50 (S, not in the total).
    // 49: 100 - 200 + 300 + 50 = 250; records 03,88,88,49 = 4.
    const text = [
      '01,S,R,240615,0800,1,,,2/',
      '02,R,S,1,240614,,,2/',
      '03,1,,010,100,,,015/',
      '88,-200,,,190,300,4,D,2,0,100,1,200,400/',
      '88,50,1,S,20,20,10/',
      '49,250,4/',
      '98,250,1,6/',
      '99,250,1,8/',
    ].join('\n');
    const statement = (await parse(text)).statements[0]!;
    expect(statement.opening_balance).toBe('1.00');
    expect(statement.closing_balance).toBe('-2.00');
    expect(
      (statement.summaries as { type_code: string; amount: string }[]).map((s) => [s.type_code, s.amount]),
    ).toEqual([
      ['010', '1.00'],
      ['015', '-2.00'],
      ['190', '3.00'],
      ['400', '0.50'],
    ]);
  });

  it('reads funds types S and D on details (availability amounts stay out of the control total)', async () => {
    // 49: 1000 + 2000 = 3000; records 03,16,16,49 = 4.
    const text = [
      '01,S,R,240615,0800,1,,,2/',
      '02,R,S,1,240614,,,2/',
      '03,1,/',
      '16,115,1000,S,500,300,200,LBX1,,LOCKBOX DEPOSIT/',
      '16,115,2000,D,2,0,1500,2,500,LBX2,,/',
      '49,3000,4/',
      '98,3000,1,6/',
      '99,3000,1,8/',
    ].join('\n');
    const [s, d] = (await parse(text)).statements[0]!.entries;
    expect(s).toMatchObject({
      amount: '10.00',
      bank_reference: 'LBX1',
      availability: [
        { days: 0, amount: '5.00' },
        { days: 1, amount: '3.00' },
        { days: 2, amount: '2.00' },
      ],
    });
    expect(d).toMatchObject({
      amount: '20.00',
      bank_reference: 'LBX2',
      remittance: { text: null },
      availability: [
        { days: 0, amount: '15.00' },
        { days: 2, amount: '5.00' },
      ],
    });
  });

  it('uses the implied decimals of the account currency', async () => {
    // JPY group, one KWD account. 49 JPY: 5000 + 1200 = 6200 (3 records); KWD: 1234 + 1234 (2 records).
    const text = [
      '01,S,R,240615,0800,1,,,2/',
      '02,R,S,1,240614,,JPY,2/',
      '03,1,,010,5000,,/',
      '16,142,1200,Z,,,/',
      '49,6200,3/',
      '03,2,KWD,010,1234,,/',
      '16,142,1234,Z,,,/',
      '49,2468,3/',
      '98,8668,2,8/',
      '99,8668,1,10/',
    ].join('\n');
    const [jpy, kwd] = (await parse(text)).statements;
    expect(jpy).toMatchObject({ currency: 'JPY', opening_balance: '5000' });
    expect(jpy!.entries[0]!.amount).toBe('1200');
    expect(kwd).toMatchObject({ currency: 'KWD', opening_balance: '1.234' });
    expect(kwd!.entries[0]!.amount).toBe('1.234');
  });

  it('keeps codes without a direction (custom 9xx, loans 7xx, 890 non-monetary) as written, without warning', async () => {
    // 49: 700 + 0 + 300 = 1000; records 03,16,16,16,49 = 5.
    const text = [
      '01,S,R,240615,0800,1,,,2/',
      '02,R,S,1,240614,,,2/',
      '03,1,/',
      '16,920,700,Z,,,BANK SPECIFIC/',
      '16,890,,,,,NOTE: STATEMENT MAILED/',
      '16,721,300,Z,,,LOAN INTEREST/',
      '49,1000,5/',
      '98,1000,1,7/',
      '99,1000,1,9/',
    ].join('\n');
    const result = await parse(text);
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]!.entries.map((e) => [e.amount, e.direction, e.type_description])).toEqual([
      ['7.00', 'unknown', 'Bank-defined custom code'],
      ['0.00', 'unknown', 'Contains Non-monetary Information'],
      ['3.00', 'unknown', 'Amount Applied to Interest'],
    ]);
  });

  it('extracts EREF, REMI, TRID and party tags from 88 text', async () => {
    // 49: 143500; records 03,16,88 x5,49 = 8.
    const text = [
      '01,S,R,240615,0800,1,,,2/',
      '02,R,S,1,240614,,,2/',
      '03,1,/',
      '16,195,143500,,GI22,CUST9,Incoming Wire, From: ACME',
      '88,EREF: E2E-777',
      '88,REMI: INV 555 INV 556',
      '88,TRID:RP123',
      '88,DBNM: ACME CORP',
      '88,DACT: 8348572423 DABA: 021000021',
      '49,143500,8/',
      '98,143500,1,10/',
      '99,143500,1,12/',
    ].join('\n');
    const entry = (await parse(text)).statements[0]!.entries[0]!;
    expect(entry.end_to_end_id).toBe('E2E-777');
    expect(entry.remittance.references).toEqual(['CUST9', 'E2E-777', 'INV 555 INV 556', 'RP123']);
    expect(entry.counterparty).toEqual({ name: 'ACME CORP', account: '8348572423', bank: '021000021' });
  });
});

describe('bai2 reader: physical layout and bank deviations', () => {
  it('reads several records on one line', async () => {
    const oneLine = `${BASIC.split('\n').slice(0, 4).join('/   ').replace(/\/\//g, '/')}\n${BASIC.split('\n').slice(4).join('\n')}`;
    const result = await parse(oneLine);
    expect(result.statements.map((s) => s.entries.length)).toEqual([3, 0]);
    expect(result.warnings).toEqual([]);
  });

  it('reads records padded to the physical record length without line ends', async () => {
    const padded = BASIC.split('\n')
      .map((record) => record.padEnd(80, ' '))
      .join('');
    // The 16 without "/" ends at the physical record end; its 88 continues it.
    const result = await parse(padded);
    expect(result.statements.map((s) => s.entries.map((e) => e.amount))).toEqual([
      ['250.00', '150.00', '-150.00'],
      [],
    ]);
    expect(result.statements[0]!.entries[1]!.remittance.text).toBe('INCOMING WIRE OBI:=INVOICE 123456');
  });

  it('accepts a BOM, CRLF, blank lines, trailing blanks and blanks around fields', async () => {
    const messy = `\ufeff\r\n${BASIC.split('\n')
      .map((record, i) => (i === 2 ? record.replace('010,150000', ' 010 , 150000 ') : `${record}   `))
      .join('\r\n\r\n')}\r\n`;
    const result = await parse(Buffer.from(messy, 'utf8'));
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]!.opening_balance).toBe('1500.00');
    expect(result.statements[0]!.entries).toHaveLength(3);
  });

  it('decodes UTF-8 text and keeps latin1 text', async () => {
    const utf8 = await parse(Buffer.from(BASIC.replace('ACH CREDIT ACME CORP', 'CAFÉ LUMIÈRE'), 'utf8'));
    expect(utf8.statements[0]!.entries[0]!.remittance.text).toBe('CAFÉ LUMIÈRE');
    const latin1 = await parse(Buffer.from(BASIC.replace('ACH CREDIT ACME CORP', 'MÜLLER GMBH'), 'latin1'));
    expect(latin1.statements[0]!.entries[0]!.remittance.text).toBe('MÜLLER GMBH');
  });

  it('reads CR-only line ends', async () => {
    const result = await parse(BASIC.replace(/\n/g, '\r'));
    expect(result.statements).toHaveLength(2);
  });

  it('treats ",/" as the end of the record (one extra empty field)', async () => {
    const result = await parse(BASIC.replace('015,175000,,,', '015,175000,,,,'));
    expect(result.statements[0]!.closing_balance).toBe('1750.00');
  });

  it('accepts a NatWest header time with colons, with a bank-deviation warning', async () => {
    const result = await parse(BASIC.replace('240615,0800', '240615,14:59:35'));
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation', line: 1 })]);
    expect(result.warnings[0]!.message).toContain('14:59:35');
  });

  it('accepts version 3 (BTRS) and rejects other versions', async () => {
    const btrs = await parse(BASIC.replace(',80,10,2/', ',80,10,3/'));
    expect(btrs.statements[0]!.bai_version).toBe('3');
    const error = await parseError(BASIC.replace(',80,10,2/', ',80,10,4/'));
    expect(error.code).toBe('unsupported-version');
  });

  it('accepts records without "/" and warns once', async () => {
    const result = await parse(BASIC.replace(/\/$/gm, ''));
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation', line: 1 })]);
    expect(result.statements[0]!.entries).toHaveLength(3);
  });

  it('keeps slashes inside text and references', async () => {
    const text = BASIC.replace('INV-1001,ACH CREDIT ACME CORP/', 'AB/GS/1001,ACH CREDIT 08/18/23 ACME/CORP/');
    const entry = (await parse(text)).statements[0]!.entries[0]!;
    expect(entry.customer_reference).toBe('AB/GS/1001');
    expect(entry.remittance.text).toBe('ACH CREDIT 08/18/23 ACME/CORP');
  });

  it('continues 16 text on a line without record code, with a bank-deviation warning', async () => {
    const text = BASIC.replace(
      '16,475,15000,0,CHK1234,,CHECK PAID 1234/',
      '16,475,15000,0,CHK1234,,CHECK PAID\n1234/',
    );
    const result = await parse(text);
    expect(result.statements[0]!.entries[2]!.remittance.text).toBe('CHECK PAID 1234');
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation', line: 8 })]);
  });

  it('accepts a blank account trailer total with a warning', async () => {
    const result = await parse(BASIC.replace('49,-10000,2/', '49,,2/'));
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation', line: 10 })]);
    expect(result.statements[1]!.control_total).toBeNull();
  });

  it('reads concatenated files', async () => {
    const result = await parse(`${BASIC}\n${BASIC}\n`);
    expect(result.statements).toHaveLength(4);
  });
});

describe('bai2 reader: errors', () => {
  it('rejects an unreadable amount', async () => {
    const error = await parseError(BASIC.replace('16,142,25000,', '16,142,250.00,'));
    expect(error).toMatchObject({
      code: 'bad-amount',
      location: { file: 'test.bai', line: 4, found: '250.00' },
    });
    expect(error.message).toContain('16 amount');
  });

  it('rejects an impossible date', async () => {
    const error = await parseError(BASIC.replace('1,240614,2400', '1,240631,2400'));
    expect(error).toMatchObject({ code: 'bad-date', location: { line: 2, found: '240631' } });
  });

  it('rejects a bad time, type code, funds type and currency', async () => {
    expect((await parseError(BASIC.replace('240615,0800', '240615,0870'))).code).toBe('bad-time');
    expect((await parseError(BASIC.replace('16,142,', '16,14X,'))).location.field).toBe('16 type code');
    expect((await parseError(BASIC.replace('25000,Z,', '25000,Q,'))).location.expected).toContain(
      'Z, 0, 1, 2',
    );
    expect((await parseError(BASIC.replace('444555666,EUR', '444555666,EURO'))).location.field).toContain(
      'currency',
    );
  });

  it('rejects a file truncated inside an account', async () => {
    const truncated = BASIC.split('\n').slice(0, 7).join('\n');
    const error = await parseError(truncated);
    expect(error).toMatchObject({ code: 'truncated', location: { line: 7 } });
    expect(error.location.expected).toContain('49 account trailer');
    expect((await parseError(truncated, { lenient: true })).code).toBe('truncated');
  });

  it('rejects a file without group and file trailers unless lenient', async () => {
    const truncated = BASIC.split('\n').slice(0, 10).join('\n');
    expect((await parseError(truncated)).code).toBe('truncated');
    const result = await parse(truncated, { lenient: true });
    expect(result.statements).toHaveLength(2);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'control-total' })]);
  });

  it('rejects a wrong account control total unless lenient', async () => {
    const wrong = BASIC.replace('49,435000,6/', '49,435001,6/');
    const error = await parseError(wrong);
    expect(error).toMatchObject({
      code: 'control-total',
      location: { line: 8, expected: '435000', found: '435001' },
    });
    const result = await parse(wrong, { lenient: true });
    expect(result.statements).toHaveLength(2);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'control-total', line: 8 })]);
  });

  it('rejects wrong record counts and group/file totals', async () => {
    expect((await parseError(BASIC.replace('49,435000,6/', '49,435000,7/'))).location.field).toContain(
      'number of records',
    );
    expect((await parseError(BASIC.replace('98,425000,2,10/', '98,425000,3,10/'))).location.field).toBe(
      '98 number of accounts',
    );
    expect((await parseError(BASIC.replace('99,425000,1,12/', '99,425000,1,13/'))).location.field).toBe(
      '99 number of records',
    );
    expect((await parseError(BASIC.replace('99,425000,', '99,425100,'))).location.field).toBe(
      '99 file control total',
    );
    const lenient = await parse(BASIC.replace('98,425000,2,10/', '98,1,3,11/'), { lenient: true });
    expect(lenient.warnings.map((w) => w.code)).toEqual(['control-total', 'control-total', 'control-total']);
  });

  it('rejects records out of sequence', async () => {
    const error = await parseError(BASIC.replace('03,111222333', '16,111222333'));
    expect(error).toMatchObject({ code: 'structure', location: { line: 3, found: '16' } });
    expect((await parseError(`88,TEXT\n${BASIC}`)).code).toBe('structure');
    expect((await parseError('00,0004,1/2/345,06/0321,0829,001,80,1,2/')).code).toBe('structure');
    expect((await parseError(`${BASIC}\n16,142,1,Z,,,/`)).code).toBe('structure');
  });

  it('rejects a record that keeps growing through 88 continuations', async () => {
    const endless = `${BASIC.split('\n').slice(0, 5).join('\n')}\n${'88,MORE TEXT FOR THE SAME DETAIL RECORD\n'.repeat(40_000)}`;
    expect((await parseError(endless)).code).toBe('record-too-long');
  });

  it('rejects an empty file and a file that is not BAI2', async () => {
    expect((await parseError('')).code).toBe('empty');
    expect((await parseError('\n  \n')).code).toBe('empty');
    expect((await parseError('go test fuzz v1\nstring("0")\n')).code).toBe('structure');
  });

  it('checks the total credits and debits (100, 400) against the detail records', async () => {
    // One debit of 150.00 became two of 75.00: every control total and the balance still tie.
    const split = BASIC.replace(
      '16,475,15000,0,CHK1234,,CHECK PAID 1234/',
      '16,475,7500,0,CHK1234/\n16,475,7500,0,CHK1235/',
    )
      .replace('49,435000,6/', '49,435000,7/')
      .replace('98,425000,2,10/', '98,425000,2,11/')
      .replace('99,425000,1,12/', '99,425000,1,13/');
    const result = await parse(split);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'summary-total', statement: 0, line: 9 }),
    ]);
    expect(result.warnings[0]!.message).toBe(
      'account 111222333: the 03 total debits (400) says 1 item, 150.00, but its 16 records are 2 items, 150.00',
    );
    expect((await parseError(split, { strict: true })).code).toBe('summary-total');
    // Totals unlike their details say nothing (banks detail part of a side), nor do totals alone.
    const partly = BASIC.replace('100,40000,2,,400,15000,1,', '100,30000,5,,400,25000,1,');
    expect((await parse(partly)).warnings).toEqual([]);
    const alone = BASIC.replace(
      '03,444555666,EUR,010,-5000,,,015,-5000,,/',
      '03,444555666,EUR,010,-5000,,,015,-5000,,,100,0,3,/',
    );
    expect((await parse(alone)).warnings).toEqual([]);
  });

  it('warns when balances do not tie, and rejects under strict', async () => {
    const notTying = BASIC.replace('015,175000,,,100,40000', '015,175001,,,100,39999');
    const result = await parse(notTying);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'balance-mismatch', statement: 0, line: 8 }),
    ]);
    expect(result.warnings[0]!.message).toContain('1750.01');
    expect((await parseError(notTying, { strict: true })).code).toBe('balance-mismatch');
  });
});

describe('bai2 sniff', () => {
  const sniff = (text: string) => parser.sniff(Buffer.from(text, 'latin1'));

  it('recognises a 01 file header, also after a BOM and blank lines', () => {
    expect(sniff(BASIC)).toBe(true);
    expect(sniff(`\u00ef\u00bb\u00bf\r\n${BASIC}`)).toBe(true);
    expect(sniff('01,NWBKGB2L,9876543,100215,14:59:35,2215,,,2/')).toBe(true);
  });

  it('does not claim other formats', () => {
    expect(sniff('01,Alice,Bob,hello,world')).toBe(false);
    expect(sniff('Date,Amount,Description\n01,2,3')).toBe(false);
    expect(sniff('100ABCDEFGHIJ00999999911605231800\n2ABCDEFGHIJ0099999991000000000040008000801')).toBe(
      false,
    );
    expect(sniff('101 091000019 1234567891807081504A094101Bank                   Company')).toBe(false);
    expect(sniff(':20:STARTUMSE\n:25:10020030/1234567\n')).toBe(false);
    expect(sniff('')).toBe(false);
  });
});
