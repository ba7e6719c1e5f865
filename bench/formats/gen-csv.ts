/**
 * Generates a valid bank CSV export of about `targetBytes` for the parser benchmark, in the style of a
 * German online-banking export: UTF-8, `;`-separated, two preamble lines, DD.MM.YYYY dates, decimal comma
 * with dot thousands, a running balance, and an account column whose runs make many statements. Texts that
 * contain the delimiter or quotes are quoted (as CSV writers do), so both splitter paths are exercised.
 * Running balances tie, so the reader must accept it without balance warnings.
 *
 * Amounts are integer cents formatted with integer arithmetic: no float touches money here.
 */
import { Random, type Write } from './gen-common.js';

const ENTRIES_PER_ACCOUNT = 250;
const FLUSH_CHARS = 1 << 20;

const PAYERS = [
  'Müller & Söhne KG',
  'Acme Trading GmbH',
  'Nordic Supplies AB',
  'Café Lumière SARL',
  'Globex B.V.',
  'Schmidt; Weber OHG',
  'Initech "Europe" Ltd',
];

/** 123456 -> "1.234,56", with a leading minus for negatives. */
function euroAmount(cents: bigint): string {
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  const whole = digits.slice(0, -2);
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, '.');
  return `${negative ? '-' : ''}${grouped},${digits.slice(-2)}`;
}

function quoted(text: string): string {
  return /[;"\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function iban(random: Random): string {
  return `DE${pad(10 + random.int(89), 2)}${pad(random.int(1e9), 9)}${pad(random.int(1e9), 9)}`;
}

/** Day `index` counted from 2024-01-01, as DD.MM.YYYY (28-day months keep it simple and valid). */
function germanDate(index: number): string {
  const month = Math.floor(index / 28) % 12;
  const year = 2024 + Math.floor(index / (28 * 12));
  return `${pad((index % 28) + 1, 2)}.${pad(month + 1, 2)}.${year}`;
}

function entryLine(
  random: Random,
  account: string,
  day: number,
  balanceCents: bigint,
  amountCents: bigint,
): string {
  const payer = PAYERS[random.int(PAYERS.length)]!;
  const invoice = `RE-${2024}-${pad(random.int(1e6), 6)}`;
  const text =
    amountCents > 0n
      ? `${invoice} Zahlung Rechnung ${invoice} Kd-Nr. ${random.int(1e5)}`
      : `SEPA-Lastschrift Mandat M${random.int(1e6)} ${payer}`;
  const reference = `E2E${pad(random.int(1e9), 9)}`;
  const date = germanDate(day);
  return `${account};${date};${date};${quoted(payer)};${iban(random)};COBADEFFXXX;${quoted(text)};${reference};${euroAmount(amountCents)};EUR;${euroAmount(balanceCents)}\n`;
}

export async function generate(write: Write, targetBytes: number): Promise<void> {
  const random = new Random(20240601);
  let written = 0;
  let buffer =
    'Kontoinhaber;Acme Receivables GmbH\nExport;Umsätze aller Konten\n' +
    'Konto;Buchungstag;Valuta;Auftraggeber/Empfänger;IBAN;BIC;Verwendungszweck;Kundenreferenz (End-to-End);Betrag;Währung;Saldo\n';
  let accountNumber = 0;
  while (written + buffer.length < targetBytes) {
    const account = `DE89370400440532013${pad(accountNumber++ % 1000, 3)}`;
    let balance = BigInt(random.int(10_000_000));
    for (let i = 0; i < ENTRIES_PER_ACCOUNT; i++) {
      const magnitude = BigInt(1 + random.int(2_000_000));
      const amount = random.int(3) === 0 ? -magnitude : magnitude;
      balance += amount;
      buffer += entryLine(random, account, i, balance, amount);
      if (buffer.length >= FLUSH_CHARS) {
        await write(buffer);
        written += buffer.length;
        buffer = '';
      }
    }
  }
  if (buffer.length > 0) await write(buffer);
}
