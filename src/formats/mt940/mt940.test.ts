/**
 * MT940/MT942 reader, from the SWIFT MT940/MT942 field specifications and the bank dialects in
 * shared/reference/bank-formats.md. Fixtures are hand-made.
 */
import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors.js';
import { parser } from './index.js';
import { parseWith, rejectionOf, swift } from './test-helpers.js';

const parse = (input: Buffer | string, options = {}, chunk?: number) =>
  parseWith(parser, input, options, chunk);

/** One statement that ties: 1000.00 + 250.00 - 100.50 + 20.00 (RD) - 5.00 (RC) = 1164.50. */
const GERMAN = swift(
  ':20:STARTUMS',
  ':25:10020030/1234567',
  ':28C:00042/001',
  ':60F:C240115EUR1000,00',
  ':61:2401150115CR250,00NTRFKREF123//BANKREF1',
  ':86:166?00GUTSCHR. UEBERWEISUNG?109310?20EREF+E2E-0001KREF+INV-2024?21-001SVWZ+Rechnung INV-2024-0',
  '01?22 danke?30DEUTDEFFXXX?31DE89370400440532013000?32ACME GMBH?33 BERLIN',
  ':61:240116D100,50NDDTNONREF',
  ':86:105?00BASISLASTSCHRIFT?20EREF+NOTPROVIDEDMREF+M-77CRED+D?21E98ZZZ09999999999SVWZ+Strom',
  ':61:2401160116RD20,00NRTINONREF',
  ':86:Rueckbuchung Lastschrift',
  ':61:2401160116RC5,00NRTINONREF',
  ':62F:C240116EUR1164,50',
  ':64:C240116EUR1164,50',
  ':65:C240117EUR1164,50',
  ':86:Statement information',
  '-',
);

