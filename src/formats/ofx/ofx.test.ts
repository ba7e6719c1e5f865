/**
 * OFX reader, from the OFX 1.6 (SGML) and 2.1.1 (XML) specifications: banking and credit-card
 * statement responses. Fixtures are hand-made.
 */
import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors.js';
import { parseWith, rejectionOf } from '../mt940/test-helpers.js';
import { parser } from './index.js';
import { readAmount, readDate } from './values.js';

const parse = (input: Buffer | string, options = {}, chunk?: number) =>
  parseWith(parser, input, { fileName: 'test.ofx', ...options }, chunk);

const SGML_HEADER = [
  'OFXHEADER:100',
  'DATA:OFXSGML',
  'VERSION:102',
  'SECURITY:NONE',
  'ENCODING:USASCII',
  'CHARSET:1252',
  'COMPRESSION:NONE',
  'OLDFILEUID:NONE',
  'NEWFILEUID:NONE',
  '',
].join('\r\n');

/** Bank statement (3 STMTTRN), credit-card statement (1), and an investment statement that is skipped. */
function sgml(transactions = DEFAULT_TRANSACTIONS): Buffer {
  const body = `
<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20240315120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1>
<STMTTRNRS>
<TRNUID>1
<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS>
<CURDEF>USD
<BANKACCTFROM>
<BANKID>121000248
<ACCTID>000123456789
<ACCTTYPE>CHECKING
</BANKACCTFROM>
<BANKTRANLIST>
<DTSTART>20240301
<DTEND>20240315235959.000[-5:EST]
${transactions}
</BANKTRANLIST>
<LEDGERBAL><BALAMT>1500.25<DTASOF>20240315</LEDGERBAL>
<AVAILBAL><BALAMT>1400<DTASOF>20240315</AVAILBAL>
</STMTRS>
</STMTTRNRS>
</BANKMSGSRSV1>
<CREDITCARDMSGSRSV1>
<CCSTMTTRNRS>
<TRNUID>2
<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<CCSTMTRS>
<CURDEF>EUR
<CCACCTFROM><ACCTID>4111111111111111</CCACCTFROM>
<BANKTRANLIST>
<DTSTART>20240301<DTEND>20240315
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240305<TRNAMT>-9.99<FITID>CC1<NAME>STREAMING</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>-9.99<DTASOF>20240315</LEDGERBAL>
</CCSTMTRS>
</CCSTMTTRNRS>
</CREDITCARDMSGSRSV1>
<INVSTMTMSGSRSV1>
<INVSTMTTRNRS><TRNUID>3<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<INVSTMTRS><DTASOF>20240315<CURDEF>USD<INVACCTFROM><BROKERID>broker.example<ACCTID>999</INVACCTFROM>
<INVTRANLIST><DTSTART>20240301<DTEND>20240315
<INVBANKTRAN><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240310<TRNAMT>100<FITID>INV1</STMTTRN><SUBACCTFUND>CASH</INVBANKTRAN>
</INVTRANLIST>
</INVSTMTRS>
</INVSTMTTRNRS>
</INVSTMTMSGSRSV1>
</OFX>
`;
  return Buffer.concat([
    Buffer.from(SGML_HEADER, 'latin1'),
    Buffer.from(body.replace(/\n/g, '\r\n'), 'latin1'),
  ]);
}

const DEFAULT_TRANSACTIONS = `<STMTTRN>
<TRNTYPE>CREDIT
<DTPOSTED>20240305120000.000[-5:EST]
<DTAVAIL>20240306
<TRNAMT>1250.00
<FITID>T1
<NAME>ACME &amp; CO
<MEMO>INVOICE INV-1001
<REFNUM>R-1
</STMTTRN>
<STMTTRN>
<TRNTYPE>CHECK
<DTPOSTED>20240307
<DTUSER>20240306
<TRNAMT>-45.5
<FITID>T2
<CHECKNUM>1001
<PAYEE><NAME>Caf\xe9 Lumi\xe8re<ADDR1>1 Main St<CITY>Springfield<STATE>IL<POSTALCODE>62701</PAYEE>
<MEMO>
</STMTTRN>
<STMTTRN>
<TRNTYPE>XFER
<DTPOSTED>20240308
<TRNAMT>+100
<FITID>T3
<BANKACCTTO><BANKID>026009593<ACCTID>987654<ACCTTYPE>SAVINGS</BANKACCTTO>
<CURRENCY><CURRATE>1.0834<CURSYM>EUR</CURRENCY>
</STMTTRN>`;

