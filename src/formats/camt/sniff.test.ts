import { describe, expect, it } from 'vitest';
import { camtDocument } from './fixtures/documents.js';
import { parser } from './index.js';

const sniff = (text: string | Buffer) => parser.sniff(typeof text === 'string' ? Buffer.from(text) : text);

describe('camt sniffing', () => {
  it('recognises camt.052, camt.053 and camt.054 documents', () => {
    expect(sniff(camtDocument({ type: '052' }))).toBe(true);
    expect(sniff(camtDocument({ type: '053' }))).toBe(true);
    expect(sniff(camtDocument({ type: '054', version: '08' }))).toBe(true);
  });

  it('recognises prefixed, namespace-less, V01 and envelope forms', () => {
    expect(sniff(camtDocument({ prefix: 'ns2' }))).toBe(true);
    expect(sniff('<Document><BkToCstmrStmt><GrpHdr/>')).toBe(true);
    expect(
      sniff('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.01"><BkToCstmrAcctRptV01>'),
    ).toBe(true);
    expect(sniff('<?xml version="1.0"?>\n<BizMsg><AppHdr/><Document><BkToCstmrDbtCdtNtfctn>')).toBe(true);
  });

  it('recognises a head cut before the message element by its namespace', () => {
    expect(
      sniff('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04" '),
    ).toBe(true);
  });

  it('recognises files with a byte order mark, leading whitespace or UTF-16', () => {
    expect(sniff(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(camtDocument())]))).toBe(true);
    expect(sniff(`\r\n  ${camtDocument()}`)).toBe(true);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(camtDocument(), 'utf16le')]);
    expect(sniff(utf16)).toBe(true);
    const utf16be = Buffer.from(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(camtDocument(), 'utf16le')]),
    ).swap16();
    expect(sniff(utf16be)).toBe(true);
  });

  it('does not take other files', () => {
    expect(sniff('')).toBe(false);
    expect(sniff('<?xml version="1.0"?><OFX><BANKMSGSRSV1><STMTTRNRS/></BANKMSGSRSV1></OFX>')).toBe(false);
    expect(
      sniff(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn><GrpHdr/></CstmrCdtTrfInitn></Document>',
      ),
    ).toBe(false);
    expect(sniff('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.056.001.08"><FIToFIPmtCxlReq/>')).toBe(
      false,
    );
    expect(sniff(':20:STMT\r\n:25:NL91ABNA0417164300\r\n:28C:1\r\n:60F:C240307EUR1000,00\r\n')).toBe(false);
    expect(sniff('01,SENDER,RECEIVER,240307,1200,1,,,2/\n')).toBe(false);
    expect(sniff('Date,Amount,Description\n2024-03-07,100.00,"BkToCstmrStmt in a memo"\n')).toBe(false);
    expect(sniff('OFXHEADER:100\nDATA:OFXSGML\n<OFX>')).toBe(false);
  });
});