describe('mt940: statements and entries', () => {
  it('reads balances, entries, signs and the German :86: structure', async () => {
    const result = await parse(GERMAN);
    expect(result.warnings).toEqual([]);
    expect(result.statements).toHaveLength(1);
    const s = result.statements[0]!;
    expect(s).toMatchObject({
      account: '10020030/1234567',
      currency: 'EUR',
      opening_balance: '1000.00',
      closing_balance: '1164.50',
      statement_reference: 'STARTUMS',
      statement_number: '00042',
      sequence_number: '001',
      opening_date: '2024-01-15',
      closing_date: '2024-01-16',
      closing_available_balance: '1164.50',
      forward_available_balances: [{ date: '2024-01-17', amount: '1164.50' }],
      information: 'Statement information',
      message_type: '940',
    });
    expect(s.entries.map((e) => e.amount)).toEqual(['250.00', '-100.50', '20.00', '-5.00']);
    const [credit, debit, rd, rc] = s.entries;
    expect(credit).toMatchObject({
      booking_date: '2024-01-15',
      value_date: '2024-01-15',
      currency: 'EUR',
      bank_transaction_code: 'NTRF',
      bank_reference: 'BANKREF1',
      customer_reference: 'KREF123',
      funds_code: 'R',
      reversal: false,
      end_to_end_id: 'E2E-0001',
      counterparty: { name: 'ACME GMBH BERLIN', account: 'DE89370400440532013000', bank: 'DEUTDEFFXXX' },
      remittance: { references: ['E2E-0001', 'INV-2024-001'], text: 'Rechnung INV-2024-001 danke' },
      gvc: '166',
      posting_text: 'GUTSCHR. UEBERWEISUNG',
      prima_nota: '9310',
    });
    expect(debit).toMatchObject({
      booking_date: '2024-01-16',
      end_to_end_id: null,
      mandate_id: 'M-77',
      creditor_id: 'DE98ZZZ09999999999',
      remittance: { references: [], text: 'Strom' },
    });
    expect(rd).toMatchObject({
      reversal: true,
      funds_code: null,
      remittance: { text: 'Rueckbuchung Lastschrift' },
    });
    expect(rc).toMatchObject({ reversal: true, amount: '-5.00' });
  });

  it('reads the same result from 1-byte chunks', async () => {
    const whole = await parse(GERMAN);
    const bytewise = await parse(GERMAN, {}, 1);
    expect(bytewise).toEqual(whole);
  });

  it('reads the SWIFT /KEY/ dialect with parties, REMI USTD and structured references', async () => {
    const result = await parse(
      swift(
        ':20:940S240101',
        ':25:NL91ABNA0417164300',
        ':28C:1/1',
        ':60F:C240101EUR100,00',
        ':61:2401010101C50,00N541NONREF//B4A01',
        'NL69INGB0123456789',
        ':86:/EREF/E2E-77/ORDP//NAME/Customer B.V./ADDR/Street 1/REMI/USTD//INVOICE 2024-17 ',
        'AND 2024-18/IBAN/NL69INGB0123456789/BIC/INGBNL2A/CSID/NL98ZZZ0/MARF/MANDATE1/TRTP/SEPA CREDIT',
        ':61:2401010101D25,00N544NONREF',
        ':86:/TRTP/SEPA OVERBOEKING/CNTP/NL12RABO0300000001/RABONL2U/Supplier Ltd/UTRECHT//REMI/STRD/CUR/RF18539007547034/',
        ':62F:C240101EUR125,00',
      ),
    );
    expect(result.warnings).toEqual([]);
    const [first, second] = result.statements[0]!.entries;
    expect(first).toMatchObject({
      end_to_end_id: 'E2E-77',
      counterparty: { name: 'Customer B.V.', account: 'NL69INGB0123456789', bank: 'INGBNL2A' },
      remittance: { references: ['E2E-77'], text: 'INVOICE 2024-17 AND 2024-18' },
      creditor_id: 'NL98ZZZ0',
      mandate_id: 'MANDATE1',
      transaction_type: 'SEPA CREDIT',
      supplementary_details: 'NL69INGB0123456789',
    });
    expect(second).toMatchObject({
      counterparty: { name: 'Supplier Ltd', account: 'NL12RABO0300000001', bank: 'RABONL2U' },
      remittance: { references: ['RF18539007547034'], text: null },
    });
  });

  it('joins plain :86: lines with spaces, but not after a full 65-character line', async () => {
    const full = `${'A'.repeat(60)}BROKE`;
    const result = await parse(
      swift(
        ':20:REF',
        ':25:123456789',
        ':60F:C240101EUR0,',
        ':61:240101C1,NMSCNONREF',
        ':86:PAYMENT FROM JOHN',
        'INVOICE 42',
        full,
        'N WORD',
        ':86:SECOND FIELD',
        ':62F:C240101EUR1,',
      ),
    );
    expect(result.statements[0]!.entries[0]!.remittance.text).toBe(
      `PAYMENT FROM JOHN INVOICE 42 ${full}N WORD SECOND FIELD`,
    );
  });

  it('places an entry date in the year nearest to the value date', async () => {
    const result = await parse(
      swift(
        ':20:ROLL',
        ':25:ACC',
        ':60F:C231231EUR0,00',
        ':61:2312310102C1,00NTRFNONREF',
        ':61:2401021231C1,00NTRFNONREF',
        ':61:240105    C1,00NTRFNONREF',
        ':62F:C240105EUR3,00',
      ),
    );
    const dates = result.statements[0]!.entries.map((e) => [e.value_date, e.booking_date]);
    expect(dates).toEqual([
      ['2023-12-31', '2024-01-02'],
      ['2024-01-02', '2023-12-31'],
      ['2024-01-05', '2024-01-05'],
    ]);
  });

  it('tells funds codes from reversal marks', async () => {
    const result = await parse(
      swift(
        ':20:MARKS',
        ':25:ACC',
        ':60F:C240101EUR100,00',
        ':61:240101CR1,00NTRFNONREF',
        ':61:240101DR2,00NTRFNONREF',
        ':61:240101RCR3,00NTRFNONREF',
        ':61:240101RD4,00NTRFNONREF',
        ':61:240101CD5,00NTRFNONREF',
        ':62F:C240101EUR105,00',
      ),
    );
    const entries = result.statements[0]!.entries;
    expect(entries.map((e) => [e.amount, e.reversal, e.funds_code])).toEqual([
      ['1.00', false, 'R'],
      ['-2.00', false, 'R'],
      ['-3.00', true, 'R'],
      ['4.00', true, null],
      ['5.00', false, 'D'],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('reads a :61: whose amount the bank wrapped onto the next line', async () => {
    const result = await parse(
      swift(
        ':20:W',
        ':25:ACC',
        ':60F:C240101EUR0,00',
        ':61:2401010101CR',
        '30,00N062NONREF',
        ':62F:C240101EUR30,00',
      ),
    );
    expect(result.statements[0]!.entries[0]).toMatchObject({
      amount: '30.00',
      funds_code: 'R',
      bank_transaction_code: 'N062',
    });
  });

  it('keeps a wrapped ":12:11" timestamp in the :86: text (not a tag)', async () => {
    const result = await parse(
      swift(
        ':20:T',
        ':25:ACC',
        ':60F:C240101EUR10,00',
        ':61:240101D6,00N024NONREF',
        ':86:805?00ENTGELT?20Pauschalen?602017-01-01T13',
        ':12:11',
        ':62F:C240101EUR4,00',
      ),
    );
    expect(result.statements[0]!.entries[0]!.remittance.text).toBe('Pauschalen2017-01-01T13:12:11');
  });

  it('uses the currency exponent and keeps amounts exact beyond 2^53 minor units', async () => {
    const result = await parse(
      swift(
        ':20:BIG',
        ':25:ACC',
        ':60F:C240101JPY0,',
        ':61:240101C9000000000000000,NTRFNONREF',
        ':61:240101C9000000000000001,NTRFNONREF',
        ':62F:C240101JPY18000000000000001,',
      ),
    );
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]!.entries.map((e) => e.amount)).toEqual([
      '9000000000000000',
      '9000000000000001',
    ]);
  });
});

describe('mt940: envelopes, headers and several messages', () => {
  it('skips SWIFT envelopes, bank header lines, SOH/ETX and separators', async () => {
    const text = [
      '\x01',
      '0000 01INGBNL2AXXXX00001',
      '940 00',
      ':940:',
      '{1:F01ABNANL2AXXXX0000000000}{2:O940ABNANL2AXXXXN}{3:}{4:',
      ':20:ONE',
      ':25:NL91ABNA0417164300',
      ':60F:C240101EUR10,00',
      ':61:240101C5,00NTRFNONREF',
      ':62F:C240101EUR15,00{1:F01ABNANL2AXXXX0000000000}{2:O940ABNANL2AXXXXN}{4:',
      ':20:TWO',
      ':25:NL91ABNA0417164300',
      ':60F:C240102EUR15,00',
      ':62F:C240102EUR15,00',
      '-}{5:{CHK:123456789ABC}}',
      'ABNANL2A',
      '940',
      ':20:THREE',
      ':25:NL91ABNA0417164300',
      ':60F:C240103EUR15,00',
      ':62F:C240103EUR15,00',
      '$',
      ':20:FOUR',
      ':25:NL91ABNA0417164300',
      ':60F:C240103EUR15,00',
      ':62F:C240103EUR15,00',
      '-\x03',
    ].join('\r\n');
    const result = await parse(Buffer.from(text, 'latin1'));
    expect(result.warnings).toEqual([]);
    expect(result.statements.map((s) => s.statement_reference)).toEqual(['ONE', 'TWO', 'THREE', 'FOUR']);
    expect(result.statements[0]!.entries).toHaveLength(1);
  });

  it('reads :60M:/:62M: pages as one statement each and checks that they chain', async () => {
    const pages = (secondOpening: string) =>
      swift(
        ':20:P1',
        ':25:ACC',
        ':28C:1/1',
        ':60F:C240101EUR10,00',
        ':61:240101C5,00NTRFNONREF',
        ':62M:C240101EUR15,00',
        '-',
        ':20:P2',
        ':25:ACC',
        ':28C:1/2',
        `:60M:C240101EUR${secondOpening}`,
        ':61:240101D1,00NTRFNONREF',
        `:62F:C240101EUR${secondOpening === '15,00' ? '14,00' : '13,00'}`,
        '-',
      );
    const chained = await parse(pages('15,00'));
    expect(chained.warnings).toEqual([]);
    expect(chained.statements.map((s) => [s.opening_balance_type, s.closing_balance_type])).toEqual([
      ['final', 'intermediate'],
      ['intermediate', 'final'],
    ]);
    const broken = await parse(pages('14,00'));
    expect(broken.warnings).toEqual([expect.objectContaining({ code: 'balance-mismatch', statement: 1 })]);
    await expect(parse(pages('14,00'), { strict: true })).rejects.toMatchObject({ code: 'balance-mismatch' });
  });

  it('reads balances without currency (FinTS) with the opening currency and ignores :NS: fields', async () => {
    const result = await parse(
      swift(
        ':20:STARTUMS',
        ':25:1222333444',
        ':28:1/1',
        ':NS:22Test GmbH',
        '23Testkonto',
        ':60F:C020315DEM0,00',
        ':61:0203170320CM5000,00S05168790452',
        ':NS:01Verwendungszweck',
        ':62M:C020315105000,00',
      ),
    );
    expect(result.statements[0]).toMatchObject({ currency: 'DEM', closing_balance: '105000.00' });
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'balance-mismatch' }), // 0 + 5000 != 105000, as in the FinTS sample
    ]);
  });
});

