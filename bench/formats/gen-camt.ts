/**
 * Generates a valid camt.053.001.08 file of about `targetBytes` for the parser benchmark: many statements,
 * each with single credit transfers (structured and unstructured remittance), direct debits, and batch
 * entries whose TxDtls carry their own amounts and referred documents. Balances tie and every TxsSummry
 * is correct, so the reader must accept it without warnings.
 *
 * Amounts are integer cents (safe integers) formatted with `formatMinor`: no float touches money here.
 */

import { formatMinor } from '../../src/money/index.js';
import { Random, type Write } from './gen-common.js';

const MAX_ENTRIES_PER_STATEMENT = 250;
/** Rough size of one generated entry, to keep small targets small. */
const ENTRY_BYTES = 2600;
const FLUSH_CHARS = 1 << 20;

const NAMES = [
  'Acme Trading GmbH',
  'Nordic Supplies AB',
  'Müller & Söhne KG',
  'Café Lumière SARL',
  'Globex B.V.',
];

interface GeneratedTx {
  amountCents: number;
  credit: boolean;
  xml: string;
}

interface GeneratedEntry {
  amountCents: number;
  credit: boolean;
  xml: string;
}

function money(cents: number): string {
  return formatMinor(cents, 2);
}

function iban(random: Random): string {
  return `DE${String(10 + random.int(89))}${String(random.int(1e9)).padStart(9, '0')}${String(random.int(1e9)).padStart(9, '0')}`;
}

function party(random: Random, credit: boolean): string {
  const name = NAMES[random.int(NAMES.length)];
  const role = credit ? 'Dbtr' : 'Cdtr';
  return `
          <RltdPties>
            <${role}>
              <Pty>
                <Nm>${name?.replace('&', '&amp;')}</Nm>
              </Pty>
            </${role}>
            <${role}Acct>
              <Id>
                <IBAN>${iban(random)}</IBAN>
              </Id>
            </${role}Acct>
          </RltdPties>
          <RltdAgts>
            <${role}Agt>
              <FinInstnId>
                <BICFI>DEUTDEFFXXX</BICFI>
              </FinInstnId>
            </${role}Agt>
          </RltdAgts>`;
}

function remittance(random: Random, invoice: number, amountCents: number): string {
  if (random.int(2) === 0) {
    return `
          <RmtInf>
            <Ustrd>Invoice INV-${invoice} payment, customer ${random.int(100000)}</Ustrd>
            <Ustrd>thank you for your business</Ustrd>
          </RmtInf>`;
  }
  return `
          <RmtInf>
            <Strd>
              <RfrdDocInf>
                <Tp>
                  <CdOrPrtry>
                    <Cd>CINV</Cd>
                  </CdOrPrtry>
                </Tp>
                <Nb>INV-${invoice}</Nb>
                <RltdDt>2024-02-15</RltdDt>
              </RfrdDocInf>
              <RfrdDocAmt>
                <DuePyblAmt Ccy="EUR">${money(amountCents)}</DuePyblAmt>
                <RmtdAmt Ccy="EUR">${money(amountCents)}</RmtdAmt>
              </RfrdDocAmt>
              <CdtrRefInf>
                <Tp>
                  <CdOrPrtry>
                    <Cd>SCOR</Cd>
                  </CdOrPrtry>
                </Tp>
                <Ref>RF18${String(invoice).padStart(10, '0')}</Ref>
              </CdtrRefInf>
            </Strd>
          </RmtInf>`;
}

function txDetails(
  random: Random,
  seq: number,
  credit: boolean,
  amountCents: number,
  withAmount: boolean,
): string {
  const indicator = credit ? 'CRDT' : 'DBIT';
  const amount = withAmount
    ? `
          <Amt Ccy="EUR">${money(amountCents)}</Amt>
          <CdtDbtInd>${indicator}</CdtDbtInd>`
    : '';
  return `
        <TxDtls>
          <Refs>
            <AcctSvcrRef>TX${seq}</AcctSvcrRef>
            <InstrId>INSTR${seq}</InstrId>
            <EndToEndId>E2E-${seq}</EndToEndId>
            <TxId>TXID${seq}</TxId>
          </Refs>${amount}
          <AmtDtls>
            <TxAmt>
              <Amt Ccy="EUR">${money(amountCents)}</Amt>
            </TxAmt>
          </AmtDtls>${party(random, credit)}${remittance(random, 100000 + (seq % 900000), amountCents)}
        </TxDtls>`;
}

function entryXml(
  seq: number,
  credit: boolean,
  amountCents: number,
  family: string,
  details: string,
): string {
  const [familyCode, subFamilyCode] = family.split('-');
  return `
    <Ntry>
      <NtryRef>${seq}</NtryRef>
      <Amt Ccy="EUR">${money(amountCents)}</Amt>
      <CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd>
      <Sts>
        <Cd>BOOK</Cd>
      </Sts>
      <BookgDt>
        <Dt>2024-03-07</Dt>
      </BookgDt>
      <ValDt>
        <Dt>2024-03-07</Dt>
      </ValDt>
      <AcctSvcrRef>BANKREF${seq}</AcctSvcrRef>
      <BkTxCd>
        <Domn>
          <Cd>PMNT</Cd>
          <Fmly>
            <Cd>${familyCode}</Cd>
            <SubFmlyCd>${subFamilyCode}</SubFmlyCd>
          </Fmly>
        </Domn>
      </BkTxCd>
      <NtryDtls>${details}
      </NtryDtls>
    </Ntry>`;
}

