/**
 * Small valid files for the mutation property test: hand-made BAI2 and NACHA files built from the
 * specifications (control totals computed here, so a wrong digit in a fixture cannot hide), plus
 * whatever the bench generators `bench/formats/gen-<format>.ts` produce at a few KB.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FormatName } from '../model.js';

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

/** One BAI2 file: opening 1000.00 + 500.00 + 200.00 - 200.00 = closing 1500.00; 49/98/99 consistent. */
export function bai2Seed(): Seed {
  const details = [
    ['165', 50000, 'BANKREF1,CUSTREF1,Invoice INV-1001 payment'],
    ['195', 20000, 'BANKREF2,,Wire from ACME'],
    ['475', 20000, 'BANKREF3,CHK1001,Check paid'],
  ] as const;
  const summary = [
    ['010', 100000, '', ''],
    ['015', 150000, '', ''],
    ['100', 70000, '2', 'Z'],
    ['400', 20000, '1', 'Z'],
  ] as const;
  const account = [`03,1234567890,USD,${summary.map((s) => s.join(',')).join(',')}/`];
  for (const [code, amount, rest] of details) account.push(`16,${code},${amount},Z,${rest}`);
  account.splice(3, 0, '88,continued remittance text INV-1002');
  const total = [...summary, ...details].reduce((sum, d) => sum + BigInt(d[1]), 0n);
  const accountRecords = account.length + 1;
  const groupRecords = accountRecords + 2;
  const fileRecords = groupRecords + 2;
  const lines = [
    '01,SENDR1,RECVR1,240307,0800,1,,,2/',
    '02,RECVR1,SENDR1,1,240306,2400,USD,2/',
    ...account,
    `49,${total},${accountRecords}/`,
    `98,${total},1,${groupRecords}/`,
    `99,${total},1,${fileRecords}/`,
  ];
  return { name: 'inline-bai2', bytes: Buffer.from(`${lines.join('\n')}\n`, 'latin1') };
}

/** ABA routing check digit (weights 3, 7, 1). */
export function abaCheckDigit(routing8: string): number {
  const weights = [3, 7, 1, 3, 7, 1, 3, 7];
  const sum = [...routing8].reduce((total, digit, i) => total + Number(digit) * weights[i]!, 0);
  return (10 - (sum % 10)) % 10;
}

const left = (text: string, width: number) => text.padEnd(width, ' ').slice(0, width);
const zeros = (value: bigint | number, width: number) => String(value).padStart(width, '0').slice(-width);

function record(text: string): string {
  if (text.length !== 94)
    throw new Error(`NACHA fixture record is ${text.length} characters, not 94: ${text}`);
  return text;
}

interface NachaEntry {
  code: string;
  rdfi: string;
  account: string;
  amountCents: number;
  name: string;
  addenda?: string;
}

/** One NACHA file, two batches (PPD credits/debits, CCD with an addenda), totals and hashes computed. */
export function nachaSeed(): Seed {
  const odfi = '09100001';
  const batches: { sec: string; entries: NachaEntry[] }[] = [
    {
      sec: 'PPD',
      entries: [
        { code: '22', rdfi: '23138010', account: '12345678', amountCents: 125050, name: 'ALICE EXAMPLE' },
        { code: '27', rdfi: '07640125', account: '87654321', amountCents: 9999, name: 'BOB EXAMPLE' },
      ],
    },
    {
      sec: 'CCD',
      entries: [
        {
          code: '22',
          rdfi: '23138010',
          account: '5550001',
          amountCents: 500000,
          name: 'ACME CORP',
          addenda: 'RMR*IV*INV-1001**5000.00\\',
        },
      ],
    },
  ];
  const lines = [
    record(
      `101 ${odfi}${abaCheckDigit(odfi)}1234567890240307${'0800'}A094101${left('DEST BANK', 23)}${left('ORIGIN CO', 23)}${left('', 8)}`,
    ),
  ];
  let fileDebit = 0n;
  let fileCredit = 0n;
  let fileHash = 0n;
  let fileCount = 0;
  batches.forEach((batch, b) => {
    const batchNo = zeros(b + 1, 7);
    lines.push(
      record(
        `5200${left('ORIGIN CO', 16)}${left('', 20)}1234567890${batch.sec}${left('PAYMENTS', 10)}${left('', 6)}240308${'   '}1${odfi}${batchNo}`,
      ),
    );
    let debit = 0n;
    let credit = 0n;
    let hash = 0n;
    let count = 0;
    batch.entries.forEach((e, i) => {
      const trace = `${odfi}${zeros(b * 100 + i + 1, 7)}`;
      const addendaFlag = e.addenda ? '1' : '0';
      lines.push(
        record(
          `6${e.code}${e.rdfi}${abaCheckDigit(e.rdfi)}${left(e.account, 17)}${zeros(e.amountCents, 10)}${left(`ID${i + 1}`, 15)}${left(e.name, 22)}  ${addendaFlag}${trace}`,
        ),
      );
      count++;
      if (e.addenda) {
        lines.push(record(`705${left(e.addenda, 80)}0001${trace.slice(-7)}`));
        count++;
      }
      hash += BigInt(e.rdfi);
      if (Number(e.code[1]) >= 5) debit += BigInt(e.amountCents);
      else credit += BigInt(e.amountCents);
    });
    lines.push(
      record(
        `8200${zeros(count, 6)}${zeros(hash, 10)}${zeros(debit, 12)}${zeros(credit, 12)}1234567890${left('', 19)}${left('', 6)}${odfi}${batchNo}`,
      ),
    );
    fileDebit += debit;
    fileCredit += credit;
    fileHash += hash;
    fileCount += count;
  });
  const blocks = Math.ceil((lines.length + 1) / 10);
  lines.push(
    record(
      `9${zeros(batches.length, 6)}${zeros(blocks, 6)}${zeros(fileCount, 8)}${zeros(fileHash, 10)}${zeros(fileDebit, 12)}${zeros(fileCredit, 12)}${left('', 39)}`,
    ),
  );
  while (lines.length % 10 !== 0) lines.push('9'.repeat(94));
  return { name: 'inline-nacha', bytes: Buffer.from(`${lines.join('\n')}\n`, 'latin1') };
}