describe('mt940: MT942 interim reports', () => {
  const mt942 = (debitTotal: string) =>
    swift(
      '{1:F01BANKDEFFXXXX0000000000}{2:O942BANKDEFFXXXXN}{4:',
      ':20:INTRADAY',
      ':25:DE89370400440532013000',
      ':28C:5/1',
      ':34F:EURD0,',
      ':34F:EURC0,',
      ':13D:2401151230+0100',
      ':61:2401150115D10,00NTRFNONREF',
      ':61:2401150115D2,50NCHGNONREF',
      ':61:2401150115C7,00NTRFNONREF',
      `:90D:${debitTotal}`,
      ':90C:1EUR7,00',
      '-}',
    );

  it('has no balances and checks :90D:/:90C: against the entries', async () => {
    const result = await parse(mt942('2EUR12,50'));
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]).toMatchObject({
      message_type: '942',
      opening_balance: null,
      closing_balance: null,
      currency: 'EUR',
      report_datetime: '2401151230+0100',
      debit_total: { count: 2, amount: '12.50' },
      credit_total: { count: 1, amount: '7.00' },
    });
  });

  it('rejects control totals that disagree, or warns with lenient', async () => {
    const error = await rejectionOf(parse(mt942('2EUR12,60')));
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toMatchObject({ code: 'control-total' });
    expect(error.message).toContain('test.sta');
    expect(error.message).toContain(':90D:');
    const lenient = await parse(mt942('3EUR12,50'), { lenient: true });
    expect(lenient.warnings).toEqual([expect.objectContaining({ code: 'control-total', statement: 0 })]);
    expect(lenient.statements[0]!.entries).toHaveLength(3);
  });
});

