/**
 * Generates a valid OFX 1.02 (SGML, CHARSET 1252, unclosed leaf elements) file of about `targetBytes`
 * for the parser benchmark: a signon, many bank statements (STMTTRNRS/STMTRS) and credit-card
 * statements (CCSTMTTRNRS/CCSTMTRS), each with many STMTTRN carrying names, memos with invoice numbers,
 * check numbers and a few entities; LEDGERBAL is the running balance, so the reader must accept it
 * without warnings.
 *
 * Amounts are integer cents (safe integers) formatted with `formatMinor`: no float touches money here.
 */

import { formatMinor } from '../../src/money/index.js';
import { Random, type Write } from './gen-common.js';

const ENTRIES_PER_STATEMENT = 400;
const APPROX_ENTRY_BYTES = 330;
const FLUSH_CHARS = 1 << 20;

const NAMES = ['ACME TRADING INC', 'NORDIC SUPPLIES', 'SMITH &amp; SONS LLC', 'CAFE LUMIERE', 'GLOBEX CORP'];
const TYPES = ['CREDIT', 'DEBIT', 'CHECK', 'XFER', 'DEP', 'PAYMENT'] as const;

const HEADER = [
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
  '<OFX>',
  '<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>',
  '<DTSERVER>20240315120000.000[-5:EST]<LANGUAGE>ENG<FI><ORG>BENCHBANK<FID>1234</FI></SONRS></SIGNONMSGSRSV1>',
  '',
].join('\r\n');

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function date(dayIndex: number): string {
  const month = (dayIndex % 12) + 1;
  const day = (Math.floor(dayIndex / 12) % 28) + 1;
  return `2024${pad(month, 2)}${pad(day, 2)}`;
}

function transaction(random: Random, n: number, day: string, cents: number): string {
  const type =
    cents >= 0 ? (random.int(2) === 0 ? 'CREDIT' : 'DEP') : TYPES[1 + random.int(TYPES.length - 1)]!;
  const name = NAMES[random.int(NAMES.length)]!;
  const check = type === 'CHECK' ? `<CHECKNUM>${1000 + (n % 9000)}\r\n` : '';
  return (
    `<STMTTRN>\r\n<TRNTYPE>${type}\r\n<DTPOSTED>${day}120000.000[-5:EST]\r\n<DTUSER>${day}\r\n` +
    `<TRNAMT>${formatMinor(cents, 2)}\r\n<FITID>${pad(n, 12)}\r\n${check}<NAME>${name}\r\n` +
    `<MEMO>PAYMENT INV-${pad(n, 7)} REF ${pad(random.int(1e8), 8)}\r\n</STMTTRN>\r\n`
  );
}

function statement(
  random: Random,
  index: number,
  entries: number,
  card: boolean,
  counter: { n: number },
): string {
  const day = date(index);
  let balance = (random.int(2_000_000) - 500_000) * 100;
  let list = '';
  for (let i = 0; i < entries; i++) {
    const credit = random.int(3) !== 0;
    const cents = (1 + random.int(250_000)) * (credit ? 1 : -1);
    balance += cents;
    list += transaction(random, counter.n++, day, cents);
  }
  const account = card
    ? `<CCACCTFROM>\r\n<ACCTID>4111${pad(index, 12)}\r\n</CCACCTFROM>\r\n`
    : `<BANKACCTFROM>\r\n<BANKID>121000248\r\n<ACCTID>${pad(index, 10)}\r\n<ACCTTYPE>CHECKING\r\n</BANKACCTFROM>\r\n`;
  const rs = card ? 'CCSTMTRS' : 'STMTRS';
  const trnrs = card ? 'CCSTMTTRNRS' : 'STMTTRNRS';
  return (
    `<${trnrs}>\r\n<TRNUID>${index}\r\n<STATUS>\r\n<CODE>0\r\n<SEVERITY>INFO\r\n</STATUS>\r\n<${rs}>\r\n<CURDEF>USD\r\n${account}` +
    `<BANKTRANLIST>\r\n<DTSTART>${day}\r\n<DTEND>${day}235959\r\n${list}</BANKTRANLIST>\r\n` +
    `<LEDGERBAL>\r\n<BALAMT>${formatMinor(balance, 2)}\r\n<DTASOF>${day}235959\r\n</LEDGERBAL>\r\n` +
    `<AVAILBAL>\r\n<BALAMT>${formatMinor(balance, 2)}\r\n<DTASOF>${day}235959\r\n</AVAILBAL>\r\n</${rs}>\r\n</${trnrs}>\r\n`
  );
}

/** Bank statements fill the first three quarters of the file, credit-card statements the rest. */
export async function generate(write: Write, targetBytes: number): Promise<void> {
  const random = new Random(102, 'high');
  const entries = Math.max(
    1,
    Math.min(ENTRIES_PER_STATEMENT, Math.floor((targetBytes - 1500) / APPROX_ENTRY_BYTES / 2)),
  );
  const counter = { n: 1 };
  let buffer = `${HEADER}<BANKMSGSRSV1>\r\n`;
  let written = 0;
  let card = false;
  for (let index = 0; written + buffer.length < targetBytes || !card; index++) {
    if (!card && written + buffer.length >= (targetBytes * 3) / 4) {
      buffer += '</BANKMSGSRSV1>\r\n<CREDITCARDMSGSRSV1>\r\n';
      card = true;
    }
    buffer += statement(random, index, entries, card, counter);
    if (buffer.length >= FLUSH_CHARS) {
      written += buffer.length;
      await write(buffer);
      buffer = '';
    }
  }
  await write(`${buffer}</CREDITCARDMSGSRSV1>\r\n</OFX>\r\n`);
}