describe('ofx 1.x (SGML)', () => {
  it('reads bank and credit-card statements and skips investment statements', async () => {
    const result = await parse(sgml());
    expect(result.warnings).toEqual([]);
    expect(result.statements).toHaveLength(2);
    const [bank, card] = result.statements;
    expect(bank).toMatchObject({
      account: '000123456789',
      currency: 'USD',
      opening_balance: null,
      closing_balance: '1500.25',
      statement_kind: 'bank',
      bank_id: '121000248',
      account_type: 'CHECKING',
      start_date: '2024-03-01',
      end_date: '2024-03-15',
      available_balance: '1400.00',
    });
    expect(card).toMatchObject({
      account: '4111111111111111',
      currency: 'EUR',
      closing_balance: '-9.99',
      statement_kind: 'creditcard',
    });
    expect(card!.entries).toEqual([
      expect.objectContaining({ amount: '-9.99', currency: 'EUR', bank_reference: 'CC1' }),
    ]);
  });

  it('maps STMTTRN fields into entries', async () => {
    const [first, second, third] = (await parse(sgml())).statements[0]!.entries;
    expect(first).toMatchObject({
      booking_date: '2024-03-05',
      value_date: '2024-03-06',
      amount: '1250.00',
      currency: 'USD',
      bank_transaction_code: 'CREDIT',
      bank_reference: 'T1',
      counterparty: { name: 'ACME & CO', account: null, bank: null },
      remittance: { references: ['R-1'], text: 'INVOICE INV-1001' },
    });
    expect(second).toMatchObject({
      value_date: '2024-03-06',
      amount: '-45.50',
      check_number: '1001',
      counterparty: { name: 'Café Lumière' },
      remittance: { references: ['1001'], text: null },
    });
    expect(third).toMatchObject({
      amount: '100.00',
      currency: 'EUR',
      currency_rate: '1.0834',
      value_date: null,
      counterparty: { account: '987654', bank: '026009593' },
    });
  });

  it('reads the same from 1-byte and 7-byte chunks', async () => {
    const whole = await parse(sgml());
    expect(await parse(sgml(), {}, 1)).toEqual(whole);
    expect(await parse(sgml(), {}, 7)).toEqual(whole);
  });

  it('accepts a decimal comma with one bank-deviation warning', async () => {
    const result = await parse(
      sgml('<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240305<TRNAMT>-12,34<FITID>A</STMTTRN>'),
    );
    expect(result.statements[0]!.entries[0]!.amount).toBe('-12.34');
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'bank-deviation' })]);
  });

  it('accepts leaves "closed" out of order, as some exporters nest them', async () => {
    const nested =
      '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240305<TRNAMT>-1.00<FITID>A<NAME>X<EXTRA.TAG>Y</EXTRA.TAG></NAME></FITID></TRNAMT></DTPOSTED></TRNTYPE></STMTTRN>';
    const result = await parse(sgml(nested));
    expect(result.statements[0]!.entries[0]).toMatchObject({ amount: '-1.00', counterparty: { name: 'X' } });
  });

  it('attributes leaves after an empty unclosed element of unknown name to their aggregate', async () => {
    const result = await parse(
      sgml('<STMTTRN><TRNTYPE>DEBIT<X.PRIVATE><DTPOSTED>20240305<TRNAMT>-1.00<FITID>A</STMTTRN>'),
    );
    expect(result.statements[0]!.entries[0]).toMatchObject({ amount: '-1.00', booking_date: '2024-03-05' });
  });
});

