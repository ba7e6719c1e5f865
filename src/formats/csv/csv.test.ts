import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors.js';
import { parser } from './index.js';
import { amounts, parseBytes, parseText } from './test-helpers.js';

/** A German online-banking export: preamble, `;`, DD.MM.YYYY, decimal comma, running balance. */
const GERMAN = [
  'Kontoinhaber;Acme GmbH',
  'Konto;DE89 3704 0044 0532 0130 00',
  'Zeitraum;01.03.2024 - 31.03.2024',
  '',
  'Buchungstag;Valuta;Auftraggeber/Empfänger;IBAN;Verwendungszweck;Kundenreferenz (End-to-End);Betrag;Währung;Saldo',
  '01.03.2024;01.03.2024;Müller & Söhne KG;DE02120300000000202051;RE-4711 Zahlung;E2E-1;1.234,56;EUR;11.234,56',
  '04.03.2024;05.03.2024;Stadtwerke;DE02500105170137075030;"Abschlag; März";;-89,90;EUR;11.144,66',
  '15.03.2024;15.03.2024;Globex B.V.;NL91ABNA0417164300;RE-4712;E2E-3;2.000,00;EUR;13.144,66',
  '',
].join('\r\n');

async function rejection(promise: Promise<unknown>): Promise<ParseError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError');
}

describe('csv reader: a German export with preamble', () => {
  it('reads statement, entries, balances and account', async () => {
    const result = await parseText(GERMAN);
    expect(result.warnings).toEqual([]);
    expect(result.statements).toHaveLength(1);
    const [statement] = result.statements;
    expect(statement).toMatchObject({
      account: 'DE89 3704 0044 0532 0130 00',
      currency: 'EUR',
      opening_balance: '10000.00',
      closing_balance: '13144.66',
    });
    expect(statement!.entries[0]).toMatchObject({
      booking_date: '2024-03-01',
      value_date: '2024-03-01',
      amount: '1234.56',
      currency: 'EUR',
      end_to_end_id: 'E2E-1',
      counterparty: { name: 'Müller & Söhne KG', account: 'DE02120300000000202051', bank: null },
      remittance: { references: [], text: 'RE-4711 Zahlung' },
    });
    expect(statement!.entries[1]).toMatchObject({
      value_date: '2024-03-05',
      amount: '-89.90',
      remittance: { text: 'Abschlag; März' },
    });
  });

  it('gives the same result for any chunk size, UTF-8 BOM and Windows-1252', async () => {
    const whole = await parseText(GERMAN);
    for (const chunkSize of [1, 7, 64]) expect(await parseText(GERMAN, { chunkSize })).toEqual(whole);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GERMAN, 'utf8')]);
    expect(await parseBytes(bom, { chunkSize: 5 })).toEqual(whole);
    expect(await parseBytes(iconv.encode(GERMAN, 'windows-1252'), { chunkSize: 3 })).toEqual(whole);
    expect(await parseBytes(iconv.encode(GERMAN, 'utf-16le', { addBOM: true }), { chunkSize: 9 })).toEqual(
      whole,
    );
  });

  it('warns when the balances do not tie, and fails under strict', async () => {
    const broken = GERMAN.replace(/13\.144,66\r\n$/, '13.144,67\r\n');
    const result = await parseText(broken);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'balance-mismatch', statement: 0 })]);
    const error = await rejection(parseText(broken, { strict: true }));
    expect(error.code).toBe('balance-mismatch');
  });

  it('reports an unreadable amount with file, line, column, expected format and value', async () => {
    const error = await rejection(parseText(GERMAN.replace('-89,90', '-89,9O')));
    expect(error.code).toBe('amount');
    expect(error.location).toMatchObject({ file: 'test.csv', line: 7, field: 'Betrag', found: '-89,9O' });
    expect(error.location.expected).toMatch(/1\.234,56/);
  });

  it('reports an unreadable date', async () => {
    const error = await rejection(
      parseText(GERMAN.replace('15.03.2024;15.03.2024', '15.03.2024;31.02.2024')),
    );
    expect(error.code).toBe('date');
    expect(error.location).toMatchObject({ line: 8, field: 'Valuta', found: '31.02.2024' });
    const missing = await rejection(parseText(GERMAN.replace('04.03.2024;05.03.2024', ';05.03.2024')));
    expect(missing.location).toMatchObject({ line: 7, field: 'Buchungstag', found: '' });
  });

  it('reports an unreadable running balance where it is read (first rows, last row)', async () => {
    const error = await rejection(parseText(GERMAN.replace(/13\.144,66\r\n$/, '13.144,6X\r\n')));
    expect(error.code).toBe('amount');
    expect(error.location).toMatchObject({ line: 8, field: 'Saldo', found: '13.144,6X' });
  });

  it('rejects an unterminated quote as malformed', async () => {
    const error = await rejection(parseText(GERMAN.replace('"Abschlag; März"', '"Abschlag; März')));
    expect(error.code).toBe('csv-syntax');
  });
});