describe('mt940: balance continuity', () => {
  const untied = swift(
    ':20:X',
    ':25:ACC',
    ':60F:C240101EUR10,00',
    ':61:240101C5,00NTRFNONREF',
    ':62F:C240101EUR16,00',
  );

  it('warns when opening + entries != closing, and rejects under strict', async () => {
    const result = await parse(untied);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'balance-mismatch', statement: 0, line: 1 }),
    ]);
    expect(result.warnings[0]!.message).toContain('16.00');
    const error = await rejectionOf(parse(untied, { strict: true }));
    expect(error).toMatchObject({ code: 'balance-mismatch' });
  });

  it('reads a debit opening balance as negative', async () => {
    const result = await parse(
      swift(':20:X', ':25:ACC', ':60F:D240101EUR10,00', ':61:240101C15,00NTRFNONREF', ':62F:C240101EUR5,00'),
    );
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]).toMatchObject({ opening_balance: '-10.00', closing_balance: '5.00' });
  });

  it('warns about a missing closing balance (an error under strict)', async () => {
    const noClosing = swift(':20:X', ':25:ACC', ':60F:C240101EUR10,00', ':61:240101C5,00NTRFNONREF');
    const result = await parse(noClosing);
    expect(result.statements[0]!.closing_balance).toBeNull();
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'missing-closing-balance' })]);
    await expect(parse(noClosing, { strict: true })).rejects.toMatchObject({ code: 'missing-field' });
  });
});