function makeEntry(random: Random, seq: number): GeneratedEntry {
  const kind = random.int(10);
  if (kind < 6) {
    const amountCents = 100 + random.int(5_000_000);
    const tx = txDetails(random, seq, true, amountCents, true);
    return {
      amountCents,
      credit: true,
      xml: entryXml(seq, true, amountCents, 'RCDT-ESCT', tx),
    };
  }
  if (kind < 8) {
    const amountCents = 100 + random.int(1_000_000);
    const tx = txDetails(random, seq, false, amountCents, true);
    return {
      amountCents,
      credit: false,
      xml: entryXml(seq, false, amountCents, 'ICDT-ESCT', tx),
    };
  }
  // A batch credit: two to five transactions, each with its own amount.
  const count = 2 + random.int(4);
  const txs: GeneratedTx[] = [];
  let totalCents = 0;
  for (let i = 0; i < count; i++) {
    const amountCents = 100 + random.int(2_000_000);
    totalCents += amountCents;
    txs.push({ amountCents, credit: true, xml: txDetails(random, seq * 10 + i, true, amountCents, true) });
  }
  const batch = `
        <Btch>
          <MsgId>BATCH${seq}</MsgId>
          <NbOfTxs>${count}</NbOfTxs>
          <TtlAmt Ccy="EUR">${money(totalCents)}</TtlAmt>
          <CdtDbtInd>CRDT</CdtDbtInd>
        </Btch>${txs.map((t) => t.xml).join('')}`;
  return {
    amountCents: totalCents,
    credit: true,
    xml: entryXml(seq, true, totalCents, 'RCDT-BOOK', batch),
  };
}

function balanceXml(code: string, cents: number, date: string): string {
  return `
    <Bal>
      <Tp>
        <CdOrPrtry>
          <Cd>${code}</Cd>
        </CdOrPrtry>
      </Tp>
      <Amt Ccy="EUR">${money(Math.abs(cents))}</Amt>
      <CdtDbtInd>${cents < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd>
      <Dt>
        <Dt>${date}</Dt>
      </Dt>
    </Bal>`;
}

function summaryXml(entries: readonly GeneratedEntry[]): string {
  let creditCount = 0;
  let creditCents = 0;
  let debitCents = 0;
  for (const e of entries) {
    if (e.credit) {
      creditCount++;
      creditCents += e.amountCents;
    } else debitCents += e.amountCents;
  }
  const net = creditCents - debitCents;
  return `
    <TxsSummry>
      <TtlNtries>
        <NbOfNtries>${entries.length}</NbOfNtries>
        <Sum>${money(creditCents + debitCents)}</Sum>
        <TtlNetNtry>
          <Amt>${money(Math.abs(net))}</Amt>
          <CdtDbtInd>${net < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd>
        </TtlNetNtry>
      </TtlNtries>
      <TtlCdtNtries>
        <NbOfNtries>${creditCount}</NbOfNtries>
        <Sum>${money(creditCents)}</Sum>
      </TtlCdtNtries>
      <TtlDbtNtries>
        <NbOfNtries>${entries.length - creditCount}</NbOfNtries>
        <Sum>${money(debitCents)}</Sum>
      </TtlDbtNtries>
    </TxsSummry>`;
}

function statementXml(
  random: Random,
  index: number,
  openingCents: number,
  entries: GeneratedEntry[],
): string {
  let closingCents = openingCents;
  for (const e of entries) closingCents += e.credit ? e.amountCents : -e.amountCents;
  return `
  <Stmt>
    <Id>STMT-${index}</Id>
    <ElctrncSeqNb>${index}</ElctrncSeqNb>
    <CreDtTm>2024-03-07T19:47:17+01:00</CreDtTm>
    <FrToDt>
      <FrDtTm>2024-03-07T00:00:00+01:00</FrDtTm>
      <ToDtTm>2024-03-07T23:59:59+01:00</ToDtTm>
    </FrToDt>
    <Acct>
      <Id>
        <IBAN>${iban(random)}</IBAN>
      </Id>
      <Ccy>EUR</Ccy>
      <Ownr>
        <Nm>openar Bench Ltd</Nm>
      </Ownr>
    </Acct>${balanceXml('OPBD', openingCents, '2024-03-06')}${balanceXml('CLBD', closingCents, '2024-03-07')}${summaryXml(entries)}${entries.map((e) => e.xml).join('')}
  </Stmt>`;
}

export async function generate(write: Write, targetBytes: number): Promise<void> {
  const random = new Random(20240307);
  const entriesPerStatement = Math.max(
    1,
    Math.min(MAX_ENTRIES_PER_STATEMENT, Math.floor(targetBytes / ENTRY_BYTES)),
  );
  let pending = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt>
  <GrpHdr>
    <MsgId>BENCH-${targetBytes}</MsgId>
    <CreDtTm>2024-03-07T19:47:17+01:00</CreDtTm>
  </GrpHdr>`;
  const trailer = '\n</BkToCstmrStmt>\n</Document>\n';
  // Bytes, not characters: names with umlauts take two bytes in UTF-8.
  let writtenBytes = 0;
  let seq = 1;
  let statementIndex = 1;
  do {
    const entries: GeneratedEntry[] = [];
    for (let i = 0; i < entriesPerStatement; i++) entries.push(makeEntry(random, seq++));
    const openingCents = random.int(100_000_000) - 20_000_000;
    pending += statementXml(random, statementIndex++, openingCents, entries);
    if (pending.length >= FLUSH_CHARS) {
      writtenBytes += Buffer.byteLength(pending);
      await write(pending);
      pending = '';
    }
  } while (writtenBytes + Buffer.byteLength(pending) + trailer.length < targetBytes);
  await write(pending + trailer);
}