describe('csv reader: column conventions', () => {
  it('reads Debit/Credit columns (debits negative) with US dates', async () => {
    const text =
      'Date,Description,Debit,Credit,Balance\n01/13/2024,Coffee,4.50,,995.50\n01/14/2024,Salary,,"1,000.00","1,995.50"\n';
    const result = await parseText(text);
    expect(amounts(result)).toEqual(['-4.50', '1000.00']);
    expect(result.statements[0]).toMatchObject({ opening_balance: '1000.00', closing_balance: '1995.50' });
    expect(result.statements[0]!.entries[0]!.booking_date).toBe('2024-01-13');
  });

  it('accepts 0.00 in the unused debit/credit column, rejects two amounts and none', async () => {
    const head = 'Date;Debit;Credit\n';
    expect(amounts(await parseText(`${head}2024-01-02;0,00;5,00\n2024-01-03;5,00;0,00\n`))).toEqual([
      '5.00',
      '-5.00',
    ]);
    expect((await rejection(parseText(`${head}2024-01-02;1,00;5,00\n`))).code).toBe('amount');
    expect((await rejection(parseText(`${head}2024-01-02;;\n`))).location.line).toBe(2);
  });

  it('applies D/C, Af/Bij and S/H indicator columns', async () => {
    const dc = 'Date;Amount;D/C\n2024-01-02;10,00;D\n2024-01-03;2,50;C\n';
    expect(amounts(await parseText(dc))).toEqual(['-10.00', '2.50']);
    const ing =
      '"Datum","Naam / Omschrijving","Af Bij","Bedrag (EUR)"\n"20240102","Shop","Af","1,50"\n"20240103","Boss","Bij","100,00"\n';
    const result = await parseText(ing);
    expect(amounts(result)).toEqual(['-1.50', '100.00']);
    expect(result.statements[0]!.currency).toBe('EUR');
    expect(result.statements[0]!.entries[0]!.counterparty.name).toBe('Shop');
    const sh = 'Buchungstag;Umsatz;Soll/Haben\n02.01.2024;10,00;S\n03.01.2024;20,00;H\n';
    expect(amounts(await parseText(sh))).toEqual(['-10.00', '20.00']);
  });

  it('rejects an unknown indicator value', async () => {
    const error = await rejection(parseText('Date;Amount;D/C\n2024-01-02;10,00;X\n'));
    expect(error.code).toBe('indicator');
    expect(error.location).toMatchObject({ line: 2, field: 'D/C', found: 'X' });
  });

  it('uses a "Type" column as indicator only when its first value is one', async () => {
    const mint = 'Date,Amount,Transaction Type\n8/10/2016,2.45,debit\n11/27/2013,66.88,credit\n';
    expect(amounts(await parseText(mint))).toEqual(['-2.45', '66.88']);
    const schwab = 'Date,Type,Amount\n2024-01-02,ATM,-5.00\n2024-01-03,debit,7.00\n';
    const result = await parseText(schwab);
    expect(amounts(result)).toEqual(['-5.00', '7.00']);
    expect(result.statements[0]!.entries[0]!.bank_transaction_code).toBe('ATM');
  });

  it('starts a statement per run of rows of one account', async () => {
    const text =
      'Date,Amount,Account Name\n2024-01-01,1.00,Card\n2024-01-02,2.00,Card\n2024-01-02,3.00,Checking\n';
    const result = await parseText(text);
    expect(result.statements.map((s) => [s.account, s.entries.length])).toEqual([
      ['Card', 2],
      ['Checking', 1],
    ]);
  });

  it('derives balances from newest-first exports', async () => {
    const text =
      'Date,Amount,Balance\n2024-01-03,3.00,106.00\n2024-01-02,2.00,103.00\n2024-01-01,1.00,101.00\n';
    const result = await parseText(text);
    expect(result.statements[0]).toMatchObject({ opening_balance: '100.00', closing_balance: '106.00' });
    expect(result.warnings).toEqual([]);
  });

  it('joins description and memo, reads references and check numbers', async () => {
    const text =
      'Date,Amount,Description,Memo,Reference,Check #\n2024-01-02,5.00,Deposit,INV-1 INV-2,TX99,1001\n';
    const entry = (await parseText(text)).statements[0]!.entries[0]!;
    expect(entry).toMatchObject({
      bank_reference: 'TX99',
      check_number: '1001',
      remittance: { text: 'Deposit INV-1 INV-2' },
    });
  });

  it('reads venmo-style signed amounts with currency symbols', async () => {
    const text =
      '" ID","Datetime","Note","Amount (total)","Amount (fee)"\n"1","2017-04-25T03:15:53","Rent","+ $1,150.00",""\n"2",2017-04-26T00:00:00,"Tea","- $3.00","0.5"\n';
    const result = await parseText(text);
    expect(amounts(result)).toEqual(['1150.00', '-3.00']);
    expect(result.statements[0]!.entries.map((e) => e.bank_reference)).toEqual(['1', '2']);
  });

  it('reads tab- and pipe-separated files', async () => {
    expect(amounts(await parseText('Date\tAmount\n2024-01-02\t-1.00\n2024-01-03\t2.00\n'))).toEqual([
      '-1.00',
      '2.00',
    ]);
    expect(amounts(await parseText('Date|Amount\n2024-01-02|-1.00\n2024-01-03|2.00\n'))).toEqual([
      '-1.00',
      '2.00',
    ]);
  });
});