describe('mt940: tolerated bank deviations', () => {
  it('reads an amount without decimal comma, once warned', async () => {
    const result = await parse(
      swift(
        ':20:X',
        ':25:ACC',
        ':60F:C240101EUR0,',
        ':61:240101C500NTRFNONREF',
        ':61:240101C5NTRFNONREF',
        ':62F:C240101EUR505,',
      ),
    );
    expect(result.statements[0]!.entries.map((e) => e.amount)).toEqual(['500.00', '5.00']);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation', line: 4 })]);
  });

  it('clamps 30 February (a month-end booking convention) with a warning', async () => {
    const result = await parse(
      swift(
        ':20:X',
        ':25:ACC',
        ':60F:C160229EUR1200,00',
        ':61:1602300301DR6,00N024NONREF',
        ':62F:C160301EUR1194,00',
      ),
    );
    expect(result.statements[0]!.entries[0]).toMatchObject({
      value_date: '2016-02-29',
      booking_date: '2016-03-01',
    });
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation' })]);
  });

  it('keeps a :61: after the "-" that ended its message in that message, with a warning', async () => {
    const result = await parse(
      swift(
        ':20:X',
        ':25:ACC',
        ':60F:C240101EUR0,00',
        ':62F:C240101EUR0,00',
        '-',
        ':61:240101C1,00NMSCNONREF',
      ),
    );
    expect(result.statements[0]!.entries).toHaveLength(1);
    expect(result.warnings.map((w) => w.code)).toEqual(['bank-deviation', 'balance-mismatch']);
  });
});

describe('mt940: character sets', () => {
  it('decodes UTF-8 and, where bytes are not UTF-8, Windows-1252', async () => {
    const head = ':20:X\r\n:25:ACC\r\n:60F:C240101EUR0,00\r\n:61:240101C1,00NMSCNONREF\r\n:86:';
    const tail = '\r\n:62F:C240101EUR1,00\r\n';
    const utf8 = await parse(
      Buffer.concat([Buffer.from(head), Buffer.from('Müller €', 'utf8'), Buffer.from(tail)]),
    );
    const cp1252 = await parse(
      Buffer.concat([
        Buffer.from(head),
        Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x20, 0x80]),
        Buffer.from(tail),
      ]),
    );
    expect(utf8.statements[0]!.entries[0]!.remittance.text).toBe('Müller €');
    expect(cp1252.statements[0]!.entries[0]!.remittance.text).toBe('Müller €');
  });
});

describe('mt940: long lines', () => {
  it('reads a very long :86: line arriving in tiny chunks (linear, not rescanned per chunk)', async () => {
    const long = 'X'.repeat(300_000);
    const result = await parse(
      swift(
        ':20:X',
        ':25:ACC',
        ':60F:C240101EUR0,00',
        ':61:240101C1,00NMSCNONREF',
        `:86:${long}`,
        ':62F:C240101EUR1,00',
      ),
      {},
      7,
    );
    expect(result.statements[0]!.entries[0]!.remittance.text).toHaveLength(300_000);
  });
});