type Generate = (write: (chunk: string) => Promise<void> | void, targetBytes: number) => Promise<void>;

/** The bench generator's output at about `targetBytes`, or null when there is no generator (or it wrote nothing). */
export async function generatorSeed(format: FormatName, targetBytes: number): Promise<Seed | null> {
  const url = new URL(`../../../bench/formats/gen-${format}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return null;
  const module = (await import(pathToFileURL(fileURLToPath(url)).href)) as { generate?: Generate };
  if (typeof module.generate !== 'function') return null;
  const chunks: string[] = [];
  await module.generate((chunk) => {
    chunks.push(chunk);
  }, targetBytes);
  const text = chunks.join('');
  // A generator still being written may produce nothing yet: no seed rather than an empty one.
  if (text.length === 0) return null;
  return { name: `gen-${format}(${targetBytes})`, bytes: Buffer.from(text, 'utf8') };
}

/** Two MT940 statements whose balances tie: 1000.00 + 500.00 - 200.50 = 1299.50; + 1234.56 = 2534.06. */
export function mt940Seed(): Seed {
  const lines = [
    ':20:STMT-0001',
    ':25:NL91ABNA0417164300',
    ':28C:1/1',
    ':60F:C240306EUR1000,00',
    ':61:2403070307C500,00NTRFNONREF//BANKREF1',
    ':86:/EREF/E2E-1/REMI/INV-1001 payment',
    ':61:2403070307D200,50NDDTNONREF',
    ':86:Direct debit electricity',
    ':62F:C240307EUR1299,50',
    '-',
    ':20:STMT-0002',
    ':25:NL91ABNA0417164300',
    ':28C:2/1',
    ':60F:C240307EUR1299,50',
    ':61:240308C1234,56NTRFINV-1002',
    ':86:Payment INV-1002 and',
    'INV-1003',
    ':62F:C240308EUR2534,06',
    '-',
  ];
  return { name: 'inline-mt940', bytes: Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1') };
}

/** One camt.053.001.02 statement, one element per line: 1000.00 + 500.00 - 200.50 = 1299.50. */
export function camtSeed(): Seed {
  const balance = (code: string, amount: string, date: string) =>
    `      <Bal>\n        <Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>\n        <Amt Ccy="EUR">${amount}</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Dt><Dt>${date}</Dt></Dt>\n      </Bal>`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>MSG-1</MsgId>
      <CreDtTm>2024-03-07T10:00:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>STMT-1</Id>
      <CreDtTm>2024-03-07T10:00:00</CreDtTm>
      <Acct>
        <Id><IBAN>DE89370400440532013000</IBAN></Id>
        <Ccy>EUR</Ccy>
      </Acct>
${balance('OPBD', '1000.00', '2024-03-06')}
${balance('CLBD', '1299.50', '2024-03-07')}
      <TxsSummry>
        <TtlNtries>
          <NbOfNtries>2</NbOfNtries>
          <Sum>700.50</Sum>
          <TtlNetNtry><Amt>299.50</Amt><CdtDbtInd>CRDT</CdtDbtInd></TtlNetNtry>
        </TtlNtries>
      </TxsSummry>
      <Ntry>
        <Amt Ccy="EUR">500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-03-07</Dt></BookgDt>
        <ValDt><Dt>2024-03-07</Dt></ValDt>
        <AcctSvcrRef>REF-1</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>E2E-1</EndToEndId></Refs>
            <RltdPties>
              <Dbtr><Nm>ACME GmbH</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>
            </RltdPties>
            <RmtInf><Ustrd>INV-1001</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">200.50</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-03-07</Dt></BookgDt>
        <ValDt><Dt>2024-03-07</Dt></ValDt>
        <AcctSvcrRef>REF-2</AcctSvcrRef>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
  return { name: 'inline-camt', bytes: Buffer.from(xml, 'utf8') };
}

/** An X12 820 (004010) paying two invoices: BPR02 1750.00 = RMR04 1000.00 + 750.00. */
export function x12Seed(): Seed {
  const isa = [
    'ISA',
    '00',
    ''.padEnd(10),
    '00',
    ''.padEnd(10),
    'ZZ',
    'PAYER'.padEnd(15),
    'ZZ',
    'PAYEE'.padEnd(15),
    '240307',
    '1200',
    'U',
    '00401',
    '000000001',
    '0',
    'P',
    '>',
  ].join('*');
  const transaction = [
    'ST*820*0001',
    'BPR*C*1750.00*C*ACH*CCP*01*091000019*DA*1234567*1234567890**01*021000021*DA*7654321*20240308',
    'TRN*1*PAY-0001*1234567890',
    'N1*PR*ACME CORP',
    'N1*PE*OPENAR DEMO',
    'ENT*1',
    'RMR*IV*INV-1001**1000.00*1000.00',
    'RMR*IV*INV-1002**750.00*800.00*50.00',
  ];
  const segments = [
    isa,
    'GS*RA*PAYER*PAYEE*20240307*1200*1*X*004010',
    ...transaction,
    `SE*${transaction.length + 1}*0001`,
    'GE*1*1',
    'IEA*1*000000001',
  ];
  return { name: 'inline-x12-820', bytes: Buffer.from(`${segments.join('~\n')}~\n`, 'latin1') };
}

/** An OFX 1.02 (SGML) bank statement, one element per line. */
export function ofxSeed(): Seed {
  const header = [
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
  ];
  const body = [
    '<OFX>',
    '<SIGNONMSGSRSV1><SONRS>',
    '<STATUS><CODE>0<SEVERITY>INFO</STATUS>',
    '<DTSERVER>20240307120000',
    '<LANGUAGE>ENG',
    '</SONRS></SIGNONMSGSRSV1>',
    '<BANKMSGSRSV1><STMTTRNRS>',
    '<TRNUID>1',
    '<STATUS><CODE>0<SEVERITY>INFO</STATUS>',
    '<STMTRS>',
    '<CURDEF>USD',
    '<BANKACCTFROM><BANKID>091000019<ACCTID>1234567890<ACCTTYPE>CHECKING</BANKACCTFROM>',
    '<BANKTRANLIST>',
    '<DTSTART>20240301',
    '<DTEND>20240307',
    '<STMTTRN>',
    '<TRNTYPE>CREDIT',
    '<DTPOSTED>20240302',
    '<TRNAMT>1500.00',
    '<FITID>T1',
    '<NAME>ACME CORP',
    '<MEMO>INV-1001',
    '</STMTTRN>',
    '<STMTTRN>',
    '<TRNTYPE>DEBIT',
    '<DTPOSTED>20240303120000',
    '<TRNAMT>-12.50',
    '<FITID>T2',
    '<NAME>BANK FEE',
    '</STMTTRN>',
    '</BANKTRANLIST>',
    '<LEDGERBAL><BALAMT>2487.50<DTASOF>20240307</LEDGERBAL>',
    '</STMTRS>',
    '</STMTTRNRS></BANKMSGSRSV1>',
    '</OFX>',
  ];
  return { name: 'inline-ofx', bytes: Buffer.from(`${[...header, ...body].join('\r\n')}\r\n`, 'latin1') };
}

/** A bank CSV export with a header row, a quoted field with a comma, credits and debits. */
export function csvSeed(): Seed {
  const rows = [
    'Date,Description,Reference,Amount',
    '2024-03-01,Payment ACME INV-1001,REF1,1500.00',
    '2024-03-02,Bank fee,REF2,-12.50',
    '2024-03-04,"Globex, Inc. INV-1002",REF3,250.75',
    '2024-03-05,Refund to customer,REF4,-99.99',
  ];
  return { name: 'inline-csv', bytes: Buffer.from(`${rows.join('\n')}\n`, 'utf8') };
}

/** Hand-made seeds per format (lockbox relies on its generator: its record layouts vary by bank). */
export function inlineSeeds(format: FormatName): Seed[] {
  switch (format) {
    case 'bai2':
      return [bai2Seed()];
    case 'nacha':
      return [nachaSeed()];
    case 'mt940':
      return [mt940Seed()];
    case 'camt':
      return [camtSeed()];
    case 'x12-820':
      return [x12Seed()];
    case 'ofx':
      return [ofxSeed()];
    case 'csv':
      return [csvSeed()];
    case 'lockbox':
      return [];
  }
}