describe('ofx 2.x (XML)', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <!-- a comment with <tags> inside -->
  <BANKMSGSRSV1>
    <STMTTRNRS>
      <TRNUID>0</TRNUID>
      <STMTRS>
        <CURDEF>EUR</CURDEF>
        <BANKACCTFROM><BANKID>BANK</BANKID><ACCTID>DE89 3704 0044 0532 0130 00</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
        <BANKTRANLIST>
          <DTSTART>20240301</DTSTART><DTEND>20240331</DTEND>
          <STMTTRN>
            <TRNTYPE>CREDIT</TRNTYPE>
            <DTPOSTED>20240302000000[+1:CET]</DTPOSTED>
            <TRNAMT>99.00</TRNAMT>
            <FITID>X1</FITID>
            <NAME><![CDATA[Müller & Söhne <GmbH>]]></NAME>
            <MEMO>Rechnung &#8364; 99 &lt;R-7&gt;</MEMO>
            <ORIGCURRENCY><CURRATE>1.1</CURRATE><CURSYM>CHF</CURSYM></ORIGCURRENCY>
          </STMTTRN>
        </BANKTRANLIST>
        <LEDGERBAL><BALAMT/><DTASOF/></LEDGERBAL>
      </STMTRS>
    </STMTTRNRS>
  </BANKMSGSRSV1>
</OFX>`;

  it('reads closed leaves, comments, CDATA, entities and an empty balance', async () => {
    const result = await parse(xml);
    expect(result.warnings).toEqual([]);
    expect(result.statements[0]).toMatchObject({
      account: 'DE89 3704 0044 0532 0130 00',
      currency: 'EUR',
      closing_balance: null,
    });
    expect(result.statements[0]!.entries[0]).toMatchObject({
      booking_date: '2024-03-02',
      amount: '99.00',
      currency: 'EUR',
      original_currency: 'CHF',
      counterparty: { name: 'Müller & Söhne <GmbH>' },
      remittance: { text: 'Rechnung € 99 <R-7>' },
    });
    expect(await parse(xml, {}, 3)).toEqual(result);
  });

  it('reads a statement file without any transactions or with only an investment statement', async () => {
    const empty = await parse(
      '<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><CURDEF>USD</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>',
    );
    expect(empty.statements).toEqual([]);
  });
});

describe('ofx: character sets and long values', () => {
  const body = (name: Buffer) =>
    Buffer.concat([
      Buffer.from(
        '<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST>',
      ),
      Buffer.from('<STMTTRN><DTPOSTED>20240101<TRNAMT>1<FITID>1<NAME>'),
      name,
      Buffer.from('</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>'),
    ]);
  const nameOf = async (bytes: Buffer) => (await parse(bytes)).statements[0]!.entries[0]!.counterparty.name;

  it('follows the SGML header and the XML declaration', async () => {
    const latin1 = Buffer.from('Caf\xe9 \x80', 'latin1');
    expect(
      await nameOf(
        Buffer.concat([Buffer.from('OFXHEADER:100\nENCODING:USASCII\nCHARSET:1252\n\n'), body(latin1)]),
      ),
    ).toBe('Café €');
    expect(
      await nameOf(Buffer.concat([Buffer.from('OFXHEADER:100\nCHARSET:ISO-8859-1\n\n'), body(latin1)])),
    ).toBe('Café \x80');
    const utf8 = Buffer.from('Café €', 'utf8');
    expect(
      await nameOf(
        Buffer.concat([Buffer.from('OFXHEADER:100\nENCODING:UTF-8\nCHARSET:NONE\n\n'), body(utf8)]),
      ),
    ).toBe('Café €');
    expect(
      await nameOf(
        Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1252"?>'), body(latin1)]),
      ),
    ).toBe('Café €');
    expect(await nameOf(Buffer.concat([Buffer.from('<?xml version="1.0"?>'), body(utf8)]))).toBe('Café €');
  });

  it('reads a very long value and comment arriving in tiny chunks (linear, not rescanned per chunk)', async () => {
    const long = 'M'.repeat(300_000);
    const text = `<OFX><!-- ${'c'.repeat(300_000)} --><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST><STMTTRN><DTPOSTED>20240101<TRNAMT>1<FITID>1<MEMO>${long}</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;
    const result = await parse(text, {}, 7);
    expect(result.statements[0]!.entries[0]!.remittance.text).toHaveLength(300_000);
  });
});