describe('csv reader: deciding formats for the whole file', () => {
  it('waits for a day > 12 to decide the order of earlier dates', async () => {
    const text = 'Date,Amount\n01/02/2024,1.00\n03/02/2024,2.00\n13/02/2024,3.00\n';
    const result = await parseText(text);
    expect(result.statements[0]!.entries.map((e) => e.booking_date)).toEqual([
      '2024-02-01',
      '2024-02-03',
      '2024-02-13',
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('falls back with a warning when no date decides, and errors when a later date contradicts', async () => {
    const sorted = await parseText('Date,Amount\n01/02/2024,1.00\n03/02/2024,2.00\n02/03/2024,3.00\n');
    expect(sorted.statements[0]!.entries.map((e) => e.booking_date)).toEqual([
      '2024-02-01',
      '2024-02-03',
      '2024-03-02',
    ]);
    expect(sorted.warnings).toEqual([expect.objectContaining({ code: 'ambiguous-format' })]);
    const error = await rejection(parseText('Date,Amount\n13/02/2024,1.00\n02/13/2024,2.00\n'));
    expect(error.code).toBe('date');
    expect(error.message).toMatch(/day\/month order/);
  });

  it('waits for an amount that shows the decimal separator', async () => {
    const text = 'Date;Amount\n2024-01-02;1.234\n2024-01-03;1.234,50\n';
    expect(amounts(await parseText(text))).toEqual(['1234', '1234.50']);
    const us = 'Date,Amount\n2024-01-02,"1,234"\n2024-01-03,5.25\n';
    expect(amounts(await parseText(us))).toEqual(['1234', '5.25']);
  });

  it('falls back for the decimal separator with a warning', async () => {
    const result = await parseText('Date;Amount\n2024-01-02;1.234\n');
    expect(amounts(result)).toEqual(['1234']);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'ambiguous-format' })]);
  });
});

