/**
 * Bank files for one bench day, from planned payments: a camt.053.001.08 statement, a BAI2 prior-day
 * report, a BAI lockbox transmission and an X12 820 file of the day's remittance advices. Every
 * control total, balance and count is right, so our readers accept them without warnings. Each writer
 * stamps the bank reference our reader will report on its payments. Amounts are integer cents.
 */
import { formatMinor } from '../../src/money/index.js';
import { mmddyy, yymmdd, yyyymmdd } from './dates.js';
import type { PlannedPayment, RemitDoc, SeparateAdvice } from './plan.js';

export const COMPANY_NAME = 'Openar Bench Industrial Supply Inc.';
const PAYEE = 'OPENAR BENCH INC';
const CAMT_ACCOUNT = '4417120093';
const BAI2_ACCOUNT = '2290045517';
const LOCKBOX_NUMBER = '0071530';
const OUR_ROUTING = '021000021';

const money = (minor: number): string => formatMinor(minor, 2);

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** Free text cut into pieces of at most `width` characters at blanks (camt Ustrd holds 140). */
export function chunkText(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= 0) cut = width;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest !== '') out.push(rest);
  return out;
}

// ------------------------------------------------------------------------------------------------
// camt.053

function camtAccount(account: string): string {
  return /^[A-Z]{2}\d{2}/.test(account) ? `<IBAN>${account}</IBAN>` : `<Othr><Id>${xml(account)}</Id></Othr>`;
}

function camtAgent(bank: string): string {
  return /^\d{9}$/.test(bank)
    ? `<ClrSysMmbId><ClrSysId><Cd>USABA</Cd></ClrSysId><MmbId>${bank}</MmbId></ClrSysMmbId>`
    : `<BICFI>${xml(bank)}</BICFI>`;
}

function camtStructured(doc: RemitDoc, date: (day: number) => string): string {
  const code = doc.type === 'credit_memo' ? 'CREN' : doc.type === 'po' ? 'PUOR' : 'CINV';
  const amounts: string[] = [];
  if (doc.type === 'credit_memo') {
    amounts.push(`<CdtNoteAmt Ccy="USD">${money(-doc.paidMinor)}</CdtNoteAmt>`);
  } else {
    if (doc.invoicedMinor !== null)
      amounts.push(`<DuePyblAmt Ccy="USD">${money(doc.invoicedMinor)}</DuePyblAmt>`);
    if (doc.discountMinor > 0)
      amounts.push(`<DscntApldAmt><Amt Ccy="USD">${money(doc.discountMinor)}</Amt></DscntApldAmt>`);
    if (doc.deduction !== null) {
      amounts.push(
        `<AdjstmntAmtAndRsn><Amt Ccy="USD">${money(doc.deduction.amountMinor)}</Amt><CdtDbtInd>DBIT</CdtDbtInd>` +
          `<Rsn>${doc.deduction.code}</Rsn><AddtlInf>${xml(doc.deduction.reason)}</AddtlInf></AdjstmntAmtAndRsn>`,
      );
    }
    amounts.push(`<RmtdAmt Ccy="USD">${money(doc.paidMinor)}</RmtdAmt>`);
  }
  const related = doc.date === null ? '' : `<RltdDt>${date(doc.date)}</RltdDt>`;
  return `<Strd><RfrdDocInf><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Nb>${xml(doc.ref)}</Nb>${related}</RfrdDocInf><RfrdDocAmt>${amounts.join('')}</RfrdDocAmt></Strd>`;
}

function camtEntry(p: PlannedPayment, seq: number, isoDate: (day: number) => string): string {
  const remittance: string[] = [];
  if (p.style === 'structured') for (const d of p.docs) remittance.push(camtStructured(d, isoDate));
  if (p.text !== null)
    for (const piece of chunkText(p.text, 140)) remittance.push(`<Ustrd>${xml(piece)}</Ustrd>`);
  const foreign = /^[A-Z]{2}\d{2}/.test(p.payer.account ?? '');
  const subFamily = foreign ? 'XBCT' : p.source === 'x12-820' ? 'ACDT' : 'DMCT';
  return `
    <Ntry>
      <NtryRef>${seq}</NtryRef>
      <Amt Ccy="USD">${money(p.amountMinor)}</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd>
      <Sts><Cd>BOOK</Cd></Sts>
      <BookgDt><Dt>${p.date}</Dt></BookgDt>
      <ValDt><Dt>${p.date}</Dt></ValDt>
      <AcctSvcrRef>${p.bankReference}</AcctSvcrRef>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>${subFamily}</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls>
        <Refs><AcctSvcrRef>${p.bankReference}</AcctSvcrRef><EndToEndId>${xml(p.endToEndId ?? 'NOTPROVIDED')}</EndToEndId></Refs>
        <Amt Ccy="USD">${money(p.amountMinor)}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <RltdPties><Dbtr><Pty><Nm>${xml(p.payer.name)}</Nm></Pty></Dbtr>${
          p.payer.account === null ? '' : `<DbtrAcct><Id>${camtAccount(p.payer.account)}</Id></DbtrAcct>`
        }</RltdPties>${
          p.payer.bank === null
            ? ''
            : `\n        <RltdAgts><DbtrAgt><FinInstnId>${camtAgent(p.payer.bank)}</FinInstnId></DbtrAgt></RltdAgts>`
        }${remittance.length === 0 ? '' : `\n        <RmtInf>${remittance.join('')}</RmtInf>`}
      </TxDtls></NtryDtls>
    </Ntry>`;
}