describe('ofx: rejected files', () => {
  it('names the element path and line of a bad amount', async () => {
    const error = await rejectionOf(
      parse(
        sgml(
          `${DEFAULT_TRANSACTIONS}\r\n<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240309\r\n<TRNAMT>12.3.4<FITID>T4</STMTTRN>`,
        ),
      ),
    );
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toMatchObject({
      code: 'bad-amount',
      location: expect.objectContaining({
        file: 'test.ofx',
        path: 'OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN[4]/TRNAMT',
        field: 'TRNAMT',
        found: '12.3.4',
        line: 56,
      }),
    });
    expect(error.message).toContain('test.ofx');
  });

  it.each([
    [
      'a bad posting date',
      '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240231<TRNAMT>1<FITID>A</STMTTRN>',
      'bad-date',
      'DTPOSTED',
    ],
    [
      'a missing amount',
      '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240301<FITID>A</STMTTRN>',
      'missing-field',
      'TRNAMT',
    ],
    [
      'a missing posting date',
      '<STMTTRN><TRNTYPE>DEBIT<TRNAMT>1<FITID>A</STMTTRN>',
      'missing-field',
      'DTPOSTED',
    ],
    [
      'an empty amount',
      '<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240301<TRNAMT><FITID>A</STMTTRN>',
      'bad-amount',
      'TRNAMT',
    ],
    [
      'a bad currency',
      '<STMTTRN><DTPOSTED>20240301<TRNAMT>1<CURRENCY><CURSYM>euro</CURRENCY></STMTTRN>',
      'bad-field',
      'CURSYM',
    ],
  ])('rejects %s', async (_what, transaction, code, field) => {
    const error = await rejectionOf(parse(sgml(transaction)));
    expect(error).toBeInstanceOf(ParseError);
    expect(error).toMatchObject({
      code,
      location: expect.objectContaining({ field, path: expect.stringContaining('STMTTRN[1]') }),
    });
  });

  it('rejects truncated files', async () => {
    const whole = sgml();
    for (const cut of [whole.indexOf('</STMTRS>'), whole.indexOf('</OFX>'), whole.indexOf('<TRNAMT>') + 3]) {
      const error = await rejectionOf(parse(whole.subarray(0, cut)));
      expect(error).toBeInstanceOf(ParseError);
      expect(error).toMatchObject({ code: 'truncated' });
    }
  });

  it('rejects a statement without account or currency', async () => {
    const noAccount =
      '<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKTRANLIST></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>';
    await expect(parse(noAccount)).rejects.toMatchObject({
      code: 'missing-field',
      location: expect.objectContaining({ field: 'ACCTID' }),
    });
    const noCurrency =
      '<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKACCTFROM><ACCTID>1</BANKACCTFROM></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>';
    await expect(parse(noCurrency)).rejects.toMatchObject({
      code: 'missing-field',
      location: expect.objectContaining({ field: 'CURDEF' }),
    });
  });

  it.each([
    ['a QIF file', '!Type:Bank\nD01/02/2024\nT-1,000.00\n^\n'],
    ['a file whose root is not OFX', '<?xml version="1.0"?><Document><Stmt/></Document>'],
    ['a closing tag without opening', '<OFX><BANKMSGSRSV1></STMTRS></BANKMSGSRSV1></OFX>'],
    ['a "<" inside a tag', '<OFX><BANK<MSGSRSV1></OFX>'],
    ['an empty file', ''],
  ])('rejects %s', async (_what, text) => {
    const error = await rejectionOf(parse(text));
    expect(error).toBeInstanceOf(ParseError);
    expect(error.message).toContain('test.ofx');
  });
});

describe('ofx: values', () => {
  it('reads amounts exactly', () => {
    expect(readAmount('-80')).toMatchObject({ negative: true, intDigits: '80', fracDigits: '' });
    expect(readAmount('.5')).toMatchObject({ intDigits: '0', fracDigits: '5' });
    expect(readAmount('1,234.56')).toBeNull();
    expect(readAmount('')).toBeNull();
    expect(readAmount('1e5')).toBeNull();
  });

  it('reads dates with time and zone and rejects impossible ones', () => {
    expect(readDate('20240229')).toBe('2024-02-29');
    expect(readDate('20130831165153.000[-8:PST]')).toBe('2013-08-31');
    expect(readDate('20240230')).toBeNull();
    expect(readDate('2024-03-01')).toBeNull();
    expect(readDate('20240301<x>')).toBeNull();
  });
});

describe('ofx: sniffing', () => {
  it('recognises OFX 1.x headers, the OFX 2.x processing instruction and a bare <OFX>', () => {
    expect(parser.sniff(sgml())).toBe(true);
    expect(
      parser.sniff(Buffer.from('<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="211"?>\n<OFX>')),
    ).toBe(true);
    expect(parser.sniff(Buffer.from('\ufeff<OFX>\n<SIGNONMSGSRSV1>', 'utf8'))).toBe(true);
  });

  it('does not claim other formats', () => {
    expect(parser.sniff(Buffer.from(':20:X\r\n:25:ACC\r\n:60F:C240101EUR1,00\r\n'))).toBe(false);
    expect(
      parser.sniff(
        Buffer.from(
          '<?xml version="1.0"?><Document><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>OFX</AddtlNtryInf>',
        ),
      ),
    ).toBe(false);
    expect(parser.sniff(Buffer.from('Date,Memo\n2024-01-01,OFXHEADER:100 <OFX>\n'))).toBe(false);
  });
});