describe('csv reader: preambles, notices and footers', () => {
  it('skips notice lines and reads footer balances', async () => {
    const text = [
      'Transactions for account 123 as of 12/23/2020',
      '"Date","Description","Amount"',
      '"Posted Transactions"',
      '"2024-01-02","A","1.00"',
      '"2024-01-03","B","2.00"',
      'Closing balance,,103.00',
      '',
    ].join('\n');
    const result = await parseText(text);
    expect(amounts(result)).toEqual(['1.00', '2.00']);
    expect(result.statements[0]!.closing_balance).toBe('103.00');
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation', line: 3 })]);
  });

  it('reads opening and closing balances labeled in the preamble', async () => {
    const text =
      'Account: 12345678\nOpening balance;1.000,00\nClosing balance;1.001,50\nDatum;Betrag\n02.01.2024;1,50\n';
    const result = await parseText(text);
    expect(result.statements[0]).toMatchObject({
      account: '12345678',
      opening_balance: '1000.00',
      closing_balance: '1001.50',
    });
    expect(result.warnings).toEqual([]);
  });

  it('appends continuation rows to the previous entry', async () => {
    const text = 'Date;Text;Amount\n2024-01-02;Payment INV-1;5,00\n;and INV-2;\n2024-01-03;Fee;-1,00\n';
    const result = await parseText(text);
    expect(result.statements[0]!.entries.map((e) => e.remittance.text)).toEqual([
      'Payment INV-1 and INV-2',
      'Fee',
    ]);
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation' })]);
  });

  it('reads a balance-history export as one statement without entries', async () => {
    const text =
      '"Start Date","End Date","Start Balance","End Balance"\n"2017-01-05","2017-04-04","$10.00","$0.00"\n"2017-04-05","2017-07-03","$0.00","$15.25"\n';
    const result = await parseText(text);
    expect(result.statements).toEqual([
      expect.objectContaining({ opening_balance: '10.00', closing_balance: '15.25', entries: [] }),
    ]);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'no-transactions' }),
      expect.objectContaining({ code: 'balance-mismatch' }),
    ]);
  });

  it('says which columns it found and which it needs', async () => {
    const error = await rejection(parseText('Foo;Bar;Betrag\n1;2;3\n'));
    expect(error.code).toBe('columns');
    expect(error.message).toMatch(/columns found \(line 1\): Foo \| Bar \| Betrag/);
    expect(error.message).toMatch(/recognized: Betrag=amount/);
    expect(error.message).toMatch(/needed: a date column/);
    expect((await rejection(parseText(''))).code).toBe('empty');
  });
});

