/**
 * Generates a valid BAI2 file of about `targetBytes` for the parser benchmark: many groups and
 * accounts, each with opening/closing ledger and credit/debit summaries, and many 16 details
 * (credits and debits, funds types Z/0/1/V/S) whose text continues on 88 records carrying
 * `EREF:`/`REMI:` remittance tags. 49/98/99 control totals and record counts are exact and every
 * account's balances tie, so the reader must accept the file without warnings.
 *
 * Amounts are integer cents; totals are bigint. No float touches money here.
 */
import { Random, type Write } from './gen-common.js';

const ACCOUNTS_PER_GROUP = 40;
const DETAILS_PER_ACCOUNT = 250;
const FLUSH_CHARS = 1 << 20;

const PAYERS = ['ACME TRADING INC', 'NORDIC SUPPLIES LLC', 'GLOBEX CORP', 'INITECH', 'UMBRELLA CO'];
const CREDIT_CODES = ['142', '165', '195', '115', '206', '301', '399'];
const DEBIT_CODES = ['451', '455', '475', '495', '506', '555', '699'];

class Output {
  private buffer: string[] = [];
  private size = 0;
  written = 0;
  constructor(private readonly write: Write) {}
  async line(text: string): Promise<void> {
    this.buffer.push(text, '\n');
    this.size += text.length + 1;
    this.written += text.length + 1;
    if (this.size >= FLUSH_CHARS) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    await this.write(chunk);
  }
}

interface Detail {
  records: string[];
  credit: boolean;
  cents: number;
}

function detail(random: Random, seq: number): Detail {
  const credit = random.int(3) !== 0;
  const code = credit
    ? CREDIT_CODES[random.int(CREDIT_CODES.length)]!
    : DEBIT_CODES[random.int(DEBIT_CODES.length)]!;
  const cents = 100 + random.int(2_500_000);
  const invoice = `INV-${String(100000 + random.int(900000))}`;
  const payer = PAYERS[random.int(PAYERS.length)]!;
  const funds = ['Z', '0', '1', 'V', 'S'][random.int(5)]!;
  const fundsFields = funds === 'V' ? 'V,240615,1200' : funds === 'S' ? `S,${cents},0,0` : funds;
  const bankRef = `BR${String(seq).padStart(10, '0')}`;
  const records = [
    `16,${code},${cents},${fundsFields},${bankRef},${invoice},${credit ? 'ACH CREDIT FROM' : 'PAYMENT TO'} ${payer}, ID ${seq}`,
    `88,EREF: E2E${String(seq).padStart(12, '0')}`,
    `88,REMI: ${invoice} PO 4500${random.int(100000)} THANK YOU`,
  ];
  return { records, credit, cents };
}

export async function generate(write: Write, targetBytes: number): Promise<void> {
  const random = new Random(20240615);
  const out = new Output(write);
  await out.line('01,BANKSNDR,OPENAR,240615,0600,FILE001,,,2/');
  let fileTotal = 0n;
  let fileRecords = 2; // 01 and 99
  let groups = 0;
  let seq = 0;
  let account = 0;
  while (out.written < targetBytes) {
    groups++;
    await out.line(`02,OPENAR,BANKSNDR,1,240614,2400,USD,2/`);
    let groupTotal = 0n;
    let groupRecords = 2; // 02 and 98
    let accounts = 0;
    for (let a = 0; a < ACCOUNTS_PER_GROUP && out.written < targetBytes; a++) {
      accounts++;
      account++;
      const details: Detail[] = [];
      for (let d = 0; d < DETAILS_PER_ACCOUNT; d++) details.push(detail(random, ++seq));
      const opening = 1_000_000 + random.int(100_000_000);
      let credits = 0;
      let debits = 0;
      let creditCount = 0;
      for (const d of details) {
        if (d.credit) {
          credits += d.cents;
          creditCount++;
        } else debits += d.cents;
      }
      const closing = opening + credits - debits;
      const accountRecords: string[] = [
        `03,${String(9_000_000_000 + account)},USD,010,${opening},,,015,${closing},,,100,${credits},${creditCount},,400,${debits},${details.length - creditCount},/`,
      ];
      let total = BigInt(opening) + BigInt(closing) + BigInt(credits) + BigInt(debits);
      for (const d of details) {
        accountRecords.push(...d.records);
        total += BigInt(d.cents);
      }
      const count = accountRecords.length + 1;
      accountRecords.push(`49,${total},${count}/`);
      for (const record of accountRecords) await out.line(record);
      groupTotal += total;
      groupRecords += count;
    }
    await out.line(`98,${groupTotal},${accounts},${groupRecords}/`);
    fileTotal += groupTotal;
    fileRecords += groupRecords;
  }
  await out.line(`99,${fileTotal},${groups},${fileRecords}/`);
  await out.flush();
}