describe('mt940: rejected files', () => {
  const base = [':20:X', ':25:ACC', ':28C:1/1', ':60F:C240101EUR10,00'];

  it.each([
    [
      'an unreadable amount',
      [...base, ':61:240101CABCNTRFNONREF', ':62F:C240101EUR10,00'],
      'bad-amount',
      5,
      ':61:',
    ],
    [
      'an impossible month',
      [...base, ':61:241301C1,00NTRFNONREF', ':62F:C240101EUR10,00'],
      'bad-date',
      5,
      ':61:',
    ],
    [
      'an impossible entry date',
      [...base, ':61:2401011345C1,00NTRFNONREF', ':62F:C240101EUR10,00'],
      'bad-date',
      5,
      ':61:',
    ],
    [
      'an unknown mark',
      [...base, ':61:240101X1,00NTRFNONREF', ':62F:C240101EUR10,00'],
      'bad-field',
      5,
      ':61:',
    ],
    [
      'a missing transaction type',
      [...base, ':61:240101C1,00', ':62F:C240101EUR10,00'],
      'bad-field',
      5,
      ':61:',
    ],
    ['an unreadable balance', [...base.slice(0, 3), ':60F:C2401EUR10,00'], 'bad-date', 4, ':60F:'],
    ['a balance amount with two commas', [...base, ':62F:C240101EUR10,00,0'], 'bad-amount', 5, ':62F:'],
    ['a second account identification', [...base.slice(0, 2), ':25:OTHER'], 'structure', 3, ':25:'],
    ['a field before the account', [':20:X', ':28C:1/1', ':25:ACC'], 'structure', 2, ':28C:'],
    [
      'a statement line before the opening balance',
      [':20:X', ':25:ACC', ':61:240101C1,00NTRFNONREF'],
      'structure',
      3,
      ':61:',
    ],
    ['a field before :20:', [':60F:C240101EUR10,00'], 'structure', 1, ':60F:'],
    ['a message without opening balance', [':20:X', ':25:ACC'], 'missing-field', 1, ':60F:'],
    ['a message without account', [':20:X'], 'missing-field', 1, ':25:'],
  ])('rejects %s', async (_what, lines, code, line, field) => {
    const error = await rejectionOf(parse(swift(...lines)));
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toMatchObject({
      code,
      location: expect.objectContaining({ file: 'test.sta', line, field }),
    });
    expect(error.message).toContain('test.sta');
  });

  it('rejects an empty file and a file without any message', async () => {
    await expect(parse(Buffer.alloc(0))).rejects.toMatchObject({ code: 'empty' });
    await expect(parse('1\n2\n3\n')).rejects.toMatchObject({ code: 'structure' });
  });

  it('rejects a binary file with no line ends', async () => {
    const error = await rejectionOf(parse(Buffer.alloc(3 << 20, 0x41)));
    expect(error).toBeInstanceOf(ParseError);
  });
});

describe('mt940: sniffing', () => {
  it('recognises MT940 and MT942, with or without envelope', () => {
    expect(parser.sniff(GERMAN)).toBe(true);
    expect(
      parser.sniff(Buffer.from('{1:F01BANKDEFFXXXX0000000000}{2:O942BANKDEFFXXXXN}{4:\r\n:20:X\r\n')),
    ).toBe(true);
    expect(parser.sniff(swift(':20:X', ':25:ACC', ':28C:1', ':34F:EUR0,'))).toBe(true);
  });

  it('does not claim other formats', () => {
    expect(
      parser.sniff(
        Buffer.from('01,SENDR1,RECVR1,240307,0800,1,,,2/\n02,RECVR1,SENDR1,1,240306,2400,USD,2/\n'),
      ),
    ).toBe(false);
    expect(parser.sniff(Buffer.from('OFXHEADER:100\nDATA:OFXSGML\n<OFX><SIGNONMSGSRSV1>'))).toBe(false);
    expect(parser.sniff(Buffer.from('<?xml version="1.0"?><Document><BkToCstmrStmt>'))).toBe(false);
    expect(parser.sniff(Buffer.from('Date,Amount,Description\n2024-01-01,12.00,":20: not a tag"\n'))).toBe(
      false,
    );
    expect(parser.sniff(swift(':20:X', ':25:ACC'))).toBe(false);
  });
});