describe('csv reader: mappings', () => {
  it('reads a file without header by column index', async () => {
    const mapping = {
      hasHeader: false,
      columns: { date: 0, amount: 2, description: 1 },
      dateFormat: 'DD/MM/YY',
      decimalSeparator: ',',
      account: 'FR7630006000011234567890189',
      currency: 'EUR',
    };
    const result = await parseText('05/03/24;Loyer;-800,00\n06/03/24;Virement;1 200,00\n', { mapping });
    expect(amounts(result)).toEqual(['-800.00', '1200.00']);
    expect(result.statements[0]).toMatchObject({ account: 'FR7630006000011234567890189', currency: 'EUR' });
    expect(result.statements[0]!.entries[0]).toMatchObject({
      booking_date: '2024-03-05',
      remittance: { text: 'Loyer' },
    });
  });

  it('skips preamble rows, names columns, inverts signs and reads indicator values', async () => {
    const mapping = {
      skipRows: 2,
      columns: { date: 'Posted', amount: 'Value', indicator: 'Dir' },
      indicatorValues: { debit: ['OUT'], credit: ['IN'] },
      invertSign: true,
      dateFormat: 'MM/DD/YYYY',
    };
    const text = 'Bank of Somewhere\nStatement\nPosted,Value,Dir\n03/05/2024,10.00,OUT\n03/06/2024,4.00,IN\n';
    expect(amounts(await parseText(text, { mapping }))).toEqual(['10.00', '-4.00']);
    const error = await rejection(parseText(text.replace('Posted,', 'Date,'), { mapping }));
    expect(error.code).toBe('columns');
    expect(error.message).toMatch(/mapped columns not in the header: Posted/);
  });

  it('loads a built-in mapping by name and rejects invalid inline mappings', async () => {
    const text = 'Date,Description,Debit,Credit\n03/05/2024,Rent,"1,000.00",\n';
    expect(amounts(await parseText(text, { mapping: 'us-debit-credit' }))).toEqual(['-1000.00']);
    const error = await rejection(parseText(text, { mapping: { delimiter: ';;' } }));
    expect(error.code).toBe('mapping');
    expect(error.message).toMatch(/delimiter: expected one character/);
    expect((await rejection(parseText(text, { mapping: 'no-such-bank' }))).code).toBe('mapping');
  });

  it('reads the date with the mapping format and rejects others', async () => {
    const mapping = { dateFormat: 'DD.MM.YYYY' };
    const error = await rejection(parseText('Datum;Betrag\n2024-03-05;1,00\n', { mapping }));
    expect(error.location).toMatchObject({
      field: 'Datum',
      expected: 'a date as DD.MM.YYYY',
      found: '2024-03-05',
    });
  });
});

describe('sniff', () => {
  const sniff = (text: string) => parser.sniff(Buffer.from(text, 'utf8'));

  it('claims delimited tables', () => {
    expect(sniff(GERMAN)).toBe(true);
    expect(sniff('Date,Amount\n2024-01-02,1.00\n2024-01-03,2.00\n')).toBe(true);
    expect(sniff('a\tb\tc\n1\t2\t3\n4\t5\t6\n')).toBe(true);
    expect(
      parser.sniff(
        iconv.encode('Date;Amount\n2024-01-02;1,00\n2024-01-03;2,00\n', 'utf-16le', { addBOM: true }),
      ),
    ).toBe(true);
  });

  it('does not claim XML, JSON, binary, prose or other zips', () => {
    expect(sniff('<?xml version="1.0"?>\n<Document a="1,2"/>\n')).toBe(false);
    expect(sniff('{"a": 1, "b": 2}\n')).toBe(false);
    expect(parser.sniff(Buffer.from([0, 1, 2, 3, 4, 5, 44, 10, 44, 10]))).toBe(false);
    expect(sniff('Hello world.\nThis is prose, not a table.\nReally.\n')).toBe(false);
    expect(parser.sniff(Buffer.from('PK\u0003\u0004....word/document.xml', 'latin1'))).toBe(false);
    expect(sniff('')).toBe(false);
  });
});

describe('csv reader: records across chunks', () => {
  it('keeps line numbers right after quoted line breaks, whatever the chunk size', async () => {
    const text =
      'Date,Text,Amount\n2024-01-02,"two\nlines",1.00\n2024-01-03,"three\r\nline\nfield",2.00\n2024-01-04,x,oops\n';
    for (const chunkSize of [1, 2, 5, 13, 1000]) {
      const error = await rejection(parseText(text, { chunkSize }));
      expect(error.location).toMatchObject({ line: 7, field: 'Amount', found: 'oops' });
    }
    const ok = await parseText(text.replace('oops', '3.00'), { chunkSize: 3 });
    expect(ok.statements[0]!.entries.map((e) => e.remittance.text)).toEqual([
      'two\nlines',
      'three\r\nline\nfield',
      'x',
    ]);
  });
});