function camtDebit(seq: number, date: string, amountMinor: number, ref: string, what: string): string {
  return `
    <Ntry>
      <NtryRef>${seq}</NtryRef>
      <Amt Ccy="USD">${money(amountMinor)}</Amt>
      <CdtDbtInd>DBIT</CdtDbtInd>
      <Sts><Cd>BOOK</Cd></Sts>
      <BookgDt><Dt>${date}</Dt></BookgDt>
      <ValDt><Dt>${date}</Dt></ValDt>
      <AcctSvcrRef>${ref}</AcctSvcrRef>
      <BkTxCd><Domn><Cd>ACMT</Cd><Fmly><Cd>MDOP</Cd><SubFmlyCd>CHRG</SubFmlyCd></Fmly></Domn></BkTxCd>
      <AddtlNtryInf>${xml(what)}</AddtlNtryInf>
    </Ntry>`;
}

export function writeCamt(
  payments: PlannedPayment[],
  date: string,
  dayIndex: number,
  isoDate: (day: number) => string,
): string {
  const compact = yyyymmdd(date);
  payments.forEach((p, i) => {
    p.bankReference = `${compact}C${String(i + 1).padStart(6, '0')}`;
  });
  const fees = [1_850 + dayIndex * 25, 4_500];
  let credits = 0;
  for (const p of payments) credits += p.amountMinor;
  const debits = fees.reduce((a, b) => a + b, 0);
  const opening = 250_000_000 + dayIndex * 1_000_000;
  const closing = opening + credits - debits;
  const entries = [
    ...payments.map((p, i) => camtEntry(p, i + 1, isoDate)),
    camtDebit(payments.length + 1, date, fees[0]!, `${compact}F000001`, 'WIRE FEES'),
    camtDebit(payments.length + 2, date, fees[1]!, `${compact}F000002`, 'ACCOUNT MAINTENANCE FEE'),
  ];
  const count = entries.length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt>
  <GrpHdr>
    <MsgId>CAMT053-${compact}</MsgId>
    <CreDtTm>${date}T21:30:00-05:00</CreDtTm>
  </GrpHdr>
  <Stmt>
    <Id>STMT-${compact}</Id>
    <ElctrncSeqNb>${dayIndex + 1}</ElctrncSeqNb>
    <CreDtTm>${date}T21:30:00-05:00</CreDtTm>
    <FrToDt><FrDtTm>${date}T00:00:00-05:00</FrDtTm><ToDtTm>${date}T23:59:59-05:00</ToDtTm></FrToDt>
    <Acct><Id><Othr><Id>${CAMT_ACCOUNT}</Id></Othr></Id><Ccy>USD</Ccy><Ownr><Nm>${xml(COMPANY_NAME)}</Nm></Ownr></Acct>
    <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">${money(opening)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>
    <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">${money(closing)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>
    <TxsSummry>
      <TtlNtries><NbOfNtries>${count}</NbOfNtries><Sum>${money(credits + debits)}</Sum><TtlNetNtry><Amt>${money(credits - debits)}</Amt><CdtDbtInd>CRDT</CdtDbtInd></TtlNetNtry></TtlNtries>
      <TtlCdtNtries><NbOfNtries>${payments.length}</NbOfNtries><Sum>${money(credits)}</Sum></TtlCdtNtries>
      <TtlDbtNtries><NbOfNtries>${fees.length}</NbOfNtries><Sum>${money(debits)}</Sum></TtlDbtNtries>
    </TxsSummry>${entries.join('')}
  </Stmt>
</BkToCstmrStmt>
</Document>
`;
}

// ------------------------------------------------------------------------------------------------
// BAI2

/** BAI2 text carries no commas in amounts here (1234.56): a comma is the field separator elsewhere. */
function baiText(text: string): string {
  return text.replace(/(\d),(\d{3})/g, '$1$2').replaceAll('\n', ' ');
}

function baiDetail(p: PlannedPayment): string[] {
  const wire = /^[A-Z]{2}\d{2}/.test(p.payer.account ?? '') || p.payer.bank?.length !== 9;
  const type = p.source === 'x12-820' ? '165' : wire ? '195' : p.amountMinor % 2 === 0 ? '142' : '165';
  const label = p.source === 'x12-820' ? 'CTX CREDIT' : wire ? 'INCOMING WIRE' : 'ACH CREDIT RECEIVED';
  const records = [`16,${type},${p.amountMinor},Z,${p.bankReference},,${label}`];
  const party = [`DBNM:${baiText(p.payer.name)}`];
  if (p.payer.account !== null) party.push(`DACT:${p.payer.account}`);
  if (p.payer.bank !== null) party.push(`${p.payer.bank.length === 9 ? 'DABA' : 'DBIC'}:${p.payer.bank}`);
  records.push(`88,${party.join(' ')}`);
  if (p.endToEndId !== null) records.push(`88,EREF:${p.endToEndId}`);
  if (p.text !== null) {
    const text = baiText(p.text);
    // Payments quoting references carry them in REMI (OBI on wires); free text stays untagged.
    records.push(
      p.scenario === 'ref_in_free_text' || p.style === 'none'
        ? `88,${text}`
        : `88,${wire ? 'OBI' : 'REMI'}:${text}`,
    );
  }
  return records;
}

export function writeBai2(payments: PlannedPayment[], date: string, dayIndex: number): string {
  const compact = yymmdd(date);
  payments.forEach((p, i) => {
    p.bankReference = `${compact}B${String(i + 1).padStart(6, '0')}`;
  });
  const fee = 2_500 + dayIndex * 10;
  let credits = 0;
  const details: string[] = [];
  for (const p of payments) {
    credits += p.amountMinor;
    details.push(...baiDetail(p));
  }
  details.push(`16,699,${fee},Z,${compact}F000001,,ANALYSIS SERVICE CHARGE`);
  const opening = 180_000_000 + dayIndex * 500_000;
  const closing = opening + credits - fee;
  const account = `03,${BAI2_ACCOUNT},USD,010,${opening},,,015,${closing},,,100,${credits},${payments.length},,400,${fee},1,/`;
  let accountTotal = BigInt(opening) + BigInt(closing) + BigInt(credits) + BigInt(fee) + BigInt(fee);
  for (const p of payments) accountTotal += BigInt(p.amountMinor);
  const accountRecords = 1 + details.length + 1;
  const groupRecords = accountRecords + 2;
  const fileRecords = groupRecords + 2;
  return `${[
    `01,BANKUS33,OPENARBENCH,${compact},0600,${dayIndex + 1},,,2/`,
    `02,OPENARBENCH,BANKUS33,1,${compact},2400,USD,2/`,
    account,
    ...details,
    `49,${accountTotal},${accountRecords}/`,
    `98,${accountTotal},1,${groupRecords}/`,
    `99,${accountTotal},1,${fileRecords}/`,
  ].join('\n')}\n`;
}

// ------------------------------------------------------------------------------------------------
// Lockbox (BAI lockbox layout, src/formats/lockbox/layout.ts)

const num = (value: number | bigint, width: number): string => value.toString().padStart(width, '0');
const field = (value: string, width: number): string => value.slice(0, width).padEnd(width, ' ');

const CHECKS_PER_BATCH = 100;

export interface LockboxState {
  nextBatch: number;
  nextCheck: Map<string, number>;
}

export function writeLockbox(payments: PlannedPayment[], date: string, state: LockboxState): string {
  const records: string[] = [];
  const d6 = yymmdd(date);
  records.push(`100${field('OPENARBNCH', 10)}${field(OUR_ROUTING.slice(0, 10), 10)}${d6}0930`);
  records.push(`2${field(`OPENARBNCH${OUR_ROUTING}`, 20)}${num(0, 10)}400080008001`);
  records.push(`5000000${LOCKBOX_NUMBER}${d6}${field(`OPENARBNCH${OUR_ROUTING}`, 20)}`);
  let lockboxTotal = 0;
  for (let start = 0; start < payments.length; start += CHECKS_PER_BATCH) {
    const batch = state.nextBatch++;
    if (batch > 999) throw new Error('more than 999 lockbox batches: the bench keeps batch numbers unique');
    const checks = payments.slice(start, start + CHECKS_PER_BATCH);
    let batchTotal = 0;
    checks.forEach((p, k) => {
      const item = k + 1;
      p.bankReference = `${num(batch, 3)}-${num(item, 3)}`;
      const account = p.payer.account ?? '';
      const checkNumber = (state.nextCheck.get(account) ?? 1000 + (Number(account.slice(-3)) || 0)) + 1;
      state.nextCheck.set(account, checkNumber);
      records.push(
        `6${num(batch, 3)}${num(item, 3)}${num(p.amountMinor, 10)}${field(p.payer.bank ?? '', 9)}${field(account, 10)}` +
          `${num(checkNumber, 10)}${mmddyy(date)}${field(p.payer.name, 30)}${field(PAYEE, 20)}`,
      );
      const slots =
        p.style === 'structured'
          ? p.docs.map((d) => `${field(d.ref, 15)}${num(Math.abs(d.paidMinor), 10)}`)
          : [];
      const overflow = Math.ceil(slots.length / 3);
      for (let r = 0; r < overflow; r++) {
        records.push(
          `4${num(batch, 3)}${num(item, 3)}4${num(r + 1, 2)}${r === overflow - 1 ? '9' : '0'}${slots.slice(r * 3, r * 3 + 3).join('')}`,
        );
      }
      batchTotal += p.amountMinor;
    });
    records.push(`7${num(batch, 3)}000${LOCKBOX_NUMBER}${d6}${num(checks.length, 3)}${num(batchTotal, 10)}`);
    lockboxTotal += batchTotal;
  }
  records.push(`8000000${LOCKBOX_NUMBER}${d6}${num(payments.length, 4)}${num(lockboxTotal, 10)}`);
  records.push(`9${num(records.length + 1, 9)}`);
  return `${records.join('\n')}\n`;
}

// ------------------------------------------------------------------------------------------------
// X12 820

export interface X12Advice {
  advice: SeparateAdvice;
  payment: PlannedPayment;
  payerName: string;
  payerId: string;
  po: (number: string) => string | null;
  isoDate: (day: number) => string;
}

function x12Amount(minor: number): string {
  return formatMinor(minor, 2);
}

function x12Text(text: string): string {
  return text.replace(/[*~>^]/g, ' ').toUpperCase();
}

export function writeX12(advices: X12Advice[], date: string, firstControl: number): string {
  const out: string[] = [];
  const d6 = yymmdd(date);
  const d8 = yyyymmdd(date);
  advices.forEach((a, k) => {
    const control = firstControl + k;
    const sender = a.payerId.padEnd(15).slice(0, 15);
    out.push(
      `ISA*00*${' '.repeat(10)}*00*${' '.repeat(10)}*ZZ*${sender}*ZZ*${'OPENARBENCH'.padEnd(15)}*${d6}*0700*U*00401*${num(control, 9)}*0*P*>~`,
    );
    out.push(`GS*RA*${a.payerId}*OPENARBENCH*${d8}*0700*${control}*X*004010~`);
    const segments: string[] = [
      'ST*820*0001~',
      `BPR*C*${x12Amount(a.payment.amountMinor)}*C*ACH*CTX*01*${a.payment.payer.bank ?? '000000000'}*DA*${a.payment.payer.account ?? ''}*${a.payerId}**01*${OUR_ROUTING}*DA*${BAI2_ACCOUNT}*${yyyymmdd(a.payment.date)}~`,
      `TRN*1*${a.advice.paymentReference}*1${a.payerId.slice(0, 9)}~`,
      'CUR*PR*USD~',
      `DTM*097*${d8}~`,
      `N1*PR*${x12Text(a.payerName)}*91*${a.payerId}~`,
      `N1*PE*${PAYEE}~`,
      'ENT*1~',
    ];
    for (const d of a.advice.docs) {
      const invoiced = d.invoicedMinor ?? d.paidMinor;
      segments.push(
        `RMR*${d.type === 'credit_memo' ? 'CM' : 'IV'}*${d.ref}*PI*${x12Amount(d.paidMinor)}*${x12Amount(invoiced)}${d.discountMinor > 0 ? `*${x12Amount(d.discountMinor)}` : ''}~`,
      );
      const po = a.po(d.number);
      if (po !== null) segments.push(`REF*PO*${po}~`);
      if (d.date !== null) segments.push(`DTM*003*${yyyymmdd(a.isoDate(d.date))}~`);
      if (d.deduction !== null)
        segments.push(`ADX*${x12Amount(-d.deduction.amountMinor)}*${d.deduction.code}~`);
    }
    segments.push(`SE*${segments.length + 1}*0001~`);
    out.push(...segments, `GE*1*${control}~`, `IEA*1*${num(control, 9)}~`);
  });
  return `${out.join('\n')}\n`;
}
